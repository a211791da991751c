"""Writes with rules for results by period: periods and their targets, breakdowns,
reported values and their review.

Partner coordinators submit values for the indicators their organization may see; agency
staff approve them or return them with a reason, and record values of their own (or the
system does, from follow-up surveys) already approved. Every step of a value's review is
a row of its status history; only approved values count (programs.results).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.access import organization_of
from cooperation.periods import FISCAL_YEAR_START_MONTH, fiscal_year_of
from cooperation.roles import sees_everything
from cooperation.services import Actor, audited_save, record_create, record_update
from cooperation.validation import refusal

from ..choices import PeriodKind, ValueSource, ValueStatus
from ..evidence import checked_evidence
from ..models import (
    Disaggregation,
    DisaggregationCategory,
    Indicator,
    IndicatorPeriod,
    PeriodTargetBreakdown,
    PeriodValue,
    PeriodValueBreakdown,
    PeriodValueEvidence,
    PeriodValueStatusChange,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Breakdown = Mapping[DisaggregationCategory, Decimal]

MONTHS_PER_PERIOD = {PeriodKind.MONTHLY: 1, PeriodKind.QUARTERLY: 3, PeriodKind.FISCAL_YEAR: 12}


def _is_staff(actor: Actor) -> bool:
    return actor is None or sees_everything(actor, "change")


def _require_staff(actor: Actor) -> None:
    if not _is_staff(actor):
        raise PermissionDenied(_("Only agency staff review and record values."))


# --- periods and targets ---------------------------------------------------------------------


def _month_start(day: date, months: int) -> date:
    """The first day of the period of `months` months (aligned on the Japanese fiscal
    year, which starts in April) that contains `day`."""
    if months == 12:
        return date(fiscal_year_of(day), FISCAL_YEAR_START_MONTH, 1)
    months_into_year = (day.month - FISCAL_YEAR_START_MONTH) % 12
    return date(day.year, day.month - months_into_year % months, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@transaction.atomic
def indicator_period_create(
    *,
    actor: Actor,
    indicator: Indicator,
    start: date,
    end: date,
    target: Decimal | None = None,
    locked: bool = False,
) -> IndicatorPeriod:
    """A period of the indicator, not overlapping another of its periods."""
    _require_staff(actor)
    return record_create(
        IndicatorPeriod, actor=actor, indicator=indicator, start=start, end=end, target=target, locked=locked
    )


@transaction.atomic
def indicator_period_update(*, period: IndicatorPeriod, actor: Actor, **changes: Any) -> IndicatorPeriod:
    _require_staff(actor)
    return record_update(period, actor=actor, **changes)


@transaction.atomic
def generate_periods(indicator: Indicator, start: date, end: date, *, actor: Actor = None) -> list[IndicatorPeriod]:
    """The indicator's monthly, quarterly or fiscal-year periods covering `start`–`end`
    (whole periods, April–March fiscal years); periods already there are kept as they are.
    Custom periods are entered one by one."""
    _require_staff(actor)
    months = MONTHS_PER_PERIOD.get(PeriodKind(indicator.period_kind))
    if months is None:
        raise refusal("period_kind", _("Custom periods are entered one by one."), "custom_periods")
    if end < start:
        raise refusal("end", _("The end date cannot be before the start date."), "date_order")
    existing = set(indicator.periods.values_list("start", "end"))
    created = []
    first = _month_start(start, months)
    while first <= end:
        following = _add_months(first, months)
        last = following - timedelta(days=1)
        if (first, last) not in existing:
            created.append(record_create(IndicatorPeriod, actor=actor, indicator=indicator, start=first, end=last))
        first = following
    return created


@transaction.atomic
def period_lock(*, period: IndicatorPeriod, actor: Actor) -> IndicatorPeriod:
    """Close the period: it accepts no new values; those already there stay as they are."""
    _require_staff(actor)
    if not period.locked:
        record_update(period, actor=actor, locked=True)
    return period


@transaction.atomic
def disaggregation_create(
    *, actor: Actor, indicator: Indicator, name: str, categories: Iterable[str] = (), name_ja: str = ""
) -> Disaggregation:
    """A breakdown of the indicator's values (gender, province, unit…) with its categories."""
    _require_staff(actor)
    disaggregation = record_create(Disaggregation, actor=actor, indicator=indicator, name=name, name_ja=name_ja)
    for category in categories:
        record_create(DisaggregationCategory, actor=actor, disaggregation=disaggregation, name=category)
    return disaggregation


@transaction.atomic
def disaggregation_update(*, disaggregation: Disaggregation, actor: Actor, **changes: Any) -> Disaggregation:
    _require_staff(actor)
    return record_update(disaggregation, actor=actor, **changes)


@transaction.atomic
def disaggregation_category_create(
    *, actor: Actor, disaggregation: Disaggregation, name: str, name_ja: str = ""
) -> DisaggregationCategory:
    _require_staff(actor)
    return record_create(DisaggregationCategory, actor=actor, disaggregation=disaggregation, name=name, name_ja=name_ja)


@transaction.atomic
def disaggregation_category_update(
    *, category: DisaggregationCategory, actor: Actor, **changes: Any
) -> DisaggregationCategory:
    _require_staff(actor)
    return record_update(category, actor=actor, **changes)


def _require_own_categories(indicator: Indicator, categories: Iterable[DisaggregationCategory]) -> None:
    foreign = [c for c in categories if c.disaggregation.indicator_id != indicator.pk]
    if foreign:
        raise refusal(
            "breakdown",
            _("The category %(category)s is not one of this indicator's.") % {"category": foreign[0]},
            "foreign_category",
        )


@transaction.atomic
def period_target_breakdown_set(*, period: IndicatorPeriod, actor: Actor, targets: Breakdown) -> None:
    """Set the period's targets per category (those not named keep theirs)."""
    _require_staff(actor)
    _require_own_categories(period.indicator, targets)
    for category, target in targets.items():
        row = PeriodTargetBreakdown.objects.filter(period=period, category=category).first()
        if row is None:
            record_create(PeriodTargetBreakdown, actor=actor, period=period, category=category, target=target)
        else:
            record_update(row, actor=actor, target=target)


# --- reported values -------------------------------------------------------------------------


def plain(number: Decimal) -> str:
    """A number as people write it: 10, 2.5 (not 1E+1, 2.5000)."""
    return f"{Decimal(number).normalize():f}"


def _check_breakdown(indicator: Indicator, value: Decimal, breakdown: Breakdown) -> None:
    """A complete breakdown (every category of a disaggregation given) adds up to the value."""
    _require_own_categories(indicator, breakdown)
    for disaggregation in indicator.disaggregations.prefetch_related("categories"):
        categories = set(disaggregation.categories.all())
        if not categories or not categories <= set(breakdown):
            continue
        parts = sum((breakdown[category] for category in categories), Decimal(0))
        if parts != value:
            raise refusal(
                "breakdown",
                _("The breakdown by %(disaggregation)s adds up to %(sum)s, not to the value %(total)s.")
                % {"disaggregation": disaggregation.name, "sum": plain(parts), "total": plain(value)},
                "breakdown_sum",
            )


def _write_breakdown(period_value: PeriodValue, breakdown: Breakdown, actor: Actor) -> None:
    period_value.breakdown.exclude(category__in=list(breakdown)).delete()
    for category, amount in breakdown.items():
        row = period_value.breakdown.filter(category=category).first()
        if row is None:
            record_create(
                PeriodValueBreakdown, actor=actor, period_value=period_value, category=category, amount=amount
            )
        elif row.amount != amount:
            record_update(row, actor=actor, amount=amount)


def _require_open(period: IndicatorPeriod) -> None:
    if period.locked:
        raise refusal(
            "period",
            _("The period %(start)s – %(end)s is locked; it accepts no new values.")
            % {"start": period.start, "end": period.end},
            "locked",
        )


def _step(period_value: PeriodValue, *, actor: Actor, from_status: str, note: str = "") -> None:
    PeriodValueStatusChange.objects.create(
        period_value=period_value, from_status=from_status, to_status=period_value.status, actor=actor, note=note
    )


def _may_report_on(actor: User, indicator: Indicator) -> bool:
    return (
        actor.has_perm("programs.add_periodvalue")
        and Indicator.objects.restrict(actor, "view").filter(pk=indicator.pk).exists()
    )


def _open_value(period: IndicatorPeriod, actor: User) -> PeriodValue | None:
    """The value the actor's organization is still working on or correcting in the period."""
    organization = organization_of(actor)
    if organization is None:
        return None
    return (
        PeriodValue.objects.select_for_update()
        .filter(period=period, organization=organization, status__in=(ValueStatus.DRAFT, ValueStatus.RETURNED))
        .order_by("pk")
        .first()
    )


@transaction.atomic
def period_value_submit(
    *,
    period: IndicatorPeriod,
    actor: Actor,
    value: Decimal,
    comment: str = "",
    breakdown: Breakdown | None = None,
    evidence: Iterable[UploadedFile[bytes]] = (),
) -> PeriodValue:
    """Submit the actor's organization's value for the period, for review. A value the
    agency returned is corrected in place and submitted again; while one waits for review
    the organization submits no second one."""
    if actor is None or not _may_report_on(actor, period.indicator):
        raise PermissionDenied(_("You may report values only for indicators of your organization's programs."))
    _require_open(period)
    breakdown = dict(breakdown or {})
    _check_breakdown(period.indicator, value, breakdown)
    evidence = list(evidence)
    content_types = [checked_evidence(upload) for upload in evidence]
    period_value = _open_value(period, actor) or PeriodValue(
        period=period,
        organization=organization_of(actor),
        source=ValueSource.STAFF if _is_staff(actor) else ValueSource.PARTNER,
    )
    from_status = period_value.status if period_value.pk else ""
    period_value.value = value
    period_value.comment = comment
    period_value.status = ValueStatus.SUBMITTED
    period_value.entered_by = actor
    period_value.return_reason = ""
    audited_save(period_value, actor=actor)
    _write_breakdown(period_value, breakdown, actor)
    for upload, content_type in zip(evidence, content_types, strict=True):
        record_create(
            PeriodValueEvidence,
            actor=actor,
            period_value=period_value,
            file=upload,
            name=(upload.name or "evidence")[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
    _step(period_value, actor=actor, from_status=from_status, note=comment)
    return period_value


def _require_submitted(period_value: PeriodValue) -> None:
    if period_value.status != ValueStatus.SUBMITTED:
        raise refusal(
            "status",
            _("Only a submitted value is reviewed; this one is %(status)s.")
            % {"status": period_value.get_status_display()},
            "not_submitted",
        )


def _reviewed(period_value: PeriodValue, *, actor: Actor, status: str, reason: str = "") -> PeriodValue:
    from_status = period_value.status
    period_value.status = status
    period_value.return_reason = reason
    period_value.reviewed_by = actor
    period_value.reviewed_at = timezone.now()
    audited_save(period_value, actor=actor)
    _step(period_value, actor=actor, from_status=from_status, note=reason)
    return period_value


@transaction.atomic
def period_value_approve(*, period_value: PeriodValue, actor: Actor) -> PeriodValue:
    """Accept a submitted value: from now on it counts."""
    _require_staff(actor)
    period_value = PeriodValue.objects.select_for_update().get(pk=period_value.pk)
    _require_submitted(period_value)
    return _reviewed(period_value, actor=actor, status=ValueStatus.APPROVED)


@transaction.atomic
def period_value_return(*, period_value: PeriodValue, actor: Actor, reason: str) -> PeriodValue:
    """Send a submitted value back to its organization for correction, saying why."""
    _require_staff(actor)
    if not reason.strip():
        raise refusal("reason", _("Say why the value goes back, so the partner can correct it."), "required")
    period_value = PeriodValue.objects.select_for_update().get(pk=period_value.pk)
    _require_submitted(period_value)
    return _reviewed(period_value, actor=actor, status=ValueStatus.RETURNED, reason=reason.strip())


@transaction.atomic
def period_value_record(
    *,
    period: IndicatorPeriod,
    actor: Actor,
    value: Decimal,
    source: str,
    comment: str = "",
    breakdown: Breakdown | None = None,
) -> PeriodValue:
    """A value staff or the system (a follow-up survey) records: approved at once."""
    _require_staff(actor)
    if source == ValueSource.PARTNER:
        raise refusal("source", _("A partner's value is submitted for review."), "partner_source")
    _require_open(period)
    breakdown = dict(breakdown or {})
    _check_breakdown(period.indicator, value, breakdown)
    period_value = PeriodValue(
        period=period,
        value=value,
        comment=comment,
        source=source,
        status=ValueStatus.APPROVED,
        entered_by=actor,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    audited_save(period_value, actor=actor)
    _write_breakdown(period_value, breakdown, actor)
    _step(period_value, actor=actor, from_status="", note=comment)
    return period_value


@transaction.atomic
def period_value_recount(
    *, period: IndicatorPeriod, actor: Actor, value: Decimal, source: str, comment: str = ""
) -> PeriodValue:
    """The one value a system source (a follow-up survey) keeps per period: recorded the
    first time, then brought up to date as its count changes, each change in its history."""
    current = (
        PeriodValue.objects.select_for_update()
        .filter(period=period, source=source, status=ValueStatus.APPROVED)
        .order_by("pk")
        .first()
    )
    if current is None:
        return period_value_record(period=period, actor=actor, value=value, source=source, comment=comment)
    if current.value != value:
        _require_open(period)
        _check_breakdown(period.indicator, value, {})
        current.value = value
        audited_save(current, actor=actor)
        _step(current, actor=actor, from_status=current.status, note=comment)
    return current
