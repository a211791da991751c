"""Database pieces every app's models use: one definition each."""

from __future__ import annotations

from django.contrib.postgres.fields import DateRangeField
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _


class DateRange(Func):
    """PostgreSQL's `daterange(start, end, bounds)`, for overlap rules (ExclusionConstraint)."""

    function = "daterange"
    output_field = DateRangeField()


def related_or_none(instance, name: str):
    """The related object, including one assigned but not yet saved (admin inlines)."""
    field = instance._meta.get_field(name)
    if field.is_cached(instance):
        return field.get_cached_value(instance)
    if getattr(instance, field.attname) is None:
        return None
    return getattr(instance, name)


def end_not_before_start(prefix: str, start: str = "start_date", end: str = "end_date") -> models.CheckConstraint:
    """An open end, or one on or after the start."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}),
        name=f"{prefix}_end_not_before_start",
        violation_error_code="date_order",
        violation_error_message=_("The end date cannot be before the start date."),
    )
