"""Duty of care: who of the agency's officials is abroad now, how to reach them, and roll calls after incidents."""
