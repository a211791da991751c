"""Overlapping seats, deadlines, duplicates and dates: the friendly refusal and the database rule."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from trainees.models import Course, CourseVisit, Enrollment, EnrollmentStatus, Trainee
from trainees.services import (
    course_create,
    course_update,
    enrollment_nominate,
    enrollment_transition,
    trainee_create,
)

from .factories import CourseFactory, EnrollmentFactory, TraineeFactory

pytestmark = pytest.mark.django_db

S = EnrollmentStatus


# --- one trainee, one seat at a time ----------------------------------------------------


def test_accepting_into_an_overlapping_course_is_refused_naming_it(staff_user):
    seated = EnrollmentFactory(status=S.ACCEPTED, course=CourseFactory(code="DRUG24"))
    other = CourseFactory(start_date=seated.course.end_date, code="CYBER24")
    enrollment = EnrollmentFactory(course=other, trainee=seated.trainee)
    with pytest.raises(ValidationError) as refused:
        enrollment_transition(enrollment=enrollment, to=S.ACCEPTED, actor=staff_user)
    error = refused.value.error_dict["status"][0]
    assert error.code == "overlapping_course"
    assert "DRUG24" in error.messages[0]
    enrollment.refresh_from_db()
    assert enrollment.status == S.NOMINATED


def test_back_to_back_courses_are_not_an_overlap(staff_user):
    seated = EnrollmentFactory(status=S.ACCEPTED)
    after = CourseFactory(start_date=seated.course.end_date + timedelta(days=1))
    enrollment = EnrollmentFactory(course=after, trainee=seated.trainee)
    enrollment_transition(enrollment=enrollment, to=S.ACCEPTED, actor=staff_user)
    enrollment.refresh_from_db()
    assert enrollment.status == S.ACCEPTED


def test_a_withdrawn_seat_does_not_block_another_course(staff_user):
    gone = EnrollmentFactory(status=S.WITHDRAWN)
    overlapping = CourseFactory(start_date=gone.course.start_date)
    enrollment = EnrollmentFactory(course=overlapping, trainee=gone.trainee)
    enrollment_transition(enrollment=enrollment, to=S.ACCEPTED, actor=staff_user)
    enrollment.refresh_from_db()
    assert enrollment.status == S.ACCEPTED


def test_the_database_refuses_overlapping_seats_on_any_path():
    seated = EnrollmentFactory(status=S.ACCEPTED)
    overlapping = CourseFactory(start_date=seated.course.start_date + timedelta(days=5))
    enrollment = EnrollmentFactory(course=overlapping, trainee=seated.trainee)
    overlap = pytest.raises(IntegrityError, match="enrollment_no_overlapping_seats")
    with overlap, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE trainees_enrollment SET status = 'accepted' WHERE id = %s", [enrollment.pk])


def test_moving_a_course_onto_another_seat_of_its_trainee_is_refused(staff_user):
    seated = EnrollmentFactory(status=S.ACCEPTED)
    later = CourseFactory(start_date=seated.course.end_date + timedelta(days=30))
    EnrollmentFactory(course=later, trainee=seated.trainee, status=S.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        course_update(course=later, actor=staff_user, start_date=seated.course.end_date)
    assert refused.value.error_dict["start_date"][0].code == "overlapping_seats"
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE trainees_course SET start_date = %s WHERE id = %s", [later.start_date, later.pk])


def test_course_dates_follow_onto_its_enrollments(staff_user):
    enrollment = EnrollmentFactory(status=S.ACCEPTED)
    course = enrollment.course
    course_update(
        course=course,
        actor=staff_user,
        start_date=course.start_date + timedelta(days=7),
        end_date=course.end_date + timedelta(days=7),
    )
    enrollment.refresh_from_db()
    assert (enrollment.course_start, enrollment.course_end) == (course.start_date, course.end_date)


# --- nominations ------------------------------------------------------------------------


def test_nomination_after_the_deadline_names_the_deadline(trainee, staff_user, partner_org):
    deadline = timezone.localdate() - timedelta(days=1)
    course = CourseFactory(start_date=deadline + timedelta(days=10), nomination_deadline=deadline)
    with pytest.raises(ValidationError) as refused:
        enrollment_nominate(course=course, trainee=trainee, nominated_by=partner_org, actor=staff_user)
    error = refused.value.error_dict["course"][0]
    assert error.code == "deadline_passed"
    assert deadline.isoformat() in error.messages[0]
    assert not Enrollment.objects.exists()


def test_nomination_on_the_deadline_day_is_accepted(trainee, staff_user, partner_org):
    today = timezone.localdate()
    course = CourseFactory(start_date=today + timedelta(days=10), nomination_deadline=today)
    enrollment = enrollment_nominate(course=course, trainee=trainee, nominated_by=partner_org, actor=staff_user)
    assert enrollment.status == S.NOMINATED


@pytest.mark.parametrize("status", [Course.Status.PLANNED, Course.Status.CLOSED, Course.Status.CANCELLED])
def test_nomination_to_a_course_not_open_is_refused(status, trainee, staff_user, partner_org):
    course = CourseFactory(status=status)
    with pytest.raises(ValidationError) as refused:
        enrollment_nominate(course=course, trainee=trainee, nominated_by=partner_org, actor=staff_user)
    assert refused.value.error_dict["course"][0].code == "course_not_open"


def test_a_trainee_is_nominated_once_per_course(course, trainee, staff_user, partner_org):
    first = enrollment_nominate(course=course, trainee=trainee, nominated_by=partner_org, actor=staff_user)
    with pytest.raises(ValidationError) as refused:
        enrollment_nominate(course=course, trainee=trainee, nominated_by=partner_org, actor=staff_user)
    assert refused.value.error_dict["trainee"][0].code == "already_nominated"
    assert f"#{first.pk}" in refused.value.messages[0]


# --- one person, one record -------------------------------------------------------------


def test_a_duplicate_trainee_is_refused_naming_the_first(staff_user):
    first = TraineeFactory(family_name="Nguyen Van", given_name="An", nationality="VN", date_of_birth=date(1988, 3, 2))
    again = {
        "family_name": "NGUYENVAN",
        "given_name": " an ",
        "nationality": "VN",
        "date_of_birth": date(1988, 3, 2),
        "gender": "male",
    }
    with pytest.raises(ValidationError) as refused:
        trainee_create(**again, actor=staff_user)
    error = refused.value.error_dict["__all__"][0]
    assert error.code == "duplicate_trainee"
    assert f"#{first.pk}" in error.messages[0]
    assert Trainee.objects.count() == 1


def test_same_name_with_another_birth_date_or_nationality_is_another_person(staff_user):
    TraineeFactory(family_name="Santos", given_name="Maria", nationality="PH", date_of_birth=date(1990, 1, 1))
    for nationality, born in (("PH", date(1991, 1, 1)), ("TL", date(1990, 1, 1))):
        trainee_create(
            family_name="Santos",
            given_name="Maria",
            nationality=nationality,
            date_of_birth=born,
            gender="female",
            actor=staff_user,
        )
    assert Trainee.objects.filter(family_name="Santos").count() == 3


def test_the_database_refuses_a_duplicate_person_ignoring_case_and_spaces():
    TraineeFactory(family_name="Nguyen Van", given_name="An", nationality="VN", date_of_birth=date(1988, 3, 2))
    with pytest.raises(IntegrityError, match="trainee_one_record_per_person"), transaction.atomic():
        Trainee.objects.create(
            family_name="nguyen  van", given_name="AN", nationality="VN", date_of_birth=date(1988, 3, 2), gender="male"
        )


# --- courses and their visits -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"capacity": 0}, "capacity", None),
        ({"nomination_deadline_offset": 1}, "__all__", "deadline_after_start"),
        ({"end_offset": -1}, "__all__", "date_order"),
        ({"target_countries": ["XX"]}, "target_countries", "unknown_country"),
    ],
)
def test_course_values_are_checked(changes, field, code, staff_user, npa):
    start = timezone.localdate() + timedelta(days=30)
    course = {
        "code": "NEW1",
        "title": "New course",
        "kind": Course.Kind.SEMINAR,
        "host": npa,
        "start_date": start,
        "end_date": start + timedelta(days=changes.get("end_offset", 5)),
        "nomination_deadline": start + timedelta(days=changes.get("nomination_deadline_offset", -10)),
        "capacity": changes.get("capacity", 10),
        "target_countries": changes.get("target_countries", []),
    }
    with pytest.raises(ValidationError) as refused:
        course_create(**course, actor=staff_user)
    assert field in refused.value.error_dict
    if code:
        assert code in {error.code for error in refused.value.error_dict[field]}
    assert not Course.objects.filter(code="NEW1").exists()


def test_a_site_visit_falls_within_its_course(course):
    outside = CourseVisit(course=course, date=course.end_date + timedelta(days=1), place="Tokyo", kind="koban")
    with pytest.raises(ValidationError) as refused:
        outside.full_clean()
    assert refused.value.error_dict["date"][0].code == "outside_course"
    with pytest.raises(IntegrityError, match="outside"), transaction.atomic():
        outside.save()
    inside = CourseVisit.objects.create(course=course, date=course.end_date, place="Tokyo", kind="koban")
    course.end_date -= timedelta(days=1)
    with pytest.raises(ValidationError):
        course.full_clean()
    with pytest.raises(IntegrityError, match="outside"), transaction.atomic():
        Course.objects.filter(pk=course.pk).update(end_date=course.end_date)
    assert CourseVisit.objects.filter(pk=inside.pk).exists()


def test_a_cancelled_course_takes_no_one_in(staff_user):
    course = CourseFactory(status=Course.Status.CANCELLED)
    nominee = EnrollmentFactory(course=course)
    with pytest.raises(ValidationError) as refused:
        enrollment_transition(enrollment=nominee, to=S.ACCEPTED, actor=staff_user)
    assert refused.value.error_dict["status"][0].code == "course_cancelled"
    enrollment_transition(enrollment=nominee, to=S.WITHDRAWN, actor=staff_user)
    nominee.refresh_from_db()
    assert nominee.status == S.WITHDRAWN
