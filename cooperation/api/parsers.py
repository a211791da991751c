"""JSON request bodies, refused with a 400 when nested deeper than any resource needs.

Python's JSON decoder recurses once per `[` or `{`: a 1 MiB body of nothing but brackets
would exhaust the interpreter's stack and become a 500. The depth is therefore counted
first, in one pass over the text with strings skipped, before anything is decoded.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

# The deepest resource body (a record with a list of objects inside) is four levels deep.
DEFAULT_MAX_DEPTH = 32

# A JSON string (with its escapes), or one bracket outside strings.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
_OPENING = frozenset("[{")


class TooDeeplyNested(exceptions.ParseError):
    default_code = "too_deeply_nested"


def nesting_depth(text: str) -> int:
    """The deepest level of arrays and objects in `text`, without recursing."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise exceptions.ParseError(
                _("The request body is not %(encoding)s text.") % {"encoding": encoding}
            ) from None
        limit = getattr(settings, "API_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH)
        depth = nesting_depth(text)
        if depth > limit:
            raise TooDeeplyNested(
                _("The JSON body is nested %(depth)d levels deep; the limit is %(limit)d.")
                % {"depth": depth, "limit": limit}
            )
        parse_constant = strict_constant if api_settings.STRICT_JSON else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            # Not reachable below the depth limit; kept so that a raised limit cannot 500.
            raise TooDeeplyNested(_("The JSON body is nested too deeply.")) from None
        except ValueError as exc:
            raise exceptions.ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from None
