"""The figures managers report about experts abroad and relief missions; each one SQL aggregate.

Definitions (DESIGN.md): an expert is dispatched by a technical-cooperation deployment
that departed (deployed, returned or closed). For a period, experts *newly dispatched*
are the distinct experts with such a deployment whose actual start lies in it; experts
dispatched *in total* are those with such a deployment whose actual dates overlap it,
continuing ones included (one still abroad runs to its planned end). Deployments not yet
departed (requested, nominated, preparing) are not dispatched: they are counted apart as
*planned deployments*. Cancelled deployments never count.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from cooperation.models import Organization
from cooperation.notifications.reminders import Reminder
from cooperation.periods import Period

from . import reminders
from .choices import DeploymentKind, MissionKind, MissionStatus, TeamType, Term
from .models import Deployment, Mission
from .models.deployments import NOT_YET_DEPARTED, WENT_ABROAD, effective_start

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_UNODC_STAFF_TARGET = 32
Breakdown = Literal["country", "field", "term"]
BREAKDOWN_KEYS = {
    "country": ("country",),
    "field": ("project__fields__code", "project__fields__name"),
    "term": ("term",),
}


def secondment_targets() -> dict[str, int]:
    """Staffing targets per international organization, by organization code."""
    return {"unodc": getattr(settings, "UNODC_STAFF_TARGET", DEFAULT_UNODC_STAFF_TARGET)}


def _dispatched(period: Period, kind: str) -> QuerySet[Deployment]:
    # A departed deployment always has its actual start (a database rule), so its effective
    # dates are the actual ones: the period places it by when the expert really left.
    return Deployment.objects.filter(kind=kind, expert__isnull=False, status__in=WENT_ABROAD).overlapping(
        period.start, period.end
    )


def _starts_in(period: Period) -> Q:
    return Q(GreaterThanOrEqual(effective_start(), period.start), LessThanOrEqual(effective_start(), period.end))


def _counts(period: Period) -> dict[str, Any]:
    return {
        "new": Count("expert", distinct=True, filter=_starts_in(period)),
        "total": Count("expert", distinct=True),
    }


def experts_dispatched(period: Period, *, kind: str = DeploymentKind.TECHNICAL_COOPERATION) -> dict[str, int]:
    """{"new": …, "total": …} for the period."""
    return _dispatched(period, kind).aggregate(**_counts(period))


def experts_dispatched_by(
    period: Period, by: Breakdown, *, kind: str = DeploymentKind.TECHNICAL_COOPERATION
) -> list[dict[str, Any]]:
    """New and total experts per country, cooperation field (of the project) or term.

    An expert on a project of several fields counts once in each of them.
    """
    keys = BREAKDOWN_KEYS[by]
    rows = _dispatched(period, kind).values(*keys).annotate(**_counts(period)).order_by(*keys)
    return [{"key": row[keys[0]], "label": row[keys[-1]], "new": row["new"], "total": row["total"]} for row in rows]


def planned_deployments(period: Period, *, kind: str = DeploymentKind.TECHNICAL_COOPERATION) -> int:
    """Deployments requested, nominated or preparing (not departed, not cancelled) whose
    planned dates overlap the period; with or without a nominee, each counts once."""
    return (
        Deployment.objects.filter(kind=kind, status__in=NOT_YET_DEPARTED).overlapping(period.start, period.end).count()
    )


def _abroad_on(day: date, prefix: str = "") -> Q:
    """Gone and not yet back on `day`; someone deployed without a recorded return is still away."""
    return Q(
        **{f"{prefix}status__in": WENT_ABROAD, f"{prefix}actual_start__lte": day},
    ) & (Q(**{f"{prefix}actual_end__gte": day}) | Q(**{f"{prefix}actual_end__isnull": True}))


def term_label(code: str) -> StrOrPromise:
    """The reader's words for a deployment term (a `term` breakdown's key)."""
    return Term(code).label


def experts_abroad_on(day: date | None = None) -> dict[str, Any]:
    """Distinct experts abroad on `day` (today by default), in all and per kind of deployment."""
    day = day or timezone.localdate()
    counts = {"total": Count("expert", distinct=True)}
    counts.update({kind: Count("expert", distinct=True, filter=Q(kind=kind)) for kind in DeploymentKind.values})
    return Deployment.objects.filter(_abroad_on(day)).aggregate(**counts)


def secondees_by_organization(day: date | None = None) -> list[dict[str, Any]]:
    """Experts seconded to each international organization on `day`, with its target where set."""
    day = day or timezone.localdate()
    targets = secondment_targets()
    seconded = _abroad_on(day, "hosted_deployments__") & Q(hosted_deployments__kind=DeploymentKind.SECONDMENT)
    organizations = (
        Organization.objects.annotate(secondees=Count("hosted_deployments__expert", distinct=True, filter=seconded))
        .filter(Q(secondees__gt=0) | Q(code__in=targets))
        .order_by("name")
    )
    return [
        {
            "organization": organization.code,
            "name": str(organization),
            "secondees": organization.secondees,
            "target": targets.get(organization.code),
        }
        for organization in organizations
    ]


# --- disaster relief and civilian police ---------------------------------------------------

# The Law Concerning Dispatch of the Japan Disaster Relief Team took effect on 16 September
# 1987; the International Peace Cooperation Law on 10 August 1992. Cumulative figures count
# from these days.
JDR_LAW_IN_FORCE = date(1987, 9, 16)
PKO_LAW_IN_FORCE = date(1992, 8, 10)


def mission_date() -> Coalesce:
    """A mission's day: its departure, or the request where no departure is recorded."""
    return Coalesce(F("departure_on"), F("requested_on"))


def mission_officers() -> Coalesce:
    """Police officers of a mission: the published number where given, else its members."""
    members = (
        Deployment.objects.filter(mission=OuterRef("pk"))
        .not_cancelled()
        .order_by()
        .values("mission")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(F("police_officers_reported"), Subquery(members, output_field=IntegerField()), 0)


def _missions(kind: str, start: date | None = None, end: date | None = None) -> QuerySet[Mission]:
    missions = Mission.objects.exclude(status=MissionStatus.CANCELLED).filter(kind=kind).alias(day=mission_date())
    if start is not None:
        missions = missions.filter(day__gte=start)
    if end is not None:
        missions = missions.filter(day__lte=end)
    return missions


def missions_per_year(*, kind: str = MissionKind.DISASTER_RELIEF) -> list[dict[str, Any]]:
    """Missions and officers sent, per calendar year of the mission."""
    rows = (
        _missions(kind)
        .annotate(year=ExtractYear("day"))
        .values("year")
        .annotate(missions=Count("pk"), officers=Sum(mission_officers()))
        .order_by("year")
    )
    return [{"year": row["year"], "missions": row["missions"], "officers": row["officers"]} for row in rows]


def missions_in(period: Period, *, kind: str = MissionKind.DISASTER_RELIEF) -> dict[str, int]:
    totals = _missions(kind, period.start, period.end).aggregate(missions=Count("pk"), officers=Sum(mission_officers()))
    return {"missions": totals["missions"], "officers": totals["officers"] or 0}


def civilian_police_in(period: Period) -> dict[str, int]:
    """Civilian-police missions and the officials they sent in the period."""
    return missions_in(period, kind=MissionKind.CIVILIAN_POLICE)


def _cumulative(kind: str, since: date, until: date | None) -> dict[str, int]:
    until = until or timezone.localdate()
    totals = _missions(kind, since, until).aggregate(
        missions=Count("pk"), officers=Sum(mission_officers()), countries=Count("country", distinct=True)
    )
    return {"missions": totals["missions"], "officers": totals["officers"] or 0, "countries": totals["countries"]}


def relief_cumulative(until: date | None = None) -> dict[str, int]:
    """Disaster-relief missions, officers and distinct countries/regions since the 1987 law, up to `until`."""
    return _cumulative(MissionKind.DISASTER_RELIEF, JDR_LAW_IN_FORCE, until)


def civilian_police_cumulative(until: date | None = None) -> dict[str, int]:
    """Civilian-police missions, officials and distinct countries/regions since the 1992 law."""
    return _cumulative(MissionKind.CIVILIAN_POLICE, PKO_LAW_IN_FORCE, until)


def missions_by_team_type(
    period: Period | None = None, *, kind: str = MissionKind.DISASTER_RELIEF
) -> list[dict[str, Any]]:
    """Missions and officers per team type, for a period or since the law."""
    since = JDR_LAW_IN_FORCE if kind == MissionKind.DISASTER_RELIEF else PKO_LAW_IN_FORCE
    start, end = (period.start, period.end) if period else (since, None)
    rows = (
        _missions(kind, start, end)
        .values("team_type")
        .annotate(missions=Count("pk"), officers=Sum(mission_officers()))
        .order_by("team_type")
    )
    return [{"team_type": row["team_type"], "missions": row["missions"], "officers": row["officers"]} for row in rows]


def team_type_label(code: str) -> StrOrPromise:
    """The reader's words for a mission's team type (a `missions_by_team_type` row's key)."""
    return TeamType(code).label


# --- the watch list ----------------------------------------------------------------------


def needing_attention(now: datetime) -> dict[str, list[Reminder]]:
    """What needs someone's attention now to keep officials safe, worded as the daily reminders are.

    "documents": passports and medical clearances running out, or short of a deployment;
    "departures": departures soon with the checklist unfinished; "check_ins": officials
    abroad with a safety check-in overdue.
    """
    today = timezone.localdate(now)
    return {
        "documents": [*reminders.expiring_documents(today), *reminders.documents_short_of_deployments(today)],
        "departures": reminders.departures_with_open_checklist(today),
        "check_ins": reminders.overdue_check_ins(now),
    }
