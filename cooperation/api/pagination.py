"""The one pagination of every list: page numbers for people, cursors for sync clients.

`page` / `page_size` answer `{count, next, previous, results}`. A client that walks a
whole list sends `cursor` (empty for the first page, then the `next` link as given):
the answer is `{next, previous, results}`, read through the list's sort keys from where
the last page ended (see api.keyset), with no count and no rows skipped over, so every
page costs what the first one does.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import keyset


class CooperationPagination(PageNumberPagination):
    """`page` and `page_size` (at most 200), or `cursor`; an unordered list is a programming error."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    cursor_query_param = "cursor"

    # Set for a cursor page: the links of its answer.
    cursor_links: tuple[str | None, str | None] | None = None

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [_("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}]},
                code="invalid",
            )
        return size

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Cursor paging, for clients that read a whole list: send it empty for the first "
                "page, then follow `next` (or `previous`) as given. The answer has no `count`; not with `page`.",
                "schema": {"type": "string"},
            },
        ]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": "Rows in the whole list; absent from a cursor page.",
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "example": "https://cooperation.example/api/v1/courses/?page=4",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "example": "https://cooperation.example/api/v1/courses/?page=2",
                },
                "results": schema,
            },
        }

    def paginate_queryset(self, queryset, request, view=None):
        if hasattr(queryset, "ordered") and not queryset.ordered:
            raise ImproperlyConfigured(f"{view.__class__.__name__} paginates an unordered queryset.")
        if self.cursor_query_param in request.query_params:
            return self.paginate_by_cursor(queryset, request)
        self.cursor_links = None
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.cursor_links is None:
            return super().get_paginated_response(data)
        following, preceding = self.cursor_links
        return Response({"next": following, "previous": preceding, "results": data})

    # --- cursor pages ----------------------------------------------------------------------

    def paginate_by_cursor(self, queryset, request):
        if self.page_query_param in request.query_params:
            raise ValidationError({self.cursor_query_param: [_("Give either a cursor or a page number, not both.")]})
        self.request = request
        size = self.get_page_size(request)
        keys = keyset.keys_of(queryset)
        given = request.query_params.get(self.cursor_query_param, "")
        values, backwards = None, False
        if given:
            try:
                values, backwards = keyset.decode(given, keys, queryset)
            except keyset.BadCursor:
                raise ValidationError(
                    {
                        self.cursor_query_param: [
                            _("This cursor is not one this list gave (or the list's ordering changed); start again.")
                        ]
                    },
                    code="invalid",
                ) from None
        page = keyset.page_after(keyset.annotated(queryset, keys), keys, values, backwards=backwards)
        rows = list(page[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        # Coming from a cursor, there are rows on the side we came from; the far side is `more`.
        has_next = (not backwards and more) or (backwards and values is not None)
        has_previous = (backwards and more) or (not backwards and values is not None)
        following = self._link(keys, rows[-1], backwards=False) if rows and has_next else None
        preceding = self._link(keys, rows[0], backwards=True) if rows and has_previous else None
        self.cursor_links = (following, preceding)
        return rows

    def _link(self, keys, row, *, backwards: bool) -> str:
        assert self.request is not None  # set by paginate_by_cursor
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        cursor = keyset.encode(keys, keyset.values_of(row, keys), backwards=backwards)
        return replace_query_param(url, self.cursor_query_param, cursor)
