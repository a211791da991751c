"""A backup restores to the same rows: every table's count and checksum compared."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from cooperation.backup import table_fingerprints
from cooperation.models import Organization, Region
from cooperation.services import reference_data_load

pytestmark = pytest.mark.django_db(transaction=True)


def _sequence_positions(cursor) -> dict[str, int | None]:
    """Where each id sequence stands: a restore that rewound one would hand out used ids."""
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    return dict(cursor.fetchall())


def _every_model_table() -> set[str]:
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return tables


# Slow: pg_dump and pg_restore of the test database.
def test_backup_and_restore_round_trip(tmp_path, staff_api):
    reference_data_load()
    staff_api.post(
        "/api/v1/regions/", {"code": "backup-test", "name": "Backup test", "countries": ["JP"]}, format="json"
    )
    with connection.cursor() as cursor:
        before = table_fingerprints(cursor)
        sequences_before = _sequence_positions(cursor)
    assert before["cooperation_region"][0] > 1
    # Every table is compared: each model's, each many-to-many link's and each history table.
    assert _every_model_table() <= set(before)
    assert before["cooperation_historicalregion"][0] > 0

    dump = tmp_path / "round-trip.dump"
    call_command("backup_database", "--file", str(dump))
    assert dump.stat().st_size > 0

    # Damage the data, then restore the dump over it.
    Region.objects.filter(code="backup-test").delete()
    Organization.objects.filter(code="npa").update(name="Changed after the backup")
    with connection.cursor() as cursor:
        damaged = table_fingerprints(cursor)
    # The deletion was recorded in the history too, so the restore must roll that back as well.
    assert damaged["cooperation_historicalregion"] != before["cooperation_historicalregion"]
    call_command("restore_database", str(dump), "--yes")

    with connection.cursor() as cursor:
        after = table_fingerprints(cursor)
        sequences_after = _sequence_positions(cursor)
    assert after == before
    assert sequences_after == sequences_before
    assert Organization.objects.get(code="npa").name == "National Police Agency"


def test_restoring_a_missing_file_changes_nothing(tmp_path):
    from django.core.management import CommandError

    reference_data_load()
    count = Region.objects.count()
    with pytest.raises(CommandError, match="No such file"):
        call_command("restore_database", str(tmp_path / "missing.dump"), "--yes")
    assert Region.objects.count() == count
