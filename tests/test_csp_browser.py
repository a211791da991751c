"""Every kind of page works in Chromium under the strict Content Security Policy.

Chromium reports each blocked script, style, frame or connection as a
`securitypolicyviolation` event and a console error; a listener installed before any
page script runs collects both, and every visit asserts there were none while the page
still did its job (charts drawn, Swagger UI loaded, forms submitted).
"""

import pytest

from cooperation.models import Organization
from cooperation.tests.factories import TEST_PASSWORD
from programs.tests.conftest import build_public_portfolio
from reports.tests.conftest import build_dashboard_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile);
});
"""


@pytest.fixture
def dashboard_dataset(db):
    build_dashboard_dataset()


@pytest.fixture
def watched_page(page):
    """A page that remembers every CSP violation across navigations."""
    page.add_init_script(RECORD_VIOLATIONS)
    console_errors = []
    page.on(
        "console",
        lambda message: (
            console_errors.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.csp_console_errors = console_errors
    return page


def assert_no_violations(page):
    reported = page.evaluate("window.__cspViolations || []")
    assert reported == []
    assert page.csp_console_errors == []


def log_in(page, url, username):
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("#id_password").press("Enter")


def test_the_dashboard_draws_its_charts_and_builds_a_pack(
    live_server, watched_page, manager_user, dashboard_dataset, celery_worker_process
):
    page = watched_page
    log_in(page, f"{live_server.url}/accounts/login/", manager_user.username)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert_no_violations(page)

    page.goto(f"{live_server.url}/dashboard/?kind=fiscal_year&value=2012")
    page.wait_for_selector("body[data-charts-ready=true]")
    page.wait_for_selector(".chart .main-svg")
    assert page.locator(".chart .main-svg").count() >= 1
    assert page.locator(".chart .bars path, .chart .scatterlayer path").count() > 0
    assert_no_violations(page)

    page.fill("#packs input[name=first]", "2012")
    page.fill("#packs input[name=last]", "2012")
    page.click("form.pack button[type=submit]")
    page.wait_for_selector("#pack-download:not([hidden])", timeout=90_000)
    assert page.locator(".pack-progress progress").get_attribute("value") == "100"
    with page.expect_download() as download_info:
        page.click("#pack-download")
    assert download_info.value.suggested_filename.endswith(".xlsx")
    assert_no_violations(page)


def test_the_admin_works(live_server, watched_page, staff_user):
    page = watched_page
    log_in(page, f"{live_server.url}/admin/login/", staff_user.username)
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#site-name").inner_text() == "International Police Cooperation"

    # A change form runs the admin's own scripts (its widgets, the sidebar and its filter).
    page.goto(f"{live_server.url}/admin/cooperation/organization/add/")
    page.wait_for_selector("#organization_form")
    page.fill("#id_code", "new-partner")
    page.fill("#id_name", "New partner")
    page.select_option("#id_kind", index=1)
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert Organization.objects.filter(code="new-partner").exists()
    page.goto(f"{live_server.url}/admin/cooperation/organization/")
    page.fill("#nav-filter", "organ")
    assert_no_violations(page)


def test_the_public_pages_work(live_server, watched_page):
    portfolio = build_public_portfolio()
    page = watched_page
    page.goto(f"{live_server.url}/public/")
    assert page.locator("#by-country h3", has_text="Indonesia").count() == 1
    page.click("button[name=language][value=ja]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    page.goto(f"{live_server.url}/public/programs/{portfolio.reform.code}/?lang=en")
    assert page.locator("h1").inner_text() == portfolio.reform.title
    assert_no_violations(page)


def test_the_api_docs_load(live_server, watched_page, staff_user):
    page = watched_page
    log_in(page, f"{live_server.url}/accounts/login/", staff_user.username)
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "International Police Cooperation API" in page.locator(".swagger-ui .info .title").inner_text()
    # The docs open on the list of resources; a resource's operations show once it is opened.
    page.wait_for_selector(".opblock-tag")
    assert page.locator(".opblock-tag").count() > 5
    page.locator(".opblock-tag").first.click()
    page.wait_for_selector(".opblock")
    assert_no_violations(page)


def test_a_wrong_password_and_the_lockout_page_render_cleanly(live_server, watched_page, coordinator_user, settings):
    page = watched_page
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", coordinator_user.username)
        page.fill("#id_password", "not-the-password")
        page.locator("#id_password").press("Enter")
        page.wait_for_load_state()
    assert page.locator("#lockout-message").is_visible()
    assert_no_violations(page)
