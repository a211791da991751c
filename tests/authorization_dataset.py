"""The records the authorization matrix asks about, built once for the whole module.

Two partner organizations take part in different records: "own" records are those of
the organization the partner coordinator works for, "other" records those of another
organization only. Every resource has one of each; `spare(...)` makes one more record of
a resource, whose representation becomes a valid body for creating it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from cooperation.models import Organization, ReportJob
from cooperation.roles import MANAGER, NPA_STAFF, PARTNER_COORDINATOR
from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory, RegionFactory, UserFactory
from dispatch.tests.factories import (
    DeploymentFactory,
    DisasterEventFactory,
    ExpertFactory,
    FigureCheckpointFactory,
    MissionFactory,
    OpeningBalanceFactory,
)
from duty.models import Incident
from programs.models import PeriodValue, PeriodValueEvidence
from programs.tests.factories import (
    EventFactory,
    FundingFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    MeasurementFactory,
    ProgramFactory,
    ProjectFactory,
    SiteFactory,
)
from trainees.models import CourseVisit, EnrollmentStatus, FollowUpSurvey, SurveyInvitation
from trainees.tests.factories import CourseFactory, DelegationFactory, EnrollmentFactory, TraineeFactory

from . import authorization_policy as policy


@dataclass
class Side:
    """The records one partner organization takes part in."""

    organization: Organization
    records: dict = field(default_factory=dict)


@dataclass
class Dataset:
    users: dict
    sides: dict
    extras: dict

    def record(self, basename: str, target: str):
        return self.sides[target].records[basename]


def _submitted_value(period, organization) -> PeriodValue:
    return PeriodValue.objects.create(period=period, organization=organization, value=10, status="submitted")


def _evidence(period_value) -> PeriodValueEvidence:
    evidence = PeriodValueEvidence(period_value=period_value, name="count.pdf", content_type="application/pdf", size=9)
    evidence.file.save("count.pdf", ContentFile(b"%PDF-1.7\n"))
    return evidence


def _side(organization, country: str) -> Side:
    side = Side(organization)
    r = side.records
    r["region"] = RegionFactory()
    r["organization"] = organization
    r["cooperationfield"] = CooperationFieldFactory()
    r["program"] = ProgramFactory(counterpart=organization, country=country)
    r["project"] = ProjectFactory(program=r["program"], country=country)
    r["site"] = SiteFactory(projects=[r["project"]], country=country)
    r["funding"] = FundingFactory(program=r["program"], organization=organization)
    r["indicator"] = IndicatorFactory(project=r["project"])
    r["measurement"] = MeasurementFactory(indicator=r["indicator"])
    # Reported values protect their indicator from deletion: theirs is one of its own, so the
    # indicator above can be deleted by those who may.
    r["indicatorperiod"] = IndicatorPeriodFactory(indicator=IndicatorFactory(project=r["project"]))
    r["periodvalue"] = _submitted_value(r["indicatorperiod"], organization)
    r["periodvalueevidence"] = _evidence(r["periodvalue"])
    r["event"] = EventFactory(program=r["program"])
    r["deployment"] = DeploymentFactory(project=r["project"], country=country)
    r["expert"] = r["deployment"].expert
    r["disasterevent"] = DisasterEventFactory()
    r["mission"] = MissionFactory(disaster=r["disasterevent"])
    r["figurecheckpoint"] = FigureCheckpointFactory()
    r["openingbalance"] = OpeningBalanceFactory()
    # Open to this organization's country only, so the other one does not see it.
    r["course"] = CourseFactory(target_countries=[country])
    r["coursevisit"] = CourseVisit.objects.create(
        course=r["course"], date=r["course"].start_date + timedelta(days=2), place="Koban", kind="koban"
    )
    r["enrollment"] = EnrollmentFactory(course=r["course"], nominated_by=organization, trainee__nationality=country)
    r["trainee"] = r["enrollment"].trainee
    r["delegation"] = DelegationFactory(country=country)
    r["incident"] = _incident(country)
    return side


def _incident(country: str) -> Incident:
    """An open incident in the country, on a day nobody of the dataset is abroad."""
    return Incident.objects.create(
        kind="flood",
        title=f"Flood in {country}",
        countries=[country],
        occurred_at=timezone.now() - timedelta(days=3650),
    )


def build() -> Dataset:
    npa = OrganizationFactory(code="matrix-npa", kind=Organization.Kind.NPA, country="JP")
    own = OrganizationFactory(code="matrix-own", kind=Organization.Kind.RECIPIENT_AGENCY, country="TH")
    other = OrganizationFactory(code="matrix-other", kind=Organization.Kind.RECIPIENT_AGENCY, country="VN")
    users = {
        policy.ANONYMOUS: None,
        policy.ROLELESS: UserFactory(username="matrix-roleless", role=None, organization=own),
        policy.STAFF: UserFactory(username="matrix-staff", role=NPA_STAFF, organization=npa),
        policy.MANAGER: UserFactory(username="matrix-manager", role=MANAGER, organization=npa),
        policy.COORDINATOR: UserFactory(username="matrix-coordinator", role=PARTNER_COORDINATOR, organization=own),
        policy.SUPERUSER: UserFactory(username="matrix-superuser", is_superuser=True, is_staff=True, organization=npa),
    }
    sides = {policy.OWN: _side(own, "TH"), policy.OTHER: _side(other, "VN")}
    finished = timezone.now()
    extras = {
        "pack": ReportJob.objects.create(
            requested_by=users[policy.MANAGER],
            parameters={"kind": "fiscal_year", "value": 2024},
            status=ReportJob.Status.DONE,
            progress=100,
            filename="pack.csv",
            content=b"a,b\n",
            finished_at=finished,
        ),
        "completed": EnrollmentFactory(
            course=CourseFactory(start_date=date(2024, 5, 1), status="closed"),
            nominated_by=own,
            status=EnrollmentStatus.COMPLETED,
        ),
        "published": ProgramFactory(counterpart=own, published=True),
    }
    extras["survey-invitation"] = SurveyInvitation.objects.create(
        survey=FollowUpSurvey.objects.create(course=extras["completed"].course, months_after=6),
        enrollment=extras["completed"],
        email="matrix-trainee@example.org",
        expires_at=finished + timedelta(days=30),
    )
    return Dataset(users=users, sides=sides, extras=extras)


def spare(basename: str, data: Dataset, target: str):
    """One more record of the resource, on the side of `target`."""
    side = data.sides[target]
    r = side.records
    makers = {
        "region": lambda: RegionFactory(),
        "organization": lambda: OrganizationFactory(),
        "cooperationfield": lambda: CooperationFieldFactory(),
        "program": lambda: ProgramFactory(counterpart=side.organization),
        "project": lambda: ProjectFactory(program=r["program"]),
        "site": lambda: SiteFactory(projects=[r["project"]]),
        "funding": lambda: FundingFactory(program=r["program"], organization=side.organization, fiscal_year=2031),
        "indicator": lambda: IndicatorFactory(project=r["project"]),
        "measurement": lambda: MeasurementFactory(indicator=r["indicator"], period_end=date(2014, 3, 31)),
        "indicatorperiod": lambda: IndicatorPeriodFactory(
            indicator=r["indicator"], start=date(2026, 4, 1), end=date(2026, 6, 30)
        ),
        "periodvalue": lambda: _submitted_value(
            IndicatorPeriodFactory(indicator=r["indicator"], start=date(2025, 4, 1), end=date(2025, 6, 30)),
            side.organization,
        ),
        "event": lambda: EventFactory(program=r["program"]),
        "expert": lambda: ExpertFactory(),
        "deployment": lambda: DeploymentFactory(
            project=r["project"], expert=r["expert"], planned_start=date(2032, 4, 1), planned_end=date(2032, 9, 30)
        ),
        "disasterevent": lambda: DisasterEventFactory(),
        "mission": lambda: MissionFactory(disaster=r["disasterevent"]),
        "figurecheckpoint": lambda: FigureCheckpointFactory(),
        "openingbalance": lambda: OpeningBalanceFactory(),
        "course": lambda: CourseFactory(),
        "coursevisit": lambda: CourseVisit.objects.create(
            course=r["course"], date=r["course"].start_date + timedelta(days=3), place="Command center", kind="koban"
        ),
        "trainee": lambda: TraineeFactory(),
        "enrollment": lambda: EnrollmentFactory(
            course=CourseFactory(target_countries=[side.organization.country]),
            nominated_by=side.organization,
            trainee=r["trainee"],
        ),
        "delegation": lambda: DelegationFactory(),
        "incident": lambda: _incident(side.organization.country),
    }
    return makers[basename]()


# The resources the dataset has records of (own and other) and can make spares of.
MAKERS = (
    "region",
    "organization",
    "cooperationfield",
    "program",
    "project",
    "site",
    "funding",
    "indicator",
    "measurement",
    "indicatorperiod",
    "periodvalue",
    "event",
    "expert",
    "deployment",
    "disasterevent",
    "mission",
    "figurecheckpoint",
    "openingbalance",
    "course",
    "coursevisit",
    "trainee",
    "enrollment",
    "delegation",
    "incident",
)
