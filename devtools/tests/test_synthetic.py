"""The synthetic agency: scaled counts, every status, determinism, refusals and scoping."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import token_client
from cooperation.backup import table_fingerprints
from cooperation.models import Organization
from cooperation.periods import fiscal_year_of
from cooperation.roles import PARTNER_COORDINATOR
from cooperation.tests.factories import UserFactory
from devtools.synthetic.base import FULL_SCALE, Plan
from dispatch.choices import DeploymentStatus
from dispatch.models import ChecklistItem, Deployment, DeploymentStatusChange, Expert, SafetyCheckIn
from dispatch.selectors import candidates_for
from programs.models import Event, Indicator, Measurement, Program, Project, Site, Status
from trainees.models import Course, CourseVisit, Delegation, Enrollment, EnrollmentStatus, EnrollmentStatusChange

pytestmark = pytest.mark.django_db

# The smallest scale at which every workflow status shows up; a run takes a few seconds.
SCALE = 0.005


def generate(*args: str) -> None:
    call_command("generate_synthetic", "--scale", str(SCALE), *args, stdout=StringIO())


def synthetic_programs():
    return Program.objects.filter(code__startswith="SYN-")


# Slow: generates a synthetic agency.
def test_counts_scale_and_every_workflow_status_appears(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    with pytest.raises(CommandError, match="--force"):
        generate()
    assert not synthetic_programs().exists()
    generate("--force")

    plan = Plan(scale=SCALE, seed=1)
    assert plan.count("enrollments") == round(FULL_SCALE["enrollments"] * SCALE)
    assert Plan(scale=0.0001, seed=1).count("programs") == 1
    assert synthetic_programs().count() == plan.count("programs")
    assert Project.objects.filter(code__startswith="SYN-").count() == plan.count("projects")
    assert Expert.objects.filter(personnel_number__startswith="SYN-").count() == plan.count("experts")
    assert Deployment.objects.filter(post__startswith="Synthetic ").count() == plan.count("deployments")
    assert Course.objects.filter(code__startswith="SYN-").count() == plan.count("courses")
    assert Enrollment.objects.filter(course__code__startswith="SYN-").count() == plan.count("enrollments")
    assert Delegation.objects.filter(title__startswith="Synthetic delegation").count() == plan.count("delegations")

    assert set(synthetic_programs().values_list("status", flat=True)) == set(Status.values)
    assert set(Project.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Deployment.objects.values_list("status", flat=True)) == set(DeploymentStatus.values)
    assert set(Course.objects.values_list("status", flat=True)) == set(Course.Status.values)
    assert set(Enrollment.objects.values_list("status", flat=True)) == set(EnrollmentStatus.values)

    # Every page has rows to show: histories, checklists, check-ins, visits, sites, results, events.
    for model in (
        DeploymentStatusChange,
        EnrollmentStatusChange,
        ChecklistItem,
        SafetyCheckIn,
        CourseVisit,
        Site,
        Indicator,
        Measurement,
        Event,
    ):
        assert model.objects.exists(), model.__name__
    closed = Deployment.objects.filter(status=DeploymentStatus.CLOSED).first()
    assert list(closed.status_changes.values_list("to_status", flat=True)) == [
        "requested",
        "nominated",
        "preparing",
        "deployed",
        "returned",
        "closed",
    ]
    completed = Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED).first()
    assert completed.status_changes.order_by("changed_at", "pk").last().to_status == "completed"
    assert Site.objects.filter(projects__isnull=False).count() == Site.objects.count()
    assert Event.objects.filter(organizers__isnull=False).exists()
    # Some open request has someone fit and free to fill it.
    requested = Deployment.objects.filter(status=DeploymentStatus.REQUESTED, project__isnull=False)
    assert any(candidates_for(deployment, languages=[]) for deployment in requested)

    long_term = Deployment.objects.filter(term="long").exclude(status=DeploymentStatus.CANCELLED)
    across_years = [d for d in long_term if fiscal_year_of(d.planned_start) != fiscal_year_of(d.planned_end)]
    assert across_years
    assert Deployment.objects.filter(term="short").exists()


# The figures' record of which transactions changed their data (reports.maintained) names
# the writing transactions, which differ from run to run; the rows they wrote do not.
TRANSACTION_RECORDS = "reports_figures_change"


def data_fingerprints() -> dict:
    with connection.cursor() as cursor:
        fingerprints = table_fingerprints(cursor.cursor)
    fingerprints.pop(TRANSACTION_RECORDS)
    return fingerprints


# Slow: generates the synthetic agency three times.
@pytest.mark.slow
def test_same_seed_gives_identical_rows_and_replace_touches_only_synthetic_rows():
    real = Program.objects.create(code="REAL-1", title="A real program", start_date="2020-04-01")
    generate()
    first = data_fingerprints()
    with pytest.raises(CommandError, match="--replace"):
        generate()
    generate("--replace")
    assert data_fingerprints() == first
    assert Program.objects.filter(pk=real.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'trainees_enrollmentstatuschange'::regclass"
            " AND tgname LIKE '%%append_only' AND tgenabled = 'O'"
        )
        assert cursor.fetchone()[0] == 1

    generate("--replace", "--seed", "8")
    with connection.cursor() as cursor:
        other_seed = table_fingerprints(cursor.cursor)
    assert other_seed["dispatch_deployment"][0] == first["dispatch_deployment"][0]
    assert other_seed["dispatch_deployment"] != first["dispatch_deployment"]


def test_the_smallest_scale_loads_at_least_one_row_of_each():
    call_command("generate_synthetic", "--scale", "0.0001", stdout=StringIO())
    assert synthetic_programs().count() == 1
    assert Project.objects.filter(code__startswith="SYN-").count() == 1
    assert Course.objects.filter(code__startswith="SYN-").count() == 1
    assert Enrollment.objects.count() == Plan(scale=0.0001, seed=1).count("enrollments")
    assert Deployment.objects.count() == Plan(scale=0.0001, seed=1).count("deployments")


def test_refuses_a_scale_that_is_not_positive():
    with pytest.raises(CommandError, match="--scale"):
        call_command("generate_synthetic", "--scale", "0")


# Slow: generates a synthetic agency.
def test_partner_coordinator_sees_only_its_share():
    generate()
    jica = Organization.objects.get(code="jica")
    client = token_client(UserFactory(role=PARTNER_COORDINATOR, organization=jica))

    def listed(path: str) -> int:
        response = client.get(path, {"page_size": 1})
        assert response.status_code == 200
        return response.json()["count"]

    for path, model in (
        ("/api/v1/programs/", Program),
        ("/api/v1/deployments/", Deployment),
        ("/api/v1/enrollments/", Enrollment),
    ):
        share = model.objects.filter(model.partner_scope(jica)).count()
        assert 0 < share < model.objects.count()
        assert listed(path) == share
