"""Notifications and the outbox in the admin, the periodic tasks, and /healthz's outbox report."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cooperation.models import Notification, NotificationKind, OutboxTask
from cooperation.notifications.schedule import DAILY_REMINDERS, OUTBOX_DRAIN
from cooperation.roles import NPA_STAFF
from cooperation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:cooperation_notification_changelist")


def notify(user, cause: str, **fields) -> Notification:
    return Notification.objects.create(
        recipient=user,
        cause=cause,
        kind=NotificationKind.COMPLETION_REPORT,
        subject=f"Report overdue ({cause})",
        body="The completion report is missing.",
        link="/admin/",
        **fields,
    )


@pytest.fixture
def colleague(npa):
    return UserFactory(role=NPA_STAFF, username="colleague", organization=npa)


def test_staff_see_only_their_own_notifications(client, staff_user, colleague):
    notify(staff_user, "mine")
    notify(colleague, "theirs")
    client.force_login(staff_user)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "Report overdue (mine)" in response.text
    assert "Report overdue (theirs)" not in response.text
    other = Notification.objects.get(cause="theirs")
    assert client.get(reverse("admin:cooperation_notification_change", args=[other.pk])).status_code == 302


def test_a_superuser_sees_everyone_s(client, staff_user, colleague, django_user_model):
    notify(staff_user, "mine")
    notify(colleague, "theirs")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16))
    response = client.get(LIST_URL)
    assert "Report overdue (mine)" in response.text and "Report overdue (theirs)" in response.text


def test_mark_as_read_touches_only_the_user_s_own(client, staff_user, colleague):
    mine = notify(staff_user, "mine")
    theirs = notify(colleague, "theirs")
    client.force_login(staff_user)
    response = client.post(LIST_URL, {"action": "mark_read", "_selected_action": [mine.pk, theirs.pk]}, follow=True)
    assert response.status_code == 200
    assert "1 notification marked as read." in response.text
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    unread = client.get(LIST_URL, {"unread": "1"}).text
    assert "Report overdue (mine)" not in unread


def test_opening_a_notification_reads_it(client, staff_user):
    mine = notify(staff_user, "mine")
    client.force_login(staff_user)
    assert client.get(reverse("admin:cooperation_notification_change", args=[mine.pk])).status_code == 200
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_the_outbox_is_listed_read_only(client, staff_user):
    row = OutboxTask.objects.create(task_name="cooperation.tasks.drain_outbox", args=[], last_error="refused")
    client.force_login(staff_user)
    response = client.get(reverse("admin:cooperation_outboxtask_changelist"))
    assert response.status_code == 200 and "refused" in response.text
    change = client.get(reverse("admin:cooperation_outboxtask_change", args=[row.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.text
    assert client.get(reverse("admin:cooperation_outboxtask_add")).status_code == 403


def test_periodic_tasks_are_created_once_and_admin_edits_survive():
    call_command("setup_periodic_tasks")
    reminders = PeriodicTask.objects.get(name=DAILY_REMINDERS)
    assert reminders.task == "cooperation.notifications.tasks.send_reminders"
    assert (reminders.crontab.hour, reminders.crontab.minute) == ("7", "0")
    assert PeriodicTask.objects.get(name=OUTBOX_DRAIN).interval.every == 1

    reminders.enabled = False
    reminders.crontab.hour = "6"
    reminders.crontab.save()
    reminders.save()
    call_command("setup_periodic_tasks")
    call_command("setup_periodic_tasks")
    assert PeriodicTask.objects.filter(name__in=[DAILY_REMINDERS, OUTBOX_DRAIN]).count() == 2
    reminders.refresh_from_db()
    assert reminders.enabled is False and reminders.crontab.hour == "6"


def test_healthz_reports_the_outbox_backlog_and_degrades_without_redis(client, settings, tmp_path):
    OutboxTask.objects.create(task_name="cooperation.tasks.drain_outbox", args=[])
    waiting = OutboxTask.objects.create(task_name="cooperation.tasks.drain_outbox", args=[])
    OutboxTask.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    OutboxTask.objects.create(task_name="cooperation.tasks.drain_outbox", args=[], dispatched_at=timezone.now())
    settings.REDIS_URL = f"unix://{tmp_path}/nothing-listens-here.sock"

    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {"ok": True}
    outbox = body["checks"]["outbox"]
    assert outbox["pending"] == 2
    assert outbox["oldest_pending_seconds"] >= 600
    assert outbox["ok"] is False
