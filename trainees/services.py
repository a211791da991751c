"""Writes with rules: nominations, the enrollment state machine, seats and the waitlist.

Lock order, everywhere: the course row first (FOR NO KEY UPDATE, the lock the database
triggers take too), then the enrollment. Acceptances into one course therefore run one
after another, and each sees the seats the previous one took.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cooperation.models import Organization
from cooperation.services import audited_save
from cooperation.workflow import Transitions

from .models import (
    SEAT_STATUSES,
    Course,
    Delegation,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    Trainee,
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


def _record(enrollment: Enrollment, from_status: str, actor, note: str) -> None:
    EnrollmentStatusChange.objects.create(
        enrollment=enrollment, from_status=from_status, to_status=enrollment.status, actor=actor, note=note
    )


# --- courses and delegations ------------------------------------------------------------


@transaction.atomic
def course_save(*, course: Course, actor=None, fields=None) -> Course:
    """Create or change a course; its row is locked so seats cannot move meanwhile."""
    if course.pk is not None:
        _locked_course(course.pk)
    audited_save(course, actor=actor)
    if fields is not None:
        course.fields.set(fields)
    return course


@transaction.atomic
def delegation_save(*, delegation: Delegation, actor=None) -> Delegation:
    audited_save(delegation, actor=actor)
    return delegation


# --- trainees ---------------------------------------------------------------------------


@transaction.atomic
def trainee_save(*, trainee: Trainee, actor=None) -> Trainee:
    """Create or change a trainee; a second record of the same person is refused, naming the first."""
    audited_save(trainee, actor=actor)
    return trainee


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
    *, course: Course, trainee: Trainee, nominated_by: Organization, actor, note: str = ""
) -> Enrollment:
    """Nominate a trainee to a course, before its deadline and only once."""
    course = Course.objects.get(pk=course.pk)
    refusal = nomination_refusal(course)
    if refusal is not None:
        raise refusal
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


def _certificate_number(course: Course) -> str:
    issued = Enrollment.objects.filter(course=course).exclude(certificate_number="").count()
    return f"NPA-{course.end_date.year}-{course.code}-{issued + 1:03d}"


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _apply(
    enrollment: Enrollment,
    course: Course,
    to: str,
    *,
    actor,
    note: str,
    action_plan: str | None,
    evaluation: str | None,
) -> Enrollment:
    """Move one enrollment whose course row is already locked; return it saved."""
    current = enrollment.status
    ENROLLMENT_TRANSITIONS.check(current, to)
    if course.status == Course.Status.CANCELLED and to not in (S.WITHDRAWN, S.REJECTED):
        raise _refuse(
            "status",
            _("Course %(code)s is cancelled; its enrollments can only be withdrawn or rejected.")
            % {"code": course.code},
            "course_cancelled",
        )

    if to == S.ACCEPTED:
        clash = _overlapping_seat(enrollment, course)
        if clash is not None:
            raise _refuse(
                "status",
                _(
                    "%(trainee)s already holds a seat in course %(code)s (%(start)s to %(end)s), "
                    "which overlaps this course."
                )
                % {
                    "trainee": enrollment.trainee,
                    "code": clash.course.code,
                    "start": clash.course.start_date,
                    "end": clash.course.end_date,
                },
                "overlapping_course",
            )
        taken = _seats_taken(course)
        if taken >= course.capacity:
            if current == S.WAITLISTED:
                raise _refuse(
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


def _promote_first_waitlisted(course: Course, *, actor, freed_by: Enrollment) -> Enrollment | None:
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
    note = _("Promoted from the waitlist: a seat was freed when %(trainee)s became %(status)s.") % {
        "trainee": freed_by.trainee,
        "status": freed_by.get_status_display(),
    }
    return _apply(candidate, course, S.ACCEPTED, actor=actor, note=note, action_plan=None, evaluation=None)


@transaction.atomic
def enrollment_transition(
    *,
    enrollment: Enrollment,
    to: str,
    actor,
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
        raise _refuse(
            "to",
            _("Unknown status “%(to)s”; choose one of %(choices)s.")
            % {"to": to, "choices": ", ".join(EnrollmentStatus.values)},
            "invalid_choice",
        )
    course = _locked_course(enrollment.course_id)
    locked = Enrollment.objects.select_for_update(of=("self",)).select_related("trainee").get(pk=enrollment.pk)
    return _apply(locked, course, to, actor=actor, note=note, action_plan=action_plan, evaluation=evaluation)


def enrollment_withdraw(*, enrollment: Enrollment, actor, note: str = "") -> Enrollment:
    return enrollment_transition(enrollment=enrollment, to=S.WITHDRAWN, actor=actor, note=note)


@transaction.atomic
def trainee_match_or_create(*, details: dict, actor) -> tuple[Trainee, bool]:
    """The trainee these details describe: the person's record if there is one, else a new one."""
    candidate = Trainee(**details)
    existing = candidate.same_person().order_by("pk").first() if candidate.date_of_birth else None
    if existing is not None:
        return existing, False
    return trainee_save(trainee=candidate, actor=actor), True


@transaction.atomic
def enrollment_record_outcome(
    *, enrollment: Enrollment, actor, action_plan: str | None = None, evaluation: str | None = None
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
