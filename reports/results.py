"""Targets against actuals for one program and one fiscal year: the page, the CSV and the
XLSX from one table.

One row per indicator and reporting period overlapping the fiscal year: the program's
own indicators first (rolled up from their project indicators where these are linked to
them), then each project's. Only approved values count (programs.results). Each
category of a breakdown gets a target column and an actual column; a category's actual
combines the approved amounts of the period by the indicator's aggregation, as the
period's actual does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperation.periods import Period
from cooperation.spreadsheets import Sheet, workbook_bytes
from programs.choices import ValueStatus
from programs.models import Indicator, PeriodTargetBreakdown, PeriodValueBreakdown, Program
from programs.results import PeriodProgress, combine, period_progress, rolled_up_progress

from .tables import Column, Table

PERCENT_PLACES = Decimal("0.1")

BASE_COLUMNS = [
    Column("level", gettext_lazy("Level")),
    Column("indicator", gettext_lazy("Indicator")),
    Column("unit", gettext_lazy("Unit")),
    Column("direction", gettext_lazy("Direction")),
    Column("period_start", gettext_lazy("Period start")),
    Column("period_end", gettext_lazy("Period end")),
    Column("baseline", gettext_lazy("Baseline"), numeric=True),
    Column("target", gettext_lazy("Target"), numeric=True),
    Column("actual", gettext_lazy("Actual"), numeric=True),
    Column("cumulative_target", gettext_lazy("Cumulative target"), numeric=True),
    Column("cumulative_actual", gettext_lazy("Cumulative actual"), numeric=True),
    Column("percent", gettext_lazy("% of target"), numeric=True),
    Column("cumulative_percent", gettext_lazy("Cumulative % of target"), numeric=True),
]


@dataclass(frozen=True)
class CategoryKey:
    """A category as a column: categories of the same name under the same breakdown name
    share a column across indicators (every indicator broken down by gender fills the
    same "gender: female" columns)."""

    disaggregation: str
    category: str


def _rounded(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else percent.quantize(PERCENT_PLACES)


def _indicators(program: Program) -> list[tuple[str, Indicator, list[PeriodProgress]]]:
    """(level, indicator, progress) in reading order: the program's own, then each project's."""
    own = Indicator.objects.filter(program=program).order_by("name", "pk")
    projects = Indicator.objects.filter(project__program=program).select_related("project")
    rows = []
    for indicator in own:
        rolled_up = indicator.children.exists()
        progress = rolled_up_progress(indicator) if rolled_up else period_progress(indicator)
        rows.append((_("Program"), indicator, progress))
    for indicator in projects.order_by("project__code", "name", "pk"):
        rows.append((indicator.project.code, indicator, period_progress(indicator)))  # type: ignore[union-attr]  # a project indicator has its project
    return rows


def _category_figures(
    period_ids: list[int],
) -> tuple[dict[tuple[int, CategoryKey], Decimal], dict[tuple[int, CategoryKey], list[Decimal]]]:
    """Targets and approved amounts by (period id, category), in the order of approval."""
    targets = {
        (row.period_id, CategoryKey(row.category.disaggregation.name, row.category.name)): row.target
        for row in PeriodTargetBreakdown.objects.filter(period__in=period_ids).select_related(
            "category__disaggregation"
        )
    }
    amounts: dict[tuple[int, CategoryKey], list[Decimal]] = defaultdict(list)
    approved = (
        PeriodValueBreakdown.objects.filter(
            period_value__period__in=period_ids, period_value__status=ValueStatus.APPROVED
        )
        .select_related("category__disaggregation", "period_value")
        .order_by("period_value__reviewed_at", "period_value__pk")
    )
    for row in approved:
        key = CategoryKey(row.category.disaggregation.name, row.category.name)
        amounts[row.period_value.period_id, key].append(row.amount)
    return targets, amounts


def _category_columns(keys: set[CategoryKey]) -> list[tuple[CategoryKey, Column, Column]]:
    columns = []
    for index, key in enumerate(sorted(keys, key=lambda k: (k.disaggregation, k.category))):
        name = f"{key.disaggregation}: {key.category}"
        columns.append(
            (
                key,
                Column(f"category_{index}_target", _("%(category)s — target") % {"category": name}, numeric=True),
                Column(f"category_{index}_actual", _("%(category)s — actual") % {"category": name}, numeric=True),
            )
        )
    return columns


def targets_vs_actuals(program: Program, fiscal_year: int) -> Table:
    year = Period.fiscal_year(fiscal_year)
    lines = []
    for level, indicator, progress in _indicators(program):
        for step in progress:
            if step.start <= year.end and step.end >= year.start:
                lines.append((level, indicator, step))
    period_ids = [step.period.pk for _, _, step in lines if step.period is not None]
    targets, amounts = _category_figures(period_ids)
    categories = _category_columns({key for _, key in (*targets, *amounts)})
    rows = []
    for level, indicator, step in lines:
        row: dict[str, Any] = {
            "level": level,
            "indicator": indicator.name,
            "unit": indicator.unit,
            "direction": indicator.get_direction_display(),
            "period_start": step.start,
            "period_end": step.end,
            "baseline": indicator.baseline_value,
            "target": step.target,
            "actual": step.actual,
            "cumulative_target": step.cumulative_target,
            "cumulative_actual": step.cumulative_actual,
            "percent": _rounded(step.percent),
            "cumulative_percent": _rounded(step.cumulative_percent),
        }
        if step.period is not None:
            for key, target_column, actual_column in categories:
                row[target_column.key] = targets.get((step.period.pk, key))
                row[actual_column.key] = combine(amounts.get((step.period.pk, key), []), indicator.aggregation)
        rows.append(row)
    columns = [*BASE_COLUMNS, *(column for _, target, actual in categories for column in (target, actual))]
    return Table(key="targets-vs-actuals", title=gettext_lazy("Targets and actuals"), columns=columns, rows=rows)


def shown(value: Any) -> str:
    """A cell as the page shows it: numbers without trailing zeros, a dash for nothing."""
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    return str(value)


def report_title(program: Program, fiscal_year: int) -> str:
    year = Period.fiscal_year(fiscal_year)
    return _("%(program)s — targets and actuals, %(year)s (%(start)s – %(end)s)") % {
        "program": f"{program.code} {program.title}",
        "year": year.name,
        "start": year.start.isoformat(),
        "end": year.end.isoformat(),
    }


def targets_vs_actuals_workbook(table: Table, *, title: str) -> bytes:
    """One sheet named in the reader's language: a title row naming the program and the
    year, the column headings, then the rows with numbers and dates stored as such."""
    sheet = Sheet(title=str(table.title), numeric_columns=[column.numeric for column in table.columns])
    sheet.append([title], bold=True, size=12)
    sheet.append([str(column.label) for column in table.columns], bold=True)
    for row in table.cells():
        sheet.append(row)
    return workbook_bytes([sheet])
