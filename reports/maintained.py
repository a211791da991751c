"""Figures computed once per period and data version, then read back while the data stand still.

Every write to a table the figures read moves the figures' data version (a statement-level
trigger, `migrations/0001_maintained_figures.py`), whatever sends it: a service, the admin,
a bulk import, COPY or raw SQL; a rolled-back write rolls it back. A period's figures are
stored with the version they were computed at and served while it is still the current one,
so a warm read of any number of periods is one query.

No stampede: a period whose stored figures are out of date is recomputed under a
PostgreSQL advisory lock of its own; whoever waited for the lock reads the figures stored
meanwhile instead of computing them again, so a burst of requests after a change costs one
computation. The computation reads the version and the data in one snapshot (repeatable
read), so what is stored is exactly the figures of the version it is stored with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cooperation.periods import Period

# The first key of the two-key advisory locks taken here ("FIGS"); the second is the period's hash.
LOCK_NAMESPACE = 0x46494753

READ = """
SELECT v.version, r.period, r.as_of, r.definition, r.data_version, r.figures::text, r.computed_at
FROM reports_figures_version v LEFT JOIN reports_maintained_figures r ON r.period = ANY(%s)
"""
STORE = """
INSERT INTO reports_maintained_figures (period, as_of, definition, data_version, figures, computed_at)
VALUES (%s, %s, %s, %s, %s::jsonb, %s)
ON CONFLICT (period) DO UPDATE SET as_of = excluded.as_of, definition = excluded.definition,
    data_version = excluded.data_version, figures = excluded.figures, computed_at = excluded.computed_at
"""


@dataclass(frozen=True)
class Maintained:
    figures: dict[str, Any]
    computed_at: datetime


def as_of(period: Period, today: date) -> date | None:
    """Figures of a period that is over do not depend on the day; a running period's do."""
    return today if period.end >= today else None


def data_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM reports_figures_version")
        row = cursor.fetchone()
    assert row is not None, "the version row is created by the migration"
    return int(row[0])


def _current(periods: Sequence[Period], *, today: date, definition: str) -> tuple[int, dict[str, Maintained]]:
    """The data version and, for each period, its stored figures if they are of that version."""
    expected = {period.label: as_of(period, today) for period in periods}
    with connection.cursor() as cursor:
        cursor.execute(READ, [list(expected)])
        rows = cursor.fetchall()
    version = int(rows[0][0])
    current = {
        label: Maintained(json.loads(figures), computed_at)
        for _version, label, day, stored_definition, stored_version, figures, computed_at in rows
        if label is not None
        and stored_version == version
        and day == expected[label]
        and stored_definition == definition
    }
    return version, current


@contextmanager
def _recomputing(period: Period) -> Iterator[None]:
    """One process at a time recomputes a period; its result is committed before the next one looks."""
    key: tuple[int, str] = (LOCK_NAMESPACE, period.label)
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Inside the caller's transaction what is stored becomes visible only when that
            # transaction ends, and so does a transaction-level lock.
            with transaction.atomic():
                cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", key)
                yield
            return
        cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", key)
        try:
            with transaction.atomic():
                # Taken after the lock, so it sees what the process before us stored.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", key)


def _recompute(
    period: Period, *, today: date, definition: str, compute: Callable[[Period], dict[str, Any]]
) -> Maintained:
    with _recomputing(period):
        version, current = _current([period], today=today, definition=definition)
        if period.label in current:
            return current[period.label]  # computed by the process we waited for
        # The stored form is what a later read returns: serve the same now.
        payload = json.dumps(compute(period))
        computed_at = timezone.now()
        # Stored only if no write moved the version while computing (possible only when the
        # caller's transaction reads each statement afresh): the next read recomputes then.
        if data_version() == version:
            with connection.cursor() as cursor:
                cursor.execute(STORE, [period.label, as_of(period, today), definition, version, payload, computed_at])
        return Maintained(json.loads(payload), computed_at)


def maintained_figures(
    periods: Sequence[Period],
    *,
    today: date,
    definition: str,
    compute: Callable[[Period], dict[str, Any]],
) -> dict[str, Maintained]:
    """Each period's figures by label: stored ones of the current version in one query, the rest recomputed."""
    _version, current = _current(periods, today=today, definition=definition)
    for period in periods:
        if period.label not in current:
            current[period.label] = _recompute(period, today=today, definition=definition, compute=compute)
    return current
