"""Every choice list of the dispatch app, in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExpertStatus(models.TextChoices):
    # Still serving (現役), as against retired; not the 活動中 of a mission.
    ACTIVE = "active", pgettext_lazy("expert in service", "Active")
    RETIRED = "retired", _("Retired")
    UNAVAILABLE = "unavailable", _("Unavailable")


class LanguageLevel(models.IntegerChoices):
    """Five steps, from getting by to mother tongue."""

    ELEMENTARY = 1, _("1 – elementary")
    LIMITED_WORKING = 2, _("2 – limited working")
    PROFESSIONAL_WORKING = 3, _("3 – professional working")
    FULL_PROFESSIONAL = 4, _("4 – full professional")
    NATIVE = 5, _("5 – native or bilingual")


class DeploymentKind(models.TextChoices):
    TECHNICAL_COOPERATION = "technical_cooperation", _("Technical cooperation")
    SECONDMENT = "secondment", _("Secondment to an international organization")
    DISASTER_RELIEF = "disaster_relief", _("Disaster relief")
    CIVILIAN_POLICE = "civilian_police", _("Civilian police (peacekeeping)")


class DeploymentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    NOMINATED = "nominated", _("Nominated")
    PREPARING = "preparing", _("Preparing")
    DEPLOYED = "deployed", _("Deployed")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Term(models.TextChoices):
    LONG = "long", _("Long-term")
    SHORT = "short", _("Short-term")


class ChecklistKind(models.TextChoices):
    ADVANCE_SURVEY = "advance_survey", _("Advance survey of the locality")
    SECURITY_BRIEFING = "security_briefing", _("Security briefing")
    MEDICAL_CLEARANCE = "medical_clearance", _("Medical clearance")
    VISA = "visa", _("Visa")
    INSURANCE = "insurance", _("Insurance")
    LANGUAGE_TRAINING = "language_training", _("Language training")
    EMERGENCY_CONTACTS = "emergency_contacts", _("Emergency contacts confirmed")


class EmergencyContactKind(models.TextChoices):
    NEXT_OF_KIN = "next_of_kin", _("Next of kin")
    LOCAL = "local", _("Local contact")
    SATELLITE_PHONE = "satellite_phone", _("Satellite phone")


class CheckInStatus(models.TextChoices):
    OK = "ok", _("All well")
    CONCERN = "concern", _("Concern")
    EMERGENCY = "emergency", _("Emergency")


class DisasterKind(models.TextChoices):
    EARTHQUAKE = "earthquake", _("Earthquake")
    TSUNAMI = "tsunami", _("Tsunami")
    TYPHOON = "typhoon", _("Typhoon or cyclone")
    FLOOD = "flood", _("Flood")
    LANDSLIDE = "landslide", _("Landslide")
    VOLCANO = "volcano", _("Volcanic eruption")
    OTHER = "other", _("Other")


class MissionKind(models.TextChoices):
    DISASTER_RELIEF = "disaster_relief", _("Disaster relief")
    CIVILIAN_POLICE = "civilian_police", _("Civilian police (peacekeeping)")


class TeamType(models.TextChoices):
    RESCUE = "rescue", _("Search and rescue team")
    DVI = "dvi", _("Disaster victim identification team")
    EXPERT_TEAM = "expert_team", _("Expert team")


class RequestingParty(models.TextChoices):
    GOVERNMENT = "government", _("Government of the affected country")
    INTERNATIONAL_ORGANIZATION = "international_organization", _("International organization")


class MissionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class StandbySpecialty(models.TextChoices):
    """The standby roster's specialties; each is a flag `standby_<value>` on Expert."""

    RESCUE = "rescue", _("Search and rescue")
    DVI = "dvi", _("Disaster victim identification")
    FORENSIC = "forensic", _("Forensic")
    FORENSIC_DENTAL = "forensic_dental", _("Forensic dental")
    COMMUNICATIONS = "communications", _("Communications")


class CumulativeFigure(models.TextChoices):
    """The running totals since a law took effect that the agency publishes (DESIGN.md)."""

    RELIEF_OFFICERS = "relief_officers", _("Police officers sent on disaster relief since the 1987 law")
    RELIEF_COUNTRIES = "relief_countries", _("Countries/regions of disaster relief since the 1987 law")
    PEACE_OFFICIALS = "peace_officials", _("Police officials sent on peace operations since the 1992 law")
    PEACE_COUNTRIES = "peace_countries", _("Countries/regions of peace operations since the 1992 law")
