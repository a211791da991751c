"""The managers' dashboard, its downloads and the annual summary in the API."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from cooperation.periods import Period, fiscal_year_of
from reports.summary import annual_summary

from .conftest import EXPECTED_FY2012, build_dashboard_dataset

pytestmark = pytest.mark.django_db


def test_dashboard_needs_a_login_and_a_reporting_role(client, coordinator_user, manager_user):
    assert client.get("/dashboard/").status_code == 302
    client.force_login(coordinator_user)
    assert client.get("/dashboard/").status_code == 403
    client.force_login(manager_user)
    assert client.get("/dashboard/?kind=fiscal_year&value=2012").status_code == 200


def test_a_manager_cannot_reach_the_admin(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_fiscal_2012_figures_match_the_hand_count(dashboard_dataset):
    figures = annual_summary(Period.fiscal_year(2012), fiscal=True).as_dict()["figures"]
    assert {key: figures[key] for key in EXPECTED_FY2012} == EXPECTED_FY2012


def test_the_dashboard_query_count_does_not_grow_with_the_data(client, manager_user, dashboard_dataset):
    client.force_login(manager_user)
    url = "/dashboard/?kind=fiscal_year&value=2012"
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    build_dashboard_dataset()
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_the_page_shows_the_summary_figures(client, manager_user):
    client.force_login(manager_user)
    html = client.get("/dashboard/?kind=year&value=2012").content.decode()
    summary = annual_summary(Period.calendar_year(2012))
    for row in summary.headline.rows:
        assert f'data-key="{row["key"]}"' in html


def test_an_invalid_period_is_a_form_error(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/dashboard/?kind=fiscal_year&value=12")
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


def test_downloads_carry_the_same_numbers(client, manager_user):
    client.force_login(manager_user)
    summary = annual_summary(Period.fiscal_year(2012), fiscal=True)
    expected = {row["label"]: row["value"] for row in summary.headline.rows}

    xlsx = client.get("/dashboard/download/?kind=fiscal_year&value=2012&format=xlsx")
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(xlsx.content))["Summary"]
    assert {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)} == expected

    pack = client.get("/dashboard/download/?kind=fiscal_year&value=2012&format=csv").content.decode("utf-8")
    assert pack.startswith("\ufeff")
    one = client.get("/dashboard/download/?kind=fiscal_year&value=2012&table=summary").content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(one.lstrip("\ufeff"))))
    assert {label: int(value) for label, value in rows[1:]} == expected


def test_the_api_gives_the_same_figures(manager_api):
    response = manager_api.get("/api/v1/reports/annual-summary/?fiscal_year=2012")
    assert response.status_code == 200
    summary = annual_summary(Period.fiscal_year(2012), fiscal=True, with_trends=False)
    headline = {row["key"]: row["value"] for row in summary.headline.rows}
    # Planned deployments are a figure only while the period is not over: the API still
    # names the field, null for fiscal 2012.
    assert response.json()["figures"] == {**headline, "planned_deployments": None}


@pytest.mark.parametrize("query", ["", "?year=2012&fiscal_year=2012", "?year=12", "?year=2012&colour=red"])
def test_the_api_refuses_an_unclear_period(manager_api, query):
    response = manager_api.get(f"/api/v1/reports/annual-summary/{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_partners_do_not_read_the_reports(coordinator_api):
    assert coordinator_api.get("/api/v1/reports/annual-summary/?year=2012").status_code == 403


def test_the_former_address_of_the_summary_still_answers_and_names_the_current_one(manager_api):
    current = manager_api.get("/api/v1/reports/annual-summary/?fiscal_year=2012")
    former = manager_api.get("/api/v1/reports/annual-summary?fiscal_year=2012")
    assert former.status_code == 200
    assert former.json()["figures"] == current.json()["figures"]
    assert former["Link"] == '</api/v1/reports/annual-summary/>; rel="successor-version"'
    assert "Deprecation" not in current


def test_the_dashboard_opens_on_the_current_fiscal_year_and_says_it_is_not_over(client, manager_user):
    client.force_login(manager_user)
    today = timezone.localdate()
    current = fiscal_year_of(today)
    html = client.get("/dashboard/").content.decode()
    assert f"Summary — FY{current}" in html
    assert f"FY{current} is not over yet" in html and today.isoformat() in html
    past = client.get(f"/dashboard/?kind=fiscal_year&value={current - 1}").content.decode()
    assert 'id="period-note"' not in past


def test_an_empty_chart_says_there_is_no_data_instead_of_drawing_axes(client, manager_user, dashboard_dataset):
    client.force_login(manager_user)
    empty = client.get("/dashboard/?kind=fiscal_year&value=1990")
    assert empty.content.decode().count("No data for this period") == sum(
        1 for table in annual_summary(Period.fiscal_year(1990), fiscal=True).tables if table.chart
    )
    assert json.loads(_chart_data(empty)) == []
    full = client.get("/dashboard/?kind=fiscal_year&value=2012")
    drawn = {chart["key"] for chart in json.loads(_chart_data(full))}
    assert "experts_by_country" in drawn and "trends" in drawn


def _chart_data(response) -> str:
    html = response.content.decode()
    start = html.index('<script id="chart-data" type="application/json">') + len(
        '<script id="chart-data" type="application/json">'
    )
    return html[start : html.index("</script>", start)]


@pytest.mark.parametrize(
    "language, summary_sheet, trends_sheet, fiscal_2012",
    [("en", "Summary", "Ten-year trends", "FY2012"), ("ja", "概要", "10年間の推移", "2012年度")],
)
def test_the_xlsx_names_period_and_unit_in_the_readers_language_and_keeps_numbers_as_numbers(
    client, manager_user, dashboard_dataset, language, summary_sheet, trends_sheet, fiscal_2012
):
    client.force_login(manager_user)
    client.cookies["django_language"] = language
    response = client.get("/dashboard/download/?kind=fiscal_year&value=2012&format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert summary_sheet in workbook.sheetnames and trends_sheet in workbook.sheetnames
    assert not any("_" in name for name in workbook.sheetnames)

    title = workbook[summary_sheet]["A1"].value
    assert fiscal_2012 in title and "2012-04-01" in title and "2013-03-31" in title
    assert ("Unit" if language == "en" else "単位") in title

    summary = annual_summary(Period.fiscal_year(2012), fiscal=True)
    values = [row[1] for row in workbook[summary_sheet].iter_rows(min_row=3, values_only=True)]
    assert values == [row["value"] for row in summary.headline.rows]
    assert all(isinstance(value, int) for value in values)

    trends = next(table for table in summary.tables if table.key == "trends")
    rows = list(workbook[trends_sheet].iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [row["period"] for row in trends.rows] == list(range(2003, 2013))
    assert [row[-1] for row in rows] == [row["visitors"] for row in trends.rows]
