"""The duty-of-care tables; each module holds one part (travel, incidents and roll calls)."""

from .travel import OfficialTravel

__all__ = ["OfficialTravel"]
