"""Deleting a program, expert or trainee archives it; staff restore it; only a command purges."""

import io
from functools import partial

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client

from cooperation.audit import PurgeRecord
from dispatch.models import Deployment, Expert
from dispatch.tests.factories import DeploymentFactory, ExpertFactory
from programs.models import Program
from programs.tests.factories import ProgramFactory, ProjectFactory
from trainees.models import Trainee
from trainees.tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed_ids(api, path: str) -> set[int]:
    return {row["id"] for row in api.get(path, {"page_size": 100}).json()["results"]}


def test_api_delete_archives_an_expert_who_leaves_lists_but_still_resolves(staff_api, staff_user):
    deployment = DeploymentFactory()
    expert = deployment.expert
    assert staff_api.delete(f"/api/v1/experts/{expert.pk}/").status_code == 204
    archived = Expert.all_objects.get(pk=expert.pk)
    assert (archived.archived_by, archived.archived_at is not None) == (staff_user, True)
    assert expert.pk not in listed_ids(staff_api, "/api/v1/experts/")
    assert staff_api.get(f"/api/v1/experts/{expert.pk}/").status_code == 404
    assert Deployment.objects.get(pk=deployment.pk).expert == archived
    latest = Expert.history.filter(id=expert.pk).order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.archived_by_id) == (staff_user, staff_user.pk)


def test_staff_restore_through_the_api_and_others_may_not(staff_api, manager_api, coordinator_api, staff_user):
    trainee = TraineeFactory()
    assert staff_api.delete(f"/api/v1/trainees/{trainee.pk}/").status_code == 204
    assert manager_api.post(f"/api/v1/trainees/{trainee.pk}/restore/").status_code == 403
    assert coordinator_api.post(f"/api/v1/trainees/{trainee.pk}/restore/").status_code == 403
    assert Trainee.objects.filter(pk=trainee.pk).count() == 0
    response = staff_api.post(f"/api/v1/trainees/{trainee.pk}/restore/")
    assert response.status_code == 200 and response.json()["id"] == trainee.pk
    restored = Trainee.objects.get(pk=trainee.pk)
    assert (restored.archived_at, restored.archived_by) == (None, None)
    again = staff_api.post(f"/api/v1/trainees/{trainee.pk}/restore/")
    assert again.status_code == 400 and again.json()["error"]["fields"]["archived_at"]


def test_a_partner_cannot_delete_anything(coordinator_api):
    expert = ExpertFactory()
    assert coordinator_api.delete(f"/api/v1/experts/{expert.pk}/").status_code in (403, 404)
    assert Expert.objects.filter(pk=expert.pk).exists()


def test_admin_delete_and_bulk_delete_archive_and_the_filter_and_action_restore(staff_user):
    client = logged_in(staff_user)
    one, two, three = ExpertFactory.create_batch(3)
    deleted = client.post(f"/admin/dispatch/expert/{one.pk}/delete/", {"post": "yes"}, follow=True)
    assert "was archived; staff can restore it" in deleted.content.decode()
    bulk = client.post(
        "/admin/dispatch/expert/",
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert bulk.status_code == 302
    assert Expert.objects.count() == 0
    assert Expert.all_objects.filter(archived_by=staff_user).count() == 3
    fresh = logged_in(staff_user)  # without the success messages, which name the records
    assert one.personnel_number not in fresh.get("/admin/dispatch/expert/").content.decode()
    archived_page = fresh.get("/admin/dispatch/expert/", {"archived": "yes"}).content.decode()
    assert one.personnel_number in archived_page
    restored = client.post(
        "/admin/dispatch/expert/?archived=yes", {"action": "restore_selected", "_selected_action": [one.pk, two.pk]}
    )
    assert restored.status_code == 302
    assert set(Expert.objects.values_list("pk", flat=True)) == {one.pk, two.pk}


def test_a_program_with_projects_is_archived_from_the_admin_bulk_action(staff_user):
    project = ProjectFactory()
    client = logged_in(staff_user)
    confirm = client.get(f"/admin/programs/program/{project.program.pk}/delete/")
    assert confirm.status_code == 200 and "protected" not in confirm.content.decode().lower()
    response = client.post(
        "/admin/programs/program/", {"action": "delete_selected", "_selected_action": [project.program.pk]}, follow=True
    )
    assert "1 record archived." in response.content.decode()
    assert Program.all_objects.get(pk=project.program.pk).archived_at is not None


def test_archived_records_stay_out_of_the_admin_for_managers(manager_user, staff_user):
    manager_user.is_staff = True
    manager_user.save()
    trainee = TraineeFactory()
    logged_in(staff_user).post(f"/admin/trainees/trainee/{trainee.pk}/delete/", {"post": "yes"})
    page = logged_in(manager_user).get("/admin/trainees/trainee/", {"archived": "yes"})
    assert trainee.family_name.upper() not in page.content.decode()


def test_the_database_keeps_who_and_when_together():
    expert = ExpertFactory()
    with (
        pytest.raises(IntegrityError, match="archived_with_who_and_when"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute("UPDATE dispatch_expert SET archived_at = now() WHERE id = %s", [expert.pk])
    assert Expert.objects.filter(pk=expert.pk).exists()


def purge(*args):
    out = io.StringIO()
    call_command("purge_archived", *args, stdout=out)
    return out.getvalue()


def test_purge_refuses_records_in_use_and_unknown_models():
    expert = ExpertFactory()
    with pytest.raises(CommandError, match="not archived"):
        purge("dispatch.Expert", str(expert.pk), "--reason", "entered twice")
    with pytest.raises(CommandError, match="not archivable"):
        purge("dispatch.Deployment", "1", "--reason", "x")
    with pytest.raises(CommandError, match="Unknown model"):
        purge("nothing.Here", "1", "--reason", "x")
    assert Expert.objects.filter(pk=expert.pk).exists()
    assert not PurgeRecord.objects.exists()


def test_purge_deletes_an_archived_record_and_keeps_an_audit_row(staff_user):
    from cooperation.archive import archive

    trainee = archive(TraineeFactory(), actor=staff_user)
    purge("trainees.Trainee", str(trainee.pk), "--reason", "recorded by mistake", "--by", staff_user.username)
    assert not Trainee.all_objects.filter(pk=trainee.pk).exists()
    record = PurgeRecord.objects.get()
    assert (record.model, record.object_id, record.actor, record.archived_by, record.reason) == (
        "trainees.Trainee",
        str(trainee.pk),
        staff_user.username,
        staff_user.username,
        "recorded by mistake",
    )
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cooperation_purgerecord")


def test_purge_of_a_program_still_referred_to_deletes_nothing(staff_user):
    from cooperation.archive import archive

    program = archive(ProjectFactory().program, actor=staff_user)
    with pytest.raises(CommandError, match="still referred to"):
        purge("programs.Program", str(program.pk), "--reason", "obsolete")
    assert Program.all_objects.filter(pk=program.pk).exists()
    assert not PurgeRecord.objects.exists()


def test_purge_of_a_program_without_references(staff_user):
    from cooperation.archive import archive

    program = archive(ProgramFactory(), actor=staff_user)
    assert "purged" in purge("programs.Program", str(program.pk), "--reason", "test entry")
    assert not Program.all_objects.filter(pk=program.pk).exists()
    assert PurgeRecord.objects.get().model == "programs.Program"


def _history_rows(table: str, pk: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "label, factory, table",
    [
        ("trainees.Trainee", TraineeFactory, "trainees_historicaltrainee"),
        # Without the next of kin the factory adds: the count is of the expert's own history.
        ("dispatch.Expert", partial(ExpertFactory, next_of_kin=None), "dispatch_historicalexpert"),
        ("programs.Program", ProgramFactory, "programs_historicalprogram"),
    ],
)
def test_purge_deletes_the_record_history_with_it(staff_user, label, factory, table):
    from cooperation.archive import archive

    record = factory()
    kept = factory()
    record.save()  # a second history row
    archive(record, actor=staff_user)
    assert _history_rows(table, record.pk) == 3
    # The three, and the row the delete itself writes.
    assert "4 history rows" in purge(label, str(record.pk), "--reason", "collected in error")
    assert _history_rows(table, record.pk) == 0
    assert _history_rows(table, kept.pk) == 1


def test_purge_deletes_the_history_of_what_cascades_with_the_record(staff_user):
    from cooperation.archive import archive
    from dispatch.models import ExpertLanguage

    expert = ExpertFactory()
    language = ExpertLanguage.objects.create(expert=expert, language="fr", level=3)
    archive(expert, actor=staff_user)
    assert ExpertLanguage.history.filter(id=language.pk).exists()
    purge("dispatch.Expert", str(expert.pk), "--reason", "collected in error")
    assert not ExpertLanguage.objects.filter(pk=language.pk).exists()
    assert not ExpertLanguage.history.filter(id=language.pk).exists()
