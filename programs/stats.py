"""Portfolio figures for the dashboard: each one SQL aggregate, returned as plain data.

"Active" means running at some time in the period (an open end counts as running) and
not cancelled. A project's country is its own, or its program's when it names none.
Regions overlap, so a program in Indonesia counts for ASEAN and the Indo-Pacific alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Sum

from cooperation.models import CooperationField, Region
from cooperation.periods import Period, fiscal_year_of

from .models import Funding, Indicator, Status
from .publication import published_programs, published_projects
from .selectors import (
    InArray,
    Progress,
    SubqueryCount,
    active_programs,
    active_projects,
    indicators_with_progress,
    project_country,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def _counts(key: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: row["code"], "name": row["name"], "programs": row["program_count"], "projects": row["project_count"]}


def active_programs_by_country(period: Period) -> list[dict[str, Any]]:
    """[{"country": "ID", "programs": 2}, …]; regional programs (no country) are left out."""
    rows = (
        active_programs(period)
        .exclude(country="")
        .order_by()
        .values("country")
        .annotate(programs=Count("pk"))
        .order_by("country")
    )
    return [dict(row) for row in rows]


def active_projects_by_country(period: Period) -> list[dict[str, Any]]:
    """[{"country": "ID", "projects": 3}, …]."""
    rows = (
        active_projects(period)
        .annotate(in_country=project_country())
        .exclude(in_country="")
        .order_by()
        .values("in_country")
        .annotate(projects=Count("pk"))
        .order_by("in_country")
    )
    return [{"country": row["in_country"], "projects": row["projects"]} for row in rows]


def active_by_region(period: Period) -> list[dict[str, Any]]:
    """[{"region": "asean", "name": "ASEAN", "programs": 2, "projects": 3}, …] for every region."""
    programs = active_programs(period).filter(InArray(F("country"), OuterRef("countries"))).values("pk")
    projects = active_projects(period).filter(InArray(project_country(), OuterRef("countries"))).values("pk")
    rows = (
        Region.objects.annotate(program_count=SubqueryCount(programs), project_count=SubqueryCount(projects))
        .order_by("code")
        .values("code", "name", "program_count", "project_count")
    )
    return [_counts("region", row) for row in rows]


def active_by_field(period: Period) -> list[dict[str, Any]]:
    """[{"field": "traffic-police", "name": …, "programs": 1, "projects": 1}, …], fields in use only."""
    programs = active_programs(period).filter(fields=OuterRef("pk")).values("pk")
    projects = active_projects(period).filter(fields=OuterRef("pk")).values("pk")
    rows = (
        CooperationField.objects.annotate(program_count=SubqueryCount(programs), project_count=SubqueryCount(projects))
        .filter(Q(program_count__gt=0) | Q(project_count__gt=0))
        .order_by("code")
        .values("code", "name", "program_count", "project_count")
    )
    return [_counts("field", row) for row in rows]


def funding_by_fiscal_year(period: Period) -> list[dict[str, Any]]:
    """Totals per Japanese fiscal year, funding organization and currency, for the fiscal
    years that overlap the period: [{"fiscal_year": 2012, "organization": "jica",
    "currency": "JPY", "amount": Decimal(…)}, …]. Money of cancelled programs or
    projects does not count; currencies are never added together."""
    first, last = fiscal_year_of(period.start), fiscal_year_of(period.end)
    rows = (
        Funding.objects.filter(fiscal_year__gte=first, fiscal_year__lte=last, program__archived_at__isnull=True)
        .exclude(program__status=Status.CANCELLED)
        .exclude(project__status=Status.CANCELLED)
        .order_by()
        .values("fiscal_year", "organization__code", "currency")
        .annotate(amount=Sum("amount"))
        .order_by("fiscal_year", "organization__code", "currency")
    )
    return [
        {
            "fiscal_year": row["fiscal_year"],
            "organization": row["organization__code"],
            "currency": row["currency"],
            "amount": row["amount"],
        }
        for row in rows
    ]


def _indicators_as_of(period: Period) -> QuerySet[WithAnnotations[Indicator, Progress]]:
    return indicators_with_progress(
        Indicator.objects.exclude(project__status=Status.CANCELLED).filter(project__program__archived_at__isnull=True),
        as_of=period.end,
    )


def indicator_progress(period: Period) -> list[dict[str, Any]]:
    """Each indicator's latest value up to the end of the period and its progress
    (0 at the baseline, 1 at the target)."""
    rows = (
        _indicators_as_of(period)
        .order_by("project__code", "name", "pk")
        .values(
            "pk",
            "name",
            "unit",
            "project__code",
            "baseline_value",
            "target_value",
            "target_date",
            "latest_value",
            "latest_period_end",
            "progress",
        )
    )
    return [
        {
            "indicator": row.pop("pk"),  # type: ignore[misc]  # values() rows are plain dicts
            "project": row.pop("project__code"),  # type: ignore[misc]  # likewise
            **row,
        }
        for row in rows
    ]


def indicator_progress_summary(period: Period) -> dict[str, Any]:
    """How many indicators there are, how many have a value, how many met their target,
    and their average progress, as of the end of the period."""
    summary: dict[str, Any] = _indicators_as_of(period).aggregate(
        indicators=Count("pk"),
        with_values=Count("pk", filter=Q(latest_value__isnull=False)),
        targets_met=Count("pk", filter=Q(progress__gte=1)),
        average_progress=Avg("progress"),
    )
    return summary


def _runs_in(row: Mapping[str, Any], period: Period) -> bool:
    return row["start_date"] <= period.end and (row["end_date"] is None or row["end_date"] >= period.start)


def published_figures_by_fiscal_year(today: date) -> list[dict[str, Any]]:
    """The public headline: for each Japanese fiscal year from the first published
    program to the current one, newest first, how many published programs and projects
    ran, in how many countries, and the money of published records per currency:
    [{"fiscal_year": 2012, "programs": 2, "projects": 3, "countries": 2,
      "funding": [("JPY", Decimal(…))]}, …]. Aggregates only; cancelled records and
    years with nothing running are left out."""
    live_programs = published_programs().exclude(status=Status.CANCELLED)
    live_projects = published_projects().exclude(status=Status.CANCELLED)
    programs = list(live_programs.values("start_date", "end_date", "country"))
    if not programs:
        return []
    projects = list(live_projects.annotate(in_country=project_country()).values("start_date", "end_date", "in_country"))
    money: dict[int, list[tuple[str, Any]]] = {}
    fundings = (
        Funding.objects.filter(program__in=live_programs)
        .filter(Q(project__isnull=True) | Q(project__in=live_projects))
        .order_by()
        .values("fiscal_year", "currency")
        .annotate(amount=Sum("amount"))
        .order_by("fiscal_year", "currency")
    )
    for row in fundings:
        money.setdefault(row["fiscal_year"], []).append((row["currency"], row["amount"]))
    first = fiscal_year_of(min(row["start_date"] for row in programs))
    rows = []
    for year in range(fiscal_year_of(today), first - 1, -1):
        period = Period.fiscal_year(year)
        running_programs = [row for row in programs if _runs_in(row, period)]
        running_projects = [row for row in projects if _runs_in(row, period)]
        if not running_programs and not running_projects and year not in money:
            continue
        countries = {row["country"] for row in running_programs} | {row["in_country"] for row in running_projects}
        countries.discard("")
        countries.discard(None)
        rows.append(
            {
                "fiscal_year": year,
                "programs": len(running_programs),
                "projects": len(running_projects),
                "countries": len(countries),
                "funding": money.get(year, []),
            }
        )
    return rows
