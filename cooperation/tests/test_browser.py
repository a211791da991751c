"""The admin in a real headless Chromium."""

import pytest

from .factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_log_in_to_the_admin(live_server, page, staff_user, artifacts_dir):
    page.goto(f"{live_server.url}/admin/login/")
    assert page.title().startswith("Log in")
    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#site-name").inner_text() == "International Police Cooperation"
    assert page.get_by_role("link", name="Organizations").count() == 1
    page.screenshot(path=artifacts_dir / "admin.png")


def test_a_wrong_password_is_refused(live_server, page, staff_user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", "not-the-password")
    page.click("input[type=submit]")
    assert page.locator(".errornote").is_visible()
    assert page.url.endswith("/admin/login/")
