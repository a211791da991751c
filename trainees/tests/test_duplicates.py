"""One person described by two organizations: matched only within the nominator's scope,
queued for staff, merged or dismissed by staff with both histories kept."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import token_client
from cooperation.roles import PARTNER_COORDINATOR
from cooperation.tests.factories import OrganizationFactory, UserFactory
from trainees.models import Enrollment, EnrollmentStatus, Trainee, TraineeDuplicate
from trainees.services import (
    enrollment_nominate,
    trainee_duplicate_dismiss,
    trainee_duplicate_merge,
    trainee_match_or_create,
)

from .factories import CourseFactory, EnrollmentFactory, TraineeFactory
from .test_nominations_import import csv_file, row, upload

pytestmark = pytest.mark.django_db

S = EnrollmentStatus
Q = TraineeDuplicate.Status

# Organization A's trainee, as organization B's coordinator would describe her.
PERSON = {
    "family_name": "Santos",
    "given_name": "Maria Clara",
    "gender": "female",
    "date_of_birth": "1986-03-14",
    "nationality": "PH",
    "rank": "Police Major",
}
NOBODY = {**PERSON, "family_name": "Reyes", "given_name": "Ana", "date_of_birth": "1990-11-02"}
# What varies between any two nominations (ids, links, names, times); everything else must not.
VARYING = {"id", "url", "display", "created_at", "updated_at", "changed_at"}


@pytest.fixture
def org_a(other_org):
    return other_org


@pytest.fixture
def a_trainee(org_a):
    """A's trainee, nominated by A to a course B cannot see the enrollments of."""
    trainee = TraineeFactory(
        family_name="SANTOS",
        given_name="Maria  Clara",
        date_of_birth=date(1986, 3, 14),
        nationality="PH",
        organization=org_a,
        rank="Police Colonel",
        position="Chief of the women and children protection desk",
    )
    EnrollmentFactory(trainee=trainee, nominated_by=org_a)
    return trainee


@pytest.fixture
def a_api(org_a):
    return token_client(UserFactory(role=PARTNER_COORDINATOR, organization=org_a))


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def shape(value):
    """The answer with what differs between any two nominations masked."""
    if isinstance(value, dict):
        return {key: "*" if key in VARYING else shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return value


def nominate(client, course, person, **extra):
    return client.post("/api/v1/enrollments/", {"course": course.pk, "new_trainee": person, **extra}, format="json")


def entry_between(new, existing):
    return TraineeDuplicate.objects.get(trainee=new, existing=existing)


# --- the finding: a coordinator describing another organization's trainee -----------------------


def test_another_organizations_trainee_becomes_a_new_record_queued_for_staff(
    coordinator_api, partner_org, a_trainee, staff_user
):
    course = CourseFactory()
    response = nominate(coordinator_api, course, PERSON, note="Recommended")
    assert response.status_code == 201, response.content
    body = response.json()
    # Before the fix this was A's trainee id, confirming the person and the birth date.
    new_id = body["trainee"]["id"]
    assert new_id != a_trainee.pk
    new = Trainee.objects.get(pk=new_id)
    assert (new.recorded_by, new.organization, new.rank) == (partner_org, None, "Police Major")
    # A's trainee stays out of B's reach, for good.
    assert coordinator_api.get(f"/api/v1/trainees/{a_trainee.pk}/").status_code == 404
    listed = coordinator_api.get("/api/v1/trainees/", {"search": "Santos"}).json()["results"]
    assert [item["id"] for item in listed] == [new_id]
    # Staff have it in the queue.
    entry = entry_between(new, a_trainee)
    assert (entry.status, entry.resolved_at, entry.kept) == (Q.OPEN, None, None)
    assert entry.history.count() == 1


def test_the_answer_is_the_one_for_a_person_nobody_recorded(coordinator_api, a_trainee):
    course = CourseFactory()
    known = nominate(coordinator_api, course, PERSON, note="same note")
    unknown = nominate(coordinator_api, course, NOBODY, note="same note")
    assert known.status_code == unknown.status_code == 201
    assert shape(known.json()) == shape(unknown.json())
    assert set(known.headers) == set(unknown.headers)
    # The same bytes once the varying values are masked: nothing else tells the two apart.
    assert len(TraineeDuplicate.objects.all()) == 1


def test_no_message_names_the_enrollment_of_another_organization(coordinator_api, org_a, a_trainee):
    course = CourseFactory()
    theirs = EnrollmentFactory(course=course, trainee=a_trainee, nominated_by=org_a)
    response = nominate(coordinator_api, course, PERSON)
    assert response.status_code == 201, response.content
    text = response.content.decode()
    assert f"#{theirs.pk}" not in text
    assert "already" not in text
    assert Enrollment.objects.filter(course=course).count() == 2
    assert TraineeDuplicate.objects.filter(existing=a_trainee, status=Q.OPEN).count() == 1


def test_a_coordinator_renominating_its_own_person_matches_its_own_record(coordinator_api, a_trainee):
    first = nominate(coordinator_api, CourseFactory(), PERSON)
    again = nominate(coordinator_api, CourseFactory(), {**PERSON, "family_name": " santos", "rank": "Lt Colonel"})
    assert first.status_code == again.status_code == 201
    assert again.json()["trainee"]["id"] == first.json()["trainee"]["id"]
    # One queue entry, from the first time only.
    assert TraineeDuplicate.objects.count() == 1
    assert Trainee.objects.filter(family_name__iexact="santos").count() == 2


def test_staff_still_match_every_record(staff_api, partner_org, a_trainee):
    response = nominate(staff_api, CourseFactory(), PERSON, nominated_by=partner_org.code)
    assert response.status_code == 201, response.content
    assert response.json()["trainee"]["id"] == a_trainee.pk
    assert Trainee.objects.count() == 1
    assert not TraineeDuplicate.objects.exists()


def test_staff_creating_a_person_recorded_by_a_partner_are_told_its_number(staff_api, coordinator_api, a_trainee):
    nominate(coordinator_api, CourseFactory(), NOBODY)
    partners = Trainee.objects.get(family_name="Reyes")
    response = staff_api.post("/api/v1/trainees/", {**NOBODY, "family_name": "REYES"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]["fields"]["non_field_errors"][0]
    assert (error["code"], f"#{partners.pk}" in error["message"]) == ("duplicate_trainee", True)
    assert Trainee.objects.filter(family_name__iexact="reyes").count() == 1


def test_a_partners_archived_record_of_the_person_is_a_400_on_the_field(coordinator_api, staff_user):
    nominate(coordinator_api, CourseFactory(), NOBODY)
    own = Trainee.objects.get(family_name="Reyes")
    Trainee.objects.filter(pk=own.pk).update(archived_at=timezone.now(), archived_by=staff_user)
    before = Trainee.all_objects.count(), Enrollment.objects.count()
    response = nominate(coordinator_api, CourseFactory(), NOBODY)
    assert response.status_code == 400
    (problem,) = response.json()["error"]["fields"]["new_trainee"]
    assert problem["code"] == "trainee_archived"
    assert (Trainee.all_objects.count(), Enrollment.objects.count()) == before


# --- the same through a file ------------------------------------------------------------------


def _a_row(trainee, **values):
    return row(
        1,
        family_name=trainee.family_name.lower(),
        given_name=trainee.given_name,
        date_of_birth=trainee.date_of_birth.isoformat(),
        nationality=str(trainee.nationality),
        **values,
    )


def test_a_file_naming_another_organizations_trainee_makes_a_new_record_and_queues_it(
    coordinator_api, partner_org, org_a, a_trainee
):
    course = CourseFactory()
    EnrollmentFactory(course=course, trainee=a_trainee, nominated_by=org_a)
    response = upload(coordinator_api, course, csv_file(_a_row(a_trainee), row(2)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["nominated"], body["new_trainees"], body["existing_trainees"]) == (2, 2, 0)
    first = body["rows"][0]
    assert first["new_trainee"] is True
    assert first["trainee"] != a_trainee.pk
    new = Trainee.objects.get(pk=first["trainee"])
    assert new.recorded_by == partner_org
    entry = entry_between(new, a_trainee)
    assert entry.status == Q.OPEN
    assert TraineeDuplicate.objects.count() == 1
    assert coordinator_api.get(f"/api/v1/trainees/{a_trainee.pk}/").status_code == 404


def test_a_file_renominating_the_partners_own_person_matches_it(coordinator_api, partner_org, a_trainee):
    upload(coordinator_api, CourseFactory(), csv_file(_a_row(a_trainee)))
    own = Trainee.objects.get(recorded_by=partner_org)
    response = upload(coordinator_api, CourseFactory(), csv_file(_a_row(a_trainee)))
    assert response.status_code == 201, response.content
    assert (response.json()["rows"][0]["trainee"], response.json()["existing_trainees"]) == (own.pk, 1)
    assert TraineeDuplicate.objects.count() == 1


def test_a_file_from_staff_still_matches_every_record(staff_api, partner_org, a_trainee):
    response = upload(staff_api, CourseFactory(), csv_file(_a_row(a_trainee)), nominated_by=partner_org.code)
    assert response.status_code == 201, response.content
    assert response.json()["rows"][0]["trainee"] == a_trainee.pk
    assert not TraineeDuplicate.objects.exists()


def test_a_file_and_the_same_course_as_another_organization_gives_no_row_error(coordinator_api, org_a, a_trainee):
    course = CourseFactory()
    EnrollmentFactory(course=course, trainee=a_trainee, nominated_by=org_a)
    response = upload(coordinator_api, course, csv_file(_a_row(a_trainee)))
    assert response.status_code == 201, response.content
    assert "already" not in response.content.decode()


def test_the_queue_costs_the_same_queries_for_one_or_many_rows(coordinator_api, org_a):
    coordinator_api.get("/api/v1/courses/")
    counts = []
    for size, offset in ((3, 0), (40, 100)):
        people = [
            TraineeFactory(family_name=f"Family{offset + n}", given_name=f"Given{offset + n}") for n in range(size)
        ]
        for person in people:
            EnrollmentFactory(trainee=person, nominated_by=org_a)
        lines = [_a_row(person) for person in people]
        with CaptureQueriesContext(connection) as queries:
            response = upload(coordinator_api, CourseFactory(), csv_file(*lines))
        assert response.status_code == 201, response.content
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert TraineeDuplicate.objects.count() == 43


# --- the database's rule ----------------------------------------------------------------------


def _copy(trainee, **changes):
    values = {
        name: getattr(trainee, name)
        for name in ("family_name", "given_name", "gender", "date_of_birth", "nationality", "recorded_by")
    }
    return Trainee(**{**values, **changes})


def test_the_database_refuses_a_second_record_of_a_person_by_the_same_recorder(partner_org, org_a, a_trainee):
    mine = _copy(a_trainee, recorded_by=partner_org, family_name="Santos")
    mine.save()  # another recorder: allowed
    for duplicate in (
        _copy(a_trainee, recorded_by=partner_org, family_name="santos ", given_name="MARIA CLARA"),
        _copy(a_trainee, recorded_by=None, given_name="MariaClara"),  # agency staff count as one recorder
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()
    assert Trainee.all_objects.count() == 2
    with pytest.raises(ValidationError) as refused:
        _copy(a_trainee, recorded_by=partner_org).full_clean()
    assert f"#{mine.pk}" in refused.value.messages[0]


def test_the_database_refuses_a_merged_record_that_is_not_archived(a_trainee, org_a):
    other = _copy(a_trainee, recorded_by=org_a)
    other.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Trainee.objects.filter(pk=other.pk).update(merged_into=a_trainee)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_nominations_of_a_new_person_make_one_record(partner_org, coordinator_user):
    courses = [CourseFactory(), CourseFactory()]
    details = {**NOBODY, "date_of_birth": date(1990, 11, 2)}
    created, errors, results = threading.Event(), [], []

    def first():
        try:
            with transaction.atomic():
                trainee, _new = trainee_match_or_create(
                    details=details, actor=coordinator_user, recorded_by=partner_org
                )
                enrollment_nominate(
                    course=courses[0], trainee=trainee, nominated_by=partner_org, actor=coordinator_user
                )
                results.append(trainee.pk)
                created.set()
                # Hold the transaction open while the second one tries to record the person.
                threading.Event().wait(1.0)
        except Exception as exc:  # any failure in a thread must fail the test
            errors.append(exc)
            created.set()
        finally:
            connection.close()

    def second():
        try:
            created.wait()
            with transaction.atomic():
                trainee, _new = trainee_match_or_create(
                    details=details, actor=coordinator_user, recorded_by=partner_org
                )
                enrollment_nominate(
                    course=courses[1], trainee=trainee, nominated_by=partner_org, actor=coordinator_user
                )
                results.append(trainee.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert Trainee.objects.filter(family_name="Reyes").count() == 1
    assert Enrollment.objects.filter(trainee_id=results[0]).count() == 2


# --- staff: merge and dismiss -----------------------------------------------------------------


@pytest.fixture
def queued(coordinator_api, a_trainee):
    """B's record of A's trainee, nominated by B to a course of its own, in the queue."""
    response = nominate(coordinator_api, CourseFactory(code="B-COURSE"), PERSON)
    assert response.status_code == 201
    return TraineeDuplicate.objects.get()


def test_merge_keeps_the_older_record_moves_the_enrollments_and_both_histories(queued, a_trainee, staff_user):
    new = queued.trainee
    moved = Enrollment.objects.get(trainee=new)
    a_history, new_history = a_trainee.history.count(), new.history.count()
    kept = trainee_duplicate_merge(duplicate=queued, actor=staff_user)
    assert kept == a_trainee
    moved.refresh_from_db()
    assert moved.trainee == a_trainee
    assert moved.history.first().history_change_reason == f"Merged trainee #{new.pk} into #{a_trainee.pk}"
    assert Enrollment.objects.filter(trainee=a_trainee).count() == 2
    gone = Trainee.all_objects.get(pk=new.pk)
    assert (gone.merged_into, gone.archived_by, gone.is_archived) == (a_trainee, staff_user, True)
    assert not Trainee.objects.filter(pk=new.pk).exists()
    # Both histories are kept, and each has the merge as its newest entry.
    assert (a_trainee.history.count(), gone.history.count()) == (a_history + 1, new_history + 1)
    for record in (a_trainee, gone):
        latest = record.history.first()
        assert (latest.history_user, latest.history_change_reason) == (
            staff_user,
            f"Merged trainee #{new.pk} into #{a_trainee.pk}",
        )
    queued.refresh_from_db()
    assert (queued.status, queued.kept, queued.resolved_by) == (Q.MERGED, a_trainee, staff_user)
    assert queued.resolved_at is not None
    with pytest.raises(ValidationError) as again:
        trainee_duplicate_merge(duplicate=queued, actor=staff_user)
    assert again.value.error_dict["status"][0].code == "already_resolved"


def test_merge_may_keep_the_newer_record(queued, a_trainee, staff_user):
    kept = trainee_duplicate_merge(duplicate=queued, actor=staff_user, keep=queued.trainee)
    assert kept == queued.trainee
    assert Trainee.all_objects.get(pk=a_trainee.pk).merged_into == kept
    assert Enrollment.objects.filter(trainee=kept).count() == 2
    with pytest.raises(ValidationError):
        trainee_duplicate_merge(duplicate=queued, actor=staff_user, keep=TraineeFactory())


def test_merge_is_refused_when_both_are_enrolled_in_one_course(coordinator_api, org_a, a_trainee, staff_user):
    course = CourseFactory(code="SHARED-1")
    EnrollmentFactory(course=course, trainee=a_trainee, nominated_by=org_a)
    nominate(coordinator_api, course, PERSON)
    entry = TraineeDuplicate.objects.get()
    with pytest.raises(ValidationError) as refused:
        trainee_duplicate_merge(duplicate=entry, actor=staff_user)
    assert "SHARED-1" in refused.value.messages[0]
    assert refused.value.error_dict["__all__"][0].code == "both_enrolled"
    entry.refresh_from_db()
    assert entry.status == Q.OPEN
    assert not Trainee.all_objects.filter(archived_at__isnull=False).exists()
    assert Enrollment.objects.filter(course=course).values("trainee").distinct().count() == 2


def test_merge_is_refused_when_both_hold_seats_in_overlapping_courses(queued, a_trainee, staff_user):
    b_seat = Enrollment.objects.get(trainee=queued.trainee)
    Enrollment.objects.filter(pk=b_seat.pk).update(status=S.ACCEPTED)
    overlapping = CourseFactory(code="OVERLAP-1", start_date=b_seat.course.start_date, end_date=b_seat.course.end_date)
    EnrollmentFactory(course=overlapping, trainee=a_trainee, status=S.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        trainee_duplicate_merge(duplicate=queued, actor=staff_user)
    assert refused.value.error_dict["__all__"][0].code == "overlapping_seats"
    assert Enrollment.objects.get(pk=b_seat.pk).trainee_id == queued.trainee_id


def test_dismiss_leaves_both_records(queued, a_trainee, staff_user):
    histories = a_trainee.history.count(), queued.trainee.history.count()
    trainee_duplicate_dismiss(duplicate=queued, actor=staff_user, note="Different fathers' names")
    queued.refresh_from_db()
    assert (queued.status, queued.resolved_by, queued.kept, queued.note) == (
        Q.DISMISSED,
        staff_user,
        None,
        "Different fathers' names",
    )
    assert Trainee.objects.filter(pk__in=[a_trainee.pk, queued.trainee_id]).count() == 2
    assert (a_trainee.history.count(), queued.trainee.history.count()) == histories
    with pytest.raises(ValidationError):
        trainee_duplicate_merge(duplicate=queued, actor=staff_user)


def test_other_entries_of_the_merged_record_follow_the_record_kept(queued, a_trainee, staff_user):
    c_org = OrganizationFactory(code="c-test", name="Third agency")
    c_api = token_client(UserFactory(role=PARTNER_COORDINATOR, organization=c_org))
    assert nominate(c_api, CourseFactory(), PERSON).status_code == 201
    c_record = Trainee.objects.get(recorded_by=c_org)
    # C's record was queued against A's and B's records.
    assert set(TraineeDuplicate.objects.filter(trainee=c_record).values_list("existing", flat=True)) == {
        a_trainee.pk,
        queued.trainee_id,
    }
    trainee_duplicate_merge(duplicate=queued, actor=staff_user)
    open_entries = TraineeDuplicate.objects.filter(status=Q.OPEN)
    assert [(e.trainee_id, e.existing_id) for e in open_entries] == [(c_record.pk, a_trainee.pk)]
    closed = TraineeDuplicate.objects.get(trainee=c_record, existing=queued.trainee)
    assert (closed.status, closed.resolved_by) == (Q.DISMISSED, staff_user)


def test_a_merged_record_cannot_be_restored(queued, staff_api, staff_user):
    trainee_duplicate_merge(duplicate=queued, actor=staff_user)
    response = staff_api.post(f"/api/v1/trainees/{queued.trainee_id}/restore/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"][0]["code"] == "merged_not_archived"
    assert Trainee.all_objects.get(pk=queued.trainee_id).is_archived


# --- the admin --------------------------------------------------------------------------------


def test_the_queue_lists_open_entries_and_shows_the_records_side_by_side(queued, a_trainee, admin_client, staff_user):
    dismissed = TraineeDuplicate.objects.create(
        trainee=TraineeFactory(),
        existing=TraineeFactory(),
        status=Q.DISMISSED,
        resolved_by=staff_user,
        resolved_at=timezone.now(),
    )
    listing = admin_client.get("/admin/trainees/traineeduplicate/")
    assert listing.status_code == 200
    assert [entry.pk for entry in listing.context["cl"].result_list] == [queued.pk]
    everything = admin_client.get("/admin/trainees/traineeduplicate/", {"status": "all"})
    assert {entry.pk for entry in everything.context["cl"].result_list} == {queued.pk, dismissed.pk}

    page = admin_client.get(f"/admin/trainees/traineeduplicate/{queued.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Police Colonel", "Chief of the women and children protection desk", "Police Major", "1986"):
        assert text in html
    assert "B-COURSE" in html
    assert a_trainee.enrollments.get().course.code in html
    rows = {str(label): (first, second) for label, first, second, _differs in page.context["comparison"]}
    assert rows["rank"] == ("Police Major", "Police Colonel")
    assert rows["date of birth"] == (date(1986, 3, 14), date(1986, 3, 14))
    assert admin_client.get("/admin/trainees/traineeduplicate/add/").status_code == 403
    assert admin_client.get(f"/admin/trainees/traineeduplicate/{queued.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/trainees/traineeduplicate/{queued.pk}/history/").status_code == 200


def test_only_staff_reach_the_queue(queued, client, manager_user, coordinator_user):
    for user in (manager_user, coordinator_user):
        client.force_login(user)
        response = client.get(f"/admin/trainees/traineeduplicate/{queued.pk}/change/")
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_staff_merge_from_the_page_keeping_the_record_they_choose(queued, admin_client, staff_user):
    url = f"/admin/trainees/traineeduplicate/{queued.pk}/change/"
    response = admin_client.post(url, {"keep": queued.trainee_id, "note": "Same passport", "_merge": "1"}, follow=True)
    assert response.status_code == 200
    assert any("Merged" in str(message) for message in response.context["messages"])
    queued.refresh_from_db()
    assert (queued.status, queued.kept_id, queued.note) == (Q.MERGED, queued.trainee_id, "Same passport")
    assert Trainee.all_objects.get(pk=queued.existing_id).merged_into_id == queued.trainee_id


def test_a_refused_merge_is_an_admin_message_and_changes_nothing(
    coordinator_api, org_a, a_trainee, admin_client, staff_user
):
    course = CourseFactory(code="SHARED-2")
    EnrollmentFactory(course=course, trainee=a_trainee, nominated_by=org_a)
    nominate(coordinator_api, course, PERSON)
    entry = TraineeDuplicate.objects.get()
    response = admin_client.post(
        f"/admin/trainees/traineeduplicate/{entry.pk}/change/", {"keep": a_trainee.pk, "_merge": "1"}
    )
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert any("SHARED-2" in message and "once" in message for message in messages)
    entry.refresh_from_db()
    assert entry.status == Q.OPEN
    assert Trainee.objects.count() == 2


def test_staff_dismiss_from_the_list(queued, admin_client):
    response = admin_client.post(
        "/admin/trainees/traineeduplicate/",
        {"action": "dismiss_selected", "_selected_action": [queued.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert any("dismissed" in str(message) for message in response.context["messages"])
    queued.refresh_from_db()
    assert queued.status == Q.DISMISSED


def test_restoring_a_merged_trainee_in_the_admin_is_refused_by_message(queued, admin_client, staff_user):
    trainee_duplicate_merge(duplicate=queued, actor=staff_user)
    response = admin_client.post(
        "/admin/trainees/trainee/?archived=yes",
        {"action": "restore_selected", "_selected_action": [queued.trainee_id]},
        follow=True,
    )
    assert response.status_code == 200
    assert any("stays archived" in str(message) for message in response.context["messages"])
    assert Trainee.all_objects.get(pk=queued.trainee_id).is_archived
