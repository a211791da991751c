"""Causes for reminding staff about courses; one query per kind of cause."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.notifications.models import NotificationKind
from cooperation.notifications.reminders import Reminder

from .models import Course
from .selectors import courses_with_seat_counts
from .surveys import survey_invitations_send

DEADLINE_WARNING_DAYS = 7


def courses_closing_with_open_seats(today: date) -> list[Reminder]:
    """Open courses whose nomination deadline falls within 7 days while seats are still free."""
    courses = (
        courses_with_seat_counts(
            Course.objects.filter(
                status=Course.Status.OPEN,
                nomination_deadline__range=(today, today + timedelta(days=DEADLINE_WARNING_DAYS)),
            )
        )
        .filter(seats_taken__lt=F("capacity"))
        .order_by("nomination_deadline", "code")
    )
    return [
        Reminder(
            kind=NotificationKind.COURSE_DEADLINE,
            cause=f"course-deadline:course-{course.pk}:{course.nomination_deadline.isoformat()}",
            subject=_("Nominations for %(code)s close on %(date)s with %(open)s seats free"),
            body=_(
                "Course %(course)s closes nominations on %(date)s. %(taken)s of %(capacity)s seats are taken "
                "and %(waitlisted)s nominees wait; %(open)s seats are still free."
            ),
            params={
                "code": course.code,
                "course": course,
                "date": course.nomination_deadline,
                "open": course.capacity - course.seats_taken,
                "taken": course.seats_taken,
                "capacity": course.capacity,
                "waitlisted": course.waitlisted,
            },
            link=reverse("admin:trainees_course_change", args=[course.pk]),
        )
        for course in courses
    ]


def due_reminders(now: datetime) -> list[Reminder]:
    today = timezone.localdate(now)
    # The daily run is also when the follow-up surveys that fell due go out to the trainees:
    # each invitation is recorded once per trainee and survey, so a second run sends none.
    survey_invitations_send(today=today)
    return courses_closing_with_open_seats(today)
