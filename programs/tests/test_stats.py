"""Portfolio figures on a hand-built portfolio whose answers are worked out below."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.periods import Period
from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory, RegionFactory
from programs import stats

from .factories import FundingFactory, IndicatorFactory, MeasurementFactory, ProgramFactory, ProjectFactory

pytestmark = pytest.mark.django_db

CALENDAR_2012 = Period.calendar_year(2012)
FISCAL_2011 = Period.fiscal_year(2011)  # 2011-04-01 – 2012-03-31
FISCAL_2012 = Period.fiscal_year(2012)  # 2012-04-01 – 2013-03-31


@pytest.fixture
def portfolio():
    """
    programs                                            projects
    idn  ID  2001-01-01 – open        koban             civilian  (ID, inherited) 2011-10-01 – 2012-06-30 koban
                                                        polmas    ID 2012-07-01 – open               koban
    vnm  VN  2010-01-01 – 2012-03-31  traffic           traffic   VN 2010-04-01 – 2012-03-31         traffic
    afg  AF  2012-06-01 – open        koban, traffic    judo      TR 2012-06-01 – open               traffic
    phl  PH  cancelled                koban             cancelled project
    reg  (regional) 2012-01-01 – open
    Regions overlap: asean-t = ID PH VN; indo-t = ID PH VN AF; south-t = AF.
    """
    koban = CooperationFieldFactory(code="koban")
    traffic = CooperationFieldFactory(code="traffic")
    RegionFactory(code="asean-t", name="ASEAN", countries=["ID", "PH", "VN"])
    RegionFactory(code="indo-t", name="Indo-Pacific", countries=["ID", "PH", "VN", "AF"])
    RegionFactory(code="south-t", name="South Asia", countries=["AF"])
    jica = OrganizationFactory(code="jica-t")
    unodc = OrganizationFactory(code="unodc-t")

    idn = ProgramFactory(code="idn", country="ID", start_date=date(2001, 1, 1))
    idn.fields.set([koban])
    vnm = ProgramFactory(
        code="vnm", country="VN", start_date=date(2010, 1, 1), end_date=date(2012, 3, 31), status="completed"
    )
    vnm.fields.set([traffic])
    afg = ProgramFactory(code="afg", country="AF", start_date=date(2012, 6, 1))
    afg.fields.set([koban, traffic])
    phl = ProgramFactory(code="phl", country="PH", start_date=date(2012, 1, 1), status="cancelled")
    phl.fields.set([koban])
    ProgramFactory(code="reg", country="", start_date=date(2012, 1, 1))

    civilian = ProjectFactory(
        program=idn, code="civilian", country="", start_date=date(2011, 10, 1), end_date=date(2012, 6, 30)
    )
    civilian.fields.set([koban])
    polmas = ProjectFactory(program=idn, code="polmas", country="ID", start_date=date(2012, 7, 1))
    polmas.fields.set([koban])
    ProjectFactory(
        program=vnm, code="traffic", country="VN", start_date=date(2010, 4, 1), end_date=date(2012, 3, 31)
    ).fields.set([traffic])
    judo = ProjectFactory(program=afg, code="judo", country="TR", start_date=date(2012, 6, 1))
    judo.fields.set([traffic])
    dropped = ProjectFactory(program=phl, code="dropped", country="PH", status="cancelled")
    dropped.fields.set([koban])

    FundingFactory(program=idn, project=civilian, organization=jica, fiscal_year=2011, amount=Decimal("100"))
    FundingFactory(program=idn, organization=jica, fiscal_year=2012, amount=Decimal("200"))
    FundingFactory(program=idn, organization=jica, fiscal_year=2012, amount=Decimal("50"))
    FundingFactory(program=afg, organization=unodc, fiscal_year=2012, amount=Decimal("30"), currency="USD")
    FundingFactory(program=phl, organization=jica, fiscal_year=2012, amount=Decimal("999"))
    FundingFactory(program=idn, organization=unodc, fiscal_year=2013, amount=Decimal("10"))

    stations = IndicatorFactory(
        project=polmas, name="stations", baseline_value=2, target_value=12, baseline_date=date(2012, 7, 1)
    )
    MeasurementFactory(indicator=stations, period_end=date(2012, 12, 31), value=7)
    MeasurementFactory(indicator=stations, period_end=date(2013, 3, 31), value=12)
    incidents = IndicatorFactory(
        project=judo, name="incidents", baseline_value=100, target_value=50, baseline_date=date(2012, 6, 1)
    )
    MeasurementFactory(indicator=incidents, period_end=date(2012, 12, 31), value=80)
    IndicatorFactory(project=civilian, name="kobans", baseline_date=date(2011, 10, 1))
    IndicatorFactory(project=dropped, name="dropped", baseline_date=date(2012, 1, 1))


def test_active_programs_by_country(portfolio):
    # vnm ends on the last day of calendar Q1 2012; phl is cancelled; reg has no country.
    assert stats.active_programs_by_country(CALENDAR_2012) == [
        {"country": "AF", "programs": 1},
        {"country": "ID", "programs": 1},
        {"country": "VN", "programs": 1},
    ]
    assert stats.active_programs_by_country(FISCAL_2012) == [
        {"country": "AF", "programs": 1},
        {"country": "ID", "programs": 1},
    ]


def test_a_project_spanning_the_fiscal_year_boundary_counts_in_both_years(portfolio):
    # civilian runs 2011-10-01 – 2012-06-30 and takes its country (ID) from its program.
    assert stats.active_projects_by_country(FISCAL_2011) == [
        {"country": "ID", "projects": 1},
        {"country": "VN", "projects": 1},
    ]
    assert stats.active_projects_by_country(FISCAL_2012) == [
        {"country": "ID", "projects": 2},
        {"country": "TR", "projects": 1},
    ]
    assert stats.active_projects_by_country(CALENDAR_2012) == [
        {"country": "ID", "projects": 2},
        {"country": "TR", "projects": 1},
        {"country": "VN", "projects": 1},
    ]


def test_overlapping_regions_each_count_their_countries(portfolio):
    assert stats.active_by_region(CALENDAR_2012) == [
        {"region": "asean-t", "name": "ASEAN", "programs": 2, "projects": 3},
        {"region": "indo-t", "name": "Indo-Pacific", "programs": 3, "projects": 3},
        {"region": "south-t", "name": "South Asia", "programs": 1, "projects": 0},
    ]


def test_active_by_field(portfolio):
    rows = stats.active_by_field(FISCAL_2012)
    # FY2012: idn, afg, reg (no fields) active; civilian, polmas, judo active.
    assert [(row["field"], row["programs"], row["projects"]) for row in rows] == [
        ("koban", 2, 2),
        ("traffic", 1, 1),
    ]


def test_funding_per_fiscal_year_and_organization(portfolio):
    # Calendar 2012 overlaps FY2011 (its January–March) and FY2012; phl's money is cancelled.
    assert stats.funding_by_fiscal_year(CALENDAR_2012) == [
        {"fiscal_year": 2011, "organization": "jica-t", "currency": "JPY", "amount": Decimal("100")},
        {"fiscal_year": 2012, "organization": "jica-t", "currency": "JPY", "amount": Decimal("250")},
        {"fiscal_year": 2012, "organization": "unodc-t", "currency": "USD", "amount": Decimal("30")},
    ]
    assert [row["fiscal_year"] for row in stats.funding_by_fiscal_year(FISCAL_2012)] == [2012, 2012]


def test_indicator_progress_as_of_the_end_of_the_period(portfolio):
    by_name = {row["name"]: row for row in stats.indicator_progress(CALENDAR_2012)}
    assert set(by_name) == {"stations", "incidents", "kobans"}
    # stations: (7 − 2) / (12 − 2); incidents falls toward its target: (80 − 100) / (50 − 100).
    assert by_name["stations"]["latest_value"] == 7
    assert by_name["stations"]["progress"] == Decimal("0.5")
    assert by_name["incidents"]["progress"] == Decimal("0.4")
    assert by_name["kobans"]["progress"] is None
    later = {row["name"]: row for row in stats.indicator_progress(FISCAL_2012)}
    assert later["stations"]["latest_period_end"] == date(2013, 3, 31)
    assert later["stations"]["progress"] == 1


def test_indicator_progress_summary(portfolio):
    assert stats.indicator_progress_summary(CALENDAR_2012) == {
        "indicators": 3,
        "with_values": 2,
        "targets_met": 0,
        "average_progress": Decimal("0.45"),
    }
    assert stats.indicator_progress_summary(FISCAL_2012)["targets_met"] == 1


@pytest.mark.parametrize(
    "figure",
    [
        stats.active_programs_by_country,
        stats.active_projects_by_country,
        stats.active_by_region,
        stats.active_by_field,
        stats.funding_by_fiscal_year,
        stats.indicator_progress,
        stats.indicator_progress_summary,
    ],
)
def test_each_figure_is_one_query(portfolio, figure):
    with CaptureQueriesContext(connection) as captured:
        figure(CALENDAR_2012)
    assert len(captured) == 1


def test_an_archived_program_leaves_every_figure(portfolio, staff_user):
    from cooperation.archive import archive
    from programs.models import Funding, Program

    afg = Program.objects.get(code="afg")
    before = {
        "countries": stats.active_programs_by_country(CALENDAR_2012),
        "projects": stats.active_projects_by_country(CALENDAR_2012),
        "money": stats.funding_by_fiscal_year(CALENDAR_2012),
    }
    afg_money = sum(f.amount for f in Funding.objects.filter(program=afg, fiscal_year__in=(2011, 2012)))
    archive(afg, actor=staff_user)
    after = {
        "countries": stats.active_programs_by_country(CALENDAR_2012),
        "projects": stats.active_projects_by_country(CALENDAR_2012),
        "money": stats.funding_by_fiscal_year(CALENDAR_2012),
    }
    assert "AF" in {row["country"] for row in before["countries"]}
    assert "AF" not in {row["country"] for row in after["countries"]}
    assert "TR" in {row["country"] for row in before["projects"]}
    assert "TR" not in {row["country"] for row in after["projects"]}
    assert afg_money > 0
    assert sum(row["amount"] for row in before["money"]) - sum(row["amount"] for row in after["money"]) == afg_money
