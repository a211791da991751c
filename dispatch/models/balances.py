"""Published cumulative totals and the opening balances that carry what the records lack.

A checkpoint is a total the agency published, as of a day, with the document it appeared
in. An opening balance is the part of a cumulative figure that happened before a day but
is not in the records (missions never entered, or entered without their numbers), stated
with the source it rests on. A cumulative figure as of a day is what the records count up
to that day plus every opening balance dated on or before it.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cooperation.models import TimeStampedModel

from ..choices import CumulativeFigure, MissionKind

# The Law Concerning Dispatch of the Japan Disaster Relief Team took effect on 16 September
# 1987; the International Peace Cooperation Law on 10 August 1992. Cumulative figures count
# from these days.
JDR_LAW_IN_FORCE = date(1987, 9, 16)
PKO_LAW_IN_FORCE = date(1992, 8, 10)
LAW_IN_FORCE: dict[str, date] = {
    MissionKind.DISASTER_RELIEF: JDR_LAW_IN_FORCE,
    MissionKind.CIVILIAN_POLICE: PKO_LAW_IN_FORCE,
}

# Each cumulative figure: the kind of mission it counts and what it counts of them.
FIGURE_MISSIONS = {
    CumulativeFigure.RELIEF_OFFICERS: (MissionKind.DISASTER_RELIEF, "officers"),
    CumulativeFigure.RELIEF_COUNTRIES: (MissionKind.DISASTER_RELIEF, "countries"),
    CumulativeFigure.PEACE_OFFICIALS: (MissionKind.CIVILIAN_POLICE, "officers"),
    CumulativeFigure.PEACE_COUNTRIES: (MissionKind.CIVILIAN_POLICE, "countries"),
}


def law_in_force(figure: str) -> date:
    """The day a cumulative figure starts counting from."""
    return LAW_IN_FORCE[FIGURE_MISSIONS[CumulativeFigure(figure)][0]]


def _after_the_law() -> Q:
    """A figure's dates lie on or after the day its law took effect."""
    return Q(
        *(Q(figure=figure, as_of__gte=law_in_force(figure)) for figure in CumulativeFigure.values),
        _connector=Q.OR,
    )


class FigureStatement(TimeStampedModel):
    """A number stated for a cumulative figure as of a day, and where it is written."""

    figure = models.CharField(_("figure"), max_length=24, choices=CumulativeFigure.choices)
    as_of = models.DateField(_("as of"))
    value = models.PositiveIntegerField(_("value"))
    source_title = models.CharField(
        _("source"), max_length=300, help_text=_("The title of the document the number comes from, and where in it.")
    )
    source_document = models.CharField(
        _("source document"),
        max_length=300,
        help_text=_("Where to read the document: its file among the agency's source documents, or its web address."),
    )

    class Meta:
        abstract = True
        ordering = ["figure", "as_of"]

    def clean(self):
        if self.figure in CumulativeFigure.values and self.as_of and self.as_of < law_in_force(self.figure):
            message = _("This figure counts from %(day)s, the day its law took effect.") % {
                "day": law_in_force(self.figure).isoformat()
            }
            raise ValidationError({"as_of": ValidationError(message, code="before_law")})


class FigureCheckpoint(FigureStatement):
    """A cumulative total the agency published: what the records and balances must reproduce."""

    history = HistoricalRecords()

    class Meta(FigureStatement.Meta):
        verbose_name = _("published checkpoint")
        verbose_name_plural = _("published checkpoints")
        constraints = [
            models.UniqueConstraint(
                fields=["figure", "as_of"],
                name="checkpoint_one_per_figure_and_day",
                violation_error_code="duplicate",
                violation_error_message=_("This figure already has a published total as of this day."),
            ),
            models.CheckConstraint(
                condition=_after_the_law(),
                name="checkpoint_after_the_law",
                violation_error_code="before_law",
                violation_error_message=_("A cumulative figure counts from the day its law took effect."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_figure_display()}: {self.value} ({self.as_of:%Y-%m-%d})"


class OpeningBalance(FigureStatement):
    """What happened up to `as_of` but is missing from the records, carried as one number."""

    explanation = models.TextField(
        _("explanation"),
        help_text=_("How the number was reached: the published total less what the records count."),
    )

    history = HistoricalRecords()

    class Meta(FigureStatement.Meta):
        verbose_name = _("opening balance")
        verbose_name_plural = _("opening balances")
        constraints = [
            models.UniqueConstraint(
                fields=["figure", "as_of"],
                name="opening_balance_one_per_figure_and_day",
                violation_error_code="duplicate",
                violation_error_message=_("This figure already has an opening balance as of this day."),
            ),
            models.CheckConstraint(
                condition=_after_the_law(),
                name="opening_balance_after_the_law",
                violation_error_code="before_law",
                violation_error_message=_("A cumulative figure counts from the day its law took effect."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_figure_display()}: +{self.value} ({self.as_of:%Y-%m-%d})"
