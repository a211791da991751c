from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from cooperation.crypto import decrypt
from dispatch.choices import ChecklistKind, EmergencyContactKind
from dispatch.models import Deployment, EmergencyContact
from dispatch.services import checklist_item_mark, deployment_transition

from .conftest import bring_to, ready_deployment
from .factories import EmergencyContactFactory, ExpertFactory

pytestmark = pytest.mark.django_db


def preparing_with_other_items_done(expert, actor):
    deployment = bring_to(ready_deployment(expert=expert), "preparing", actor)
    for item in deployment.checklist.filter(required=True).exclude(kind=ChecklistKind.EMERGENCY_CONTACTS):
        checklist_item_mark(item=item, done=True, actor=actor)
    return deployment


def refusal_codes(deployment, actor):
    with pytest.raises(ValidationError) as refused:
        deployment_transition(deployment=deployment, to="deployed", actor=actor)
    return {error.code: error.messages for error in refused.value.error_dict["checklist"]}


def test_without_a_next_of_kin_departure_is_refused(staff_user):
    expert = ExpertFactory(next_of_kin=None)
    EmergencyContactFactory(expert=expert, kind=EmergencyContactKind.SATELLITE_PHONE)
    deployment = preparing_with_other_items_done(expert, staff_user)

    refused = refusal_codes(deployment, staff_user)

    assert "no next of kin" in refused["emergency_contacts_unconfirmed"][0]
    assert Deployment.objects.get(pk=deployment.pk).status == "preparing"


def test_a_stale_confirmation_is_refused_and_cannot_be_ticked_off(staff_user, settings):
    settings.CONTACTS_CONFIRMATION_DAYS = 180
    stale = timezone.localdate() - timedelta(days=181)
    deployment = preparing_with_other_items_done(ExpertFactory(contacts_confirmed_on=stale), staff_user)
    item = deployment.checklist.get(kind=ChecklistKind.EMERGENCY_CONTACTS)

    with pytest.raises(ValidationError) as marking:
        checklist_item_mark(item=item, done=True, actor=staff_user)
    refused = refusal_codes(deployment, staff_user)

    assert stale.isoformat() in marking.value.message_dict["checklist"][0]
    assert stale.isoformat() in refused["emergency_contacts_unconfirmed"][0]
    assert deployment.checklist.get(kind=ChecklistKind.EMERGENCY_CONTACTS).done_at is None


def test_a_fresh_confirmation_with_a_next_of_kin_lets_the_official_leave(staff_user, settings):
    settings.CONTACTS_CONFIRMATION_DAYS = 180
    expert = ExpertFactory(contacts_confirmed_on=timezone.localdate() - timedelta(days=180))
    deployment = preparing_with_other_items_done(expert, staff_user)
    checklist_item_mark(
        item=deployment.checklist.get(kind=ChecklistKind.EMERGENCY_CONTACTS), done=True, actor=staff_user
    )

    moved = deployment_transition(deployment=deployment, to="deployed", actor=staff_user)

    assert moved.status == "deployed"


def test_contact_details_are_stored_encrypted():
    contact = EmergencyContactFactory(phone="+81-90-1234-5678", name="Yamada Hanako")

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM dispatch_emergencycontact WHERE id = %s", [contact.pk])
        name, phone = cursor.fetchone()

    assert "Hanako" not in name and "5678" not in phone
    assert decrypt(phone) == "+81-90-1234-5678"
    assert EmergencyContact.objects.get(pk=contact.pk).name == "Yamada Hanako"
