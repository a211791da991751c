"""The staff's admin pages over the largest tables: as many queries for a long page or a full
record as for a short or empty one, counts that stop at a cap, filters that read no rows.

The rows (24 deployments with their checklists, check-ins and history; 24 enrollments
of 24 trainees in three courses) are written once for the module and only read.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cooperation import admin_pagination
from cooperation.admin_pagination import CappedCountPaginator
from cooperation.roles import NPA_STAFF
from cooperation.tests.factories import OrganizationFactory, UserFactory
from dispatch.admin import DeploymentAdmin
from dispatch.choices import CheckInStatus, ChecklistKind
from dispatch.models import ChecklistItem, Deployment, SafetyCheckIn
from dispatch.tests.factories import DeploymentFactory, ExpertFactory
from trainees.admin import EnrollmentAdmin, TraineeAdmin
from trainees.models import Course, Enrollment, EnrollmentStatus, Trainee
from trainees.tests.factories import CourseFactory, EnrollmentFactory, TraineeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("admin_rows")]

ROWS = 24


@pytest.fixture(scope="module")
def admin_rows(module_transaction, django_db_blocker):
    """The deployments, enrollments and trainees of the lists; the first of each has full inlines."""
    with django_db_blocker.unblock():
        staff = UserFactory(role=NPA_STAFF)
        for number in range(ROWS):
            deployment = DeploymentFactory(
                expert=ExpertFactory(),
                status="deployed",
                planned_start=date(2010 + number % 12, 1 + number % 12, 1),
                planned_end=date(2010 + number % 12, 1 + number % 12, 28),
                actual_start=date(2010 + number % 12, 1 + number % 12, 1),
                travel_advisory_level=(None, 1, 3)[number % 3],
            )
            rows = 6 if number == 0 else 1
            for kind in tuple(ChecklistKind.values)[:rows]:
                ChecklistItem.objects.create(deployment=deployment, kind=kind, done_by=staff, done_at=timezone.now())
            for hour in range(rows):
                SafetyCheckIn.objects.create(
                    deployment=deployment, at=timezone.now() - timedelta(hours=hour), status=CheckInStatus.OK, by=staff
                )
            for step in range(rows):
                deployment.status_changes.create(from_status="", to_status="deployed", actor=staff, note=str(step))
        old = CourseFactory(start_date=date(2001, 5, 1), status=Course.Status.HELD)
        courses = [old, *CourseFactory.create_batch(2, capacity=100)]
        organization = OrganizationFactory()
        many = TraineeFactory()
        for number in range(ROWS):
            enrollment = EnrollmentFactory(
                course=courses[number % 3], nominated_by=organization, trainee=many if number < 3 else TraineeFactory()
            )
            for _ in range(6 if number == 0 else 1):
                enrollment.status_changes.create(from_status="", to_status="nominated", actor=staff)
    return staff


@pytest.fixture
def staff_client(client, admin_rows):
    client.force_login(admin_rows)
    return client


def page_queries(client, url: str, **params) -> tuple[int, bytes]:
    """The queries of a page once the process has cached what every page reads once
    (content types, the viewer's permissions), and the page."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return len(captured), response.content


LISTS = (
    ("/admin/dispatch/deployment/", DeploymentAdmin),
    ("/admin/trainees/enrollment/", EnrollmentAdmin),
    ("/admin/trainees/trainee/", TraineeAdmin),
)


@pytest.mark.parametrize(("url", "model_admin"), LISTS)
def test_a_changelist_costs_the_same_queries_for_a_page_of_three_or_of_twenty(
    staff_client, url, model_admin, monkeypatch
):
    monkeypatch.setattr(model_admin, "list_per_page", 3)
    short, short_page = page_queries(staff_client, url)
    monkeypatch.setattr(model_admin, "list_per_page", 20)
    long, long_page = page_queries(staff_client, url)

    assert short_page.count(b'name="_selected_action"') == 3
    assert long_page.count(b'name="_selected_action"') == 20
    assert short == long


@pytest.mark.parametrize(
    ("model", "full", "light"),
    (
        (
            "dispatch/deployment",
            lambda: Deployment.objects.order_by("pk")[0],
            lambda: Deployment.objects.order_by("pk")[1],
        ),
        (
            "trainees/enrollment",
            lambda: Enrollment.objects.order_by("pk")[0],
            lambda: Enrollment.objects.order_by("pk")[5],
        ),
        (
            "trainees/trainee",
            lambda: Trainee.objects.filter(enrollments__isnull=False).order_by("pk")[0],
            lambda: Trainee.objects.filter(enrollments__isnull=False).order_by("-pk")[0],
        ),
    ),
)
def test_a_change_page_costs_the_same_queries_whatever_its_inlines_hold(staff_client, model, full, light):
    full_record, light_record = full(), light()
    many, full_page = page_queries(staff_client, f"/admin/{model}/{full_record.pk}/change/")
    few, light_page = page_queries(staff_client, f"/admin/{model}/{light_record.pk}/change/")

    assert full_page.count(b"<tr") > light_page.count(b"<tr")
    assert many == few


def test_a_count_beyond_the_cap_is_the_planners_estimate_and_reads_no_more_rows(monkeypatch):
    monkeypatch.setattr(admin_pagination, "CAP", 10)
    with CaptureQueriesContext(connection) as captured:
        count = CappedCountPaginator(Enrollment.objects.order_by("pk"), 5).count

    assert count >= 11
    assert "LIMIT 11" in captured[0]["sql"]
    assert captured[1]["sql"].startswith("EXPLAIN")
    assert len(captured) == 2


def test_a_count_within_the_cap_is_exact(monkeypatch):
    monkeypatch.setattr(admin_pagination, "CAP", 10)
    statuses = Enrollment.objects.filter(course__start_date__year=2001)

    assert CappedCountPaginator(statuses, 5).count == statuses.count() == ROWS // 3


def test_the_advisory_level_filter_offers_fixed_levels_and_filters_by_them(staff_client):
    listed = {
        level: page_queries(staff_client, "/admin/dispatch/deployment/", travel_advisory_level=level)[1].count(
            b'name="_selected_action"'
        )
        for level in ("none", "1", "3")
    }

    assert listed == {
        "none": Deployment.objects.filter(travel_advisory_level__isnull=True).count(),
        "1": Deployment.objects.filter(travel_advisory_level=1).count(),
        "3": Deployment.objects.filter(travel_advisory_level=3).count(),
    }


def test_the_course_filter_offers_recent_courses_and_filters_by_any(staff_client):
    old = Course.objects.get(start_date=date(2001, 5, 1))
    recent = Course.objects.exclude(pk=old.pk).first()
    _, page = page_queries(staff_client, "/admin/trainees/enrollment/")
    assert f'course={recent.pk}"'.encode() in page
    assert f'course={old.pk}"'.encode() not in page

    _, enrollments = page_queries(staff_client, "/admin/trainees/enrollment/", course=old.pk)
    _, trainees = page_queries(staff_client, "/admin/trainees/trainee/", course=old.pk)

    assert enrollments.count(b'name="_selected_action"') == old.enrollments.count()
    assert trainees.count(b'name="_selected_action"') == old.enrollments.values("trainee").distinct().count()
    assert staff_client.get("/admin/trainees/trainee/", {"course": "x"}).status_code == 302


def test_the_trainee_list_counts_each_trainees_courses(staff_client):
    many = Trainee.objects.filter(enrollments__status=EnrollmentStatus.NOMINATED).order_by("pk").first()
    response = staff_client.get("/admin/trainees/trainee/", {"q": many.family_name})

    (listed,) = response.context["cl"].result_list
    assert listed.course_count == many.enrollments.count() == 3
