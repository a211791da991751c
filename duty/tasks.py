"""Queue tasks of the duty of care: the roll call reminders and the CAP feed poll (run by beat)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from cooperation.tasks import RELIABLE

from . import cap
from .reminders import roll_call_reminders_send
from .services import incident_import_cap_feed

logger = logging.getLogger(__name__)


@shared_task(name="duty.tasks.send_roll_call_reminders", **RELIABLE)
def send_roll_call_reminders() -> int:
    return len(roll_call_reminders_send())


@shared_task(name="duty.tasks.poll_cap_feed", **RELIABLE)
def poll_cap_feed() -> int:
    """Open an incident for each new alert of CAP_FEED_URL; nothing when it is empty."""
    if not settings.CAP_FEED_URL:
        return 0
    try:
        imported = incident_import_cap_feed(url=settings.CAP_FEED_URL, fetch=cap.fetch)
    except cap.CapError as exc:
        # The feed is down or unreadable: the next poll tries again.
        logger.warning("CAP feed not read: %s", exc)
        return 0
    return sum(1 for _incident, created in imported if created)
