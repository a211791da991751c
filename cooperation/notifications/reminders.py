"""A reminder: a cause found by a selector, worded once and rendered in each reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from .models import NotificationLevel


@dataclass(frozen=True)
class Reminder:
    """What the daily run found. `cause` is stable while the situation lasts.

    `subject` and `body` are lazy translations with %(name)s placeholders filled from
    `params`; list values are joined, each item translated in the reader's language.
    """

    kind: str
    cause: str
    subject: Any
    body: Any
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    level: int = NotificationLevel.REMINDER
    # The users it goes to (ids); none named: the agency's staff.
    recipients: tuple[int, ...] = ()

    @property
    def escalated(self) -> bool:
        return self.level >= NotificationLevel.ESCALATED

    def render(self, language: str) -> tuple[str, str]:
        with translation.override(language):
            params = {
                name: ", ".join(str(item) for item in value) if isinstance(value, list | tuple) else str(value)
                for name, value in self.params.items()
            }
            return str(self.subject) % params, str(self.body) % params
