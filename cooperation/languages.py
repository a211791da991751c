"""The ISO 639-1 languages: those an expert may list, and a course's working language.

Django's locale table covers the languages Django is translated into; the languages of
the agency's partner countries that it lacks are added here by hand. Names are shown in
the reader's language: Django's catalog translates its own, ours the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_NOT_IN_DJANGO = {
    "am": gettext_noop("Amharic"),
    "dv": gettext_noop("Dhivehi"),
    "dz": gettext_noop("Dzongkha"),
    "ha": gettext_noop("Hausa"),
    "ku": gettext_noop("Kurdish"),
    "lo": gettext_noop("Lao"),
    "ps": gettext_noop("Pashto"),
    "si": gettext_noop("Sinhala"),
    "so": gettext_noop("Somali"),
    "ti": gettext_noop("Tigrinya"),
    "tl": gettext_noop("Tagalog"),
    "yo": gettext_noop("Yoruba"),
    "zh": gettext_noop("Chinese"),
}
# Named in Django's locale table otherwise than in its catalog.
_SPELLED_AS_DJANGO_TRANSLATES = {"nb": "Norwegian Bokmål", "no": gettext_noop("Norwegian")}

_ENGLISH_NAMES: dict[str, str] = {
    **{code: info["name"] for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info},
    **_SPELLED_AS_DJANGO_TRANSLATES,
    **_NOT_IN_DJANGO,
}

LANGUAGE_NAMES: dict[str, StrOrPromise] = {code: _(name) for code, name in _ENGLISH_NAMES.items()}

# In English alphabetical order: the order is fixed at import, before any language is active.
LANGUAGE_CHOICES = [
    (code, LANGUAGE_NAMES[code]) for code, _name in sorted(_ENGLISH_NAMES.items(), key=lambda item: item[1])
]


def validate_language_code(value: str) -> None:
    if value not in LANGUAGE_NAMES:
        raise ValidationError(
            _("“%(code)s” is not an ISO 639-1 language code (two lowercase letters, e.g. en, id, tl)."),
            code="unknown_language",
            params={"code": value},
        )


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))
