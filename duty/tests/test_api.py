from datetime import timedelta

import pytest
from django.utils import timezone

from .factories import OfficialTravelFactory, departed_deployment

pytestmark = pytest.mark.django_db

URL = "/api/v1/presence/"


def test_staff_list_who_is_abroad_by_day_and_country(staff_api):
    today = timezone.localdate()
    jakarta = departed_deployment(start=today - timedelta(days=3), end=today + timedelta(days=3))
    manila = OfficialTravelFactory(departure_on=today, country="PH")

    everyone = staff_api.get(URL)
    philippines = staff_api.get(URL, {"country": "ph"})
    later = staff_api.get(URL, {"on": (today + timedelta(days=4)).isoformat()})

    assert everyone.status_code == 200
    assert {row["source"] for row in everyone.json()} == {
        f"dispatch.deployment:{jakarta.pk}",
        f"duty.officialtravel:{manila.pk}",
    }
    row = next(row for row in everyone.json() if row["kind"] == "deployment")
    assert (row["expert"], row["country"], row["end"]) == (jakarta.expert_id, "ID", jakarta.planned_end.isoformat())
    assert [row["source"] for row in philippines.json()] == [f"duty.officialtravel:{manila.pk}"]
    assert [row["source"] for row in later.json()] == [f"duty.officialtravel:{manila.pk}"]


def test_bad_input_is_answered_by_field(staff_api):
    response = staff_api.get(URL, {"on": "someday", "country": "XX"})

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"on", "country"}


def test_managers_and_coordinators_are_refused(manager_api, coordinator_api):
    departed_deployment(start=timezone.localdate(), end=timezone.localdate())

    assert manager_api.get(URL).status_code == 403
    assert coordinator_api.get(URL).status_code == 403
