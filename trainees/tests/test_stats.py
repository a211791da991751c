"""Yearly figures on a small dataset whose answers are known, by calendar and fiscal year."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_countries import countries

from cooperation.periods import Period
from cooperation.tests.factories import RegionFactory
from trainees.models import Course
from trainees.stats import GENDERS, trainee_figures

from .factories import CourseFactory, DelegationFactory, EnrollmentFactory, TraineeFactory

pytestmark = pytest.mark.django_db

HELD, CANCELLED = Course.Status.HELD, Course.Status.CANCELLED

# (course start, course status, [(nationality, gender, enrollment status), ...])
COURSES = [
    (
        date(2011, 12, 20),
        HELD,
        [("ID", "female", "completed")],
    ),
    (
        date(2012, 2, 10),
        HELD,
        [
            ("ID", "female", "completed"),
            ("ID", "male", "completed"),
            ("PH", "female", "arrived"),
            ("VN", "male", "withdrawn"),
            ("VN", "female", "rejected"),
        ],
    ),
    (
        date(2012, 6, 1),
        HELD,
        [
            ("VN", "female", "completed"),
            ("VN", "female", "completed"),
            ("TL", "other", "arrived"),
            ("ID", "male", "waitlisted"),
        ],
    ),
    (
        date(2012, 11, 5),
        CANCELLED,
        [("PH", "male", "arrived")],
    ),
    (
        date(2013, 1, 20),
        HELD,
        [("PH", "male", "completed"), ("KE", "undisclosed", "completed")],
    ),
]
# (start, visitors)
DELEGATIONS = [(date(2011, 12, 30), 4), (date(2012, 3, 15), 10), (date(2012, 7, 1), 20), (date(2013, 2, 1), 7)]
REGIONS = {"asean-t": ["ID", "PH", "VN"], "indo-pacific-t": ["ID", "JP", "PH", "TL", "VN"], "africa-t": ["KE"]}


@pytest.fixture
def dataset(db):
    for code, members in REGIONS.items():
        RegionFactory(code=code, countries=members)
    for start, status, people in COURSES:
        course = CourseFactory(start_date=start, status=status)
        for nationality, gender, enrollment_status in people:
            EnrollmentFactory(
                course=course, trainee=TraineeFactory(nationality=nationality, gender=gender), status=enrollment_status
            )
    for start, visitors in DELEGATIONS:
        # Only held delegations count (planned and cancelled ones do not): these were held.
        DelegationFactory(start_date=start, visitors=visitors, status="held")


def expected(period: Period) -> dict:
    """The definitions of DESIGN.md applied to the table above, row by row."""
    courses = [c for c in COURSES if c[1] != CANCELLED and period.contains(c[0])]
    people = [(n, g, s) for _start, _status, rows in courses for n, g, s in rows if s in ("arrived", "completed")]
    return {
        "courses_held": len(courses),
        "participants": len(people),
        "completed": sum(1 for p in people if p[2] == "completed"),
        "by_gender": {g: sum(1 for p in people if p[1] == g) for g in GENDERS},
        "by_country": Counter(p[0] for p in people),
        "by_region": {code: n for code, members in REGIONS.items() if (n := sum(1 for p in people if p[0] in members))},
        "visitors": sum(v for start, v in DELEGATIONS if period.contains(start)),
    }


@pytest.mark.parametrize("period", [Period.calendar_year(2012), Period.fiscal_year(2012), Period.fiscal_year(2011)])
def test_figures_follow_the_definitions(period, dataset):
    figures = trainee_figures(period)
    want = expected(period)
    assert figures.courses_held == want["courses_held"]
    assert figures.participants == want["participants"]
    assert figures.completed == want["completed"]
    assert figures.completion_rate == pytest.approx(want["completed"] / want["participants"])
    assert figures.by_gender == want["by_gender"]
    assert {row.code: row.total for row in figures.by_country} == want["by_country"]
    assert {row.code: row.total for row in figures.by_region} == want["by_region"]
    assert figures.visitors == want["visitors"]


def test_calendar_2012_in_plain_numbers(dataset):
    figures = trainee_figures(Period.calendar_year(2012))
    # Two courses (the cancelled one and the 2011 and 2013 starts aside), six participants.
    assert (figures.courses_held, figures.participants, figures.completed) == (2, 6, 4)
    assert figures.by_gender == {"female": 4, "male": 1, "other": 1, "undisclosed": 0}
    vietnam = next(row for row in figures.by_country if row.code == "VN")
    assert (vietnam.name, vietnam.total, vietnam.by_gender["female"]) == (countries.name("VN"), 2, 2)
    # Regions overlap: the ASEAN participants are counted in the Indo-Pacific too.
    assert [(row.code, row.total) for row in figures.by_region] == [("indo-pacific-t", 6), ("asean-t", 5)]
    assert figures.visitors == 30


def test_fiscal_2012_runs_april_to_march(dataset):
    figures = trainee_figures(Period.fiscal_year(2012))
    assert (figures.courses_held, figures.participants, figures.completed) == (2, 5, 4)
    assert figures.by_gender == {"female": 2, "male": 1, "other": 1, "undisclosed": 1}
    assert figures.completion_rate == pytest.approx(0.8)
    assert {row.code: row.total for row in figures.by_region} == {"indo-pacific-t": 4, "asean-t": 3, "africa-t": 1}
    assert figures.visitors == 27


def test_an_empty_year_has_no_completion_rate(dataset):
    figures = trainee_figures(Period.calendar_year(1999))
    assert (figures.courses_held, figures.participants, figures.visitors) == (0, 0, 0)
    assert figures.completion_rate is None
    assert figures.by_country == [] and figures.by_region == []


def test_each_figure_is_one_query_whatever_the_data(dataset):
    with CaptureQueriesContext(connection) as few:
        trainee_figures(Period.calendar_year(2012))
    for n in range(10):
        EnrollmentFactory(
            course=CourseFactory(start_date=date(2012, 9, 1) + timedelta(days=n * 20), status=HELD),
            status="completed",
        )
    with CaptureQueriesContext(connection) as many:
        trainee_figures(Period.calendar_year(2012))
    # Six figures, one aggregate each: the withdrawals after arrival are the sixth.
    assert len(few) == len(many) == 6
