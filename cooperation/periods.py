"""Calendar years and Japanese fiscal years (April 1 – March 31) as date periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FISCAL_YEAR_START_MONTH = 4


@dataclass(frozen=True)
class Period:
    """Both ends included."""

    start: date
    end: date
    label: str

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), str(year))

    @classmethod
    def fiscal_year(cls, year: int) -> Period:
        """Fiscal year 2012 runs from 1 April 2012 to 31 March 2013."""
        return cls(date(year, FISCAL_YEAR_START_MONTH, 1), date(year + 1, FISCAL_YEAR_START_MONTH - 1, 31), f"FY{year}")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def fiscal_year_of(day: date) -> int:
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1
