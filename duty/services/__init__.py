"""Writes with rules of the duty-of-care records; each module holds one part."""

from .incidents import (
    incident_close,
    incident_import_cap,
    incident_import_cap_feed,
    incident_open,
    roll_call_mark,
)

__all__ = ["incident_close", "incident_import_cap", "incident_import_cap_feed", "incident_open", "roll_call_mark"]
