"""Importing the history of deployments and missions from a file, checked whole, written whole.

Two kinds of file (columns below, documented in docs/api.md):

- `deployments`: one row per past deployment (technical cooperation or secondment),
  recorded as returned or closed and marked retrospective, as `deployment_record_past` does;
- `missions`: one row per member of a past disaster-relief or civilian-police mission;
  rows naming the same mission make one mission, and a mission on record under that name
  takes the new members. A row without a personnel number records the mission alone.

Experts are matched by personnel number, among every expert on record (archived ones
included: the history of a retiree is theirs). Names given in the row must agree with the
record's (ignoring case and spaces), or the row is refused as a doubtful match; an unknown
personnel number becomes a new expert of the roster, which then needs the names and the
organization. A deployment already on record for the same expert, kind, country and
actual dates is matched instead of recorded twice; any other overlap with the expert's
deployments, on record or in the file, is refused.

The rows are checked with a handful of queries whatever their number, and written with
set-based inserts (cooperation.bulk): the experts, the deployments and their history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.bulk import insert_rows, reserve_ids
from cooperation.choices import Gender
from cooperation.models import Organization
from cooperation.rowfiles import (
    CHOICE,
    COUNTRY,
    CREATE,
    DATE,
    MATCH,
    NUMBER,
    Column,
    Plan,
    RowChecker,
    RowImport,
    RowOutcome,
)
from cooperation.workflow import RETROSPECTIVE_NOTE
from programs.models import Project

from .choices import (
    DeploymentKind,
    DeploymentStatus,
    DisasterKind,
    MissionKind,
    MissionStatus,
    RequestingParty,
    TeamType,
)
from .models import Deployment, DeploymentStatusChange, DisasterEvent, Expert, Mission
from .services.deployments import PAST_STATUSES, past_deployment_refusals

EXPERT_COLUMNS = (
    Column("personnel_number", required=True, example="NPA-104233"),
    Column("family_name", example="Sato"),
    Column("given_name", example="Kenji"),
    Column("expert_organization", example="npa"),
)
DEPLOYMENT_COLUMNS = (
    *EXPERT_COLUMNS,
    Column(
        "kind",
        CHOICE,
        required=True,
        choices=(DeploymentKind.TECHNICAL_COOPERATION, DeploymentKind.SECONDMENT),
        example=DeploymentKind.TECHNICAL_COOPERATION,
    ),
    Column("project", example="ID-POLMAS-2"),
    Column("host_organization"),
    Column("country", COUNTRY, required=True, example="ID"),
    Column("city", example="Jakarta"),
    Column("post", example="Policy Advisor to the Chief of Indonesian National Police"),
    Column("actual_start", DATE, required=True, example=date(2012, 4, 1)),
    Column("actual_end", DATE, required=True, example=date(2014, 3, 31)),
    Column("status", CHOICE, choices=tuple(PAST_STATUSES), example=DeploymentStatus.RETURNED),
    Column("completion_report"),
    Column("notes"),
)
MISSION_COLUMNS = (
    Column("mission", required=True, example="Japan Disaster Relief Team, Nepal earthquake"),
    Column("mission_kind", CHOICE, required=True, choices=tuple(MissionKind.values), example="disaster_relief"),
    Column("team_type", CHOICE, required=True, choices=tuple(TeamType.values), example="rescue"),
    Column("country", COUNTRY, required=True, example="NP"),
    Column("requesting_party", CHOICE, required=True, choices=tuple(RequestingParty.values), example="government"),
    Column("requested_on", DATE, required=True, example=date(2015, 4, 25)),
    Column("departure_on", DATE, required=True, example=date(2015, 4, 26)),
    Column("return_on", DATE, required=True, example=date(2015, 5, 8)),
    Column("disaster", example="Nepal earthquake"),
    Column("disaster_kind", CHOICE, choices=tuple(DisasterKind.values), example="earthquake"),
    Column("disaster_on", DATE, example=date(2015, 4, 25)),
    Column("police_officers_reported", NUMBER),
    Column("results"),
    Column("personnel_number", example="NPA-104233"),
    Column("family_name", example="Sato"),
    Column("given_name", example="Kenji"),
    Column("expert_organization", example="npa"),
    Column("post", example="Search and rescue"),
    Column("member_start", DATE),
    Column("member_end", DATE),
)
MISSION_FIELDS = (
    "mission_kind",
    "team_type",
    "country",
    "requesting_party",
    "requested_on",
    "departure_on",
    "return_on",
    "disaster",
    "disaster_kind",
    "disaster_on",
    "police_officers_reported",
    "results",
)


def _name_key(text: str) -> str:
    return "".join(text.split()).lower()


# --- experts -------------------------------------------------------------------------------


@dataclass
class _Experts:
    """The file's experts by personnel number: those on record, and those the file introduces."""

    known: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # number -> (id, family, given)
    new: dict[str, dict[str, Any]] = field(default_factory=dict)  # number -> values of its first row
    organizations: dict[str, Organization] = field(default_factory=dict)

    @classmethod
    def load(cls, rows: list[tuple[int, dict[str, Any]]]) -> _Experts:
        numbers = {values["personnel_number"] for _, values in rows if values.get("personnel_number")}
        codes = {values["expert_organization"] for _, values in rows if values.get("expert_organization")}
        found = cls()
        for pk, number, family, given in Expert.all_objects.filter(personnel_number__in=numbers).values_list(
            "pk", "personnel_number", "family_name", "given_name"
        ):
            found.known[number] = (pk, family, given)
        found.organizations = {org.code: org for org in Organization.objects.filter(code__in=codes)}
        return found

    def check(self, checker: RowChecker, row: int, values: dict[str, Any]) -> None:
        number = values["personnel_number"]
        if number in self.known:
            _pk, family, given = self.known[number]
            for column, recorded in (("family_name", family), ("given_name", given)):
                if values[column] and _name_key(values[column]) != _name_key(recorded):
                    checker.fail(
                        row,
                        column,
                        "expert_name_mismatch",
                        _("Personnel number %(number)s is %(family)s %(given)s on the roster; check the row.")
                        % {"number": number, "family": family, "given": given},
                    )
            return
        if number in self.new:
            return
        for column in ("family_name", "given_name", "expert_organization"):
            if not values[column]:
                checker.fail(
                    row,
                    column,
                    "required_for_new_expert",
                    _("Personnel number %(number)s is not on the roster; give the new expert's names and organization.")
                    % {"number": number},
                )
        code = values["expert_organization"]
        if code and code not in self.organizations:
            checker.fail(
                row,
                "expert_organization",
                "unknown_organization",
                _("No organization has the code “%(value)s”.") % {"value": code},
            )
        if not checker.failed(row):
            self.new[number] = values

    def outcome(self, row: int, number: str, first_rows: dict[str, int]) -> RowOutcome:
        if number in self.known:
            return RowOutcome(row, "expert", MATCH, self.known[number][0])
        # A new expert is created once, by the first row naming them; later rows match it.
        return RowOutcome(row, "expert", CREATE if first_rows.setdefault(number, row) == row else MATCH)

    def write(self, *, actor, at) -> dict[str, int]:
        """Insert the new experts; every personnel number of the file with its expert's id."""
        ids = {number: known[0] for number, known in self.known.items()}
        if not self.new:
            return ids
        numbers = list(self.new)
        (new_ids,) = reserve_ids((Expert, len(numbers)))
        insert_rows(
            Expert,
            ids=new_ids,
            per_row={
                "personnel_number": numbers,
                "family_name": [self.new[n]["family_name"] for n in numbers],
                "given_name": [self.new[n]["given_name"] for n in numbers],
                "organization_id": [self.organizations[self.new[n]["expert_organization"]].pk for n in numbers],
            },
            shared={"gender": Gender.UNDISCLOSED},
            at=at,
            actor=actor,
        )
        ids.update(zip(numbers, new_ids, strict=True))
        return ids


# --- deployments and their overlaps ---------------------------------------------------------


@dataclass
class _Stay:
    """One deployment a file would record: who, when, and what it is."""

    row: int
    number: str
    start: date
    end: date
    values: dict[str, Any]


def _existing_deployments(stays: list[_Stay], experts: _Experts) -> dict[int, list[Deployment]]:
    """For each stay of an expert on record, the live deployments its days meet: (row, deployment)."""
    known = [
        (stay.row, experts.known[stay.number][0], stay.start, stay.end)
        for stay in stays
        if stay.number in experts.known
    ]
    if not known:
        return {}
    rows, expert_ids, starts, ends = (list(column) for column in zip(*known, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.row, d.id FROM unnest(%s::int[], %s::bigint[], %s::date[], %s::date[]) AS t(row, expert, s, e) "
            "JOIN dispatch_deployment d ON d.expert_id = t.expert AND d.status <> %s "
            "AND daterange(coalesce(d.actual_start, d.planned_start), coalesce(d.actual_end, d.planned_end), '[]') "
            "&& daterange(t.s, t.e, '[]') ORDER BY t.row, d.id",
            [rows, expert_ids, starts, ends, DeploymentStatus.CANCELLED],
        )
        pairs = cursor.fetchall()
    deployments = Deployment.objects.in_bulk({pk for _, pk in pairs})
    found: dict[int, list[Deployment]] = defaultdict(list)
    for row, pk in pairs:
        found[row].append(deployments[pk])
    return found


def _check_stays(checker: RowChecker, stays: list[_Stay], experts: _Experts, *, same) -> dict[int, int]:
    """Refuse overlaps; return {row: id} of the stays already on record (matched, not recorded again).

    `same(stay, deployment)` says whether a deployment on record is this very stay.
    """
    matched: dict[int, int] = {}
    for row, deployments in _existing_deployments(stays, experts).items():
        stay = next(stay for stay in stays if stay.row == row)
        twin = next((d for d in deployments if same(stay, d)), None)
        if twin is not None and len(deployments) == 1:
            matched[row] = twin.pk
            continue
        clash = next(d for d in deployments if d is not twin)
        checker.fail(
            row,
            "actual_start",
            "overlap",
            _("The expert already holds deployment #%(id)d (%(start)s – %(end)s), which overlaps these dates.")
            % {"id": clash.pk, "start": clash.period_start, "end": clash.period_end},
        )
    by_expert: dict[str, list[_Stay]] = defaultdict(list)
    for stay in stays:
        if stay.row not in matched:
            by_expert[stay.number].append(stay)
    for own in by_expert.values():
        own.sort(key=lambda stay: (stay.start, stay.row))
        # The stay reaching furthest so far: any later start before its end overlaps it.
        furthest = own[0]
        for after in own[1:]:
            if after.start <= furthest.end:
                checker.fail(
                    after.row,
                    "actual_start",
                    "overlap_in_file",
                    _("The expert's stay in row %(row)d (%(start)s – %(end)s) overlaps these dates.")
                    % {"row": furthest.row, "start": furthest.start, "end": furthest.end},
                )
            if after.end > furthest.end:
                furthest = after
    return matched


def _insert_deployments(stays: list[_Stay], expert_ids: dict[str, int], *, actor, at, columns) -> list[int]:
    """The stays as retrospective deployments with one history line each; their new ids."""
    (ids,) = reserve_ids((Deployment, len(stays)))
    insert_rows(
        Deployment,
        ids=ids,
        per_row={
            "expert_id": [expert_ids[stay.number] for stay in stays],
            "planned_start": [stay.start for stay in stays],
            "planned_end": [stay.end for stay in stays],
            "actual_start": [stay.start for stay in stays],
            "actual_end": [stay.end for stay in stays],
            **{name: [stay.values[name] for stay in stays] for name in columns},
        },
        shared={"retrospective": True},
        at=at,
        actor=actor,
    )
    insert_rows(
        DeploymentStatusChange,
        per_row={"deployment_id": ids, "to_status": [stay.values["status"] for stay in stays]},
        shared={
            "from_status": "",
            "actor_id": getattr(actor, "pk", None),
            "note": str(RETROSPECTIVE_NOTE),
            "retrospective": True,
        },
        at=at,
        history=False,
    )
    return ids


def _check_past(checker: RowChecker, row: int, values: dict[str, Any], start, end, today: date) -> None:
    """The rules every deployment of the past keeps (the service's own)."""
    already = {error.field for error in checker.errors if error.row == row}
    refusals = past_deployment_refusals(
        status=values["status"],
        actual_start=start,
        actual_end=end,
        completion_report=values.get("completion_report", ""),
        today=today,
    )
    for name, errors in refusals.items():
        for error in errors if name not in already else ():
            checker.fail(row, name, error.code or "invalid", " ".join(error.messages))
    if start and end and end < start:
        checker.fail(row, "actual_end", "date_order", _("The actual end cannot be before the actual start."))


# --- the deployments file --------------------------------------------------------------------


@dataclass
class _DeploymentPlan(Plan):
    experts: _Experts = field(default_factory=_Experts)
    stays: list[_Stay] = field(default_factory=list)
    matched: dict[int, int] = field(default_factory=dict)


def _same_deployment(stay: _Stay, deployment: Deployment) -> bool:
    return (
        deployment.kind == stay.values["kind"]
        and deployment.country == stay.values["country"]
        and (deployment.actual_start, deployment.actual_end) == (stay.start, stay.end)
    )


class DeploymentHistory(RowImport):
    kind = "deployments"
    columns = DEPLOYMENT_COLUMNS

    def plan(self, rows: list[tuple[int, list]]) -> Plan:
        checker = RowChecker(self.columns)
        parsed = [(row, values) for row, cells in rows if (values := checker.values(row, cells)) is not None]
        experts = _Experts.load(parsed)
        project_codes = {values["project"] for _, values in parsed if values["project"]}
        projects = dict(Project.objects.filter(code__in=project_codes).values_list("code", "pk"))
        host_codes = {values["host_organization"] for _, values in parsed if values["host_organization"]}
        hosts = dict(Organization.objects.filter(code__in=host_codes).values_list("code", "pk"))
        today = timezone.localdate()
        stays = []
        for row, values in parsed:
            values["status"] = values["status"] or DeploymentStatus.RETURNED
            if values["personnel_number"]:
                experts.check(checker, row, values)
            _check_past(checker, row, values, values["actual_start"], values["actual_end"], today)
            values["project_id"] = self._reference(checker, row, values, "project", projects)
            values["host_organization_id"] = self._reference(checker, row, values, "host_organization", hosts)
            if values["kind"] == DeploymentKind.TECHNICAL_COOPERATION and not values["project"]:
                checker.fail(
                    row, "project", "project_required", _("A technical-cooperation deployment belongs to a project.")
                )
            if values["kind"] == DeploymentKind.SECONDMENT and not values["host_organization"]:
                checker.fail(
                    row,
                    "host_organization",
                    "host_organization_required",
                    _("A secondment names its host organization."),
                )
            if not checker.failed(row):
                stays.append(
                    _Stay(row, values["personnel_number"], values["actual_start"], values["actual_end"], values)
                )
        matched = _check_stays(checker, stays, experts, same=_same_deployment)
        plan = _DeploymentPlan(checker.report_order(), experts=experts, stays=stays, matched=matched)
        first_rows: dict[str, int] = {}
        for stay in stays:
            if checker.failed(stay.row):
                continue
            plan.add(experts.outcome(stay.row, stay.number, first_rows), stay.number)
            action = MATCH if stay.row in matched else CREATE
            plan.add(RowOutcome(stay.row, "deployment", action, matched.get(stay.row)), stay.row)
        return plan

    @staticmethod
    def _reference(checker: RowChecker, row: int, values: dict[str, Any], column: str, known: dict[str, int]):
        code = values[column]
        if not code:
            return None
        if code not in known:
            checker.fail(
                row, column, f"unknown_{column}", _("Nothing on record has the code “%(value)s”.") % {"value": code}
            )
        return known.get(code)

    def write(self, plan: Plan, *, actor) -> list[RowOutcome]:
        assert isinstance(plan, _DeploymentPlan)
        at = timezone.now()
        expert_ids = plan.experts.write(actor=actor, at=at)
        new = [stay for stay in plan.stays if stay.row not in plan.matched]
        ids = _insert_deployments(
            new,
            expert_ids,
            actor=actor,
            at=at,
            columns=(
                "kind",
                "project_id",
                "host_organization_id",
                "country",
                "city",
                "post",
                "status",
                "completion_report",
                "notes",
            ),
        )
        return plan.written({"expert": expert_ids, "deployment": dict(zip((s.row for s in new), ids, strict=True))})


# --- the missions file ------------------------------------------------------------------------


@dataclass
class _MissionPlan(Plan):
    experts: _Experts = field(default_factory=_Experts)
    stays: list[_Stay] = field(default_factory=list)
    matched: dict[int, int] = field(default_factory=dict)
    on_record: dict[str, Mission] = field(default_factory=dict)
    new_missions: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> its first row's values
    disasters: dict[tuple[str, date], int] = field(default_factory=dict)  # (name, day) -> id, on record
    new_disasters: dict[tuple[str, date], dict[str, Any]] = field(default_factory=dict)


def _disaster_key(values: dict[str, Any]) -> tuple[str, date] | None:
    return (values["disaster"], values["disaster_on"]) if values["disaster"] and values["disaster_on"] else None


class MissionHistory(RowImport):
    kind = "missions"
    columns = MISSION_COLUMNS

    def plan(self, rows: list[tuple[int, list]]) -> Plan:
        checker = RowChecker(self.columns)
        parsed = [(row, values) for row, cells in rows if (values := checker.values(row, cells)) is not None]
        plan = _MissionPlan()
        plan.on_record = {m.name: m for m in Mission.objects.filter(name__in={v["mission"] for _, v in parsed})}
        keys = {key for _, values in parsed if (key := _disaster_key(values))}
        plan.disasters = {
            (name, day): pk
            for pk, name, day in DisasterEvent.objects.filter(
                name__in={name for name, _ in keys}, occurred_on__in={day for _, day in keys}
            ).values_list("pk", "name", "occurred_on")
        }
        today = timezone.localdate()
        first_of: dict[str, tuple[int, dict[str, Any]]] = {}
        for row, values in parsed:
            name = values["mission"]
            if name not in first_of:
                first_of[name] = (row, values)
                if name not in plan.on_record:
                    self._check_new_mission(checker, plan, row, values, today)
                continue
            first_row, first = first_of[name]
            for column in MISSION_FIELDS:
                if values[column] not in ("", None) and values[column] != first[column]:
                    checker.fail(
                        row,
                        column,
                        "mission_differs",
                        _("Row %(row)d gives this mission another value here.") % {"row": first_row},
                    )
        members = [(row, values) for row, values in parsed if values["personnel_number"]]
        plan.experts = _Experts.load(members)
        for row, values in members:
            plan.experts.check(checker, row, values)
            mission = plan.on_record.get(values["mission"])
            first = first_of[values["mission"]][1]
            if mission is not None:
                kind, country, period = mission.kind, mission.country.code, (mission.departure_on, mission.return_on)  # type: ignore[attr-defined]  # a CountryField reads as a Country
            else:
                kind, country, period = (
                    first["mission_kind"],
                    first["country"],
                    (first["departure_on"], first["return_on"]),
                )
            start, end = values["member_start"] or period[0], values["member_end"] or period[1]
            values.update(kind=kind, country=country, status=DeploymentStatus.RETURNED, completion_report="", notes="")
            _check_past(checker, row, values, start, end, today)
            if not checker.failed(row) and start and end:
                plan.stays.append(_Stay(row, values["personnel_number"], start, end, values))

        def same(stay: _Stay, deployment: Deployment) -> bool:
            mission = plan.on_record.get(stay.values["mission"])
            return (
                mission is not None
                and deployment.mission_id == mission.pk
                and (deployment.actual_start, deployment.actual_end) == (stay.start, stay.end)
            )

        plan.matched = _check_stays(checker, plan.stays, plan.experts, same=same)
        plan.errors = checker.report_order()
        self._add_outcomes(plan, parsed, checker)
        return plan

    @staticmethod
    def _check_new_mission(
        checker: RowChecker, plan: _MissionPlan, row: int, values: dict[str, Any], today: date
    ) -> None:
        requested, departure, back = values["requested_on"], values["departure_on"], values["return_on"]
        if requested and departure and departure < requested:
            checker.fail(row, "departure_on", "date_order", _("The departure cannot be before the request."))
        if departure and back and back < departure:
            checker.fail(row, "return_on", "date_order", _("The return cannot be before the departure."))
        if back and back > today:
            checker.fail(row, "return_on", "future", _("A return is recorded once it has happened, not ahead."))
        key = _disaster_key(values)
        if values["mission_kind"] == MissionKind.DISASTER_RELIEF and key is None:
            checker.fail(
                row, "disaster", "disaster_required", _("A disaster-relief mission names its disaster and its day.")
            )
        if key is not None and key not in plan.disasters and key not in plan.new_disasters:
            if not values["disaster_kind"]:
                checker.fail(row, "disaster_kind", "required", _("The disaster is not on record; give its kind."))
            else:
                plan.new_disasters[key] = values
        if not checker.failed(row):
            plan.new_missions[values["mission"]] = values

    @staticmethod
    def _add_outcomes(plan: _MissionPlan, parsed, checker: RowChecker) -> None:
        named: set[Any] = set()
        first_rows: dict[str, int] = {}
        for row, values in parsed:
            if checker.failed(row):
                continue
            name, key = values["mission"], _disaster_key(values)
            mission = plan.on_record.get(name)
            if key is not None and mission is None and key not in named:
                named.add(key)
                known = plan.disasters.get(key)
                plan.add(RowOutcome(row, "disaster", MATCH if known else CREATE, known), key)
            if name not in named:
                named.add(name)
                plan.add(
                    RowOutcome(row, "mission", MATCH if mission else CREATE, mission.pk if mission else None), name
                )
            if values["personnel_number"]:
                plan.add(plan.experts.outcome(row, values["personnel_number"], first_rows), values["personnel_number"])
                action = MATCH if row in plan.matched else CREATE
                plan.add(RowOutcome(row, "deployment", action, plan.matched.get(row)), row)

    def write(self, plan: Plan, *, actor) -> list[RowOutcome]:
        assert isinstance(plan, _MissionPlan)
        at = timezone.now()
        disaster_ids = dict(plan.disasters)
        keys = list(plan.new_disasters)
        if keys:
            (ids,) = reserve_ids((DisasterEvent, len(keys)))
            insert_rows(
                DisasterEvent,
                ids=ids,
                per_row={
                    "name": [name for name, _ in keys],
                    "occurred_on": [day for _, day in keys],
                    "kind": [plan.new_disasters[key]["disaster_kind"] for key in keys],
                    "country": [plan.new_disasters[key]["country"] for key in keys],
                },
                shared={},
                at=at,
                actor=actor,
            )
            disaster_ids.update(zip(keys, ids, strict=True))
        mission_ids = {name: mission.pk for name, mission in plan.on_record.items()}
        names = list(plan.new_missions)
        if names:
            (ids,) = reserve_ids((Mission, len(names)))
            rows = [plan.new_missions[name] for name in names]
            insert_rows(
                Mission,
                ids=ids,
                per_row={
                    "name": names,
                    "kind": [v["mission_kind"] for v in rows],
                    "team_type": [v["team_type"] for v in rows],
                    "disaster_id": [disaster_ids.get(_disaster_key(v)) for v in rows],  # type: ignore[arg-type]  # None is no key
                    "country": [v["country"] for v in rows],
                    "requesting_party": [v["requesting_party"] for v in rows],
                    "requested_on": [v["requested_on"] for v in rows],
                    "departure_on": [v["departure_on"] for v in rows],
                    "return_on": [v["return_on"] for v in rows],
                    "police_officers_reported": [v["police_officers_reported"] for v in rows],
                    "results": [v["results"] for v in rows],
                },
                shared={"status": MissionStatus.COMPLETED},
                at=at,
                actor=actor,
            )
            mission_ids.update(zip(names, ids, strict=True))
        expert_ids = plan.experts.write(actor=actor, at=at)
        new = [stay for stay in plan.stays if stay.row not in plan.matched]
        for stay in new:
            stay.values["mission_id"] = mission_ids[stay.values["mission"]]
        ids = _insert_deployments(
            new, expert_ids, actor=actor, at=at, columns=("kind", "mission_id", "country", "post", "status")
        )
        created = {stay.row: pk for stay, pk in zip(new, ids, strict=True)}
        return plan.written(
            {"disaster": disaster_ids, "mission": mission_ids, "expert": expert_ids, "deployment": created}
        )
