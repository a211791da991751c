"""Reminders and notifications to the people who keep dispatched officials safe.

Models live in `models.py` and belong to the `cooperation` app (imported by
cooperation.models), so no extra app is needed.
"""
