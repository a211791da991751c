"""Calendar years and Japanese fiscal years (April 1 – March 31) as date periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext

FISCAL_YEAR_START_MONTH = 4


def fiscal_year_name(year: int) -> str:
    """The one way a fiscal year is written for readers: "FY2012" in English, "2012年度" in Japanese."""
    return gettext("FY%(year)s") % {"year": year}


@dataclass(frozen=True)
class Period:
    """Both ends included. `label` is the period's key (stored figures, file names, the
    API); `name` is how a reader sees it, in the active language."""

    start: date
    end: date
    label: str
    fiscal: bool = False

    @property
    def name(self) -> str:
        return fiscal_year_name(self.start.year) if self.fiscal else self.label

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), str(year))

    @classmethod
    def fiscal_year(cls, year: int) -> Period:
        """Fiscal year 2012 runs from 1 April 2012 to 31 March 2013."""
        return cls(
            date(year, FISCAL_YEAR_START_MONTH, 1),
            date(year + 1, FISCAL_YEAR_START_MONTH - 1, 31),
            f"FY{year}",
            fiscal=True,
        )

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def fiscal_year_of(day: date) -> int:
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1
