"""Writes with rules for deployments: requests, the lifecycle, checklists and check-ins."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.access import STAFF_ONLY_MESSAGE, organization_of
from cooperation.roles import sees_everything
from cooperation.services import Actor, audited_save, model_update
from cooperation.validation import refusal
from cooperation.workflow import RETROSPECTIVE_NOTE, Transitions
from programs.models import Project, program_scope

from ..choices import CheckInStatus, ChecklistKind, DeploymentKind, DeploymentStatus, ExpertStatus
from ..fitness import medical_valid_for, passport_required_until, passport_valid_for
from ..models import ChecklistItem, Deployment, DeploymentStatusChange, Expert, SafetyCheckIn
from .roster import emergency_contacts_unconfirmed

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

S = DeploymentStatus

DEPLOYMENT_TRANSITIONS = Transitions(
    {
        S.REQUESTED: {S.NOMINATED, S.CANCELLED},
        S.NOMINATED: {S.PREPARING, S.CANCELLED},
        S.PREPARING: {S.DEPLOYED, S.CANCELLED},
        # Someone abroad is never "cancelled": they come back, and the return is recorded.
        S.DEPLOYED: {S.RETURNED},
        S.RETURNED: {S.CLOSED},
    }
)

STANDARD_CHECKLIST = (
    ChecklistKind.ADVANCE_SURVEY,
    ChecklistKind.SECURITY_BRIEFING,
    ChecklistKind.MEDICAL_CLEARANCE,
    ChecklistKind.VISA,
    ChecklistKind.INSURANCE,
    ChecklistKind.LANGUAGE_TRAINING,
    ChecklistKind.EMERGENCY_CONTACTS,
)

# Officials who may still be sent; retirees are on the roster precisely to be sent.
DISPATCHABLE_EXPERT_STATUSES = (ExpertStatus.ACTIVE, ExpertStatus.RETIRED)

# What a partner coordinator may request: help on its projects, or a secondee it hosts.
PARTNER_REQUEST_KINDS = (DeploymentKind.TECHNICAL_COOPERATION, DeploymentKind.SECONDMENT)
STAFF_ONLY_REQUEST_FIELDS = ("expert", "mission", "actual_start", "actual_end")

OVERLAP_CONSTRAINT = "deployment_no_overlap_per_expert"


# --- saving a deployment -------------------------------------------------------------------


def _violated_constraint(exc: IntegrityError) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _save_deployment(deployment: Deployment, *, actor: Actor) -> Deployment:
    """Validate and save; an overlap lost to a concurrent write gets the same named message.

    Validation cannot see a rival transaction's uncommitted row; the exclusion
    constraint can, and waits for it. The save runs in a savepoint so that, after the
    refusal, the rival's committed row can be read and named.
    """
    try:
        with transaction.atomic():
            audited_save(deployment, actor=actor)
    except IntegrityError as exc:
        if _violated_constraint(exc) != OVERLAP_CONSTRAINT:
            raise
        conflict = deployment.conflicting_deployments().first()
        if conflict is None:
            raise refusal("expert", _("The expert already holds a deployment in these dates."), "overlap") from None
        raise deployment.overlap_error(conflict) from None
    return deployment


def _record_change(
    deployment: Deployment, *, from_status: str, actor: Actor, note: str, retrospective: bool = False
) -> None:
    DeploymentStatusChange.objects.create(
        deployment=deployment,
        from_status=from_status,
        to_status=deployment.status,
        actor=actor,
        note=note,
        retrospective=retrospective,
    )


def _is_staff(actor: Actor) -> bool:
    return actor is None or sees_everything(actor, "change")


def _partner_request_errors(deployment: Deployment, actor: User) -> dict[str, list[ValidationError]]:
    """What a partner coordinator may not put in a request."""
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: StrOrPromise, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    organization = organization_of(actor)
    for field in STAFF_ONLY_REQUEST_FIELDS:
        if getattr(deployment, f"{field}_id" if field in ("expert", "mission") else field):
            add(field, STAFF_ONLY_MESSAGE, "staff_only")
    if deployment.kind not in PARTNER_REQUEST_KINDS:
        add("kind", _("Partners request technical cooperation or secondments only."), "kind_not_requestable")
    if deployment.project_id and not (
        organization and Project.objects.filter(program_scope(organization), pk=deployment.project_id).exists()
    ):
        add("project", _("This project is not one your organization takes part in."), "out_of_scope")
    if deployment.host_organization_id and deployment.host_organization_id != getattr(organization, "pk", None):
        add("host_organization", _("A partner requests secondees to its own organization only."), "out_of_scope")
    return errors


@transaction.atomic
def deployment_request(*, actor: Actor, **data: Any) -> Deployment:
    """Record a new deployment; it starts as `requested`, whoever asks."""
    deployment = Deployment(**data)
    deployment.status = S.REQUESTED
    if not _is_staff(actor):
        assert actor is not None  # the system's own writes count as staff
        errors = _partner_request_errors(deployment, actor)
        if errors:
            raise ValidationError(errors)
        deployment.requesting_organization = organization_of(actor)
    _save_deployment(deployment, actor=actor)
    _record_change(deployment, from_status="", actor=actor, note="")
    return deployment


@transaction.atomic
def deployment_update(*, deployment: Deployment, actor: Actor, **data: Any) -> Deployment:
    """Save edits to a deployment's details (its status moves only by transition)."""
    model_update(deployment, data)
    stored = Deployment.objects.select_for_update().only("status", "expert").get(pk=deployment.pk)
    deployment.status = stored.status
    if deployment.expert_id != stored.expert_id and stored.status != S.REQUESTED:
        # From nomination on, the nominee is part of the record's history: a different
        # person means cancelling and requesting again.
        raise refusal("expert", _("The nominee cannot be swapped once nominated."), "expert_locked")
    return _save_deployment(deployment, actor=actor)


# --- the past -------------------------------------------------------------------------------

# The states a deployment of the past is recorded in.
PAST_STATUSES = (S.RETURNED, S.CLOSED)


def past_deployment_refusals(
    *, status: str, actual_start: date | None, actual_end: date | None, completion_report: str, today: date
) -> dict[str, list[ValidationError]]:
    """What keeps a deployment from being recorded as one of the past, by field (the rules the
    model's own validation does not hold: the final state, dates known and not ahead)."""
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: StrOrPromise, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if status not in PAST_STATUSES:
        add("status", _("A deployment of the past is recorded as returned or closed."), "not_final")
    if actual_start is None:
        add("actual_start", _("Give the day the expert left."), "required")
    if actual_end is None:
        add("actual_end", _("Give the day the expert came back."), "required")
    elif actual_end > today:
        add("actual_end", _("A return is recorded once it has happened, not ahead."), "future")
    if status == S.CLOSED and not completion_report.strip():
        add("completion_report", _("Record the completion report before closing."), "completion_report_required")
    return errors


@transaction.atomic
def deployment_record_past(
    *,
    actor: Actor,
    status: str = S.RETURNED,
    completion_report: str = "",
    recognition: str = "",
    note: str = "",
    **data: Any,
) -> Deployment:
    """Record a deployment that already happened, directly as returned (or closed).

    The steps that only make sense before departure (request, nomination, checklist,
    documents valid for the stay, approval, an expert still available) are not applied;
    every rule that holds for all time still is: the expert named, the dates in order, no
    overlap with the expert's other deployments. Without planned dates, the actual ones
    are taken. A member of a mission takes the mission's kind and country unless given.
    The record and its one history line are marked retrospective.
    """
    mission = data.get("mission")
    if mission is not None:
        data.setdefault("kind", mission.kind)
        data.setdefault("country", mission.country)
    data.setdefault("planned_start", data.get("actual_start"))
    data.setdefault("planned_end", data.get("actual_end"))
    errors = past_deployment_refusals(
        status=status,
        actual_start=data.get("actual_start"),
        actual_end=data.get("actual_end"),
        completion_report=completion_report,
        today=timezone.localdate(),
    )
    if data.get("expert") is None:
        errors.setdefault("expert", []).append(ValidationError(_("Name the expert who went."), code="expert_required"))
    if errors:
        raise ValidationError(errors)
    deployment = Deployment(**data)
    deployment.status = status
    deployment.completion_report = completion_report.strip()
    deployment.recognition = recognition.strip()
    deployment.retrospective = True
    _save_deployment(deployment, actor=actor)
    _record_change(deployment, from_status="", actor=actor, note=note or str(RETROSPECTIVE_NOTE), retrospective=True)
    return deployment


# --- the lifecycle -------------------------------------------------------------------------


def _check_move(current: str, target: str) -> None:
    """The table's verdict, with its code kept on the field (the shared check drops it)."""
    try:
        DEPLOYMENT_TRANSITIONS.check(current, target)
    except ValidationError as exc:
        raise refusal("status", " ".join(exc.messages), "transition_not_allowed") from None


def deployment_unmet_conditions(deployment: Deployment) -> dict[str, list[ValidationError]]:
    """Everything that still keeps the expert from leaving, by field."""
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: StrOrPromise, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    expert = deployment.expert
    if expert is None:
        add("expert", _("No expert is nominated."), "expert_required")
        return errors
    if expert.status not in DISPATCHABLE_EXPERT_STATUSES:
        add("expert", _("%(expert)s is marked unavailable.") % {"expert": expert}, "expert_unavailable")
    for item in deployment.checklist.all():
        if item.kind == ChecklistKind.EMERGENCY_CONTACTS:
            # Done by the contacts themselves, judged on the day of departure.
            unconfirmed = emergency_contacts_unconfirmed(expert, timezone.localdate())
            if item.required and unconfirmed:
                add("checklist", unconfirmed, "emergency_contacts_unconfirmed")
        elif item.required and not item.is_done:
            add(
                "checklist",
                _("Checklist item not done: %(item)s.") % {"item": item.get_kind_display()},
                "checklist_incomplete",
            )
    if not deployment.checklist.exists():
        add("checklist", _("The deployment has no pre-departure checklist."), "checklist_incomplete")
    required_until = passport_required_until(deployment.planned_end)
    if expert.passport_expiry is None:
        add("passport_expiry", _("No passport expiry is recorded for the expert."), "passport_missing")
    elif not passport_valid_for(expert.passport_expiry, deployment.planned_end):
        add(
            "passport_expiry",
            _(
                "The passport expires on %(expiry)s; it must be valid until %(required)s, "
                "six months past the planned end."
            )
            % {"expiry": expert.passport_expiry.isoformat(), "required": required_until.isoformat()},
            "passport_expiring",
        )
    if expert.medical_clearance_until is None:
        add("medical_clearance_until", _("No medical clearance is recorded for the expert."), "medical_missing")
    elif not medical_valid_for(expert.medical_clearance_until, deployment.planned_end):
        add(
            "medical_clearance_until",
            _("The medical clearance ends on %(until)s, before the planned end %(end)s.")
            % {"until": expert.medical_clearance_until.isoformat(), "end": deployment.planned_end.isoformat()},
            "medical_expiring",
        )
    if deployment.needs_approval and deployment.approved_at is None:
        add(
            "approval",
            _("The destination's travel advisory is level %(level)s; record an approval first.")
            % {"level": deployment.travel_advisory_level},
            "approval_required",
        )
    return errors


def _ensure_checklist(deployment: Deployment, *, actor: Actor) -> None:
    present = set(deployment.checklist.values_list("kind", flat=True))
    for kind in STANDARD_CHECKLIST:
        if kind in present:
            continue
        required = kind != ChecklistKind.LANGUAGE_TRAINING or deployment.language_training_required
        audited_save(ChecklistItem(deployment=deployment, kind=kind, required=required), actor=actor)


def _recorded_day_differs(deployment: Deployment, to: str, on: date | None) -> ValidationError | None:
    """A departure or return given a day other than the one already recorded: never ignored."""
    recorded = deployment.actual_start if to == S.DEPLOYED else deployment.actual_end if to == S.RETURNED else None
    if on is None or recorded is None or recorded == on:
        return None
    message = (
        _("The actual start is already recorded as %(recorded)s; correct it first, or leave the date out.")
        if to == S.DEPLOYED
        else _("The actual end is already recorded as %(recorded)s; correct it first, or leave the date out.")
    )
    return ValidationError(message % {"recorded": recorded.isoformat()}, code="date_already_recorded")


def _refusals(deployment: Deployment, to: str, on: date, given: date | None) -> dict[str, list[ValidationError]]:
    """Every reason the move to `to` cannot happen now, by field (`given`: the day the caller named)."""
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: StrOrPromise, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if to in (S.DEPLOYED, S.RETURNED) and on > timezone.localdate():
        add("on", _("A departure or return is recorded once it has happened, not ahead."), "future")
    differs = _recorded_day_differs(deployment, to, given)
    if differs is not None:
        errors.setdefault("on", []).append(differs)
    if to == S.NOMINATED:
        if deployment.expert is None:
            add("expert", _("Choose the expert to nominate."), "expert_required")
        elif deployment.expert.status not in DISPATCHABLE_EXPERT_STATUSES:
            add("expert", _("%(expert)s is marked unavailable.") % {"expert": deployment.expert}, "expert_unavailable")
    elif to == S.DEPLOYED:
        for field, messages in deployment_unmet_conditions(deployment).items():
            errors.setdefault(field, []).extend(messages)
    elif to == S.RETURNED and deployment.actual_start and on < deployment.actual_start:
        add(
            "on",
            _("The return (%(on)s) cannot precede the departure (%(start)s).")
            % {"on": on.isoformat(), "start": deployment.actual_start.isoformat()},
            "date_order",
        )
    elif to == S.CLOSED and not deployment.completion_report.strip():
        add("completion_report", _("Record the completion report before closing."), "completion_report_required")
    return errors


@transaction.atomic
def deployment_transition(
    *,
    deployment: Deployment,
    to: str,
    actor: Actor,
    note: str = "",
    on: date | None = None,
    expert: Expert | None = None,
) -> Deployment:
    """Move a deployment along its lifecycle, or refuse with every reason at once.

    `on` is the day of departure or return (today when not given, or the day already
    recorded; a different day from the recorded one is refused); `expert` names the
    nominee when moving to `nominated`.
    """
    current = Deployment.objects.select_for_update(of=("self",)).select_related("expert").get(pk=deployment.pk)
    _check_move(current.status, to)
    given, on = on, on or timezone.localdate()
    if expert is not None:
        if to != S.NOMINATED:
            raise refusal("expert", _("An expert is named only when nominating."), "expert_not_expected")
        current.expert = expert
    refusals = _refusals(current, to, on, given)
    if refusals:
        raise ValidationError(refusals)
    from_status = current.status
    if to == S.PREPARING:
        _ensure_checklist(current, actor=actor)
    elif to == S.DEPLOYED and current.actual_start is None:
        current.actual_start = on
    elif to == S.RETURNED and current.actual_end is None:
        current.actual_end = on
    current.status = to
    _save_deployment(current, actor=actor)
    _record_change(current, from_status=from_status, actor=actor, note=note)
    deployment.refresh_from_db()
    return current


@transaction.atomic
def deployment_approve(*, deployment: Deployment, actor: Actor) -> Deployment:
    """Record who approved travel to a high-risk destination, and when."""
    current = Deployment.objects.select_for_update().get(pk=deployment.pk)
    if current.status not in (S.REQUESTED, S.NOMINATED, S.PREPARING):
        raise refusal("approval", _("An approval is recorded before departure."), "approval_after_departure")
    current.approved_by = actor
    current.approved_at = timezone.now()
    _save_deployment(current, actor=actor)
    return current


@transaction.atomic
def deployment_record_completion(
    *, deployment: Deployment, completion_report: str, actor: Actor, recognition: str = ""
) -> Deployment:
    current = Deployment.objects.select_for_update().get(pk=deployment.pk)
    errors = {}
    if current.status != S.RETURNED:
        errors["status"] = ValidationError(
            _("The completion report is recorded once the expert has returned."), code="not_returned"
        )
    if not completion_report.strip():
        errors["completion_report"] = ValidationError(_("Write the report."), code="required")
    if errors:
        raise ValidationError(errors)
    current.completion_report = completion_report.strip()
    current.recognition = recognition.strip()
    _save_deployment(current, actor=actor)
    return current


# --- checklist and safety ------------------------------------------------------------------


@transaction.atomic
def checklist_item_mark(*, item: ChecklistItem, done: bool, actor: Actor, note: str | None = None) -> ChecklistItem:
    deployment = Deployment.objects.select_for_update().get(pk=item.deployment_id)
    if deployment.status not in (S.NOMINATED, S.PREPARING):
        raise refusal("checklist", _("The checklist is kept while preparing the departure."), "checklist_closed")
    if done and item.kind == ChecklistKind.EMERGENCY_CONTACTS and deployment.expert is not None:
        unconfirmed = emergency_contacts_unconfirmed(deployment.expert, timezone.localdate())
        if unconfirmed:
            raise refusal("checklist", unconfirmed, "emergency_contacts_unconfirmed")
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    if note is not None:
        item.note = note
    audited_save(item, actor=actor)
    return item


@transaction.atomic
def checklist_item_update(
    *, checklist_item: ChecklistItem, actor: Actor, done: bool | None = None, **data: Any
) -> ChecklistItem:
    """Change whether an item is required and its note; `done`, when given, ticks or unticks
    it as `checklist_item_mark` does (only while preparing the departure)."""
    model_update(checklist_item, data)
    if done is not None:
        return checklist_item_mark(item=checklist_item, done=done, actor=actor)
    audited_save(checklist_item, actor=actor)
    return checklist_item


@transaction.atomic
def safety_check_in_record(
    *, deployment: Deployment, status: str, actor: Actor, note: str = "", at: datetime | None = None
) -> SafetyCheckIn:
    current = Deployment.objects.select_for_update().get(pk=deployment.pk)
    if current.status != S.DEPLOYED:
        raise refusal("deployment", _("Check-ins are recorded while the expert is abroad."), "not_deployed")
    at = at or timezone.now()
    if at > timezone.now():
        raise refusal("at", _("A check-in cannot lie in the future."), "future")
    if status not in CheckInStatus.values:
        raise refusal("status", _("Unknown check-in status."), "invalid_choice")
    check_in = SafetyCheckIn(deployment=current, status=status, note=note, at=at, by=actor)
    audited_save(check_in, actor=actor)
    return check_in
