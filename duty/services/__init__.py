"""Writes with rules for duty of care; each module holds one part (travel, incidents and roll calls)."""
