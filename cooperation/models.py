"""Shared reference data, user profiles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .access import RestrictedManager
from .constraints import validate_constraints_together


def validate_country_codes(value: list[str]) -> None:
    unknown = [code for code in value if code not in countries]
    if unknown:
        raise ValidationError(
            _("Unknown ISO 3166 country codes: %(codes)s."),
            code="unknown_country",
            params={"codes": ", ".join(unknown)},
        )


class TimeStampedModel(models.Model):
    """Every record knows when it was created and last changed (partners sync on it)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedManager()

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        validate_constraints_together(self, exclude)


slug_code = RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lowercase letters, digits and hyphens."))


class Region(TimeStampedModel):
    """A named group of countries; regions overlap (ASEAN lies inside the Indo-Pacific)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[slug_code])
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    countries = ArrayField(
        models.CharField(max_length=2),
        verbose_name=_("countries"),
        default=list,
        blank=True,
        validators=[validate_country_codes],
        help_text=_("ISO 3166 alpha-2 codes."),
    )
    is_unodc_priority = models.BooleanField(_("UNODC priority region"), default=False)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["countries"], name="region_countries_idx")]

    def __str__(self) -> str:
        return self.name


class Organization(TimeStampedModel):
    class Kind(models.TextChoices):
        RECIPIENT_AGENCY = "recipient_agency", _("Recipient law-enforcement agency")
        NPA = "npa", _("National Police Agency")
        PREFECTURAL_POLICE = "prefectural_police", _("Prefectural police")
        POLICE_ACADEMY = "police_academy", _("Police academy")
        DEVELOPMENT_AGENCY = "development_agency", _("Development agency")
        MINISTRY = "ministry", _("Ministry")
        INTERNATIONAL_ORGANIZATION = "international_organization", _("International organization")
        NGO = "ngo", _("NGO")
        ACADEMIC = "academic", _("Academic institution")
        GOVERNMENT_AGENCY = "government_agency", _("Other government agency")

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[slug_code])
    name = models.CharField(_("name"), max_length=255)
    name_ja = models.CharField(_("name (Japanese)"), max_length=255, blank=True)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = CountryField(_("country"), blank=True, help_text=_("Empty for international organizations."))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    website = models.URLField(_("website"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "country",
                name="organization_name_country_unique",
                violation_error_code="duplicate",
                violation_error_message=_("An organization of this name already exists in this country."),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="organization_not_own_parent",
                violation_error_code="own_parent",
                violation_error_message=_("An organization cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class CooperationField(TimeStampedModel):
    """A field of cooperation (Koban, criminal identification…) with its DAC sector."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[slug_code])
    name = models.CharField(_("name"), max_length=200, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    dac_code = models.CharField(
        _("DAC sector code"),
        max_length=5,
        validators=[RegexValidator(r"^\d{5}$", _("A DAC purpose code has five digits."))],
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("cooperation field")
        verbose_name_plural = _("cooperation fields")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dac_code__regex=r"^\d{5}$"),
                name="field_dac_code_5_digits",
                violation_error_code="invalid_dac_code",
                violation_error_message=_("A DAC purpose code has five digits."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class UserProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT
    )
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


def _default_token_expiry():
    return timezone.now() + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


class ApiToken(models.Model):
    """A named, expiring, revocable API credential. Only its SHA-256 digest is stored."""

    PREFIX = "ipc_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. 'JICA nightly sync'."))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("key starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=_default_token_expiry)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="api_token_name_unique_per_user",
                violation_error_code="duplicate",
                violation_error_message=_("This user already has a token of this name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    def clean(self):
        if self._state.adding and self.expires_at and self.expires_at <= timezone.now():
            raise ValidationError({"expires_at": _("The expiry must lie in the future.")}, code="expired")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an Idempotency-Key, replayed on retries.

    The row is claimed (unique user + key) before the request is handled, so two retries
    racing each other cannot both create; the answer is stored once the request ends.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return self.key


class ReportJob(models.Model):
    """A statistics pack too large to build during a request, built by a worker.

    The finished file is kept in the row itself so that the web and worker processes need
    no shared disk; packs are a few hundred kilobytes at most.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs")
    parameters = models.JSONField(_("parameters"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    content = models.BinaryField(null=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_job_progress_at_most_100"),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(content__isnull=False, finished_at__isnull=False),
                name="report_job_done_has_content",
            ),
        ]

    def __str__(self) -> str:
        return self.filename or f"report {self.pk}"


# Notifications and the task outbox, and the audit of exports and purges, are the core
# app's models, kept in modules of their own.
from .audit import PersonalDataExport, PurgeRecord  # noqa: E402, F401
from .notifications.models import Notification, NotificationKind, NotificationLevel, OutboxTask  # noqa: E402, F401
