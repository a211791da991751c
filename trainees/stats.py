"""The managers' figures on courses, trainees and visitors for a calendar or fiscal year.

Definitions (DESIGN.md):
- courses held: courses not cancelled whose start date lies in the period;
- participants ("trainees"): enrollments that arrived or completed in those courses,
  counted once per enrollment (a person in two courses counts twice, as the white
  paper counts "134 trainees" over "15 courses"); broken down by gender, by
  nationality, and by region (a trainee counts in every region that lists their
  nationality, since regions overlap — regions with no participant are left out);
- withdrawn after arrival: enrollments in those courses withdrawn after the trainee
  arrived (their history holds the move arrived → withdrawn); they are not participants
  and are shown as their own line;
- completion rate: completed ÷ participants, None without participants;
- visitors: the sum of visitors of the delegations held (not planned, not cancelled)
  whose visit starts in the period.

Each figure is one SQL aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django_countries import countries

from cooperation.choices import Gender
from cooperation.periods import Period

from .models import PARTICIPANT_STATUSES, Course, Delegation, Enrollment, EnrollmentStatus, EnrollmentStatusChange

GENDERS = tuple(Gender.values)


@dataclass(frozen=True)
class GroupCount:
    """Participants of one group (a country or a region), in total and by gender."""

    code: str
    name: str
    total: int
    by_gender: dict[str, int]


@dataclass(frozen=True)
class TraineeFigures:
    period: Period
    courses_held: int
    participants: int
    completed: int
    completion_rate: float | None
    by_gender: dict[str, int]
    by_country: list[GroupCount] = field(default_factory=list)
    by_region: list[GroupCount] = field(default_factory=list)
    visitors: int = 0
    delegations: int = 0
    withdrawn_after_arrival: int = 0


def courses_held_in(period: Period) -> QuerySet[Course]:
    return Course.objects.exclude(status=Course.Status.CANCELLED).filter(
        start_date__gte=period.start, start_date__lte=period.end
    )


def participants_in(period: Period) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(
        status__in=PARTICIPANT_STATUSES,
        course__start_date__gte=period.start,
        course__start_date__lte=period.end,
    ).exclude(course__status=Course.Status.CANCELLED)


def withdrawn_after_arrival(period: Period) -> int:
    """Enrollments of the period's courses (cancelled ones aside) withdrawn after arrival."""
    left_after_arriving = EnrollmentStatusChange.objects.filter(
        enrollment=OuterRef("pk"), from_status=EnrollmentStatus.ARRIVED, to_status=EnrollmentStatus.WITHDRAWN
    )
    return (
        Enrollment.objects.filter(
            Exists(left_after_arriving),
            status=EnrollmentStatus.WITHDRAWN,
            course__start_date__gte=period.start,
            course__start_date__lte=period.end,
        )
        .exclude(course__status=Course.Status.CANCELLED)
        .count()
    )


def _gender_counts(path: str) -> dict[str, Any]:
    return {gender: Count("pk", filter=Q(**{path: gender})) for gender in GENDERS}


def courses_held(period: Period) -> int:
    return courses_held_in(period).count()


def participant_totals(period: Period) -> dict[str, Any]:
    """{"participants", "completed", "female", "male", "other", "undisclosed"} in one query."""
    return participants_in(period).aggregate(
        participants=Count("pk"),
        completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
        **_gender_counts("trainee__gender"),
    )


def participants_by_country(period: Period) -> list[GroupCount]:
    rows = (
        participants_in(period)
        .values(country=F("trainee__nationality"))
        .annotate(total=Count("pk"), **_gender_counts("trainee__gender"))
        .order_by("-total", "country")
    )
    return [
        GroupCount(row["country"], countries.name(row["country"]), row["total"], {g: row[g] for g in GENDERS})  # type: ignore[literal-required]  # the keys _gender_counts annotated
        for row in rows
    ]


def participants_by_region(period: Period) -> list[GroupCount]:
    inner, params = (
        participants_in(period)
        .values(nationality=F("trainee__nationality"), gender=F("trainee__gender"))
        .query.sql_with_params()
    )
    by_gender = ", ".join("count(*) FILTER (WHERE p.gender = %s)" for _ in GENDERS)
    sql = (
        f"SELECT r.code, r.name, count(*) AS total, {by_gender} "
        # One row per (region, member country) lets PostgreSQL hash-join the participants
        # instead of testing every participant against every region's array.
        "FROM (SELECT DISTINCT r.id, r.code, r.name, member FROM cooperation_region r, unnest(r.countries) member) r "
        f"JOIN ({inner}) p ON p.nationality = r.member "
        "GROUP BY r.id, r.code, r.name ORDER BY total DESC, r.code"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*GENDERS, *params])
        rows = cursor.fetchall()
    return [
        GroupCount(code, name, total, dict(zip(GENDERS, counts, strict=True))) for code, name, total, *counts in rows
    ]


def visitors(period: Period) -> dict[str, Any]:
    """{"visitors": sum of visitors, "delegations": number of delegations held} in one query."""
    held = Delegation.objects.filter(status=Delegation.Status.HELD)
    return held.filter(start_date__gte=period.start, start_date__lte=period.end).aggregate(
        visitors=Coalesce(Sum("visitors"), 0), delegations=Count("pk")
    )


def trainee_figures(period: Period) -> TraineeFigures:
    totals = participant_totals(period)
    received = visitors(period)
    participants = totals["participants"]
    return TraineeFigures(
        period=period,
        courses_held=courses_held(period),
        participants=participants,
        completed=totals["completed"],
        completion_rate=totals["completed"] / participants if participants else None,
        by_gender={gender: totals[gender] for gender in GENDERS},
        by_country=participants_by_country(period),
        by_region=participants_by_region(period),
        visitors=received["visitors"],
        delegations=received["delegations"],
        withdrawn_after_arrival=withdrawn_after_arrival(period),
    )
