"""Results by period: targets and reported values per period, their breakdowns,
their review and the evidence behind them."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from cooperation.db import DateRange, end_not_before_start
from cooperation.models import Organization, TimeStampedModel
from cooperation.workflow import StatusChange

from ..choices import ValueSource, ValueStatus
from .portfolio import Indicator

OPEN_VALUE_STATUSES = (ValueStatus.DRAFT, ValueStatus.SUBMITTED, ValueStatus.RETURNED)


def indicator_scope(organization, path: str = "indicator") -> Q:
    """Rows whose indicator (reached by `path`) the organization may see."""
    visible = Indicator.objects.filter(Indicator.partner_scope(organization)).values("pk")
    return Q(**{f"{path}__in": visible})


class IndicatorPeriod(TimeStampedModel):
    """One reporting period of an indicator (both ends included) with its target."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="periods"
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    locked = models.BooleanField(_("locked"), default=False, help_text=_("A locked period accepts no new values."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "start"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            end_not_before_start("indicator_period", "start", "end"),
            ExclusionConstraint(
                name="indicator_period_no_overlap",
                index_type="gist",
                expressions=[
                    ("indicator", RangeOperators.EQUAL),
                    (DateRange(F("start"), F("end"), Value("[]")), RangeOperators.OVERLAPS),
                ],
                violation_error_code="overlap",
                violation_error_message=_("The indicator already has a period overlapping these dates."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.start} – {self.end}"

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return indicator_scope(organization)


class Disaggregation(TimeStampedModel):
    """A way an indicator's values are broken down: by gender, age group, province, unit…"""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="disaggregations"
    )
    name = models.CharField(_("name"), max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "name"]
        verbose_name = _("disaggregation")
        verbose_name_plural = _("disaggregations")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "name"],
                name="disaggregation_unique_name",
                violation_error_code="duplicate",
                violation_error_message=_("The indicator already has a disaggregation of this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return indicator_scope(organization)


class DisaggregationCategory(TimeStampedModel):
    disaggregation = models.ForeignKey(
        Disaggregation, verbose_name=_("disaggregation"), on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(_("name"), max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["disaggregation", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["disaggregation", "name"],
                name="disaggregation_category_unique_name",
                violation_error_code="duplicate",
                violation_error_message=_("The disaggregation already has a category of this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.disaggregation}: {self.name}"

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return indicator_scope(organization, "disaggregation__indicator")


class PeriodTargetBreakdown(TimeStampedModel):
    """The target of one category in one period (optional)."""

    period = models.ForeignKey(
        IndicatorPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="target_breakdown"
    )
    category = models.ForeignKey(
        DisaggregationCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="period_targets"
    )
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "category"]
        verbose_name = _("target by category")
        verbose_name_plural = _("targets by category")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "category"],
                name="period_target_breakdown_once",
                violation_error_code="duplicate",
                violation_error_message=_("This category already has a target in this period."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.target}"

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return indicator_scope(organization, "period__indicator")


class PeriodValue(TimeStampedModel):
    """A value reported for a period. Partners' values pass the agency's review; only
    approved values count in progress, roll-up, reports and the IATI file."""

    period = models.ForeignKey(
        IndicatorPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ValueStatus.choices, default=ValueStatus.DRAFT, db_index=True
    )
    source = models.CharField(_("source"), max_length=16, choices=ValueSource.choices, default=ValueSource.PARTNER)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("reporting organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="period_values",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "pk"]
        verbose_name = _("period value")
        verbose_name_plural = _("period values")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ValueStatus.RETURNED) | ~Q(return_reason=""),
                name="period_value_returned_with_reason",
                violation_error_code="reason_required",
                violation_error_message=_("A value is returned with a reason."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ValueStatus.APPROVED) | Q(reviewed_at__isnull=False),
                name="period_value_approved_when_reviewed",
                violation_error_code="not_reviewed",
                violation_error_message=_("An approved value records when it was reviewed."),
            ),
            models.CheckConstraint(
                condition=~Q(source=ValueSource.PARTNER) | Q(organization__isnull=False),
                name="period_value_partner_names_organization",
                violation_error_code="organization_required",
                violation_error_message=_("A partner's value names the reporting organization."),
            ),
            # A correction reopens the organization's value; it does not start a second one.
            models.UniqueConstraint(
                fields=["period", "organization"],
                condition=Q(status__in=OPEN_VALUE_STATUSES),
                name="period_value_one_open_per_organization",
                violation_error_code="duplicate",
                violation_error_message=_("Your organization already has a value for this period under review."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.value} ({self.get_status_display()})"

    @property
    def counts(self) -> bool:
        return self.status == ValueStatus.APPROVED

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return indicator_scope(organization, "period__indicator")


class PeriodValueStatusChange(StatusChange):
    """Each step of a value's review: submitted, returned (the reason in `note`), approved."""

    states = ValueStatus
    period_value = models.ForeignKey(
        PeriodValue, verbose_name=_("period value"), on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("review step")
        verbose_name_plural = _("review history")


class PeriodValueBreakdown(TimeStampedModel):
    """The part of a value that falls in one category. When every category of a
    disaggregation is given, the parts add up to the value (a deferred database check)."""

    period_value = models.ForeignKey(
        PeriodValue, verbose_name=_("period value"), on_delete=models.CASCADE, related_name="breakdown"
    )
    category = models.ForeignKey(
        DisaggregationCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="values"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=4)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period_value", "category"]
        verbose_name = _("value by category")
        verbose_name_plural = _("values by category")
        constraints = [
            models.UniqueConstraint(
                fields=["period_value", "category"],
                name="period_value_breakdown_once",
                violation_error_code="duplicate",
                violation_error_message=_("This category already has an amount in this value."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.amount}"

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return indicator_scope(organization, "period_value__period__indicator")


class EvidenceStorage(FileSystemStorage):
    """Files under settings.EVIDENCE_ROOT, read when used (so a changed setting applies);
    they have no URL: a view that checks who asks serves them."""

    @property
    def base_location(self):
        return settings.EVIDENCE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Evidence is served by the evidence view, never by URL.")


def evidence_storage() -> FileSystemStorage:
    return EvidenceStorage()


class PeriodValueEvidence(TimeStampedModel):
    period_value = models.ForeignKey(
        PeriodValue, verbose_name=_("period value"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), storage=evidence_storage, upload_to="evidence/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(pgettext_lazy("evidence file", "type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["period_value", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def partner_scope(cls, organization) -> Q:
        return indicator_scope(organization, "period_value__period__indicator")
