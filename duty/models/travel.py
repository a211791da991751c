"""Short official trips abroad that no deployment records: site visits, escorts, conferences."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from cooperation.models import TimeStampedModel
from dispatch.models import Expert
from trainees.models import CourseVisit


class OfficialTravel(TimeStampedModel):
    class Purpose(models.TextChoices):
        COURSE_SITE_VISIT = "course_site_visit", _("Course site visit")
        DELEGATION_ESCORT = "delegation_escort", _("Escorting a delegation")
        CONFERENCE = "conference", _("Conference or meeting")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DEPARTED = "departed", _("Departed")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    traveller = models.ForeignKey(
        Expert, verbose_name=_("traveller"), on_delete=models.PROTECT, related_name="official_travels"
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    departure_on = models.DateField(_("departure"))
    return_on = models.DateField(_("return"), help_text=_("Planned, then actual return date."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    course_visit = models.ForeignKey(
        CourseVisit,
        verbose_name=_("course site visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="official_travels",
        help_text=_("The course site visit this trip is, if it is one."),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-departure_on", "pk"]
        verbose_name = _("official travel")
        verbose_name_plural = _("official travels")
        indexes = [models.Index(fields=["departure_on", "return_on"], name="travel_dates_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(return_on__gte=F("departure_on")),
                name="official_travel_return_not_before_departure",
                violation_error_code="date_order",
                violation_error_message=_("The return cannot be before the departure."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="official_travel_latitude_range",
                violation_error_code="latitude",
                violation_error_message=_("Latitude lies between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="official_travel_longitude_range",
                violation_error_code="longitude",
                violation_error_message=_("Longitude lies between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="official_travel_coordinates_together",
                violation_error_code="coordinates",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.traveller}: {self.get_purpose_display()} ({self.country}, {self.departure_on} – {self.return_on})"
        )
