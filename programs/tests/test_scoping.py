"""Partner coordinators see their organization's programs and report results; nothing else."""

import pytest

from programs.models import Measurement, Program, Project

pytestmark = pytest.mark.django_db

RESOURCES = {
    "programs": "program",
    "projects": "project",
    "sites": "site",
    "fundings": "funding",
    "indicators": "indicator",
    "measurements": "measurement",
    "events": "event",
}


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_coordinator_lists_only_their_organizations_records(coordinator_api, ours, theirs, resource):
    response = coordinator_api.get(f"/api/v1/{resource}/")
    assert response.status_code == 200, response.content
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [getattr(ours, RESOURCES[resource]).pk]


@pytest.mark.parametrize("resource", RESOURCES)
def test_another_organizations_record_is_404_and_its_own_is_readable(coordinator_api, ours, theirs, resource):
    attribute = RESOURCES[resource]
    assert coordinator_api.get(f"/api/v1/{resource}/{getattr(theirs, attribute).pk}/").status_code == 404
    assert coordinator_api.get(f"/api/v1/{resource}/{getattr(ours, attribute).pk}/").status_code == 200


@pytest.mark.parametrize("resource", RESOURCES)
def test_managers_read_everything(manager_api, ours, theirs, resource):
    response = manager_api.get(f"/api/v1/{resource}/")
    assert response.json()["count"] == 2


@pytest.mark.parametrize("resource", RESOURCES)
def test_without_a_role_nothing_is_readable(roleless_user, ours, resource):
    from conftest import token_client

    assert token_client(roleless_user).get(f"/api/v1/{resource}/").status_code == 403


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_requests_are_refused(anonymous_api, ours, resource):
    assert anonymous_api.get(f"/api/v1/{resource}/").status_code in (401, 403)


def test_a_counterpart_sees_the_program_without_a_partner_role(coordinator_api, partner_org, theirs):
    Program.objects.filter(pk=theirs.program.pk).update(counterpart=partner_org)
    assert coordinator_api.get(f"/api/v1/programs/{theirs.program.pk}/").status_code == 200


def test_an_event_the_organization_organized_is_visible(coordinator_api, partner_org, theirs):
    theirs.event.organizers.add(partner_org)
    assert coordinator_api.get(f"/api/v1/events/{theirs.event.pk}/").status_code == 200


# --- writing -----------------------------------------------------------------------------


def test_a_coordinator_reports_a_value_for_their_programs_indicator(coordinator_api, coordinator_user, ours):
    response = coordinator_api.post(
        "/api/v1/measurements/",
        {"indicator": ours.indicator.pk, "period_end": "2013-09-30", "value": "25.5", "source": "JICA report"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reported_by"]["code"] == "jica-test"
    assert body["indicator"] == {"id": ours.indicator.pk, "display": ours.indicator.name}
    measurement = Measurement.objects.get(pk=body["id"])
    assert measurement.history.get().history_user == coordinator_user


def test_a_value_for_another_organizations_indicator_is_refused(coordinator_api, ours, theirs):
    response = coordinator_api.post(
        "/api/v1/measurements/", {"indicator": theirs.indicator.pk, "period_end": "2013-09-30", "value": "3"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["indicator"][0]["code"] == "does_not_exist"
    assert not theirs.indicator.measurements.filter(period_end="2013-09-30").exists()


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_coordinator_cannot_change_or_delete_values(coordinator_api, ours, method):
    response = getattr(coordinator_api, method)(f"/api/v1/measurements/{ours.measurement.pk}/", {"value": "99"})
    assert response.status_code == 403
    ours.measurement.refresh_from_db()
    assert ours.measurement.value == 10


@pytest.mark.parametrize(
    "resource,payload",
    [
        ("programs", {"code": "new", "title": "New", "start_date": "2013-01-01"}),
        ("projects", {"program": "ours-program", "code": "new", "title": "New", "start_date": "2013-01-01"}),
        ("sites", {"name": "New site", "country": "ID"}),
        ("fundings", {"program": "ours-program", "organization": "jica-test", "fiscal_year": 2013, "amount": "1"}),
        (
            "indicators",
            {
                "project": "ours-project",
                "name": "New",
                "baseline_value": "0",
                "baseline_date": "2013-01-01",
                "target_value": "1",
                "target_date": "2014-01-01",
            },
        ),
        ("events", {"name": "New", "kind": "seminar"}),
    ],
)
def test_nothing_else_is_writable_for_a_coordinator(coordinator_api, ours, resource, payload):
    before = coordinator_api.get(f"/api/v1/{resource}/").json()["count"]
    assert coordinator_api.post(f"/api/v1/{resource}/", payload).status_code == 403
    assert coordinator_api.get(f"/api/v1/{resource}/").json()["count"] == before


@pytest.mark.parametrize("resource,attribute", [("programs", "program"), ("projects", "project")])
def test_a_coordinator_cannot_change_their_own_programs(coordinator_api, ours, resource, attribute):
    record = getattr(ours, attribute)
    response = coordinator_api.patch(f"/api/v1/{resource}/{record.pk}/", {"title": "Renamed"})
    assert response.status_code == 403
    assert type(record).objects.get(pk=record.pk).title == record.title


def test_a_manager_reads_but_cannot_write(manager_api, ours):
    assert manager_api.patch(f"/api/v1/projects/{ours.project.pk}/", {"title": "Renamed"}).status_code == 403
    response = manager_api.post(
        "/api/v1/measurements/", {"indicator": ours.indicator.pk, "period_end": "2013-09-30", "value": "1"}
    )
    assert response.status_code == 403
    assert Project.objects.get(pk=ours.project.pk).title == ours.project.title
