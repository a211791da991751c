"""Figures computed once per period, then read back while the data they come from stand still.

Every write to a table the figures read is recorded in the database (a statement-level
trigger, `migrations/0001_maintained_figures.py`: one row per writing transaction), whatever
sends it: a service, the admin, a bulk import, COPY or raw SQL; a rolled-back write rolls
its record back. A period's figures are stored with the snapshot they were computed from
(which transactions they could see) and served while no transaction that snapshot could
not see has committed a change, and the transaction that computed them has changed nothing
since. A warm read of any number of periods is one query, and writers never wait for each
other: each transaction touches only its own record.

No stampede: a period whose stored figures are out of date is recomputed under a
PostgreSQL advisory lock of its own; whoever waited for the lock reads the figures stored
meanwhile instead of computing them again, so a burst of requests after a change costs one
computation. The snapshot is taken before the computation starts: whatever commits while
it runs makes the stored figures out of date at once, so they are never served stale.

The records of transactions that every stored snapshot sees are deleted after each
computation, under an exclusive lock that computations in flight hold shared.
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

# The first key of the two-key advisory locks taken here ("FIGS"); the second is the period's
# hash, or 0 for the lock that computations hold shared and the clean-up exclusive.
LOCK_NAMESPACE = 0x46494753
CLEAN_UP = 0

# A stored summary is out of date once a change it could not see has committed, or its own
# transaction (which its snapshot lists as running, yet whose changes it saw) has changed the
# data since it was computed.
OUT_OF_DATE = """
EXISTS (SELECT 1 FROM reports_figures_change c
        WHERE CASE WHEN c.xid = r.writer THEN c.statements <> r.writer_statements
                   ELSE c.xid >= pg_snapshot_xmin(r.snapshot) AND NOT pg_visible_in_snapshot(c.xid, r.snapshot) END)
"""
READ = f"""
SELECT r.period, r.as_of, r.definition, r.figures::text, r.computed_at
FROM reports_maintained_figures r WHERE r.period = ANY(%s) AND NOT {OUT_OF_DATE}
"""
# The snapshot a computation starts from, the transaction computing and its changes so far.
SNAPSHOT = """
SELECT pg_current_snapshot(), pg_current_xact_id_if_assigned(),
       coalesce((SELECT statements FROM reports_figures_change WHERE xid = pg_current_xact_id_if_assigned()), 0)
"""
STORE = """
INSERT INTO reports_maintained_figures
    (period, as_of, definition, snapshot, writer, writer_statements, figures, computed_at)
VALUES (%s, %s, %s, %s::pg_snapshot, %s::text::xid8, %s, %s::jsonb, %s)
ON CONFLICT (period) DO UPDATE SET as_of = excluded.as_of, definition = excluded.definition,
    snapshot = excluded.snapshot, writer = excluded.writer, writer_statements = excluded.writer_statements,
    figures = excluded.figures, computed_at = excluded.computed_at
"""
# Out-of-date summaries go (they are computed again when read); then the records of the
# transactions that finished before every stored snapshot and the oldest running one.
CLEAN = f"""
DELETE FROM reports_maintained_figures r WHERE {OUT_OF_DATE};
DELETE FROM reports_figures_change
WHERE xid < LEAST(pg_snapshot_xmin(pg_current_snapshot()),
                  (SELECT min(pg_snapshot_xmin(snapshot)) FROM reports_maintained_figures))
  AND xid NOT IN (SELECT writer FROM reports_maintained_figures WHERE writer IS NOT NULL);
"""


@dataclass(frozen=True)
class Maintained:
    figures: dict[str, Any]
    computed_at: datetime


def as_of(period: Period, today: date) -> date | None:
    """Figures of a period that is over do not depend on the day; a running period's do."""
    return today if period.end >= today else None


def data_version() -> tuple[int, int]:
    """Moves with every change to the figures' data this transaction can see (for tests and
    diagnosis; reads do not use it): the writing transactions recorded and their statements."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(sum(statements), 0) FROM reports_figures_change")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _current(periods: Sequence[Period], *, today: date, definition: str) -> dict[str, Maintained]:
    """For each period, its stored figures if they are up to date."""
    expected = {period.label: as_of(period, today) for period in periods}
    with connection.cursor() as cursor:
        cursor.execute(READ, [list(expected)])
        rows = cursor.fetchall()
    return {
        label: Maintained(json.loads(figures), computed_at)
        for label, day, stored_definition, figures, computed_at in rows
        if day == expected[label] and stored_definition == definition
    }


@contextmanager
def _recomputing(period: Period) -> Iterator[None]:
    """One process at a time recomputes a period; its result is committed before the next one
    looks. The clean-up waits for every computation in flight."""
    key: tuple[int, str] = (LOCK_NAMESPACE, period.label)
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Inside the caller's transaction what is stored becomes visible only when that
            # transaction ends, and so do transaction-level locks.
            with transaction.atomic():
                cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", key)
                cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", (LOCK_NAMESPACE, CLEAN_UP))
                yield
            return
        cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", key)
        cursor.execute("SELECT pg_advisory_lock_shared(%s, %s)", (LOCK_NAMESPACE, CLEAN_UP))
        try:
            with transaction.atomic():
                yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock_shared(%s, %s)", (LOCK_NAMESPACE, CLEAN_UP))
            cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", key)
        _clean_up(cursor)


def _clean_up(cursor) -> None:
    """Skipped while any computation is in flight: the next one cleans up."""
    with transaction.atomic():
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, CLEAN_UP))
        row = cursor.fetchone()
        if row is not None and row[0]:
            cursor.execute(CLEAN)


def _recompute(
    period: Period, *, today: date, definition: str, compute: Callable[[Period], dict[str, Any]]
) -> Maintained:
    with _recomputing(period):
        current = _current([period], today=today, definition=definition)
        if period.label in current:
            return current[period.label]  # computed by the process we waited for
        with connection.cursor() as cursor:
            cursor.execute(SNAPSHOT)
            snapshot, writer, writer_statements = cursor.fetchone()
        # The stored form is what a later read returns: serve the same now.
        payload = json.dumps(compute(period))
        computed_at = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                STORE,
                [
                    period.label,
                    as_of(period, today),
                    definition,
                    str(snapshot),
                    None if writer is None else str(writer),
                    writer_statements,
                    payload,
                    computed_at,
                ],
            )
        return Maintained(json.loads(payload), computed_at)


def maintained_figures(
    periods: Sequence[Period],
    *,
    today: date,
    definition: str,
    compute: Callable[[Period], dict[str, Any]],
) -> dict[str, Maintained]:
    """Each period's figures by label: stored up-to-date ones in one query, the rest recomputed."""
    current = _current(periods, today=today, definition=definition)
    for period in periods:
        if period.label not in current:
            current[period.label] = _recompute(period, today=today, definition=definition, compute=compute)
    return current
