"""Writes with rules for disaster-relief and civilian-police missions: rapid assembly."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.models import Organization
from cooperation.services import Actor, audited_save, record_create, record_update
from cooperation.validation import refusal

from ..choices import DeploymentStatus, MissionStatus, StandbySpecialty
from ..fitness import STANDARD_RELIEF_DAYS
from ..models import Deployment, DisasterEvent, Expert, FigureCheckpoint, Mission, OpeningBalance
from ..selectors import standby_flag, standby_roster, unfit_reasons
from .deployments import deployment_request, deployment_transition

MAX_TEAM_SIZE = 500
REFERENCE_MISSIONS_FILE = Path(__file__).resolve().parent.parent / "reference_data" / "missions.json"


@dataclass
class Skipped:
    expert: Expert
    reasons: list[dict[str, Any]]


@dataclass
class Assembly:
    """What one rapid assembly did: who joined, who was passed over and why, what is missing."""

    mission: Mission
    members: list[Deployment] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    shortfall: dict[str, int] = field(default_factory=dict)


def _checked_needs(needs: dict[str, int]) -> dict[str, int]:
    errors = []
    for specialty, count in needs.items():
        if specialty not in StandbySpecialty.values:
            errors.append(_("Unknown specialty “%(s)s”.") % {"s": specialty})
        elif not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_TEAM_SIZE:
            errors.append(
                _("Give %(s)s a number of members from 1 to %(max)d.") % {"s": specialty, "max": MAX_TEAM_SIZE}
            )
    if not needs:
        errors.append(_("Say how many members of which specialty the team needs."))
    if errors:
        raise ValidationError({"needs": [ValidationError(message, code="invalid") for message in errors]})
    return needs


def _member_post(mission: Mission, specialty: str) -> str:
    return f"{mission.get_team_type_display()}: {StandbySpecialty(specialty).label}"


@transaction.atomic
def mission_assemble(
    *,
    mission: Mission,
    needs: dict[str, int],
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
) -> Assembly:
    """Staff a mission in one step from the standby roster.

    For each specialty, in the order given, the fittest standby members (active,
    documents valid for the stay, training current, not booked elsewhere in those days)
    join the team as nominated deployments. Every standby member of those specialties
    who could not be taken is reported with the reasons; a shortfall says how many are
    still missing. Members already on the team count towards the need.
    """
    mission = Mission.objects.select_for_update().get(pk=mission.pk)
    needs = _checked_needs(needs)
    if mission.status in (MissionStatus.COMPLETED, MissionStatus.CANCELLED):
        raise refusal("mission", _("This mission is no longer being staffed."), "mission_closed")
    start = start or mission.departure_on or timezone.localdate()
    try:
        end = end or mission.return_on or start + timedelta(days=STANDARD_RELIEF_DAYS - 1)
    except OverflowError:
        raise refusal("start", _("Give a start within the calendar."), "out_of_range") from None
    if end < start:
        raise refusal("end", _("The stay cannot end before it starts."), "date_order")

    assembly = Assembly(mission=mission)
    on_team = set(mission.members.not_cancelled().values_list("expert_id", flat=True))
    roster = list(standby_roster(specialties=needs, start=start, end=end))
    reported = set()
    for specialty, wanted in needs.items():
        flag = standby_flag(specialty)
        missing = wanted - sum(1 for expert in roster if expert.pk in on_team and getattr(expert, flag))
        for expert in roster:
            if missing <= 0:
                break
            if not getattr(expert, flag) or expert.pk in on_team:
                continue
            reasons = unfit_reasons(expert, start=start, end=end)
            if not reasons:
                member = _join(mission, expert, specialty, start, end, actor)
                if isinstance(member, Deployment):
                    assembly.members.append(member)
                    on_team.add(expert.pk)
                    missing -= 1
                    continue
                reasons = member
            if expert.pk not in reported:
                assembly.skipped.append(Skipped(expert=expert, reasons=reasons))
                reported.add(expert.pk)
        if missing > 0:
            assembly.shortfall[specialty] = missing
    # Report the unfit members of these specialties that the loop never reached.
    for expert in roster:
        if expert.pk in on_team or expert.pk in reported:
            continue
        reasons = unfit_reasons(expert, start=start, end=end)
        if reasons:
            assembly.skipped.append(Skipped(expert=expert, reasons=reasons))
    return assembly


def _join(
    mission: Mission, expert: Expert, specialty: str, start: date, end: date, actor: Actor
) -> Deployment | list[dict[str, Any]]:
    """The expert as a nominated member, or the reasons a concurrent booking refused them."""
    try:
        with transaction.atomic():
            deployment = deployment_request(
                actor=actor,
                expert=expert,
                kind=mission.kind,
                mission=mission,
                country=mission.country,
                post=_member_post(mission, specialty),
                planned_start=start,
                planned_end=end,
            )
            return deployment_transition(
                deployment=deployment, to=DeploymentStatus.NOMINATED, actor=actor, note=_("Rapid assembly")
            )
    except ValidationError as exc:
        return [{"code": "deployed", "message": " ".join(exc.messages)}]


@transaction.atomic
def mission_create(*, actor: Actor, **data: Any) -> Mission:
    return record_create(Mission, actor=actor, **data)


@transaction.atomic
def mission_update(*, mission: Mission, actor: Actor, **data: Any) -> Mission:
    return record_update(mission, actor=actor, **data)


@transaction.atomic
def disaster_create(*, actor: Actor, **data: Any) -> DisasterEvent:
    return record_create(DisasterEvent, actor=actor, **data)


@transaction.atomic
def disaster_update(*, disaster: DisasterEvent, actor: Actor, **data: Any) -> DisasterEvent:
    return record_update(disaster, actor=actor, **data)


def _reference_statements(model: type[FigureCheckpoint | OpeningBalance], rows: list[dict[str, Any]]) -> int:
    """Create the rows not there yet (by figure and day): a record staff corrected stays theirs."""
    created = 0
    for row in rows:
        row = {**row, "as_of": date.fromisoformat(row["as_of"])}
        if not model.objects.filter(figure=row["figure"], as_of=row["as_of"]).exists():
            audited_save(model(**row))
            created += 1
    return created


@transaction.atomic
def reference_missions_load(*, path: Path = REFERENCE_MISSIONS_FILE) -> dict[str, int]:
    """Load the disasters, missions, published checkpoints and opening balances the sources
    name; running it twice changes nothing."""
    data = json.loads(path.read_text(encoding="utf-8"))
    created = {"disasters": 0, "missions": 0}
    disasters = {}
    for row in data["disasters"]:
        row = dict(row)
        key, name, occurred_on = row.pop("key"), row.pop("name"), date.fromisoformat(row.pop("occurred_on"))
        disaster = DisasterEvent.objects.filter(name=name, occurred_on=occurred_on).first()
        if disaster is None:
            disaster = DisasterEvent(name=name, occurred_on=occurred_on, **row)
            audited_save(disaster)
            created["disasters"] += 1
        disasters[key] = disaster
    for row in data["missions"]:
        row = dict(row)
        disaster = disasters.get(row.pop("disaster", None))
        organization_code = row.pop("requesting_organization", None)
        if Mission.objects.filter(name=row["name"]).exists():
            continue
        mission = Mission(
            disaster=disaster,
            requesting_organization=Organization.objects.get(code=organization_code) if organization_code else None,
            **row,
        )
        audited_save(mission)
        created["missions"] += 1
    created["checkpoints"] = _reference_statements(FigureCheckpoint, data["checkpoints"])
    created["opening_balances"] = _reference_statements(OpeningBalance, data["opening_balances"])
    return created
