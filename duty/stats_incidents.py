"""Figures of the roll calls for the dashboard and the watch list: counts, never names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import ACCOUNTED_FOR, Incident, IncidentStatus, RollCallEntry


@dataclass(frozen=True)
class OpenRollCall:
    incident_id: int
    title: str
    listed: int
    unaccounted: int


def roll_call_counts() -> dict[str, Count]:
    """Annotations of an incident: officials on its roll call, and those not accounted for."""
    return {
        "listed": Count("roll_call"),
        "unaccounted": Count("roll_call", filter=~Q(roll_call__status__in=ACCOUNTED_FOR)),
    }


def with_roll_call_counts(incidents: QuerySet[Incident]) -> QuerySet[Any]:
    """The incidents, each with `listed` and `unaccounted` (see roll_call_counts)."""
    return incidents.annotate(**roll_call_counts())


def open_roll_calls() -> list[OpenRollCall]:
    """Each open incident with how many officials its roll call lists and how many are unaccounted for."""
    incidents = with_roll_call_counts(Incident.objects.filter(status=IncidentStatus.OPEN)).order_by(
        "-occurred_at", "-pk"
    )
    return [OpenRollCall(i.pk, i.title, i.listed, i.unaccounted) for i in incidents]


def unaccounted_in_open_roll_calls() -> int:
    """Officials not yet accounted for in the roll calls of open incidents (one per entry)."""
    return RollCallEntry.objects.filter(incident__status=IncidentStatus.OPEN).exclude(status__in=ACCOUNTED_FOR).count()
