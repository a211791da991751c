"""The roster of experts, their deployments abroad, and the missions they join."""

from .balances import FigureCheckpoint, OpeningBalance
from .deployments import ChecklistItem, Deployment, DeploymentStatusChange, SafetyCheckIn
from .missions import DisasterEvent, Mission
from .roster import EmergencyContact, Expert, ExpertLanguage

__all__ = [
    "ChecklistItem",
    "Deployment",
    "DeploymentStatusChange",
    "DisasterEvent",
    "EmergencyContact",
    "Expert",
    "ExpertLanguage",
    "FigureCheckpoint",
    "Mission",
    "OpeningBalance",
    "SafetyCheckIn",
]
