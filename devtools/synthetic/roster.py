"""Experts, disasters, missions and thirty years of deployments."""

from __future__ import annotations

import bisect
import itertools
import random
from collections import defaultdict
from datetime import date

from cooperation.choices import Gender
from dispatch.choices import (
    DeploymentKind,
    DeploymentStatus,
    DisasterKind,
    ExpertStatus,
    MissionKind,
    MissionStatus,
    RequestingParty,
    TeamType,
)

from .base import ANCHOR, CODE_PREFIX, FIRST_DAY, Loader, Plan, days, random_day, stamp
from .portfolio import Portfolio
from .reference import Reference

KIND_WEIGHTS = (
    (DeploymentKind.TECHNICAL_COOPERATION, 70),
    (DeploymentKind.SECONDMENT, 12),
    (DeploymentKind.DISASTER_RELIEF, 10),
    (DeploymentKind.CIVILIAN_POLICE, 8),
)
POST_NAMES = {
    DeploymentKind.TECHNICAL_COOPERATION: "advisor",
    DeploymentKind.SECONDMENT: "secondee",
    DeploymentKind.DISASTER_RELIEF: "relief team member",
    DeploymentKind.CIVILIAN_POLICE: "civilian police officer",
}
OTHER_LANGUAGES = ("fr", "es", "ar", "id", "th", "vi", "ru", "pt", "zh", "ko")
ADVISORY_LEVELS = ((None, 50), (1, 25), (2, 15), (3, 8), (4, 2))
CANCELLED_SHARE = 0.04
REQUESTED_SHARE = 0.01


def weighted(rng: random.Random, pairs):
    return rng.choices([value for value, _ in pairs], [weight for _, weight in pairs])[0]


def generate_missions(plan: Plan, rng: random.Random, loader: Loader, ref: Reference) -> dict[str, list]:
    """Missions by kind, each as (requested_on, id, country), in date order."""
    count = plan.count("missions")
    disasters, missions = [], []
    disaster_id = loader.next_id("dispatch_disasterevent")
    mission_id = loader.next_id("dispatch_mission")
    by_kind: dict[str, list] = defaultdict(list)
    requested = sorted(random_day(rng, FIRST_DAY, ANCHOR + days(60)) for _ in range(count))
    for index, requested_on in enumerate(requested):
        relief = index % 10 < 7
        country = rng.choice(ref.countries)
        disaster = None
        if relief:
            disaster = disaster_id
            occurred = requested_on - days(rng.randint(0, 3))
            disasters.append(
                (
                    disaster_id,
                    stamp(occurred),
                    stamp(occurred),
                    f"Synthetic disaster {index + 1:05d}",
                    "",
                    rng.choice(list(DisasterKind)).value,
                    country,
                    occurred,
                    "",
                )
            )
            disaster_id += 1
        planned_departure = requested_on + days(rng.randint(1, 5))
        planned_back = planned_departure + days(rng.randint(7, 30) if relief else rng.randint(180, 365))
        # What had happened by the anchor day: dates not yet reached are not recorded.
        departure: date | None
        back: date | None
        if index % 17 == 5:
            status, departure, back = MissionStatus.CANCELLED, None, None
        elif planned_departure > ANCHOR:
            status, departure, back = MissionStatus.PLANNED, None, None
        elif planned_back > ANCHOR:
            status, departure, back = MissionStatus.ACTIVE, planned_departure, None
        else:
            status, departure, back = MissionStatus.COMPLETED, planned_departure, planned_back
        kind = MissionKind.DISASTER_RELIEF if relief else MissionKind.CIVILIAN_POLICE
        team = rng.choice((TeamType.RESCUE, TeamType.DVI, TeamType.EXPERT_TEAM)) if relief else TeamType.EXPERT_TEAM
        party = RequestingParty.GOVERNMENT if relief else RequestingParty.INTERNATIONAL_ORGANIZATION
        missions.append(
            (
                mission_id,
                stamp(requested_on),
                stamp(back or requested_on),
                f"Synthetic mission {index + 1:05d}",
                "",
                kind.value,
                team.value,
                disaster,
                country,
                party.value,
                ref.agency_of.get(country) if relief else None,
                requested_on,
                departure,
                back,
                status.value,
                None,
                None,
                None,
                "",
                "",
            )
        )
        by_kind[kind.value].append((requested_on, mission_id, country))
        mission_id += 1
    if disasters:
        loader.load(
            "dispatch_disasterevent",
            ("id", "created_at", "updated_at", "name", "name_ja", "kind", "country", "occurred_on", "description"),
            disasters,
        )
    loader.load(
        "dispatch_mission",
        (
            "id",
            "created_at",
            "updated_at",
            "name",
            "name_ja",
            "kind",
            "team_type",
            "disaster_id",
            "country",
            "requesting_party",
            "requesting_organization_id",
            "requested_on",
            "departure_on",
            "return_on",
            "status",
            "police_officers_reported",
            "persons_rescued",
            "victims_identified",
            "results",
            "source",
        ),
        missions,
    )
    return by_kind


def projects_by_year(portfolio: Portfolio) -> dict[int, list]:
    running: dict[int, list] = defaultdict(list)
    for project in portfolio.projects:
        last = (project.end or ANCHOR + days(730)).year
        for year in range(project.start.year, last + 1):
            running[year].append(project)
    return running


def status_for(rng: random.Random, start: date, end: date) -> str:
    if end < ANCHOR:
        recent = end > ANCHOR - days(90)
        return DeploymentStatus.RETURNED if recent or rng.random() < 0.03 else DeploymentStatus.CLOSED
    if start <= ANCHOR:
        return DeploymentStatus.DEPLOYED
    return DeploymentStatus.PREPARING if start <= ANCHOR + days(60) else DeploymentStatus.NOMINATED


def slot_period(rng: random.Random, slot_start: date, length: int) -> tuple[date, date]:
    """A period inside one slot of an expert's career, so no two of theirs ever overlap."""
    if length >= 420 and rng.random() < 0.22:
        duration = rng.randint(365, min(3 * 365, length - 30))
    else:
        duration = rng.randint(min(7, length - 2), max(min(7, length - 2), min(90, length - 10)))
    duration = max(0, duration)
    start = slot_start + days(rng.randint(0, max(0, length - duration - 2)))
    return start, start + days(duration)


def career(rng: random.Random, horizon: date) -> tuple[date, date]:
    """The part of an expert's time on the roster that falls within the generated years."""
    joined = random_day(rng, FIRST_DAY - days(15 * 365), ANCHOR - days(3 * 365))
    left = min(horizon, joined + days(rng.randint(8 * 365, 30 * 365)))
    joined = max(joined, FIRST_DAY)
    return joined, max(left, joined + days(365))


def generate_roster(plan: Plan, rng: random.Random, loader: Loader, ref: Reference, portfolio: Portfolio) -> None:
    missions = generate_missions(plan, rng, loader, ref)
    mission_days = {kind: [m[0] for m in rows] for kind, rows in missions.items()}
    running = projects_by_year(portfolio)
    expert_count = plan.count("experts")
    total = plan.count("deployments")
    requested = max(1, round(total * REQUESTED_SHARE)) if total > 1 else 0
    first_expert = loader.next_id("dispatch_expert")
    first_deployment = loader.next_id("dispatch_deployment")
    # Careers overlap the thirty years in part; the longer an expert serves within them,
    # the more deployments they hold, so the years carry similar numbers.
    horizon = ANCHOR + days(365)
    careers = [career(rng, horizon) for _ in range(expert_count)]
    cumulative = list(itertools.accumulate((left - joined).days for joined, left in careers))
    per_expert = [0] * expert_count
    for chosen in rng.choices(range(expert_count), cum_weights=cumulative, k=total - requested):
        per_expert[chosen] += 1

    deployments: list[tuple] = []
    countries_of: dict[int, set[str]] = defaultdict(set)
    approver = ref.reviewer

    def deployment_row(expert: int | None, start: date, end: date, status: str) -> tuple:
        number = len(deployments) + 1
        kind = weighted(rng, KIND_WEIGHTS)
        project = host = mission = requester = None
        if kind in (DeploymentKind.DISASTER_RELIEF, DeploymentKind.CIVILIAN_POLICE) and not missions.get(kind.value):
            kind = DeploymentKind.TECHNICAL_COOPERATION
        if kind == DeploymentKind.TECHNICAL_COOPERATION:
            chosen = rng.choice(running.get(start.year) or portfolio.projects)
            project, country, requester = chosen.id, chosen.country, chosen.counterpart
        elif kind == DeploymentKind.SECONDMENT:
            host, country = rng.choice(ref.international_organizations), rng.choice(ref.countries)
        else:
            rows = missions[kind.value]
            position = max(0, bisect.bisect_right(mission_days[kind.value], start) - 1)
            _, mission, country = rows[position]
        actual_start = actual_end = None
        if status in (DeploymentStatus.DEPLOYED, DeploymentStatus.RETURNED, DeploymentStatus.CLOSED):
            actual_start = start + days(rng.randint(0, min(2, (end - start).days)))
            if status != DeploymentStatus.DEPLOYED:
                actual_end = end - days(rng.randint(0, min(2, (end - actual_start).days)))
            if expert is not None:
                countries_of[expert].add(country)
        level = weighted(rng, ADVISORY_LEVELS)
        approved = (
            level is not None
            and level >= 3
            and status not in (DeploymentStatus.REQUESTED, DeploymentStatus.NOMINATED, DeploymentStatus.CANCELLED)
        )
        report = "Synthetic completion report." if status == DeploymentStatus.CLOSED else ""
        return (
            first_deployment + number - 1,
            stamp(start - days(90)),
            stamp(actual_end or end),
            expert,
            kind.value,
            project,
            host,
            mission,
            requester,
            country,
            "",
            f"Synthetic {POST_NAMES[kind]} post {number:06d}",
            start,
            end,
            actual_start,
            actual_end,
            status,
            level,
            rng.random() < 0.1,
            approver if approved else None,
            stamp(start - days(14)) if approved else None,
            report,
            "",
            "",
        )

    for index, count in enumerate(per_expert):
        expert = first_expert + index
        if count == 0:
            continue
        joined, left = careers[index]
        length = (left - joined).days // count
        for slot in range(count):
            start, end = slot_period(rng, joined + days(slot * length), length)
            cancelled = rng.random() < CANCELLED_SHARE
            status = DeploymentStatus.CANCELLED if cancelled else status_for(rng, start, end)
            deployments.append(deployment_row(expert, start, end, status))
    for _ in range(requested):
        start = ANCHOR + days(rng.randint(30, 400))
        deployments.append(
            deployment_row(None, start, start + days(rng.choice((30, 60, 730))), DeploymentStatus.REQUESTED)
        )

    experts, languages, specialties = [], [], []
    language_id = loader.next_id("dispatch_expertlanguage")
    specialty_id = loader.next_id("dispatch_expert_specialties")
    for index in range(expert_count):
        pk = first_expert + index
        number = index + 1
        if careers[index][1] < ANCHOR:
            status = ExpertStatus.RETIRED
        else:
            status = ExpertStatus.UNAVAILABLE if index % 20 == 19 else ExpertStatus.ACTIVE
        gender = Gender.FEMALE if rng.random() < 0.15 else Gender.MALE
        flags = [rng.random() < 0.05 for _ in range(5)]
        medical = ANCHOR + days(rng.randint(-400, 700)) if status == ExpertStatus.ACTIVE else None
        # Most serving officers hold a passport valid for years: open requests have candidates.
        passport = ANCHOR + days(rng.randint(180, 3650)) if status == ExpertStatus.ACTIVE else None
        experts.append(
            (
                pk,
                stamp(FIRST_DAY),
                stamp(ANCHOR),
                f"{CODE_PREFIX}E{number:06d}",
                "Synthetic expert",
                f"{number:06d}",
                "",
                "Inspector",
                rng.choice(ref.home_organizations),
                status.value,
                gender.value,
                None,
                "",
                "",
                passport,
                medical,
                None,
                *flags,
                sorted(countries_of.get(pk, ())),
                "",
            )
        )
        languages.append((language_id, pk, "en", rng.randint(2, 5)))
        language_id += 1
        if rng.random() < 0.3:
            languages.append((language_id, pk, rng.choice(OTHER_LANGUAGES), rng.randint(1, 4)))
            language_id += 1
        for field_pk in rng.sample(ref.fields, rng.randint(1, 3)):
            specialties.append((specialty_id, pk, field_pk))
            specialty_id += 1
    loader.load(
        "dispatch_expert",
        (
            "id",
            "created_at",
            "updated_at",
            "personnel_number",
            "family_name",
            "given_name",
            "name_ja",
            "rank",
            "organization_id",
            "status",
            "gender",
            "date_of_birth",
            "email",
            "phone",
            "passport_expiry",
            "medical_clearance_until",
            "safety_training_on",
            "standby_rescue",
            "standby_dvi",
            "standby_forensic",
            "standby_forensic_dental",
            "standby_communications",
            "countries_of_experience",
            "notes",
        ),
        experts,
    )
    loader.load("dispatch_expertlanguage", ("id", "expert_id", "language", "level"), languages)
    loader.load("dispatch_expert_specialties", ("id", "expert_id", "cooperationfield_id"), specialties)
    loader.load(
        "dispatch_deployment",
        (
            "id",
            "created_at",
            "updated_at",
            "expert_id",
            "kind",
            "project_id",
            "host_organization_id",
            "mission_id",
            "requesting_organization_id",
            "country",
            "city",
            "post",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "status",
            "travel_advisory_level",
            "language_training_required",
            "approved_by_id",
            "approved_at",
            "completion_report",
            "recognition",
            "notes",
        ),
        deployments,
        rebuild_indexes_except=[],
    )
