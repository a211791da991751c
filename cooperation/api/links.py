"""Links to many records of one kind, reversed once per answer instead of once per row.

Reversing a URL walks the URL configuration; a page of 200 rows with two links each
would do it 400 times for 400 strings that differ only in the id. The link is reversed
once with a marker in place of the id, and each row's link is the marker replaced.
"""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.relations import HyperlinkedIdentityField

# Stands for the id while reversing: digits (so it passes an `<int:pk>` converter) that
# no real path holds; the last occurrence is taken, the path being after the host.
ID_MARKER = "4207193552091873"

TEMPLATES_KEY = "_link_templates"


def page_link(context, name: str, make: Callable[[str], str], pk: int) -> str:
    """`make(str(pk))`, reversed once per answer (`context`) for every `name`."""
    templates = context.setdefault(TEMPLATES_KEY, {})
    template = templates.get(name)
    if template is None:
        head, found, tail = make(ID_MARKER).rpartition(ID_MARKER)
        template = templates[name] = (head, tail) if found else False
    if template is False:
        return make(str(pk))
    return f"{template[0]}{pk}{template[1]}"


class TemplatedIdentityField(HyperlinkedIdentityField):
    """A record's own `url`, built from one reversed template per answer."""

    def get_url(self, obj, view_name, request, format):
        pk = getattr(obj, "pk", None)
        if format or self.lookup_field != "pk" or not isinstance(pk, int):
            return super().get_url(obj, view_name, request, format)

        def make(value: str) -> str:
            return self.reverse(view_name, kwargs={self.lookup_url_kwarg: value}, request=request, format=format)

        return page_link(self.context, f"identity:{view_name}", make, pk)
