"""Results by period through the API, the reporting and review pages, and the reminders."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cooperation.notifications.models import Notification, NotificationKind
from cooperation.notifications.services import notifications_for
from cooperation.roles import PARTNER_COORDINATOR
from cooperation.tests.factories import UserFactory
from programs import services
from programs.choices import ValueSource, ValueStatus
from programs.models import PeriodValue
from programs.reminders import due_reminders

from .factories import (
    DisaggregationCategoryFactory,
    DisaggregationFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    ProgramPartnerFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%count\n"


def period_of(organization, **values):
    project = ProjectFactory()
    ProgramPartnerFactory(program=project.program, organization=organization)
    return IndicatorPeriodFactory(indicator=IndicatorFactory(project=project), **values)


@pytest.fixture
def own_period(partner_org):
    period = period_of(partner_org)
    disaggregation = DisaggregationFactory(indicator=period.indicator)
    DisaggregationCategoryFactory.create_batch(2, disaggregation=disaggregation)
    return period


@pytest.fixture
def other_period(other_org):
    return period_of(other_org)


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path


def categories(period):
    return list(period.indicator.disaggregations.get().categories.order_by("pk"))


# --- API ------------------------------------------------------------------------------------


def test_coordinator_submits_through_the_api_and_staff_review(coordinator_api, staff_api, own_period):
    women, men = categories(own_period)
    breakdown = [{"category": women.pk, "amount": "12"}, {"category": men.pk, "amount": "30"}]
    created = coordinator_api.post(
        "/api/v1/period-values/", {"period": own_period.pk, "value": "42", "breakdown": breakdown}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["source"]) == (ValueStatus.SUBMITTED, ValueSource.PARTNER)
    assert {row["category"]["id"]: Decimal(row["amount"]) for row in body["breakdown"]} == {
        women.pk: 12,
        men.pk: 30,
    }

    url = f"/api/v1/period-values/{body['id']}/"
    assert coordinator_api.post(f"{url}approve/").status_code == 403
    returned = staff_api.post(f"{url}return/", {"reason": "Split by province too"}, format="json")
    assert (returned.status_code, returned.json()["status"]) == (200, ValueStatus.RETURNED)
    assert coordinator_api.get(url).json()["return_reason"] == "Split by province too"


def test_api_refuses_a_breakdown_that_does_not_add_up(coordinator_api, own_period):
    women, men = categories(own_period)
    breakdown = [{"category": women.pk, "amount": "1"}, {"category": men.pk, "amount": "2"}]
    response = coordinator_api.post(
        "/api/v1/period-values/", {"period": own_period.pk, "value": "42", "breakdown": breakdown}, format="json"
    )
    assert response.status_code == 400
    [error] = response.json()["error"]["fields"]["breakdown"]
    assert error["code"] == "breakdown_sum"
    assert error["message"] == f"The breakdown by {women.disaggregation.name} adds up to 3, not to the value 42."
    assert not PeriodValue.objects.exists()


def test_another_organizations_period_does_not_exist_for_the_coordinator(coordinator_api, other_period):
    assert coordinator_api.get(f"/api/v1/indicator-periods/{other_period.pk}/").status_code == 404
    response = coordinator_api.post("/api/v1/period-values/", {"period": other_period.pk, "value": "1"}, format="json")
    assert response.json()["error"]["fields"]["period"][0]["code"] == "does_not_exist"
    assert coordinator_api.get("/api/v1/indicator-periods/").json()["count"] == 0


def test_managers_read_and_do_not_write(manager_api, own_period):
    assert manager_api.get(f"/api/v1/indicator-periods/{own_period.pk}/").status_code == 200
    response = manager_api.post("/api/v1/period-values/", {"period": own_period.pk, "value": "1"}, format="json")
    assert response.status_code == 403


# --- pages ----------------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reporting_form_and_review_page(coordinator_user, staff_user, own_period, other_period):
    coordinator = signed_in(coordinator_user)
    index = coordinator.get("/results/report/").content.decode()
    assert own_period.indicator.name in index and other_period.indicator.name not in index
    assert coordinator.get(f"/results/report/{other_period.pk}/").status_code == 404

    women, men = categories(own_period)
    form = {
        "value": "10",
        f"category_{women.pk}": "4",
        f"category_{men.pk}": "5",
        "evidence": SimpleUploadedFile("count.pdf", PDF),
    }
    refused = coordinator.post(f"/results/report/{own_period.pk}/", form)
    assert "adds up to 9, not to the value 10" in refused.content.decode()
    assert not PeriodValue.objects.exists()

    form.update({f"category_{men.pk}": "6", "evidence": SimpleUploadedFile("count.pdf", PDF)})
    assert coordinator.post(f"/results/report/{own_period.pk}/", form).status_code == 302
    value = PeriodValue.objects.get()
    evidence = value.evidence.get()
    assert b"".join(coordinator.get(f"/results/evidence/{evidence.pk}/").streaming_content) == PDF

    staff = signed_in(staff_user)
    assert own_period.indicator.name in staff.get("/results/review/").content.decode()
    staff.post(f"/results/review/{value.pk}/", {"decision": "approve"})
    value.refresh_from_db()
    assert value.status == ValueStatus.APPROVED
    assert coordinator.get("/results/review/").status_code == 403


def test_evidence_of_another_organization_does_not_exist(coordinator_user, other_org, other_period):
    theirs = UserFactory(role=PARTNER_COORDINATOR, username="their-coordinator", organization=other_org)
    value = services.period_value_submit(
        period=other_period, actor=theirs, value=1, evidence=[SimpleUploadedFile("a.pdf", PDF)]
    )
    evidence = value.evidence.get()
    assert signed_in(coordinator_user).get(f"/results/evidence/{evidence.pk}/").status_code == 404


# --- reminders ------------------------------------------------------------------------------


def test_reminders_of_periods_due_and_values_awaiting_review(coordinator_user, staff_user, partner_org):
    today = timezone.localdate()
    due = period_of(partner_org, start=today - timedelta(days=80), end=today + timedelta(days=5))
    period_of(partner_org, start=date(2020, 4, 1), end=date(2020, 6, 30))  # long past: no reminder
    submitted = services.period_value_submit(period=due, actor=coordinator_user, value=Decimal("3"))

    reminders = due_reminders(timezone.now())
    assert [(r.kind, r.recipients) for r in reminders] == [
        (NotificationKind.RESULTS_DUE, (coordinator_user.pk,)),
        (NotificationKind.RESULTS_REVIEW, ()),
    ]
    created = notifications_for(reminders)
    assert set(Notification.objects.filter(pk__in=created).values_list("recipient", "kind")) == {
        (coordinator_user.pk, NotificationKind.RESULTS_DUE),
        (staff_user.pk, NotificationKind.RESULTS_REVIEW),
    }
    assert notifications_for(due_reminders(timezone.now())) == []  # once per cause

    services.period_value_approve(period_value=submitted, actor=staff_user)
    assert due_reminders(timezone.now()) == []


def test_program_page_in_the_admin_shows_both_levels(staff_user):
    program_indicator = IndicatorFactory(project=None, program=ProjectFactory().program, name="Stations, program")
    IndicatorPeriodFactory(indicator=program_indicator, start=date(2024, 4, 1), end=date(2025, 3, 31))
    child = IndicatorFactory(
        project=ProjectFactory(program=program_indicator.program), parent=program_indicator, name="Stations, Java"
    )
    period = IndicatorPeriodFactory(indicator=child)
    services.period_value_record(period=period, actor=staff_user, value=Decimal("17"), source=ValueSource.STAFF)
    page = signed_in(staff_user).get(f"/admin/programs/program/{program_indicator.program.pk}/change/")
    content = page.content.decode()
    assert "Stations, program" in content and "Stations, Java" in content
    assert content.count("<td>17</td>") == 4  # actual and cumulative actual, at both levels
