"""Participations and delegations of the past: recorded final, without the nomination steps."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cooperation.tests.factories import OrganizationFactory
from trainees.models import Course, Delegation, Enrollment, EnrollmentStatusChange
from trainees.services import delegation_record_past, enrollment_record_past
from trainees.tests.factories import CourseFactory, EnrollmentFactory, TraineeFactory

pytestmark = pytest.mark.django_db


def _old_course(**kwargs):
    values = {
        "start_date": date(2005, 5, 9),
        "end_date": date(2005, 6, 3),
        "nomination_deadline": date(2005, 3, 1),
        "status": Course.Status.HELD,
        "capacity": 2,
    }
    return CourseFactory(**{**values, **kwargs})


def test_a_past_participation_is_recorded_completed_long_after_the_deadline(staff_user):
    course = _old_course()
    enrollment = enrollment_record_past(
        course=course, trainee=TraineeFactory(), nominated_by=OrganizationFactory(), actor=staff_user
    )
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.retrospective) == ("completed", True)
    assert enrollment.certificate_number == f"NPA-2005-{course.code}-001"
    assert enrollment.certificate_issued_on == course.end_date
    moves = list(EnrollmentStatusChange.objects.filter(enrollment=enrollment).values_list("to_status", "retrospective"))
    assert moves == [("completed", True)]


def test_a_past_withdrawal_is_recorded_as_one_after_arrival(staff_user):
    enrollment = enrollment_record_past(
        course=_old_course(),
        trainee=TraineeFactory(),
        nominated_by=OrganizationFactory(),
        actor=staff_user,
        status="withdrawn",
    )
    moves = list(EnrollmentStatusChange.objects.filter(enrollment=enrollment).values_list("from_status", "to_status"))
    assert moves == [("", "arrived"), ("arrived", "withdrawn")]


def test_a_past_participation_keeps_capacity_and_once_per_course(staff_user):
    course = _old_course(capacity=1)
    trainee, organization = TraineeFactory(), OrganizationFactory()
    enrollment_record_past(course=course, trainee=trainee, nominated_by=organization, actor=staff_user)
    with pytest.raises(ValidationError) as twice:
        enrollment_record_past(course=course, trainee=trainee, nominated_by=organization, actor=staff_user)
    assert twice.value.error_dict["trainee"][0].code == "already_nominated"
    with pytest.raises(ValidationError) as full:
        enrollment_record_past(course=course, trainee=TraineeFactory(), nominated_by=organization, actor=staff_user)
    assert full.value.error_dict["course"][0].code == "course_full"
    assert Enrollment.objects.count() == 1


def test_a_participation_in_a_course_not_over_is_not_recorded_as_past(staff_user):
    with pytest.raises(ValidationError) as refused:
        enrollment_record_past(
            course=CourseFactory(), trainee=TraineeFactory(), nominated_by=OrganizationFactory(), actor=staff_user
        )
    assert refused.value.error_dict["course"][0].code == "course_not_over"


def test_the_database_holds_a_retrospective_enrollment_final():
    with pytest.raises(Exception, match="enrollment_retrospective_is_final"):
        EnrollmentFactory(course=_old_course(), status="accepted", retrospective=True)


def test_staff_record_a_past_participation_through_the_api(staff_api):
    course, trainee, organization = _old_course(), TraineeFactory(), OrganizationFactory()
    response = staff_api.post(
        reverse("enrollment-record-past"),
        {"course": course.pk, "trainee": trainee.pk, "nominated_by": organization.code},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["retrospective"]) == ("completed", True)


def test_a_past_delegation_is_recorded_held(staff_user, staff_api):
    delegation = delegation_record_past(
        actor=staff_user, country="VN", start_date=date(1998, 3, 2), end_date=date(1998, 3, 6), visitors=7
    )
    assert (delegation.status, delegation.retrospective) == ("held", True)
    assert delegation.history.first().history_change_reason == "Recorded retrospectively."
    response = staff_api.post(
        reverse("delegation-record-past"),
        {"country": "TH", "start_date": "1999-01-10", "end_date": "1999-01-08", "visitors": 3},
        format="json",
    )
    assert response.status_code == 400
    assert Delegation.objects.count() == 1


def test_staff_record_a_past_participation_on_the_admins_form(client, staff_user):
    client.force_login(staff_user)
    course, trainee, organization = _old_course(), TraineeFactory(), OrganizationFactory()
    url = reverse("admin:trainees_enrollment_history_record_past")
    form = {"course": course.pk, "trainee": trainee.pk, "nominated_by": organization.pk, "status": "completed"}
    response = client.post(url, form)
    assert response.status_code == 302
    assert Enrollment.objects.get().retrospective
    again = client.post(url, form)
    assert again.status_code == 200 and again.context["form"].errors
    assert Enrollment.objects.count() == 1
