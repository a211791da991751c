"""Each rule is refused twice: by the service with a field message (a 400 through the API,
nothing written) and by the database itself when the service is bypassed."""

import threading
import time
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from programs.models import Event, Funding, Indicator, Measurement, Program, Project, Site

from .factories import (
    FundingFactory,
    IndicatorFactory,
    MeasurementFactory,
    ProgramFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def field_error(response, field: str) -> str:
    """The code of the first message on `field` of a 400 answer."""
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][field][0]["message"]
    return error["fields"][field][0]["code"]


def database_refuses(constraint: str, write) -> str:
    """Run a write that bypasses the services; the database must refuse it by name."""
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()
    assert refused.value.__cause__.diag.constraint_name == constraint
    return str(refused.value)


@pytest.fixture
def program():
    return ProgramFactory(code="p", start_date=date(2010, 1, 1), end_date=date(2015, 12, 31))


@pytest.fixture
def project(program):
    return ProjectFactory(program=program, code="pr", start_date=date(2011, 1, 1), end_date=date(2014, 12, 31))


def new_project(**changes):
    return {"program": "p", "code": "new", "title": "New", "start_date": "2011-01-01", "end_date": "2012-01-01"} | (
        changes
    )


# --- dates in order (model constraints) -------------------------------------------------------


def test_an_end_before_the_start_is_refused(staff_api):
    response = staff_api.post(
        "/api/v1/programs/", {"code": "x", "title": "X", "start_date": "2012-01-01", "end_date": "2011-01-01"}
    )
    assert field_error(response, "non_field_errors") == "date_order"
    assert not Program.objects.filter(code="x").exists()


def test_a_completed_program_needs_its_end(staff_api):
    response = staff_api.post(
        "/api/v1/programs/", {"code": "x", "title": "X", "start_date": "2012-01-01", "status": "completed"}
    )
    assert field_error(response, "non_field_errors") == "completed_without_end"
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(status="completed", end_date=None)


def test_an_unknown_country_is_refused(staff_api):
    response = staff_api.post(
        "/api/v1/programs/", {"code": "x", "title": "X", "start_date": "2012-01-01", "country": "XX"}
    )
    assert field_error(response, "country") == "invalid_choice"
    response = staff_api.post(
        "/api/v1/events/", {"name": "X", "kind": "seminar", "participating_countries": ["ID", "QQ"]}
    )
    assert "participating_countries" in response.json()["error"]["fields"]
    assert not Event.objects.exists()


def test_an_event_end_needs_its_start(staff_api):
    response = staff_api.post("/api/v1/events/", {"name": "X", "kind": "seminar", "end_date": "2012-01-01"})
    assert field_error(response, "non_field_errors") == "end_without_start"


# --- a project inside its program's period -----------------------------------------------------


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"start_date": "2009-12-31"}, "start_date"),
        ({"end_date": "2016-01-01"}, "end_date"),
        ({"end_date": None}, "end_date"),
    ],
)
def test_a_project_outside_its_program_is_refused(staff_api, program, changes, field):
    response = staff_api.post("/api/v1/projects/", new_project(**changes))
    assert field_error(response, field) == "outside_program"
    assert not Project.objects.filter(code="new").exists()


def test_a_project_inside_its_program_is_accepted(staff_api, program, staff_user):
    response = staff_api.post("/api/v1/projects/", new_project(fields=[]))
    assert response.status_code == 201, response.content
    assert Project.objects.get(code="new").history.get().history_user == staff_user


def test_the_database_refuses_a_project_outside_its_program(program, project):
    message = database_refuses(
        "project_within_program_period",
        lambda: Project.objects.filter(pk=project.pk).update(end_date=date(2016, 1, 1)),
    )
    assert "lies outside the period of its program" in message
    database_refuses(
        "project_within_program_period",
        lambda: ProjectFactory(program=program, start_date=date(2009, 1, 1)),
    )


def test_a_program_cannot_be_shortened_past_its_projects(staff_api, program, project):
    response = staff_api.patch(f"/api/v1/programs/{program.pk}/", {"end_date": "2013-12-31"})
    assert field_error(response, "end_date") == "project_outside_program"
    assert "pr" in response.json()["error"]["fields"]["end_date"][0]["message"]
    response = staff_api.patch(f"/api/v1/programs/{program.pk}/", {"start_date": "2011-06-01"})
    assert field_error(response, "start_date") == "project_outside_program"
    program.refresh_from_db()
    assert (program.start_date, program.end_date) == (date(2010, 1, 1), date(2015, 12, 31))


def test_the_database_refuses_to_shorten_a_program_past_its_projects(program, project):
    message = database_refuses(
        "project_within_program_period",
        lambda: Program.objects.filter(pk=program.pk).update(end_date=date(2013, 12, 31)),
    )
    assert "would leave its project pr outside its period" in message


def test_a_program_can_be_lengthened_or_shortened_around_its_projects(staff_api, program, project):
    response = staff_api.patch(f"/api/v1/programs/{program.pk}/", {"start_date": "2011-01-01", "end_date": None})
    assert response.status_code == 200, response.content


# --- a measurement not before its indicator's baseline -----------------------------------------


def test_a_value_before_the_baseline_is_refused(staff_api):
    indicator = IndicatorFactory(baseline_date=date(2012, 1, 1))
    response = staff_api.post(
        "/api/v1/measurements/", {"indicator": indicator.pk, "period_end": "2011-12-31", "value": "1"}
    )
    assert field_error(response, "period_end") == "before_baseline"
    assert not Measurement.objects.exists()
    database_refuses(
        "measurement_not_before_baseline",
        lambda: MeasurementFactory(indicator=indicator, period_end=date(2011, 12, 31)),
    )


def test_the_baseline_cannot_move_past_a_recorded_value(staff_api):
    measurement = MeasurementFactory(period_end=date(2013, 3, 31))
    indicator = measurement.indicator
    response = staff_api.patch(f"/api/v1/indicators/{indicator.pk}/", {"baseline_date": "2013-06-30"})
    assert field_error(response, "baseline_date") == "measurement_before_baseline"
    database_refuses(
        "measurement_not_before_baseline",
        lambda: Indicator.objects.filter(pk=indicator.pk).update(baseline_date=date(2013, 6, 30)),
    )
    assert Indicator.objects.get(pk=indicator.pk).baseline_date == date(2012, 1, 1)


def test_a_non_numeric_value_is_refused(staff_api):
    indicator = IndicatorFactory()
    response = staff_api.post(
        "/api/v1/measurements/", {"indicator": indicator.pk, "period_end": "2013-03-31", "value": "about ten"}
    )
    assert field_error(response, "value") == "invalid"
    assert not Measurement.objects.exists()


def test_one_value_per_period(staff_api):
    measurement = MeasurementFactory()
    response = staff_api.post(
        "/api/v1/measurements/",
        {"indicator": measurement.indicator.pk, "period_end": str(measurement.period_end), "value": "2"},
    )
    assert field_error(response, "non_field_errors") == "duplicate"


def test_a_target_equal_to_the_baseline_is_refused(staff_api, project):
    response = staff_api.post(
        "/api/v1/indicators/",
        {
            "project": "pr",
            "name": "Stations",
            "baseline_value": "5",
            "baseline_date": "2012-01-01",
            "target_value": "5",
            "target_date": "2014-01-01",
        },
    )
    assert field_error(response, "non_field_errors") == "target_equals_baseline"


# --- funding booked on the project's own program -----------------------------------------------


def test_funding_of_a_project_on_another_program_is_refused(staff_api, project, npa):
    other = ProgramFactory(code="other")
    response = staff_api.post(
        "/api/v1/fundings/",
        {"program": "other", "project": "pr", "organization": npa.code, "fiscal_year": 2012, "amount": "5"},
    )
    assert field_error(response, "project") == "project_of_other_program"
    assert not Funding.objects.exists()
    database_refuses(
        "funding_project_in_program",
        lambda: FundingFactory(program=other, project=project, organization=npa),
    )


def test_a_funded_project_cannot_move_to_another_program(staff_api, program, project, npa):
    FundingFactory(program=program, project=project, organization=npa)
    ProgramFactory(code="other", start_date=date(2010, 1, 1))
    response = staff_api.patch(f"/api/v1/projects/{project.pk}/", {"program": "other"})
    assert field_error(response, "program") == "funding_on_other_program"
    database_refuses(
        "funding_project_in_program",
        lambda: Project.objects.filter(pk=project.pk).update(program=Program.objects.get(code="other")),
    )
    assert Project.objects.get(pk=project.pk).program == program


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"amount": "-1"}, "non_field_errors"),
        ({"currency": "yen"}, "non_field_errors"),
        ({"amount": "lots"}, "amount"),
    ],
)
def test_bad_funding_figures_are_refused(staff_api, program, npa, payload, field):
    body = {"program": "p", "organization": npa.code, "fiscal_year": 2012, "amount": "5"} | payload
    assert staff_api.post("/api/v1/fundings/", body).status_code == 400
    assert not Funding.objects.exists()


def test_a_site_off_the_globe_is_refused(staff_api):
    response = staff_api.post("/api/v1/sites/", {"name": "Nowhere", "country": "ID", "latitude": "91"})
    assert field_error(response, "non_field_errors") == "latitude"
    assert not Site.objects.exists()


def test_a_reference_code_with_a_nul_byte_is_refused(staff_api, program, npa):
    response = staff_api.post(
        "/api/v1/fundings/", {"program": "p\x00", "organization": npa.code, "fiscal_year": 2012, "amount": "5"}
    )
    assert field_error(response, "program") == "invalid"


# --- deleting ----------------------------------------------------------------------------------


def test_deleting_a_program_with_projects_archives_it_and_its_projects_still_resolve(staff_api, program, project):
    assert staff_api.delete(f"/api/v1/programs/{program.pk}/").status_code == 204
    assert not Program.objects.filter(pk=program.pk).exists()
    archived = Program.all_objects.get(pk=program.pk)
    assert archived.archived_at is not None
    assert type(project).objects.get(pk=project.pk).program == archived
    assert staff_api.get(f"/api/v1/programs/{program.pk}/").status_code == 404


def test_deleting_a_program_archives_it_with_who_in_its_history(staff_api, staff_user, program):
    assert staff_api.delete(f"/api/v1/programs/{program.pk}/").status_code == 204
    assert Program.all_objects.get(pk=program.pk).archived_by == staff_user
    latest = Program.history.filter(id=program.pk).order_by("-history_date", "-history_id").first()
    assert (latest.history_type, latest.history_user, latest.archived_by_id) == ("~", staff_user, staff_user.pk)
    assert latest.archived_at is not None


# --- two writers at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_program_cannot_be_shortened_while_a_project_past_the_new_end_is_being_added(staff_user):
    """The project's trigger locks its program row; the shortening waits, then sees the
    committed project and is refused, although its own validation ran before."""
    from programs import services

    program = ProgramFactory(code="race", start_date=date(2010, 1, 1), end_date=date(2015, 12, 31))
    project_written = threading.Event()
    outcome = {}

    def add_late_project():
        try:
            with transaction.atomic():
                services.project_create(
                    actor=staff_user,
                    program=program,
                    code="late",
                    title="Late",
                    start_date=date(2014, 1, 1),
                    end_date=date(2015, 6, 30),
                )
                project_written.set()
                wait_until_another_connection_waits_for_a_lock()
        finally:
            connection.close()

    def shorten_program():
        try:
            project_written.wait(timeout=30)
            fresh = Program.objects.get(pk=program.pk)
            services.program_update(program=fresh, actor=staff_user, end_date=date(2013, 12, 31))
            outcome["shortened"] = True
        except IntegrityError as exc:
            outcome["refused"] = exc.__cause__.diag.constraint_name
        finally:
            connection.close()

    threads = [threading.Thread(target=add_late_project), threading.Thread(target=shorten_program)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"refused": "project_within_program_period"}
    assert Program.objects.get(pk=program.pk).end_date == date(2015, 12, 31)
    assert Project.objects.filter(code="late").exists()


def wait_until_another_connection_waits_for_a_lock() -> None:
    """Poll from this connection until another backend waits for a lock this one holds.

    Only this backend's waiters count: under parallel workers other tests share the server.
    """
    for _ in range(600):
        with connection.cursor() as cursor:
            # Inside a transaction the activity view is a snapshot unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the other writer never waited for the program's lock")
