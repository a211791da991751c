"""Causes for reminding staff about experts and deployments; one query per kind of cause.

Each selector returns `Reminder`s whose `cause` names the situation precisely (the
document and its expiry date, the last check-in, the return date), so the daily run
notifies a situation once and a new situation (a renewed passport that is again short,
a new check-in followed by a new silence) afresh.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, DateField, F, Func, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.notifications.models import NotificationKind, NotificationLevel
from cooperation.notifications.reminders import Reminder

from .choices import ChecklistKind, DeploymentStatus
from .fitness import PASSPORT_MARGIN_MONTHS
from .models import Deployment, Expert, SafetyCheckIn
from .services.deployments import DISPATCHABLE_EXPERT_STATUSES

S = DeploymentStatus
DOCUMENT_WARNING_DAYS = 90
DEPARTURE_WARNING_DAYS = 30
COMPLETION_REPORT_DUE_DAYS = 30
# Deployments whose expert still has to go, or is abroad.
AHEAD_OR_ABROAD = (S.REQUESTED, S.NOMINATED, S.PREPARING, S.DEPLOYED)


class PassportRequiredUntil(Func):
    """The planned end plus the passport margin, as PostgreSQL adds months (end of month held)."""

    template = f"((%(expressions)s + interval '{PASSPORT_MARGIN_MONTHS} months')::date)"
    output_field = DateField()


def _deployment_link(pk: int) -> str:
    return reverse("admin:dispatch_deployment_change", args=[pk])


def _expert_link(pk: int) -> str:
    return reverse("admin:dispatch_expert_change", args=[pk])


def expiring_documents(today: date) -> list[Reminder]:
    """Passports and medical clearances of dispatchable experts that expire within 90 days."""
    horizon = today + timedelta(days=DOCUMENT_WARNING_DAYS)
    experts = (
        Expert.objects.filter(status__in=DISPATCHABLE_EXPERT_STATUSES)
        .filter(Q(passport_expiry__range=(today, horizon)) | Q(medical_clearance_until__range=(today, horizon)))
        .order_by("pk")
        .only("pk", "family_name", "given_name", "personnel_number", "passport_expiry", "medical_clearance_until")
    )
    found = []
    for expert in experts:
        documents = (
            ("passport", expert.passport_expiry, _("passport")),
            ("medical", expert.medical_clearance_until, _("medical clearance")),
        )
        for code, expiry, label in documents:
            if expiry is None or not today <= expiry <= horizon:
                continue
            found.append(
                Reminder(
                    kind=NotificationKind.DOCUMENT_EXPIRY,
                    cause=f"{code}:expert-{expert.pk}:{expiry.isoformat()}",
                    subject=_("The %(document)s of %(expert)s expires on %(date)s"),
                    body=_(
                        "The %(document)s of %(expert)s expires on %(date)s, within %(days)s days. "
                        "Arrange the renewal before any deployment depends on it."
                    ),
                    params={"document": label, "expert": expert, "date": expiry, "days": DOCUMENT_WARNING_DAYS},
                    link=_expert_link(expert.pk),
                )
            )
    return found


def documents_short_of_deployments(today: date) -> list[Reminder]:
    """Deployments ahead or under way whose expert's documents do not cover them.

    The rule is the one departure is checked against: a passport valid six months past
    the planned end, a medical clearance through the planned end.
    """
    deployments = (
        Deployment.objects.filter(status__in=AHEAD_OR_ABROAD, expert__isnull=False, planned_end__gte=today)
        .annotate(passport_required_until=PassportRequiredUntil(F("planned_end")))
        .filter(
            Q(expert__passport_expiry__lt=F("passport_required_until"))
            | Q(expert__medical_clearance_until__lt=F("planned_end"))
        )
        .select_related("expert")
        .order_by("pk")
    )
    found = []
    for deployment in deployments:
        expert = deployment.expert
        assert expert is not None  # the query keeps deployments with an expert
        short = []
        if expert.passport_expiry and expert.passport_expiry < deployment.passport_required_until:
            short.append(("passport", expert.passport_expiry, _("passport"), deployment.passport_required_until))
        if expert.medical_clearance_until and expert.medical_clearance_until < deployment.planned_end:
            short.append(("medical", expert.medical_clearance_until, _("medical clearance"), deployment.planned_end))
        for code, expiry, label, needed in short:
            found.append(
                Reminder(
                    kind=NotificationKind.DOCUMENT_EXPIRY,
                    cause=f"{code}:deployment-{deployment.pk}:{expiry.isoformat()}:{deployment.planned_end.isoformat()}",
                    subject=_("The %(document)s of %(expert)s ends before deployment #%(id)s does"),
                    body=_(
                        "The %(document)s of %(expert)s is valid until %(date)s, but deployment #%(id)s "
                        "(%(country)s, planned end %(end)s) needs it valid until %(needed)s."
                    ),
                    params={
                        "document": label,
                        "expert": expert,
                        "date": expiry,
                        "id": deployment.pk,
                        "country": deployment.country.name,  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
                        "end": deployment.planned_end,
                        "needed": needed,
                    },
                    link=_deployment_link(deployment.pk),
                )
            )
    return found


def departures_with_open_checklist(today: date) -> list[Reminder]:
    """Departures within 30 days whose required checklist items are not all done (or not drawn up)."""
    open_items = Q(checklist__required=True, checklist__done_at__isnull=True)
    deployments = (
        Deployment.objects.filter(
            status__in=(S.NOMINATED, S.PREPARING),
            planned_start__range=(today, today + timedelta(days=DEPARTURE_WARNING_DAYS)),
        )
        .annotate(
            item_count=Count("checklist"),
            open_count=Count("checklist", filter=open_items),
            open_kinds=ArrayAgg("checklist__kind", filter=open_items, default=[], order_by="checklist__kind"),
        )
        .filter(Q(item_count=0) | Q(open_count__gt=0))
        .select_related("expert")
        .order_by("planned_start", "pk")
    )
    found = []
    for deployment in deployments:
        if deployment.item_count:
            items = [ChecklistKind(kind).label for kind in deployment.open_kinds]
        else:
            items = [_("the pre-departure checklist is not drawn up yet")]
        found.append(
            Reminder(
                kind=NotificationKind.DEPARTURE_CHECKLIST,
                cause=f"departure:deployment-{deployment.pk}:{deployment.planned_start.isoformat()}",
                subject=_("%(expert)s leaves on %(date)s with the checklist unfinished"),
                body=_("Deployment #%(id)s (%(country)s) departs on %(date)s. Still to do: %(items)s."),
                params={
                    "expert": deployment.expert,
                    "date": deployment.planned_start,
                    "id": deployment.pk,
                    "country": deployment.country.name,
                    "items": items,
                },
                link=_deployment_link(deployment.pk),
            )
        )
    return found


def check_in_interval() -> timedelta:
    return timedelta(days=settings.SAFETY_CHECKIN_INTERVAL_DAYS)


def silent_since(*, last_check_in: datetime | None, departed_on: date) -> datetime:
    """When the official was last heard from: the latest check-in, else the start of the departure day."""
    return last_check_in or timezone.make_aware(datetime.combine(departed_on, time.min))


def missed_check_ins(*, last_check_in: datetime | None, departed_on: date, now: datetime) -> int:
    """Whole check-in intervals gone by without a word; one or more is overdue, two escalate."""
    return (now - silent_since(last_check_in=last_check_in, departed_on=departed_on)) // check_in_interval()


def overdue_check_ins(now: datetime) -> list[Reminder]:
    """Deployed officials silent for a check-in interval or more; two intervals escalate."""
    cutoff = now - check_in_interval()
    latest = SafetyCheckIn.objects.filter(deployment=OuterRef("pk")).order_by("-at", "-pk")
    deployments = (
        Deployment.objects.filter(status=S.DEPLOYED)
        .annotate(
            last_check_in_at=Subquery(latest.values("at")[:1]), last_check_in_id=Subquery(latest.values("pk")[:1])
        )
        # A superset in SQL (dates are compared loosely); the misses are counted exactly below.
        .filter(
            Q(last_check_in_at__lt=cutoff)
            | Q(last_check_in_at__isnull=True, actual_start__lte=timezone.localdate(cutoff))
        )
        .select_related("expert")
        .order_by("pk")
    )
    found = []
    for deployment in deployments:
        departed_on: date = deployment.actual_start  # type: ignore[assignment]  # deployed: started
        since = silent_since(last_check_in=deployment.last_check_in_at, departed_on=departed_on)
        misses = missed_check_ins(last_check_in=deployment.last_check_in_at, departed_on=departed_on, now=now)
        if misses < 1:
            continue
        escalated = misses >= 2
        found.append(
            Reminder(
                kind=NotificationKind.SAFETY_CHECK_IN,
                cause=f"check-in:deployment-{deployment.pk}:after-{deployment.last_check_in_id or 'departure'}",
                level=NotificationLevel.ESCALATED if escalated else NotificationLevel.REMINDER,
                subject=_("ESCALATED: %(expert)s has missed %(misses)s safety check-ins")
                if escalated
                else _("Safety check-in overdue: %(expert)s"),
                body=_(
                    "No safety check-in has been recorded for %(expert)s (deployment #%(id)s, %(country)s) "
                    "since %(since)s. Check-ins are due every %(days)s days. Contact the official now."
                ),
                params={
                    "expert": deployment.expert,
                    "misses": misses,
                    "id": deployment.pk,
                    "country": deployment.country.name,  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
                    "since": timezone.localtime(since).strftime("%Y-%m-%d %H:%M"),
                    "days": settings.SAFETY_CHECKIN_INTERVAL_DAYS,
                },
                link=_deployment_link(deployment.pk),
            )
        )
    return found


def overdue_completion_reports(today: date) -> list[Reminder]:
    """Returned deployments without a completion report 30 days after the return."""
    deployments = (
        Deployment.objects.filter(
            status=S.RETURNED,
            completion_report="",
            actual_end__lte=today - timedelta(days=COMPLETION_REPORT_DUE_DAYS),
        )
        .select_related("expert")
        .order_by("pk")
    )
    return [
        Reminder(
            kind=NotificationKind.COMPLETION_REPORT,
            cause=f"completion-report:deployment-{deployment.pk}:{deployment.actual_end.isoformat()}",  # type: ignore[union-attr]  # returned: ended
            subject=_("Completion report overdue: %(expert)s"),
            body=_(
                "%(expert)s returned from deployment #%(id)s (%(country)s) on %(date)s; "
                "the completion report is still missing."
            ),
            params={
                "expert": deployment.expert,
                "id": deployment.pk,
                "country": deployment.country.name,  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
                "date": deployment.actual_end,
            },
            link=_deployment_link(deployment.pk),
        )
        for deployment in deployments
    ]


def due_reminders(now: datetime) -> list[Reminder]:
    today = timezone.localdate(now)
    return [
        *expiring_documents(today),
        *documents_short_of_deployments(today),
        *departures_with_open_checklist(today),
        *overdue_check_ins(now),
        *overdue_completion_reports(today),
    ]
