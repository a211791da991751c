"""The language switch every page carries: English / 日本語, posted to Django's set_language."""

from django import template
from django.conf import settings
from django.http import QueryDict
from django.utils import translation

register = template.Library()

# Each language is offered in its own name, so a reader who cannot read the page's
# language still finds theirs.
NAMES_IN_THEMSELVES = {"en": "English", "ja": "日本語"}


def _return_path(request) -> str:
    """The page to come back to, without a `?lang=` that would override the choice just made."""
    query = QueryDict(mutable=True)
    query.update(request.GET)
    query.pop("lang", None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


@register.inclusion_tag("language_switch.html", takes_context=True)
def language_switch(context):
    request = context["request"]
    current = translation.get_language()
    return {
        "csrf_token": context.get("csrf_token"),
        "next": _return_path(request),
        "languages": [(code, NAMES_IN_THEMSELVES.get(code, code), code == current) for code, _ in settings.LANGUAGES],
    }
