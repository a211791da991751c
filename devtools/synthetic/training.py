"""Courses over thirty years, their trainees and enrollments, and visiting delegations."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from trainees.models import Course, Delegation, EnrollmentStatus

from .base import ANCHOR, CODE_PREFIX, FIRST_DAY, Loader, Plan, days, random_day, stamp
from .portfolio import Portfolio
from .reference import Reference

S = EnrollmentStatus
SEATS = (S.ACCEPTED, S.ARRIVED, S.COMPLETED)
JICA_KINDS = (Course.Kind.JICA_GROUP_REGION, Course.Kind.JICA_COUNTRY_FOCUS)
# Courses still to come, in turn: every stage of a course before it is held.
UPCOMING = ("open", "closed", "planned", "running")
RETURNING_SHARE = 0.4
# The capacity trigger counts a course's seats through this index on every new seat.
SEATS_INDEX = "enrollment_course_status_idx"


@dataclass
class CoursePlan:
    id: int
    code: str
    kind: str
    stage: str
    start: date
    end: date
    capacity: int
    targets: list[str]
    nominator: int | None


def course_dates(rng: random.Random, stage: str, past_start: date) -> tuple[date, date, date]:
    """(start, end, nomination deadline) for a course at this stage."""
    if stage == "open":
        start = ANCHOR + days(rng.randint(40, 150))
        deadline = start - days(30)
    elif stage == "closed":
        start = ANCHOR + days(rng.randint(5, 30))
        deadline = ANCHOR - days(rng.randint(1, 20))
    elif stage == "planned":
        start = ANCHOR + days(rng.randint(200, 365))
        deadline = start - days(60)
    elif stage == "running":
        start = ANCHOR - days(rng.randint(1, 10))
        deadline = start - days(45)
    else:
        start = past_start
        deadline = start - days(rng.randint(30, 60))
    end = start + days(rng.randint(7, 60))
    if stage == "running":
        end = max(end, ANCHOR + days(5))
    return start, end, deadline


def enrollment_statuses(rng: random.Random, stage: str, count: int, capacity: int) -> list[S]:
    """What became of each nomination to one course, never more seats than the capacity."""
    if stage == "cancelled":
        return [S.WITHDRAWN if rng.random() < 0.7 else S.REJECTED for _ in range(count)]
    shares: tuple[tuple[S, float], ...]
    if stage == "open":
        shares = ((S.NOMINATED, 0.5), (S.ACCEPTED, 0.3), (S.WAITLISTED, 0.1), (S.REJECTED, 0.05), (S.WITHDRAWN, 0.05))
    elif stage == "closed":
        shares = ((S.ACCEPTED, 0.7), (S.WAITLISTED, 0.15), (S.REJECTED, 0.1), (S.WITHDRAWN, 0.05))
    elif stage == "running":
        shares = ((S.ARRIVED, 0.85), (S.REJECTED, 0.1), (S.WITHDRAWN, 0.05))
    else:
        shares = ((S.COMPLETED, 0.8), (S.ARRIVED, 0.02), (S.REJECTED, 0.12), (S.WITHDRAWN, 0.06))
    statuses = rng.choices([status for status, _ in shares], [weight for _, weight in shares], k=count)
    seats = 0
    for position, status in enumerate(statuses):
        if status in SEATS:
            seats += 1
            if seats > capacity:
                statuses[position] = S.WAITLISTED if stage in ("open", "closed") else S.REJECTED
    return statuses


def split(total: int, weights: list[float]) -> list[int]:
    """`total` shared out in proportion to `weights`, exactly (largest remainders)."""
    whole = sum(weights) or 1.0
    raw = [total * weight / whole for weight in weights]
    counts = [int(value) for value in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def generate_training(plan: Plan, rng: random.Random, loader: Loader, ref: Reference, portfolio: Portfolio) -> None:
    courses = generate_courses(plan, rng, loader, ref, portfolio)
    generate_enrollments(plan, rng, loader, ref, courses)
    generate_delegations(plan, rng, loader, ref)


def generate_courses(
    plan: Plan, rng: random.Random, loader: Loader, ref: Reference, portfolio: Portfolio
) -> list[CoursePlan]:
    count = plan.count("courses")
    upcoming = min(count, max(len(UPCOMING), round(count * 0.04)))
    past_starts = sorted(random_day(rng, FIRST_DAY, ANCHOR - days(75)) for _ in range(count - upcoming))
    first = loader.next_id("trainees_course")
    link_id = loader.next_id("trainees_course_fields")
    hosts = ref.home_organizations
    jica = ref.coordinators["jica"]
    rows, links, courses = [], [], []
    for index in range(count):
        if index < len(past_starts):
            stage = "cancelled" if index % 12 == 1 else "held"
            start, end, deadline = course_dates(rng, stage, past_starts[index])
        else:
            stage = UPCOMING[(index - len(past_starts)) % len(UPCOMING)]
            start, end, deadline = course_dates(rng, stage, ANCHOR)
        kind = rng.choice(list(Course.Kind))
        if kind == Course.Kind.JICA_COUNTRY_FOCUS:
            targets = [rng.choice(ref.countries)]
        elif kind == Course.Kind.JICA_GROUP_REGION:
            targets = sorted(rng.sample(ref.countries, min(len(ref.countries), rng.randint(5, 12))))
        else:
            targets = []
        status = {
            "held": Course.Status.HELD,
            "cancelled": Course.Status.CANCELLED,
            "open": Course.Status.OPEN,
            "planned": Course.Status.PLANNED,
        }.get(stage, Course.Status.CLOSED)
        code = f"{CODE_PREFIX}CRS-{index + 1:05d}"
        field_pk = rng.choice(ref.fields)
        program = None
        if rng.random() < 0.2:
            candidate = rng.choice(portfolio.programs)
            if candidate.start <= start and (candidate.end is None or candidate.end >= start):
                program = candidate.id
        capacity = rng.randint(80, 240)
        rows.append(
            (
                first + index,
                stamp(deadline - days(90)),
                stamp(end),
                code,
                f"Synthetic course {index + 1:05d}: {ref.field_names[field_pk]}",
                "",
                kind.value,
                rng.choice(hosts),
                program,
                None,
                start,
                end,
                capacity,
                deadline,
                targets,
                "en",
                status.value,
                "",
            )
        )
        links.append((link_id, first + index, field_pk))
        link_id += 1
        nominator = jica if kind in JICA_KINDS else None
        courses.append(CoursePlan(first + index, code, kind, stage, start, end, capacity, targets, nominator))
    loader.load(
        "trainees_course",
        (
            "id",
            "created_at",
            "updated_at",
            "code",
            "title",
            "title_ja",
            "kind",
            "host_id",
            "program_id",
            "project_id",
            "start_date",
            "end_date",
            "capacity",
            "nomination_deadline",
            "target_countries",
            "language",
            "status",
            "description",
        ),
        rows,
    )
    loader.load("trainees_course_fields", ("id", "course_id", "cooperationfield_id"), links)
    return courses


def generate_enrollments(plan: Plan, rng: random.Random, loader: Loader, ref: Reference, courses: list) -> None:
    weights = [0.0 if c.stage == "planned" else c.capacity * rng.uniform(0.9, 1.5) for c in courses]
    if not any(weights):
        weights = [1.0] * len(courses)
    per_course = split(plan.count("enrollments"), weights)
    first_trainee = loader.next_id("trainees_trainee")
    enrollment_id = loader.next_id("trainees_enrollment")
    trainees, enrollments = [], []
    # Per trainee: nationality, organization, and the last day of their latest seat.
    people: list[list] = []
    for course, count in sorted(zip(courses, per_course, strict=True), key=lambda pair: (pair[0].start, pair[0].id)):
        statuses = enrollment_statuses(rng, course.stage, count, course.capacity)
        seated: set[int] = set()
        waitlist = certificate = 0
        for status in statuses:
            seat = status in SEATS
            person = None
            if people and rng.random() < RETURNING_SHARE:
                candidate = rng.randrange(max(0, len(people) - 5000), len(people))
                record = people[candidate]
                if candidate not in seated and (not seat or record[2] < course.start):
                    person = candidate
            if person is None:
                person = len(people)
                nationality = rng.choice(course.targets or ref.countries)
                born = random_day(rng, date(1960, 1, 1), date(1995, 12, 31))
                organization = ref.agency_of.get(nationality)
                people.append([nationality, organization, date.min])
                trainees.append(
                    (
                        first_trainee + person,
                        stamp(course.start - days(60)),
                        stamp(course.start),
                        "Synthetic trainee",
                        f"{person + 1:07d}",
                        "",
                        "female" if rng.random() < 0.2 else "male",
                        born,
                        nationality,
                        organization,
                        "",
                        "",
                        "",
                        "",
                        None,
                    )
                )
            seated.add(person)
            record = people[person]
            if seat:
                record[2] = max(record[2], course.end)
            position = None
            number, issued = "", None
            if status == S.WAITLISTED:
                waitlist += 1
                position = waitlist
            if status == S.COMPLETED:
                certificate += 1
                number, issued = f"{course.code}-C{certificate:04d}", course.end
            nominator = course.nominator or record[1] or ref.coordinators["jica"]
            enrollments.append(
                (
                    enrollment_id,
                    stamp(course.start - days(45)),
                    stamp(min(course.end, ANCHOR)),
                    course.id,
                    first_trainee + person,
                    nominator,
                    status.value,
                    position,
                    number,
                    issued,
                    "",
                    "",
                    course.start,
                    course.end,
                )
            )
            enrollment_id += 1
    loader.load(
        "trainees_trainee",
        (
            "id",
            "created_at",
            "updated_at",
            "family_name",
            "given_name",
            "name_ja",
            "gender",
            "date_of_birth",
            "nationality",
            "organization_id",
            "rank",
            "position",
            "email",
            "phone",
            "passport_expiry",
        ),
        trainees,
        rebuild_indexes_except=[],
    )
    loader.load(
        "trainees_enrollment",
        (
            "id",
            "created_at",
            "updated_at",
            "course_id",
            "trainee_id",
            "nominated_by_id",
            "status",
            "waitlist_position",
            "certificate_number",
            "certificate_issued_on",
            "action_plan",
            "evaluation",
            "course_start",
            "course_end",
        ),
        enrollments,
        rebuild_indexes_except=[SEATS_INDEX],
    )


def generate_delegations(plan: Plan, rng: random.Random, loader: Loader, ref: Reference) -> None:
    first = loader.next_id("trainees_delegation")
    facilities = [facility.value for facility in Delegation.Facility]
    rows = []
    for index in range(plan.count("delegations")):
        start = random_day(rng, FIRST_DAY, ANCHOR + days(90))
        country = rng.choice(ref.countries)
        rows.append(
            (
                first + index,
                stamp(start - days(30)),
                stamp(start),
                f"Synthetic delegation {index + 1:06d}",
                # A visit that has begun by the anchor day was held; later ones are planned.
                Delegation.Status.HELD if start <= ANCHOR else Delegation.Status.PLANNED,
                start,
                start + days(rng.randint(0, 6)),
                country,
                ref.agency_of.get(country),
                rng.randint(1, 30),
                sorted(rng.sample(facilities, rng.randint(1, 3))),
                "",
            )
        )
    loader.load(
        "trainees_delegation",
        (
            "id",
            "created_at",
            "updated_at",
            "title",
            "status",
            "start_date",
            "end_date",
            "country",
            "organization_id",
            "visitors",
            "facilities_visited",
            "purpose",
        ),
        rows,
    )
