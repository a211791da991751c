"""The `missions` and `disasters` resources, their assembly and readiness actions, the admin pages."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dispatch.models import Deployment, Mission

from .factories import DeploymentFactory, DisasterEventFactory, ExpertFactory, MissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quake():
    return DisasterEventFactory(name="Quake (t)", country="NZ", occurred_on=date(2031, 2, 22))


def mission_body(for_disaster, **extra):
    return {
        "name": "Rescue team (t)",
        "kind": "disaster_relief",
        "team_type": "rescue",
        "disaster": for_disaster.pk,
        "country": "NZ",
        "requesting_party": "government",
        "requested_on": "2031-02-22",
        "departure_on": "2031-02-23",
        **extra,
    }


def test_staff_record_a_mission_and_see_its_members(staff_api, quake):
    created = staff_api.post("/api/v1/missions/", mission_body(quake), format="json")
    assert created.status_code == 201, created.content
    mission = Mission.objects.get(pk=created.json()["id"])
    member = DeploymentFactory(
        kind="disaster_relief",
        project=None,
        mission=mission,
        country="NZ",
        planned_start=date(2031, 2, 23),
        planned_end=date(2031, 3, 5),
    )
    body = staff_api.get(f"/api/v1/missions/{mission.pk}/").json()
    assert body["disaster"] == {"id": quake.pk, "display": str(quake)}
    assert [m["id"] for m in body["members"]] == [member.pk]
    assert set(body["members"][0]) == {"id", "url", "display", "kind", "status"}
    assert body["officers"] == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"return_on": "2031-02-20"}, "return_on"),
        ({"disaster": None}, "disaster"),
        ({"team_type": "cooks"}, "team_type"),
    ],
    ids=["return-before-departure", "no-disaster", "unknown-team"],
)
def test_bad_missions_are_refused(staff_api, quake, extra, field):
    response = staff_api.post("/api/v1/missions/", mission_body(quake, **extra), format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Mission.objects.exists()


def test_mission_filters(staff_api, quake):
    MissionFactory(disaster=quake, country="NZ", requested_on=date(2011, 2, 22), team_type="rescue")
    MissionFactory(disaster=quake, country="NZ", requested_on=date(2011, 2, 25), team_type="dvi")
    MissionFactory(
        kind="civilian_police", team_type="expert_team", disaster=None, country="TL", requested_on=date(2007, 1, 10)
    )

    def names(query):
        return sorted(r["team_type"] for r in staff_api.get(f"/api/v1/missions/?{query}").json()["results"])

    assert names("country=NZ") == ["dvi", "rescue"]
    assert names("team_type=dvi") == ["dvi"]
    assert names("kind=civilian_police") == ["expert_team"]
    assert len(names("year=2011")) == 2
    assert staff_api.get("/api/v1/disasters/?year=2031&country=NZ").json()["count"] == 1


def test_assembly_through_the_api(staff_api, quake, today):
    mission = MissionFactory(disaster=quake, requested_on=today, departure_on=today)
    fit = ExpertFactory(standby_rescue=True, safety_training_on=today - timedelta(days=10))
    lapsed = ExpertFactory(standby_rescue=True, safety_training_on=today - timedelta(days=500))
    response = staff_api.post(f"/api/v1/missions/{mission.pk}/assemble/", {"needs": {"rescue": 2}}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [Deployment.objects.get(pk=m["id"]).expert_id for m in body["members"]] == [fit.pk]
    (skipped,) = body["skipped"]
    assert skipped["expert"] == {"id": lapsed.pk, "display": str(lapsed)}
    assert [reason["code"] for reason in skipped["reasons"]] == ["training"]
    assert body["shortfall"] == {"rescue": 1}


def test_bad_assembly_requests(staff_api, quake):
    mission = MissionFactory(disaster=quake)
    for body in ({"needs": {"cooks": 2}}, {"needs": {"rescue": 0}}, {"needs": {}}, {}):
        response = staff_api.post(f"/api/v1/missions/{mission.pk}/assemble/", body, format="json")
        assert response.status_code == 400, body
        assert "needs" in response.json()["error"]["fields"]
    assert not Deployment.objects.exists()


def test_readiness_endpoint(staff_api, manager_api, today):
    ExpertFactory(standby_dvi=True, safety_training_on=today - timedelta(days=5))
    ExpertFactory(standby_dvi=True, safety_training_on=None)
    rows = {r["specialty"]: r for r in manager_api.get("/api/v1/missions/readiness/").json()}
    assert (rows["dvi"]["members"], rows["dvi"]["ready"], rows["dvi"]["not_ready"]["training"]) == (2, 1, 1)
    assert staff_api.get("/api/v1/missions/readiness/?date=9999-12-31").status_code == 400


def test_partners_have_no_door_to_missions(coordinator_api, quake):
    MissionFactory(disaster=quake)
    for url in ("/api/v1/missions/", "/api/v1/disasters/", "/api/v1/missions/readiness/"):
        assert coordinator_api.get(url).status_code == 403


def test_managers_read_but_do_not_assemble(manager_api, quake):
    mission = MissionFactory(disaster=quake)
    assert manager_api.get(f"/api/v1/missions/{mission.pk}/").status_code == 200
    response = manager_api.post(f"/api/v1/missions/{mission.pk}/assemble/", {"needs": {"rescue": 1}}, format="json")
    assert response.status_code == 403


def test_mission_list_queries_do_not_grow(staff_api, quake):
    for n in range(8):
        mission = MissionFactory(disaster=quake)
        DeploymentFactory(
            kind="disaster_relief",
            project=None,
            mission=mission,
            planned_start=date(2031, 1, 1) + timedelta(days=20 * n),
            planned_end=date(2031, 1, 10) + timedelta(days=20 * n),
        )

    def count(size):
        with CaptureQueriesContext(connection) as captured:
            assert staff_api.get(f"/api/v1/missions/?page_size={size}").status_code == 200
        return len(captured)

    count(1)
    assert count(2) == count(8)


# --- admin -----------------------------------------------------------------------------------


def test_admin_assembles_and_shows_readiness(client, staff_user, quake, today):
    client.force_login(staff_user)
    mission = MissionFactory(disaster=quake, requested_on=today, departure_on=today)
    member = ExpertFactory(family_name="Ready", standby_rescue=True, safety_training_on=today)
    ExpertFactory(family_name="Lapsed", standby_rescue=True, safety_training_on=None)
    readiness = client.get(reverse("admin:dispatch_mission_readiness"))
    assert readiness.status_code == 200
    assert "Search and rescue" in readiness.content.decode()
    url = reverse("admin:dispatch_mission_assemble", args=[mission.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {"rescue": 2})
    assert page.status_code == 200
    html = page.content.decode()
    assert "LAPSED" in html and "Safety training overdue" in html
    assert mission.members.get().expert == member
    assert client.get(reverse("admin:dispatch_mission_change", args=[mission.pk])).status_code == 200
