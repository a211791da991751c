"""Writes with rules for published checkpoints and opening balances."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.services import Actor, audited_save, model_update
from cooperation.validation import refusal

from ..models import FigureCheckpoint, OpeningBalance
from ..models.balances import FigureStatement

StatementT = TypeVar("StatementT", bound=FigureStatement)


def _save(statement: StatementT, *, actor: Actor) -> StatementT:
    # A total as of a day still to come is a forecast, not something published or carried.
    if statement.as_of is not None and statement.as_of > timezone.localdate():
        raise refusal("as_of", _("Give a day that has passed; figures are not stated ahead."), "in_future")
    audited_save(statement, actor=actor)
    return statement


@transaction.atomic
def figure_checkpoint_create(*, actor: Actor, **data: Any) -> FigureCheckpoint:
    return _save(FigureCheckpoint(**data), actor=actor)


@transaction.atomic
def figure_checkpoint_update(*, checkpoint: FigureCheckpoint, actor: Actor, **data: Any) -> FigureCheckpoint:
    model_update(checkpoint, data)
    return _save(checkpoint, actor=actor)


@transaction.atomic
def opening_balance_create(*, actor: Actor, **data: Any) -> OpeningBalance:
    return _save(OpeningBalance(**data), actor=actor)


@transaction.atomic
def opening_balance_update(*, balance: OpeningBalance, actor: Actor, **data: Any) -> OpeningBalance:
    model_update(balance, data)
    return _save(balance, actor=actor)
