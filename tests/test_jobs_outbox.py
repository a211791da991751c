"""The outbox against an unreachable broker and the test Redis: writes commit, work waits, then goes."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cooperation import outbox
from cooperation.models import OutboxTask
from cooperation.notifications.tasks import email_notification
from cooperation.tasks import drain_outbox

from .jobs_support import broker_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(tmp_path):
    with broker_at(f"unix://{tmp_path}/nothing-listens-here.sock"):
        yield


def test_with_the_broker_down_the_write_commits_and_the_task_waits(broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = outbox.enqueue(email_notification, 41)

    row.refresh_from_db()
    assert row.task_name == "cooperation.notifications.tasks.email_notification"
    assert row.args == [41]
    assert row.dispatched_at is None
    assert row.attempts == 1
    assert row.last_error
    assert outbox.backlog()["pending"] == 1
    assert outbox.drain() == 0, "the drain stops at the first failure and keeps the row"
    row.refresh_from_db()
    assert row.dispatched_at is None and row.attempts == 2


def test_a_rolled_back_write_leaves_no_task(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue(email_notification, 41)
        raise RuntimeError("the caller's write failed")
    assert callbacks == []
    assert not OutboxTask.objects.exists()


def test_with_the_broker_up_the_task_is_published_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = outbox.enqueue(drain_outbox)
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.attempts == 1 and row.last_error == ""
    assert outbox.backlog() == {"pending": 0, "oldest_pending_seconds": 0}


def test_the_drain_sends_the_backlog_and_republishes_work_lost_unfinished(settings):
    waiting = [OutboxTask.objects.create(task_name="cooperation.tasks.drain_outbox") for _ in range(3)]
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS + 60)
    lost = OutboxTask.objects.create(task_name="cooperation.tasks.drain_outbox", dispatched_at=long_ago, attempts=1)
    finished = OutboxTask.objects.create(
        task_name="cooperation.tasks.drain_outbox", dispatched_at=long_ago, completed_at=long_ago, attempts=1
    )
    recent = OutboxTask.objects.create(
        task_name="cooperation.tasks.drain_outbox", dispatched_at=timezone.now(), attempts=1
    )

    assert outbox.drain(limit=2) == 4, "batch after batch until nothing is due"
    assert not OutboxTask.objects.filter(pk__in=[row.pk for row in waiting], dispatched_at__isnull=True).exists()
    for row, attempts in ((lost, 2), (finished, 1), (recent, 1)):
        row.refresh_from_db()
        assert row.attempts == attempts
    assert outbox.drain() == 0
