"""An earthquake abroad, walked by a duty officer in a real headless Chromium: the CAP alert
is imported, the map and headcount show who is there, the roll call is marked to the end.

One walk: in English up to the roll call, then in Japanese (the admin's language switch)
to the end, with screenshots of each language. Several pages, each a few hundred ms.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from duty.models import Incident, RollCallStatus
from duty.tests.cap_files import write_alert
from duty.tests.factories import OfficialTravelFactory

from .test_first_day_browser import admin_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_duty_officer_imports_an_earthquake_and_accounts_for_everyone(
    live_server, page, staff_user, tmp_path, artifacts_dir
):
    base = live_server.url
    today = timezone.localdate()
    trip = {"country": "NP", "departure_on": today - timedelta(days=2), "return_on": today + timedelta(days=5)}
    near = [
        OfficialTravelFactory(city="Kathmandu", latitude=Decimal("27.71"), longitude=Decimal("85.31"), **trip),
        OfficialTravelFactory(city="Lalitpur", latitude=Decimal("27.67"), longitude=Decimal("85.32"), **trip),
    ]
    OfficialTravelFactory(city="Pokhara", latitude=Decimal("28.21"), longitude=Decimal("83.99"), **trip)
    now = timezone.localtime().isoformat(timespec="seconds")
    alert = write_alert(tmp_path, identifier="NSC-2026-12-01", sent=now, onset=now)

    admin_sign_in(page, base, staff_user)
    page.goto(f"{base}/admin/duty/incident/")
    page.click("#import-cap")
    page.set_input_files("#id_file", str(alert))
    page.click("#cap-form input[type=submit]")
    page.wait_for_selector("#roll-call")
    assert "2 officials were in the area" in page.locator("ul.messagelist").inner_text()
    incident = Incident.objects.get(cap_identifier="NSC-2026-12-01")
    listed = set(incident.roll_call.values_list("expert_id", flat=True))
    assert listed == {travel.traveller_id for travel in near}

    # The map and headcount: Nepal with its three officials, of whom two are in the circle.
    page.goto(f"{base}/duty/")
    page.wait_for_load_state()
    assert "Nepal" in page.locator("body").inner_text()
    # The map is drawn from the geometry our own server sends: Nepal shaded with its three.
    page.wait_for_selector("#duty-map path.country")
    assert page.locator("#duty-map path[data-count]").evaluate_all("paths => paths.map(p => p.dataset.count)") == ["3"]
    page.screenshot(path=str(artifacts_dir / "duty-incident-headcount-en.png"), full_page=True)

    page.goto(f"{base}/admin/duty/incident/{incident.pk}/roll-call/")
    assert "2 of 2 officials unaccounted for" in page.locator("#roll-call-summary").inner_text()
    page.screenshot(path=str(artifacts_dir / "duty-incident-roll-call-en.png"), full_page=True)

    page.click("button[name=language][value=ja]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    for box in page.locator("input[name=entry]").all():
        box.check()
    page.select_option("#id_status", RollCallStatus.SAFE)
    page.click("#roll-call-form input[type=submit]")
    page.wait_for_selector("#all-accounted")
    assert "全員の安否を確認しました" in page.locator("#all-accounted").inner_text()
    page.screenshot(path=str(artifacts_dir / "duty-incident-roll-call-ja.png"), full_page=True)
    assert set(incident.roll_call.values_list("status", flat=True)) == {RollCallStatus.SAFE}
