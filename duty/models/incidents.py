"""Incidents abroad and their roll calls: who was in the area, and who has been reached."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.models import HistoricalRecords

from cooperation.models import TimeStampedModel
from cooperation.workflow import StatusChange
from dispatch.models import Expert

# The largest circle an area may be: half the Earth's circumference.
MAX_RADIUS_KM = 20000
# Incidents are dated in the modern calendar: earlier times have offsets (local mean time,
# +09:18:59 in Tokyo) that no ISO 8601 reader accepts.
EARLIEST_OCCURRENCE = datetime(1900, 1, 1, tzinfo=UTC)


class IncidentKind(models.TextChoices):
    EARTHQUAKE = "earthquake", _("Earthquake")
    TSUNAMI = "tsunami", _("Tsunami")
    FLOOD = "flood", _("Flood")
    STORM = "storm", _("Storm")
    UNREST = "unrest", _("Civil unrest")
    ATTACK = "attack", _("Attack")
    OTHER = "other", _("Other")


class IncidentSource(models.TextChoices):
    MANUAL = "manual", _("Recorded by staff")
    CAP = "cap", _("CAP alert")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RollCallStatus(models.TextChoices):
    UNACCOUNTED = "unaccounted", _("Unaccounted for")
    SAFE = "safe", _("Safe")
    NOT_REACHED = "not_reached", _("Not reached")
    NEEDS_HELP = "needs_help", _("Needs help")


# An official is accounted for once someone has spoken to them: safe, or known to need help.
ACCOUNTED_FOR = (RollCallStatus.SAFE, RollCallStatus.NEEDS_HELP)


class Incident(TimeStampedModel):
    """Something that happened abroad where officials of ours may be.

    The area is one or more countries, a circle (point and radius), or both; when a
    circle is given it decides who is in the area (see duty.services.incidents).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    countries = ArrayField(
        models.CharField(max_length=2, choices=list(countries)),
        verbose_name=_("countries"),
        blank=True,
        default=list,
        help_text=_("ISO 3166 alpha-2 codes, e.g. NP, TR."),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    radius_km = models.DecimalField(_("radius (km)"), max_digits=7, decimal_places=1, null=True, blank=True)
    area_description = models.CharField(_("area description"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=16, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=IncidentSource.choices, default=IncidentSource.MANUAL)
    cap_identifier = models.CharField(_("CAP identifier"), max_length=250, blank=True)
    cap_sender = models.CharField(_("CAP sender"), max_length=250, blank=True)
    cap_sent = models.DateTimeField(_("CAP sent"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    override_reason = models.TextField(_("reason for closing with officials unaccounted for"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_at__gte=EARLIEST_OCCURRENCE),
                name="incident_occurred_since_1900",
                violation_error_code="occurred_at",
                violation_error_message=_("An incident happened in 1900 or later."),
            ),
            models.CheckConstraint(
                condition=~Q(countries=[]) | Q(latitude__isnull=False),
                name="incident_has_an_area",
                violation_error_code="no_area",
                violation_error_message=_("Give the countries of the area, or a point and radius, or both."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True, radius_km__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False, radius_km__isnull=False),
                name="incident_circle_complete",
                violation_error_code="circle_incomplete",
                violation_error_message=_("A circle needs latitude, longitude and radius together."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="incident_point_on_earth",
                violation_error_code="coordinates",
                violation_error_message=_("Latitude lies within ±90 and longitude within ±180."),
            ),
            models.CheckConstraint(
                condition=Q(radius_km__isnull=True) | Q(radius_km__gt=0, radius_km__lte=MAX_RADIUS_KM),
                name="incident_radius_range",
                violation_error_code="radius",
                violation_error_message=_("The radius is more than 0 and at most 20,000 km."),
            ),
            models.CheckConstraint(
                condition=Q(source=IncidentSource.MANUAL, cap_identifier="", cap_sender="", cap_sent__isnull=True)
                | (Q(source=IncidentSource.CAP, cap_sent__isnull=False) & ~Q(cap_identifier="") & ~Q(cap_sender="")),
                name="incident_cap_reference_with_cap_source",
                violation_error_code="cap_reference",
                violation_error_message=_(
                    "An incident from a CAP alert keeps its identifier, sender and time sent; "
                    "one recorded by staff has none."
                ),
            ),
            models.UniqueConstraint(
                fields=["cap_sender", "cap_identifier"],
                condition=Q(source=IncidentSource.CAP),
                name="incident_cap_alert_once",
                violation_error_code="duplicate",
                violation_error_message=_("This CAP alert has already been imported."),
            ),
            models.CheckConstraint(
                condition=Q(
                    status=IncidentStatus.OPEN,
                    closed_at__isnull=True,
                    closed_by__isnull=True,
                    closing_note="",
                    override_reason="",
                )
                | Q(status=IncidentStatus.CLOSED, closed_at__isnull=False, closed_by__isnull=False),
                name="incident_closed_with_record",
                violation_error_code="closing_record",
                violation_error_message=_("A closed incident records when and by whom; an open one has no closing."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.occurred_at is not None and self.occurred_at < EARLIEST_OCCURRENCE:
            raise ValidationError(
                {"occurred_at": ValidationError(_("An incident happened in 1900 or later."), code="too_early")}
            )


class RollCallEntry(models.Model):
    """One official present in an incident's area, as found when the incident was opened.

    Where they were (country, place, how we knew) is kept as found then, so the roll call
    reads the same after their travel records change.
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="roll_call"
    )
    expert = models.ForeignKey(Expert, verbose_name=_("official"), on_delete=models.PROTECT, related_name="+")
    presence_source = models.CharField(_("known from"), max_length=32)
    country = models.CharField(_("country"), max_length=2, choices=list(countries))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RollCallStatus.choices, default=RollCallStatus.UNACCOUNTED
    )
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["incident", "country", "expert__family_name", "pk"]
        verbose_name = _("roll call entry")
        verbose_name_plural = _("roll call")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "expert"],
                name="roll_call_entry_once_per_official",
                violation_error_code="duplicate",
                violation_error_message=_("This official is already on the incident's roll call."),
            ),
            models.CheckConstraint(
                condition=Q(status=RollCallStatus.UNACCOUNTED, marked_at__isnull=True, marked_by__isnull=True)
                | (~Q(status=RollCallStatus.UNACCOUNTED) & Q(marked_at__isnull=False, marked_by__isnull=False)),
                name="roll_call_entry_marked_by_someone",
                violation_error_code="marked",
                violation_error_message=_("A status other than unaccounted for records who marked it and when."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} ({self.get_status_display()})"

    @property
    def accounted_for(self) -> bool:
        return self.status in ACCOUNTED_FOR


class RollCallStatusChange(StatusChange):
    states = RollCallStatus
    entry = models.ForeignKey(
        RollCallEntry, verbose_name=_("roll call entry"), on_delete=models.PROTECT, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("roll call mark")
        verbose_name_plural = _("roll call marks")
