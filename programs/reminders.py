"""Causes for reminding about results by period; one query per kind of cause.

A period falling due (it ends within two weeks, is open, and has no approved value) is
the cause for the coordinators of the organizations taking part in its project; a value
waiting for review is the cause for the agency's staff. A resubmitted value is a new
cause (its submission time is part of it), so a correction is reviewed afresh.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.notifications.models import NotificationKind
from cooperation.notifications.reminders import Reminder
from cooperation.roles import PARTNER_COORDINATOR

from .choices import ValueStatus
from .models import IndicatorPeriod, PeriodValue, ProgramPartner, Project
from .services.results import plain

DUE_WARNING_DAYS = 14


def _coordinators_by_organization() -> dict[int, list[int]]:
    coordinators = get_user_model().objects.filter(
        is_active=True, groups__name=PARTNER_COORDINATOR, profile__organization__isnull=False
    )
    found: dict[int, list[int]] = defaultdict(list)
    for user_id, organization_id in coordinators.order_by("pk").values_list("pk", "profile__organization"):
        found[organization_id].append(user_id)
    return found


def _project_of(period: IndicatorPeriod) -> Project:
    # The query keeps project indicators only.
    project = period.indicator.project
    assert project is not None
    return project


def periods_falling_due(today: date) -> list[Reminder]:
    """Open periods of project indicators ending within 14 days without an approved value."""
    approved = PeriodValue.objects.filter(period=OuterRef("pk"), status=ValueStatus.APPROVED)
    periods = list(
        IndicatorPeriod.objects.filter(
            locked=False,
            end__range=(today, today + timedelta(days=DUE_WARNING_DAYS)),
            indicator__project__isnull=False,
        )
        .exclude(Exists(approved))
        .select_related("indicator__project__program")
        .order_by("end", "pk")
    )
    if not periods:
        return []
    projects = {period.pk: _project_of(period) for period in periods}
    program_ids = {project.program_id for project in projects.values()}
    taking_part: dict[int, set[int]] = defaultdict(set)
    for program_id, organization_id in ProgramPartner.objects.filter(program__in=program_ids).values_list(
        "program", "organization"
    ):
        taking_part[program_id].add(organization_id)
    coordinators = _coordinators_by_organization()
    reminders = []
    for period in periods:
        project = projects[period.pk]
        organizations = taking_part[project.program_id] | {
            pk for pk in (project.program.counterpart_id, project.counterpart_id) if pk is not None
        }
        recipients = tuple(sorted({user for org in organizations for user in coordinators.get(org, [])}))
        if not recipients:
            continue
        reminders.append(
            Reminder(
                kind=NotificationKind.RESULTS_DUE,
                cause=f"results-due:period-{period.pk}:{period.end.isoformat()}",
                subject=_("Results for %(indicator)s are due by %(date)s"),
                body=_(
                    "The reporting period %(start)s – %(end)s of %(indicator)s (%(project)s) ends on %(date)s "
                    "and has no approved value yet. Report the value, with its breakdown and evidence."
                ),
                params={
                    "indicator": period.indicator.name,
                    "project": project.code,
                    "start": period.start,
                    "end": period.end,
                    "date": period.end,
                },
                link=reverse("results-report-period", args=[period.pk]),
                recipients=recipients,
            )
        )
    return reminders


def values_awaiting_review(today: date) -> list[Reminder]:
    """Every submitted value, once per submission, to the agency's staff."""
    waiting = (
        PeriodValue.objects.filter(status=ValueStatus.SUBMITTED)
        .select_related("period__indicator", "organization")
        .order_by("updated_at", "pk")
    )
    return [
        Reminder(
            kind=NotificationKind.RESULTS_REVIEW,
            cause=f"results-review:value-{value.pk}:{value.updated_at.isoformat()}",
            subject=_("A value for %(indicator)s awaits review"),
            body=_(
                "%(organization)s submitted %(value)s for %(indicator)s, period %(start)s – %(end)s. "
                "Approve it or return it with a reason."
            ),
            params={
                "indicator": value.period.indicator.name,
                "organization": value.organization or "",
                "value": plain(value.value),
                "start": value.period.start,
                "end": value.period.end,
            },
            link=reverse("results-review"),
        )
        for value in waiting
    ]


def due_reminders(now: datetime) -> list[Reminder]:
    today = timezone.localdate(now)
    return periods_falling_due(today) + values_awaiting_review(today)
