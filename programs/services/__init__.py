"""Writes with rules for the portfolio: programs, projects, results, money, events.

Every function validates the record (field rules, constraints and the cross-table
rules in the models' `clean()`), saves it inside one transaction and credits the
change to `actor` in the record's history. The database triggers (written out
in migration programs 0002) hold the same cross-table rules against any other write path.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from cooperation.access import organization_of
from cooperation.archive import archive
from cooperation.models import CooperationField, Organization, Region
from cooperation.services import (
    Actor,
    LoadReport,
    ModelT,
    audited_save,
    model_update,
    record_create,
    record_delete,
    record_update,
    upsert_by_code,
)

from ..choices import Aggregation, Direction, PeriodKind
from ..models import Event, Funding, Indicator, Measurement, Program, ProgramPartner, Project, Site, Status

REFERENCE_PROGRAMS_FILE = Path(__file__).resolve().parent.parent / "reference_data" / "programs.json"

Partners = Iterable[tuple[Organization, str]]


# --- shared mechanics ------------------------------------------------------------------------


def _set_related(instance: models.Model, related: dict[str, Iterable[models.Model] | None]) -> None:
    """Replace many-to-many sets; None leaves a set as it is."""
    for name, values in related.items():
        if values is not None:
            getattr(instance, name).set(list(values))


def _save(
    instance: ModelT, *, actor: Actor, changes: dict[str, Any], related: dict[str, Iterable[models.Model] | None]
) -> ModelT:
    model_update(instance, changes)
    audited_save(instance, actor=actor)
    _set_related(instance, related)
    return instance


# --- programs --------------------------------------------------------------------------------


@transaction.atomic
def program_partner_create(*, actor: Actor, **data: Any) -> ProgramPartner:
    """One organization in one role in a program; the same role twice is refused."""
    return record_create(ProgramPartner, actor=actor, **data)


@transaction.atomic
def program_partner_update(*, program_partner: ProgramPartner, actor: Actor, **data: Any) -> ProgramPartner:
    return record_update(program_partner, actor=actor, **data)


def _set_partners(program: Program, partners: Partners, *, actor: Actor) -> tuple[int, int]:
    """Make the program's partnerships exactly `partners` ((organization, role) pairs);
    return how many were added and removed."""
    wanted = {(organization.pk, role) for organization, role in partners}
    removed = 0
    for partnership in program.partnerships.all():
        if (partnership.organization_id, partnership.role) not in wanted:
            record_delete(partnership, actor=actor)
            removed += 1
    existing = set(program.partnerships.values_list("organization_id", "role"))
    added = sorted(wanted - existing)
    for organization_id, role in added:
        audited_save(ProgramPartner(program=program, organization_id=organization_id, role=role), actor=actor)
    return len(added), removed


@transaction.atomic
def program_create(
    *,
    actor: Actor,
    code: str,
    title: str,
    start_date: date,
    end_date: date | None = None,
    kind: str = Program.Kind.TECHNICAL_COOPERATION,
    country: str = "",
    counterpart: Organization | None = None,
    status: str = Status.PLANNED,
    title_ja: str = "",
    objectives: str = "",
    description: str = "",
    description_ja: str = "",
    strategic_goals: Iterable[str] = (),
    fields: Iterable[CooperationField] = (),
    priority_regions: Iterable[Region] = (),
    partners: Partners = (),
) -> Program:
    program = Program(
        code=code,
        title=title,
        title_ja=title_ja,
        kind=kind,
        country=country,
        counterpart=counterpart,
        start_date=start_date,
        end_date=end_date,
        status=status,
        objectives=objectives,
        description=description,
        description_ja=description_ja,
        strategic_goals=list(strategic_goals),
    )
    _save(program, actor=actor, changes={}, related={"fields": fields, "priority_regions": priority_regions})
    _set_partners(program, partners, actor=actor)
    return program


@transaction.atomic
def program_update(
    *,
    program: Program,
    actor: Actor,
    fields: Iterable[CooperationField] | None = None,
    priority_regions: Iterable[Region] | None = None,
    partners: Partners | None = None,
    **changes: Any,
) -> Program:
    """Change a program; shortening it past one of its projects is refused."""
    _save(program, actor=actor, changes=changes, related={"fields": fields, "priority_regions": priority_regions})
    if partners is not None:
        _set_partners(program, partners, actor=actor)
    return program


@transaction.atomic
def program_delete(*, program: Program, actor: Actor) -> None:
    """Archives the program: withdrawn from lists, figures and the IATI file, restorable by
    staff; its projects and events keep pointing at it (see cooperation.archive)."""
    archive(program, actor=actor)


# --- projects and sites ----------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: Actor,
    program: Program,
    code: str,
    title: str,
    start_date: date,
    end_date: date | None = None,
    country: str = "",
    counterpart: Organization | None = None,
    status: str = Status.PLANNED,
    title_ja: str = "",
    description: str = "",
    description_ja: str = "",
    fields: Iterable[CooperationField] = (),
) -> Project:
    """A project inside its program's period."""
    project = Project(
        program=program,
        code=code,
        title=title,
        title_ja=title_ja,
        country=country,
        counterpart=counterpart,
        start_date=start_date,
        end_date=end_date,
        status=status,
        description=description,
        description_ja=description_ja,
    )
    return _save(project, actor=actor, changes={}, related={"fields": fields})


@transaction.atomic
def project_update(
    *, project: Project, actor: Actor, fields: Iterable[CooperationField] | None = None, **changes: Any
) -> Project:
    return _save(project, actor=actor, changes=changes, related={"fields": fields})


@transaction.atomic
def project_delete(*, project: Project, actor: Actor) -> None:
    record_delete(project, actor=actor)


@transaction.atomic
def site_create(*, actor: Actor, name: str, country: str, projects: Iterable[Project] = (), **values: Any) -> Site:
    return _save(Site(name=name, country=country), actor=actor, changes=values, related={"projects": projects})


@transaction.atomic
def site_update(*, site: Site, actor: Actor, projects: Iterable[Project] | None = None, **changes: Any) -> Site:
    return _save(site, actor=actor, changes=changes, related={"projects": projects})


# --- money -----------------------------------------------------------------------------------


@transaction.atomic
def funding_create(
    *,
    actor: Actor,
    program: Program,
    organization: Organization,
    fiscal_year: int,
    amount: Decimal,
    project: Project | None = None,
    currency: str = "JPY",
    note: str = "",
) -> Funding:
    """Money in one Japanese fiscal year; a project's funding is booked on its own program."""
    funding = Funding(
        program=program,
        project=project,
        organization=organization,
        fiscal_year=fiscal_year,
        amount=amount,
        currency=currency,
        note=note,
    )
    return _save(funding, actor=actor, changes={}, related={})


@transaction.atomic
def funding_update(*, funding: Funding, actor: Actor, **changes: Any) -> Funding:
    return _save(funding, actor=actor, changes=changes, related={})


# --- results ---------------------------------------------------------------------------------


@transaction.atomic
def indicator_create(
    *,
    actor: Actor,
    name: str,
    baseline_value: Decimal,
    baseline_date: date,
    target_value: Decimal,
    target_date: date,
    project: Project | None = None,
    program: Program | None = None,
    parent: Indicator | None = None,
    aggregation: str = Aggregation.SUM,
    direction: str = Direction.HIGHER,
    period_kind: str = PeriodKind.QUARTERLY,
    unit: str = "",
    name_ja: str = "",
    description: str = "",
    internal: bool = False,
) -> Indicator:
    """A project indicator (`project`, optionally rolling up to `parent`, an indicator of
    the same program) or a program-level one (`program`)."""
    indicator = Indicator(
        project=project,
        program=program,
        parent=parent,
        aggregation=aggregation,
        direction=direction,
        period_kind=period_kind,
        name=name,
        name_ja=name_ja,
        unit=unit,
        baseline_value=baseline_value,
        baseline_date=baseline_date,
        target_value=target_value,
        target_date=target_date,
        description=description,
        internal=internal,
    )
    return _save(indicator, actor=actor, changes={}, related={})


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor: Actor, **changes: Any) -> Indicator:
    """Moving the baseline past a recorded value is refused."""
    return _save(indicator, actor=actor, changes=changes, related={})


def _may_report_on(actor: Actor, indicator: Indicator) -> bool:
    if actor is None:
        return True
    return (
        actor.has_perm("programs.add_measurement")
        and Indicator.objects.restrict(actor, "view").filter(pk=indicator.pk).exists()
    )


@transaction.atomic
def measurement_create(
    *,
    actor: Actor,
    indicator: Indicator,
    period_end: date,
    value: Decimal,
    source: str = "",
    note: str = "",
    reported_by: Organization | None = None,
) -> Measurement:
    """A value of an indicator for the period ending `period_end`, credited to the
    reporter's organization unless staff name another (`reported_by`, the admin's field;
    the API never passes it). Partners report only on their own programs' indicators."""
    if not _may_report_on(actor, indicator):
        raise PermissionDenied(_("You may report values only for indicators of your organization's programs."))
    measurement = Measurement(
        indicator=indicator,
        period_end=period_end,
        value=value,
        source=source,
        note=note,
        reported_by=reported_by or (organization_of(actor) if actor is not None else None),
    )
    return _save(measurement, actor=actor, changes={}, related={})


@transaction.atomic
def measurement_update(*, measurement: Measurement, actor: Actor, **changes: Any) -> Measurement:
    return _save(measurement, actor=actor, changes=changes, related={})


# --- events ----------------------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    fields: Iterable[CooperationField] = (),
    organizers: Iterable[Organization] = (),
    **values: Any,
) -> Event:
    return _save(
        Event(name=name, kind=kind), actor=actor, changes=values, related={"fields": fields, "organizers": organizers}
    )


@transaction.atomic
def event_update(
    *,
    event: Event,
    actor: Actor,
    fields: Iterable[CooperationField] | None = None,
    organizers: Iterable[Organization] | None = None,
    **changes: Any,
) -> Event:
    return _save(event, actor=actor, changes=changes, related={"fields": fields, "organizers": organizers})


# --- the programs the agency's own documents describe ----------------------------------------


def _by_code(model: type[ModelT], codes: Iterable[str]) -> list[ModelT]:
    codes = list(codes)
    found = {obj.code: obj for obj in model.objects.filter(code__in=codes)}  # type: ignore[attr-defined]  # coded models
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError(
            _("Unknown %(kind)s codes: %(codes)s (load the reference data first).")
            % {"kind": model._meta.verbose_name, "codes": ", ".join(missing)},
            code="unknown_reference",
        )
    return [found[code] for code in codes]


def _one_by_code(model: type[ModelT], code: str | None) -> ModelT | None:
    return _by_code(model, [code])[0] if code else None


def _dates(row: dict[str, Any]) -> dict[str, date | None]:
    return {name: date.fromisoformat(row[name]) if row.get(name) else None for name in ("start_date", "end_date")}


def _text(row: dict[str, Any], *names: str) -> dict[str, str]:
    return {name: row.get(name, "") for name in names}


@transaction.atomic
def reference_programs_load(*, path: Path = REFERENCE_PROGRAMS_FILE) -> LoadReport:
    """Load the programs, projects, sites and events of the domain documents by code.

    Running it again changes nothing; changing the file updates the rows it names.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()
    for row in data["programs"]:
        values = {
            **_text(row, "title", "title_ja", "country", "objectives", "description", "description_ja"),
            **_dates(row),
            "kind": row["kind"],
            "status": row["status"],
            "counterpart": _one_by_code(Organization, row.get("counterpart")),
            "strategic_goals": row.get("strategic_goals", []),
        }
        related: dict[str, Collection[models.Model]] = {
            "fields": _by_code(CooperationField, row.get("fields", [])),
            "priority_regions": _by_code(Region, row.get("priority_regions", [])),
        }
        program = upsert_by_code(Program, row["code"], values, report=report, kind="programs", related=related)
        partners = [
            (organization, partner["role"])
            for partner, organization in zip(
                row.get("partners", []),
                _by_code(Organization, [p["organization"] for p in row.get("partners", [])]),
                strict=True,
            )
        ]
        added, removed = _set_partners(program, partners, actor=None)
        if added:
            report.created["partnerships"] = report.created.get("partnerships", 0) + added
        if removed:
            report.updated["partnerships removed"] = report.updated.get("partnerships removed", 0) + removed
    for row in data["projects"]:
        values = {
            **_text(row, "title", "title_ja", "country", "description", "description_ja"),
            **_dates(row),
            "program": _one_by_code(Program, row["program"]),
            "status": row["status"],
            "counterpart": _one_by_code(Organization, row.get("counterpart")),
        }
        related = {"fields": _by_code(CooperationField, row.get("fields", []))}
        upsert_by_code(Project, row["code"], values, report=report, kind="projects", related=related)
    for row in data["sites"]:
        values = {
            **_text(row, "name", "name_ja", "kind", "city", "country"),
            "organization": _one_by_code(Organization, row.get("organization")),
            "latitude": row.get("latitude"),
            "longitude": row.get("longitude"),
        }
        related = {"projects": _by_code(Project, row.get("projects", []))}
        upsert_by_code(Site, row["code"], values, report=report, kind="sites", related=related)
    for row in data["events"]:
        values = {
            **_text(row, "name", "name_ja", "kind", "place", "country"),
            **_dates(row),
            "program": _one_by_code(Program, row.get("program")),
            "participating_countries": row.get("participating_countries", []),
            "participant_count": row.get("participant_count"),
        }
        related = {
            "fields": _by_code(CooperationField, row.get("fields", [])),
            "organizers": _by_code(Organization, row.get("organizers", [])),
        }
        upsert_by_code(Event, row["code"], values, report=report, kind="events", related=related)
    return report


from .results import (  # noqa: E402  # the results services build on the portfolio's above
    disaggregation_category_create,
    disaggregation_category_update,
    disaggregation_create,
    disaggregation_update,
    generate_periods,
    indicator_period_create,
    indicator_period_update,
    period_lock,
    period_target_breakdown_set,
    period_value_approve,
    period_value_record,
    period_value_recount,
    period_value_return,
    period_value_submit,
)

__all__ = [
    "disaggregation_category_create",
    "disaggregation_category_update",
    "disaggregation_create",
    "disaggregation_update",
    "generate_periods",
    "indicator_period_create",
    "indicator_period_update",
    "period_lock",
    "period_target_breakdown_set",
    "period_value_approve",
    "period_value_record",
    "period_value_recount",
    "period_value_return",
    "period_value_submit",
]
