"""The printable bilingual certificate, for staff."""

import pytest

from cooperation.roles import MANAGER
from cooperation.tests.factories import TEST_PASSWORD, UserFactory
from trainees.models import EnrollmentStatus
from trainees.services import enrollment_transition

from .factories import CourseFactory, EnrollmentFactory, TraineeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(staff_user):
    course = CourseFactory(
        code="CIT12",
        title="Counter International Terrorism",
        title_ja="国際テロ対策",
        host__name="National Police Academy",
        host__name_ja="警察大学校",
    )
    trainee = TraineeFactory(family_name="Santos", given_name="Maria", name_ja="マリア・サントス")
    enrollment = EnrollmentFactory(course=course, trainee=trainee, status=EnrollmentStatus.ARRIVED)
    return enrollment_transition(
        enrollment=enrollment,
        to=EnrollmentStatus.COMPLETED,
        actor=staff_user,
        action_plan="Set up a joint task force",
        evaluation="Outstanding",
    )


def _login(client, user):
    # Through the login page: the lockout check needs the request a bare client.login() lacks.
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_the_certificate_reads_in_english_and_japanese(client, staff_user, completed):
    _login(client, staff_user)
    response = client.get(f"/trainees/certificates/{completed.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    course = completed.course
    for text in (
        "Certificate of Completion",
        "修了証書",
        "SANTOS Maria",
        "マリア・サントス",
        "Counter International Terrorism",
        "「国際テロ対策」",
        "警察大学校",
        "の課程を修了したことを証する",
        completed.certificate_number,
        f"{course.start_date.year}年{course.start_date.month}月{course.start_date.day}日",
        course.start_date.strftime("%B"),
    ):
        assert text in page, text


def test_only_completed_enrollments_have_a_certificate(client, staff_user):
    _login(client, staff_user)
    arrived = EnrollmentFactory(status=EnrollmentStatus.ARRIVED)
    assert client.get(f"/trainees/certificates/{arrived.pk}/").status_code == 404


def test_the_certificate_is_for_staff(client, completed):
    anonymous = client.get(f"/trainees/certificates/{completed.pk}/")
    assert anonymous.status_code == 302
    _login(client, UserFactory(role=MANAGER))
    assert client.get(f"/trainees/certificates/{completed.pk}/").status_code == 403
