"""The incidents API: CAP upload, roll call marks, closing; staff only."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dispatch.tests.factories import ExpertFactory
from duty.models import Incident, IncidentStatus, RollCallEntry

from .cap_files import cap_alert
from .factories import OfficialTravelFactory

pytestmark = pytest.mark.django_db
INCIDENTS = "/api/v1/incidents/"


def _upload(client, data: bytes, **headers):
    return client.post(
        f"{INCIDENTS}cap/",
        {"file": SimpleUploadedFile("alert.xml", data, "application/xml")},
        format="multipart",
        **headers,
    )


@pytest.fixture
def officials_in_turkey():
    today = timezone.localdate()
    return [
        OfficialTravelFactory(country="TR", city="Ankara", departure_on=today - timedelta(days=1)).traveller
        for _ in range(2)
    ]


def test_staff_upload_a_cap_alert_once_and_mark_the_roll_call_to_the_close(staff_api, officials_in_turkey):
    now = timezone.localtime().isoformat(timespec="seconds")
    alert = cap_alert(identifier="AFAD-77", event="Earthquake", geocodes=("TR",), circle=None, sent=now, onset=now)
    created = _upload(staff_api, alert)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["kind"], body["countries"], body["source"], body["listed"], body["unaccounted"]) == (
        "earthquake",
        ["TR"],
        "cap",
        2,
        2,
    )
    again = _upload(staff_api, alert)
    assert (again.status_code, again.json()["id"]) == (200, body["id"])

    roll_call = staff_api.get(f"{INCIDENTS}{body['id']}/roll-call/").json()
    assert {entry["expert"]["id"] for entry in roll_call} == {expert.pk for expert in officials_in_turkey}
    refused = staff_api.post(f"{INCIDENTS}{body['id']}/close/", {}, format="json")
    assert refused.status_code == 400 and "override_reason" in refused.json()["error"]["fields"]
    for entry in roll_call:
        marked = staff_api.post(
            f"{INCIDENTS}{body['id']}/roll-call/", {"expert": entry["expert"]["id"], "status": "safe"}, format="json"
        )
        assert marked.status_code == 200 and marked.json()["status"] == "safe"
        assert marked.json()["marked_by"] == "staff-user"
    closed = staff_api.post(f"{INCIDENTS}{body['id']}/close/", {"note": "All safe."}, format="json")
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["unaccounted"], closed.json()["closed_by"]) == (
        "closed",
        0,
        "staff-user",
    )


def test_a_malformed_alert_is_a_400_on_the_file_and_saves_nothing(staff_api):
    answer = _upload(staff_api, b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x</identifier>")
    assert answer.status_code == 400
    assert "not well-formed" in answer.json()["error"]["fields"]["file"][0]["message"]
    assert not Incident.objects.exists()


def test_a_manual_incident_with_a_retried_idempotency_key_is_created_once(staff_api, officials_in_turkey):
    payload = {
        "kind": "unrest",
        "title": "Protests in Ankara",
        "countries": ["TR"],
        "occurred_at": timezone.now().isoformat(),
    }
    first = staff_api.post(INCIDENTS, payload, format="json", HTTP_IDEMPOTENCY_KEY="incident-1")
    retried = staff_api.post(INCIDENTS, payload, format="json", HTTP_IDEMPOTENCY_KEY="incident-1")
    assert first.status_code == 201 and retried.status_code == 201
    assert retried.headers["Idempotent-Replayed"] == "true" and retried.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1 and RollCallEntry.objects.count() == 2
    assert first.json()["status"] == IncidentStatus.OPEN


def test_an_incident_without_an_area_is_a_400(staff_api):
    answer = staff_api.post(
        INCIDENTS, {"kind": "flood", "title": "Somewhere", "occurred_at": timezone.now().isoformat()}, format="json"
    )
    assert answer.status_code == 400 and not Incident.objects.exists()


def test_marking_an_official_not_on_the_roll_call_is_a_400(staff_api, officials_in_turkey):
    incident = staff_api.post(
        INCIDENTS,
        {"kind": "flood", "title": "Flood", "countries": ["TR"], "occurred_at": timezone.now().isoformat()},
        format="json",
    ).json()
    stranger = ExpertFactory()
    answer = staff_api.post(
        f"{INCIDENTS}{incident['id']}/roll-call/", {"expert": stranger.pk, "status": "safe"}, format="json"
    )
    assert answer.status_code == 400 and "expert" in answer.json()["error"]["fields"]


@pytest.mark.parametrize("client", ["manager_api", "coordinator_api"])
def test_managers_and_coordinators_see_nothing(request, client, staff_user, officials_in_turkey):
    api = request.getfixturevalue(client)
    assert api.get(INCIDENTS).status_code == 403
    assert _upload(api, cap_alert()).status_code == 403
    assert not Incident.objects.exists()
