"""Reads of the trainees app that are more than a filter."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import SEAT_STATUSES, Course, EnrollmentStatus


def courses_with_seat_counts(queryset: QuerySet[Course] | None = None) -> QuerySet[Course]:
    """Courses annotated with `seats_taken` (accepted, arrived, completed) and `waitlisted`."""
    queryset = Course.objects.all() if queryset is None else queryset
    return queryset.annotate(
        seats_taken=Count("enrollments", filter=Q(enrollments__status__in=SEAT_STATUSES)),
        waitlisted=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED)),
    )
