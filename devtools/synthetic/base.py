"""Shared building blocks: the plan of row counts, id allocation and COPY loading."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

# Every date is anchored here, never on today, so a seed always gives the same rows.
ANCHOR = date(2026, 3, 31)
FIRST_DAY = date(1996, 4, 1)
ANCHOR_STAMP = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)

CODE_PREFIX = "SYN-"
ORG_CODE_PREFIX = "syn-"
USERNAME_PREFIX = "synthetic-"

# Row counts of the full agency (scale 1); every count scales linearly, at least 1.
FULL_SCALE = {
    "countries": 100,
    "programs": 2_000,
    "projects": 10_000,
    "experts": 20_000,
    "deployments": 200_000,
    "missions": 600,
    "courses": 5_000,
    "enrollments": 1_000_000,
    "delegations": 50_000,
}


@dataclass(frozen=True)
class Plan:
    scale: float
    seed: int

    def count(self, name: str) -> int:
        return max(1, round(FULL_SCALE[name] * self.scale))


def stamp(day: date) -> datetime:
    """A fixed creation time for a row about `day` (never later than the anchor)."""
    return datetime.combine(min(day, ANCHOR), ANCHOR_STAMP.timetz())


def days(n: int) -> timedelta:
    return timedelta(days=n)


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def cycle_pick(index: int, pattern: Sequence[str]) -> str:
    """The status at `index` of a repeating pattern: every status shows up in any ten rows."""
    return pattern[index % len(pattern)]


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal:
        return str(value)
    if kind is date or kind is datetime:
        return value.isoformat()
    if kind is list:
        return "{" + ",".join('"' + str(item) + '"' for item in value) + "}"
    if isinstance(value, str):  # a choices member
        return str(value).translate(_ESCAPES)
    raise TypeError(f"cannot COPY a {kind.__name__}")


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Load rows with COPY in chunks; database constraints and triggers check every row."""
    count = 0
    chunk: list[str] = []
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            chunk.append("\t".join(map(_text, row)))
            count += 1
            if len(chunk) >= 5000:
                copy.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            copy.write("\n".join(chunk) + "\n")
    return count


@dataclass
class Loader:
    """Allocates ids after the highest existing one and reports each table's load."""

    cursor: Any
    report: Callable[[str], None]
    tables: list[str] = field(default_factory=list)
    # When the last load ended: the time from there to the next load is spent building rows.
    mark: float = field(default_factory=time.perf_counter)

    def next_id(self, table: str) -> int:
        self.cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        return self.cursor.fetchone()[0]

    def blank_columns(self, table: str, columns: Sequence[str]) -> dict[str, str | bool]:
        """Required text and flag columns left out here, each with its blank (empty or false).

        Personal columns such as passport numbers are never written, whatever their
        storage becomes; a required column of another type must be given explicitly.
        """
        self.cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = %s AND is_nullable = 'NO'"
            " AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER'"
            " ORDER BY ordinal_position",
            [table],
        )
        missing = [(name, kind) for name, kind in self.cursor.fetchall() if name not in columns]
        unfillable = [name for name, kind in missing if kind not in ("text", "character varying", "boolean")]
        if unfillable:
            raise ValueError(f"{table}: no synthetic value for required columns {unfillable}")
        return {name: False if kind == "boolean" else "" for name, kind in missing}

    def plain_indexes(self, table: str, keep: Sequence[str]) -> list[tuple[str, str]]:
        """(name, definition) of the table's non-unique indexes that back no constraint."""
        self.cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            " ORDER BY i.relname",
            [table],
        )
        return [(name, definition) for name, definition in self.cursor.fetchall() if name not in keep]

    def load(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        rebuild_indexes_except: Sequence[str] | None = None,
    ) -> int:
        """COPY the rows in; with `rebuild_indexes_except`, plain lookup indexes are built once afterwards.

        Only indexes that check nothing are rebuilt (unique, exclusion and key indexes stay
        in place, so every row is checked as it arrives); those named stay too, because a
        trigger reads through them.
        """
        started = time.perf_counter()
        rebuilt = [] if rebuild_indexes_except is None else self.plain_indexes(table, rebuild_indexes_except)
        for name, _ in rebuilt:
            self.cursor.execute(f'DROP INDEX "{name}"')
        blanks = self.blank_columns(table, columns)
        if blanks:
            extra = tuple(blanks.values())
            columns = (*columns, *blanks)
            rows = ((*row, *extra) for row in rows)
        count = copy_rows(self.cursor, table, columns, rows)
        for _, definition in rebuilt:
            self.cursor.execute(definition)
        self.mark, building = time.perf_counter(), started - self.mark
        elapsed = self.mark - started
        if table not in self.tables:
            self.tables.append(table)
        self.report(f"{table}: {count} rows loaded in {elapsed:.1f} s (built before in {building:.1f} s)")
        return count

    def finish(self) -> None:
        """Move each identity sequence past the ids given here, then refresh statistics."""
        for table in self.tables:
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        for table in self.tables:
            self.cursor.execute(f"ANALYZE {table}")
