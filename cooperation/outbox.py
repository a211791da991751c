"""Work for the queue, recorded in the database first so a broker outage loses none of it.

`enqueue(task, *args)` writes a row in the caller's transaction; once that commits, the
row is published. If Redis is unreachable the write still succeeds and the row waits:
the periodic `drain_outbox` task, the worker's (re)connection to the broker and the next
successful publish all send what is waiting. Rows dispatched long ago but never reported
done (a message lost with the broker's memory) are published again; tasks are
idempotent, so a second delivery is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery import current_app
from celery.signals import task_postrun
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .models import OutboxTask
from .notifications.models import OUTBOX_TASK_ID_PREFIX

logger = logging.getLogger(__name__)

# A publish during an outage should fail fast: the row is safe and will be retried.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
DRAIN_BATCH = 200
DRAIN_TASK = "cooperation.tasks.drain_outbox"


# When this process last failed to publish. Rows recorded before that moment are left to
# the drain, so a transaction that queued many tasks pays for one failed attempt, not one
# per task; work recorded later tries the broker afresh.
_last_failure: datetime | None = None


def enqueue(task, *args) -> OutboxTask:
    """Record `task(*args)` now; publish it when the surrounding transaction commits.

    `task` is a Celery task or the name it is registered under: a module can queue a task
    whose module imports it.
    """
    return enqueue_each(task, [args])[0]


def enqueue_each(task, calls: Iterable[Sequence]) -> list[OutboxTask]:
    """Record `task(*args)` for each `args` of `calls` in one insert; publish them on commit."""
    task_name = task if isinstance(task, str) else task.name
    rows = OutboxTask.objects.bulk_create([OutboxTask(task_name=task_name, args=list(args)) for args in calls])
    if rows:
        # robust: a failure here must never turn the caller's committed write into an error.
        pks = [row.pk for row in rows]
        transaction.on_commit(partial(_dispatch_after_commit, pks, rows[0].created_at), robust=True)
    return rows


def _dispatch_after_commit(pks: list[int], created_at: datetime) -> None:
    global _last_failure
    if _last_failure is not None and created_at <= _last_failure:
        return
    published, failed = _dispatch(OutboxTask.objects.filter(pk__in=pks), limit=len(pks))
    if failed:
        _last_failure = timezone.now()
    elif published and undispatched().exclude(pk__in=pks).exists():
        # The broker is back and older work is waiting: let a worker send it.
        _request_drain()


def undispatched() -> QuerySet[OutboxTask]:
    return OutboxTask.objects.filter(dispatched_at__isnull=True)


def due(now=None) -> QuerySet[OutboxTask]:
    """Rows never published, and rows published long ago that no worker finished."""
    now = now or timezone.now()
    lost_before = now - timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS)
    return OutboxTask.objects.filter(
        Q(dispatched_at__isnull=True) | Q(completed_at__isnull=True, dispatched_at__lt=lost_before)
    )


def _dispatch(rows: QuerySet[OutboxTask], *, limit: int) -> tuple[int, bool]:
    """Publish up to `limit` of `rows`, stopping at the first failure:
    (how many were published, whether the broker refused one).

    Rows are locked with SKIP LOCKED so that two drains (beat, a reconnecting worker, a
    request) never publish the same row at the same moment.
    """
    published = 0
    with transaction.atomic():
        locked = rows.select_for_update(skip_locked=True).order_by("pk")[:limit]
        for row in locked:
            row.attempts += 1
            try:
                _publish(row)
            except Exception as exc:  # kombu and redis raise many unrelated types on a lost broker
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                row.save(update_fields=["attempts", "last_error"])
                logger.warning("Task %s stays in the outbox: %s", row, row.last_error)
                return published, True
            row.dispatched_at = timezone.now()
            row.save(update_fields=["attempts", "dispatched_at"])
            published += 1
    return published, False


def drain(*, limit: int = DRAIN_BATCH) -> int:
    """Publish what is due, batch after batch, until nothing is left or the broker fails."""
    total = 0
    while True:
        published, _ = _dispatch(due(), limit=limit)
        total += published
        if published < limit:
            return total


def _publish(row: OutboxTask) -> None:
    app = current_app
    options = {
        "task_id": row.celery_task_id,
        "retry": True,
        "retry_policy": PUBLISH_RETRY_POLICY,
        "ignore_result": True,
    }
    task = app.tasks.get(row.task_name)
    if task is not None:
        task.apply_async(args=row.args, **options)
    else:
        app.send_task(row.task_name, args=row.args, **options)


def _request_drain() -> None:
    try:
        current_app.send_task(DRAIN_TASK, ignore_result=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:  # the rows are safe; beat will drain them
        logger.warning("Could not ask for an outbox drain: %s", exc)


def backlog(now=None) -> dict:
    """Rows waiting for the broker, and how long the oldest has waited (for /healthz)."""
    now = now or timezone.now()
    waiting = undispatched().aggregate(pending=Count("pk"), oldest=Min("created_at"))
    oldest = waiting["oldest"]
    return {
        "pending": waiting["pending"],
        "oldest_pending_seconds": int((now - oldest).total_seconds()) if oldest else 0,
    }


@task_postrun.connect(dispatch_uid="cooperation.outbox.record_completion")
def _record_completion(task_id=None, state=None, retval=None, **kwargs) -> None:
    """Mark the row of a task that ran to its end (success or final failure)."""
    if not task_id or not str(task_id).startswith(OUTBOX_TASK_ID_PREFIX) or state not in ("SUCCESS", "FAILURE"):
        return
    try:
        pk = int(str(task_id).removeprefix(OUTBOX_TASK_ID_PREFIX))
    except ValueError:
        return
    fields: dict[str, Any] = {"completed_at": timezone.now()}
    if state == "FAILURE":
        fields["last_error"] = f"failed: {retval}"[:2000]
    OutboxTask.objects.filter(pk=pk, completed_at__isnull=True).update(**fields)
