"""A record's change history, read from django-simple-history, for the API."""

from __future__ import annotations

import itertools

from rest_framework import serializers

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    at = serializers.DateTimeField(source="history_date")
    action = serializers.SerializerMethodField()
    user = serializers.SerializerMethodField()
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    changes = serializers.SerializerMethodField()

    def get_action(self, entry) -> str:
        return HISTORY_TYPES.get(entry.history_type, entry.history_type)

    def get_user(self, entry) -> str | None:
        return entry.history_user.get_username() if entry.history_user else None

    def get_changes(self, entry) -> list[dict]:
        """Field by field, what the change did: [{field, old, new}]."""
        previous = self.context["previous"].get(entry.history_id)
        if previous is None:
            return []
        delta = entry.diff_against(previous)
        return [{"field": c.field, "old": _plain(c.old), "new": _plain(c.new)} for c in delta.changes]


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return str(value)


def history_page(entries: list) -> dict:
    """Map each history row to the row before it (entries are newest first)."""
    return {newer.history_id: older for newer, older in itertools.pairwise(entries)}
