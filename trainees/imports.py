"""Importing the history of courses, trainees and delegations from a file, checked whole, written whole.

Three kinds of file (columns below, documented in docs/api.md):

- `trainees`: one row per person, the columns of a nomination file;
- `courses`: one row per participant of a past course; rows naming the same course code
  make one course (held), and a course on record under that code takes the participants.
  A participation is recorded completed (with a certificate number, the next one of the
  course unless given) or withdrawn after arrival, marked retrospective, as
  `enrollment_record_past` does. A row without a family name records the course alone;
- `delegations`: one row per delegation received, recorded held and retrospective; one
  on record with the same country, organization and dates is matched instead.

People are matched as the nomination import matches them for agency staff: the same
nationality, name ignoring case and spaces, and date of birth is the same trainee. A new
person whose nationality, family name and date of birth match a record whose given name
differs is recorded anew, and the pair is queued for staff to merge or dismiss. A person
named twice in a file is one trainee.

The rows are checked with a handful of queries whatever their number, and written with
set-based inserts (cooperation.bulk).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
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

from .models import (
    PERSON_FIELDS,
    RETROSPECTIVE_ENROLLMENT_STATUSES,
    SEAT_STATUSES,
    Course,
    Delegation,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    Trainee,
)
from .nominations import existing_trainees, family_key, identity_keys
from .services import certificate_number, past_moves, trainee_duplicates_queue

PERSON_EXAMPLE = {
    "family_name": "Santoso",
    "given_name": "Budi",
    "gender": "male",
    "date_of_birth": date(1985, 4, 12),
    "nationality": "ID",
    "organization": "polri",
    "rank": "Inspector",
    "position": "Head of Koban unit",
}
PERSON_TYPES = {"gender": CHOICE, "date_of_birth": DATE, "passport_expiry": DATE, "nationality": COUNTRY}


def _person_columns(*, required: bool) -> tuple[Column, ...]:
    """The person's columns; in a course file they may all be empty (the course alone)."""
    needed = ("family_name", "gender", "date_of_birth", "nationality") if required else ()
    return tuple(
        Column(
            name,
            PERSON_TYPES.get(name, "text"),
            required=name in needed,
            choices=tuple(Gender.values) if name == "gender" else (),
            example=PERSON_EXAMPLE.get(name, ""),
        )
        for name in PERSON_FIELDS
    )


TRAINEE_COLUMNS = _person_columns(required=True)
COURSE_COLUMNS = (
    Column("course_code", required=True, example="CP-2012-01"),
    Column("course_title", required=True, example="Community policing (Koban) for Asian police"),
    Column("course_kind", CHOICE, required=True, choices=tuple(Course.Kind.values), example="jica_group_region"),
    Column("host", required=True, example="npa"),
    Column("start_date", DATE, required=True, example=date(2012, 9, 3)),
    Column("end_date", DATE, required=True, example=date(2012, 9, 28)),
    Column("capacity", NUMBER, example=12),
    *_person_columns(required=False),
    Column("nominated_by", example="jica"),
    Column("outcome", CHOICE, choices=tuple(RETROSPECTIVE_ENROLLMENT_STATUSES), example="completed"),
    Column("certificate_number"),
)
COURSE_FIELDS = ("course_title", "course_kind", "host", "start_date", "end_date", "capacity")
DELEGATION_COLUMNS = (
    Column("title", example="Indonesian National Police study visit"),
    Column("country", COUNTRY, required=True, example="ID"),
    Column("organization", example="polri"),
    Column("start_date", DATE, required=True, example=date(2012, 11, 5)),
    Column("end_date", DATE, required=True, example=date(2012, 11, 9)),
    Column("visitors", NUMBER, required=True, example=8),
    Column("facilities_visited", example="koban;communications_command_center"),
    Column("purpose", example="Community policing"),
)
PERSON_REQUIRED = ("family_name", "gender", "date_of_birth", "nationality")
# Text columns of a person that the model validates beyond their type (length, e-mail form).
TRAINEE_FIELDS = {f.name: f for f in Trainee._meta.concrete_fields}


def _organizations(parsed, *columns: str) -> dict[str, int]:
    codes = {values[c] for _, values in parsed for c in columns if values[c]}
    return dict(Organization.objects.filter(code__in=codes).values_list("code", "pk"))


def _check_code(checker: RowChecker, row: int, values: dict[str, Any], column: str, known: dict[str, int]) -> None:
    if values[column] and values[column] not in known:
        checker.fail(
            row,
            column,
            "unknown_organization",
            _("No organization has the code “%(value)s”.") % {"value": values[column]},
        )


# --- people ----------------------------------------------------------------------------------


@dataclass
class _People:
    """The file's people by identity key: on record, new, and new ones that may be someone on record."""

    keys: dict[int, tuple] = field(default_factory=dict)  # row -> key
    existing: dict[tuple, int] = field(default_factory=dict)
    new: dict[tuple, dict[str, Any]] = field(default_factory=dict)  # key -> values of its first row
    doubtful: dict[tuple, list[int]] = field(default_factory=dict)  # new key -> records to queue it with

    @classmethod
    def match(cls, people: list[tuple[int, dict[str, Any]]]) -> _People:
        found = cls()
        keys = identity_keys([values for _, values in people])
        matches = existing_trainees(keys, None)
        found.existing = matches.existing
        for (row, values), key in zip(people, keys, strict=True):
            found.keys[row] = key
            if key in matches.existing or key in found.new:
                continue
            found.new[key] = values
            if others := matches.same_family.get(family_key(key)):
                found.doubtful[key] = others
        return found

    def outcome(self, row: int, first_rows: dict[tuple, int]) -> tuple[RowOutcome, tuple]:
        key = self.keys[row]
        if key in self.existing:
            return RowOutcome(row, "trainee", MATCH, self.existing[key]), key
        return RowOutcome(row, "trainee", CREATE if first_rows.setdefault(key, row) == row else MATCH), key

    def write(self, *, actor, at, organizations: dict[str, int]) -> dict[tuple, int]:
        ids = dict(self.existing)
        if not self.new:
            return ids
        keys = list(self.new)
        (new_ids,) = reserve_ids((Trainee, len(keys)))
        rows = [self.new[key] for key in keys]
        insert_rows(
            Trainee,
            ids=new_ids,
            per_row={
                **{name: [v[name] for v in rows] for name in PERSON_FIELDS if name != "organization"},
                "organization_id": [organizations.get(v["organization"]) for v in rows],
            },
            shared={"recorded_by_id": None},
            at=at,
            actor=actor,
        )
        ids.update(zip(keys, new_ids, strict=True))
        trainee_duplicates_queue(
            pairs=[(ids[key], other) for key, others in self.doubtful.items() for other in others], actor=actor
        )
        return ids


def _check_person(checker: RowChecker, row: int, values: dict[str, Any], organizations: dict[str, int]) -> None:
    """What the columns' types do not say about a person: known organization, plausible birth, field rules."""
    _check_code(checker, row, values, "organization", organizations)
    born = values["date_of_birth"]
    if born is not None and not date(1900, 1, 1) <= born < timezone.localdate():
        checker.fail(row, "date_of_birth", "implausible_date", _("The date of birth must lie in the past."))
    for name in PERSON_FIELDS:
        model_field = TRAINEE_FIELDS[name]
        if name in PERSON_TYPES or name == "organization" or values[name] == "":
            continue
        try:
            model_field.clean(values[name], None)
        except ValidationError as exc:
            for error in exc.error_list:
                checker.fail(row, name, error.code or "invalid", " ".join(error.messages))


# --- the trainees file -------------------------------------------------------------------------


@dataclass
class _TraineePlan(Plan):
    people: _People = field(default_factory=_People)
    organizations: dict[str, int] = field(default_factory=dict)


class TraineeHistory(RowImport):
    kind = "trainees"
    columns = TRAINEE_COLUMNS

    def plan(self, rows: list[tuple[int, list]]) -> Plan:
        checker = RowChecker(self.columns)
        parsed = [(row, values) for row, cells in rows if (values := checker.values(row, cells)) is not None]
        organizations = _organizations(parsed, "organization")
        for row, values in parsed:
            _check_person(checker, row, values, organizations)
        valid = [(row, values) for row, values in parsed if not checker.failed(row)]
        plan = _TraineePlan(checker.report_order(), people=_People.match(valid), organizations=organizations)
        first_rows: dict[tuple, int] = {}
        for row, _values in valid:
            plan.add(*plan.people.outcome(row, first_rows))
        return plan

    def write(self, plan: Plan, *, actor) -> list[RowOutcome]:
        assert isinstance(plan, _TraineePlan)
        ids = plan.people.write(actor=actor, at=timezone.now(), organizations=plan.organizations)
        return plan.written({"trainee": ids})


# --- the courses file --------------------------------------------------------------------------


@dataclass
class _Participation:
    row: int
    course: str
    key: tuple
    status: str
    certificate: str
    nominated_by: int


@dataclass
class _CoursePlan(Plan):
    people: _People = field(default_factory=_People)
    organizations: dict[str, int] = field(default_factory=dict)
    on_record: dict[str, Course] = field(default_factory=dict)
    new_courses: dict[str, dict[str, Any]] = field(default_factory=dict)
    participations: list[_Participation] = field(default_factory=list)


class CourseHistory(RowImport):
    kind = "courses"
    columns = COURSE_COLUMNS

    def plan(self, rows: list[tuple[int, list]]) -> Plan:
        checker = RowChecker(self.columns)
        parsed = [(row, values) for row, cells in rows if (values := checker.values(row, cells)) is not None]
        plan = _CoursePlan(organizations=_organizations(parsed, "host", "organization", "nominated_by"))
        plan.on_record = {c.code: c for c in Course.objects.filter(code__in={v["course_code"] for _, v in parsed})}
        today = timezone.localdate()
        first_of: dict[str, tuple[int, dict[str, Any]]] = {}
        for row, values in parsed:
            code = values["course_code"]
            if code not in first_of:
                first_of[code] = (row, values)
                self._check_course(checker, plan, row, values, today)
            else:
                first_row, first = first_of[code]
                for column in COURSE_FIELDS:
                    if values[column] not in ("", None) and values[column] != first[column]:
                        checker.fail(
                            row,
                            column,
                            "course_differs",
                            _("Row %(row)d gives this course another value here.") % {"row": first_row},
                        )
        people = [(row, values) for row, values in parsed if any(values[name] for name in PERSON_FIELDS)]
        for row, values in people:
            for name in PERSON_REQUIRED:
                if values[name] in ("", None):
                    checker.fail(row, name, "required", _("This column is required for a participant."))
            if not values["nominated_by"]:
                checker.fail(row, "nominated_by", "required", _("This column is required for a participant."))
            _check_code(checker, row, values, "nominated_by", plan.organizations)
            _check_person(checker, row, values, plan.organizations)
        valid = [(row, values) for row, values in people if not checker.failed(row)]
        plan.people = _People.match(valid)
        for row, values in valid:
            plan.participations.append(
                _Participation(
                    row,
                    values["course_code"],
                    plan.people.keys[row],
                    values["outcome"] or EnrollmentStatus.COMPLETED,
                    values["certificate_number"],
                    plan.organizations[values["nominated_by"]],
                )
            )
        self._check_participations(checker, plan, {code: values for code, (_, values) in first_of.items()})
        plan.errors = checker.report_order()
        self._add_outcomes(plan, parsed, checker)
        return plan

    @staticmethod
    def _check_course(checker: RowChecker, plan: _CoursePlan, row: int, values: dict[str, Any], today: date) -> None:
        course = plan.on_record.get(values["course_code"])
        if course is not None:
            if course.status == Course.Status.CANCELLED:
                checker.fail(row, "course_code", "cancelled", _("This course was cancelled; nobody took part in it."))
            elif course.end_date > today:
                checker.fail(row, "course_code", "course_not_over", _("This course is not over yet."))
            return
        start, end = values["start_date"], values["end_date"]
        if start and end and end < start:
            checker.fail(row, "end_date", "date_order", _("The end date cannot be before the start date."))
        if end and end > today:
            checker.fail(row, "end_date", "course_not_over", _("A course of the past has ended."))
        _check_code(checker, row, values, "host", plan.organizations)
        if values["capacity"] == 0:
            checker.fail(row, "capacity", "capacity", _("A course has at least one seat."))
        if not checker.failed(row):
            plan.new_courses[values["course_code"]] = values

    @staticmethod
    def _check_participations(checker: RowChecker, plan: _CoursePlan, courses: dict[str, dict[str, Any]]) -> None:
        """Once per course, one seat at a time, seats within capacity, certificates unique."""

        def period(code: str) -> tuple[Any, Any]:
            course = plan.on_record.get(code)
            return (
                (course.start_date, course.end_date)
                if course
                else (courses[code]["start_date"], courses[code]["end_date"])
            )

        people = plan.people
        known_ids = {people.existing[p.key] for p in plan.participations if p.key in people.existing}
        enrolled = set(
            Enrollment.objects.filter(trainee_id__in=known_ids, course__code__in=set(plan.on_record)).values_list(
                "trainee_id", "course__code"
            )
        )
        seats_elsewhere: dict[int | None, list[tuple[Any, Any, str]]] = defaultdict(list)
        for holder, start, end, code in Enrollment.objects.filter(
            trainee_id__in=known_ids, status__in=SEAT_STATUSES
        ).values_list("trainee_id", "course_start", "course_end", "course__code"):
            seats_elsewhere[holder].append((start, end, code))
        taken = dict(
            Course.objects.filter(code__in=set(plan.on_record))
            .annotate(taken=Count("enrollments", filter=Q(enrollments__status__in=SEAT_STATUSES)))
            .values_list("code", "taken")
        )
        given = [p.certificate for p in plan.participations if p.certificate]
        issued = set(
            Enrollment.objects.filter(certificate_number__in=given).values_list("certificate_number", flat=True)
        )
        seen: set[tuple] = set()
        seats: dict[tuple, list[tuple[date, date, str]]] = defaultdict(list)
        certificates: set[str] = set()
        for p in plan.participations:
            if p.course not in plan.on_record and p.course not in plan.new_courses:
                continue  # the course's own row is refused
            trainee_id = people.existing.get(p.key)
            if (p.key, p.course) in seen or (trainee_id, p.course) in enrolled:
                checker.fail(
                    p.row, "family_name", "already_nominated", _("This person is already enrolled in this course.")
                )
                continue
            seen.add((p.key, p.course))
            if p.certificate and (p.certificate in issued or p.certificate in certificates):
                checker.fail(p.row, "certificate_number", "duplicate", _("This certificate number is already issued."))
            certificates.add(p.certificate)
            if p.status != EnrollmentStatus.COMPLETED:
                continue
            start, end = period(p.course)
            held = seats[p.key] + seats_elsewhere.get(trainee_id, [])
            clash = next((code for s, e, code in held if s <= end and start <= e), None)
            if clash is not None:
                checker.fail(
                    p.row,
                    "course_code",
                    "overlapping_course",
                    _("This person holds a seat in course %(code)s, which overlaps this course.") % {"code": clash},
                )
            seats[p.key].append((start, end, p.course))
            taken[p.course] = taken.get(p.course, 0) + 1
        for code, count in taken.items():
            course = plan.on_record.get(code)
            capacity = course.capacity if course else courses[code]["capacity"]
            if capacity is not None and count > capacity:
                row = next(p.row for p in reversed(plan.participations) if p.course == code)
                checker.fail(
                    row,
                    "capacity",
                    "course_full",
                    _("Course %(code)s would have %(taken)d seats taken; its capacity is %(capacity)d.")
                    % {"code": code, "taken": count, "capacity": capacity},
                )

    @staticmethod
    def _add_outcomes(plan: _CoursePlan, parsed, checker: RowChecker) -> None:
        named: set[str] = set()
        first_rows: dict[tuple, int] = {}
        participants = {p.row for p in plan.participations}
        for row, values in parsed:
            if checker.failed(row):
                continue
            code = values["course_code"]
            if code not in named:
                named.add(code)
                course = plan.on_record.get(code)
                plan.add(RowOutcome(row, "course", MATCH if course else CREATE, course.pk if course else None), code)
            if row in participants:
                plan.add(*plan.people.outcome(row, first_rows))
                plan.add(RowOutcome(row, "enrollment", CREATE), row)

    def write(self, plan: Plan, *, actor) -> list[RowOutcome]:
        assert isinstance(plan, _CoursePlan)
        at = timezone.now()
        courses = dict(plan.on_record)
        codes = list(plan.new_courses)
        if codes:
            (ids,) = reserve_ids((Course, len(codes)))
            rows = [plan.new_courses[code] for code in codes]
            seats: defaultdict[str, int] = defaultdict(int)
            for p in plan.participations:
                seats[p.course] += p.status == EnrollmentStatus.COMPLETED
            insert_rows(
                Course,
                ids=ids,
                per_row={
                    "code": codes,
                    "title": [v["course_title"] for v in rows],
                    "kind": [v["course_kind"] for v in rows],
                    "host_id": [plan.organizations[v["host"]] for v in rows],
                    "start_date": [v["start_date"] for v in rows],
                    "end_date": [v["end_date"] for v in rows],
                    "nomination_deadline": [v["start_date"] for v in rows],
                    # Without a capacity given, the course had as many seats as it had participants.
                    "capacity": [v["capacity"] or max(seats[code], 1) for code, v in zip(codes, rows, strict=True)],
                },
                shared={"status": Course.Status.HELD},
                at=at,
                actor=actor,
            )
            courses.update({course.code: course for course in Course.objects.filter(pk__in=ids)})
        trainee_ids = plan.people.write(actor=actor, at=at, organizations=plan.organizations)
        sequence = dict(
            Course.objects.filter(code__in=list(courses))
            .annotate(issued=Count("enrollments", filter=~Q(enrollments__certificate_number="")))
            .values_list("code", "issued")
        )
        numbers: list[str] = []
        issued_on: list[date | None] = []
        for p in plan.participations:
            course = courses[p.course]
            if p.status != EnrollmentStatus.COMPLETED:
                numbers.append("")
                issued_on.append(None)
                continue
            sequence[p.course] += 1
            numbers.append(p.certificate or certificate_number(course, sequence[p.course]))
            issued_on.append(course.end_date)
        (ids,) = reserve_ids((Enrollment, len(plan.participations)))
        insert_rows(
            Enrollment,
            ids=ids,
            per_row={
                "course_id": [courses[p.course].pk for p in plan.participations],
                "trainee_id": [trainee_ids[p.key] for p in plan.participations],
                "nominated_by_id": [p.nominated_by for p in plan.participations],
                "status": [p.status for p in plan.participations],
                "certificate_number": numbers,
                "certificate_issued_on": issued_on,
                "course_start": [courses[p.course].start_date for p in plan.participations],
                "course_end": [courses[p.course].end_date for p in plan.participations],
            },
            shared={"retrospective": True},
            at=at,
            actor=actor,
        )
        moves = [(pk, move) for p, pk in zip(plan.participations, ids, strict=True) for move in past_moves(p.status)]
        insert_rows(
            EnrollmentStatusChange,
            per_row={
                "enrollment_id": [pk for pk, _ in moves],
                "from_status": [move[0] for _, move in moves],
                "to_status": [move[1] for _, move in moves],
            },
            shared={
                "actor_id": getattr(actor, "pk", None),
                "note": str(RETROSPECTIVE_NOTE),
                "retrospective": True,
            },
            at=at,
            history=False,
        )
        return plan.written(
            {
                "course": {code: course.pk for code, course in courses.items()},
                "trainee": trainee_ids,
                "enrollment": {p.row: pk for p, pk in zip(plan.participations, ids, strict=True)},
            },
        )


# --- the delegations file ----------------------------------------------------------------------


@dataclass
class _DelegationPlan(Plan):
    new: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    organizations: dict[str, int] = field(default_factory=dict)


class DelegationHistory(RowImport):
    kind = "delegations"
    columns = DELEGATION_COLUMNS

    def plan(self, rows: list[tuple[int, list]]) -> Plan:
        checker = RowChecker(self.columns)
        parsed = [(row, values) for row, cells in rows if (values := checker.values(row, cells)) is not None]
        organizations = _organizations(parsed, "organization")
        facilities = set(Delegation.Facility.values)
        today = timezone.localdate()
        for row, values in parsed:
            _check_code(checker, row, values, "organization", organizations)
            start, end = values["start_date"], values["end_date"]
            if start and end and end < start:
                checker.fail(row, "end_date", "date_order", _("The end date cannot be before the start date."))
            if start and start > today:
                checker.fail(row, "start_date", "not_yet_held", _("A delegation of the past has begun."))
            if values["visitors"] == 0:
                checker.fail(row, "visitors", "visitors", _("A delegation has at least one visitor."))
            values["facilities_visited"] = [f.strip() for f in values["facilities_visited"].split(";") if f.strip()]
            unknown = [f for f in values["facilities_visited"] if f not in facilities]
            if unknown:
                checker.fail(
                    row,
                    "facilities_visited",
                    "invalid_choice",
                    _("Unknown facilities: %(unknown)s; use %(choices)s, separated by “;”.")
                    % {"unknown": ", ".join(unknown), "choices": ", ".join(sorted(facilities))},
                )
        valid = [(row, values) for row, values in parsed if not checker.failed(row)]
        on_record: dict[tuple, int] = {
            (country, organization, start, end): pk
            for pk, country, organization, start, end in Delegation.objects.exclude(status=Delegation.Status.CANCELLED)
            .filter(start_date__in={v["start_date"] for _, v in valid})
            .values_list("pk", "country", "organization_id", "start_date", "end_date")
        }
        plan = _DelegationPlan(checker.report_order(), organizations=organizations)
        for row, values in valid:
            known = on_record.get(
                (values["country"], organizations.get(values["organization"]), values["start_date"], values["end_date"])
            )
            plan.add(RowOutcome(row, "delegation", MATCH if known else CREATE, known), row)
            if known is None:
                plan.new.append((row, values))
        return plan

    def write(self, plan: Plan, *, actor) -> list[RowOutcome]:
        assert isinstance(plan, _DelegationPlan)
        rows = [values for _, values in plan.new]
        (ids,) = reserve_ids((Delegation, len(rows)))
        insert_rows(
            Delegation,
            ids=ids,
            per_row={
                **{
                    name: [v[name] for v in rows] for name in ("title", "country", "start_date", "end_date", "visitors")
                },
                "organization_id": [plan.organizations.get(v["organization"]) for v in rows],
                "facilities_visited": [v["facilities_visited"] for v in rows],
                "purpose": [v["purpose"] for v in rows],
            },
            shared={"status": Delegation.Status.HELD, "retrospective": True},
            at=timezone.now(),
            actor=actor,
        )
        return plan.written({"delegation": {row: pk for (row, _), pk in zip(plan.new, ids, strict=True)}})
