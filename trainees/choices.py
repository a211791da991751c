"""The trainees app's choices shared beyond one model."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EnrollmentStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    ARRIVED = "arrived", _("Arrived")
    # A trainee who completes a course: 修了 in Japanese, not the 完了 of a task.
    COMPLETED = "completed", pgettext_lazy("course completion", "Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class QuestionKind(models.TextChoices):
    """How a follow-up survey question is answered."""

    APPLIED = "applied", _("Yes, partly or no")
    YES_NO = "yes_no", _("Yes or no")
    NUMBER = "number", _("A number")
    TEXT = "text", _("Free text")


class Applied(models.TextChoices):
    """The answers to a yes/partly/no or a yes/no question."""

    YES = "yes", pgettext_lazy("survey answer", "Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", pgettext_lazy("survey answer", "No")


class OutcomeFeed(models.TextChoices):
    """How the answers to a question make the value of its outcome indicator in a period."""

    COUNT_YES = "count_yes", _("Number of trainees answering yes")
    COUNT_YES_OR_PARTLY = "count_yes_or_partly", _("Number of trainees answering yes or partly")
    SUM = "sum", _("Sum of the numbers given")
