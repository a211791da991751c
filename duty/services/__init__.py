"""Writes with rules for duty of care; each module holds one part (travel, incidents and roll calls)."""

from .incidents import (
    incident_close,
    incident_import_cap,
    incident_import_cap_feed,
    incident_open,
    roll_call_mark,
)

__all__ = ["incident_close", "incident_import_cap", "incident_import_cap_feed", "incident_open", "roll_call_mark"]
