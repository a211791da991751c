"""The duty-of-care tables; each module holds one part (travel, incidents and roll calls)."""

from .incidents import (
    ACCOUNTED_FOR,
    Incident,
    IncidentKind,
    IncidentSource,
    IncidentStatus,
    RollCallEntry,
    RollCallStatus,
    RollCallStatusChange,
)
from .travel import OfficialTravel

__all__ = [
    "ACCOUNTED_FOR",
    "Incident",
    "IncidentKind",
    "IncidentSource",
    "IncidentStatus",
    "OfficialTravel",
    "RollCallEntry",
    "RollCallStatus",
    "RollCallStatusChange",
]
