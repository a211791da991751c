"""The dispatch lifecycle: the transitions table, the conditions of departure, the history."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dispatch.choices import DeploymentStatus
from dispatch.fitness import add_months, passport_required_until
from dispatch.models import Deployment, DeploymentStatusChange
from dispatch.services import (
    DEPLOYMENT_TRANSITIONS,
    STANDARD_CHECKLIST,
    checklist_item_mark,
    deployment_approve,
    deployment_record_completion,
    deployment_request,
    deployment_transition,
    deployment_update,
    safety_check_in_record,
)
from dispatch.services.deployments import _recorded_day_differs

from .conftest import bring_to, ready_deployment
from .factories import ExpertFactory

pytestmark = pytest.mark.django_db

STATUSES = DeploymentStatus.values
PAIRS = [(source, target) for source in STATUSES for target in STATUSES]


@pytest.mark.parametrize(
    ("source", "target"),
    [pytest.param(s, t, id=f"{s}->{t}") for s, t in PAIRS],
)
def test_every_move_is_allowed_exactly_when_the_table_says(staff_user, source, target):
    deployment = bring_to(ready_deployment(), source, staff_user)
    assert deployment.status == source
    changes_before = DeploymentStatusChange.objects.filter(deployment=deployment).count()
    on = deployment.planned_start if target in ("deployed", "returned") else None
    if target in DEPLOYMENT_TRANSITIONS.targets(source):
        if target == "deployed":
            for item in deployment.checklist.all():
                checklist_item_mark(item=item, done=True, actor=staff_user)
        if target == "closed":
            deployment_record_completion(deployment=deployment, completion_report="Report.", actor=staff_user)
        moved = deployment_transition(deployment=deployment, to=target, actor=staff_user, on=on, note="why")
        assert moved.status == target
        change = DeploymentStatusChange.objects.filter(deployment=deployment).latest("pk")
        assert (change.from_status, change.to_status, change.actor, change.note) == (source, target, staff_user, "why")
    else:
        with pytest.raises(ValidationError) as refused:
            deployment_transition(deployment=deployment, to=target, actor=staff_user, on=on)
        assert refused.value.error_dict["status"][0].code == "transition_not_allowed"
        assert Deployment.objects.get(pk=deployment.pk).status == source
        assert DeploymentStatusChange.objects.filter(deployment=deployment).count() == changes_before


def test_the_table_keeps_the_agreed_shape():
    assert DEPLOYMENT_TRANSITIONS.targets("deployed") == {"returned"}
    assert DEPLOYMENT_TRANSITIONS.targets("closed") == set()
    assert DEPLOYMENT_TRANSITIONS.targets("cancelled") == set()
    cancellable = {s for s in STATUSES if "cancelled" in DEPLOYMENT_TRANSITIONS.targets(s)}
    assert cancellable == {"requested", "nominated", "preparing"}


def test_a_request_records_its_first_history_row(staff_user, partner_project, expert, today):
    deployment = deployment_request(
        expert=expert,
        kind="technical_cooperation",
        project=partner_project,
        country="ID",
        planned_start=today,
        planned_end=today + timedelta(days=100),
        actor=staff_user,
    )
    (change,) = deployment.status_changes.all()
    assert (change.from_status, change.to_status, change.actor) == ("", "requested", staff_user)


def test_preparing_creates_the_standard_checklist(staff_user):
    deployment = bring_to(ready_deployment(language_training_required=False), "preparing", staff_user)
    items = {item.kind: item.required for item in deployment.checklist.all()}
    assert set(items) == set(STANDARD_CHECKLIST)
    assert items["language_training"] is False
    assert all(required for kind, required in items.items() if kind != "language_training")
    other = bring_to(ready_deployment(language_training_required=True), "preparing", staff_user)
    assert other.checklist.get(kind="language_training").required is True


def test_nomination_names_an_expert_and_refuses_without_one(staff_user):
    deployment = ready_deployment(expert=None)
    with pytest.raises(ValidationError) as refused:
        deployment_transition(deployment=deployment, to="nominated", actor=staff_user)
    assert refused.value.error_dict["expert"][0].code == "expert_required"
    nominee = ExpertFactory()
    moved = deployment_transition(deployment=deployment, to="nominated", actor=staff_user, expert=nominee)
    assert moved.expert == nominee


def test_an_unavailable_expert_cannot_be_nominated(staff_user):
    deployment = ready_deployment(expert=ExpertFactory(status="unavailable"))
    with pytest.raises(ValidationError) as refused:
        deployment_transition(deployment=deployment, to="nominated", actor=staff_user)
    assert refused.value.error_dict["expert"][0].code == "expert_unavailable"


def unready(staff_user, **expert_fields):
    """A deployment in preparation whose checklist is still open."""
    return bring_to(ready_deployment(expert=ExpertFactory(**expert_fields)), "preparing", staff_user)


def tick_everything(deployment, actor):
    for item in deployment.checklist.all():
        checklist_item_mark(item=item, done=True, actor=actor)


def test_departure_refusal_lists_every_unmet_condition_at_once(staff_user, today):
    deployment = unready(staff_user, passport_expiry=today, medical_clearance_until=today)
    deployment.travel_advisory_level = 3
    deployment.save()
    with pytest.raises(ValidationError) as refused:
        deployment_transition(deployment=deployment, to="deployed", actor=staff_user)
    reasons = refused.value.error_dict
    codes = {field: [error.code for error in errors] for field, errors in reasons.items()}
    assert codes == {
        "checklist": ["checklist_incomplete"] * 5,
        "passport_expiry": ["passport_expiring"],
        "medical_clearance_until": ["medical_expiring"],
        "approval": ["approval_required"],
    }
    assert Deployment.objects.get(pk=deployment.pk).status == "preparing"


def test_missing_documents_are_named(staff_user):
    deployment = unready(staff_user, passport_expiry=None, medical_clearance_until=None)
    tick_everything(deployment, staff_user)
    with pytest.raises(ValidationError) as refused:
        deployment_transition(deployment=deployment, to="deployed", actor=staff_user)
    assert {f: e[0].code for f, e in refused.value.error_dict.items()} == {
        "passport_expiry": "passport_missing",
        "medical_clearance_until": "medical_missing",
    }


def test_the_approval_unlocks_a_level_three_destination(staff_user):
    deployment = unready(staff_user)
    tick_everything(deployment, staff_user)
    deployment.travel_advisory_level = 4
    deployment.save()
    with pytest.raises(ValidationError):
        deployment_transition(deployment=deployment, to="deployed", actor=staff_user)
    deployment_approve(deployment=deployment, actor=staff_user)
    assert deployment_transition(deployment=deployment, to="deployed", actor=staff_user).status == "deployed"


def test_level_two_needs_no_approval(staff_user):
    deployment = unready(staff_user)
    tick_everything(deployment, staff_user)
    Deployment.objects.filter(pk=deployment.pk).update(travel_advisory_level=2)
    assert deployment_transition(deployment=deployment, to="deployed", actor=staff_user).status == "deployed"


def test_an_optional_item_need_not_be_done(staff_user):
    deployment = unready(staff_user)
    deployment.checklist.filter(kind="visa").update(required=False)
    for item in deployment.checklist.filter(required=True):
        checklist_item_mark(item=item, done=True, actor=staff_user)
    assert deployment_transition(deployment=deployment, to="deployed", actor=staff_user).status == "deployed"


@pytest.mark.parametrize(
    ("days_from_required", "allowed"),
    [(-1, False), (0, True), (1, True)],
    ids=["one-day-short", "exactly-six-months", "one-day-more"],
)
def test_passport_must_last_six_months_past_the_planned_end(staff_user, days_from_required, allowed):
    deployment = ready_deployment()
    required = passport_required_until(deployment.planned_end)
    deployment.expert.passport_expiry = required + timedelta(days=days_from_required)
    deployment.expert.save()
    deployment = bring_to(deployment, "preparing", staff_user)
    tick_everything(deployment, staff_user)
    if allowed:
        assert deployment_transition(deployment=deployment, to="deployed", actor=staff_user).status == "deployed"
    else:
        with pytest.raises(ValidationError) as refused:
            deployment_transition(deployment=deployment, to="deployed", actor=staff_user)
        assert list(refused.value.error_dict) == ["passport_expiry"]


@pytest.mark.parametrize(
    ("days_from_end", "allowed"),
    [(-1, False), (0, True)],
    ids=["ends-the-day-before", "ends-on-the-planned-end"],
)
def test_medical_clearance_must_cover_the_planned_end(staff_user, days_from_end, allowed):
    deployment = ready_deployment()
    deployment.expert.medical_clearance_until = deployment.planned_end + timedelta(days=days_from_end)
    deployment.expert.save()
    deployment = bring_to(deployment, "preparing", staff_user)
    tick_everything(deployment, staff_user)
    if allowed:
        assert deployment_transition(deployment=deployment, to="deployed", actor=staff_user).status == "deployed"
    else:
        with pytest.raises(ValidationError) as refused:
            deployment_transition(deployment=deployment, to="deployed", actor=staff_user)
        assert list(refused.value.error_dict) == ["medical_clearance_until"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2012-08-31", 6, "2013-02-28"),
        ("2011-08-31", 6, "2012-02-29"),
        ("2012-06-30", 6, "2012-12-30"),
        ("2012-09-15", 6, "2013-03-15"),
    ],
)
def test_six_months_later_holds_to_the_end_of_a_short_month(day, months, expected):
    from datetime import date

    assert add_months(date.fromisoformat(day), months) == date.fromisoformat(expected)


def test_departure_and_return_record_the_actual_dates(staff_user, today):
    deployment = bring_to(ready_deployment(planned_start=today - timedelta(days=10)), "deployed", staff_user)
    assert deployment.actual_start == deployment.planned_start
    returned = deployment_transition(deployment=deployment, to="returned", actor=staff_user, on=today)
    assert returned.actual_end == today


def test_departure_cannot_be_recorded_ahead(staff_user, today):
    deployment = unready(staff_user)
    tick_everything(deployment, staff_user)
    with pytest.raises(ValidationError) as refused:
        deployment_transition(deployment=deployment, to="deployed", actor=staff_user, on=today + timedelta(days=1))
    assert refused.value.error_dict["on"][0].code == "future"


def test_return_cannot_precede_departure(staff_user, today):
    deployment = bring_to(ready_deployment(planned_start=today - timedelta(days=10)), "deployed", staff_user)
    with pytest.raises(ValidationError) as refused:
        deployment_transition(
            deployment=deployment, to="returned", actor=staff_user, on=deployment.actual_start - timedelta(days=1)
        )
    assert refused.value.error_dict["on"][0].code == "date_order"


def test_closing_needs_the_completion_report_which_needs_the_return(staff_user):
    deployment = bring_to(ready_deployment(), "deployed", staff_user)
    with pytest.raises(ValidationError) as early:
        deployment_record_completion(deployment=deployment, completion_report="Too early", actor=staff_user)
    assert early.value.error_dict["status"][0].code == "not_returned"
    deployment = bring_to(deployment, "returned", staff_user)
    with pytest.raises(ValidationError) as refused:
        deployment_transition(deployment=deployment, to="closed", actor=staff_user)
    assert refused.value.error_dict["completion_report"][0].code == "completion_report_required"
    deployment_record_completion(
        deployment=deployment,
        completion_report="Koban model spread to 3 provinces.",
        recognition="Commendation",
        actor=staff_user,
    )
    closed = deployment_transition(deployment=deployment, to="closed", actor=staff_user)
    assert (closed.completion_report, closed.recognition) == ("Koban model spread to 3 provinces.", "Commendation")


def test_check_ins_only_while_abroad(staff_user):
    deployment = bring_to(ready_deployment(), "preparing", staff_user)
    with pytest.raises(ValidationError) as refused:
        safety_check_in_record(deployment=deployment, status="ok", actor=staff_user)
    assert refused.value.error_dict["deployment"][0].code == "not_deployed"
    deployment = bring_to(deployment, "deployed", staff_user)
    check_in = safety_check_in_record(deployment=deployment, status="concern", note="Protests nearby", actor=staff_user)
    assert (check_in.status, check_in.by) == ("concern", staff_user)


def test_checklist_is_closed_once_abroad(staff_user):
    deployment = bring_to(ready_deployment(), "deployed", staff_user)
    with pytest.raises(ValidationError) as refused:
        checklist_item_mark(item=deployment.checklist.first(), done=False, actor=staff_user)
    assert refused.value.error_dict["checklist"][0].code == "checklist_closed"


def test_status_history_is_append_only_in_sql(staff_user):
    deployment = bring_to(ready_deployment(), "nominated", staff_user)
    change = deployment.status_changes.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeploymentStatusChange.objects.filter(pk=change.pk).update(note="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        DeploymentStatusChange.objects.filter(pk=change.pk).delete()
    with pytest.raises(ValidationError):
        change.save()
    assert DeploymentStatusChange.objects.get(pk=change.pk).note == ""


def test_the_nominee_cannot_be_swapped_by_an_edit(staff_user):
    from dispatch.services import deployment_update

    deployment = bring_to(ready_deployment(), "nominated", staff_user)
    original = deployment.expert
    with pytest.raises(ValidationError) as refused:
        deployment_update(deployment=deployment, actor=staff_user, expert=ExpertFactory())
    assert refused.value.error_dict["expert"][0].code == "expert_locked"
    assert Deployment.objects.get(pk=deployment.pk).expert == original


# --- actual dates are what happened -----------------------------------------------------------


def test_a_deployment_not_yet_departed_refuses_actual_dates(staff_user, today):
    deployment = ready_deployment(planned_start=today - timedelta(days=10))
    with pytest.raises(ValidationError) as refused:
        deployment_update(deployment=deployment, actor=staff_user, actual_start=today - timedelta(days=9))
    assert refused.value.error_dict["actual_start"][0].code == "actual_dates_before_departure"


def test_a_return_on_a_day_other_than_the_recorded_one_is_refused(staff_user, today):
    deployment = bring_to(ready_deployment(planned_start=today - timedelta(days=10)), "deployed", staff_user)
    deployment_update(deployment=deployment, actor=staff_user, actual_end=today - timedelta(days=2))
    with pytest.raises(ValidationError) as refused:
        deployment_transition(deployment=deployment, to="returned", actor=staff_user, on=today)
    assert refused.value.error_dict["on"][0].code == "date_already_recorded"
    # The recorded day itself, or no day at all, is accepted: nothing is ignored silently.
    returned = deployment_transition(deployment=deployment, to="returned", actor=staff_user)
    assert returned.actual_end == today - timedelta(days=2)


def test_a_departure_on_a_day_other_than_the_recorded_one_is_refused():
    """A departed row's recorded start cannot meet this check through the lifecycle (the
    database keeps actual dates off rows not yet departed), so the rule is tested itself."""
    deployment = Deployment(actual_start=date(2030, 4, 1))
    refused = _recorded_day_differs(deployment, "deployed", date(2030, 4, 2))
    assert refused is not None and refused.code == "date_already_recorded"
    assert _recorded_day_differs(deployment, "deployed", date(2030, 4, 1)) is None
    assert _recorded_day_differs(deployment, "deployed", None) is None
