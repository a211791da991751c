"""Seats never exceed capacity: the service's rule, the database's rule, and many staff at once."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from trainees.models import Enrollment, EnrollmentStatus
from trainees.services import course_update, enrollment_transition

from .factories import CourseFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

S = EnrollmentStatus


def _full_course(capacity=2):
    course = CourseFactory(capacity=capacity)
    seats = [EnrollmentFactory(course=course, status=S.ACCEPTED) for _ in range(capacity)]
    return course, seats


def test_acceptance_into_a_full_course_becomes_waitlisted(staff_user):
    course, _seats = _full_course()
    first, second = EnrollmentFactory(course=course), EnrollmentFactory(course=course)
    for enrollment in (first, second):
        enrollment_transition(enrollment=enrollment, to=S.ACCEPTED, actor=staff_user)
        enrollment.refresh_from_db()
    assert (first.status, first.waitlist_position) == (S.WAITLISTED, 1)
    assert (second.status, second.waitlist_position) == (S.WAITLISTED, 2)
    change = first.status_changes.get()
    assert (change.from_status, change.to_status) == (S.NOMINATED, S.WAITLISTED)
    assert "full" in change.note


def test_a_waitlisted_trainee_cannot_be_accepted_while_full(staff_user):
    course, _seats = _full_course()
    waiting = EnrollmentFactory(course=course, status=S.WAITLISTED)
    with pytest.raises(ValidationError) as refused:
        enrollment_transition(enrollment=waiting, to=S.ACCEPTED, actor=staff_user)
    assert refused.value.error_dict["status"][0].code == "course_full"
    assert "2 of 2" in refused.value.messages[0]
    waiting.refresh_from_db()
    assert waiting.status == S.WAITLISTED


@pytest.mark.parametrize("leaving", [S.WITHDRAWN, S.REJECTED])
def test_a_freed_seat_goes_to_the_first_waitlisted(leaving, staff_user):
    course, seats = _full_course()
    first = EnrollmentFactory(course=course, status=S.WAITLISTED)
    second = EnrollmentFactory(course=course, status=S.WAITLISTED)
    third = EnrollmentFactory(course=course, status=S.WAITLISTED)
    enrollment_transition(enrollment=seats[0], to=leaving, actor=staff_user)
    for enrollment in (first, second, third):
        enrollment.refresh_from_db()
    assert (first.status, first.waitlist_position) == (S.ACCEPTED, None)
    # The queue moves up.
    assert (second.waitlist_position, third.waitlist_position) == (1, 2)
    promotion = first.status_changes.get()
    assert (promotion.from_status, promotion.to_status, promotion.actor) == (S.WAITLISTED, S.ACCEPTED, staff_user)
    assert "Promoted" in promotion.note
    assert Enrollment.objects.filter(course=course, status__in=[S.ACCEPTED]).count() == 2


def test_leaving_the_waitlist_moves_the_queue_without_promoting(staff_user):
    course, _seats = _full_course()
    first, second = (EnrollmentFactory(course=course, status=S.WAITLISTED) for _ in range(2))
    enrollment_transition(enrollment=first, to=S.WITHDRAWN, actor=staff_user)
    second.refresh_from_db()
    assert (second.status, second.waitlist_position) == (S.WAITLISTED, 1)


def test_promotion_skips_a_trainee_seated_in_an_overlapping_course(staff_user):
    course, seats = _full_course()
    busy = EnrollmentFactory(course=course, status=S.WAITLISTED)
    EnrollmentFactory(
        trainee=busy.trainee,
        course=CourseFactory(start_date=course.start_date + timedelta(days=3)),
        status=S.ACCEPTED,
    )
    free = EnrollmentFactory(course=course, status=S.WAITLISTED)
    enrollment_transition(enrollment=seats[0], to=S.WITHDRAWN, actor=staff_user)
    busy.refresh_from_db()
    free.refresh_from_db()
    assert (busy.status, free.status) == (S.WAITLISTED, S.ACCEPTED)
    assert busy.waitlist_position == 1


def test_the_database_refuses_a_seat_beyond_capacity_whatever_the_path():
    course, _seats = _full_course()
    extra = EnrollmentFactory(course=course)
    with pytest.raises(IntegrityError, match="capacity"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE trainees_enrollment SET status = 'accepted' WHERE id = %s", [extra.pk])
    with pytest.raises(IntegrityError, match="capacity"), transaction.atomic():
        EnrollmentFactory(course=course, status=S.ARRIVED)
    assert Enrollment.objects.filter(course=course, status__in=[S.ACCEPTED, S.ARRIVED]).count() == 2


def test_capacity_cannot_drop_below_the_seats_taken(staff_user):
    course, _seats = _full_course(capacity=3)
    with pytest.raises(ValidationError) as refused:
        course_update(course=course, actor=staff_user, capacity=2)
    assert refused.value.error_dict["capacity"][0].code == "below_seats_taken"
    with pytest.raises(IntegrityError, match="capacity"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE trainees_course SET capacity = 2 WHERE id = %s", [course.pk])
    course.refresh_from_db()
    assert course.capacity == 3


@pytest.mark.django_db(transaction=True)
def test_simultaneous_acceptances_fill_exactly_the_capacity(staff_user):
    course = CourseFactory(capacity=5)
    nominees = [EnrollmentFactory(course=course) for _ in range(8)]
    barrier = threading.Barrier(len(nominees))
    errors = []

    def accept(enrollment):
        try:
            barrier.wait()
            enrollment_transition(enrollment=enrollment, to=S.ACCEPTED, actor=staff_user)
        except Exception as exc:  # any failure in a thread must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(enrollment,)) for enrollment in nominees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = list(Enrollment.objects.filter(course=course).values_list("status", flat=True))
    assert statuses.count(S.ACCEPTED) == 5
    assert statuses.count(S.WAITLISTED) == 3
    positions = sorted(
        Enrollment.objects.filter(course=course, status=S.WAITLISTED).values_list("waitlist_position", flat=True)
    )
    assert positions == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_the_database_alone_holds_the_line_against_simultaneous_raw_writes():
    """Without the service's lock, concurrent raw acceptances still cannot overfill the course."""
    course = CourseFactory(capacity=2)
    nominees = [EnrollmentFactory(course=course) for _ in range(4)]
    barrier = threading.Barrier(len(nominees))
    outcomes = []

    def accept_raw(enrollment):
        try:
            barrier.wait()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE trainees_enrollment SET status = 'accepted' WHERE id = %s", [enrollment.pk])
            outcomes.append("ok")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept_raw, args=(enrollment,)) for enrollment in nominees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "ok", "refused", "refused"]
    assert Enrollment.objects.filter(course=course, status=S.ACCEPTED).count() == 2
