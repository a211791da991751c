"""Deployments of the past: recorded in their final state, gates of departure aside, invariants kept."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dispatch.choices import ExpertStatus
from dispatch.models import Deployment, DeploymentStatusChange
from dispatch.services import deployment_record_past

from .factories import ExpertFactory, MissionFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _past(expert, project, **overrides):
    values = {
        "expert": expert,
        "kind": "technical_cooperation",
        "project": project,
        "country": "ID",
        "actual_start": date(1999, 4, 1),
        "actual_end": date(2001, 3, 31),
    }
    return {**values, **overrides}


def test_a_past_deployment_is_recorded_returned_without_the_gates_of_departure(staff_user):
    # A retiree whose passport and medical clearance lapsed long ago: irrelevant for 1999.
    expert = ExpertFactory(status=ExpertStatus.RETIRED, passport_expiry=date(2000, 1, 1), medical_clearance_until=None)
    deployment = deployment_record_past(actor=staff_user, **_past(expert, ProjectFactory()))
    deployment.refresh_from_db()
    assert (deployment.status, deployment.retrospective) == ("returned", True)
    assert (deployment.planned_start, deployment.planned_end) == (date(1999, 4, 1), date(2001, 3, 31))
    assert not deployment.checklist.exists()
    history = list(
        DeploymentStatusChange.objects.filter(deployment=deployment).values_list("to_status", "retrospective")
    )
    assert history == [("returned", True)]


def test_a_past_deployment_still_may_not_overlap_the_experts_others(staff_user):
    expert, project = ExpertFactory(), ProjectFactory()
    first = deployment_record_past(actor=staff_user, **_past(expert, project))
    with pytest.raises(ValidationError) as refused:
        deployment_record_past(
            actor=staff_user, **_past(expert, project, actual_start=date(2001, 3, 1), actual_end=date(2001, 6, 30))
        )
    assert refused.value.error_dict["expert"][0].code == "overlap"
    assert f"#{first.pk}" in refused.value.messages[0]
    assert Deployment.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"status": "closed"}, "completion_report", "completion_report_required"),
        ({"status": "deployed"}, "status", "not_final"),
        ({"actual_end": date(2999, 1, 1)}, "actual_end", "future"),
        ({"actual_end": date(1999, 1, 1)}, "actual_end", "date_order"),
    ],
)
def test_a_past_deployment_keeps_the_rules_of_all_time(staff_user, overrides, field, code):
    with pytest.raises(ValidationError) as refused:
        deployment_record_past(actor=staff_user, **_past(ExpertFactory(), ProjectFactory(), **overrides))
    assert code in [error.code for error in refused.value.error_dict[field]]
    assert not Deployment.objects.exists()


def test_a_mission_member_of_the_past_takes_the_missions_kind_and_country(staff_api):
    mission = MissionFactory(kind="civilian_police", country="KH")
    expert = ExpertFactory()
    response = staff_api.post(
        reverse("deployment-record-past"),
        {"expert": expert.pk, "mission": mission.pk, "actual_start": "1992-10-01", "actual_end": "1993-07-15"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["country"], body["status"], body["retrospective"]) == (
        "civilian_police",
        "KH",
        "returned",
        True,
    )


def test_the_api_refuses_a_past_deployment_by_field_and_writes_nothing(staff_api):
    response = staff_api.post(
        reverse("deployment-record-past"),
        {"expert": ExpertFactory().pk, "kind": "technical_cooperation", "country": "ID", "actual_start": "2001-01-01",
         "actual_end": "2000-01-01"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert {"actual_end", "project"} <= set(response.json()["error"]["fields"])
    assert not Deployment.objects.exists()


def test_staff_record_a_past_deployment_on_the_admins_form(client, staff_user):
    client.force_login(staff_user)
    changelist = client.get(reverse("admin:dispatch_deployment_changelist")).content.decode()
    url = reverse("admin:dispatch_deployment_history_record_past")
    assert url in changelist
    expert, project = ExpertFactory(), ProjectFactory()
    form = {
        "expert": expert.pk, "kind": "technical_cooperation", "project": project.pk, "country": "ID",
        "actual_start": "1995-04-01", "actual_end": "1996-03-31", "status": "returned",
    }  # fmt: skip
    response = client.post(url, form)
    deployment = Deployment.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{deployment.pk}/change/")
    assert (deployment.status, deployment.retrospective) == ("returned", True)
    refused = client.post(url, {**form, "actual_start": "1996-01-01", "actual_end": "1996-06-30"})
    assert refused.status_code == 200
    assert "expert" in refused.context["form"].errors
    assert Deployment.objects.count() == 1
