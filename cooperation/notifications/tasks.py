"""The daily reminder run and the e-mail of each notification, as queue tasks.

Tasks take ids, call a service and leave the rules to it. Both are idempotent: a cause
is notified once per person and level, and a notification is e-mailed once, so a
redelivered message (a worker lost mid-task, a duplicate publish) sends nothing twice.
"""

from __future__ import annotations

from celery import shared_task

from cooperation.tasks import RELIABLE

from . import services, task_names


@shared_task(name=task_names.SEND_REMINDERS, **RELIABLE)
def send_reminders() -> int:
    return len(services.reminders_send())


@shared_task(name=task_names.EMAIL_NOTIFICATION, **RELIABLE)
def email_notification(notification_id: int) -> bool:
    return services.notification_email(notification_id=notification_id)
