"""Counts of officials abroad: what managers may read (never names, places or contacts)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django_countries import countries

from .selectors import officials_present


@dataclass(frozen=True)
class CountryHeadcount:
    country: str
    name: str
    officials: int


def headcount_by_country(on: date) -> list[CountryHeadcount]:
    """Distinct officials abroad on `on`, per country, most first.

    Counted from `officials_present`, so the count and the staff's list cannot disagree
    on who is abroad; an official on a deployment and a side trip in one country counts once.
    """
    officials: dict[str, set[int]] = defaultdict(set)
    for presence in officials_present(on):
        officials[presence.country].add(presence.expert_id)
    found = [CountryHeadcount(code, str(countries.name(code)), len(ids)) for code, ids in officials.items()]
    return sorted(found, key=lambda row: (-row.officials, row.name))
