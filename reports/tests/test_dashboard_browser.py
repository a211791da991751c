"""A manager's first day on the dashboard in a real headless Chromium, in English then in Japanese."""

import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cooperation.periods import Period, fiscal_year_of
from cooperation.tests.factories import TEST_PASSWORD
from reports.summary import annual_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_this_year_then_fiscal_2012_in_japanese_and_downloads_the_xlsx(
    live_server, page, manager_user, dashboard_dataset, tmp_path, artifacts_dir
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", manager_user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")

    # The first page is the fiscal year under way, and says so.
    current = fiscal_year_of(timezone.localdate())
    assert f"FY{current}" in page.locator("#summary-title").inner_text()
    assert "not over yet" in page.locator("#period-note").inner_text()
    # The watch list arrives from its own page into its place (the script may fetch it).
    page.wait_for_selector("#watch-list[data-loaded=true] details.watch")
    page.screenshot(path=str(artifacts_dir / "first-day-manager-dashboard-en.png"), full_page=True)

    page.click("button[name=language][value=ja]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"

    # The time to the first drawn chart, from a page whose chart library is already cached.
    page.select_option("#id_kind", "fiscal_year")
    page.fill("#id_value", "2012")
    page.click("form.period button[type=submit]")
    page.wait_for_selector(".chart .main-svg")
    first_chart_ms = round(page.evaluate("performance.now()"))
    page.wait_for_selector("body[data-charts-ready=true]")
    (artifacts_dir / "dashboard-first-chart.json").write_text(json.dumps({"first_chart_ms": first_chart_ms}))

    assert "2012年度" in page.locator("#summary-title").inner_text()
    expected = annual_summary(Period.fiscal_year(2012), fiscal=True)
    for row in expected.headline.rows:
        shown = page.locator(f'.figure[data-key="{row["key"]}"] dd').inner_text()
        assert shown == str(row["value"])
    assert expected.headline.rows[0]["value"] > 0  # the dataset makes the page show real numbers
    page.screenshot(path=str(artifacts_dir / "dashboard-fy2012.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    path = tmp_path / "pack.xlsx"
    download_info.value.save_as(path)
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    sheet = workbook["概要"]
    assert "2012年度" in sheet["A1"].value and "単位" in sheet["A1"].value
    values = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert values == [row["value"] for row in expected.headline.rows]
    trend_years = [row[0] for row in workbook["10年間の推移"].iter_rows(min_row=3, values_only=True)]
    assert trend_years == list(range(2003, 2013))
