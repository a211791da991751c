"""Queue tasks of the core app, and the options every reliable task shares."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import outbox

# Faults that pass: a database restarting, a mail server or the broker briefly away.
# (smtplib's errors and socket errors are OSErrors.)
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)

RELIABLE = {
    # Acknowledge after the work is done: a worker killed mid-task leaves the message to
    # be delivered again (after the broker's visibility timeout), never lost.
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
    "soft_time_limit": 120,
    "time_limit": 180,
    "ignore_result": True,
}


@shared_task(name="cooperation.tasks.drain_outbox", **RELIABLE)
def drain_outbox() -> int:
    """Publish the work recorded while the broker was away (run by beat and on reconnect)."""
    return outbox.drain()
