"""The staff's incident screens: importing an alert, marking the roll call, closing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from duty.models import Incident, IncidentStatus, RollCallStatus

from .cap_files import cap_alert
from .factories import OfficialTravelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _import(admin_client, data: bytes):
    return admin_client.post(
        reverse("admin:duty_incident_import_cap"), {"file": SimpleUploadedFile("alert.xml", data, "application/xml")}
    )


def test_an_alert_imported_in_the_admin_opens_the_roll_call_then_it_is_marked_and_closed(admin_client):
    today = timezone.localdate()
    traveller = OfficialTravelFactory(country="TR", departure_on=today - timedelta(days=1)).traveller
    now = timezone.localtime().isoformat(timespec="seconds")
    imported = _import(admin_client, cap_alert(geocodes=("TR",), circle=None, sent=now, onset=now))
    incident = Incident.objects.get()
    assert imported.url == reverse("admin:duty_incident_roll_call", args=[incident.pk])
    entry = incident.roll_call.get()
    assert entry.expert_id == traveller.pk

    refused = admin_client.post(reverse("admin:duty_incident_close", args=[incident.pk]), {})
    assert refused.status_code == 200 and refused.context["form"].errors["override_reason"]
    admin_client.post(
        reverse("admin:duty_incident_roll_call", args=[incident.pk]), {"entry": [entry.pk], "status": "needs_help"}
    )
    entry.refresh_from_db()
    assert entry.status == RollCallStatus.NEEDS_HELP
    closed = admin_client.post(reverse("admin:duty_incident_close", args=[incident.pk]), {"closing_note": "Evacuated."})
    assert closed.url == reverse("admin:duty_incident_change", args=[incident.pk])
    incident.refresh_from_db()
    assert (incident.status, incident.closing_note) == (IncidentStatus.CLOSED, "Evacuated.")


def test_a_malformed_alert_is_a_form_error_and_saves_nothing(admin_client):
    answer = _import(admin_client, cap_alert(circle=None, geocodes=()))
    assert answer.status_code == 200
    assert "names no country" in str(answer.context["form"].errors["file"])
    assert not Incident.objects.exists()


def test_the_changelist_offers_the_import(admin_client):
    page = admin_client.get(reverse("admin:duty_incident_changelist")).content.decode()
    assert reverse("admin:duty_incident_import_cap") in page
