"""A first day at work, walked in a real headless Chromium: staff onboard a partner and
dispatch an expert, the partner's coordinator uses the token, a second staff member
publishes. The manager's first day is reports/tests/test_dashboard_browser.py.

Each test walks many pages (several seconds each); one walk per role keeps them few.
"""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cooperation.api import schema_files
from cooperation.roles import NPA_STAFF
from cooperation.tests.factories import TEST_PASSWORD, UserFactory
from dispatch.choices import DeploymentStatus
from dispatch.tests.factories import DeploymentFactory
from programs.models import Program
from programs.tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_sign_in(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def run_action(page, base, changelist: str, pk: int, action: str) -> str:
    """Runs an admin action on one row of a list and answers the messages it left."""
    page.goto(f"{base}{changelist}")
    page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.wait_for_load_state()
    return page.locator("ul.messagelist").inner_text()


def use_language(page, base, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])


def test_staff_onboard_a_coordinator_who_uses_the_token_then_dispatch_and_publish(
    live_server, page, staff_user, partner_org, artifacts_dir
):
    base = live_server.url
    admin_sign_in(page, base, staff_user)

    # Onboard the partner's coordinator: the account, then its one-time password link.
    page.goto(f"{base}/admin/auth/user/add/")
    page.fill("#id_username", "jica-coordinator")
    page.fill("#id_email", "coordinator@example.org")
    page.select_option("#id_role", "partner_coordinator")
    page.select_option("#id_organization", str(partner_org.pk))
    page.click("input[name=_save]")
    assert re.search(r"/accounts/reset/\S+/", page.locator("ul.messagelist").inner_text())
    coordinator = get_user_model().objects.get(username="jica-coordinator")
    assert coordinator.profile.organization == partner_org

    # Issue a token from the account's page; its key is shown once.
    page.goto(f"{base}/admin/auth/user/{coordinator.pk}/change/")
    page.click(f"a[href$='/admin/cooperation/apitoken/add/?user={coordinator.pk}']")
    page.fill("#id_name", "integration")
    page.click("input[name=_save]")
    key = re.search(r"is (\S+) — copy it now", page.locator("ul.messagelist").inner_text()).group(1)
    page.screenshot(path=str(artifacts_dir / "first-day-staff-token.png"), full_page=True)

    # The coordinator's script uses it: their organization's records, errors in the one shape.
    api = page.context.request
    headers = {"Authorization": f"Token {key}", "Accept": "application/json"}
    ProgramFactory(code="own-program", counterpart=partner_org)
    ProgramFactory(code="others-program")
    listed = api.get(f"{base}/api/v1/programs/", headers=headers)
    assert listed.status == 200
    assert [row["code"] for row in listed.json()["results"]] == list(
        Program.objects.restrict(coordinator, "view").order_by("code").values_list("code", flat=True)
    )
    unknown = api.get(f"{base}/api/v1/no-such-thing/", headers=headers)
    assert (unknown.status, unknown.json()["error"]["code"]) == (404, "not_found")

    # Dispatch an expert through the whole lifecycle with the list's actions.
    deployment = DeploymentFactory()
    deployments = "/admin/dispatch/deployment/"
    for action in ("move_to_nominated", "move_to_preparing"):
        assert "moved to" in run_action(page, base, deployments, deployment.pk, action)
    page.goto(f"{base}{deployments}{deployment.pk}/change/")
    for box in page.locator("input[name^='checklist-'][name$='-done']:not([name*='__prefix__'])").all():
        box.check()
    page.click("input[name=_save]")
    assert "moved to" in run_action(page, base, deployments, deployment.pk, "move_to_deployed")
    assert "moved to" in run_action(page, base, deployments, deployment.pk, "move_to_returned")
    page.goto(f"{base}{deployments}{deployment.pk}/completion/")
    page.fill("#id_completion_report", "Advised the reform office for six months.")
    page.click("#content form input[type=submit]")
    assert "moved to" in run_action(page, base, deployments, deployment.pk, "move_to_closed")
    deployment.refresh_from_db()
    assert deployment.status == DeploymentStatus.CLOSED
    history = list(deployment.status_changes.order_by("pk").values_list("to_status", flat=True))
    assert history[-5:] == ["nominated", "preparing", "deployed", "returned", "closed"]

    # Publishing takes two: this staff member submits, a colleague reviews and publishes.
    program = ProgramFactory(code="first-day-program", title="First day program")
    programs = "/admin/programs/program/"
    run_action(page, base, programs, program.pk, "publication_submit")
    reviewer = UserFactory(role=NPA_STAFF, username="reviewer", organization=staff_user.profile.organization)
    admin_sign_in(page, base, reviewer)
    run_action(page, base, programs, program.pk, "publication_publish")
    page.goto(f"{base}/public/")
    assert "First day program" in page.content()

    # The same desk in Japanese.
    admin_sign_in(page, base, staff_user)
    use_language(page, base, "ja")
    page.goto(f"{base}{deployments}{deployment.pk}/change/")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.screenshot(path=str(artifacts_dir / "first-day-staff-deployment-ja.png"), full_page=True)


def docs_usable_ms(page, url: str) -> int:
    """Opens the docs and one operation; answers the time from navigation until it can be read."""
    page.goto(url)
    tag = page.locator(".opblock-tag").first
    tag.click()
    page.locator(".opblock-summary").first.click()
    page.locator(".opblock-body").first.wait_for()
    return round(page.evaluate("performance.now()"))


def test_a_coordinator_finds_the_resources_in_the_api_docs(live_server, page, artifacts_dir):
    """The docs open on one section per resource, named by its part of the system (in
    English in either language: generated clients name their modules after them). The time
    until an operation can be read is recorded beside the screenshot: on the first visit
    after a start (the schema built beforehand, as `make run` does, and read by a process
    that has not read it yet) and on a returning one (the browser's cache)."""
    call_command("build_api_schema", stdout=StringIO())
    schema_files._loaded.clear()
    first_ms = docs_usable_ms(page, f"{live_server.url}/api/docs/")
    tags = [name.strip() for name in page.locator(".opblock-tag").all_inner_texts()]
    assert "Programs and projects · programs" in tags
    assert len(tags) > 10 and "v1" not in tags
    page.screenshot(path=str(artifacts_dir / "first-day-api-docs.png"))
    returning_ms = docs_usable_ms(page, f"{live_server.url}/api/docs/")
    (artifacts_dir / "api-docs-usable.json").write_text(
        json.dumps({"first_visit_ms": first_ms, "returning_visit_ms": returning_ms})
    )
