"""The programs app's choices."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    # A program under way (実施中), not the 活動中 of a mission.
    ACTIVE = "active", pgettext_lazy("program under way", "Active")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class StrategicGoal(models.TextChoices):
    """The six strategic goals of Japan–UNODC cooperation, 2024–2026."""

    RULE_OF_LAW = "rule_of_law", _("1. Promoting the rule of law")
    MARITIME_ORDER = "maritime_order", _("2. Rules-based maritime order")
    EVIDENCE_BASED = "evidence_based", _("3. Targeted, evidence-based assistance")
    VISIBILITY = "visibility", _("4. Awareness and visibility")
    EMERGING_ISSUES = "emerging_issues", _("5. Emerging issues")
    GENDER_YOUTH = "gender_youth", _("6. Gender equality, WPS and youth")


class Publication(models.TextChoices):
    """Where a record stands on its way to the public pages and the IATI file."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Aggregation(models.TextChoices):
    """How the values of an indicator combine within a period and across periods."""

    SUM = "sum", _("Sum")
    LATEST = "latest", _("Latest value")
    AVERAGE = "average", _("Average")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    FISCAL_YEAR = "fiscal_year", _("Fiscal year")
    CUSTOM = "custom", _("Custom")


class ValueStatus(models.TextChoices):
    """Where a reported value stands in its review; only approved values count."""

    DRAFT = "draft", pgettext_lazy("reported value", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("reported value", "Submitted")
    RETURNED = "returned", pgettext_lazy("reported value", "Returned for revision")
    APPROVED = "approved", pgettext_lazy("reported value", "Approved")


class ValueSource(models.TextChoices):
    PARTNER = "partner", _("Partner report")
    STAFF = "staff", _("Agency staff")
    SURVEY = "survey", _("Follow-up survey")
