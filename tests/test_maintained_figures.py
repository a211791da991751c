"""The summary's figures are maintained: after a write of any kind they equal a fresh computation.

Each write path (a service, the admin, a CSV nomination, COPY, raw SQL, TRUNCATE) moves
the figures' data version in the database, so the next read recomputes; a read with no
write in between is one query; a rolled-back write leaves the stored figures in use.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import date
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cooperation.periods import Period
from cooperation.tests.factories import RegionFactory
from dispatch import stats as dispatch_stats
from dispatch.tests.factories import ProgramFactory
from reports import summary as summary_module
from reports.maintained import data_version
from reports.summary import Summary, annual_summary, breakdowns, headline, period_figures, reconciliation
from reports.tests.conftest import build_dashboard_dataset
from trainees import stats as trainee_stats
from trainees.models import Delegation
from trainees.nominations import COLUMNS
from trainees.services import delegation_update
from trainees.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

FY2012 = Period.fiscal_year(2012)
DELEGATION_COLUMNS = [f.column for f in Delegation._meta.concrete_fields if not f.primary_key]


def served(period: Period = FY2012) -> dict:
    answer = annual_summary(period, fiscal=True, with_trends=False).as_dict()
    answer.pop("computed_at")
    return answer


def fresh(period: Period = FY2012) -> dict:
    """The same summary computed from the tables now, past the stored figures (in their stored form)."""
    figures = json.loads(json.dumps(period_figures(period, today=timezone.localdate())))
    answer = Summary(period, headline(figures), breakdowns(figures), timezone.now(), reconciliation(figures)).as_dict()
    answer.pop("computed_at")
    return answer


@contextmanager
def counted_computations():
    """Counts the periods computed (not read back) inside the block, across threads."""
    calls = []
    lock = threading.Lock()

    def counting(period, **kwargs):
        with lock:
            calls.append(period.label)
        return period_figures(period, **kwargs)

    with mock.patch.object(summary_module, "period_figures", counting):
        yield calls


@pytest.fixture
def warm():
    """The dashboard's agency, with FY2012's figures stored: the writes below must be noticed."""
    build_dashboard_dataset()
    before = served()
    return before


def assert_noticed(before_version: tuple[int, int], before: dict | None = None) -> None:
    assert data_version() != before_version, "the write was not recorded"
    with counted_computations() as computed:
        answer = served()
    assert computed == ["FY2012"]
    assert answer == fresh()
    if before is not None:
        assert answer != before, "the write was meant to change a figure"


def test_a_service_write_is_noticed(warm, staff_user):
    version = data_version()
    held = Delegation.objects.get(visitors=10)
    delegation_update(delegation=held, actor=staff_user, visitors=17)
    assert_noticed(version, warm)
    assert served()["figures"]["visitors"] == 22


def test_an_admin_action_is_noticed(warm, staff_user):
    """Over a second: the admin's changelist and confirmation pages are rendered."""
    RegionFactory(countries=["ID"])
    program = ProgramFactory(country="ID")
    with_program = served()
    version = data_version()
    client = Client()
    client.force_login(staff_user)
    response = client.post(
        "/admin/programs/program/", {"action": "delete_selected", "_selected_action": [program.pk]}, follow=True
    )
    assert "1 record archived." in response.content.decode()
    assert_noticed(version, with_program)


def test_a_csv_nomination_is_noticed(warm, coordinator_api):
    course = CourseFactory(capacity=5)
    cells = {
        "family_name": "Santoso",
        "given_name": "Budi",
        "gender": "male",
        "date_of_birth": "1985-01-01",
        "nationality": "ID",
        "rank": "Police Major",
    }
    text = ",".join(COLUMNS) + "\n" + ",".join(cells.get(column, "") for column in COLUMNS) + "\n"
    served()  # the stored figures include the new course's period state
    version = data_version()
    upload = SimpleUploadedFile("participants.csv", text.encode(), content_type="text/csv")
    response = coordinator_api.post(f"/api/v1/courses/{course.pk}/nominations/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    # A nomination is no participation yet: the figures stay, but they are checked again.
    assert_noticed(version)


def test_copy_is_noticed(warm):
    version = data_version()
    held = Delegation.objects.get(visitors=10)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(DELEGATION_COLUMNS)} FROM trainees_delegation WHERE id = %s",  # model columns
            [held.pk],
        )
        row = list(cursor.fetchone())
        row[DELEGATION_COLUMNS.index("visitors")] = 30
        with connection.connection.cursor().copy(
            f"COPY trainees_delegation ({', '.join(DELEGATION_COLUMNS)}) FROM STDIN"
        ) as copy:
            copy.write_row(row)
    assert_noticed(version, warm)
    assert served()["figures"]["visitors"] == 45


@pytest.mark.parametrize(
    ("sql", "visitors"),
    [
        ("UPDATE trainees_delegation SET visitors = visitors + 1 WHERE status = 'held'", 17),
        ("DELETE FROM trainees_delegation WHERE visitors = 10", 5),
        (
            f"INSERT INTO trainees_delegation ({', '.join(DELEGATION_COLUMNS)}) "  # model columns
            f"SELECT {', '.join(DELEGATION_COLUMNS)} FROM trainees_delegation WHERE visitors = 5",
            20,
        ),
    ],
    ids=["update", "delete", "insert"],
)
def test_raw_sql_is_noticed(warm, sql, visitors):
    version = data_version()
    with connection.cursor() as cursor:
        cursor.execute(sql)
    assert_noticed(version, warm)
    assert served()["figures"]["visitors"] == visitors


def test_truncate_is_noticed(warm):
    version = data_version()
    with connection.cursor() as cursor:
        # TRUNCATE waits for no deferred check: run the test's pending foreign-key checks first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE trainees_delegation")
    assert_noticed(version, warm)
    assert served()["figures"]["visitors"] == 0


def test_a_rolled_back_write_leaves_the_stored_figures_in_use(warm):
    version = data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE trainees_delegation SET visitors = 99")
        assert data_version() != version
        raise RuntimeError("undo")
    assert data_version() == version
    with counted_computations() as computed:
        assert served() == warm
    assert computed == []


def test_a_warm_read_is_one_query_trends_included(warm):
    annual_summary(FY2012, fiscal=True)  # stores the ten years of trends
    with CaptureQueriesContext(connection) as queries, counted_computations() as computed:
        summary = annual_summary(FY2012, fiscal=True)
    assert len(queries) == 1 and computed == []
    trends = next(table for table in summary.tables if table.key == "trends")
    assert [row["period"] for row in trends.rows] == list(range(2003, 2013))
    assert trends.rows[-1]["visitors"] == 15


def test_the_trends_equal_a_fresh_computation_of_each_year(warm):
    """Over a second: ten years computed, stored, and each checked against its own aggregates."""
    build_dashboard_dataset()  # a write after the figures were stored
    trends = next(table for table in annual_summary(FY2012, fiscal=True).tables if table.key == "trends")
    for row in trends.rows:
        period = Period.fiscal_year(row["period"])
        experts = dispatch_stats.experts_dispatched(period)
        assert (row["experts_new"], row["experts_total"], row["courses_held"], row["trainees"], row["visitors"]) == (
            experts["new"],
            experts["total"],
            trainee_stats.courses_held(period),
            trainee_stats.participant_totals(period)["participants"],
            trainee_stats.visitors(period)["visitors"],
        )
    assert trends.rows[-1]["visitors"] == 30


def test_the_api_and_the_dashboard_read_warm_figures_in_one_query(warm, manager_api, manager_user):
    """Over a second: the first dashboard computes and stores the ten years of trends."""
    client = Client()
    client.force_login(manager_user)
    url, page = "/api/v1/reports/annual-summary/?fiscal_year=2012", "/dashboard/?kind=fiscal_year&value=2012"
    manager_api.get(url)
    client.get(page)
    for get in (lambda: manager_api.get(url), lambda: client.get(page)):
        with CaptureQueriesContext(connection) as queries, counted_computations() as computed:
            assert get().status_code == 200
        stored_reads = [q["sql"] for q in queries if "reports_maintained_figures" in q["sql"]]
        assert computed == [] and len(stored_reads) == 1
        # No figure is aggregated again (the dashboard's watch list reads deployments and courses of its own).
        figure_tables = ("dispatch_mission", "trainees_delegation", "programs_program", "cooperation_region")
        assert not [q["sql"] for q in queries if any(table in q["sql"] for table in figure_tables)]


def test_the_api_says_when_the_figures_were_computed(warm, manager_api):
    before = timezone.now()
    build_dashboard_dataset()
    first = manager_api.get("/api/v1/reports/annual-summary/?fiscal_year=2012").json()
    again = manager_api.get("/api/v1/reports/annual-summary/?fiscal_year=2012").json()
    assert first["computed_at"] == again["computed_at"]
    assert before.isoformat() <= first["computed_at"].replace("Z", "+00:00")


def test_a_running_period_is_stored_for_the_day(db):
    """A period not yet over depends on the day (planned deployments, secondees now)."""
    this_year = Period.calendar_year(timezone.localdate().year)
    annual_summary(this_year, with_trends=False)
    with counted_computations() as computed:
        annual_summary(this_year, with_trends=False)
        tomorrow = date.fromordinal(timezone.localdate().toordinal() + 1)
        with mock.patch.object(timezone, "localdate", return_value=tomorrow):
            annual_summary(this_year, with_trends=False)
    assert computed == [this_year.label]


# Slow (about 2 s): committed data and several connections, so the tables are flushed afterwards.
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_reads_after_a_change_computes_once():
    build_dashboard_dataset()
    served()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE trainees_delegation SET visitors = visitors + 1")
    readers, answers, errors = 8, [], []
    start = threading.Barrier(readers)

    def read():
        try:
            start.wait()
            answers.append(served())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    try:
        with counted_computations() as computed:
            threads = [threading.Thread(target=read) for _ in range(readers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert errors == []
        assert computed == ["FY2012"]
        assert all(answer == fresh() for answer in answers) and len(answers) == readers
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM reports_maintained_figures")
