"""Roll call reminders: every N hours while an open incident has officials unaccounted for.

The cause names the incident and the N-hour window since it was opened, so a run repeated
within a window notifies nobody again and the next window reminds afresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.notifications.models import NotificationKind
from cooperation.notifications.reminders import Reminder
from cooperation.notifications.services import notifications_for

from .models import Incident, IncidentStatus
from .stats_incidents import with_roll_call_counts


def reminder_window(opened_at: datetime, now: datetime, hours: int) -> int:
    """Which N-hour window since the opening `now` falls in (0: the first N hours)."""
    return int((now - opened_at).total_seconds() // (hours * 3600))


def roll_call_reminders(now: datetime) -> list[Reminder]:
    """Open incidents opened N hours ago or more with officials not accounted for."""
    hours = settings.ROLL_CALL_REMINDER_HOURS
    incidents = (
        with_roll_call_counts(
            Incident.objects.filter(status=IncidentStatus.OPEN, created_at__lte=now - timedelta(hours=hours))
        )
        .filter(unaccounted__gt=0)
        .order_by("pk")
    )
    return [
        Reminder(
            kind=NotificationKind.ROLL_CALL,
            cause=f"roll-call:incident-{incident.pk}:window-{reminder_window(incident.created_at, now, hours)}",
            subject=_("Roll call: %(count)s officials unaccounted for after %(incident)s"),
            body=_(
                "%(count)s of the %(listed)s officials in the area of %(incident)s are not accounted for yet. "
                "Reach them and mark the roll call; this reminder repeats every %(hours)s hours."
            ),
            params={
                "count": incident.unaccounted,
                "listed": incident.listed,
                "incident": incident.title,
                "hours": hours,
            },
            link=reverse("admin:duty_incident_change", args=[incident.pk]),
        )
        for incident in incidents
    ]


def roll_call_reminders_send(*, now: datetime | None = None) -> list[int]:
    """Notify staff of the roll calls due now; the ids of the notifications created."""
    return notifications_for(roll_call_reminders(now or timezone.now()))
