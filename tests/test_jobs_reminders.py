"""Reminders: each cause is notified once, escalations reach further, selectors cost one query."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cooperation.models import Notification, NotificationKind, NotificationLevel, OutboxTask
from cooperation.notifications.services import due_reminders, notification_email, reminders_send
from cooperation.roles import MANAGER, NPA_STAFF
from cooperation.tests.factories import UserFactory
from dispatch.choices import CheckInStatus
from dispatch.models import SafetyCheckIn

from .jobs_support import deployed, nothing_due, one_cause_of_each

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def today(now):
    return timezone.localdate(now)


@pytest.fixture
def staff(npa):
    return [
        UserFactory(role=NPA_STAFF, username=f"duty-officer-{n}", email=f"duty{n}@npa.example", organization=npa)
        for n in (1, 2)
    ]


@pytest.fixture
def manager(npa):
    return UserFactory(role=MANAGER, username="division-head", email="head@npa.example", organization=npa)


def kinds_by_cause() -> dict[str, str]:
    return dict(Notification.objects.values_list("cause", "kind").distinct())


def test_each_cause_is_notified_to_each_staff_member_once(staff, manager, partner_org, today, now):
    UserFactory(role="partner_coordinator", organization=partner_org, email="coordinator@jica.example")
    causes = one_cause_of_each(today, now)

    created = reminders_send(now=now)

    expected_kinds = {
        NotificationKind.DOCUMENT_EXPIRY: 2,  # the passport expiring soon, the passport short of a deployment
        NotificationKind.DEPARTURE_CHECKLIST: 1,
        NotificationKind.SAFETY_CHECK_IN: 1,
        NotificationKind.COMPLETION_REPORT: 1,
        NotificationKind.COURSE_DEADLINE: 1,
    }
    found = {}
    for kind in kinds_by_cause().values():
        found[kind] = found.get(kind, 0) + 1
    assert found == expected_kinds
    assert len(created) == sum(expected_kinds.values()) * len(staff)
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {user.username for user in staff}, "reminders (not escalations) go to staff only"
    # Each new notification waits in the outbox for its e-mail.
    assert sorted(OutboxTask.objects.values_list("args", flat=True)) == sorted([pk] for pk in created)

    departure = Notification.objects.get(kind=NotificationKind.DEPARTURE_CHECKLIST, recipient=staff[0])
    assert "Insurance" in departure.body and "Visa" not in departure.body and "Language" not in departure.body
    assert departure.link == f"/admin/dispatch/deployment/{causes['departure'].pk}/change/"

    assert reminders_send(now=now) == [], "the same causes a day later, or the same day, notify nobody again"
    assert reminders_send(now=now + timedelta(hours=20)) == []
    assert Notification.objects.count() == len(created)
    assert OutboxTask.objects.count() == len(created)


def test_records_short_of_every_threshold_raise_nothing(staff, today, now):
    nothing_due(today, now)
    assert due_reminders(now) == []
    assert reminders_send(now=now) == []


def test_a_renewed_passport_that_expires_again_is_a_new_cause(staff, today, now):
    expert = one_cause_of_each(today, now)["passport_expiring"]
    first = reminders_send(now=now)
    expert.passport_expiry = today + timedelta(days=60)
    expert.save()
    again = reminders_send(now=now)
    assert len(again) == len(staff)
    assert Notification.objects.filter(pk__in=again).first().cause.endswith((today + timedelta(days=60)).isoformat())
    assert set(first).isdisjoint(again)


def test_a_second_missed_check_in_escalates_to_staff_and_managers(staff, manager, today, now):
    deployment = deployed(today, checked_in_at=now - timedelta(days=8))

    first = reminders_send(now=now)
    assert Notification.objects.filter(pk__in=first, level=NotificationLevel.REMINDER).count() == len(staff)

    a_week_later = now + timedelta(days=7)
    escalated = Notification.objects.filter(pk__in=reminders_send(now=a_week_later))
    assert {n.level for n in escalated} == {NotificationLevel.ESCALATED}
    assert {n.recipient for n in escalated} == {*staff, manager}
    assert all(n.subject.startswith("ESCALATED") for n in escalated)
    assert reminders_send(now=a_week_later + timedelta(days=3)) == [], "an escalation is not repeated either"

    # The official checks in; a later silence is a new cause that starts at the first level.
    SafetyCheckIn.objects.create(deployment=deployment, at=a_week_later, status=CheckInStatus.OK)
    assert reminders_send(now=a_week_later + timedelta(days=6)) == []
    fresh = Notification.objects.filter(pk__in=reminders_send(now=a_week_later + timedelta(days=8)))
    assert {n.level for n in fresh} == {NotificationLevel.REMINDER}
    assert len(fresh) == len(staff)


def test_an_official_who_never_checked_in_counts_from_departure(staff, manager, today, now):
    deployed(today, checked_in_at=None)  # left 30 days ago: four intervals of silence
    created = Notification.objects.filter(pk__in=reminders_send(now=now))
    assert {n.level for n in created} == {NotificationLevel.ESCALATED}
    assert "4 safety check-ins" in created[0].subject


def test_each_selector_is_one_query_however_many_causes(staff, today, now, django_assert_num_queries):
    one_cause_of_each(today, now)
    # Six for these causes; the rest are the selectors that find nothing here (the results'
    # two kinds, the follow-up surveys falling due), each a fixed number of queries.
    with django_assert_num_queries(11):
        few = due_reminders(now)
    one_cause_of_each(today, now)
    one_cause_of_each(today, now)
    with django_assert_num_queries(11):
        many = due_reminders(now)
    assert len(many) == 3 * len(few)


def test_a_notification_is_emailed_once_with_its_link(staff, today, now, settings):
    settings.SITE_URL = "https://cooperation.example"
    one_cause_of_each(today, now)
    notification = Notification.objects.get(pk=reminders_send(now=now)[0])

    assert notification_email(notification_id=notification.pk) is True
    assert notification_email(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [notification.recipient.email]
    assert message.subject == notification.subject
    assert f"https://cooperation.example{notification.link}" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
