"""Figures count what happened: delegations by status, withdrawals after arrival, and the
confirmation that cancelling a course with participants needs."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cooperation.periods import Period
from trainees.models import Course, Delegation
from trainees.services import course_update, delegation_create, delegation_update, enrollment_transition
from trainees.stats import trainee_figures, visitors

from .factories import CourseFactory, DelegationFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

DS = Delegation.Status


# --- delegations -----------------------------------------------------------------------------


def test_only_held_delegations_count():
    """Hand-counted: 10 visitors held, 20 planned and 40 cancelled in 2012 give 10."""
    for status, count in ((DS.HELD, 10), (DS.PLANNED, 20), (DS.CANCELLED, 40)):
        DelegationFactory(start_date=date(2012, 5, 1), end_date=date(2012, 5, 3), visitors=count, status=status)
    assert visitors(Period.calendar_year(2012)) == {"visitors": 10, "delegations": 1}


def test_a_delegation_moves_from_planned_to_held_or_cancelled_and_no_further(staff_user):
    delegation = DelegationFactory(start_date=date(2012, 5, 1), end_date=date(2012, 5, 3))
    assert delegation.status == DS.PLANNED
    cancelled = delegation_update(delegation=delegation, actor=staff_user, status=DS.CANCELLED)
    assert Delegation.objects.get(pk=cancelled.pk).status == DS.CANCELLED
    with pytest.raises(ValidationError) as refused:
        delegation_update(delegation=cancelled, actor=staff_user, status=DS.HELD)
    assert refused.value.error_dict["status"][0].code == "transition_not_allowed"
    assert Delegation.objects.get(pk=delegation.pk).status == DS.CANCELLED


def test_a_delegation_is_held_once_its_visit_has_begun(staff_user):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        delegation_create(
            actor=staff_user, country="VN", visitors=3, start_date=tomorrow, end_date=tomorrow, status=DS.HELD
        )
    assert refused.value.error_dict["status"][0].code == "not_yet_held"
    past = delegation_create(
        actor=staff_user,
        country="VN",
        visitors=3,
        start_date=date(2012, 5, 1),
        end_date=date(2012, 5, 2),
        status=DS.HELD,
    )
    assert past.status == DS.HELD


def test_the_api_exposes_and_filters_delegations_by_status(staff_api):
    held = DelegationFactory(start_date=date(2012, 5, 1), status=DS.HELD)
    DelegationFactory(start_date=date(2012, 6, 1), status=DS.PLANNED)
    body = staff_api.get("/api/v1/delegations/?status=held").json()
    assert [row["id"] for row in body["results"]] == [held.pk]
    assert body["results"][0]["status"] == "held"
    refused = staff_api.patch(f"/api/v1/delegations/{held.pk}/", {"status": "cancelled"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["status"][0]["code"] == "transition_not_allowed"


# --- withdrawals after arrival ---------------------------------------------------------------


def test_withdrawals_after_arrival_are_their_own_line(staff_user):
    """Hand-counted: in a 2012 course, one trainee arrived then withdrew, one withdrew before
    arriving, one completed; the line counts the first only, the trainees figure the last."""
    course = CourseFactory(start_date=date(2012, 5, 1), end_date=date(2012, 5, 20), status=Course.Status.HELD)
    arrived = EnrollmentFactory(course=course, status="arrived")
    enrollment_transition(enrollment=arrived, to="withdrawn", actor=staff_user)
    accepted = EnrollmentFactory(course=course, status="accepted")
    enrollment_transition(enrollment=accepted, to="withdrawn", actor=staff_user)
    EnrollmentFactory(course=course, status="completed")
    figures = trainee_figures(Period.calendar_year(2012))
    assert (figures.participants, figures.withdrawn_after_arrival) == (1, 1)


# --- cancelling a course with participants ----------------------------------------------------


@pytest.fixture
def course_with_three():
    course = CourseFactory(start_date=date(2030, 5, 1), end_date=date(2030, 5, 20), status=Course.Status.OPEN)
    for status in ("nominated", "waitlisted", "accepted", "rejected", "withdrawn"):
        EnrollmentFactory(course=course, status=status, waitlist_position=1 if status == "waitlisted" else None)
    return course  # three participants: nominated, waitlisted, accepted


def test_cancelling_a_course_with_participants_needs_their_number(staff_user, course_with_three):
    with pytest.raises(ValidationError) as refused:
        course_update(course=course_with_three, actor=staff_user, status=Course.Status.CANCELLED)
    error = refused.value.error_dict["confirm_participants"][0]
    assert error.code == "confirmation_required"
    assert error.message == "This course has 3 participants; confirm cancelling it for all 3."
    with pytest.raises(ValidationError) as refused:
        course_update(
            course=course_with_three, actor=staff_user, status=Course.Status.CANCELLED, confirm_participants=2
        )
    assert refused.value.error_dict["confirm_participants"][0].code == "confirmation_mismatch"
    assert Course.objects.get(pk=course_with_three.pk).status == Course.Status.OPEN


def test_a_confirmed_cancellation_is_recorded_with_the_count(staff_user, course_with_three):
    course_update(course=course_with_three, actor=staff_user, status=Course.Status.CANCELLED, confirm_participants=3)
    latest = course_with_three.history.latest()
    assert (latest.status, latest.history_change_reason) == ("cancelled", "Cancelled with 3 participants.")
    assert latest.history_user == staff_user


def test_the_api_takes_the_confirmation(staff_api, course_with_three):
    url = f"/api/v1/courses/{course_with_three.pk}/"
    refused = staff_api.patch(url, {"status": "cancelled"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["confirm_participants"][0]["code"] == "confirmation_required"
    done = staff_api.patch(url, {"status": "cancelled", "confirm_participants": 3}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert "confirm_participants" not in done.json()
