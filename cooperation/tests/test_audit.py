"""Every write through admin, API or a service leaves who, when and what changed."""

import pytest

from cooperation.models import Organization, Region
from cooperation.services import reference_data_load

from .factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_api_create_update_delete_are_recorded_with_the_token_user(staff_api, staff_user):
    created = staff_api.post(
        "/api/v1/regions/", {"code": "pacific-t", "name": "Pacific", "countries": ["FJ"]}, format="json"
    ).json()
    staff_api.patch(f"/api/v1/regions/{created['id']}/", {"name": "Pacific Islands"}, format="json")
    staff_api.delete(f"/api/v1/regions/{created['id']}/")
    rows = list(Region.history.filter(id=created["id"]).order_by("history_date"))
    assert [row.history_type for row in rows] == ["+", "~", "-"]
    assert {row.history_user for row in rows} == {staff_user}
    change = rows[1].diff_against(rows[0])
    assert [(c.field, c.old, c.new) for c in change.changes] == [("name", "Pacific", "Pacific Islands")]


def test_admin_change_is_recorded_with_the_staff_user(client, staff_user):
    organization = OrganizationFactory(name="Royal Thai Police", country="TH", acronym="")
    client.force_login(staff_user)
    response = client.post(
        f"/admin/cooperation/organization/{organization.pk}/change/",
        {
            "code": organization.code,
            "name": organization.name,
            "name_ja": "タイ王国警察",
            "acronym": "RTP",
            "kind": organization.kind,
            "country": "TH",
            "parent": "",
            "website": "",
        },
    )
    assert response.status_code == 302, response.content
    latest = organization.history.latest()
    assert latest.history_user == staff_user
    assert latest.history_type == "~"
    changed = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
    assert changed == {"name_ja": ("", "タイ王国警察"), "acronym": ("", "RTP")}


def test_admin_shows_the_history_of_a_record(client, staff_user):
    organization = OrganizationFactory()
    client.force_login(staff_user)
    response = client.get(f"/admin/cooperation/organization/{organization.pk}/history/")
    assert response.status_code == 200
    assert organization.name in response.content.decode()


# Slow: one write through every service, each with its history row.
def test_service_writes_are_recorded():
    reference_data_load()
    npa = Organization.objects.get(code="npa")
    assert npa.history.count() == 1
    assert npa.history.get().history_type == "+"
