"""Programs, their partners, projects and yearly funding."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cooperation.periods import fiscal_year_of
from programs.models import Program, ProgramPartner, Publication, Status, StrategicGoal

from .base import ANCHOR, CODE_PREFIX, FIRST_DAY, Loader, Plan, cycle_pick, days, random_day, stamp
from .reference import Reference

# Ten programs in a row hold every status, in the shares of a long-running agency.
PROGRAM_PHASES = (
    "completed",
    "active",
    "completed",
    "suspended",
    "completed",
    "planned",
    "active",
    "completed",
    "cancelled",
    "completed",
)
NATIONAL_KINDS = (
    Program.Kind.TECHNICAL_COOPERATION,
    Program.Kind.TECHNICAL_COOPERATION,
    Program.Kind.REFORM_SUPPORT,
    Program.Kind.BILATERAL,
)
REGIONAL_KINDS = (Program.Kind.INTERNATIONAL_ORGANIZATION, Program.Kind.THIRD_COUNTRY_TRAINING)
GOALS = [goal.value for goal in StrategicGoal]


@dataclass
class ProgramRow:
    id: int
    start: date
    end: date | None
    status: str
    country: str
    published: bool


@dataclass
class ProjectRow:
    id: int
    program: int
    start: date
    end: date | None
    country: str
    counterpart: int | None


@dataclass
class Portfolio:
    programs: list[ProgramRow]
    projects: list[ProjectRow]


def program_dates(rng: random.Random, phase: str) -> tuple[date, date | None]:
    if phase == "completed":
        start = random_day(rng, FIRST_DAY, ANCHOR - days(3 * 365))
        return start, min(start + days(rng.randint(2 * 365, 8 * 365)), ANCHOR - days(1))
    if phase in ("active", "suspended"):
        start = random_day(rng, ANCHOR - days(8 * 365), ANCHOR - days(60))
        return start, None if rng.random() < 0.3 else ANCHOR + days(rng.randint(90, 5 * 365))
    if phase == "planned":
        start = ANCHOR + days(rng.randint(30, 365))
        return start, start + days(rng.randint(2 * 365, 5 * 365))
    start = random_day(rng, FIRST_DAY, ANCHOR + days(180))
    return start, None if rng.random() < 0.5 else start + days(rng.randint(365, 4 * 365))


def publication(rng: random.Random, status: str, ref: Reference, day: date) -> tuple:
    """(publication, submitted_by, submitted_at, reviewed_by, reviewed_at) of a record."""
    draw = rng.random()
    if status == Status.CANCELLED:
        chosen = Publication.WITHDRAWN if draw < 0.3 else Publication.DRAFT
    elif status in (Status.COMPLETED, Status.ACTIVE):
        chosen = Publication.PUBLISHED if draw < 0.6 else Publication.SUBMITTED if draw < 0.7 else Publication.DRAFT
    else:
        chosen = Publication.SUBMITTED if draw < 0.3 else Publication.DRAFT
    if chosen == Publication.DRAFT:
        return chosen.value, None, None, None, None
    if chosen == Publication.SUBMITTED:
        return chosen.value, ref.submitter, stamp(day), None, None
    return chosen.value, ref.submitter, stamp(day), ref.reviewer, stamp(day + days(7))


def project_status(rng: random.Random, program_status: str, start: date, end: date | None) -> str:
    if program_status in (Status.COMPLETED, Status.CANCELLED, Status.PLANNED):
        if program_status == Status.COMPLETED and rng.random() < 0.08:
            return Status.CANCELLED
        return program_status
    if end is not None and end < ANCHOR:
        return Status.COMPLETED
    if start > ANCHOR:
        return Status.PLANNED
    if program_status == Status.SUSPENDED or rng.random() < 0.05:
        return Status.SUSPENDED
    return Status.ACTIVE


def generate_portfolio(plan: Plan, rng: random.Random, loader: Loader, ref: Reference) -> Portfolio:
    weights = [1 / (rank + 5) for rank in range(len(ref.countries))]
    jica, unodc = ref.coordinators["jica"], ref.coordinators["unodc"]
    program_rows, partner_rows, program_fields, program_regions, fundings = [], [], [], [], []
    programs: list[ProgramRow] = []
    first = loader.next_id("programs_program")
    partner_id = loader.next_id("programs_programpartner")
    field_link_id = loader.next_id("programs_program_fields")
    region_link_id = loader.next_id("programs_program_priority_regions")
    funding_id = loader.next_id("programs_funding")
    for index in range(plan.count("programs")):
        pk = first + index
        phase = cycle_pick(index, PROGRAM_PHASES)
        start, end = program_dates(rng, phase)
        regional = rng.random() < 0.2
        country = "" if regional else rng.choices(ref.countries, weights)[0]
        kind = rng.choice(REGIONAL_KINDS if regional else NATIONAL_KINDS)
        counterpart = ref.agency_of.get(country)
        pub = publication(rng, phase, ref, start)
        chosen_fields = rng.sample(ref.fields, rng.randint(1, 3))
        goals = sorted(rng.sample(GOALS, rng.randint(1, 2))) if start.year >= 2024 or rng.random() < 0.2 else []
        title = f"Synthetic program {index + 1:05d}: {ref.field_names[chosen_fields[0]]}"
        program_rows.append(
            (
                pk,
                stamp(start - days(90)),
                stamp(end or ANCHOR),
                *pub,
                f"{CODE_PREFIX}PRG-{index + 1:05d}",
                title,
                "",
                kind.value,
                country,
                counterpart,
                start,
                end,
                phase,
                "",
                "",
                "",
                goals,
            )
        )
        partners = []
        if counterpart is not None:
            partners.append((counterpart, ProgramPartner.Role.COUNTERPART))
        if kind != Program.Kind.INTERNATIONAL_ORGANIZATION and rng.random() < 0.45:
            partners.append((jica, ProgramPartner.Role.IMPLEMENTING))
        if kind == Program.Kind.INTERNATIONAL_ORGANIZATION or rng.random() < 0.1:
            partners.append((unodc, ProgramPartner.Role.INTERNATIONAL_PARTNER))
            partners.append((ref.ministry, ProgramPartner.Role.FUNDING))
        for organization, role in partners:
            partner_rows.append((partner_id, pk, organization, role.value))
            partner_id += 1
        for field_pk in chosen_fields:
            program_fields.append((field_link_id, pk, field_pk))
            field_link_id += 1
        if regional:
            for region_pk in rng.sample(ref.regions, 1):
                program_regions.append((region_link_id, pk, region_pk))
                region_link_id += 1
        if phase != "cancelled":
            last_year = min(fiscal_year_of(end or ANCHOR), fiscal_year_of(ANCHOR) + 1)
            for year in range(max(fiscal_year_of(start), last_year - 5), last_year + 1):
                payer = unodc if kind == Program.Kind.INTERNATIONAL_ORGANIZATION else ref.ministry
                amount = Decimal(rng.randint(5_000, 300_000) * 1000)
                fundings.append(
                    (
                        funding_id,
                        stamp(date(year, 4, 1)),
                        stamp(date(year, 4, 1)),
                        pk,
                        None,
                        payer,
                        year,
                        amount,
                        "JPY",
                        "",
                    )
                )
                funding_id += 1
        programs.append(ProgramRow(pk, start, end, phase, country, pub[0] == Publication.PUBLISHED))
    loader.load(
        "programs_program",
        (
            "id",
            "created_at",
            "updated_at",
            "publication",
            "submitted_by_id",
            "submitted_at",
            "reviewed_by_id",
            "reviewed_at",
            "code",
            "title",
            "title_ja",
            "kind",
            "country",
            "counterpart_id",
            "start_date",
            "end_date",
            "status",
            "objectives",
            "description",
            "description_ja",
            "strategic_goals",
        ),
        program_rows,
    )
    loader.load("programs_programpartner", ("id", "program_id", "organization_id", "role"), partner_rows)
    loader.load("programs_program_fields", ("id", "program_id", "cooperationfield_id"), program_fields)
    if program_regions:
        loader.load("programs_program_priority_regions", ("id", "program_id", "region_id"), program_regions)
    loader.load(
        "programs_funding",
        (
            "id",
            "created_at",
            "updated_at",
            "program_id",
            "project_id",
            "organization_id",
            "fiscal_year",
            "amount",
            "currency",
            "note",
        ),
        fundings,
    )
    projects = generate_projects(plan, rng, loader, ref, programs)
    return Portfolio(programs, projects)


def generate_projects(
    plan: Plan, rng: random.Random, loader: Loader, ref: Reference, programs: list[ProgramRow]
) -> list[ProjectRow]:
    rows, links, projects = [], [], []
    first = loader.next_id("programs_project")
    link_id = loader.next_id("programs_project_fields")
    for index in range(plan.count("projects")):
        pk = first + index
        program = programs[index] if index < len(programs) else rng.choice(programs)
        horizon = program.end or ANCHOR + days(2 * 365)
        start = random_day(rng, program.start, max(program.start, horizon - days(180)))
        planned_end = start + days(rng.randint(365, 4 * 365))
        end: date | None = planned_end
        if program.end is not None:
            end = min(planned_end, program.end)
        elif rng.random() < 0.4 and planned_end > ANCHOR:
            end = None
        status = project_status(rng, program.status, start, end)
        if status == Status.COMPLETED and end is None:
            end = max(start, ANCHOR - days(1))
        country = program.country or rng.choice(ref.countries)
        counterpart = ref.agency_of.get(country)
        pub = publication(rng, status, ref, start) if program.published else ("draft", None, None, None, None)
        field_pk = rng.choice(ref.fields)
        rows.append(
            (
                pk,
                stamp(start - days(60)),
                stamp(end or ANCHOR),
                *pub,
                program.id,
                f"{CODE_PREFIX}PRJ-{index + 1:06d}",
                f"Synthetic project {index + 1:06d}: {ref.field_names[field_pk]}",
                "",
                country,
                counterpart,
                start,
                end,
                status,
                "",
                "",
            )
        )
        links.append((link_id, pk, field_pk))
        link_id += 1
        projects.append(ProjectRow(pk, program.id, start, end, country, counterpart))
    loader.load(
        "programs_project",
        (
            "id",
            "created_at",
            "updated_at",
            "publication",
            "submitted_by_id",
            "submitted_at",
            "reviewed_by_id",
            "reviewed_at",
            "program_id",
            "code",
            "title",
            "title_ja",
            "country",
            "counterpart_id",
            "start_date",
            "end_date",
            "status",
            "description",
            "description_ja",
        ),
        rows,
    )
    loader.load("programs_project_fields", ("id", "project_id", "cooperationfield_id"), links)
    return projects
