"""Multi-year statistics packs, built by a real Celery worker while the page follows progress."""

import io
import time

import pytest
from openpyxl import load_workbook

from cooperation.models import ReportJob
from cooperation.periods import Period
from cooperation.tests.factories import TEST_PASSWORD
from reports.summary import annual_summary
from reports.tasks import build_report_pack

JSON = {"HTTP_ACCEPT": "application/json"}


def _request(client, **fields):
    data = {"kind": "fiscal_year", "first": 2011, "last": 2012, "file_format": "xlsx", **fields}
    return client.post("/dashboard/packs/", data, **JSON)


def _wait_until_done(client, state: dict, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while state["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, f"the pack is still {state['status']}"
        time.sleep(0.2)
        state = client.get(state["status_url"]).json()
    return state


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [({"last": 2010}, "last"), ({"first": 1950, "last": 2012}, "last"), ({"kind": "decade"}, "kind")],
)
def test_an_impossible_span_is_refused_with_the_field_named(client, manager_user, fields, field):
    client.force_login(manager_user)
    response = _request(client, **fields)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_partners_cannot_request_packs(client, coordinator_user):
    client.force_login(coordinator_user)
    assert _request(client).status_code == 403
    assert not ReportJob.objects.exists()


# Slow: a real Celery worker builds the pack.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_pack_with_the_dashboard_numbers(
    client, manager_user, staff_user, dashboard_dataset, celery_worker_process
):
    client.force_login(manager_user)
    response = _request(client)
    assert response.status_code == 202
    state = _wait_until_done(client, response.json())
    assert state["status"] == "done"
    assert state["progress"] == 100

    workbook = load_workbook(io.BytesIO(client.get(state["download_url"]).content))
    rows = list(workbook["Figures by year"].iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [2011, 2012]
    for row, year in zip(rows, (2011, 2012), strict=True):
        expected = annual_summary(Period.fiscal_year(year), fiscal=True, with_trends=False)
        assert list(row[1:]) == [figure["value"] for figure in expected.headline.rows]

    # A pack is its requester's own.
    client.force_login(staff_user)
    assert client.get(state["status_url"]).status_code == 404
    assert client.get(state["download_url"]).status_code == 404


@pytest.mark.django_db
def test_a_redelivered_task_builds_nothing_twice(manager_user, dashboard_dataset):
    job = ReportJob.objects.create(
        requested_by=manager_user,
        parameters={"first": 2012, "last": 2012, "fiscal": False, "format": "csv"},
        filename="statistics-2012-2012.csv",
    )
    build_report_pack(job.pk)
    job.refresh_from_db()
    finished = job.finished_at
    assert job.status == ReportJob.Status.DONE
    assert bytes(job.content).decode("utf-8").startswith("\ufeff")

    build_report_pack(job.pk)
    job.refresh_from_db()
    assert job.finished_at == finished


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_shows_progress_and_offers_the_file(live_server, page, manager_user, celery_worker_process):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", manager_user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")

    page.fill("#packs input[name=first]", "2010")
    page.fill("#packs input[name=last]", "2012")
    page.click("form.pack button[type=submit]")
    page.wait_for_selector("#pack-download:not([hidden])", timeout=90_000)
    assert page.locator(".pack-progress progress").get_attribute("value") == "100"
    with page.expect_download() as download_info:
        page.click("#pack-download")
    assert download_info.value.suggested_filename == "statistics-FY2010-FY2012.xlsx"
