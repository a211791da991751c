"""A backup restores to the same rows: every table's count and checksum compared."""

import pytest
from django.core.management import call_command
from django.db import connection

from cooperation.backup import table_fingerprints
from cooperation.models import Organization, Region
from cooperation.services import reference_data_load

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_and_restore_round_trip(tmp_path, staff_api):
    reference_data_load()
    staff_api.post(
        "/api/v1/regions/", {"code": "backup-test", "name": "Backup test", "countries": ["JP"]}, format="json"
    )
    with connection.cursor() as cursor:
        before = table_fingerprints(cursor)
    assert before["cooperation_region"][0] > 1

    dump = tmp_path / "round-trip.dump"
    call_command("backup_database", "--file", str(dump))
    assert dump.stat().st_size > 0

    # Damage the data, then restore the dump over it.
    Region.objects.filter(code="backup-test").delete()
    Organization.objects.filter(code="npa").update(name="Changed after the backup")
    call_command("restore_database", str(dump), "--yes")

    with connection.cursor() as cursor:
        after = table_fingerprints(cursor)
    assert after == before
    assert Organization.objects.get(code="npa").name == "National Police Agency"


def test_restoring_a_missing_file_changes_nothing(tmp_path):
    from django.core.management import CommandError

    reference_data_load()
    count = Region.objects.count()
    with pytest.raises(CommandError, match="No such file"):
        call_command("restore_database", str(tmp_path / "missing.dump"), "--yes")
    assert Region.objects.count() == count
