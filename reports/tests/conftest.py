"""A small agency whose fiscal-2012 figures are known by hand (see EXPECTED_FY2012)."""

from datetime import date

import pytest

from cooperation.choices import Gender
from cooperation.models import Organization
from cooperation.tests.factories import OrganizationFactory
from dispatch.choices import DeploymentKind, DeploymentStatus, MissionKind, MissionStatus, TeamType
from dispatch.tests.factories import DeploymentFactory, MissionFactory
from trainees.models import Course, Delegation, EnrollmentStatus
from trainees.tests.factories import CourseFactory, DelegationFactory, EnrollmentFactory

# Fiscal 2012 runs from 1 April 2012 to 31 March 2013. Written down from the dataset below,
# not computed by the code under test.
EXPECTED_FY2012 = {
    "experts_new": 2,  # B (starts 1 April 2012) and C (starts 31 March 2013)
    "experts_total": 3,  # A continues from fiscal 2011, plus B and C
    "courses_held": 2,  # K1 and K2; K3 started the day before, K4 was cancelled
    "trainees": 4,  # arrived or completed in K1 (3) and K2 (1)
    "trainees_completed": 3,
    "visitors": 15,  # 10 on 1 April 2012 and 5 on 31 March 2013
    "relief_missions": 1,  # the DVI team of May 2012; the cancelled one never counts
    "relief_officers": 5,
    "relief_officers_since_1987": 43,  # 38 (2011) + 5 (2012); the 1987-09-15 team predates the law
    "relief_countries_since_1987": 2,  # New Zealand and Thailand
    "civilian_police_officials": 2,
    "secondees_unodc": 1,  # one secondee at UNODC on 31 March 2013 …
    "secondees_unodc_target": 32,  # … against the default target
}


def _deployment(start: date, end: date, status=DeploymentStatus.RETURNED):
    return DeploymentFactory(planned_start=start, planned_end=end, actual_start=start, actual_end=end, status=status)


def _mission(departure: date, officers: int, country: str, **fields):
    return MissionFactory(
        requested_on=departure, departure_on=departure, police_officers_reported=officers, country=country, **fields
    )


def _enrolled(course, status, gender):
    return EnrollmentFactory(course=course, status=status, trainee__gender=gender)


@pytest.fixture
def dashboard_dataset(db):
    build_dashboard_dataset()


def build_dashboard_dataset():
    """Creates the records behind EXPECTED_FY2012; a second call doubles every figure but the targets."""
    unodc = Organization.objects.filter(code="unodc").first() or OrganizationFactory(
        code="unodc", name="UNODC", kind=Organization.Kind.INTERNATIONAL_ORGANIZATION, country="AT"
    )
    _deployment(date(2011, 10, 1), date(2013, 9, 30))  # A, continuing
    _deployment(date(2012, 4, 1), date(2012, 9, 30))  # B
    _deployment(date(2013, 3, 31), date(2013, 6, 30))  # C
    _deployment(date(2012, 1, 10), date(2012, 3, 31))  # D, fiscal 2011
    _deployment(date(2012, 6, 1), date(2012, 8, 1), status=DeploymentStatus.CANCELLED)  # E

    def course(start, status=Course.Status.HELD):
        return CourseFactory(start_date=start, end_date=start, nomination_deadline=start, status=status)

    k1, k2, k3 = course(date(2012, 4, 1)), course(date(2013, 3, 31)), course(date(2012, 3, 31))
    k4 = course(date(2012, 6, 1), status=Course.Status.CANCELLED)
    _enrolled(k1, EnrollmentStatus.COMPLETED, Gender.FEMALE)
    _enrolled(k1, EnrollmentStatus.COMPLETED, Gender.MALE)
    _enrolled(k1, EnrollmentStatus.ARRIVED, Gender.FEMALE)
    _enrolled(k1, EnrollmentStatus.WITHDRAWN, Gender.MALE)
    _enrolled(k1, EnrollmentStatus.REJECTED, Gender.FEMALE)
    _enrolled(k2, EnrollmentStatus.COMPLETED, Gender.MALE)
    _enrolled(k3, EnrollmentStatus.COMPLETED, Gender.FEMALE)
    _enrolled(k4, EnrollmentStatus.NOMINATED, Gender.FEMALE)

    _mission(date(1987, 9, 15), 10, "MX")  # the day before the law took effect
    _mission(date(2011, 2, 23), 38, "NZ")
    _mission(date(2012, 5, 10), 5, "TH", team_type=TeamType.DVI)
    _mission(date(2012, 6, 1), 20, "TR", status=MissionStatus.CANCELLED)
    _mission(date(2012, 7, 1), 2, "TL", kind=MissionKind.CIVILIAN_POLICE, disaster=None)
    DeploymentFactory(
        kind=DeploymentKind.SECONDMENT,
        project=None,
        host_organization=unodc,
        country="AT",
        city="Vienna",
        planned_start=date(2012, 10, 1),
        planned_end=date(2015, 9, 30),
        actual_start=date(2012, 10, 1),
        status=DeploymentStatus.DEPLOYED,
    )

    # Only held delegations count: these three were held.
    held = Delegation.Status.HELD
    DelegationFactory(start_date=date(2012, 4, 1), end_date=date(2012, 4, 3), visitors=10, status=held)
    DelegationFactory(start_date=date(2013, 3, 31), end_date=date(2013, 4, 2), visitors=5, status=held)
    DelegationFactory(start_date=date(2013, 4, 1), end_date=date(2013, 4, 2), visitors=7, status=held)
