"""One test per filter of every resource, on a small portfolio with known answers."""

from datetime import date
from decimal import Decimal

import pytest

from conftest import make_other_org, make_partner_org
from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory, RegionFactory
from programs.models import Event, ProgramPartner, Site

from .factories import (
    EventFactory,
    FundingFactory,
    IndicatorFactory,
    MeasurementFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    ProjectFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

# How each resource's rows are named in the expectations below.
KEYS = {
    "programs": "code",
    "projects": "code",
    "sites": "code",
    "events": "code",
    "fundings": "note",
    "indicators": "name",
    "measurements": "source",
}


@pytest.fixture
def partner_org(portfolio_organizations):
    return portfolio_organizations[0]


@pytest.fixture
def other_org(portfolio_organizations):
    return portfolio_organizations[1]


@pytest.fixture(scope="module")
def portfolio_organizations(module_transaction, django_db_blocker):
    """The portfolio below, written once for the module's cases (which only read it)."""
    with django_db_blocker.unblock():
        partner_org, other_org = make_partner_org(), make_other_org()
        write_portfolio(partner_org, other_org)
    return partner_org, other_org


@pytest.fixture
def portfolio(portfolio_organizations):
    return portfolio_organizations


def write_portfolio(partner_org, other_org):
    koban = CooperationFieldFactory(code="koban")
    forensics = CooperationFieldFactory(code="forensics")
    judo = CooperationFieldFactory(code="judo")
    RegionFactory(code="sea", countries=["ID", "PH"])
    RegionFactory(code="afg-area", countries=["AF", "TR"])
    polri = OrganizationFactory(code="polri-t", country="ID")
    asean = RegionFactory(code="asean-t", countries=["ID", "PH"], is_unodc_priority=True)

    idn = ProgramFactory(
        code="idn",
        title="Police reform",
        country="ID",
        kind="reform_support",
        start_date=date(2001, 1, 1),
        counterpart=polri,
        strategic_goals=["rule_of_law"],
        published=True,
    )
    idn.fields.set([koban])
    idn.priority_regions.set([asean])
    ProgramPartnerFactory(program=idn, organization=partner_org, role=ProgramPartner.Role.IMPLEMENTING)
    phl = ProgramFactory(
        code="phl",
        title="Anti-crime capability",
        country="PH",
        start_date=date(2008, 1, 1),
        end_date=date(2010, 3, 31),
        status="completed",
    )
    phl.fields.set([forensics])
    afg = ProgramFactory(
        code="afg",
        title="Afghan police training",
        country="AF",
        kind="third_country_training",
        start_date=date(2011, 4, 1),
        status="planned",
        counterpart=other_org,
    )
    afg.fields.set([judo])

    civilian = ProjectFactory(
        program=idn,
        code="civilian",
        title="Civilian police activities",
        start_date=date(2002, 1, 1),
        end_date=date(2012, 12, 31),
        status="completed",
        counterpart=polri,
    )
    civilian.fields.set([koban])
    polmas = ProjectFactory(
        program=idn, code="polmas", title="POLMAS nationwide", country="ID", start_date=date(2013, 1, 1)
    )
    judo_project = ProjectFactory(
        program=afg, code="judo", title="Judo instruction", country="TR", start_date=date(2011, 4, 1)
    )
    judo_project.fields.set([judo])
    ProjectFactory(
        program=phl,
        code="fingerprints",
        title="Fingerprints",
        start_date=date(2008, 6, 1),
        end_date=date(2010, 3, 31),
        status="completed",
    )

    SiteFactory(
        code="bekasi",
        name="Bekasi",
        kind=Site.Kind.MODEL_POLICE_STATION,
        country="ID",
        organization=polri,
        projects=[polmas],
    )
    SiteFactory(
        code="ankara", name="Ankara academy", kind=Site.Kind.TRAINING_CENTER, country="TR", projects=[judo_project]
    )

    FundingFactory(program=idn, project=civilian, organization=partner_org, fiscal_year=2011, note="idn-2011")
    FundingFactory(program=idn, organization=partner_org, fiscal_year=2012, note="idn-2012")
    FundingFactory(program=afg, organization=other_org, fiscal_year=2012, currency="USD", note="afg-2012")

    stations = IndicatorFactory(
        project=polmas,
        name="stations",
        baseline_value=Decimal("2"),
        target_value=Decimal("12"),
        baseline_date=date(2013, 1, 1),
    )
    MeasurementFactory(
        indicator=stations,
        period_end=date(2013, 12, 31),
        value=Decimal("7"),
        source="fy2013-q3",
        reported_by=partner_org,
    )
    MeasurementFactory(indicator=stations, period_end=date(2014, 3, 31), value=Decimal("12"), source="fy2013-q4")
    instructors = IndicatorFactory(project=judo_project, name="instructors", baseline_date=date(2011, 4, 1))
    MeasurementFactory(indicator=instructors, period_end=date(2012, 3, 31), value=Decimal("25"), source="fy2011")
    IndicatorFactory(project=civilian, name="kobans", baseline_date=date(2002, 1, 1))

    EventFactory(
        code="adec",
        name="ADEC",
        kind=Event.Kind.CONFERENCE,
        start_date=date(2012, 3, 30),
        end_date=date(2012, 4, 2),
        participating_countries=["ID", "TH"],
        organizers=[partner_org],
        program=None,
    )
    EventFactory(
        code="tip",
        name="Trafficking liaison",
        kind=Event.Kind.LIAISON_MEETING,
        country="JP",
        start_date=date(2013, 6, 1),
        end_date=date(2013, 6, 1),
        program=afg,
    )
    Event.objects.get(code="tip").fields.set([judo])
    EventFactory(
        code="bangkok", name="Bangkok seminar", kind=Event.Kind.SEMINAR, country="TH", start_date=None, end_date=None
    )


CASES = [
    # programs
    ("programs", "code=idn", ["idn"]),
    ("programs", "kind=reform_support&kind=third_country_training", ["afg", "idn"]),
    ("programs", "status=completed", ["phl"]),
    ("programs", "country=ID&country=AF", ["afg", "idn"]),
    ("programs", "region=sea", ["idn", "phl"]),
    ("programs", "field=koban&field=judo", ["afg", "idn"]),
    ("programs", "partner=jica-test", ["idn"]),
    ("programs", "partner=other-test", ["afg"]),
    ("programs", "counterpart=polri-t", ["idn"]),
    ("programs", "strategic_goal=rule_of_law", ["idn"]),
    ("programs", "priority_region=asean-t", ["idn"]),
    ("programs", "publication=published", ["idn"]),
    ("programs", "active_on=2010-03-31", ["idn", "phl"]),
    ("programs", "year=2011", ["afg", "idn"]),
    ("programs", "fiscal_year=2010", ["idn"]),
    ("programs", "fiscal_year=2009", ["idn", "phl"]),
    ("programs", "search=Afghan", ["afg"]),
    # projects
    ("projects", "code=judo", ["judo"]),
    ("projects", "program=idn", ["civilian", "polmas"]),
    ("projects", "status=completed", ["civilian", "fingerprints"]),
    ("projects", "country=ID", ["civilian", "polmas"]),
    ("projects", "country=TR", ["judo"]),
    ("projects", "region=afg-area", ["judo"]),
    ("projects", "field=koban", ["civilian"]),
    ("projects", "partner=jica-test", ["civilian", "polmas"]),
    ("projects", "counterpart=polri-t", ["civilian"]),
    ("projects", "active_on=2012-12-31", ["civilian", "judo"]),
    ("projects", "year=2013", ["judo", "polmas"]),
    ("projects", "fiscal_year=2012", ["civilian", "judo", "polmas"]),
    ("projects", "search=POLMAS", ["polmas"]),
    # sites
    ("sites", "code=bekasi", ["bekasi"]),
    ("sites", "kind=training_center", ["ankara"]),
    ("sites", "country=TR", ["ankara"]),
    ("sites", "region=sea", ["bekasi"]),
    ("sites", "project=polmas", ["bekasi"]),
    ("sites", "program=afg", ["ankara"]),
    ("sites", "organization=polri-t", ["bekasi"]),
    ("sites", "search=academy", ["ankara"]),
    # fundings
    ("fundings", "program=idn", ["idn-2011", "idn-2012"]),
    ("fundings", "project=civilian", ["idn-2011"]),
    ("fundings", "organization=other-test", ["afg-2012"]),
    ("fundings", "fiscal_year=2012", ["afg-2012", "idn-2012"]),
    ("fundings", "fiscal_year_min=2012", ["afg-2012", "idn-2012"]),
    ("fundings", "fiscal_year_max=2011", ["idn-2011"]),
    ("fundings", "currency=USD", ["afg-2012"]),
    ("fundings", "country=ID", ["idn-2011", "idn-2012"]),
    # indicators
    ("indicators", "project=judo", ["instructors"]),
    ("indicators", "program=idn", ["kobans", "stations"]),
    ("indicators", "country=ID", ["kobans", "stations"]),
    ("indicators", "region=afg-area", ["instructors"]),
    ("indicators", "field=koban", ["kobans"]),
    ("indicators", "partner=other-test", ["instructors"]),
    ("indicators", "has_values=false", ["kobans"]),
    ("indicators", "search=kob", ["kobans"]),
    # measurements
    ("measurements", "project=polmas", ["fy2013-q3", "fy2013-q4"]),
    ("measurements", "program=afg", ["fy2011"]),
    ("measurements", "reported_by=jica-test", ["fy2013-q3"]),
    ("measurements", "period_end_after=2013-01-01&period_end_before=2013-12-31", ["fy2013-q3"]),
    ("measurements", "year=2014", ["fy2013-q4"]),
    ("measurements", "fiscal_year=2013", ["fy2013-q3", "fy2013-q4"]),
    ("measurements", "search=q4", ["fy2013-q4"]),
    # events
    ("events", "code=tip", ["tip"]),
    ("events", "kind=conference", ["adec"]),
    ("events", "country=TH", ["bangkok"]),
    ("events", "participating_country=TH", ["adec"]),
    ("events", "region=sea", []),
    ("events", "field=judo", ["tip"]),
    ("events", "organizer=jica-test", ["adec"]),
    ("events", "program=afg", ["tip"]),
    ("events", "active_on=2012-04-01", ["adec"]),
    ("events", "year=2013", ["tip"]),
    ("events", "fiscal_year=2011", ["adec"]),
    ("events", "search=Bangkok", ["bangkok"]),
]


@pytest.mark.parametrize("resource,query,expected", CASES, ids=[f"{r}?{q}" for r, q, _ in CASES])
def test_filter(staff_api, portfolio, resource, query, expected):
    response = staff_api.get(f"/api/v1/{resource}/?{query}&page_size=200")
    assert response.status_code == 200, response.content
    assert sorted(row[KEYS[resource]] for row in response.json()["results"]) == expected


def test_region_of_events_matches_the_host_country(staff_api, portfolio):
    RegionFactory(code="mainland", countries=["TH"])
    response = staff_api.get("/api/v1/events/?region=mainland")
    assert [row["code"] for row in response.json()["results"]] == ["bangkok"]


@pytest.mark.parametrize(
    "resource,ordering,expected",
    [
        ("programs", "start_date", ["idn", "phl", "afg"]),
        ("programs", "-code", ["phl", "idn", "afg"]),
        ("projects", "-end_date,code", ["judo", "polmas", "civilian", "fingerprints"]),
        ("indicators", "-progress", ["kobans", "stations", "instructors"]),
        ("measurements", "-period_end", ["fy2013-q4", "fy2013-q3", "fy2011"]),
    ],
)
def test_ordering(staff_api, portfolio, resource, ordering, expected):
    response = staff_api.get(f"/api/v1/{resource}/?ordering={ordering}")
    assert response.status_code == 200
    assert [row[KEYS[resource]] for row in response.json()["results"]] == expected


@pytest.mark.parametrize("query", ["region=nowhere", "field=nothing", "partner=nobody", "year=banana"])
def test_an_unknown_reference_in_a_filter_is_a_field_error(staff_api, portfolio, query):
    response = staff_api.get(f"/api/v1/programs/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["error"]["fields"]
