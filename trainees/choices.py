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
