"""The connection pool (settings: DATABASE_POOL…; backend: cooperation.postgresql) and prepared statements."""

import time

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections

from cooperation.postgresql.base import DatabaseWrapper


def test_connections_come_from_a_bounded_pool():
    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    assert connection.settings_dict["OPTIONS"]["pool"]["max_size"] == settings.DATABASE_POOL_MAX_SIZE
    assert isinstance(connections["default"], DatabaseWrapper)


def test_a_database_that_is_down_costs_one_pool_timeout_then_answers_at_once(db, tmp_path):
    """About half a second: the first request waits out the pool's timeout, by design."""
    unreachable = DatabaseWrapper(
        {
            **connection.settings_dict,
            # A socket directory where no server listens: the database is down.
            "HOST": str(tmp_path),
            "OPTIONS": {"pool": {"min_size": 0, "max_size": 2, "timeout": 0.5}},
        },
        alias="unreachable-test",
    )
    try:
        began = time.monotonic()
        with pytest.raises(OperationalError):
            unreachable.ensure_connection()
        assert time.monotonic() - began >= 0.5
        began = time.monotonic()
        with pytest.raises(OperationalError):
            unreachable.ensure_connection()
        assert time.monotonic() - began < 0.4
    finally:
        unreachable.close_pool()
        DatabaseWrapper._failing_pools.discard("unreachable-test")


def test_a_statement_run_again_and_again_is_prepared_once(db):
    from django.db.models import Value

    from cooperation.models import Region

    # A statement no other test sends: earlier tests on this worker's connection may
    # already have prepared their own lookups of regions.
    def lookup(code: str) -> list:
        return list(Region.objects.filter(code=code).annotate(prepared_once_probe=Value(1)))

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%prepared_once_probe%"]
            )
            return cursor.fetchone()[0]

    assert prepared() == 0
    for code in ("a", "b", "c", "d", "e", "f"):
        lookup(code)
    # The same statement whatever the code looked up: the parameter travels apart from it.
    assert prepared() == 1
