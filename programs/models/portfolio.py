"""The cooperation portfolio: programs, their projects, sites, money, results and events."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from cooperation.archive import Archivable, archived_together
from cooperation.db import end_not_before_start, related_or_none
from cooperation.models import (
    CooperationField,
    Organization,
    Region,
    TimeStampedModel,
    slug_code,
    validate_country_codes,
)
from cooperation.periods import fiscal_year_name

from ..choices import Aggregation, Direction, PeriodKind, Publication, Status, StrategicGoal


def completed_has_end(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(status=Status.COMPLETED) | Q(end_date__isnull=False),
        name=f"{prefix}_completed_has_end",
        violation_error_code="completed_without_end",
        violation_error_message=_("A completed record needs its end date."),
    )


def optional_code_unique(prefix: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["code"],
        condition=~Q(code=""),
        name=f"{prefix}_code_unique",
        violation_error_code="duplicate",
        violation_error_message=_("Another record already uses this code."),
    )


class Publishable(models.Model):
    """A record that staff submit for review and a second staff member publishes.

    Nothing is public unless `publication` is "published", and the database refuses a
    published row that lacks its reviewer or was reviewed by the one who submitted it.
    """

    publication = models.CharField(
        _("publication"), max_length=16, choices=Publication.choices, default=Publication.DRAFT, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted for review by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.publication == Publication.PUBLISHED


def published_after_review(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(publication=Publication.PUBLISHED)
        | Q(
            submitted_by__isnull=False,
            reviewed_by__isnull=False,
            reviewed_at__isnull=False,
        )
        & ~Q(reviewed_by=F("submitted_by")),
        name=f"{prefix}_published_after_review",
        violation_error_code="not_reviewed",
        violation_error_message=_(
            "A record is published only after another staff member than its submitter reviewed it."
        ),
    )


class Program(Archivable, TimeStampedModel, Publishable):  # type: ignore[misc]  # Archivable's manager restricts too and comes first on purpose
    class Kind(models.TextChoices):
        TECHNICAL_COOPERATION = "technical_cooperation", _("Technical cooperation")
        REFORM_SUPPORT = "reform_support", _("Comprehensive police reform support")
        THIRD_COUNTRY_TRAINING = "third_country_training", _("Training in a third country")
        INTERNATIONAL_ORGANIZATION = "international_organization", _("Through an international organization")
        BILATERAL = "bilateral", _("Bilateral police cooperation")

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.TECHNICAL_COOPERATION)
    country = CountryField(_("country"), blank=True, help_text=_("Empty for a regional program."))
    counterpart = models.ForeignKey(
        Organization,
        verbose_name=_("counterpart"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="counterpart_programs",
    )
    partners = models.ManyToManyField(
        Organization, through="ProgramPartner", related_name="partner_programs", verbose_name=_("partners")
    )
    fields = models.ManyToManyField(CooperationField, blank=True, related_name="programs", verbose_name=_("fields"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Empty while ongoing."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    objectives = models.TextField(_("objectives"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    strategic_goals = ArrayField(
        models.CharField(max_length=32, choices=StrategicGoal.choices),
        verbose_name=_("UNODC strategic goals"),
        default=list,
        blank=True,
    )
    priority_regions = models.ManyToManyField(
        Region, blank=True, related_name="programs", verbose_name=_("priority regions")
    )

    history = HistoricalRecords(m2m_fields=[fields, priority_regions])

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            end_not_before_start("program"),
            completed_has_end("program"),
            published_after_review("program"),
            archived_together("program"),
        ]
        permissions = [("review_program", _("Can review and publish programs"))]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self):
        super().clean()
        if self.pk is None or self.start_date is None:
            return
        # Projects keep their own dates: the program cannot be shortened past them.
        errors = {}
        early = self.projects.filter(start_date__lt=self.start_date)
        if codes := list(early.order_by("code").values_list("code", flat=True)[:5]):
            errors["start_date"] = ValidationError(
                _("Projects %(codes)s start before this date; change their dates first.") % {"codes": ", ".join(codes)},
                code="project_outside_program",
            )
        if self.end_date is not None:
            late = self.projects.filter(Q(end_date__isnull=True) | Q(end_date__gt=self.end_date))
            if codes := list(late.order_by("code").values_list("code", flat=True)[:5]):
                errors["end_date"] = ValidationError(
                    _("Projects %(codes)s run past this date; change their dates first.") % {"codes": ", ".join(codes)},
                    code="project_outside_program",
                )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def partner_scope(cls, organization) -> Q:
        """Programs the organization takes part in: as counterpart or in any role."""
        takes_part = ProgramPartner.objects.filter(program=OuterRef("pk"), organization=organization)
        return Q(counterpart=organization) | Q(Exists(takes_part))


class ProgramPartner(models.Model):
    class Role(models.TextChoices):
        FUNDING = "funding", _("Funding")
        IMPLEMENTING = "implementing", _("Implementing")
        COUNTERPART = "counterpart", _("Counterpart")
        INTERNATIONAL_PARTNER = "international_partner", _("International partner")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="partnerships")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "role", "organization"]
        verbose_name = _("program partner")
        verbose_name_plural = _("program partners")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "organization", "role"],
                name="program_partner_unique_role",
                violation_error_code="duplicate",
                violation_error_message=_("This organization already has this role in the program."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


def program_scope(organization, path: str = "program") -> Q:
    """Rows whose program (reached by `path`) the organization takes part in."""
    visible = Program.objects.filter(Program.partner_scope(organization)).values("pk")
    return Q(**{f"{path}__in": visible})


class Project(TimeStampedModel, Publishable):
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("code"), max_length=40, unique=True, help_text=_("e.g. the JICA project number"))
    title = models.CharField(_("title"), max_length=300)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    country = CountryField(_("country"), blank=True)
    counterpart = models.ForeignKey(
        Organization,
        verbose_name=_("counterpart"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="counterpart_projects",
    )
    fields = models.ManyToManyField(CooperationField, blank=True, related_name="projects", verbose_name=_("fields"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    description = models.TextField(_("description"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)

    history = HistoricalRecords(m2m_fields=[fields])

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            end_not_before_start("project"),
            completed_has_end("project"),
            published_after_review("project"),
        ]
        permissions = [("review_project", _("Can review and publish projects"))]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self):
        super().clean()
        program = related_or_none(self, "program")
        if program is None or self.start_date is None:
            return
        errors = {}
        if program.start_date and self.start_date < program.start_date:
            errors["start_date"] = ValidationError(
                _("The project cannot start before its program (%(start)s).") % {"start": program.start_date},
                code="outside_program",
            )
        if program.end_date is not None and (self.end_date is None or self.end_date > program.end_date):
            errors["end_date"] = ValidationError(
                _("The project must end by the end of its program (%(end)s).") % {"end": program.end_date},
                code="outside_program",
            )
        if self.pk is not None and self.fundings.exclude(program=program).exists():
            errors["program"] = ValidationError(
                _("Funding of this project is booked on its current program; move the funding first."),
                code="funding_on_other_program",
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return program_scope(organization) | Q(counterpart=organization)


class Site(TimeStampedModel):
    class Kind(models.TextChoices):
        MODEL_POLICE_STATION = "model_police_station", _("Model police station")
        KOBAN = "koban", _("Koban / police box")
        TRAINING_CENTER = "training_center", _("Training center or academy")
        FORENSIC_LABORATORY = "forensic_laboratory", _("Forensic laboratory")
        COMMAND_CENTER = "command_center", _("Communications command center")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=60, blank=True, validators=[slug_code])
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    projects = models.ManyToManyField(Project, blank=True, related_name="sites", verbose_name=_("projects"))
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            optional_code_unique("site"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="site_latitude_range",
                violation_error_code="latitude",
                violation_error_message=_("Latitude lies between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="site_longitude_range",
                violation_error_code="longitude",
                violation_error_message=_("Longitude lies between -180 and 180."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def partner_scope(cls, organization) -> Q:
        visible = Project.objects.filter(Project.partner_scope(organization)).values("pk")
        return Q(Exists(Site.projects.through.objects.filter(site=OuterRef("pk"), project__in=visible)))


class Funding(TimeStampedModel):
    """Money for a program or one of its projects in one Japanese fiscal year."""

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="fundings")
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE, related_name="fundings"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("funding organization"), on_delete=models.PROTECT, related_name="fundings"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), help_text=_("Japanese fiscal year: 2012 runs from April 2012 to March 2013.")
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["fiscal_year", "pk"]
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="funding_amount_not_negative",
                violation_error_code="negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=1950, fiscal_year__lte=2100),
                name="funding_fiscal_year_range",
                violation_error_code="fiscal_year",
                violation_error_message=_("Give a fiscal year between 1950 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="funding_currency_iso",
                violation_error_code="currency",
                violation_error_message=_("Give an ISO 4217 currency code such as JPY or USD."),
            ),
        ]

    def __str__(self) -> str:
        return f"{fiscal_year_name(self.fiscal_year)} {self.amount} {self.currency}"

    def clean(self):
        super().clean()
        project = related_or_none(self, "project")
        program = related_or_none(self, "program")
        if project is not None and program is not None and project.program_id != program.pk:
            raise ValidationError(
                {
                    "project": ValidationError(
                        _("The project %(project)s belongs to another program.") % {"project": project.code},
                        code="project_of_other_program",
                    )
                }
            )

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return program_scope(organization)


class Indicator(TimeStampedModel):
    """A result measured on a project, or on a program (where its projects' indicators
    linked to it through `parent` roll up). Baseline and target are the overall ones;
    the targets and values per period live in `periods` (programs.models.results)."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        help_text=_("For a program-level indicator; a project indicator leaves it empty."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("program indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The program-level indicator this project indicator rolls up to."),
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices, default=Direction.HIGHER)
    period_kind = models.CharField(
        _("reporting periods"), max_length=16, choices=PeriodKind.choices, default=PeriodKind.QUARTERLY
    )
    name = models.CharField(_("name"), max_length=300)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    baseline_value = models.DecimalField(_("baseline"), max_digits=16, decimal_places=4)
    baseline_date = models.DateField(_("baseline date"))
    target_value = models.DecimalField(_("target"), max_digits=16, decimal_places=4)
    target_date = models.DateField(_("target date"))
    description = models.TextField(_("description"), blank=True)
    internal = models.BooleanField(
        _("internal"), default=False, help_text=_("Kept off the public pages and the IATI file.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, program__isnull=True)
                | Q(project__isnull=True, program__isnull=False),
                name="indicator_on_project_or_program",
                violation_error_code="level",
                violation_error_message=_("An indicator belongs either to a project or to a program."),
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(project__isnull=False),
                name="indicator_parent_only_on_project",
                violation_error_code="parent_level",
                violation_error_message=_("Only a project indicator rolls up to a program indicator."),
            ),
            models.CheckConstraint(
                condition=Q(target_date__gte=F("baseline_date")),
                name="indicator_target_not_before_baseline",
                violation_error_code="date_order",
                violation_error_message=_("The target date cannot be before the baseline date."),
            ),
            models.CheckConstraint(
                condition=~Q(target_value=F("baseline_value")),
                name="indicator_target_differs_from_baseline",
                violation_error_code="target_equals_baseline",
                violation_error_message=_("The target must differ from the baseline."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        self._clean_parent()
        if self.pk is None or self.baseline_date is None:
            return
        earliest = self.measurements.filter(period_end__lt=self.baseline_date).order_by("period_end").first()
        if earliest is not None:
            raise ValidationError(
                {
                    "baseline_date": ValidationError(
                        _("A value for the period ending %(date)s is recorded; the baseline cannot be later.")
                        % {"date": earliest.period_end},
                        code="measurement_before_baseline",
                    )
                }
            )

    def _clean_parent(self) -> None:
        parent = related_or_none(self, "parent")
        project = related_or_none(self, "project")
        if parent is None or project is None:
            return
        if parent.program_id is None or parent.program_id != project.program_id:
            raise ValidationError(
                {
                    "parent": ValidationError(
                        _("Link to an indicator of this project's own program (%(program)s).")
                        % {"program": project.program.code},
                        code="parent_of_other_program",
                    )
                }
            )

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return program_scope(organization, "project__program") | program_scope(organization, "program")


class Measurement(TimeStampedModel):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="measurements"
    )
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        Organization, verbose_name=_("reported by"), null=True, blank=True, on_delete=models.PROTECT
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "period_end"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"],
                name="measurement_one_per_period",
                violation_error_code="duplicate",
                violation_error_message=_("This indicator already has a value for this period."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.period_end})"

    def clean(self):
        super().clean()
        indicator = related_or_none(self, "indicator")
        if indicator is None or self.period_end is None or indicator.baseline_date is None:
            return
        if self.period_end < indicator.baseline_date:
            raise ValidationError(
                {
                    "period_end": ValidationError(
                        _("The period cannot end before the indicator's baseline date (%(date)s).")
                        % {"date": indicator.baseline_date},
                        code="before_baseline",
                    )
                }
            )

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return program_scope(organization, "indicator__project__program")


class Event(TimeStampedModel):
    """A conference or meeting the agency hosts (ADEC, the liaison meetings…)."""

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conference")
        LIAISON_MEETING = "liaison_meeting", _("Liaison meeting")
        EXPERT_MEETING = "expert_meeting", _("Specialist group meeting")
        SEMINAR = "seminar", _("Seminar")
        DIALOGUE = "dialogue", _("Policy dialogue")

    code = models.CharField(_("code"), max_length=60, blank=True, validators=[slug_code])
    name = models.CharField(_("name"), max_length=300)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    program = models.ForeignKey(
        Program, verbose_name=_("program"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    # Empty when the source names the event without its dates.
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    country = CountryField(_("country"), default="JP")
    participating_countries = ArrayField(
        models.CharField(max_length=2),
        verbose_name=_("participating countries"),
        default=list,
        blank=True,
        validators=[validate_country_codes],
    )
    participant_count = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    fields = models.ManyToManyField(CooperationField, blank=True, related_name="events", verbose_name=_("fields"))
    organizers = models.ManyToManyField(
        Organization, blank=True, related_name="organized_events", verbose_name=_("organizers")
    )

    history = HistoricalRecords(m2m_fields=[fields, organizers])

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            end_not_before_start("event"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=False),
                name="event_end_needs_start",
                violation_error_code="end_without_start",
                violation_error_message=_("Give the start date together with the end date."),
            ),
            optional_code_unique("event"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date:%Y})" if self.start_date else self.name

    @classmethod
    def partner_scope(cls, organization) -> Q:
        """Events the organization helped organize, or held under one of its programs."""
        organized = Event.organizers.through.objects.filter(event=OuterRef("pk"), organization=organization)
        return Q(Exists(organized)) | program_scope(organization)
