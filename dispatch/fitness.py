"""When an expert's documents are good enough for a deployment.

Documents are judged against the deployment's dates, never against today: a passport
must outlast the planned end by six months (what most destinations demand at entry and
what leaves room for an extension), a medical clearance must cover the planned end.
"""

from __future__ import annotations

import calendar
from datetime import date

PASSPORT_MARGIN_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """The same day `months` later, held to the last day of a shorter month (31 Aug + 6 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def passport_required_until(planned_end: date) -> date:
    return add_months(planned_end, PASSPORT_MARGIN_MONTHS)


def passport_valid_for(expiry: date | None, planned_end: date) -> bool:
    return expiry is not None and expiry >= passport_required_until(planned_end)


def medical_valid_for(valid_until: date | None, planned_end: date) -> bool:
    return valid_until is not None and valid_until >= planned_end


# Standby members retrain at least yearly; older training no longer counts as current.
STANDBY_TRAINING_VALID_MONTHS = 12
# Readiness is judged for a standard relief stay of two weeks beginning on the day asked.
STANDARD_RELIEF_DAYS = 14


def oldest_current_training(on: date) -> date:
    """Training on or after this day is still current on `on`."""
    return add_months(on, -STANDBY_TRAINING_VALID_MONTHS)
