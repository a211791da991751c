"""Reminders through a real Redis and real workers: once per cause, escalation, double delivery,
a Redis restart in the middle of writes, and a worker killed mid-task.

The workers see only committed rows, so these tests are transactional.
"""

import os
import signal
import time

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cooperation import outbox
from cooperation.celery import app
from cooperation.models import Notification, NotificationLevel, OutboxTask
from cooperation.notifications.services import reminders_send
from cooperation.notifications.tasks import email_notification, send_reminders
from cooperation.roles import MANAGER, NPA_STAFF
from cooperation.tasks import drain_outbox
from cooperation.tests.factories import UserFactory
from dispatch.choices import CheckInStatus

from .jobs_support import (
    RedisServer,
    broker_at,
    deployed,
    mail_environment,
    messages_in,
    one_cause_of_each,
    send_reminders_when_released,
    starts_of,
    wait_for,
    worker,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Six causes at the reminder level (see one_cause_of_each) and one silent official.
REMINDER_CAUSES = 6


@pytest.fixture
def people(npa):
    staff = [
        UserFactory(role=NPA_STAFF, username=f"duty-{n}", email=f"duty{n}@npa.example", organization=npa)
        for n in (1, 2)
    ]
    manager = UserFactory(role=MANAGER, username="head", email="head@npa.example", organization=npa)
    return staff, manager


@pytest.fixture
def causes():
    now = timezone.now()
    today = timezone.localdate(now)
    found = one_cause_of_each(today, now)
    # Gone a month without a single check-in: escalated at once.
    found["silent"] = deployed(today, checked_in_at=None)
    return found


@pytest.fixture
def mail_dir(tmp_path):
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


def expected_notifications() -> int:
    """Every reminder to each staff member; the escalation to them and to each manager."""
    staff = get_user_model().objects.filter(groups__name=NPA_STAFF).count()
    managers = get_user_model().objects.filter(groups__name=MANAGER).count()
    return REMINDER_CAUSES * staff + staff + managers


def all_work_done() -> bool:
    return not OutboxTask.objects.filter(completed_at__isnull=True).exists()


def after_everything_queued_so_far():
    """Publish a marker task; once it has run, a solo worker has run all before it."""
    marker = outbox.enqueue(drain_outbox)
    wait_for(lambda: OutboxTask.objects.filter(pk=marker.pk, completed_at__isnull=False).exists(), what="the marker")


# Slow: starts real Celery workers and waits for them to deliver the run twice.
@pytest.mark.slow
def test_each_cause_notified_once_even_when_the_run_is_delivered_twice(people, causes, mail_dir):
    staff, manager = people
    app.control.purge()
    with worker("reminders", **mail_environment(mail_dir)):
        # The same daily run delivered twice (a redelivery after a lost acknowledgement).
        send_reminders.apply_async(task_id="daily-run")
        send_reminders.apply_async(task_id="daily-run")
        wait_for(lambda: Notification.objects.exists(), what="the first run")
        after_everything_queued_so_far()
        wait_for(all_work_done, what="the e-mails")

        notifications = list(Notification.objects.select_related("recipient"))
        assert len(notifications) == expected_notifications()
        assert all(n.emailed_at is not None for n in notifications)
        messages = messages_in(mail_dir)
        assert len(messages) == len(notifications)
        escalated = [n for n in notifications if n.level == NotificationLevel.ESCALATED]
        assert {n.recipient for n in escalated} == {*staff, manager}
        assert sum("To: head@npa.example" in message for message in messages) == 1

        # Each e-mail task delivered twice more, and the run again the next day: nothing new.
        for notification in notifications[:3]:
            email_notification.apply_async(args=[notification.pk])
            email_notification.apply_async(args=[notification.pk])
        send_reminders.apply_async()
        after_everything_queued_so_far()
        assert Notification.objects.count() == len(notifications)
        assert len(messages_in(mail_dir)) == len(notifications)


# Slow: a Redis of its own stopped and started under a real worker.
@pytest.mark.slow
def test_a_redis_restart_during_writes_loses_nothing(
    people, causes, mail_dir, tmp_path, settings, staff_user, staff_api
):
    staff_user.email = "api-user@npa.example"
    staff_user.save()
    server = RedisServer(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": server.url}}
    try:
        with broker_at(server.url), worker("outage", REDIS_URL=server.url, **mail_environment(mail_dir)):
            server.stop()

            # The web keeps serving reads and writes; the queue's work is kept in the outbox.
            created = reminders_send()
            assert len(created) == expected_notifications()
            silent = causes["silent"]
            response = staff_api.post(
                f"/api/v1/deployments/{silent.pk}/check-ins/", {"status": CheckInStatus.OK}, format="json"
            )
            assert response.status_code in (200, 201), response.content
            assert staff_api.get("/api/v1/deployments/").status_code == 200
            health = staff_api.get("/healthz")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            assert OutboxTask.objects.filter(dispatched_at__isnull=True).count() == len(created)
            assert health.json()["checks"]["outbox"]["pending"] == len(created)

            server.start()
            # No new write is needed: the worker's reconnection asks for the backlog.
            wait_for(all_work_done, what="the outbox to drain after the restart")
            wait_for(lambda: len(messages_in(mail_dir)) >= len(created), what="the e-mails")
            after_everything_queued_so_far()
            assert len(messages_in(mail_dir)) == len(created)
            assert not Notification.objects.filter(emailed_at__isnull=True).exists()
            assert staff_api.get("/healthz").json()["checks"]["outbox"]["pending"] == 0
    finally:
        server.stop()


# Slow: kills a real worker mid-task and waits for another to redo it.
@pytest.mark.slow
def test_a_worker_killed_mid_task_runs_it_again(people, causes, mail_dir, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    app.control.purge()
    timeout = "2"
    with worker("doomed", CELERY_VISIBILITY_TIMEOUT=timeout, **mail_environment(mail_dir)) as doomed:
        send_reminders_when_released.apply_async(args=[str(markers)])
        wait_for(lambda: starts_of(markers) == 1, what="the task to start")
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    assert not Notification.objects.exists(), "killed before it did its work"
    (markers / "release").touch()

    # The message stayed unacknowledged in Redis; once its visibility timeout has passed, the
    # next worker to connect puts it back in the queue.
    broker = app.connection_for_write().default_channel.client

    def unacknowledged_long_enough() -> bool:
        taken_at = [score for _, score in broker.zrange("unacked_index", 0, -1, withscores=True)]
        return all(time.time() - at > int(timeout) for at in taken_at)

    wait_for(unacknowledged_long_enough, what="the visibility timeout")
    with worker("survivor", CELERY_VISIBILITY_TIMEOUT=timeout, **mail_environment(mail_dir)):
        wait_for(lambda: starts_of(markers) == 2, what="the task to run again")
        wait_for(lambda: Notification.objects.exists(), what="the rerun to finish")
        after_everything_queued_so_far()
        wait_for(all_work_done, what="the e-mails")

    assert starts_of(markers) == 2
    assert Notification.objects.count() == expected_notifications()
    assert len(messages_in(mail_dir)) == Notification.objects.count()
