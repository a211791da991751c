"""Courses held at home for foreign officers, the trainees, their enrollments, and visitors."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import Greatest, Least, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from cooperation.access import RestrictedManager
from cooperation.archive import Archivable, archived_together
from cooperation.choices import Gender
from cooperation.crypto import DigestField, EncryptedCharField
from cooperation.db import DateRange, related_or_none
from cooperation.languages import validate_language_code
from cooperation.models import CooperationField, Organization, TimeStampedModel, validate_country_codes
from cooperation.workflow import StatusChange

from .choices import Applied, EnrollmentStatus, OutcomeFeed, QuestionKind


class WithoutSpaces(Func):
    """The text with every whitespace character removed (immutable, so usable in an index).

    Migration 0001 names this class; newer code and migrations use `without_spaces`.
    """

    function = "regexp_replace"
    output_field = models.CharField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(r"\s"), Value(""), Value("g"), **extra)


def without_spaces(expression) -> Func:
    """The same SQL as WithoutSpaces as a plain Func, so a migration states it without this module."""
    return Func(
        expression, Value(r"\s"), Value(""), Value("g"), function="regexp_replace", output_field=models.CharField()
    )


def normalized_name(field: str) -> Lower:
    """A name compared without case or spaces: "Nguyen Van A" is "nguyenvana"."""
    return Lower(without_spaces(F(field)))


def normalized_value(text: str) -> Lower:
    return Lower(without_spaces(Value(text or "")))


# What makes two trainee records one person.
IDENTITY_FIELDS = ("family_name", "given_name", "date_of_birth", "nationality")
# A trainee's own details, in this order wherever they are listed: the columns of a
# nomination file, a new trainee's input and the person's part of the trainee resource.
PERSON_FIELDS = (
    "family_name",
    "given_name",
    "name_ja",
    "gender",
    "date_of_birth",
    "nationality",
    "organization",
    "rank",
    "position",
    "email",
    "phone",
    "passport_number",
    "passport_expiry",
)


class Course(TimeStampedModel):
    class Kind(models.TextChoices):
        JICA_GROUP_REGION = "jica_group_region", _("JICA Knowledge Co-Creation: group and region focus")
        JICA_COUNTRY_FOCUS = "jica_country_focus", _("JICA Knowledge Co-Creation: country focus")
        NPA_INVITATION = "npa_invitation", _("NPA invitation")
        SEMINAR = "seminar", _("Seminar")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for nominations")
        CLOSED = "closed", _("Nominations closed")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    host = models.ForeignKey(
        Organization, verbose_name=_("host"), on_delete=models.PROTECT, related_name="hosted_courses"
    )
    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("program"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
    )
    project = models.ForeignKey(
        "programs.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
    )
    fields = models.ManyToManyField(CooperationField, blank=True, related_name="courses", verbose_name=_("fields"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    nomination_deadline = models.DateField(_("nomination deadline"))
    target_countries = ArrayField(
        models.CharField(max_length=2),
        verbose_name=_("target countries"),
        default=list,
        blank=True,
        validators=[validate_country_codes],
        help_text=_("ISO 3166 alpha-2 codes; empty when any country may nominate."),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        default="en",
        validators=[RegexValidator(r"^[a-z]{2}$", _("Give an ISO 639-1 code such as en or ja."))],
        help_text=_("ISO 639-1 code of the working language."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(m2m_fields=[fields])

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        indexes = [models.Index(fields=["start_date", "status"], name="course_start_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="course_end_not_before_start",
                violation_error_code="date_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0),
                name="course_capacity_positive",
                violation_error_code="capacity",
                violation_error_message=_("A course has at least one seat."),
            ),
            models.CheckConstraint(
                condition=Q(nomination_deadline__lte=F("start_date")),
                name="course_deadline_not_after_start",
                violation_error_code="deadline_after_start",
                violation_error_message=_("The nomination deadline cannot be after the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self):
        super().clean()
        errors = {}
        if self.language and re.fullmatch(r"[a-z]{2}", self.language):
            # A well-formed code must name a language of the list the experts' languages come
            # from (a malformed one is the field validator's to report). Checked here, not as
            # a field validator, so that the column's migrations stay as they are.
            try:
                validate_language_code(self.language)
            except ValidationError as unknown:
                errors["language"] = unknown
        project = related_or_none(self, "project")
        if project is not None and self.program_id is not None and project.program_id != self.program_id:
            errors["project"] = ValidationError(
                _("The project %(project)s belongs to another program.") % {"project": project.code},
                code="project_of_other_program",
            )
        if self.pk is not None and self.capacity:
            taken = self.enrollments.filter(status__in=SEAT_STATUSES).count()
            if taken > self.capacity:
                errors["capacity"] = ValidationError(
                    _("%(taken)d seats are taken; the capacity cannot be lower.") % {"taken": taken},
                    code="below_seats_taken",
                )
        if self.pk is not None and self.start_date and self.end_date:
            outside = self.visits.exclude(date__range=(self.start_date, self.end_date)).order_by("date").first()
            if outside is not None:
                errors["start_date"] = ValidationError(
                    _("A site visit on %(date)s would fall outside the course; move it first.")
                    % {"date": outside.date},
                    code="visit_outside_course",
                )
            clash = self._seat_clash()
            if clash is not None:
                errors.setdefault(
                    "start_date",
                    ValidationError(
                        _("%(trainee)s holds a seat here and in course %(code)s, which these dates would overlap.")
                        % {"trainee": clash.trainee, "code": clash.course.code},
                        code="overlapping_seats",
                    ),
                )
        if errors:
            raise ValidationError(errors)

    def _seat_clash(self):
        """A seat elsewhere that these (changed) dates would overlap for one of this course's trainees."""
        seated_here = Enrollment.objects.filter(course_id=self.pk, status__in=SEAT_STATUSES).values("trainee")
        return (
            Enrollment.objects.filter(
                trainee__in=seated_here,
                status__in=SEAT_STATUSES,
                course_start__lte=self.end_date,
                course_end__gte=self.start_date,
            )
            .exclude(course_id=self.pk)
            .select_related("trainee", "course")
            .first()
        )

    @classmethod
    def partner_scope(cls, organization) -> Q:
        """Courses a partner may nominate to, and every course it has nominated to.

        An open course is open to an organization when it names no target countries or
        names the organization's country. Development agencies and international
        organizations (JICA, UNODC…) coordinate nominations from many countries, so they
        see every open course.
        """
        nominated = Enrollment.objects.filter(course=OuterRef("pk"), nominated_by=organization)
        return Q(Exists(nominated)) | (Q(status=cls.Status.OPEN) & open_to(organization))


COORDINATING_KINDS = (Organization.Kind.DEVELOPMENT_AGENCY, Organization.Kind.INTERNATIONAL_ORGANIZATION)


def open_to(organization) -> Q:
    """Open courses an organization may nominate to (see Course.partner_scope)."""
    if organization.kind in COORDINATING_KINDS:
        return Q()
    targets_anyone = Q(target_countries=[])
    if not organization.country:
        return targets_anyone
    return targets_anyone | Q(target_countries__contains=[organization.country.code])


class CourseVisit(TimeStampedModel):
    """A site visit within a course: a prefectural police HQ, a Koban, a command center."""

    class Kind(models.TextChoices):
        PREFECTURAL_POLICE = "prefectural_police", _("Prefectural police")
        KOBAN = "koban", _("Koban")
        COMMUNICATIONS_COMMAND_CENTER = "communications_command_center", _("Communications command center")
        OTHER = "other", _("Other")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="visits")
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="course_visits",
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["course", "date", "pk"]
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self) -> str:
        return f"{self.date} {self.place}"

    def clean(self):
        super().clean()
        course = related_or_none(self, "course")
        if course is None or self.date is None or course.start_date is None or course.end_date is None:
            return
        if not course.start_date <= self.date <= course.end_date:
            raise ValidationError(
                {
                    "date": ValidationError(
                        _("The visit must fall within the course (%(start)s to %(end)s).")
                        % {"start": course.start_date, "end": course.end_date},
                        code="outside_course",
                    )
                }
            )

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return Q(course__in=Course.objects.filter(Course.partner_scope(organization)).values("pk"))


class Trainee(Archivable, TimeStampedModel):  # type: ignore[misc]  # Archivable's manager restricts too and comes first on purpose
    """One person, one record per recording organization, across every course they attend.

    A partner coordinator's nominations are matched only among the trainees its own
    organization nominated; a person it describes who is on record elsewhere gets a
    record of its own (`recorded_by`), and the pair is queued for agency staff to merge
    (TraineeDuplicate), never revealed to the coordinator.
    """

    # Seen by agency staff only, everywhere (see cooperation.privacy).
    personal_fields = ("date_of_birth", "email", "phone", "passport_number", "passport_expiry")

    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"))
    nationality = CountryField(_("nationality"))
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainees",
    )
    rank = models.CharField(_("rank"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    passport_number = EncryptedCharField(_("passport number"), max_length=20, blank=True, default="", db_default="")
    # Lets staff find a trainee by passport number although the column is encrypted.
    passport_number_digest = DigestField(source="passport_number")
    passport_expiry = models.DateField(_("passport expiry"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        Organization,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="recorded_trainees",
        help_text=_("The partner organization whose nomination created this record; empty: agency staff."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_records",
        help_text=_("The record this one was merged into as the same person; this one is archived."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        # The lists' order by name: a page is read from the index, not sorted from every trainee.
        indexes = [models.Index(fields=["family_name", "given_name", "id"], name="trainee_name_order_idx")]
        constraints = [
            # One record per person per recording organization; agency staff (NULL) count
            # as one recorder.
            models.UniqueConstraint(
                "nationality",
                normalized_name("family_name"),
                normalized_name("given_name"),
                "date_of_birth",
                "recorded_by",
                name="trainee_one_record_per_person_and_recorder",
                nulls_distinct=False,
                violation_error_code="duplicate_trainee",
                violation_error_message=_("This person is already recorded as a trainee."),
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | (Q(archived_at__isnull=False) & ~Q(merged_into=F("pk"))),
                name="trainee_merged_only_when_archived",
                violation_error_code="merged_not_archived",
                violation_error_message=_("A record merged into another stays archived."),
            ),
            models.CheckConstraint(
                condition=Q(passport_expiry__isnull=True) | Q(passport_expiry__gt=F("date_of_birth")),
                name="trainee_passport_after_birth",
                violation_error_code="date_order",
                violation_error_message=_("A passport cannot expire before its holder was born."),
            ),
            archived_together("trainee"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()} {self.given_name}".strip()

    def same_person(self, manager: models.Manager[Trainee] | None = None) -> models.QuerySet[Trainee]:
        """Other trainees in use (or of `manager`) with this nationality, name (ignoring case
        and spaces) and birth date, whoever recorded them."""
        manager = manager if manager is not None else Trainee.objects
        return (
            manager.annotate(family_key=normalized_name("family_name"), given_key=normalized_name("given_name"))
            .filter(
                nationality=self.nationality,
                date_of_birth=self.date_of_birth,
                family_key=normalized_value(self.family_name),
                given_key=normalized_value(self.given_name),
            )
            .exclude(pk=self.pk)
        )

    def clean(self):
        super().clean()
        if self.merged_into_id is not None and self.archived_at is None:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: ValidationError(
                        _("This record was merged into trainee #%(id)d as the same person; it stays archived.")
                        % {"id": self.merged_into_id},
                        code="merged_not_archived",
                    )
                }
            )

    def _identity_written(self, exclude) -> bool:
        """Whether this validation writes the person's identity on a path where it must be unique
        across every recorder: a record by agency staff, or any change of identity (only staff
        change trainees)."""
        if exclude and any(name in exclude for name in IDENTITY_FIELDS):
            return False
        if self.date_of_birth is None or not self.nationality:
            return False
        if self._state.adding or self.pk is None:
            return self.recorded_by_id is None
        stored = Trainee.all_objects.filter(pk=self.pk).values(*IDENTITY_FIELDS).first()
        return stored is None or any(stored[name] != getattr(self, name) for name in IDENTITY_FIELDS)

    def validate_constraints(self, exclude=None):
        errors = {}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
        general = errors.get(NON_FIELD_ERRORS, [])
        if any(e.code == "duplicate_trainee" for e in general):
            existing = self.same_person().filter(recorded_by=self.recorded_by_id).order_by("pk").first()
            if existing is not None:
                errors[NON_FIELD_ERRORS] = [e for e in general if e.code != "duplicate_trainee"] + [
                    duplicate_trainee_error(existing)
                ]
        elif self._identity_written(exclude):
            existing = self.same_person().order_by("pk").first()
            if existing is not None:
                errors.setdefault(NON_FIELD_ERRORS, []).append(duplicate_trainee_error(existing))
        if errors:
            raise ValidationError(errors)

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return Q(Exists(Enrollment.objects.filter(trainee=OuterRef("pk"), nominated_by=organization)))


def duplicate_trainee_error(existing: Trainee) -> ValidationError:
    return ValidationError(
        _("This person already exists as trainee #%(id)d (same nationality, name and date of birth).")
        % {"id": existing.pk},
        code="duplicate_trainee",
    )


# The statuses that hold one of the course's seats.
SEAT_STATUSES = (EnrollmentStatus.ACCEPTED, EnrollmentStatus.ARRIVED, EnrollmentStatus.COMPLETED)
# The statuses that count as having taken part (the managers' "trainees").
PARTICIPANT_STATUSES = (EnrollmentStatus.ARRIVED, EnrollmentStatus.COMPLETED)
# Everyone still on a course's list (neither rejected nor withdrawn): cancelling the course
# takes them all out of it, so the cancellation names how many.
ACTIVE_ENROLLMENT_STATUSES = (
    EnrollmentStatus.NOMINATED,
    EnrollmentStatus.WAITLISTED,
    *SEAT_STATUSES,
)

# The final states a participation is recorded in after the course.
RETROSPECTIVE_ENROLLMENT_STATUSES = (EnrollmentStatus.COMPLETED, EnrollmentStatus.WITHDRAWN)


class Enrollment(TimeStampedModel):
    """A trainee nominated to a course by an organization, and what became of it.

    The course's dates are copied onto the row (kept in step by a trigger) so that a
    PostgreSQL exclusion constraint can refuse two seats of one trainee in overlapping
    courses, whatever the write path.
    """

    Status = EnrollmentStatus

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrollments")
    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="enrollments"
    )
    nominated_by = models.ForeignKey(
        Organization, verbose_name=_("nominated by"), on_delete=models.PROTECT, related_name="nominations"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EnrollmentStatus.choices, default=EnrollmentStatus.NOMINATED, editable=False
    )
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True, editable=False)
    certificate_number = models.CharField(_("certificate number"), max_length=80, blank=True, editable=False)
    certificate_issued_on = models.DateField(_("certificate issued on"), null=True, blank=True, editable=False)
    action_plan = models.TextField(
        _("action plan"), blank=True, help_text=_("What the trainee will put into practice at home.")
    )
    evaluation = models.TextField(_("evaluation"), blank=True)
    course_start = models.DateField(editable=False, null=True)
    course_end = models.DateField(editable=False, null=True)
    retrospective = models.BooleanField(
        _("recorded retrospectively"),
        default=False,
        db_default=False,
        editable=False,
        help_text=_("Recorded after the course in its final state, without the nomination steps."),
    )

    history = HistoricalRecords(excluded_fields=["course_start", "course_end"])

    class Meta:
        ordering = ["course", "pk"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        indexes = [
            models.Index(fields=["course", "status"], name="enrollment_course_status_idx"),
            # The admin's order, newest courses first: a page is read from the index
            # (backwards), not sorted from every enrollment.
            models.Index(fields=["course_start", "course", "id"], name="enrollment_start_order_idx"),
            # The watch list's courses with nominations to decide: the few nominated rows
            # among a million, without reading the others.
            models.Index(
                fields=["course"],
                condition=Q(status=EnrollmentStatus.NOMINATED),
                name="enrollment_nominated_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "trainee"],
                name="enrollment_once_per_course",
                violation_error_code="already_nominated",
                violation_error_message=_("This trainee is already nominated to this course."),
            ),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number=""),
                name="enrollment_certificate_number_unique",
                violation_error_code="duplicate",
                violation_error_message=_("This certificate number is already issued."),
            ),
            # Deferred, so the queue can move up by one in a single statement.
            models.UniqueConstraint(
                fields=["course", "waitlist_position"],
                name="enrollment_waitlist_position_unique",
                deferrable=models.Deferrable.DEFERRED,
                violation_error_code="duplicate",
                violation_error_message=_("Two enrollments hold the same waitlist position."),
            ),
            models.CheckConstraint(
                condition=Q(status=EnrollmentStatus.WAITLISTED, waitlist_position__gte=1)
                | (~Q(status=EnrollmentStatus.WAITLISTED) & Q(waitlist_position__isnull=True)),
                name="enrollment_waitlist_position_when_waitlisted",
                violation_error_code="waitlist_position",
                violation_error_message=_("Only a waitlisted enrollment has a waitlist position."),
            ),
            models.CheckConstraint(
                condition=Q(status=EnrollmentStatus.COMPLETED, certificate_issued_on__isnull=False)
                & ~Q(certificate_number="")
                | (~Q(status=EnrollmentStatus.COMPLETED) & Q(certificate_number="")),
                name="enrollment_certificate_when_completed",
                violation_error_code="certificate",
                violation_error_message=_("A completed enrollment, and only one, carries a certificate."),
            ),
            models.CheckConstraint(
                condition=Q(retrospective=False) | Q(status__in=RETROSPECTIVE_ENROLLMENT_STATUSES),
                name="enrollment_retrospective_is_final",
                violation_error_code="retrospective_not_final",
                violation_error_message=_("An enrollment recorded retrospectively is completed or withdrawn."),
            ),
            ExclusionConstraint(
                name="enrollment_no_overlapping_seats",
                index_type="gist",
                expressions=[
                    ("trainee", RangeOperators.EQUAL),
                    (DateRange(F("course_start"), F("course_end"), Value("[]")), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=SEAT_STATUSES),
                violation_error_code="overlap",
                violation_error_message=_("The trainee already holds a seat in a course overlapping these dates."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} – {self.course.code}"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_STATUSES

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return Q(nominated_by=organization)


class EnrollmentStatusChange(StatusChange):
    states = EnrollmentStatus
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="status_changes"
    )
    retrospective = models.BooleanField(_("recorded retrospectively"), default=False, db_default=False)

    class Meta(StatusChange.Meta):
        verbose_name = _("enrollment status change")
        verbose_name_plural = _("enrollment status changes")


class TraineeDuplicate(models.Model):
    """A trainee record that may be the same person as a record outside its organization's scope.

    Queued when a partner coordinator describes someone recorded by another organization
    (or by agency staff): the coordinator gets a record of its own and is told nothing,
    and agency staff decide here whether the two records are one person (merge) or not
    (dismiss).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not the same person")

    trainee = models.ForeignKey(
        Trainee,
        verbose_name=_("new record"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The record created by the nominating organization."),
    )
    existing = models.ForeignKey(
        Trainee,
        verbose_name=_("possibly the same as"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The record of the same nationality, name and date of birth outside that organization's scope."),
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now, editable=False, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, editable=False)
    kept = models.ForeignKey(
        Trainee,
        verbose_name=_("record kept"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)

    # No partner_scope: only roles granted its permissions (agency staff) read it.
    objects = RestrictedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("possible duplicate trainee")
        verbose_name_plural = _("possible duplicate trainees")
        indexes = [models.Index(fields=["status", "queued_at"], name="trainee_duplicate_status_idx")]
        constraints = [
            # A pair is queued once, whichever of the two came first.
            models.UniqueConstraint(
                Least("trainee", "existing"),
                Greatest("trainee", "existing"),
                name="trainee_duplicate_pair_once",
                violation_error_code="already_queued",
                violation_error_message=_("These two records are already queued as possible duplicates."),
            ),
            models.CheckConstraint(
                condition=~Q(trainee=F("existing")),
                name="trainee_duplicate_two_records",
                violation_error_code="same_record",
                violation_error_message=_("A record cannot duplicate itself."),
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True, resolved_by__isnull=True, kept__isnull=True)
                | Q(status="dismissed", resolved_at__isnull=False, resolved_by__isnull=False, kept__isnull=True)
                | (
                    Q(status="merged", resolved_at__isnull=False, resolved_by__isnull=False)
                    & (Q(kept=F("trainee")) | Q(kept=F("existing")))
                ),
                name="trainee_duplicate_resolution",
                violation_error_code="resolution",
                violation_error_message=_(
                    "An open entry is unresolved; a resolved one names who resolved it and when, "
                    "and a merged one which of its two records was kept."
                ),
            ),
        ]

    def __str__(self) -> str:
        return _("Trainee #%(new)d may be #%(existing)d") % {"new": self.trainee_id, "existing": self.existing_id}

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Delegation(TimeStampedModel):
    """Foreign visitors received to see how the Japanese police work."""

    class Facility(models.TextChoices):
        KOBAN = "koban", _("Koban")
        COMMUNICATIONS_COMMAND_CENTER = "communications_command_center", _("Communications command center")
        PREFECTURAL_POLICE = "prefectural_police", _("Prefectural police headquarters")
        POLICE_STATION = "police_station", _("Police station")
        POLICE_ACADEMY = "police_academy", _("Police academy")
        FORENSIC_LABORATORY = "forensic_laboratory", _("Forensic laboratory")
        NPA = "npa", _("National Police Agency")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PLANNED,
        help_text=_("Only held delegations count in the figures."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    country = CountryField(_("country"))
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegations",
    )
    visitors = models.PositiveIntegerField(_("number of visitors"), validators=[MinValueValidator(1)])
    facilities_visited = ArrayField(
        models.CharField(max_length=32, choices=Facility.choices),
        verbose_name=_("facilities visited"),
        default=list,
        blank=True,
    )
    purpose = models.TextField(_("purpose"), blank=True)
    retrospective = models.BooleanField(
        _("recorded retrospectively"),
        default=False,
        db_default=False,
        editable=False,
        help_text=_("Recorded after the visit, as held."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="delegation_end_not_before_start",
                violation_error_code="date_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(visitors__gt=0),
                name="delegation_visitors_positive",
                violation_error_code="visitors",
                violation_error_message=_("A delegation has at least one visitor."),
            ),
            models.CheckConstraint(
                condition=Q(retrospective=False) | Q(status="held"),
                name="delegation_retrospective_is_held",
                violation_error_code="retrospective_not_held",
                violation_error_message=_("A delegation recorded retrospectively was held."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "held", "cancelled"]),
                name="delegation_status_known",
                violation_error_code="invalid_choice",
                violation_error_message=_("A delegation is planned, held or cancelled."),
            ),
        ]

    def __str__(self) -> str:
        label = self.title or self.country.name  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
        return f"{label} ({self.start_date})"


# --- outcomes of training: follow-up surveys --------------------------------------------------

# The answers each way of feeding an indicator reads.
FEED_KINDS = {
    OutcomeFeed.COUNT_YES: (QuestionKind.APPLIED, QuestionKind.YES_NO),
    OutcomeFeed.COUNT_YES_OR_PARTLY: (QuestionKind.APPLIED,),
    OutcomeFeed.SUM: (QuestionKind.NUMBER,),
}


class FollowUpSurvey(TimeStampedModel):
    """Questions put to the trainees of a course a set number of months after it ended."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="follow_up_surveys"
    )
    months_after = models.PositiveSmallIntegerField(
        _("months after the course"),
        validators=[MinValueValidator(1)],
        help_text=_("The invitations go out this many months after the course ends."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["course", "months_after"]
        verbose_name = _("follow-up survey")
        verbose_name_plural = _("follow-up surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "months_after"],
                name="follow_up_survey_once_per_delay",
                violation_error_code="duplicate",
                violation_error_message=_("This course already has a survey at this many months."),
            ),
            models.CheckConstraint(
                condition=Q(months_after__gte=1),
                name="follow_up_survey_after_the_course",
                violation_error_code="months_after",
                violation_error_message=_("A follow-up survey comes at least one month after the course."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(course)s after %(months)s months") % {"course": self.course.code, "months": self.months_after}


class SurveyQuestion(models.Model):
    """One question of a survey; an answerable one may feed an outcome indicator."""

    survey = models.ForeignKey(
        FollowUpSurvey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.CharField(_("question"), max_length=300)
    text_ja = models.CharField(_("question (Japanese)"), max_length=300, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=16, choices=QuestionKind.choices)
    indicator = models.ForeignKey(
        "programs.Indicator",
        verbose_name=_("outcome indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_questions",
        help_text=_("A program or project indicator the answers feed."),
    )
    feed = models.CharField(_("how the answers feed it"), max_length=24, choices=OutcomeFeed.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "position", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(indicator__isnull=True, feed="") | (Q(indicator__isnull=False) & ~Q(feed="")),
                name="survey_question_indicator_with_feed",
                violation_error_code="feed",
                violation_error_message=_(
                    "A question linked to an indicator says how its answers feed it, and only then."
                ),
            ),
            models.CheckConstraint(
                condition=Q(feed="")
                | Q(feed=OutcomeFeed.COUNT_YES, kind__in=FEED_KINDS[OutcomeFeed.COUNT_YES])
                | Q(feed=OutcomeFeed.COUNT_YES_OR_PARTLY, kind__in=FEED_KINDS[OutcomeFeed.COUNT_YES_OR_PARTLY])
                | Q(feed=OutcomeFeed.SUM, kind__in=FEED_KINDS[OutcomeFeed.SUM]),
                name="survey_question_feed_fits_kind",
                violation_error_code="feed_kind",
                violation_error_message=_("Counting yes needs a yes/no question; a sum needs a number."),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyInvitation(TimeStampedModel):
    """A trainee asked once to answer a survey, through a link that works once and expires.

    The link's token is signed from the invitation's id, so nothing secret is stored and
    the e-mail can be written again by a redelivered task.
    """

    survey = models.ForeignKey(
        FollowUpSurvey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitations"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="survey_invitations"
    )
    email = models.EmailField(_("sent to"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    expires_at = models.DateTimeField(_("expires at"))
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "enrollment"],
                name="survey_invitation_once_per_trainee",
                violation_error_code="duplicate",
                violation_error_message=_("This trainee is already invited to this survey."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} – {self.enrollment.trainee}"


class SurveyAnswer(models.Model):
    invitation = models.ForeignKey(
        SurveyInvitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        SurveyQuestion, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    choice = models.CharField(_("answer"), max_length=8, choices=Applied.choices, blank=True)
    number = models.DecimalField(
        _("number"), max_digits=16, decimal_places=4, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["invitation", "question"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "question"],
                name="survey_answer_once_per_question",
                violation_error_code="duplicate",
                violation_error_message=_("This question is already answered."),
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0),
                name="survey_answer_number_not_negative",
                violation_error_code="negative",
                violation_error_message=_("The number cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.choice or self.number or self.text}"
