"""The staff's map and headcount page, the evacuation list (print and XLSX) and their audit."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cooperation.audit import PersonalDataExport
from cooperation.spreadsheets import neutralised
from dispatch.choices import EmergencyContactKind
from dispatch.models import SafetyCheckIn
from dispatch.tests.factories import EmergencyContactFactory, ExpertFactory

from .factories import OfficialTravelFactory, departed_deployment

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def abroad():
    """Two officials in Indonesia (one silent too long), one on a trip to the Philippines."""
    today = timezone.localdate()
    heard = departed_deployment(start=today - timedelta(days=20), end=today + timedelta(days=40), city="Jakarta")
    SafetyCheckIn.objects.create(deployment=heard, at=timezone.now() - timedelta(days=1), status="ok")
    EmergencyContactFactory(expert=heard.expert, kind=EmergencyContactKind.SATELLITE_PHONE, name="Field phone")
    silent = departed_deployment(start=today - timedelta(days=20), end=today + timedelta(days=40), city="Bekasi")
    trip = OfficialTravelFactory(traveller=ExpertFactory(next_of_kin=None), country="PH")
    return heard, silent, trip


def test_staff_see_every_country_with_its_officials(staff_user, abroad):
    heard, silent, trip = abroad

    response = signed_in(staff_user).get(reverse("duty:headcount"))

    assert response.status_code == 200
    html = response.content.decode()
    groups = {group["code"]: group for group in response.context["groups"]}
    assert {code: group["officials"] for code, group in groups.items()} == {"ID": 2, "PH": 1}
    assert response.context["map_data"]["countries"] == {
        "360": {"count": 2, "name": "Indonesia"},
        "608": {"count": 1, "name": "Philippines"},
    }
    overdue = {row.source: row.check_in_overdue for row in groups["ID"]["rows"]}
    assert overdue == {f"dispatch.deployment:{heard.pk}": False, f"dispatch.deployment:{silent.pk}": True}
    assert silent.expert.family_name.upper() in html and trip.traveller.family_name.upper() in html
    assert "vendor/countries-110m.json" in html


def test_managers_and_coordinators_are_refused_and_see_no_names(manager_user, coordinator_user, abroad):
    for user in (manager_user, coordinator_user):
        response = signed_in(user).get(reverse("duty:headcount"))
        assert response.status_code == 403
        assert abroad[0].expert.family_name.upper() not in response.content.decode()


def test_managers_read_only_the_counts_on_the_dashboard(manager_user, abroad):
    response = signed_in(manager_user).get(reverse("reports-watch-list"))

    section = next(section for section in response.context["watch_list"] if section.key == "abroad")
    assert [(item.text, item.link) for item in section.items] == [("Indonesia: 2", ""), ("Philippines: 1", "")]
    assert abroad[0].expert.family_name.upper() not in response.content.decode()


def test_the_evacuation_workbook_lists_each_official_with_contacts_and_is_audited(staff_user, abroad):
    heard, silent, _trip = abroad
    contacts = {
        expert.pk: list(expert.emergency_contacts.order_by("kind", "pk")) for expert in (heard.expert, silent.expert)
    }

    response = signed_in(staff_user).get(reverse("duty:evacuation-xlsx", args=["id"]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    expected = [
        # Phone numbers starting with + are written as text, never as a formula.
        (expert.family_name.upper(), contact.name, neutralised(contact.phone))
        for expert in sorted((heard.expert, silent.expert), key=lambda e: f"{e.family_name.upper()} {e.given_name}")
        for contact in contacts[expert.pk]
    ]
    assert [(row[0].split()[0], row[6], row[9]) for row in rows] == expected
    audit = PersonalDataExport.objects.get()
    assert (audit.actor, audit.model, audit.record_count) == (staff_user, "dispatch.EmergencyContact", len(expected))
    assert audit.channel == "evacuation list (xlsx)" and "phone" in audit.personal_columns


def test_the_printable_list_is_audited_and_an_unknown_country_is_not_found(staff_user, abroad):
    client = signed_in(staff_user)

    printed = client.get(reverse("duty:evacuation", args=["PH"]))
    unknown = client.get(reverse("duty:evacuation", args=["XX"]))

    assert printed.status_code == 200
    assert abroad[2].traveller.family_name.upper() in printed.content.decode()
    assert "No emergency contact on file." in printed.content.decode()
    assert unknown.status_code == 404
    assert list(PersonalDataExport.objects.values_list("channel", "record_count")) == [("evacuation list (print)", 0)]


def test_the_day_can_be_chosen(staff_user, abroad):
    later = timezone.localdate() + timedelta(days=41)

    response = signed_in(staff_user).get(reverse("duty:headcount"), {"on": later.isoformat()})

    assert response.context["on"] == later
    assert response.context["groups"] == []
