"""A deployment: one expert abroad for one period, with its checklist, check-ins and history."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from cooperation.access import RestrictedQuerySet
from cooperation.db import DateRange
from cooperation.models import Organization, TimeStampedModel
from cooperation.workflow import StatusChange
from programs.models import Project, program_scope

from ..choices import CheckInStatus, ChecklistKind, DeploymentKind, DeploymentStatus, Term
from .roster import Expert

# Both ends of a planned period are days abroad: 1 April 2012 – 31 March 2013 is 365 days.
LONG_TERM_DAYS = 365
# From this travel advisory level (Japan's MOFA scale 1–4) a deployment needs an approval.
APPROVAL_ADVISORY_LEVEL = 3
# Statuses in which the expert has actually left.
WENT_ABROAD = (DeploymentStatus.DEPLOYED, DeploymentStatus.RETURNED, DeploymentStatus.CLOSED)
FINISHED = (DeploymentStatus.RETURNED, DeploymentStatus.CLOSED)
# Statuses before departure: the deployment is planned, and has no actual dates yet.
NOT_YET_DEPARTED = (DeploymentStatus.REQUESTED, DeploymentStatus.NOMINATED, DeploymentStatus.PREPARING)
# Kinds whose members go as a team under a mission.
RELIEF_KINDS = (DeploymentKind.DISASTER_RELIEF, DeploymentKind.CIVILIAN_POLICE)


class DaysBetween(Func):
    """`end - start` in whole days (PostgreSQL subtracts dates to an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()


def effective_start(prefix: str = "") -> Coalesce:
    """When the deployment begins: the actual date once known, the planned one before."""
    return Coalesce(F(f"{prefix}actual_start"), F(f"{prefix}planned_start"))


def effective_end(prefix: str = "") -> Coalesce:
    return Coalesce(F(f"{prefix}actual_end"), F(f"{prefix}planned_end"))


class DeploymentQuerySet(RestrictedQuerySet):
    def not_cancelled(self) -> DeploymentQuerySet:
        return self.exclude(status=DeploymentStatus.CANCELLED)

    def with_effective_dates(self) -> DeploymentQuerySet:
        return self.annotate(effective_start=effective_start(), effective_end=effective_end())

    def overlapping(self, start: date, end: date) -> DeploymentQuerySet:
        """Deployments (cancelled ones aside) whose days meet the period `start`–`end`."""
        return self.not_cancelled().filter(
            GreaterThanOrEqual(effective_end(), start), GreaterThanOrEqual(Value(end), effective_start())
        )


class Deployment(TimeStampedModel):
    expert = models.ForeignKey(
        Expert,
        verbose_name=_("expert"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deployments",
        help_text=_("Empty while the request waits for a nomination."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DeploymentKind.choices)
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deployments",
    )
    host_organization = models.ForeignKey(
        Organization,
        verbose_name=_("host organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_deployments",
        help_text=_("For a secondment: the international organization the expert joins."),
    )
    mission = models.ForeignKey(
        "dispatch.Mission",
        verbose_name=_("mission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    requesting_organization = models.ForeignKey(
        Organization,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requested_deployments",
    )
    country = CountryField(_("duty country"))
    city = models.CharField(_("duty city"), max_length=120, blank=True)
    post = models.CharField(
        _("post"),
        max_length=300,
        blank=True,
        help_text=_("e.g. Policy Advisor to the Chief of Indonesian National Police"),
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    term = models.GeneratedField(
        expression=Case(
            When(
                GreaterThanOrEqual(DaysBetween("planned_end", "planned_start"), LONG_TERM_DAYS - 1), then=Value("long")
            ),
            default=Value("short"),
        ),
        output_field=models.CharField(_("term"), max_length=5, choices=Term.choices),
        db_persist=True,
        # The output field's name and choices stay inside the expression; the admin reads the field's own.
        verbose_name=_("term"),
        choices=Term.choices,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeploymentStatus.choices, default=DeploymentStatus.REQUESTED, editable=False
    )
    travel_advisory_level = models.PositiveSmallIntegerField(
        _("travel advisory level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("The destination's level on the Foreign Ministry's 1–4 scale; empty when none is issued."),
    )
    language_training_required = models.BooleanField(_("language training required"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    completion_report = models.TextField(_("completion report"), blank=True, editable=False)
    recognition = models.CharField(
        _("recognition"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("The honour or commendation the contribution earned."),
    )
    notes = models.TextField(_("notes"), blank=True)
    retrospective = models.BooleanField(
        _("recorded retrospectively"),
        default=False,
        db_default=False,
        editable=False,
        help_text=_("Recorded after the fact in its final state, without the pre-departure steps."),
    )

    objects = DeploymentQuerySet.as_manager()  # type: ignore[misc]  # replaces the restricted manager with a richer one
    history = HistoricalRecords()

    class Meta:
        ordering = ["-planned_start", "pk"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        indexes = [
            models.Index(fields=["kind", "status"], name="deployment_kind_status_idx"),
            # The API's default order, newest first: a page of 100 is read from the index
            # instead of sorting every deployment a partner may see.
            models.Index(F("planned_start").desc(), "id", name="deployment_planned_start_idx"),
            # Every "experts dispatched" figure filters technical cooperation by its effective end.
            models.Index(
                Coalesce("actual_end", "planned_end"),
                name="deployment_tc_end_idx",
                condition=Q(kind=DeploymentKind.TECHNICAL_COOPERATION, expert__isnull=False)
                & ~Q(status=DeploymentStatus.CANCELLED),
            ),
        ]
        constraints = [
            ExclusionConstraint(
                name="deployment_no_overlap_per_expert",
                index_type="gist",
                expressions=[
                    ("expert", RangeOperators.EQUAL),
                    (DateRange(effective_start(), effective_end(), Value("[]")), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status=DeploymentStatus.CANCELLED),
                violation_error_code="overlap",
                violation_error_message=_("The expert already holds a deployment in these dates."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=DeploymentKind.TECHNICAL_COOPERATION) | Q(project__isnull=False),
                name="deployment_technical_cooperation_needs_project",
                violation_error_code="project_required",
                violation_error_message=_("A technical-cooperation deployment belongs to a project."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=DeploymentKind.SECONDMENT) | Q(host_organization__isnull=False),
                name="deployment_secondment_needs_host",
                violation_error_code="host_organization_required",
                violation_error_message=_("A secondment names its host organization."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RELIEF_KINDS, mission__isnull=False)
                | (~Q(kind__in=RELIEF_KINDS) & Q(mission__isnull=True)),
                name="deployment_mission_for_relief_and_police",
                violation_error_code="mission",
                violation_error_message=_(
                    "Disaster-relief and civilian-police deployments belong to a mission; other kinds do not."
                ),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")),
                name="deployment_planned_end_not_before_start",
                violation_error_code="date_order",
                violation_error_message=_("The planned end cannot be before the planned start."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | Q(actual_start__isnull=False, actual_end__gte=F("actual_start")),
                name="deployment_actual_end_not_before_start",
                violation_error_code="date_order",
                violation_error_message=_("The actual end needs an actual start on or before it."),
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(effective_end(), effective_start()),
                name="deployment_effective_period_in_order",
                violation_error_code="date_order",
                violation_error_message=_("The deployment would end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(expert__isnull=False)
                | Q(status__in=[DeploymentStatus.REQUESTED, DeploymentStatus.CANCELLED]),
                name="deployment_expert_from_nomination",
                violation_error_code="expert_required",
                violation_error_message=_("From nomination on, a deployment names its expert."),
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=False) | ~Q(status__in=WENT_ABROAD),
                name="deployment_departure_recorded",
                violation_error_code="actual_start_required",
                violation_error_message=_("A deployment that went abroad has an actual start."),
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True, actual_end__isnull=True) | ~Q(status__in=NOT_YET_DEPARTED),
                name="deployment_no_actual_dates_before_departure",
                violation_error_code="actual_dates_before_departure",
                violation_error_message=_("A deployment that has not departed has no actual dates."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=False) | ~Q(status__in=FINISHED),
                name="deployment_return_recorded",
                violation_error_code="actual_end_required",
                violation_error_message=_("A deployment that came back has an actual end."),
            ),
            models.CheckConstraint(
                condition=Q(retrospective=False) | Q(status__in=FINISHED),
                name="deployment_retrospective_is_finished",
                violation_error_code="retrospective_not_finished",
                violation_error_message=_("A deployment recorded retrospectively has returned."),
            ),
            models.CheckConstraint(
                condition=Q(travel_advisory_level__isnull=True)
                | Q(travel_advisory_level__gte=1, travel_advisory_level__lte=4),
                name="deployment_travel_advisory_1_to_4",
                violation_error_code="travel_advisory_level",
                violation_error_message=_("A travel advisory level lies between 1 and 4."),
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True, approved_by__isnull=True)
                | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="deployment_approval_names_who_and_when",
                violation_error_code="approval",
                violation_error_message=_("An approval records both who gave it and when."),
            ),
        ]

    def __str__(self) -> str:
        who = self.expert.family_name.upper() if self.expert is not None else _("unassigned")
        what = self.post or self.get_kind_display()
        dates = f"{self.planned_start or '?'} – {self.planned_end or '?'}"
        return f"#{self.pk or '–'} {who}: {what} ({self.country}, {dates})"

    @classmethod
    def partner_scope(cls, organization) -> Q:
        """Deployments on the partner's projects, and secondments it hosts.

        The projects are named by their ids (`project_id IN (…)`), not reached through
        a join to their program, so a partner's count reads the deployments table alone.
        """
        projects = Project.objects.filter(program_scope(organization)).values("pk")
        return Q(project__in=projects) | Q(host_organization=organization)

    # --- periods ------------------------------------------------------------------------

    @property
    def period_start(self) -> date | None:
        return self.actual_start or self.planned_start

    @property
    def period_end(self) -> date | None:
        return self.actual_end or self.planned_end

    @property
    def needs_approval(self) -> bool:
        return (self.travel_advisory_level or 0) >= APPROVAL_ADVISORY_LEVEL

    def conflicting_deployments(self) -> DeploymentQuerySet:
        """Other live deployments of the same expert whose days meet this one's."""
        if not self.expert_id or self.period_start is None or self.period_end is None:
            return Deployment.objects.none()
        found = Deployment.objects.filter(expert_id=self.expert_id).overlapping(self.period_start, self.period_end)
        if self.pk is not None:
            found = found.exclude(pk=self.pk)
        return found.order_by("planned_start", "pk")

    def overlap_error(self, conflict: Deployment) -> ValidationError:
        return ValidationError(
            {
                "expert": ValidationError(
                    _(
                        "%(expert)s already holds deployment #%(id)s (%(post)s, %(country)s, %(start)s – %(end)s, "
                        "%(status)s), which overlaps these dates."
                    ),
                    code="overlap",
                    params={
                        "expert": self.expert,
                        "id": conflict.pk,
                        "post": conflict.post or conflict.get_kind_display(),
                        "country": conflict.country.name,  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
                        "start": conflict.period_start.isoformat(),  # type: ignore[union-attr]  # a conflict overlaps: it has both
                        "end": conflict.period_end.isoformat(),  # type: ignore[union-attr]  # likewise
                        "status": conflict.get_status_display(),
                    },
                )
            }
        )

    # --- validation ---------------------------------------------------------------------

    def validate_constraints(self, exclude=None):
        # Forms leave out the status (it moves only by transition), but the overlap rule's
        # condition reads it; the instance always carries its real status, so use it.
        try:
            super().validate_constraints(exclude=set(exclude or ()) - {"status"})
        except ValidationError as exc:
            # A rival's overlapping row can commit between clean() and this check: report
            # it on the expert, naming the rival, as clean() does.
            errors = exc.update_error_dict({})
            general = errors.pop(NON_FIELD_ERRORS, [])
            if any(error.code == "overlap" for error in general):
                general = [error for error in general if error.code != "overlap"]
                conflict = self.conflicting_deployments().first()
                named = (
                    self.overlap_error(conflict)
                    if conflict
                    else ValidationError(
                        {
                            "expert": ValidationError(
                                _("The expert already holds a deployment in these dates."), code="overlap"
                            )
                        }
                    )
                )
                errors.setdefault("expert", []).extend(named.error_dict["expert"])
            if general:
                errors[NON_FIELD_ERRORS] = general
            raise ValidationError(errors) from None

    def clean(self) -> None:
        """Field-level messages for the rules the constraints also hold in SQL."""
        errors: dict[str, list[ValidationError]] = {}

        def add(field: str, message, code: str) -> None:
            errors.setdefault(field, []).append(ValidationError(message, code=code))

        relief = self.kind in RELIEF_KINDS
        if self.kind == DeploymentKind.TECHNICAL_COOPERATION and not self.project_id:
            add("project", _("A technical-cooperation deployment belongs to a project."), "project_required")
        if self.kind == DeploymentKind.SECONDMENT and not self.host_organization_id:
            add("host_organization", _("A secondment names its host organization."), "host_organization_required")
        if relief and not self.mission_id:
            add("mission", _("This kind of deployment belongs to a mission."), "mission_required")
        if not relief and self.mission_id:
            add("mission", _("Only disaster-relief and civilian-police deployments join a mission."), "mission")
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            add("planned_end", _("The planned end cannot be before the planned start."), "date_order")
        if self.status in NOT_YET_DEPARTED and (self.actual_start or self.actual_end):
            # Actual dates are what happened: they are written by the departure and the return.
            message = _("The deployment has not departed yet; its actual dates are recorded on departure and return.")
            for field in ("actual_start", "actual_end"):
                if getattr(self, field):
                    add(field, message, "actual_dates_before_departure")
        elif self.actual_end and not self.actual_start:
            add("actual_start", _("Give the actual start before the actual end."), "date_order")
        elif self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            add("actual_end", _("The actual end cannot be before the actual start."), "date_order")
        elif self.actual_start and not self.actual_end and self.planned_end and self.actual_start > self.planned_end:
            add("actual_start", _("The actual start lies after the planned end; move the planned dates."), "date_order")
        if errors:
            raise ValidationError(errors)
        conflict = self.conflicting_deployments().first()
        if conflict is not None:
            raise self.overlap_error(conflict)


class DeploymentStatusChange(StatusChange):
    states = DeploymentStatus
    deployment = models.ForeignKey(
        Deployment, verbose_name=_("deployment"), on_delete=models.PROTECT, related_name="status_changes"
    )
    retrospective = models.BooleanField(_("recorded retrospectively"), default=False, db_default=False)

    class Meta(StatusChange.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status history")


class ChecklistItem(models.Model):
    deployment = models.ForeignKey(
        Deployment, verbose_name=_("deployment"), on_delete=models.CASCADE, related_name="checklist"
    )
    kind = models.CharField(_("item"), max_length=32, choices=ChecklistKind.choices)
    required = models.BooleanField(_("required"), default=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["deployment", "kind"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("pre-departure checklist")
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "kind"],
                name="checklist_item_once_per_deployment",
                violation_error_code="duplicate",
                violation_error_message=_("This item is already on the deployment's checklist."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class SafetyCheckIn(models.Model):
    deployment = models.ForeignKey(
        Deployment, verbose_name=_("deployment"), on_delete=models.CASCADE, related_name="check_ins"
    )
    at = models.DateTimeField(_("at"))
    status = models.CharField(_("status"), max_length=16, choices=CheckInStatus.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["deployment", "-at", "pk"]
        verbose_name = _("safety check-in")
        verbose_name_plural = _("safety check-ins")
        indexes = [models.Index(fields=["deployment", "-at"], name="checkin_latest_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_status_display()}"
