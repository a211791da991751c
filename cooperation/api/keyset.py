"""Keyset ("cursor") pages: the rows after (or before) the last one a client saw, no count.

A page-number list counts every row it may show and skips the rows of the pages before;
a client that reads a whole list page by page pays both at every page. A cursor names
the sort keys of the row a page ended on, and the next page is the rows that sort after
it: an index range, whatever the depth, and no count.

The keys are the list's own order (the view's default or `ordering=`), with each
reference expanded to the referenced model's order as the database sorts it, and the
primary key appended so that no two rows tie. PostgreSQL puts NULLs last in an ascending
order and first in a descending one; the comparisons here follow the same rule, so a
cursor page holds exactly the rows the page-number list holds, in the same order.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet

CURSOR_PREFIX = "_keyset_"


class BadCursor(Exception):
    """The cursor was not made by this list (tampered with, cut short, or from another order)."""


@dataclass(frozen=True)
class Key:
    """One sort key: a path the database reads, and its direction."""

    path: str
    descending: bool

    def after(self, value: Any) -> Q | None:
        """Rows that sort after `value` on this key alone (None: no row does)."""
        if self.descending:  # NULLs first, then from the largest down
            return Q(**{f"{self.path}__isnull": False}) if value is None else Q(**{f"{self.path}__lt": value})
        if value is None:  # ascending: NULLs last, nothing after them
            return None
        return Q(**{f"{self.path}__gt": value}) | Q(**{f"{self.path}__isnull": True})

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.path}__isnull": True}) if value is None else Q(**{self.path: value})

    def reversed(self) -> Key:
        return Key(self.path, not self.descending)

    def order(self):
        expression = F(self.path)
        return expression.desc(nulls_first=True) if self.descending else expression.asc(nulls_last=True)


def _expand(model, term: str, prefix: str = "", seen: frozenset = frozenset()) -> list[tuple[str, bool]]:
    """`term` of an order_by on `model` as the (path, descending) pairs the database sorts by.

    A reference sorts by the referenced model's own order (as Django does), or by its
    key when that model declares none.
    """
    descending = term.startswith("-")
    name = term.lstrip("-")
    if name == "?":
        raise ImproperlyConfigured("A randomly ordered list cannot be paged by cursor.")
    head, _sep, rest = name.partition("__")
    try:
        field = model._meta.pk if head == "pk" else model._meta.get_field(head)
    except FieldDoesNotExist:
        # An annotation declared by the view: sorted as it is.
        return [(prefix + name, descending)]
    if rest:
        if field.related_model is None:
            return [(prefix + name, descending)]  # a transform or lookup on a plain field
        inner = _expand(field.related_model, rest, f"{prefix}{head}__", seen)
        return [(path, descending != inner_desc) for path, inner_desc in inner]
    related = field.related_model if field.is_relation and not field.auto_created else None
    if related is None or head == field.attname or (field.many_to_many or field.one_to_many):
        return [(prefix + ("pk" if head == "pk" else name), descending)]
    ordering = related._meta.ordering
    if not ordering or related in seen:
        return [(f"{prefix}{name}", descending)]
    expanded = []
    for inner_term in ordering:
        if not isinstance(inner_term, str):
            raise ImproperlyConfigured(f"{related.__name__}'s ordering cannot be paged by cursor.")
        for path, inner_desc in _expand(related, inner_term, f"{prefix}{name}__", seen | {related}):
            expanded.append((path, descending != inner_desc))
    return expanded


def keys_of(queryset: QuerySet) -> list[Key]:
    """The sort keys of an ordered queryset, ending with its primary key."""
    query = queryset.query
    if query.order_by:
        terms = list(query.order_by)
    else:
        terms = list(query.get_meta().ordering or ()) if query.default_ordering else []
    pairs: list[tuple[str, bool]] = []
    for term in terms:
        if not isinstance(term, str):
            raise ImproperlyConfigured(f"An ordering by {term!r} cannot be paged by cursor.")
        pairs.extend(_expand(queryset.model, term))
    keys: list[Key] = []
    for path, descending in pairs:
        path = "pk" if path in ("pk", queryset.model._meta.pk.name) else path
        if all(key.path != path for key in keys):
            keys.append(Key(path, descending))
    if all(key.path != "pk" for key in keys):
        keys.append(Key("pk", False))
    return keys


def _after_all(keys: list[Key], values: list[Any]) -> Q:
    """Rows that sort after `values` on `keys` taken together (lexicographically)."""
    alternatives: list[Q] = []
    for index, key in enumerate(keys):
        after = key.after(values[index])
        if after is None:
            continue
        for earlier, value in zip(keys[:index], values[:index], strict=True):
            after &= earlier.equal(value)
        alternatives.append(after)
    if not alternatives:
        return Q(pk__in=[])
    found = alternatives[0]
    for alternative in alternatives[1:]:
        found |= alternative
    return found


def annotated(queryset: QuerySet, keys: list[Key]) -> QuerySet:
    """The queryset with each key's value on its rows (to make the next cursor of)."""
    return queryset.annotate(**{f"{CURSOR_PREFIX}{index}": F(key.path) for index, key in enumerate(keys)})


def values_of(row, keys: list[Key]) -> list[Any]:
    return [getattr(row, f"{CURSOR_PREFIX}{index}") for index in range(len(keys))]


def page_after(queryset: QuerySet, keys: list[Key], values: list[Any] | None, *, backwards: bool) -> QuerySet:
    """The rows after `values` (before them when `backwards`), nearest first."""
    walk = [key.reversed() for key in keys] if backwards else keys
    if values is not None:
        queryset = queryset.filter(_after_all(walk, values))
    return queryset.order_by(*(key.order() for key in walk))


# --- the cursor itself: the keys' signature, the direction and the values, as base64 JSON --


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def signature(keys: list[Key]) -> str:
    return ",".join(("-" if key.descending else "") + key.path for key in keys)


def encode(keys: list[Key], values: list[Any], *, backwards: bool) -> str:
    payload = {"k": signature(keys), "b": backwards, "v": [_plain(value) for value in values]}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, keys: list[Key], queryset: QuerySet) -> tuple[list[Any], bool]:
    """The values and direction a cursor holds, each value read as its key's type."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        values, backwards, made_for = payload["v"], payload["b"], payload["k"]
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise BadCursor from exc
    if made_for != signature(keys) or not isinstance(values, list) or len(values) != len(keys):
        raise BadCursor
    if not isinstance(backwards, bool):
        raise BadCursor
    typed = annotated(queryset.none(), keys).query.annotations
    read: list[Any] = []
    for index, value in enumerate(values):
        if value is None:
            read.append(None)
            continue
        field = typed[f"{CURSOR_PREFIX}{index}"].output_field
        try:
            read.append(field.to_python(value))
        except (DjangoValidationError, ValueError, TypeError, decimal.InvalidOperation) as exc:
            raise BadCursor from exc
    return read, backwards
