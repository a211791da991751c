"""Bulk nominations: a file of participants for one course, checked whole, written whole.

The file is CSV in UTF-8 (partner coordinators and staff) or an XLSX workbook (staff).
Its first row is exactly `COLUMNS`; row numbers in reports count that header as row 1,
as a spreadsheet shows them. A person already on record (same nationality, name
ignoring case and spaces, and date of birth) is nominated as that trainee; anyone else
becomes a new trainee. A partner coordinator's file is matched only among the trainees
its organization nominated: a person on record elsewhere becomes a new trainee of its
own, as anyone unknown would, and the pair is queued for agency staff to merge. One
problem anywhere and nothing is written.

Every step works on the whole file at once, so a 5,000-row file costs the same
handful of queries as a 5-row one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, models, transaction
from django.db.models import BooleanField, ExpressionWrapper, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from cooperation import rowfiles
from cooperation.bulk import insert_rows, reserve_ids
from cooperation.choices import Gender
from cooperation.crypto import EncryptedCharField
from cooperation.models import Organization
from cooperation.rowfiles import RowError, RowsInvalid, parse_date

from .models import (
    PERSON_FIELDS,
    Course,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    Trainee,
    normalized_name,
)
from .services import nomination_refusal, partner_candidates, trainee_duplicates_queue

# A nomination file has a column for each of the person's fields, in their order.
COLUMNS = PERSON_FIELDS
REQUIRED = ("family_name", "gender", "date_of_birth", "nationality")
DATE_COLUMNS = ("date_of_birth", "passport_expiry")


@dataclass
class NominatedRow:
    row: int
    enrollment_id: int
    trainee_id: int
    new_trainee: bool


@dataclass
class NominationResult:
    rows: list[NominatedRow] = field(default_factory=list)

    @property
    def new_trainees(self) -> int:
        return sum(1 for row in self.rows if row.new_trainee)


def read_rows(content: bytes, *, name: str = "", allow_xlsx: bool) -> list[tuple[int, list]]:
    """The file's participants as (row number, cells) under a checked header; raises FileError."""
    return rowfiles.read_rows(content, columns=COLUMNS, name=name, allow_xlsx=allow_xlsx)


# --- checking every row -----------------------------------------------------------------


# Checked by the row checker itself, before the model's own field validation.
CHECKED_FIRST = {"organization", "gender", "nationality", *DATE_COLUMNS}


def _length_only(field: models.Field) -> bool:
    """Whether the field's validation of a text is only its maximum length, so that a text
    within it needs no call of `clean` (one that is too long gets the field's own message)."""
    return (
        type(field) in (models.CharField, EncryptedCharField)
        and not field.choices
        and len(field.validators) == 1
        and isinstance(field.validators[0], MaxLengthValidator)
    )


class _RowChecker:
    def __init__(self, course: Course, organizations: dict[str, Organization]):
        self.course = course
        self.organizations = organizations
        self.today = timezone.localdate()
        self.errors: list[RowError] = []
        # Looked up once: the choices are rebuilt on every read of them.
        self.genders = set(Gender.values)
        self.country_codes = set(countries.countries)
        # The model's field validation of the columns not checked first, in the model's order,
        # as `Model.clean_fields` runs it (a blank value of a field that may be blank is not checked).
        by_name = {field.name: field for field in Trainee._meta.concrete_fields}
        fields = [by_name[column] for column in COLUMNS if column not in CHECKED_FIRST]
        self.fields = [(field, field.max_length if _length_only(field) else None) for field in fields]

    def fail(self, row: int, column: str, code: str, message: str) -> None:
        self.errors.append(RowError(row, column, code, str(message)))

    def trainee(self, row: int, cells: list) -> dict[str, Any] | None:
        """The row's values by column (`organization` an Organization or None), or None after
        recording its problems."""
        before = len(self.errors)
        if len(cells) != len(COLUMNS):
            self.fail(
                row,
                "",
                "column_count",
                _("The row has %(found)d columns; the header has %(expected)d.")
                % {"found": len(cells), "expected": len(COLUMNS)},
            )
            return None
        values = dict(zip(COLUMNS, cells, strict=True))
        for column in REQUIRED:
            if values[column] == "":
                self.fail(row, column, "required", _("This column is required."))
        for column in DATE_COLUMNS:
            if values[column] != "":
                try:
                    values[column] = parse_date(values[column])
                except ValueError as exc:
                    self.fail(row, column, "invalid_date", str(exc))
                    values[column] = None
            else:
                values[column] = None
        for column in COLUMNS:
            if column not in DATE_COLUMNS and not isinstance(values[column], str):
                values[column] = str(values[column])
        values["gender"] = values["gender"].lower()
        if values["gender"] and values["gender"] not in self.genders:
            self.fail(
                row,
                "gender",
                "invalid_choice",
                _("“%(value)s” is not a gender value; use one of %(choices)s.")
                % {"value": values["gender"], "choices": ", ".join(Gender.values)},
            )
        values["nationality"] = values["nationality"].upper()
        if values["nationality"] and values["nationality"] not in self.country_codes:
            self.fail(
                row,
                "nationality",
                "unknown_country",
                _("“%(value)s” is not an ISO 3166 alpha-2 country code (e.g. ID, PH, VN).")
                % {"value": values["nationality"]},
            )
        organization = None
        if values["organization"]:
            organization = self.organizations.get(values["organization"])
            if organization is None:
                self.fail(
                    row,
                    "organization",
                    "unknown_organization",
                    _("No organization has the code “%(value)s”.") % {"value": values["organization"]},
                )
        born, expiry = values["date_of_birth"], values["passport_expiry"]
        if born is not None and not date(1900, 1, 1) <= born < self.today:
            self.fail(row, "date_of_birth", "implausible_date", _("The date of birth must lie in the past."))
        if expiry is not None and expiry < self.course.end_date:
            self.fail(
                row,
                "passport_expiry",
                "passport_expires",
                _("The passport expires on %(expiry)s, before the course ends (%(end)s).")
                % {"expiry": expiry, "end": self.course.end_date},
            )
        values["organization"] = organization
        failed = {error.field for error in self.errors[before:]}
        for model_field, max_length in self.fields:
            value = values[model_field.name]
            if model_field.name in failed or (model_field.blank and value in model_field.empty_values):
                continue
            if max_length is not None and len(value) <= max_length:
                continue
            try:
                model_field.clean(value, None)
            except ValidationError as exc:
                for error in exc.error_list:
                    self.fail(row, model_field.name, error.code or "invalid", " ".join(error.messages))
        return values if len(self.errors) == before else None


def identity_keys(people: list[dict[str, Any]]) -> list[tuple]:
    """(nationality, family key, given key, birth date) with names normalized by PostgreSQL itself.

    The database computes the keys so that they match the unique index exactly, whatever
    letters the names hold.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lower(regexp_replace(f, '\\s', '', 'g')), lower(regexp_replace(g, '\\s', '', 'g')) "
            "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(f, g, i) ORDER BY i",
            [[p["family_name"] for p in people], [p["given_name"] for p in people]],
        )
        names = cursor.fetchall()
    return [
        (p["nationality"], family, given, p["date_of_birth"]) for p, (family, given) in zip(people, names, strict=True)
    ]


def family_key(key: tuple) -> tuple:
    """An identity key without the given name: (nationality, family key, birth date)."""
    return key[0], key[1], key[3]


@dataclass
class Matches:
    """What the file's people match, by identity key, as the nominating side may know it."""

    # The record each known person is nominated as.
    existing: dict[tuple, int] = field(default_factory=dict)
    # Records outside a partner's scope: a new record is made and the pair queued for staff.
    outside: dict[tuple, list[int]] = field(default_factory=dict)
    # A partner's own records of the person that staff archived.
    archived_own: set[tuple] = field(default_factory=set)
    # Records in scope by nationality, family name and birth date alone: those whose given
    # name differs may be the same person written another way.
    same_family: dict[tuple, list[int]] = field(default_factory=dict)


def existing_trainees(keys: list[tuple], recorded_by: Organization | None) -> Matches:
    """One query for every person of the file. Staff (`recorded_by` None) match among every
    record in use; a partner only among the trainees it nominated or recorded."""
    found = Matches()
    if not keys:
        return found
    manager: models.Manager[Trainee] = Trainee.objects if recorded_by is None else Trainee.all_objects
    queryset = manager.annotate(
        family_key=normalized_name("family_name"), given_key=normalized_name("given_name")
    ).filter(
        # As arrays: thousands of values are one parameter each, not thousands.
        date_of_birth__in=RawSQL("SELECT unnest(%s::date[])", [sorted({key[3] for key in keys})]),
        family_key__in=RawSQL("SELECT unnest(%s::text[])", [sorted({key[1] for key in keys})]),
        nationality__in={key[0] for key in keys},
    )
    in_scope: ExpressionWrapper[Any]
    if recorded_by is not None:
        in_scope = ExpressionWrapper(partner_candidates(recorded_by), output_field=BooleanField())
    else:
        in_scope = ExpressionWrapper(Value(True), output_field=BooleanField())
    matches = queryset.annotate(in_scope=in_scope).values_list(
        "nationality", "family_key", "given_key", "date_of_birth", "pk", "archived_at", "recorded_by", "in_scope"
    )
    for *identity, pk, archived_at, recorder, visible in matches.order_by("pk"):
        key = tuple(identity)
        if archived_at is not None:
            if recorded_by is not None and recorder == recorded_by.pk:
                found.archived_own.add(key)
        elif visible:
            found.existing.setdefault(key, pk)
            found.same_family.setdefault(family_key(key), []).append(pk)
        else:
            found.outside.setdefault(key, []).append(pk)
    return found


def _report_order(error: RowError) -> tuple[int, int]:
    return error.row, COLUMNS.index(error.field) if error.field in COLUMNS else -1


def nominations_import(
    *,
    course: Course,
    rows: list[tuple[int, list]],
    nominated_by: Organization,
    recorded_by: Organization | None,
    actor,
) -> NominationResult:
    """Nominate every participant of the file to `course`, or nobody (NominationRowsInvalid).

    `recorded_by` is the partner organization sending the file, or None for agency staff
    (see `existing_trainees`).
    """
    refusal = nomination_refusal(course)
    if refusal is not None:
        raise refusal
    codes = {cells[COLUMNS.index("organization")] for _, cells in rows if len(cells) == len(COLUMNS)}
    organizations = {org.code: org for org in Organization.objects.filter(code__in=codes - {""})}
    checker = _RowChecker(course, organizations)
    parsed = [(row, checker.trainee(row, cells)) for row, cells in rows]
    valid = [(row, trainee) for row, trainee in parsed if trainee is not None]

    keys = identity_keys([values for _, values in valid])
    first_row_of: dict[tuple, int] = {}
    for (row, _trainee), key in zip(valid, keys, strict=True):
        if key in first_row_of:
            checker.fail(
                row,
                "family_name",
                "duplicate_in_file",
                _("Same person as row %(row)d (nationality, name and date of birth).") % {"row": first_row_of[key]},
            )
        else:
            first_row_of[key] = row
    matches = existing_trainees(keys, recorded_by)
    existing = matches.existing
    enrolled = dict(
        Enrollment.objects.filter(course=course, trainee_id__in=set(existing.values())).values_list("trainee_id", "pk")
    )
    for (row, _trainee), key in zip(valid, keys, strict=True):
        trainee_id = existing.get(key)
        if trainee_id is None and key in matches.archived_own:
            checker.fail(
                row,
                "family_name",
                "trainee_archived",
                _("Your organization's record of this person was archived by agency staff; ask them to restore it."),
            )
        if trainee_id in enrolled:
            checker.fail(
                row,
                "family_name",
                "already_nominated",
                _("Trainee #%(trainee)d is already nominated to this course (enrollment #%(enrollment)d).")
                % {"trainee": trainee_id, "enrollment": enrolled[trainee_id]},
            )
    if checker.errors:
        raise RowsInvalid(sorted(checker.errors, key=_report_order))
    return _write(course, valid, keys, matches, nominated_by, recorded_by, actor)


@transaction.atomic
def _write(course, valid, keys, matches: Matches, nominated_by, recorded_by, actor) -> NominationResult:
    """Every row in a handful of set-based statements, whatever the file's length: the new
    trainees with their history copies, the pairs for staff, the enrollments with theirs,
    and the first line of each enrollment's status history."""
    existing = matches.existing
    new = [(values, key) for (_, values), key in zip(valid, keys, strict=True) if key not in existing]
    trainee_ids, enrollment_ids = reserve_ids((Trainee, len(new)), (Enrollment, len(valid)))
    at = timezone.now()
    insert_rows(
        Trainee,
        ids=trainee_ids,
        per_row={
            **{column: [values[column] for values, _key in new] for column in COLUMNS if column != "organization"},
            "organization_id": [values["organization"] and values["organization"].pk for values, _key in new],
        },
        shared={"recorded_by_id": recorded_by.pk if recorded_by is not None else None},
        at=at,
        actor=actor,
    )
    trainee_duplicates_queue(
        pairs=[
            (trainee_id, other)
            for trainee_id, (_values, key) in zip(trainee_ids, new, strict=True)
            for other in matches.outside.get(key, ())
        ],
        actor=actor,
    )
    created = iter(trainee_ids)
    result = NominationResult()
    for (row, _values), key, enrollment_id in zip(valid, keys, enrollment_ids, strict=True):
        is_new = key not in existing
        trainee_id = next(created) if is_new else existing[key]
        result.rows.append(NominatedRow(row, enrollment_id, trainee_id, is_new))
    insert_rows(
        Enrollment,
        ids=enrollment_ids,
        per_row={"trainee_id": [row.trainee_id for row in result.rows]},
        shared={
            "course_id": course.pk,
            "nominated_by_id": nominated_by.pk,
            "status": EnrollmentStatus.NOMINATED,
            "course_start": course.start_date,
            "course_end": course.end_date,
        },
        at=at,
        actor=actor,
    )
    note = _("Nominated from a file of %(count)d participants.") % {"count": len(enrollment_ids)}
    insert_rows(
        EnrollmentStatusChange,
        per_row={"enrollment_id": enrollment_ids},
        shared={
            "from_status": "",
            "to_status": EnrollmentStatus.NOMINATED,
            "actor_id": getattr(actor, "pk", None),
            "note": note,
        },
        at=at,
        history=False,
    )
    return result
