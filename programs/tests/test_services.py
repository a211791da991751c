"""The services behind every write, and what the API shows of their results."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory, RegionFactory
from programs import services
from programs.models import Program, ProgramPartner

from .factories import IndicatorFactory, MeasurementFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_a_coordinator_cannot_report_on_another_organizations_indicator(coordinator_user, theirs):
    with pytest.raises(PermissionDenied):
        services.measurement_create(
            actor=coordinator_user, indicator=theirs.indicator, period_end=date(2014, 3, 31), value=Decimal("1")
        )
    assert theirs.indicator.measurements.count() == 1


def test_a_reported_value_is_credited_to_the_reporters_organization(coordinator_user, partner_org, ours):
    measurement = services.measurement_create(
        actor=coordinator_user, indicator=ours.indicator, period_end=date(2014, 3, 31), value=Decimal("12")
    )
    assert measurement.reported_by == partner_org
    assert measurement.history.get().history_user == coordinator_user


def test_partners_are_replaced_as_a_set_and_each_change_is_recorded(staff_user):
    jica, unodc, polri = OrganizationFactory.create_batch(3)
    program = services.program_create(
        actor=staff_user,
        code="p",
        title="P",
        start_date=date(2010, 1, 1),
        partners=[(jica, "implementing"), (unodc, "international_partner")],
    )
    services.program_update(program=program, actor=staff_user, partners=[(jica, "implementing"), (polri, "funding")])
    assert set(program.partnerships.values_list("organization__code", "role")) == {
        (jica.code, "implementing"),
        (polri.code, "funding"),
    }
    removed = ProgramPartner.history.get(history_type="-")
    assert (removed.organization_id, removed.history_user) == (unodc.pk, staff_user)


def test_an_update_names_only_real_fields(staff_user):
    program = ProgramFactory()
    with pytest.raises(TypeError, match="no editable field colour"):
        services.program_update(program=program, actor=staff_user, colour="blue")


def test_the_api_writes_and_reads_brief_nested_references(staff_api):
    field = CooperationFieldFactory(code="koban")
    region = RegionFactory(code="asean-s")
    polri = OrganizationFactory(code="polri-s")
    response = staff_api.post(
        "/api/v1/programs/",
        {
            "code": "idn",
            "title": "Reform",
            "start_date": "2001-01-01",
            "country": "ID",
            "counterpart": "polri-s",
            "fields": ["koban"],
            "priority_regions": ["asean-s"],
            "strategic_goals": ["rule_of_law", "gender_youth"],
            "partners": [{"organization": "polri-s", "role": "counterpart"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["counterpart"] == {"id": polri.pk, "code": "polri-s", "display": str(polri)}
    assert body["fields"] == [{"id": field.pk, "code": "koban", "display": str(field)}]
    assert body["priority_regions"][0]["code"] == region.code
    assert body["partners"] == [
        {"organization": {"id": polri.pk, "code": "polri-s", "display": str(polri)}, "role": "counterpart"}
    ]
    brief = staff_api.get(f"/api/v1/programs/{body['id']}/?brief=1").json()
    assert set(brief) == {"id", "url", "display", "code", "title"}


def test_a_partner_listed_twice_in_one_role_is_refused(staff_api):
    OrganizationFactory(code="twice")
    response = staff_api.post(
        "/api/v1/programs/",
        {
            "code": "x",
            "title": "X",
            "start_date": "2001-01-01",
            "partners": [{"organization": "twice", "role": "funding"}, {"organization": "twice", "role": "funding"}],
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["partners"][0]["code"] == "duplicate"
    assert not Program.objects.filter(code="x").exists()


def test_indicators_show_progress_toward_their_target(staff_api):
    indicator = IndicatorFactory(baseline_value=Decimal("2"), target_value=Decimal("12"))
    MeasurementFactory(indicator=indicator, period_end=date(2012, 12, 31), value=Decimal("4"))
    MeasurementFactory(indicator=indicator, period_end=date(2013, 12, 31), value=Decimal("7"))
    body = staff_api.get(f"/api/v1/indicators/{indicator.pk}/").json()
    assert (body["latest_value"], body["latest_period_end"]) == ("7.0000", "2013-12-31")
    assert Decimal(body["progress"]) == (Decimal("7") - 2) / (12 - 2)


def test_an_event_without_dates_reads_plainly(staff_api):
    response = staff_api.post("/api/v1/events/", {"name": "ADEC", "kind": "conference"})
    assert response.status_code == 201, response.content
    assert response.json()["display"] == "ADEC"
    assert response.json()["start_date"] is None


# Slow: generates the whole OpenAPI schema.
def test_the_openapi_schema_describes_the_resources(staff_api):
    response = staff_api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for resource in ("programs", "projects", "sites", "fundings", "indicators", "measurements", "events"):
        assert f"/api/v1/{resource}/" in paths
