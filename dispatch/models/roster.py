"""The roster: officials (serving or retired) who can be sent abroad."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cooperation.archive import Archivable, archived_together
from cooperation.choices import Gender
from cooperation.crypto import DigestField, EncryptedCharField, EncryptedTextField
from cooperation.languages import LANGUAGE_CHOICES, language_name, validate_language_code
from cooperation.models import CooperationField, Organization, TimeStampedModel, validate_country_codes

from ..choices import EmergencyContactKind, ExpertStatus, LanguageLevel

STANDBY_FLAGS = (
    "standby_rescue",
    "standby_dvi",
    "standby_forensic",
    "standby_forensic_dental",
    "standby_communications",
)


class Expert(Archivable, TimeStampedModel):  # type: ignore[misc]  # Archivable's manager restricts too and comes first on purpose
    # Seen by agency staff only, everywhere (see cooperation.privacy).
    personal_fields = (
        "date_of_birth",
        "email",
        "phone",
        "passport_number",
        "passport_expiry",
        "medical_clearance_until",
        "medical_notes",
        "safety_training_on",
        "notes",
    )

    personnel_number = models.CharField(_("personnel number"), max_length=32, unique=True)
    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, blank=True)
    rank = models.CharField(_("rank or position"), max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="experts"
    )
    status = models.CharField(_("status"), max_length=16, choices=ExpertStatus.choices, default=ExpertStatus.ACTIVE)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, default=Gender.UNDISCLOSED)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    passport_number = EncryptedCharField(_("passport number"), max_length=20, blank=True, default="", db_default="")
    # Lets staff find an expert by passport number although the column is encrypted.
    passport_number_digest = DigestField(source="passport_number")
    passport_expiry = models.DateField(_("passport valid until"), null=True, blank=True)
    medical_clearance_until = models.DateField(_("medical clearance valid until"), null=True, blank=True)
    medical_notes = EncryptedTextField(
        _("medical notes"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Conditions, restrictions and remarks of the medical clearance. Stored encrypted."),
    )
    safety_training_on = models.DateField(_("last safety training"), null=True, blank=True)
    standby_rescue = models.BooleanField(_("standby: search and rescue"), default=False)
    standby_dvi = models.BooleanField(_("standby: disaster victim identification"), default=False)
    standby_forensic = models.BooleanField(_("standby: forensic"), default=False)
    standby_forensic_dental = models.BooleanField(_("standby: forensic dental"), default=False)
    standby_communications = models.BooleanField(_("standby: communications"), default=False)
    specialties = models.ManyToManyField(
        CooperationField, blank=True, related_name="experts", verbose_name=_("specialties")
    )
    countries_of_experience = ArrayField(
        models.CharField(max_length=2),
        verbose_name=_("countries of experience"),
        default=list,
        blank=True,
        validators=[validate_country_codes],
        help_text=_(
            "ISO 3166 alpha-2 codes of countries worked in outside our records; "
            "countries of past deployments are added automatically."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    contacts_confirmed_on = models.DateField(
        _("emergency contacts confirmed on"),
        null=True,
        blank=True,
        help_text=_("When the official last confirmed their emergency contacts; checked before each departure."),
    )

    history = HistoricalRecords(m2m_fields=[specialties])

    class Meta:
        ordering = ["family_name", "given_name", "personnel_number"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        indexes = [models.Index(fields=["countries_of_experience"], name="expert_countries_idx")]
        constraints = [archived_together("expert")]

    def __str__(self) -> str:
        return f"{self.family_name.upper()} {self.given_name} ({self.personnel_number})"

    @classmethod
    def partner_scope(cls, organization) -> Q:
        """A partner sees the experts of the deployments it sees (never their personal data)."""
        # Reached through the reverse relation: deployments.py imports this module.
        deployment: Any = cls._meta.get_field("deployments").related_model
        visible = deployment.objects.filter(deployment.partner_scope(organization)).values("expert")
        return Q(pk__in=visible)


class ExpertLanguage(models.Model):
    expert = models.ForeignKey(Expert, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(
        _("language"), max_length=2, choices=LANGUAGE_CHOICES, validators=[validate_language_code]
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=LanguageLevel.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["expert", "-level", "language"]
        verbose_name = _("language skill")
        verbose_name_plural = _("language skills")
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "language"],
                name="expert_language_once",
                violation_error_code="duplicate",
                violation_error_message=_("This language is already listed for the expert."),
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5),
                name="expert_language_level_1_to_5",
                violation_error_code="level",
                violation_error_message=_("A language level lies between 1 and 5."),
            ),
            models.CheckConstraint(
                condition=Q(language__regex=r"^[a-z]{2}$"),
                name="expert_language_iso_639_1",
                violation_error_code="unknown_language",
                violation_error_message=_("Give an ISO 639-1 code of two lowercase letters."),
            ),
        ]

    def __str__(self) -> str:
        return f"{language_name(self.language)} {self.level}"


class EmergencyContact(TimeStampedModel):
    """Whom to call about an official abroad: family at home, people on site, a satellite phone."""

    # Seen by agency staff only, everywhere (see cooperation.privacy); stored encrypted.
    personal_fields = ("name", "relation", "phone", "email", "notes")

    expert = models.ForeignKey(
        Expert, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="emergency_contacts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EmergencyContactKind.choices)
    name = EncryptedCharField(_("name"), max_length=200)
    relation = EncryptedCharField(
        _("relation"), max_length=100, blank=True, default="", help_text=_("e.g. spouse, embassy liaison")
    )
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True, default="")
    email = EncryptedCharField(_("e-mail"), max_length=254, blank=True, default="")
    notes = EncryptedTextField(_("notes"), blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["expert", "kind", "pk"]
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"
