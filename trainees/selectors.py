"""Reads of the trainees app that are more than a filter."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, F, Q, QuerySet, Sum

from .choices import Applied, OutcomeFeed
from .models import SEAT_STATUSES, Course, Enrollment, EnrollmentStatus, SurveyAnswer

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from cooperation.models import Organization
    from programs.models import IndicatorPeriod


class SeatCounts(TypedDict):
    seats_taken: int
    waitlisted: int


class Undecided(TypedDict):
    undecided: int


def courses_with_seat_counts(
    queryset: QuerySet[Course] | None = None, nominated_by: Organization | None = None
) -> QuerySet[WithAnnotations[Course, SeatCounts]]:
    """Courses annotated with `seats_taken` (accepted, arrived, completed) and `waitlisted`;
    counting only the nominations of `nominated_by` when given (what a partner may see)."""
    queryset = Course.objects.all() if queryset is None else queryset
    own = Q() if nominated_by is None else Q(enrollments__nominated_by=nominated_by)
    return queryset.annotate(
        seats_taken=Count("enrollments", filter=Q(enrollments__status__in=SEAT_STATUSES) & own),
        waitlisted=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED) & own),
    )


def courses_starting_with_open_seats(
    today: date, *, within_days: int = 30
) -> QuerySet[WithAnnotations[Course, SeatCounts]]:
    """Courses (not cancelled or held) starting within `within_days` that still have free seats."""
    upcoming = Course.objects.exclude(status__in=(Course.Status.CANCELLED, Course.Status.HELD)).filter(
        start_date__range=(today, today + timedelta(days=within_days))
    )
    return courses_with_seat_counts(upcoming).filter(seats_taken__lt=F("capacity")).order_by("start_date", "code")


def courses_with_undecided_nominations() -> QuerySet[WithAnnotations[Course, Undecided]]:
    """Courses annotated with `undecided`: nominations nobody has accepted, waitlisted or rejected yet."""
    nominated = Enrollment.objects.filter(status=EnrollmentStatus.NOMINATED)
    return (
        # The courses first (from the nominated rows' index), then their nominations counted:
        # counting every course's enrollments first read them all.
        Course.objects.exclude(status=Course.Status.CANCELLED)
        .filter(pk__in=nominated.values("course"))
        .annotate(undecided=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.NOMINATED)))
        .order_by("nomination_deadline", "code")
    )


def survey_outcome_value(period: IndicatorPeriod) -> Decimal:
    """What the follow-up survey answers of a period make of its indicator: for each linked
    question, the answers counted or summed as the question says, all added together."""
    answers = SurveyAnswer.objects.filter(
        question__indicator=period.indicator_id,
        invitation__answered_at__date__range=(period.start, period.end),
    )
    totals = answers.aggregate(
        yes=Count("pk", filter=Q(question__feed=OutcomeFeed.COUNT_YES, choice=Applied.YES)),
        yes_or_partly=Count(
            "pk",
            filter=Q(question__feed=OutcomeFeed.COUNT_YES_OR_PARTLY, choice__in=(Applied.YES, Applied.PARTLY)),
        ),
        total=Sum("number", filter=Q(question__feed=OutcomeFeed.SUM)),
    )
    return Decimal(totals["yes"] + totals["yes_or_partly"]) + (totals["total"] or Decimal(0))
