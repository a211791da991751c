"""The figures managers report about experts abroad and relief missions; each one SQL aggregate.

Definitions (DESIGN.md): an expert is dispatched by a technical-cooperation deployment
that departed (deployed, returned or closed). For a period, experts *newly dispatched*
are the distinct experts with such a deployment whose actual start lies in it; experts
dispatched *in total* are those with such a deployment whose actual dates overlap it,
continuing ones included (one still abroad runs to its planned end). Deployments not yet
departed (requested, nominated, preparing) are not dispatched: they are counted apart as
*planned deployments*. Cancelled deployments never count.

Cumulative relief and peace-operation figures count from the day their law took effect,
and add the opening balances dated by the day in question (models/balances.py): cumulative
= recorded + opening balance, set beside the published checkpoints by
`checkpoint_reconciliation`. docs/figures.md gives every definition.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, JSONObject
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from cooperation.models import Organization
from cooperation.notifications.reminders import Reminder
from cooperation.periods import Period

from . import reminders
from .choices import CumulativeFigure, DeploymentKind, MissionKind, MissionStatus, TeamType, Term
from .models import Deployment, FigureCheckpoint, Mission, OpeningBalance
from .models.balances import FIGURE_MISSIONS, LAW_IN_FORCE
from .models.balances import JDR_LAW_IN_FORCE as JDR_LAW_IN_FORCE
from .models.balances import PKO_LAW_IN_FORCE as PKO_LAW_IN_FORCE
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


def _missions(kind: str, start: date | None = None, end: date | OuterRef | None = None) -> QuerySet[Mission]:
    """Missions of a kind not cancelled, by their day; `end` may be an outer query's day."""
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


def _officers() -> Aggregate:
    return Sum(mission_officers())


def _countries() -> Aggregate:
    return Count("country", distinct=True)


# A cumulative figure's measure of the missions it counts.
MEASURES: dict[str, Callable[[], Aggregate]] = {"officers": _officers, "countries": _countries}


def _opening_balances(until: date) -> dict[str, int]:
    """Each cumulative figure's opening balances dated on or before `until`, summed."""
    totals = OpeningBalance.objects.filter(as_of__lte=until).aggregate(
        **{figure: Coalesce(Sum("value", filter=Q(figure=figure)), 0) for figure in CumulativeFigure.values}
    )
    return {figure: int(totals[figure]) for figure in CumulativeFigure.values}


def _cumulative(kind: str, until: date | None) -> dict[str, Any]:
    """Missions, officers and distinct countries/regions since the kind's law, up to `until`:
    what the records count, the opening balances dated by then, and their sum."""
    until = until or timezone.localdate()
    recorded = _missions(kind, LAW_IN_FORCE[kind], until).aggregate(
        missions=Count("pk"), **{measure: Coalesce(total(), 0) for measure, total in MEASURES.items()}
    )
    balances = _opening_balances(until)
    opening = {measure: balances[figure] for figure, (of_kind, measure) in FIGURE_MISSIONS.items() if of_kind == kind}
    return {
        "missions": recorded["missions"],
        **{measure: recorded[measure] + opening[measure] for measure in MEASURES},
        "recorded": {measure: recorded[measure] for measure in MEASURES},
        "opening_balance": opening,
    }


def relief_cumulative(until: date | None = None) -> dict[str, Any]:
    """Disaster relief since the 1987 law, up to `until`: missions recorded, and officers and
    distinct countries/regions, each the records' count plus the opening balances."""
    return _cumulative(MissionKind.DISASTER_RELIEF, until)


def civilian_police_cumulative(until: date | None = None) -> dict[str, Any]:
    """Peace operations (civilian police) since the 1992 law, counted as `relief_cumulative`."""
    return _cumulative(MissionKind.CIVILIAN_POLICE, until)


def _recorded_by_checkpoint(figure: str) -> Coalesce:
    """What the records count of `figure` from its law up to the outer checkpoint's day."""
    kind, measure = FIGURE_MISSIONS[CumulativeFigure(figure)]
    missions = (
        _missions(kind, LAW_IN_FORCE[kind], OuterRef("as_of"))
        .order_by()
        .values("kind")
        .annotate(total=MEASURES[measure]())
        .values("total")
    )
    return Coalesce(Subquery(missions, output_field=IntegerField()), 0)


def _in_figure_order() -> Case:
    """The figures in the order of their choices: relief before peace, people before places."""
    return Case(*(When(figure=figure, then=n) for n, figure in enumerate(CumulativeFigure.values)))


def checkpoint_reconciliation(until: date) -> list[dict[str, Any]]:
    """Each published checkpoint dated on or before `until` beside what the system counts as
    of its day: recorded + opening balance, and the difference from the published value
    (positive where the system counts more). Each row names the checkpoint's source and the
    opening balances it includes, with theirs. One query; dates as ISO text."""
    balances = (
        OpeningBalance.objects.filter(figure=OuterRef("figure"), as_of__lte=OuterRef("as_of"))
        .order_by()
        .values("figure")
    )
    rows = (
        FigureCheckpoint.objects.filter(as_of__lte=until)
        .annotate(
            recorded=Case(
                *(When(figure=figure, then=_recorded_by_checkpoint(figure)) for figure in CumulativeFigure.values),
                output_field=IntegerField(),
            ),
            opening_balance=Coalesce(
                Subquery(balances.annotate(total=Sum("value")).values("total"), output_field=IntegerField()), 0
            ),
            balance_sources=Subquery(
                balances.annotate(
                    sources=JSONBAgg(
                        JSONObject(
                            as_of=Cast("as_of", CharField()),
                            value="value",
                            source_title="source_title",
                            source_document="source_document",
                        ),
                        order_by="as_of",
                    )
                ).values("sources")
            ),
        )
        .order_by("as_of", _in_figure_order())
    )
    return [
        {
            "figure": row.figure,
            "as_of": row.as_of.isoformat(),
            "recorded": row.recorded,
            "opening_balance": row.opening_balance,
            "cumulative": row.recorded + row.opening_balance,
            "published": row.value,
            "difference": row.recorded + row.opening_balance - row.value,
            "source_title": row.source_title,
            "source_document": row.source_document,
            "balance_sources": row.balance_sources or [],
        }
        for row in rows
    ]


def cumulative_figure_label(code: str) -> StrOrPromise:
    """The reader's words for a cumulative figure (a `checkpoint_reconciliation` row's key)."""
    return CumulativeFigure(code).label


def missions_by_team_type(
    period: Period | None = None, *, kind: str = MissionKind.DISASTER_RELIEF
) -> list[dict[str, Any]]:
    """Missions and officers per team type, for a period or since the law."""
    start, end = (period.start, period.end) if period else (LAW_IN_FORCE[kind], None)
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
