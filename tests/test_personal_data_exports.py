"""Staff may take personal data out in bulk, and every time they do it is on record."""

import csv
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from cooperation.audit import PersonalDataExport
from dispatch.tests.factories import ExpertFactory
from trainees.tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db

ACTION = "export_personal_data"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def export(client, changelist: str, records):
    return client.post(
        changelist,
        {"action": ACTION, "_selected_action": [record.pk for record in records]},
        REMOTE_ADDR="203.0.113.9",
    )


def test_staff_export_experts_with_personal_data_and_it_is_recorded(staff_user):
    experts = [ExpertFactory(passport_number=f"TK00000{n}", medical_notes=f"note {n}") for n in range(3)]
    response = export(logged_in(staff_user), "/admin/dispatch/expert/", experts[:2])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(row["passport_number"] for row in rows) == ["TK000000", "TK000001"]
    assert sorted(row["medical_notes"] for row in rows) == ["note 0", "note 1"]
    assert "passport_number_digest" not in rows[0]
    [record] = PersonalDataExport.objects.all()
    assert (record.actor, record.model, record.record_count, record.address) == (
        staff_user,
        "dispatch.Expert",
        2,
        "203.0.113.9",
    )
    assert {"passport_number", "medical_notes", "date_of_birth"} <= set(record.personal_columns)
    assert set(record.personal_columns) <= set(record.exported_fields)


def test_staff_export_trainees_and_it_is_recorded(staff_user):
    trainees = TraineeFactory.create_batch(2)
    response = export(logged_in(staff_user), "/admin/trainees/trainee/", trainees)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(row["passport_number"] for row in rows) == sorted(t.passport_number for t in trainees)
    record = PersonalDataExport.objects.get()
    assert (record.model, record.record_count) == ("trainees.Trainee", 2)


def test_whoever_may_not_see_personal_data_gets_no_export(manager_user):
    manager_user.is_staff = True
    manager_user.save()
    expert = ExpertFactory()
    client = logged_in(manager_user)
    page = client.get("/admin/dispatch/expert/").content.decode()
    response = export(client, "/admin/dispatch/expert/", [expert])
    assert ACTION not in page
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert expert.passport_number not in response.content.decode()
    assert PersonalDataExport.objects.count() == 0


def test_export_records_cannot_be_changed_or_deleted(staff_user):
    export(logged_in(staff_user), "/admin/dispatch/expert/", [ExpertFactory()])
    record = PersonalDataExport.objects.get()
    for statement in (
        "UPDATE cooperation_personaldataexport SET record_count = 0",
        "DELETE FROM cooperation_personaldataexport",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert PersonalDataExport.objects.get().record_count == record.record_count == 1


def test_staff_read_the_exports_in_the_admin_and_others_do_not(staff_user, manager_user):
    export(logged_in(staff_user), "/admin/dispatch/expert/", [ExpertFactory()])
    manager_user.is_staff = True
    manager_user.save()
    record = PersonalDataExport.objects.get()
    page = logged_in(staff_user).get("/admin/cooperation/personaldataexport/")
    change = logged_in(staff_user).get(f"/admin/cooperation/personaldataexport/{record.pk}/change/")
    assert page.status_code == 200 and "dispatch.Expert" in page.content.decode()
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert logged_in(manager_user).get("/admin/cooperation/personaldataexport/").status_code == 403
