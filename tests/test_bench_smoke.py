"""Every benchmark case runs on a small agency and its application path answers what its raw SQL does.

No timing is asserted: the point is that `make bench` works and that each raw baseline
computes the same answer as the application, so the ratios it prints are honest.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bench.harness import format_table
from bench.runner import CASES, run_cases
from cooperation.choices import Gender
from cooperation.periods import Period, fiscal_year_of
from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory, RegionFactory
from devtools.synthetic import generate
from dispatch.choices import DeploymentStatus, MissionKind, TeamType
from dispatch.tests.factories import (
    DeploymentFactory,
    ExpertFactory,
    ExpertLanguageFactory,
    MissionFactory,
    ProgramFactory,
    ProjectFactory,
    partner_in,
)
from programs.tests.factories import FundingFactory, IndicatorFactory, MeasurementFactory
from trainees.models import Course, Delegation, EnrollmentStatus
from trainees.tests.factories import CourseFactory, DelegationFactory, EnrollmentFactory, TraineeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_agency():
    """A little of everything each case reads, inside last fiscal year (the dashboard's default)."""
    period = Period.fiscal_year(fiscal_year_of(timezone.localdate()) - 1)
    day = period.start + timedelta(days=30)
    RegionFactory(code="asean", countries=["ID", "PH", "VN"])
    partner = OrganizationFactory(code="jica-bench", kind="development_agency", country="JP")
    fields = [CooperationFieldFactory(), CooperationFieldFactory(dac_code="15210")]
    program = ProgramFactory(published=True, counterpart=partner)
    partner_in(program, partner)
    projects = [ProjectFactory(program=program, published=True) for _ in range(2)]
    for project in projects:
        project.fields.set(fields)
        FundingFactory(program=program, project=project, organization=partner, fiscal_year=period.start.year)
        MeasurementFactory(indicator=IndicatorFactory(project=project))
    experts = [ExpertFactory(countries_of_experience=["ID"] if n % 2 else []) for n in range(6)]
    for n, expert in enumerate(experts):
        expert.specialties.set(fields[: n % 3])
        ExpertLanguageFactory(expert=expert, language="en", level=2 + n % 3)
        DeploymentFactory(
            expert=expert,
            project=projects[n % 2],
            status=DeploymentStatus.RETURNED,
            planned_start=day,
            planned_end=day + timedelta(days=90 + 300 * (n % 2)),
            actual_start=day,
            actual_end=day + timedelta(days=90 + 300 * (n % 2)),
        )
    DeploymentFactory(
        expert=None,
        project=projects[0],
        status=DeploymentStatus.REQUESTED,
        planned_start=period.end + timedelta(days=400),
        planned_end=period.end + timedelta(days=500),
    )
    MissionFactory(requested_on=day, police_officers_reported=7)
    MissionFactory(kind=MissionKind.DISASTER_RELIEF, team_type=TeamType.DVI, requested_on=day)
    for n in range(3):
        course = CourseFactory(
            start_date=day + timedelta(days=20 * n),
            end_date=day + timedelta(days=20 * n + 10),
            nomination_deadline=day,
            status=Course.Status.HELD if n else Course.Status.CANCELLED,
            capacity=20,
        )
        for m in range(4):
            trainee = TraineeFactory(nationality=("ID", "PH", "KE")[m % 3], gender=Gender.values[m % 2])
            status = (EnrollmentStatus.COMPLETED, EnrollmentStatus.ARRIVED, EnrollmentStatus.WITHDRAWN)[m % 3]
            EnrollmentFactory(course=course, trainee=trainee, nominated_by=partner, status=status)
    # Only held delegations count in the visitors figure.
    DelegationFactory(start_date=day, end_date=day + timedelta(days=2), visitors=9, status=Delegation.Status.HELD)
    return period


# Slow: runs every benchmark case and its raw SQL.
@pytest.mark.slow
def test_every_case_answers_as_its_raw_sql(small_agency):
    rows = run_cases(list(CASES), iterations=1, warmup=0)

    table = format_table(rows)
    assert {row.case for row in rows} == {"1", "2", "3", "4", "5", "7"}
    for row in rows:
        assert row.app.median > 0 and row.app.p95 >= row.app.median, table
        assert row.raw is not None and row.raw.median > 0, table
        assert row.agrees, f"{row.case} {row.name}: app {row.app_answer!r} != raw {row.raw_answer!r}"
    checked = [row for row in rows if row.app_answer is not None]
    # Every case but the dashboard page compares a real answer, and the data make them non-trivial.
    assert len(checked) == len(rows) - 1
    answers = {row.name.split(",")[0].split(" (")[0]: row.app_answer for row in rows}
    figures = answers["annual summary API"]["figures"]
    assert (figures["experts_total"], figures["trainees"], figures["courses_held"]) == (6, 6, 2)
    assert (figures["visitors"], figures["relief_missions"]) == (9, 2)
    assert answers["deployments page"][0] == 6
    assert answers["enrollments page"][0] == 9  # the cancelled course's too: a list shows them
    assert len(answers["candidate search"]) == 6
    assert answers["CSV bulk nomination"] == (5000, 5000)
    assert answers["IATI file"] == 3
    # The admin lists show the page's rows (all of them here) newest or by name first.
    assert len(answers["deployments changelist"]) == 7
    assert len(answers["enrollments changelist"]) == len(answers["trainees changelist"]) == 12
    assert answers["trainee change page"][1:] == (1,)  # one enrollment in its inline


# Slow: generates a synthetic agency, then runs every benchmark case on it.
@pytest.mark.slow
def test_every_case_answers_as_its_raw_sql_on_the_synthetic_agency():
    """The generator's distributions (cancellations, waitlists, long stays) meet the same checks."""
    generate(scale=0.001, seed=7, report=lambda line: None)

    rows = run_cases(list(CASES), iterations=1, warmup=0)

    for row in rows:
        assert row.agrees, f"{row.case} {row.name}: app {row.app_answer!r} != raw {row.raw_answer!r}"
    figures = next(row for row in rows if row.name.startswith("annual summary API")).app_answer["figures"]
    assert figures["experts_total"] > 0 and figures["trainees"] > 0
