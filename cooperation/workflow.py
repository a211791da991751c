"""State machines as tables, and their append-only history.

An app declares its allowed moves once:

    DEPLOYMENT_TRANSITIONS = Transitions({"requested": {"nominated", "cancelled"}, ...})

and its transition service calls `DEPLOYMENT_TRANSITIONS.check(current, target)` before
writing the new status and one history row (a subclass of `StatusChange`) in the same
transaction. History rows are never updated nor deleted: the model refuses it, and the
table's trigger `<table>_append_only` (written out in the app's migration, calling
`cooperation_forbid_change()`) refuses it in SQL.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Transitions:
    """The moves a record's state may make. `field` names the state's field (errors sit on
    it); `labels`, a choices class, shows states by their labels instead of their codes."""

    def __init__(self, allowed: dict[str, set[str]], *, field: str = "status", labels=None):
        self.allowed = allowed
        self.field = field
        self.labels = labels

    def targets(self, current: str) -> set[str]:
        return self.allowed.get(current, set())

    def _shown(self, state: str) -> str:
        return str(self.labels(state).label) if self.labels else state

    def check(self, current: str, target: str) -> None:
        if target not in self.targets(current):
            allowed = ", ".join(self._shown(state) for state in sorted(self.targets(current))) or _(
                "none (final state)"
            )
            # The code sits on the field's error: a dict's own code does not reach its messages.
            message = _("A move from “%(current)s” to “%(target)s” is not allowed; allowed: %(allowed)s.") % {
                "current": self._shown(current),
                "target": self._shown(target),
                "allowed": allowed,
            }
            raise ValidationError({self.field: ValidationError(message, code="transition_not_allowed")})


# The note of the history line of a record written after the fact, in its final state.
RETROSPECTIVE_NOTE = _("Recorded retrospectively.")


class StatusChange(models.Model):
    """One move of a record's status: from, to, who, when, why. A subclass names the
    choices of the states (`states`), so that a move reads by their labels."""

    states: type[models.TextChoices] | None = None

    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.state_label(self.from_status)} → {self.state_label(self.to_status)}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Status history is append-only."), code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Status history is append-only."), code="append_only")

    def state_label(self, code: str) -> str:
        if not code:
            return "–"
        return str(self.states(code).label) if self.states is not None and code in self.states.values else code
