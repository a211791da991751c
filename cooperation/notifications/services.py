"""Sending reminders: who hears of each cause, once, and the e-mail that follows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from cooperation.outbox import enqueue_each
from cooperation.roles import MANAGER, NPA_STAFF

from . import task_names
from .models import Notification
from .reminders import Reminder

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def reminder_sources() -> list[Callable[[datetime], list[Reminder]]]:
    """The `reminder_source` each app declares in its AppConfig, in the order of INSTALLED_APPS.

    Each is a `due_reminders(now) -> list[Reminder]`, one query per cause; the core names
    no app above it.
    """
    return [
        import_string(config.reminder_source)  # type: ignore[attr-defined]  # declared by the apps that remind
        for config in apps.get_app_configs()
        if getattr(config, "reminder_source", None)
    ]


def due_reminders(now: datetime) -> list[Reminder]:
    return [reminder for source in reminder_sources() for reminder in source(now)]


def _with_language(users: QuerySet[User]) -> list[tuple[int, str]]:
    """(user id, language) of the active users among `users`."""
    users = users.filter(is_active=True).order_by("pk").distinct()
    return [(pk, language or settings.LANGUAGE_CODE) for pk, language in users.values_list("pk", "profile__language")]


def _people_in(role: str) -> list[tuple[int, str]]:
    return _with_language(get_user_model().objects.filter(groups__name=role))


def _recipients(
    reminder: Reminder, staff: list[tuple[int, str]], managers: list[tuple[int, str]], named: dict[int, str]
) -> list[tuple[int, str]]:
    if reminder.recipients:
        return [(pk, named[pk]) for pk in reminder.recipients if pk in named]
    # An escalation also goes up the line, to the managers.
    if not reminder.escalated:
        return staff
    staff_ids = {pk for pk, _ in staff}
    return staff + [person for person in managers if person[0] not in staff_ids]


_INSERT_NEW = """
    INSERT INTO {table} (recipient_id, cause, kind, level, subject, body, link, created_at)
    SELECT recipient, cause, kind, level, subject, body, link, %s
    FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::int[], %s::text[], %s::text[], %s::text[])
        AS new(recipient, cause, kind, level, subject, body, link)
    ON CONFLICT (recipient_id, cause, level) DO NOTHING
    RETURNING id
"""


def _insert_new(rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert the notifications nobody has had yet; return the ids of those inserted.

    ON CONFLICT makes a concurrent second run wait for the first and then add nothing.
    """
    if not rows:
        return []
    columns = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_NEW.format(table=Notification._meta.db_table), [timezone.now(), *columns])
        return sorted(row[0] for row in cursor.fetchall())


@transaction.atomic
def notifications_for(reminders: Iterable[Reminder]) -> list[int]:
    """Record each reminder for its recipients unless already recorded; e-mail the new ones."""
    reminders = list(reminders)
    if not reminders:
        return []
    staff, managers = _people_in(NPA_STAFF), _people_in(MANAGER)
    named_ids = {pk for reminder in reminders for pk in reminder.recipients}
    named = dict(_with_language(get_user_model().objects.filter(pk__in=named_ids))) if named_ids else {}
    rendered: dict[tuple[int, str], tuple[str, str]] = {}
    rows = []
    for index, reminder in enumerate(reminders):
        for recipient, language in _recipients(reminder, staff, managers, named):
            if (index, language) not in rendered:
                rendered[index, language] = reminder.render(language)
            subject, body = rendered[index, language]
            rows.append((recipient, reminder.cause, reminder.kind, reminder.level, subject[:300], body, reminder.link))
    created = _insert_new(rows)
    enqueue_each(task_names.EMAIL_NOTIFICATION, [(notification_id,) for notification_id in created])
    return created


def reminders_send(*, now: datetime | None = None) -> list[int]:
    """The daily run: find every cause due now and notify whoever has not heard of it."""
    return notifications_for(due_reminders(now or timezone.now()))


def absolute_link(link: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{link}" if link.startswith("/") else link


@transaction.atomic
def notification_email(*, notification_id: int) -> bool:
    """E-mail one notification unless it was already e-mailed. True when a message went out.

    The row stays locked while the message is handed to the mail server, so a second
    delivery of the same task waits, then finds `emailed_at` set and sends nothing.
    """
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.email:
        return False
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{absolute_link(notification.link)}"
    send_mail(notification.subject, body, None, [notification.recipient.email], fail_silently=False)
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def notifications_mark_read(*, user: User, notifications: QuerySet[Notification]) -> int:
    """Mark as read what `user` may mark: their own, or any for a superuser."""
    if not user.is_superuser:
        notifications = notifications.filter(recipient=user)
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
