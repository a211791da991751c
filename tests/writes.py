"""What this transaction has written, per table, from PostgreSQL's own counters.

PostgreSQL counts the rows each transaction inserts, updates and deletes, every attempt
included: a write undone by rolling back a savepoint still counts. A test that must not
write compares the counts before and after; no table is read to find out.
"""

from __future__ import annotations

from functools import cache

from django.db import connection


@cache
def _tables(prefixes: tuple[str, ...]) -> list[int]:
    """The ids of the tables named with these prefixes: one migrated schema for the run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relid, relname FROM pg_stat_user_tables WHERE schemaname = 'public'")
        return [relid for relid, name in cursor.fetchall() if name.startswith(prefixes)]


def writes(prefixes: tuple[str, ...]) -> dict[str, tuple[int, int, int]]:
    """(inserted, updated, deleted) so far in this transaction, for each table written to.

    The functions behind pg_stat_xact_user_tables, called for these tables alone: the view
    reads the catalog for every table, which took the server longer than the request the
    test sends.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relid::regclass::text, inserted, updated, deleted FROM ("
            " SELECT relid, pg_stat_get_xact_tuples_inserted(relid) AS inserted,"
            " pg_stat_get_xact_tuples_updated(relid) AS updated, pg_stat_get_xact_tuples_deleted(relid) AS deleted"
            " FROM unnest(%s::oid[]) AS relid) AS counts WHERE inserted + updated + deleted > 0",
            [_tables(prefixes)],
        )
        return {name: tuple(counts) for name, *counts in cursor.fetchall()}
