"""Disasters abroad and the teams sent to them; civilian-police (peacekeeping) missions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from cooperation.models import Organization, TimeStampedModel

from ..choices import DisasterKind, MissionKind, MissionStatus, RequestingParty, TeamType


class DisasterEvent(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DisasterKind.choices)
    country = CountryField(_("country"))
    occurred_on = models.DateField(_("occurred on"))
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "name"]
        verbose_name = _("disaster")
        verbose_name_plural = _("disasters")

    def __str__(self) -> str:
        return f"{self.name} ({self.occurred_on:%Y})"


class Mission(TimeStampedModel):
    """A team sent abroad; its members are deployments of the same kind."""

    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=MissionKind.choices)
    team_type = models.CharField(_("team type"), max_length=16, choices=TeamType.choices)
    disaster = models.ForeignKey(
        DisasterEvent,
        verbose_name=_("disaster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="missions",
    )
    country = CountryField(_("country"))
    requesting_party = models.CharField(_("requested by"), max_length=32, choices=RequestingParty.choices)
    requesting_organization = models.ForeignKey(
        Organization,
        verbose_name=_("requesting organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requested_missions",
    )
    requested_on = models.DateField(_("request received on"))
    departure_on = models.DateField(_("departure"), null=True, blank=True)
    return_on = models.DateField(_("return"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MissionStatus.choices, default=MissionStatus.PLANNED)
    police_officers_reported = models.PositiveIntegerField(
        _("police officers (as reported)"),
        null=True,
        blank=True,
        help_text=_("The published number of police members, for missions whose members are not on the roster."),
    )
    persons_rescued = models.PositiveIntegerField(_("persons rescued"), null=True, blank=True)
    victims_identified = models.PositiveIntegerField(_("victims identified"), null=True, blank=True)
    results = models.TextField(_("results"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_on", "name"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=MissionKind.DISASTER_RELIEF) | Q(disaster__isnull=False),
                name="mission_relief_needs_disaster",
                violation_error_code="disaster_required",
                violation_error_message=_("A disaster-relief mission names its disaster."),
            ),
            models.CheckConstraint(
                condition=Q(departure_on__isnull=True) | Q(departure_on__gte=F("requested_on")),
                name="mission_departure_after_request",
                violation_error_code="date_order",
                violation_error_message=_("The departure cannot be before the request."),
            ),
            models.CheckConstraint(
                condition=Q(return_on__isnull=True) | Q(departure_on__isnull=False, return_on__gte=F("departure_on")),
                name="mission_return_after_departure",
                violation_error_code="date_order",
                violation_error_message=_("The return needs a departure on or before it."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.kind == MissionKind.DISASTER_RELIEF and not self.disaster_id:
            errors["disaster"] = ValidationError(
                _("A disaster-relief mission names its disaster."), code="disaster_required"
            )
        if self.departure_on and self.requested_on and self.departure_on < self.requested_on:
            errors["departure_on"] = ValidationError(
                _("The departure cannot be before the request."), code="date_order"
            )
        if self.return_on and not self.departure_on:
            errors["departure_on"] = ValidationError(_("Give the departure before the return."), code="date_order")
        elif self.return_on and self.departure_on and self.return_on < self.departure_on:
            errors["return_on"] = ValidationError(_("The return cannot be before the departure."), code="date_order")
        if errors:
            raise ValidationError(errors)
