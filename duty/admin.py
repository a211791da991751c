"""The staff's screens of the duty of care; each module registers one part."""

from . import admin_incidents  # noqa: F401
