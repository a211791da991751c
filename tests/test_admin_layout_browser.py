"""The staff's busiest admin pages fit a 1280 px screen (in a real headless Chromium)."""

from datetime import date

import pytest

from cooperation.tests.factories import TEST_PASSWORD, OrganizationFactory
from dispatch.tests.factories import DeploymentFactory
from programs.tests.factories import FundingFactory, ProgramFactory, ProgramPartnerFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = {"width": 1280, "height": 800}
# The deployments changelist with its sidebar of filters; the country filter alone used to
# list every country as a link, some 6,000 px of sidebar.
CHANGELIST_MAX_HEIGHT = 2500


def page_size(page) -> dict:
    return page.evaluate(
        "({width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight})"
    )


def list_columns_fit(page) -> bool:
    """The list's table scrolls inside its box rather than widen the page: columns past the
    box's edge are cut off from view."""
    return page.evaluate(
        "(() => { const box = document.querySelector('.results'); return box.scrollWidth <= box.clientWidth; })()"
    )


def test_the_program_pages_and_the_deployments_list_fit_a_1280_px_screen(live_server, page, staff_user, artifacts_dir):
    """Takes several seconds: a browser logs in and lays out three full admin pages."""
    program = ProgramFactory(
        title="Strengthening community policing and investigative capacity of the national police", country="ID"
    )
    for number in range(3):
        ProjectFactory(
            program=program,
            title=f"Forensic science and criminal investigation training for regional police {number}",
            country="ID",
            start_date=date(2024, 4, 1),
            end_date=date(2027, 3, 31),
        )
    ProgramPartnerFactory(program=program, organization__name="Indonesian National Police (POLRI)")
    program.counterpart = OrganizationFactory(name="Badan Reserse Kriminal, Indonesian National Police")
    program.save()
    FundingFactory(program=program)
    for country in ("ID", "PH", "VN", "TH", "KH", "LA", "MM", "MY", "TL", "MN", "LK", "BD"):
        DeploymentFactory(country=country, post="Advisor on community policing and crime prevention")

    page.set_viewport_size(SCREEN)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/programs/program/{program.pk}/change/")
    page.wait_for_selector("#program_form")
    page.screenshot(path=artifacts_dir / "admin-program-1280.png", full_page=True)
    assert page_size(page)["width"] <= SCREEN["width"]

    page.goto(f"{live_server.url}/admin/programs/program/")
    page.wait_for_selector("#result_list")
    page.screenshot(path=artifacts_dir / "admin-programs-1280.png", full_page=True)
    assert list_columns_fit(page)

    page.goto(f"{live_server.url}/admin/dispatch/deployment/")
    page.wait_for_selector("#changelist-filter")
    page.screenshot(path=artifacts_dir / "admin-deployments-1280.png", full_page=True)
    size = page_size(page)
    assert size["width"] <= SCREEN["width"]
    assert size["height"] < CHANGELIST_MAX_HEIGHT
    assert list_columns_fit(page)

    # The long country filter is a dropdown that goes where its choice says.
    page.select_option("#changelist-filter select[data-dropdown-filter]", value="?country__exact=VN")
    page.wait_for_url("**country__exact=VN**")
    assert page.locator("#result_list tbody tr").count() == 1
