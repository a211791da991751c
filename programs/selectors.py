"""Reads of the programs app that are more than a filter."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Lookup,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, Round

from cooperation.periods import Period

from .models import Indicator, Measurement, Program, Project, Status

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType
    from django_stubs_ext import WithAnnotations


class Progress(TypedDict):
    """What `indicators_with_progress` annotates on each indicator."""

    latest_value: Decimal | None
    latest_period_end: date | None
    progress: Decimal | None


class InArray(Lookup):
    """`value = ANY(array)`: match a country against a region's list of countries.

    Used as an expression, `filter(InArray(F("country"), OuterRef("countries")))`, to
    join rows to the overlapping regions they lie in."""

    lookup_name = "in_array"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


class SubqueryCount(Subquery):
    """The number of rows of a correlated subquery, as a column of the outer query
    (unlike Count, it needs no GROUP BY, so the outer query keeps its order)."""

    template = "(SELECT count(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def project_count() -> SubqueryCount:
    return SubqueryCount(Project.objects.filter(program=OuterRef("pk")).values("pk"))


def project_country() -> Coalesce:
    """A project's own country, or its program's when the project names none."""
    return Coalesce(NullIf(F("country"), Value("")), F("program__country"), output_field=CharField())


def projects_in_countries(queryset: QuerySet[Project], codes: Iterable[str]) -> QuerySet[Project]:
    """Projects in these countries: their own, or their program's when they name none."""
    return queryset.filter(Q(country__in=codes) | Q(country="", program__country__in=codes))


def overlapping(period: Period, start: str = "start_date", end: str = "end_date") -> Q:
    """Rows running at some time in the period (an empty end means still running)."""
    return Q(**{f"{start}__lte": period.end}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": period.start}))


def active_programs(period: Period) -> QuerySet[Program]:
    programs: QuerySet[Program] = Program.objects.exclude(status=Status.CANCELLED).filter(overlapping(period))
    return programs


def active_projects(period: Period) -> QuerySet[Project]:
    # A project of an archived program is withdrawn with it.
    projects: QuerySet[Project] = Project.objects.exclude(status=Status.CANCELLED).filter(
        overlapping(period), program__archived_at__isnull=True
    )
    return projects


def indicators_with_progress(
    queryset: QuerySet[Indicator], *, as_of: date | None = None
) -> QuerySet[WithAnnotations[Indicator, Progress]]:
    """Annotate the latest value (up to `as_of`) and progress from baseline to target.

    progress = (latest − baseline) / (target − baseline): 0 at the baseline, 1 at the
    target, whichever direction the target lies in. The target never equals the
    baseline (a check constraint), so the division is safe; no value gives no progress.
    """
    measurements = Measurement.objects.filter(indicator=OuterRef("pk"))
    if as_of is not None:
        measurements = measurements.filter(period_end__lte=as_of)
    latest = measurements.order_by("-period_end")
    annotated: QuerySet[WithAnnotations[Indicator, Progress]] = queryset.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_period_end=Subquery(latest.values("period_end")[:1]),
    ).annotate(
        progress=Round(
            ExpressionWrapper(
                (F("latest_value") - F("baseline_value")) / (F("target_value") - F("baseline_value")),
                output_field=DecimalField(),
            ),
            4,
        )
    )
    return annotated
