"""Set-based inserts: thousands of rows of a model, and their history copies, in two statements.

Django's `bulk_create` prepares every value of every row through the model's fields and
renders them into the query text, and django-simple-history builds each history copy as a
model instance first; at a few thousand rows that Python work, not the database, is the
cost. Here the rows travel by COPY (psycopg formats them in C), the values every row shares
are prepared once, and PostgreSQL makes the history copies from the stored rows themselves
(`INSERT … SELECT`), so a copy holds exactly what was stored. Constraints and triggers apply
as to any insert, and a failure undoes the caller's transaction like any other.

Values are given by attribute name (`organization_id`, not `organization`) and prepared
for the database once per column; columns given neither way get the field's default, the
write time (`auto_now`, `auto_now_add`) or, for a `DigestField`, the digest of its source;
generated columns are left to the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import repeat
from typing import Any

from django.conf import settings
from django.db import connection, models

from .crypto import DigestField, digest

# Django's own fields whose database value is the Python value itself for what a caller
# passes them (str, date, int, bool, None): a column of them needs no per-value preparation.
PLAIN_FIELDS = frozenset(
    {
        models.CharField,
        models.TextField,
        models.EmailField,
        models.DateField,
        models.BooleanField,
        models.IntegerField,
        models.PositiveIntegerField,
        models.BigIntegerField,
        models.AutoField,
        models.BigAutoField,
    }
)


def reserve_ids(*wanted: tuple[type[models.Model], int]) -> list[list[int]]:
    """Primary keys from each model's own sequence, `count` of each, in one query, so rows
    can be inserted with their keys known (and others can point at them) beforehand."""
    if not wanted:
        return []
    selects = []
    params: list[Any] = []
    for model, count in wanted:
        selects.append(
            "ARRAY(SELECT nextval(s.seq) FROM generate_series(1, %s), "
            "(SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) AS s)"
        )
        params += [count, model._meta.db_table, model._meta.pk.column]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return [list(ids) for ids in cursor.fetchone()]


def _is_plain(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return _is_plain(field.target_field)
    return type(field) in PLAIN_FIELDS


def _column(field: models.Field, values: Sequence[Any]) -> list[Any]:
    if _is_plain(field):
        return list(values)
    return [field.get_db_prep_save(value, connection) for value in values]


def _cast_type(field: models.Field) -> str:
    return field.cast_db_type(connection) or "text"


def _history_copy(model: type[models.Model], at: datetime, actor: Any) -> tuple[str, list[Any]] | None:
    """An INSERT of the history copies of the rows of `model` whose keys are its last
    parameter, made from the rows as stored; None when the model keeps no history."""
    manager = getattr(model, "history", None)
    if manager is None or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return None
    history_model = manager.model
    if actor is None:
        actor = history_model.get_default_history_user(None)
    quote = connection.ops.quote_name
    source_columns = {field.column for field in model._meta.concrete_fields}
    own: dict[str, tuple[str, Any]] = {
        "history_date": ("%s", at),
        # bulk_create_with_history leaves the reason empty (NULL) as well.
        "history_change_reason": ("NULL", None),
        "history_type": ("%s", "+"),
        "history_user_id": ("%s", getattr(actor, "pk", actor)),
    }
    columns, select, params = [], [], []
    for field in history_model._meta.concrete_fields:
        if field.attname == "history_id" or field.generated:
            continue
        columns.append(quote(field.column))
        if field.attname in own:
            placeholder, value = own[field.attname]
            if placeholder == "NULL":
                select.append(placeholder)
            else:
                select.append(f"{placeholder}::{_cast_type(field)}")
                params.append(value)
        elif field.column in source_columns:
            select.append(quote(field.column))
        else:
            raise ValueError(f"{history_model.__name__}.{field.name}: no value for a history copy")
    pk = quote(model._meta.pk.column)  # type: ignore[arg-type]  # a primary key has a column
    sql = (
        f"INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(select)} FROM {quote(model._meta.db_table)} WHERE {pk} = ANY(%s::bigint[])"
    )
    return sql, params


def insert_rows(
    model: type[models.Model],
    *,
    per_row: dict[str, Sequence[Any]],
    shared: dict[str, Any],
    at: datetime,
    ids: Sequence[int] | None = None,
    history: bool = True,
    actor: Any = None,
) -> None:
    """Insert one row of `model` per position of the `per_row` columns (all of one length),
    each also holding the `shared` values, with COPY; with `history`, their history copies
    credited to `actor` in one more statement. `ids` are the rows' keys (`reserve_ids`),
    needed for the history; without them the database numbers the rows."""
    lengths = {len(values) for values in per_row.values()}
    if ids is not None:
        lengths.add(len(ids))
    if len(lengths) != 1:
        raise ValueError("every per-row column needs one value per row")
    if not lengths.pop():
        return
    meta = model._meta
    fields = {field.attname: field for field in meta.concrete_fields}
    fields_by_name = {field.name: field for field in meta.concrete_fields}
    unknown = (set(per_row) | set(shared)) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    copy = _history_copy(model, at, actor) if history else None
    if copy is not None and ids is None:
        raise ValueError("history copies need the rows' keys (reserve_ids)")
    quote = connection.ops.quote_name
    columns: list[str] = []
    sources: list[Iterable[Any]] = []
    for attname, field in fields.items():
        if field.generated:
            # The database computes it from the row.
            continue
        if field.primary_key:
            if ids is None:
                continue
            values: Iterable[Any] = ids
        elif attname in per_row:
            values = _column(field, per_row[attname])
        elif attname in shared:
            values = repeat(field.get_db_prep_save(shared[attname], connection))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values = repeat(at)
        elif isinstance(field, DigestField):
            source = fields_by_name[field.source].attname
            if source in per_row:
                values = [digest(value) for value in per_row[source]]
            else:
                values = repeat(digest(shared.get(source)))
        else:
            values = repeat(field.get_db_prep_save(field.get_default(), connection))
        columns.append(quote(field.column))  # type: ignore[arg-type]  # a concrete field has a column
        sources.append(values)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote(meta.db_table)} ({', '.join(columns)}) FROM STDIN") as stream:
            # The shared values repeat without end; the per-row lists, all of one length, end the rows.
            for row in zip(*sources, strict=False):
                stream.write_row(row)
        if copy is not None:
            sql, params = copy
            cursor.execute(sql, [*params, list(ids or ())])
