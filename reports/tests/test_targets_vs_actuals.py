"""The targets-vs-actuals report of a program for a fiscal year: the page, the XLSX with
numbers stored as numbers, the CSV, and who may read it."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from programs.choices import Aggregation, ValueSource
from programs.models import Indicator
from programs.services.results import period_value_record, period_value_submit
from programs.tests.factories import (
    DisaggregationCategoryFactory,
    DisaggregationFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    ProgramFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("reports-results")
FY = 2024


@pytest.fixture
def program(staff_user, coordinator_user, partner_org):
    """A program indicator for FY2024 rolled up from two projects' quarterly indicators,
    the first broken down by gender; approved values, one value still under review, and
    a period of the year before that the report leaves out."""
    program = ProgramFactory(code="RPT-1", title="Community policing", counterpart=partner_org)
    headline = IndicatorFactory(
        project=None, program=program, name="Officers trained (program)", aggregation=Aggregation.SUM
    )
    year = IndicatorPeriodFactory(indicator=headline, start=date(2024, 4, 1), end=date(2025, 3, 31), target=100)
    projects = [ProjectFactory(program=program, code=f"RPT-1-{n}") for n in (1, 2)]
    first, second = (
        IndicatorFactory(project=project, parent=headline, name=f"Officers trained {project.code}")
        for project in projects
    )
    gender = DisaggregationFactory(indicator=first, name="gender")
    female, male = (DisaggregationCategoryFactory(disaggregation=gender, name=n) for n in ("female", "male"))
    q1 = IndicatorPeriodFactory(indicator=first, start=date(2024, 4, 1), end=date(2024, 6, 30), target=20)
    q1.target_breakdown.create(category=female, target=Decimal("8"))
    q2 = IndicatorPeriodFactory(indicator=first, start=date(2024, 7, 1), end=date(2024, 9, 30), target=30)
    earlier = IndicatorPeriodFactory(indicator=first, start=date(2024, 1, 1), end=date(2024, 3, 31), target=5)
    other_q1 = IndicatorPeriodFactory(indicator=second, start=date(2024, 4, 1), end=date(2024, 6, 30), target=10)

    def record(period, value, breakdown=None):
        period_value_record(
            period=period, actor=staff_user, value=Decimal(value), source=ValueSource.STAFF, breakdown=breakdown
        )

    record(q1, "12", {female: Decimal("5"), male: Decimal("7")})
    record(q1, "6", {female: Decimal("2"), male: Decimal("4")})
    record(q2, "25")
    record(earlier, "4")
    record(other_q1, "9")
    period_value_submit(period=q2, actor=coordinator_user, value=Decimal("1000"))  # under review: never counts
    return {
        "program": program,
        "headline": headline,
        "year": year,
        "first": first,
        "second": second,
        "q1": q1,
        "q2": q2,
        "earlier": earlier,
        "other_q1": other_q1,
    }


def _download(client, program, file_format):
    return client.get(URL, {"program": program.code, "fiscal_year": FY, "format": file_format})


def _approved_sum(period):
    return sum(v.value for v in period.values.filter(status="approved"))


def test_the_xlsx_holds_numbers_checked_against_the_data(client, staff_user, program):
    client.force_login(staff_user)
    response = _download(client, program["program"], "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="targets-actuals-RPT-1-FY2024.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Targets and actuals"
    title = sheet.cell(1, 1).value
    assert "RPT-1 Community policing" in title and "FY2024" in title
    header = [cell.value for cell in sheet[2]]
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=3)]

    # The program first, then each project's periods within the year (the earlier one left out).
    assert [(r["Level"], r["Indicator"]) for r in rows] == [
        ("Program", "Officers trained (program)"),
        ("RPT-1-1", "Officers trained RPT-1-1"),
        ("RPT-1-1", "Officers trained RPT-1-1"),
        ("RPT-1-2", "Officers trained RPT-1-2"),
    ]
    headline, q1, q2, other = rows
    q1_actual = _approved_sum(program["q1"])
    q2_actual = _approved_sum(program["q2"])
    assert (q1["Target"], q1["Actual"]) == (program["q1"].target, q1_actual)
    # The running figures start with the indicator's first period, before the year.
    earlier = program["earlier"]
    assert (q2["Actual"], q2["Cumulative actual"]) == (q2_actual, _approved_sum(earlier) + q1_actual + q2_actual)
    assert q2["Cumulative target"] == earlier.target + program["q1"].target + program["q2"].target
    assert q1["% of target"] == pytest.approx(float(q1_actual / program["q1"].target * 100), abs=0.05)
    rolled_up = q1_actual + q2_actual + _approved_sum(program["other_q1"])
    assert (headline["Target"], headline["Actual"]) == (program["year"].target, rolled_up)
    assert other["Actual"] == _approved_sum(program["other_q1"])
    for number in (q1["Target"], q1["Actual"], q1["Baseline"], headline["Actual"], q1["% of target"]):
        assert isinstance(number, int | float)
    assert isinstance(q1["Period start"], date | type(q1["Period start"]))
    assert str(q1["Period start"])[:10] == "2024-04-01"

    # Breakdowns as columns: the category target and the approved amounts added up.
    female = sum(p.amount for p in program["q1"].values.get(value=12).breakdown.filter(category__name="female"))
    female += sum(p.amount for p in program["q1"].values.get(value=6).breakdown.filter(category__name="female"))
    assert q1["gender: female — target"] == 8
    assert q1["gender: female — actual"] == female
    assert q2["gender: female — actual"] is None


def test_the_csv_parses_to_the_same_rows(client, manager_user, program):
    client.force_login(manager_user)
    response = _download(client, program["program"], "csv")
    assert response.status_code == 200
    reader = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(reader) == 4
    assert Decimal(reader[1]["Actual"]) == _approved_sum(program["q1"])
    assert reader[1]["Direction"] == str(Indicator.objects.get(pk=program["first"].pk).get_direction_display())


def test_the_page_and_its_japanese_sheet(client, staff_user, program):
    client.force_login(staff_user)
    page = client.get(URL, {"program": program["program"].code, "fiscal_year": FY})
    assert page.status_code == 200
    assert len(page.context["rows"]) == 4
    with translation.override("ja"):
        response = client.get(
            URL, {"program": program["program"].code, "fiscal_year": FY, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="ja"
        )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.title == "目標と実績"
    assert "2024年度" in sheet.cell(1, 1).value


def test_managers_read_and_coordinators_are_refused(client, manager_user, coordinator_user, program):
    client.force_login(coordinator_user)
    assert _download(client, program["program"], "xlsx").status_code == 403
    client.force_login(manager_user)
    assert client.post(URL, {"program": program["program"].code, "fiscal_year": FY}).status_code == 405


def test_an_unknown_program_is_a_form_error(client, staff_user, program):
    client.force_login(staff_user)
    response = client.get(URL, {"program": "NO-SUCH", "fiscal_year": FY, "format": "xlsx"})
    assert response.status_code == 400
    assert "program" in response.context["form"].errors
