"""Writes with rules: nominations, the enrollment state machine, seats and the waitlist.

Lock order, everywhere: the course row first (FOR NO KEY UPDATE, the lock the database
triggers take too), then the enrollment. Acceptances into one course therefore run one
after another, and each sees the seats the previous one took.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from cooperation.models import CooperationField, Organization
from cooperation.services import Actor, audited_save, model_update, record_create, record_update
from cooperation.validation import refusal
from cooperation.workflow import RETROSPECTIVE_NOTE, Transitions

from .models import (
    ACTIVE_ENROLLMENT_STATUSES,
    RETROSPECTIVE_ENROLLMENT_STATUSES,
    SEAT_STATUSES,
    Course,
    CourseVisit,
    Delegation,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    Trainee,
    TraineeDuplicate,
)

S = EnrollmentStatus

ENROLLMENT_TRANSITIONS = Transitions(
    {
        S.NOMINATED: {S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
        S.WAITLISTED: {S.ACCEPTED, S.REJECTED, S.WITHDRAWN},
        S.ACCEPTED: {S.ARRIVED, S.REJECTED, S.WITHDRAWN},
        S.ARRIVED: {S.COMPLETED, S.WITHDRAWN},
        S.COMPLETED: set(),
        S.REJECTED: set(),
        S.WITHDRAWN: set(),
    }
)


def _locked_course(course_id: int) -> Course:
    return Course.objects.select_for_update(no_key=True).get(pk=course_id)


def _record(enrollment: Enrollment, from_status: str, actor: Actor, note: str) -> None:
    EnrollmentStatusChange.objects.create(
        enrollment=enrollment, from_status=from_status, to_status=enrollment.status, actor=actor, note=note
    )


# --- courses and delegations ------------------------------------------------------------


def _save_course(course: Course, *, actor: Actor, fields: Iterable[CooperationField] | None) -> Course:
    audited_save(course, actor=actor)
    if fields is not None:
        course.fields.set(fields)
    return course


@transaction.atomic
def course_create(
    *,
    actor: Actor,
    fields: Iterable[CooperationField] | None = None,
    confirm_participants: int | None = None,
    **data: Any,
) -> Course:
    # A new course has no participants: a confirmation sent with it has nothing to confirm.
    return _save_course(Course(**data), actor=actor, fields=fields)


def _confirm_cancelling(course: Course, confirmed: int | None) -> str:
    """Refuse to cancel a course with participants unless the caller names how many; return the
    history's reason for the cancellation."""
    participants = Enrollment.objects.filter(course=course, status__in=ACTIVE_ENROLLMENT_STATUSES).count()
    if participants and confirmed != participants:
        message = ngettext(
            "This course has %(count)d participant; confirm cancelling it for all %(count)d.",
            "This course has %(count)d participants; confirm cancelling it for all %(count)d.",
            participants,
        ) % {"count": participants}
        code = "confirmation_required" if confirmed is None else "confirmation_mismatch"
        raise refusal("confirm_participants", message, code)
    return ngettext("Cancelled with %(count)d participant.", "Cancelled with %(count)d participants.", participants) % {
        "count": participants
    }


@transaction.atomic
def course_update(
    *,
    course: Course,
    actor: Actor,
    fields: Iterable[CooperationField] | None = None,
    confirm_participants: int | None = None,
    **data: Any,
) -> Course:
    """Change a course; its row is locked so seats cannot move meanwhile.

    Cancelling a course that has participants (anyone nominated, waitlisted, accepted,
    arrived or completed) needs `confirm_participants` equal to their number; the
    cancellation and that number are recorded in the course's history.
    """
    stored = _locked_course(course.pk)
    model_update(course, data)
    if course.status == Course.Status.CANCELLED and stored.status != Course.Status.CANCELLED:
        course._change_reason = _confirm_cancelling(course, confirm_participants)  # type: ignore[attr-defined]  # read by django-simple-history
    return _save_course(course, actor=actor, fields=fields)


DS = Delegation.Status

# A delegation is received or called off; either is final (a cancelled one is never held).
DELEGATION_TRANSITIONS = Transitions(
    {DS.PLANNED: {DS.HELD, DS.CANCELLED}, DS.HELD: set(), DS.CANCELLED: set()}, labels=DS
)


def _check_held_has_begun(status: str, start_date: date | None) -> None:
    # Only held delegations count: a visit is held once it has begun, not ahead.
    if status == DS.HELD and start_date is not None and start_date > timezone.localdate():
        raise refusal(
            "status",
            _("A delegation is marked held once its visit has begun (it starts on %(start)s).")
            % {"start": start_date.isoformat()},
            "not_yet_held",
        )


@transaction.atomic
def delegation_create(*, actor: Actor, **data: Any) -> Delegation:
    """Record a delegation, planned unless said otherwise (one recorded after the visit is held)."""
    _check_held_has_begun(data.get("status", DS.PLANNED), data.get("start_date"))
    return record_create(Delegation, actor=actor, **data)


@transaction.atomic
def delegation_record_past(*, actor: Actor, **data: Any) -> Delegation:
    """Record a delegation received in the past, directly as held, marked retrospective."""
    data["status"] = DS.HELD
    _check_held_has_begun(DS.HELD, data.get("start_date"))
    delegation = Delegation(**data, retrospective=True)
    delegation._change_reason = str(RETROSPECTIVE_NOTE)  # type: ignore[attr-defined]  # read by django-simple-history
    audited_save(delegation, actor=actor)
    return delegation


@transaction.atomic
def delegation_update(*, delegation: Delegation, actor: Actor, **data: Any) -> Delegation:
    """Change a delegation; its status moves along DELEGATION_TRANSITIONS."""
    stored = Delegation.objects.select_for_update().only("status").get(pk=delegation.pk)
    target = data.get("status", stored.status)
    if target != stored.status:
        DELEGATION_TRANSITIONS.check(stored.status, target)
    _check_held_has_begun(target, data.get("start_date", delegation.start_date))
    return record_update(delegation, actor=actor, **data)


@transaction.atomic
def course_visit_create(*, actor: Actor, **data: Any) -> CourseVisit:
    """A site visit on a day of its course."""
    return record_create(CourseVisit, actor=actor, **data)


@transaction.atomic
def course_visit_update(*, course_visit: CourseVisit, actor: Actor, **data: Any) -> CourseVisit:
    return record_update(course_visit, actor=actor, **data)


# --- trainees ---------------------------------------------------------------------------


@transaction.atomic
def trainee_create(*, actor: Actor, **data: Any) -> Trainee:
    """Record a trainee; a second record of the same person is refused, naming the first."""
    return record_create(Trainee, actor=actor, **data)


@transaction.atomic
def trainee_update(*, trainee: Trainee, actor: Actor, **data: Any) -> Trainee:
    """Change a trainee; becoming a second record of someone on record is refused, naming the first."""
    return record_update(trainee, actor=actor, **data)


# --- nominations ------------------------------------------------------------------------


def nomination_refusal(course: Course, *, today: date | None = None) -> ValidationError | None:
    """Why nominations to `course` are closed, or None when they are open."""
    today = today or timezone.localdate()
    if course.status != Course.Status.OPEN:
        return ValidationError(
            {
                "course": ValidationError(
                    _("Course %(code)s is not open for nominations (status: %(status)s).")
                    % {"code": course.code, "status": course.get_status_display()},
                    code="course_not_open",
                )
            }
        )
    if today > course.nomination_deadline:
        return ValidationError(
            {
                "course": ValidationError(
                    _("The nomination deadline for course %(code)s was %(deadline)s; nominations are closed.")
                    % {"code": course.code, "deadline": date_format(course.nomination_deadline, "Y-m-d")},
                    code="deadline_passed",
                )
            }
        )
    return None


@transaction.atomic
def enrollment_nominate(
    *, course: Course, trainee: Trainee, nominated_by: Organization, actor: Actor, note: str = ""
) -> Enrollment:
    """Nominate a trainee to a course, before its deadline and only once."""
    course = Course.objects.get(pk=course.pk)
    refused = nomination_refusal(course)
    if refused is not None:
        raise refused
    existing = Enrollment.objects.filter(course=course, trainee=trainee).first()
    if existing is not None:
        raise ValidationError(
            {
                "trainee": ValidationError(
                    _("%(trainee)s is already nominated to course %(code)s (enrollment #%(id)d).")
                    % {"trainee": trainee, "code": course.code, "id": existing.pk},
                    code="already_nominated",
                )
            }
        )
    enrollment = Enrollment(
        course=course,
        trainee=trainee,
        nominated_by=nominated_by,
        course_start=course.start_date,
        course_end=course.end_date,
    )
    audited_save(enrollment, actor=actor)
    _record(enrollment, "", actor, note)
    return enrollment


def past_participation_refusal(course: Course, *, today: date) -> ValidationError | None:
    """Why participations in `course` cannot be recorded as past ones, or None."""
    if course.status == Course.Status.CANCELLED:
        return refusal(
            "course", _("Course %(code)s was cancelled; nobody took part in it.") % {"code": course.code}, "cancelled"
        )
    if course.end_date > today:
        return refusal(
            "course",
            _("Course %(code)s ends on %(end)s; its participations are recorded as they happen until then.")
            % {"code": course.code, "end": course.end_date.isoformat()},
            "course_not_over",
        )
    return None


@transaction.atomic
def enrollment_record_past(
    *,
    course: Course,
    trainee: Trainee,
    nominated_by: Organization,
    actor: Actor,
    status: str = S.COMPLETED,
    certificate_number: str = "",
    certificate_issued_on: date | None = None,
    action_plan: str = "",
    evaluation: str = "",
    note: str = "",
) -> Enrollment:
    """Record a participation in a course that is over, directly as completed (or withdrawn
    after arrival), marked retrospective in the record and its history.

    The nomination deadline, the course being open and the outcome's paperwork are not
    applied; a person is still enrolled once per course, holds one seat at a time, and the
    seats stay within the capacity. A completion without a certificate number gets the next
    one of the course, issued on the course's last day unless another day is given.
    """
    course = _locked_course(course.pk)
    refused = past_participation_refusal(course, today=timezone.localdate())
    if refused is not None:
        raise refused
    if status not in RETROSPECTIVE_ENROLLMENT_STATUSES:
        raise refusal("status", _("A past participation is recorded as completed or withdrawn."), "not_final")
    existing = Enrollment.objects.filter(course=course, trainee=trainee).first()
    if existing is not None:
        raise refusal(
            "trainee",
            _("%(trainee)s is already enrolled in course %(code)s (enrollment #%(id)d).")
            % {"trainee": trainee, "code": course.code, "id": existing.pk},
            "already_nominated",
        )
    enrollment = Enrollment(
        course=course,
        trainee=trainee,
        nominated_by=nominated_by,
        status=status,
        action_plan=action_plan,
        evaluation=evaluation,
        course_start=course.start_date,
        course_end=course.end_date,
        retrospective=True,
    )
    if status == S.COMPLETED:
        _check_seat(enrollment, course)
        enrollment.certificate_number = certificate_number or _certificate_number(course)
        enrollment.certificate_issued_on = certificate_issued_on or course.end_date
    audited_save(enrollment, actor=actor)
    for from_status, to_status in past_moves(status):
        EnrollmentStatusChange.objects.create(
            enrollment=enrollment,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            note=note or str(RETROSPECTIVE_NOTE),
            retrospective=True,
        )
    return enrollment


def past_moves(status: str) -> list[tuple[str, str]]:
    """The status history of a participation of the past: a withdrawal came after arrival."""
    if status == S.WITHDRAWN:
        return [("", S.ARRIVED), (S.ARRIVED, S.WITHDRAWN)]
    return [("", status)]


def _check_seat(enrollment: Enrollment, course: Course) -> None:
    clash = _overlapping_seat(enrollment, course)
    if clash is not None:
        raise _seat_clash_refusal("trainee", enrollment, clash)
    taken = _seats_taken(course)
    if taken >= course.capacity:
        raise refusal(
            "course",
            _("Course %(code)s is full (%(taken)d of %(capacity)d seats).")
            % {"code": course.code, "taken": taken, "capacity": course.capacity},
            "course_full",
        )


# --- the state machine ------------------------------------------------------------------


def _overlapping_seat(enrollment: Enrollment, course: Course) -> Enrollment | None:
    return (
        Enrollment.objects.filter(
            trainee_id=enrollment.trainee_id,
            status__in=SEAT_STATUSES,
            course_start__lte=course.end_date,
            course_end__gte=course.start_date,
        )
        .exclude(pk=enrollment.pk)
        .select_related("course")
        .first()
    )


def _seat_clash_refusal(field: str, enrollment: Enrollment, clash: Enrollment) -> ValidationError:
    return refusal(
        field,
        _("%(trainee)s already holds a seat in course %(code)s (%(start)s to %(end)s), which overlaps this course.")
        % {
            "trainee": enrollment.trainee,
            "code": clash.course.code,
            "start": clash.course.start_date,
            "end": clash.course.end_date,
        },
        "overlapping_course",
    )


def _seats_taken(course: Course) -> int:
    return Enrollment.objects.filter(course=course, status__in=SEAT_STATUSES).count()


def _next_waitlist_position(course: Course) -> int:
    last = Enrollment.objects.filter(course=course).aggregate(last=Max("waitlist_position"))["last"]
    return (last or 0) + 1


def _close_gap_in_waitlist(course: Course, position: int) -> None:
    """Everyone behind a place that was freed moves up by one (the constraint is deferred)."""
    Enrollment.objects.filter(course=course, waitlist_position__gt=position).update(
        waitlist_position=F("waitlist_position") - 1
    )


def certificate_number(course: Course, sequence: int) -> str:
    """The course's `sequence`-th certificate number."""
    return f"NPA-{course.end_date.year}-{course.code}-{sequence:03d}"


def _certificate_number(course: Course) -> str:
    issued = Enrollment.objects.filter(course=course).exclude(certificate_number="").count()
    return certificate_number(course, issued + 1)


def _apply(
    enrollment: Enrollment,
    course: Course,
    to: str,
    *,
    actor: Actor,
    note: str,
    action_plan: str | None,
    evaluation: str | None,
) -> Enrollment:
    """Move one enrollment whose course row is already locked; return it saved."""
    current = enrollment.status
    ENROLLMENT_TRANSITIONS.check(current, to)
    if course.status == Course.Status.CANCELLED and to not in (S.WITHDRAWN, S.REJECTED):
        raise refusal(
            "status",
            _("Course %(code)s is cancelled; its enrollments can only be withdrawn or rejected.")
            % {"code": course.code},
            "course_cancelled",
        )

    if to == S.ACCEPTED:
        clash = _overlapping_seat(enrollment, course)
        if clash is not None:
            raise _seat_clash_refusal("status", enrollment, clash)
        taken = _seats_taken(course)
        if taken >= course.capacity:
            if current == S.WAITLISTED:
                raise refusal(
                    "status",
                    _("Course %(code)s is full (%(taken)d of %(capacity)d seats); this trainee stays waitlisted.")
                    % {"code": course.code, "taken": taken, "capacity": course.capacity},
                    "course_full",
                )
            to = S.WAITLISTED
            note = note or _("The course was full; placed on the waitlist.")

    if to == S.COMPLETED:
        if action_plan is not None:
            enrollment.action_plan = action_plan
        if evaluation is not None:
            enrollment.evaluation = evaluation
        missing = [name for name in ("action_plan", "evaluation") if not getattr(enrollment, name).strip()]
        if missing:
            raise ValidationError(
                {
                    name: ValidationError(
                        _("Record the action plan and the evaluation before completing the course."),
                        code="required_for_completion",
                    )
                    for name in missing
                }
            )
        enrollment.certificate_number = _certificate_number(course)
        enrollment.certificate_issued_on = timezone.localdate()

    freed_position = enrollment.waitlist_position if current == S.WAITLISTED else None
    enrollment.waitlist_position = _next_waitlist_position(course) if to == S.WAITLISTED else None
    enrollment.status = to
    audited_save(enrollment, actor=actor)
    _record(enrollment, current, actor, note)
    if freed_position is not None:
        _close_gap_in_waitlist(course, freed_position)

    if current in SEAT_STATUSES and to not in SEAT_STATUSES:
        _promote_first_waitlisted(course, actor=actor, freed_by=enrollment)
    return enrollment


def _promote_first_waitlisted(course: Course, *, actor: Actor, freed_by: Enrollment) -> Enrollment | None:
    """Give the freed seat to the first in the queue who holds no seat in an overlapping course."""
    if course.status in (Course.Status.HELD, Course.Status.CANCELLED):
        return None
    busy_elsewhere = Enrollment.objects.filter(
        trainee=OuterRef("trainee"),
        status__in=SEAT_STATUSES,
        course_start__lte=course.end_date,
        course_end__gte=course.start_date,
    ).exclude(course=course)
    candidate = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("trainee")
        .filter(course=course, status=S.WAITLISTED)
        .filter(~Q(Exists(busy_elsewhere)))
        .order_by("waitlist_position")
        .first()
    )
    if candidate is None:
        return None
    # The note is read by the promoted trainee's nominating partner: it names no one, since
    # the seat may have been freed by another organization's nominee.
    note = _("Promoted from the waitlist: a seat was freed (%(status)s).") % {"status": freed_by.get_status_display()}
    return _apply(candidate, course, S.ACCEPTED, actor=actor, note=note, action_plan=None, evaluation=None)


@transaction.atomic
def enrollment_transition(
    *,
    enrollment: Enrollment,
    to: str,
    actor: Actor,
    note: str = "",
    action_plan: str | None = None,
    evaluation: str | None = None,
) -> Enrollment:
    """Move an enrollment along ENROLLMENT_TRANSITIONS, keeping seats within capacity.

    Accepting into a full course places a nominee on the waitlist instead (the
    returned enrollment says so). A seat-holder leaving (withdrawn, rejected) hands the
    seat to the first waitlisted trainee. Completing needs the action plan and the
    evaluation and issues the certificate number.
    """
    if to not in EnrollmentStatus.values:
        raise refusal(
            "to",
            _("Unknown status “%(to)s”; choose one of %(choices)s.")
            % {"to": to, "choices": ", ".join(EnrollmentStatus.values)},
            "invalid_choice",
        )
    course = _locked_course(enrollment.course_id)
    locked = Enrollment.objects.select_for_update(of=("self",)).select_related("trainee").get(pk=enrollment.pk)
    return _apply(locked, course, to, actor=actor, note=note, action_plan=action_plan, evaluation=evaluation)


def enrollment_withdraw(*, enrollment: Enrollment, actor: Actor, note: str = "") -> Enrollment:
    return enrollment_transition(enrollment=enrollment, to=S.WITHDRAWN, actor=actor, note=note)


def partner_candidates(organization: Organization) -> Q:
    """The trainees a partner's nominations are matched against: those it nominated or recorded.

    Anyone else is outside its scope: matching against them would tell it who they are.
    """
    return Trainee.partner_scope(organization) | Q(recorded_by=organization)


@transaction.atomic
def trainee_match_or_create(
    *, details: dict[str, Any], actor: Actor, recorded_by: Organization | None
) -> tuple[Trainee, bool]:
    """The trainee these details describe, and whether the record is new.

    `recorded_by` is the partner organization nominating, or None for agency staff. Staff
    match the person among every record. A partner matches only among the trainees it
    nominated; someone it describes who is on record elsewhere gets a new record of its
    own, exactly as a person nobody recorded would, and the possible duplicate is queued
    for staff (TraineeDuplicate).
    """
    candidate = Trainee(**details, recorded_by=recorded_by)
    if candidate.date_of_birth is None or not candidate.nationality:
        # Not a person yet: the validation names what is missing.
        return trainee_create(actor=actor, **details, recorded_by=recorded_by), True
    same = candidate.same_person()
    in_scope = same.filter(partner_candidates(recorded_by)) if recorded_by is not None else same
    existing = in_scope.order_by("pk").first()
    if existing is not None:
        return existing, False
    outside = list(same.values_list("pk", flat=True).order_by("pk")) if recorded_by is not None else []
    if recorded_by is not None and candidate.same_person(Trainee.all_objects).filter(recorded_by=recorded_by).exists():
        raise ValidationError(
            {
                "new_trainee": ValidationError(
                    _(
                        "Your organization's record of this person was archived by agency staff; "
                        "ask them to restore it."
                    ),
                    code="trainee_archived",
                )
            }
        )
    try:
        with transaction.atomic():
            created = trainee_create(actor=actor, **details, recorded_by=recorded_by)
    except IntegrityError:
        # The same request, sent twice at once, recorded the person first: use that record.
        existing = candidate.same_person().filter(recorded_by=recorded_by).order_by("pk").first()
        if existing is None:
            raise
        return existing, False
    if outside:
        trainee_duplicates_queue(pairs=[(created.pk, other) for other in outside], actor=actor)
    return created, True


# --- possible duplicates: the merge queue -----------------------------------------------

D = TraineeDuplicate.Status

DUPLICATE_TRANSITIONS = Transitions({D.OPEN: {D.MERGED, D.DISMISSED}, D.MERGED: set(), D.DISMISSED: set()}, labels=D)


def trainee_duplicates_queue(*, pairs: list[tuple[int, int]], actor: Actor = None) -> list[TraineeDuplicate]:
    """Queue (new record, existing record) pairs for staff; each pair holds a record just created,
    so none can be queued already."""
    entries = [TraineeDuplicate(trainee_id=new, existing_id=existing) for new, existing in pairs]
    if not entries:
        return []
    queued: list[TraineeDuplicate] = bulk_create_with_history(entries, TraineeDuplicate, default_user=actor)
    return queued


def _open_entry(duplicate: TraineeDuplicate, to: str) -> TraineeDuplicate:
    """The entry, locked, if it may still be resolved."""
    entry = TraineeDuplicate.objects.select_for_update().get(pk=duplicate.pk)
    if not entry.is_open:
        raise ValidationError(
            {
                "status": ValidationError(
                    _("This entry was already resolved (%(status)s) on %(date)s.")
                    % {
                        "status": entry.get_status_display(),
                        "date": date_format(timezone.localtime(entry.resolved_at), "Y-m-d H:i"),
                    },
                    code="already_resolved",
                )
            }
        )
    DUPLICATE_TRANSITIONS.check(entry.status, to)
    return entry


def _resolve(
    entry: TraineeDuplicate, status: str, *, actor: Actor, kept: Trainee | None = None, note: str = ""
) -> None:
    entry.status = status
    entry.kept = kept
    entry.resolved_by = actor
    entry.resolved_at = timezone.now()
    if note:
        entry.note = note
    audited_save(entry, actor=actor)


def _merge_refusal(message: str, code: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: ValidationError(message, code=code)})


def _check_mergeable(survivor: Trainee, other: Trainee) -> None:
    for record in (survivor, other):
        if record.archived_at is not None:
            raise _merge_refusal(
                _("Trainee #%(id)d is archived; restore it to merge, or dismiss this entry.") % {"id": record.pk},
                "archived",
            )
    shared = sorted(
        Enrollment.objects.filter(
            trainee=other, course__in=Enrollment.objects.filter(trainee=survivor).values("course")
        )
        .values_list("course__code", flat=True)
        .distinct()
    )
    if shared:
        raise _merge_refusal(
            _(
                "Both records are enrolled in course %(codes)s, and a person is enrolled in a course once; "
                "they cannot be merged."
            )
            % {"codes": ", ".join(shared)},
            "both_enrolled",
        )
    seats = Enrollment.objects.filter(trainee=survivor, status__in=SEAT_STATUSES)
    clash = (
        Enrollment.objects.filter(trainee=other, status__in=SEAT_STATUSES)
        .filter(
            Exists(seats.filter(course_start__lte=OuterRef("course_end"), course_end__gte=OuterRef("course_start")))
        )
        .select_related("course")
        .order_by("course_start", "pk")
        .first()
    )
    if clash is not None:
        raise _merge_refusal(
            _(
                "The records hold seats in overlapping courses (%(code)s among them), and a person holds one "
                "seat at a time; they cannot be merged."
            )
            % {"code": clash.course.code},
            "overlapping_seats",
        )


def _requeue_around(other: Trainee, survivor: Trainee, entry: TraineeDuplicate, actor: Actor) -> None:
    """Open entries naming the merged-away record now name the record kept (or are settled by this merge)."""
    others = (
        TraineeDuplicate.objects.select_for_update()
        .filter(Q(trainee=other) | Q(existing=other), status=D.OPEN)
        .exclude(pk=entry.pk)
        .order_by("pk")
    )
    for pending in others:
        counterpart = pending.existing_id if pending.trainee_id == other.pk else pending.trainee_id
        already = TraineeDuplicate.objects.filter(
            Q(trainee=survivor, existing_id=counterpart) | Q(trainee_id=counterpart, existing=survivor)
        ).exists()
        if already:
            # The same question is queued for the record kept; this entry is closed in its favour.
            _resolve(
                pending,
                D.DISMISSED,
                actor=actor,
                note=_("Closed when trainee #%(other)d was merged into #%(kept)d, which is queued with #%(third)d.")
                % {"other": other.pk, "kept": survivor.pk, "third": counterpart},
            )
            continue
        if pending.trainee_id == other.pk:
            pending.trainee = survivor
        else:
            pending.existing = survivor
        audited_save(pending, actor=actor)


@transaction.atomic
def trainee_duplicate_merge(
    *, duplicate: TraineeDuplicate, actor: Actor, keep: Trainee | None = None, note: str = ""
) -> Trainee:
    """Merge the two records of a queue entry into one: `keep`, or else the older one.

    The other record's enrollments move to the one kept; the other is archived with a
    pointer to it. Both records keep their history, and each gets an entry naming the
    merge. Refused when both are enrolled in one course (a person is enrolled once per
    course) or hold seats in overlapping courses.
    """
    entry = _open_entry(duplicate, D.MERGED)
    records = list(
        Trainee.all_objects.select_for_update().filter(pk__in=(entry.trainee_id, entry.existing_id)).order_by("pk")
    )
    if keep is not None and keep.pk not in {record.pk for record in records}:
        raise ValidationError({"keep": ValidationError(_("Keep one of the entry's two records."), code="not_in_entry")})
    keep_pk = keep.pk if keep is not None else min(records, key=lambda r: (r.created_at, r.pk)).pk
    survivor = next(record for record in records if record.pk == keep_pk)
    other = next(record for record in records if record.pk != keep_pk)
    _check_mergeable(survivor, other)

    reason = _("Merged trainee #%(other)d into #%(kept)d") % {"other": other.pk, "kept": survivor.pk}
    try:
        with transaction.atomic():
            moved = list(Enrollment.objects.select_for_update().filter(trainee=other).order_by("pk"))
            for enrollment in moved:
                enrollment.trainee = survivor
                enrollment._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
                enrollment._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history
                # Only the trainee changes: the seat triggers (and their course locks) stay out of it.
                enrollment.save(update_fields=["trainee", "updated_at"])
    except IntegrityError:
        raise _merge_refusal(
            _("Another change to these records' enrollments was saved first; reload and try again."), "conflict"
        ) from None

    other.archived_at, other.archived_by, other.merged_into = timezone.now(), actor, survivor
    other._history_user, other._change_reason = actor, reason  # type: ignore[attr-defined]  # read by django-simple-history
    other.full_clean(
        exclude=[f.name for f in Trainee._meta.fields if f.name not in ("archived_at", "archived_by", "merged_into")]
    )
    other.save(update_fields=["archived_at", "archived_by", "merged_into", "updated_at"])
    survivor._history_user, survivor._change_reason = actor, reason  # type: ignore[attr-defined]  # read by django-simple-history
    survivor.save(update_fields=["updated_at"])

    _resolve(entry, D.MERGED, actor=actor, kept=survivor, note=note)
    _requeue_around(other, survivor, entry, actor)
    return survivor


@transaction.atomic
def trainee_duplicate_dismiss(*, duplicate: TraineeDuplicate, actor: Actor, note: str = "") -> TraineeDuplicate:
    """The two records are different people: close the entry, change neither record."""
    entry = _open_entry(duplicate, D.DISMISSED)
    _resolve(entry, D.DISMISSED, actor=actor, note=note)
    return entry


@transaction.atomic
def enrollment_record_outcome(
    *, enrollment: Enrollment, actor: Actor, action_plan: str | None = None, evaluation: str | None = None
) -> Enrollment:
    """Record or correct the action plan and the evaluation; nothing else of the row moves."""
    _locked_course(enrollment.course_id)
    locked = Enrollment.objects.select_for_update(of=("self",)).get(pk=enrollment.pk)
    if action_plan is not None:
        locked.action_plan = action_plan
    if evaluation is not None:
        locked.evaluation = evaluation
    audited_save(locked, actor=actor)
    return locked
