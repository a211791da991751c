"""What was notified to whom, and the work waiting to reach the task queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    DOCUMENT_EXPIRY = "document_expiry", _("Passport or medical clearance expiring")
    DEPARTURE_CHECKLIST = "departure_checklist", _("Departure with unfinished checklist")
    SAFETY_CHECK_IN = "safety_check_in", _("Safety check-in overdue")
    COURSE_DEADLINE = "course_deadline", _("Nomination deadline with open seats")
    COMPLETION_REPORT = "completion_report", _("Completion report overdue")
    RESULTS_DUE = "results_due", _("Results due for a reporting period")
    RESULTS_REVIEW = "results_review", _("Reported results awaiting review")
    ROLL_CALL = "roll_call", _("Roll call with officials unaccounted for")


class NotificationLevel(models.IntegerChoices):
    REMINDER = 1, _("Reminder")
    ESCALATED = 2, _("Escalated")


class Notification(models.Model):
    """One message to one person about one cause.

    A cause (say, "deployment 12 has had no check-in since check-in 40") is notified to a
    person once per level: the daily run finds it again every day but the unique key
    stops the repeat, and only an escalation (a higher level) reaches them again.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    cause = models.CharField(_("cause"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=NotificationLevel.choices, default=NotificationLevel.REMINDER
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "cause", "level"],
                name="notification_once_per_cause_and_level",
                violation_error_code="duplicate",
                violation_error_message=_("This person was already notified of this cause at this level."),
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=2),
                name="notification_level_known",
                violation_error_code="level",
                violation_error_message=_("A notification is a reminder (1) or an escalation (2)."),
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class OutboxTask(models.Model):
    """A task recorded in the transaction that called for it, published to the queue after.

    The row outlives a broker outage: until a publish succeeds `dispatched_at` stays
    empty and the periodic drain tries again. The worker stamps `completed_at` when the
    task has run, so a message lost with the broker's memory is published once more.
    """

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("publish attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("queued task")
        verbose_name_plural = _("task outbox")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_undispatched_idx",
                condition=models.Q(dispatched_at__isnull=True),
            ),
            models.Index(
                fields=["dispatched_at"],
                name="outbox_unfinished_idx",
                condition=models.Q(completed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"

    @property
    def celery_task_id(self) -> str:
        return f"{OUTBOX_TASK_ID_PREFIX}{self.pk}"


# Messages published from the outbox carry the row in their id, so the worker can
# record completion without any change to the task's own arguments.
OUTBOX_TASK_ID_PREFIX = "outbox-"
