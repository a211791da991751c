"""The scope leaks an outside probe found, each reproduced with a partner coordinator's token.

Organization A's records (its project, its expert's deployment in Nepal) must not shape
anything that organization B's coordinator reads: no message, derived field, filter or
count. (The generated proof over every reference is test_scope_references.py.)
"""

from datetime import date

import pytest
from django.urls import reverse

from conftest import token_client
from cooperation.roles import PARTNER_COORDINATOR
from cooperation.tests.factories import OrganizationFactory, UserFactory
from dispatch.choices import DeploymentStatus
from dispatch.models import Deployment, DeploymentStatusChange
from dispatch.tests.factories import DeploymentFactory, ExpertFactory
from programs.tests.factories import ProgramFactory, ProjectFactory
from trainees.models import EnrollmentStatus
from trainees.services import enrollment_withdraw
from trainees.tests.factories import CourseFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """Two partner organizations, each with a program and project; one expert serving both."""
    a = OrganizationFactory(code="org-a", name="Agency A", country="NP")
    b = OrganizationFactory(code="org-b", name="Agency B", country="ID")
    project_a = ProjectFactory(program=ProgramFactory(counterpart=a, code="PRG-A"), code="PRJ-A", country="NP")
    project_b = ProjectFactory(program=ProgramFactory(counterpart=b, code="PRG-B"), code="PRJ-B", country="ID")
    shared = ExpertFactory()
    # B's own deployment of the expert, finished in Indonesia: B may see the expert.
    DeploymentFactory(
        expert=shared,
        project=project_b,
        country="ID",
        status=DeploymentStatus.RETURNED,
        planned_start=date(2028, 4, 1),
        planned_end=date(2028, 9, 30),
        actual_start=date(2028, 4, 1),
        actual_end=date(2028, 9, 30),
    )
    # A's deployments of the expert: one finished in Nepal, one requested for 2032.
    DeploymentFactory(
        expert=shared,
        project=project_a,
        country="NP",
        status=DeploymentStatus.RETURNED,
        planned_start=date(2029, 4, 1),
        planned_end=date(2029, 9, 30),
        actual_start=date(2029, 4, 1),
        actual_end=date(2029, 9, 30),
    )
    requested_a = DeploymentFactory(
        expert=shared, project=project_a, country="NP", planned_start=date(2032, 5, 2), planned_end=date(2032, 5, 20)
    )
    hidden = ExpertFactory()  # only ever deployed for A
    DeploymentFactory(
        expert=hidden, project=project_a, country="NP", planned_start=date(2032, 5, 2), planned_end=date(2032, 5, 20)
    )
    coordinator_b = UserFactory(role=PARTNER_COORDINATOR, username="coordinator-b", organization=b)
    return {
        "a": a,
        "b": b,
        "project_a": project_a,
        "project_b": project_b,
        "shared": shared,
        "hidden": hidden,
        "requested_a": requested_a,
        "api_b": token_client(coordinator_b),
    }


def _request(world, expert_id):
    return {
        "kind": "technical_cooperation",
        "project": "PRJ-B",
        "country": "ID",
        "city": "Jakarta",
        "post": "Adviser",
        "planned_start": "2032-05-10",
        "planned_end": "2032-06-30",
        "expert": expert_id,
    }


def test_a_request_naming_an_expert_outside_the_scope_answers_as_a_missing_one(world):
    """Finding 1: the overlap message named A's deployment (project, country, dates, status)."""
    api = world["api_b"]
    before = Deployment.objects.count()
    hidden = api.post(reverse("deployment-list"), _request(world, world["hidden"].pk), format="json")
    missing = api.post(reverse("deployment-list"), _request(world, 987654321), format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["error"]["fields"] == {
        "expert": [{"code": "does_not_exist", "message": f'Invalid pk "{world["hidden"].pk}" - object does not exist.'}]
    }
    assert missing.json()["error"]["fields"]["expert"][0]["code"] == "does_not_exist"
    assert Deployment.objects.count() == before
    for leak in ("PRJ-A", "Nepal", "2032-05-02", str(world["requested_a"].pk) + " ("):
        assert leak not in hidden.content.decode()


def test_an_expert_the_partner_sees_is_refused_before_any_overlap_is_computed(world):
    """The staff-only check comes first: the overlap with A's request is never described."""
    response = world["api_b"].post(reverse("deployment-list"), _request(world, world["shared"].pk), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "expert": [{"code": "staff_only", "message": "Only agency staff set this; leave it empty in a request."}]
    }
    assert "PRJ-A" not in response.content.decode()


def test_expert_countries_of_experience_come_from_the_partners_deployments_only(world, staff_api):
    """Finding 2: `all_countries_of_experience` showed Nepal, taken from A's project."""
    url = reverse("expert-detail", args=[world["shared"].pk])
    assert world["api_b"].get(url).json()["all_countries_of_experience"] == ["ID"]
    assert staff_api.get(url).json()["all_countries_of_experience"] == ["ID", "NP"]


def test_expert_filters_read_the_partners_deployments_only(world, staff_api):
    """Finding 2: `country_experience` and availability reacted to A's deployments."""
    api, shared = world["api_b"], world["shared"].pk
    listed = lambda client, query: [row["id"] for row in client.get(reverse("expert-list"), query).json()["results"]]  # noqa: E731
    assert shared not in listed(api, {"country_experience": "NP"})
    assert shared in listed(staff_api, {"country_experience": "NP"})
    assert shared in listed(api, {"country_experience": "ID"})
    window = {"available_from": "2032-05-01", "available_to": "2032-05-31"}
    assert shared in listed(api, window)
    assert shared not in listed(staff_api, window)


def test_a_filter_naming_another_organizations_program_is_refused_as_an_unknown_one(world):
    """Finding 5: `?program=<A's code>` answered 200 and an empty list; an unknown code 400."""
    api = world["api_b"]
    for resource in ("project-list", "site-list", "indicator-list", "measurement-list"):
        foreign = api.get(reverse(resource), {"program": "PRG-A"})
        unknown = api.get(reverse(resource), {"program": "PRG-NONE"})
        assert foreign.status_code == unknown.status_code == 400, resource
        assert foreign.content.replace(b"PRG-A", b"X") == unknown.content.replace(b"PRG-NONE", b"X"), resource
        assert api.get(reverse(resource), {"program": "PRG-B"}).status_code == 200


def test_a_course_does_not_show_a_program_the_partner_cannot_read(world, staff_api):
    """Finding 5: a course open to B showed the code and title of A's program."""
    course = CourseFactory(program=world["project_a"].program, target_countries=[])
    url = reverse("course-detail", args=[course.pk])
    assert world["api_b"].get(url).json()["program"] is None
    assert staff_api.get(url).json()["program"]["code"] == "PRG-A"
    # Nor can the list be narrowed by that program: its code is refused as an unknown one.
    foreign = world["api_b"].get(reverse("course-list"), {"program": "PRG-A"})
    unknown = world["api_b"].get(reverse("course-list"), {"program": "PRG-NONE"})
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.content.replace(b"PRG-A", b"X") == unknown.content.replace(b"PRG-NONE", b"X")
    course_b = CourseFactory(program=world["project_b"].program, target_countries=[])
    assert world["api_b"].get(reverse("course-detail", args=[course_b.pk])).json()["program"]["code"] == "PRG-B"


def test_status_histories_name_the_role_not_the_staff_member(world, staff_user, staff_api):
    """Finding 7: coordinators read the usernames of agency staff."""
    deployment = DeploymentFactory(project=world["project_b"], expert=None, country="ID")
    DeploymentStatusChange.objects.create(
        deployment=deployment, from_status="requested", to_status="cancelled", actor=staff_user, note=""
    )
    url = reverse("deployment-status-history", args=[deployment.pk])
    seen_by_partner = world["api_b"].get(url)
    assert [row["actor"] for row in seen_by_partner.json()] == ["NPA staff"]
    assert staff_user.username not in seen_by_partner.content.decode()
    assert [row["actor"] for row in staff_api.get(url).json()] == [staff_user.username]


def test_course_seat_counts_hold_only_the_partners_own_nominees(world, staff_api):
    """No count a partner reads is computed from another organization's nominations."""
    course = CourseFactory(target_countries=[], capacity=5)
    EnrollmentFactory(course=course, nominated_by=world["a"], status=EnrollmentStatus.ACCEPTED)
    EnrollmentFactory(course=course, nominated_by=world["a"], status=EnrollmentStatus.WAITLISTED)
    EnrollmentFactory(course=course, nominated_by=world["b"], status=EnrollmentStatus.ACCEPTED)
    url = reverse("course-detail", args=[course.pk])
    partner = world["api_b"].get(url).json()
    assert (partner["seats_taken"], partner["waitlisted"], partner["seats_left"]) == (1, 0, None)
    staff = staff_api.get(url).json()
    assert (staff["seats_taken"], staff["waitlisted"], staff["seats_left"]) == (2, 1, 3)


def test_a_promotion_from_the_waitlist_does_not_name_who_freed_the_seat(world, staff_user):
    """The promoted nominee's history is read by its partner; the seat was another organization's."""
    course = CourseFactory(target_countries=[], capacity=1)
    seated = EnrollmentFactory(
        course=course, nominated_by=world["a"], status=EnrollmentStatus.ACCEPTED, trainee__family_name="Seated"
    )
    waiting = EnrollmentFactory(
        course=course, nominated_by=world["b"], status=EnrollmentStatus.WAITLISTED, waitlist_position=1
    )
    enrollment_withdraw(enrollment=seated, actor=staff_user)
    answer = world["api_b"].get(reverse("enrollment-detail", args=[waiting.pk]))
    assert answer.json()["status"] == "accepted"
    assert "Promoted from the waitlist" in answer.content.decode()
    assert "SEATED" not in answer.content.decode().upper()
