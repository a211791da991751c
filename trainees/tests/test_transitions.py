"""Every move of the enrollment state machine, allowed or refused, and its history."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from trainees.models import EnrollmentStatus, EnrollmentStatusChange
from trainees.services import ENROLLMENT_TRANSITIONS, enrollment_nominate, enrollment_transition

from .factories import CourseFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

S = EnrollmentStatus
ALL_MOVES = [(current, target) for current in S.values for target in S.values]
ALLOWED = [(c, t) for c, t in ALL_MOVES if t in ENROLLMENT_TRANSITIONS.targets(c)]
REFUSED = [(c, t) for c, t in ALL_MOVES if t not in ENROLLMENT_TRANSITIONS.targets(c)]

OUTCOME = {"action_plan": "Introduce Koban patrols in two districts.", "evaluation": "Excellent"}


def test_the_table_is_the_documented_lifecycle():
    assert ENROLLMENT_TRANSITIONS.targets(S.NOMINATED) == {S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN}
    assert ENROLLMENT_TRANSITIONS.targets(S.ACCEPTED) == {S.ARRIVED, S.REJECTED, S.WITHDRAWN}
    assert ENROLLMENT_TRANSITIONS.targets(S.ARRIVED) == {S.COMPLETED, S.WITHDRAWN}
    for final in (S.COMPLETED, S.REJECTED, S.WITHDRAWN):
        assert ENROLLMENT_TRANSITIONS.targets(final) == set()


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_move_changes_status_and_appends_history(current, target, staff_user):
    enrollment = EnrollmentFactory(status=current, course=CourseFactory(capacity=5))
    extra = OUTCOME if target == S.COMPLETED else {}
    moved = enrollment_transition(enrollment=enrollment, to=target, actor=staff_user, note="checked", **extra)
    moved.refresh_from_db()
    assert moved.status == target
    change = EnrollmentStatusChange.objects.get(enrollment=enrollment)
    assert (change.from_status, change.to_status, change.actor, change.note) == (current, target, staff_user, "checked")
    assert (moved.waitlist_position is not None) == (target == S.WAITLISTED)
    assert bool(moved.certificate_number) == (target == S.COMPLETED)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_refused_move_changes_nothing(current, target, staff_user):
    enrollment = EnrollmentFactory(status=current)
    with pytest.raises(ValidationError) as refused:
        enrollment_transition(enrollment=enrollment, to=target, actor=staff_user, **OUTCOME)
    assert refused.value.error_dict["status"][0].code == "transition_not_allowed"
    enrollment.refresh_from_db()
    assert enrollment.status == current
    assert not EnrollmentStatusChange.objects.filter(enrollment=enrollment).exists()


def test_unknown_target_is_a_field_error(staff_user):
    enrollment = EnrollmentFactory()
    with pytest.raises(ValidationError) as refused:
        enrollment_transition(enrollment=enrollment, to="graduated", actor=staff_user)
    assert refused.value.error_dict["to"][0].code == "invalid_choice"


def test_completion_needs_action_plan_and_evaluation(staff_user):
    enrollment = EnrollmentFactory(status=S.ARRIVED)
    with pytest.raises(ValidationError) as refused:
        enrollment_transition(enrollment=enrollment, to=S.COMPLETED, actor=staff_user, action_plan="Plan")
    assert set(refused.value.error_dict) == {"evaluation"}
    enrollment.refresh_from_db()
    assert enrollment.status == S.ARRIVED
    assert enrollment.action_plan == ""


def test_completion_issues_sequential_unique_certificate_numbers(staff_user):
    course = CourseFactory(code="CYBER24")
    first, second = (EnrollmentFactory(course=course, status=S.ARRIVED) for _ in range(2))
    for enrollment in (first, second):
        enrollment_transition(enrollment=enrollment, to=S.COMPLETED, actor=staff_user, **OUTCOME)
        enrollment.refresh_from_db()
    year = course.end_date.year
    assert first.certificate_number == f"NPA-{year}-CYBER24-001"
    assert second.certificate_number == f"NPA-{year}-CYBER24-002"
    assert first.certificate_issued_on is not None
    assert (first.action_plan, first.evaluation) == (OUTCOME["action_plan"], OUTCOME["evaluation"])


def test_nomination_starts_the_history(course, trainee, staff_user, partner_org):
    enrollment = enrollment_nominate(course=course, trainee=trainee, nominated_by=partner_org, actor=staff_user)
    assert enrollment.status == S.NOMINATED
    assert list(enrollment.status_changes.values_list("from_status", "to_status")) == [("", S.NOMINATED)]
    assert (enrollment.course_start, enrollment.course_end) == (course.start_date, course.end_date)


def test_history_is_append_only_in_python_and_in_sql(staff_user):
    enrollment = EnrollmentFactory()
    enrollment_transition(enrollment=enrollment, to=S.ACCEPTED, actor=staff_user)
    change = EnrollmentStatusChange.objects.get(enrollment=enrollment)
    with pytest.raises(ValidationError):
        change.save()
    with pytest.raises(ValidationError):
        change.delete()
    for statement in (
        "UPDATE trainees_enrollmentstatuschange SET note = 'edited' WHERE id = %s",
        "DELETE FROM trainees_enrollmentstatuschange WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [change.pk])
    assert EnrollmentStatusChange.objects.get(pk=change.pk).note == ""
