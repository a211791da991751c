"""The ISO 639-1 languages: those an expert may list, and a course's working language.

Django's locale table covers the languages Django is translated into; the languages of
the agency's partner countries that it lacks are added here by hand.
"""

from __future__ import annotations

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_NOT_IN_DJANGO = {
    "am": "Amharic",
    "dv": "Dhivehi",
    "dz": "Dzongkha",
    "ha": "Hausa",
    "ku": "Kurdish",
    "lo": "Lao",
    "ps": "Pashto",
    "si": "Sinhala",
    "so": "Somali",
    "ti": "Tigrinya",
    "tl": "Tagalog",
    "yo": "Yoruba",
    "zh": "Chinese",
}

LANGUAGE_NAMES: dict[str, str] = {
    **{code: info["name"] for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info},
    **_NOT_IN_DJANGO,
}

LANGUAGE_CHOICES = sorted(LANGUAGE_NAMES.items(), key=lambda item: item[1])


def validate_language_code(value: str) -> None:
    if value not in LANGUAGE_NAMES:
        raise ValidationError(
            _("“%(code)s” is not an ISO 639-1 language code (two lowercase letters, e.g. en, id, tl)."),
            code="unknown_language",
            params={"code": value},
        )


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
