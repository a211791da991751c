"""The multi-year statistics pack: every figure of the annual summary, year after year.

One year's pack is built during the request; a span of years is built by a worker
(`reports.tasks`) that reports its progress as it goes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from cooperation.periods import Period

from .summary import annual_summary, year_column
from .tables import Column, Table, tables_csv, tables_workbook

# Longest span one request may ask for: every year since the 1987 relief law, and then some.
MAX_YEARS = 60


def years_of(first: int, last: int, *, fiscal: bool) -> list[Period]:
    return [Period.fiscal_year(y) if fiscal else Period.calendar_year(y) for y in range(first, last + 1)]


def multi_year_tables(periods: list[Period], *, fiscal: bool, progress: Callable[[int], None] = lambda done: None):
    """The headline figures one row a year, and each breakdown with a period column in front."""
    period_column = year_column(fiscal=fiscal)
    headline_rows: list[dict] = []
    # Figures can differ from year to year (a newly hosting organization); keep every one seen.
    headline_columns: dict[str, Column] = {}
    breakdowns: dict[str, Table] = {}
    for done, period in enumerate(periods, start=1):
        summary = annual_summary(period, fiscal=fiscal, with_trends=False)
        for row in summary.headline.rows:
            headline_columns.setdefault(row["key"], Column(row["key"], row["label"], numeric=True))
        figures = {row["key"]: row["value"] for row in summary.headline.rows}
        headline_rows.append({"period": period.start.year, **figures})
        for table in summary.tables:
            combined = breakdowns.setdefault(
                table.key, Table(table.key, table.title, [period_column, *table.columns], [])
            )
            combined.rows += [{"period": period.start.year, **row} for row in table.rows]
        progress(done)
    summary_table = Table("summary", _("Figures by year"), [period_column, *headline_columns.values()], headline_rows)
    return [summary_table, *breakdowns.values()]


def render(tables: list[Table], file_format: str, *, periods: list[Period]) -> bytes:
    if file_format != "xlsx":
        return tables_csv(tables).encode("utf-8")
    span = f"{periods[0].name}–{periods[-1].name}"
    return tables_workbook(tables, period=span)
