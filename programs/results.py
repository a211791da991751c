"""Progress of indicators period by period, and its roll-up from projects to the program.

Only approved values count. The definitions (docs/figures.md, "Results by period"):

- a period's actual combines its approved values by the indicator's aggregation: sum →
  their sum; latest → the value approved last; average → their mean;
- the cumulative actual up to a period: sum → the running total of the period actuals;
  latest → the actual of the latest period that has one; average → the mean of the
  period actuals so far. Cumulative targets follow the same rule over the period targets;
- percent = actual / target × 100; `met` reads it with the indicator's direction
  (higher is better: actual ≥ target; lower is better: actual ≤ target);
- a program indicator's period pools the approved values of its project indicators'
  periods that lie within its dates, and combines them by its own aggregation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .choices import Aggregation, Direction, ValueStatus
from .models import Indicator, IndicatorPeriod, PeriodValue

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PeriodProgress:
    start: date
    end: date
    # The indicator's own period; None for a rolled-up period its program indicator lacks.
    period: IndicatorPeriod | None
    target: Decimal | None
    actual: Decimal | None
    cumulative_target: Decimal | None
    cumulative_actual: Decimal | None
    percent: Decimal | None
    cumulative_percent: Decimal | None
    met: bool | None
    cumulative_met: bool | None


def combine(values: Sequence[Decimal], aggregation: str) -> Decimal | None:
    """Values in the order they were approved (or of their periods), combined; None if none."""
    if not values:
        return None
    if aggregation == Aggregation.SUM:
        return sum(values, Decimal(0))
    if aggregation == Aggregation.LATEST:
        return values[-1]
    return sum(values, Decimal(0)) / len(values)


def _percent(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    if actual is None or not target:
        return None
    return actual / target * HUNDRED


def _met(actual: Decimal | None, target: Decimal | None, direction: str) -> bool | None:
    if actual is None or target is None:
        return None
    return actual >= target if direction == Direction.HIGHER else actual <= target


@dataclass(frozen=True)
class _Row:
    start: date
    end: date
    period: IndicatorPeriod | None
    target: Decimal | None
    values: list[Decimal]


def _progress(rows: list[_Row], aggregation: str, direction: str) -> list[PeriodProgress]:
    progress = []
    actuals: list[Decimal] = []
    targets: list[Decimal] = []
    for row in rows:
        actual = combine(row.values, aggregation)
        if actual is not None:
            actuals.append(actual)
        if row.target is not None:
            targets.append(row.target)
        cumulative_actual = combine(actuals, aggregation)
        cumulative_target = combine(targets, aggregation)
        progress.append(
            PeriodProgress(
                start=row.start,
                end=row.end,
                period=row.period,
                target=row.target,
                actual=actual,
                cumulative_target=cumulative_target,
                cumulative_actual=cumulative_actual,
                percent=_percent(actual, row.target),
                cumulative_percent=_percent(cumulative_actual, cumulative_target),
                met=_met(actual, row.target, direction),
                cumulative_met=_met(cumulative_actual, cumulative_target, direction),
            )
        )
    return progress


def _approved(**filters) -> list[PeriodValue]:
    return list(
        PeriodValue.objects.filter(status=ValueStatus.APPROVED, **filters)
        .select_related("period")
        .order_by("reviewed_at", "pk")
    )


def period_progress(indicator: Indicator) -> list[PeriodProgress]:
    """The indicator's periods in date order with target, actual and their running figures."""
    periods = list(indicator.periods.order_by("start"))
    values: dict[int, list[Decimal]] = {period.pk: [] for period in periods}
    for value in _approved(period__indicator=indicator):
        values[value.period_id].append(value.value)
    rows = [_Row(p.start, p.end, p, p.target, values[p.pk]) for p in periods]
    return _progress(rows, indicator.aggregation, indicator.direction)


def rolled_up_progress(program_indicator: Indicator) -> list[PeriodProgress]:
    """The program indicator's progress from the approved values of its project indicators.

    Its own periods set the dates and targets; without periods of its own, the distinct
    periods of its project indicators do, their targets combined by its aggregation."""
    own = list(program_indicator.periods.order_by("start"))
    windows: list[tuple[date, date, IndicatorPeriod | None, Decimal | None]]
    child_values = _approved(period__indicator__parent=program_indicator)
    if own:
        windows = [(p.start, p.end, p, p.target) for p in own]
    else:
        child_periods = IndicatorPeriod.objects.filter(indicator__parent=program_indicator).order_by("start", "end")
        by_dates: dict[tuple[date, date], list[Decimal]] = {}
        for period in child_periods:
            targets = by_dates.setdefault((period.start, period.end), [])
            if period.target is not None:
                targets.append(period.target)
        windows = [
            (start, end, None, combine(targets, program_indicator.aggregation))
            for (start, end), targets in by_dates.items()
        ]
    rows = [
        _Row(
            start,
            end,
            period,
            target,
            [v.value for v in child_values if start <= v.period.start and v.period.end <= end],
        )
        for start, end, period, target in windows
    ]
    return _progress(rows, program_indicator.aggregation, program_indicator.direction)
