"""A manager's visit to the dashboard in a real headless Chromium."""

import io

import pytest
from openpyxl import load_workbook

from cooperation.periods import Period
from cooperation.tests.factories import TEST_PASSWORD
from reports.summary import annual_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_fiscal_2012_in_japanese_and_downloads_the_pack(
    live_server, page, manager_user, dashboard_dataset, tmp_path, artifacts_dir
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", manager_user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")

    page.click("button[name=language][value=ja]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"

    page.select_option("#id_kind", "fiscal_year")
    page.fill("#id_value", "2012")
    page.click("form.period button[type=submit]")
    page.wait_for_selector("body[data-charts-ready=true]")
    page.wait_for_selector(".chart .main-svg")

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
    sheet = load_workbook(io.BytesIO(path.read_bytes()))["概要"]
    values = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert values == [row["value"] for row in expected.headline.rows]
