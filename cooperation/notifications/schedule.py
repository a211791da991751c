"""The periodic tasks beat runs, as django-celery-beat rows staff can edit in the admin."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from . import task_names

DAILY_REMINDERS = "Daily reminders"
OUTBOX_DRAIN = "Send queued work (outbox drain)"


@transaction.atomic
def periodic_tasks_install() -> list[str]:
    """Create each periodic task that does not exist yet; never touch one that does.

    A task found by name is left as it is, so a schedule changed (or a task disabled) in
    the admin survives every `make run`.
    """
    wanted = {
        DAILY_REMINDERS: (
            task_names.SEND_REMINDERS,
            {
                "crontab": CrontabSchedule.objects.get_or_create(
                    minute="0",
                    hour="7",
                    day_of_week="*",
                    day_of_month="*",
                    month_of_year="*",
                    timezone=settings.TIME_ZONE,
                )[0]
            },
            "Reminders to staff: expiring documents, departures, safety check-ins, deadlines, reports.",
        ),
        OUTBOX_DRAIN: (
            "cooperation.tasks.drain_outbox",
            {"interval": IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.MINUTES)[0]},
            "Publishes work recorded while the broker (Redis) was unreachable.",
        ),
    }
    created = []
    for name, (task, schedule, description) in wanted.items():
        _, made = PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "description": description, **schedule}
        )
        if made:
            created.append(name)
    return created
