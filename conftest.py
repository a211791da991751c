"""Fixtures shared by every app's tests: users in each role and API clients.

Also how the suite runs in parallel (`make test` uses pytest-xdist, one worker a core and
one more): each worker gets a Redis of its own and a database cloned from one migrated template.
"""

import itertools
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from cooperation.roles import MANAGER, NPA_STAFF, PARTNER_COORDINATOR
from cooperation.services import api_token_issue
from cooperation.tests.factories import OrganizationFactory, UserFactory


def make_partner_org():
    return OrganizationFactory(code="jica-test", name="Partner agency", kind="development_agency", country="JP")


def make_other_org():
    return OrganizationFactory(code="other-test", name="Other agency")


@pytest.fixture
def partner_org(db):
    return make_partner_org()


@pytest.fixture
def other_org(db):
    return make_other_org()


@pytest.fixture
def npa(db):
    return OrganizationFactory(code="npa-test", name="National Police Agency (test)", kind="npa", country="JP")


@pytest.fixture
def staff_user(npa):
    return UserFactory(role=NPA_STAFF, username="staff-user", organization=npa)


@pytest.fixture
def manager_user(npa):
    return UserFactory(role=MANAGER, username="manager-user", organization=npa)


@pytest.fixture
def coordinator_user(partner_org):
    return UserFactory(role=PARTNER_COORDINATOR, username="coordinator-user", organization=partner_org)


@pytest.fixture
def roleless_user(db):
    return UserFactory(role=None, username="roleless-user")


# --- parallel workers: their own Redis, their own database ---------------------------------


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker a core, and one more.

    A worker spends part of each test waiting for PostgreSQL, Redis or a process it
    started; the extra worker keeps the cores busy meanwhile (on 2 cores the suite's
    pytest time fell from 630 s to 582 s).
    """
    return (os.cpu_count() or 1) + 1


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Before the workers start: an empty Redis of its own for each one (REDIS_URL).

    The Celery workers that tests start answer pings and report to /healthz over Redis
    pub/sub, which database numbers do not separate; separate servers do.
    """
    from cooperation import devstack

    servers = config.stash.setdefault(_REDIS_SERVERS, [])
    for index, spec in enumerate(specs):
        server, url = devstack.start_empty_redis(f"redis-test-gw{index}")
        servers.append(server)
        spec.env["REDIS_URL"] = url
        spec.env["TEST_TEMPLATE_BUILT"] = "1"
    # While the workers collect the tests: the migrated template is brought up to date
    # (instead of by the first of them while the others wait: template_db), and
    # Hypothesis' character tables are written to its cache, once instead of by each worker.
    config.stash[_HELPERS] = [
        _start_helper("cooperation.tests.template_db", *(["--rebuild"] if config.getoption("create_db") else [])),
        _start_helper("cooperation.tests.hypothesis_cache"),
    ]


def _start_helper(module: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=Path(__file__).resolve().parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


_REDIS_SERVERS = pytest.StashKey[list]()
_HELPERS = pytest.StashKey[list]()


def pytest_unconfigure(config):
    from cooperation import devstack

    # All at once: about a second each.
    with ThreadPoolExecutor() as pool:
        list(pool.map(devstack.stop_redis, config.stash.get(_REDIS_SERVERS, [])))
    for helper in config.stash.get(_HELPERS, []):
        helper.wait()


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database, cloned from a template migrated once (CREATE DATABASE … TEMPLATE).

    The template is migrated by the first worker that needs it, under a lock, and kept
    between runs while the code and requirements it was migrated from are unchanged
    (their digest is the database's comment); `--create-db` migrates it again.
    """
    from django.db import connection

    from cooperation import devstack
    from cooperation.tests import template_db

    template, name = template_db.names(connection)
    original = connection.settings_dict["NAME"]
    # Under xdist the controller's builder, started before the workers, does what
    # --create-db asks (TEST_TEMPLATE_BUILT); the workers only check the fingerprint.
    rebuild = request.config.getoption("create_db") and not os.environ.get("TEST_TEMPLATE_BUILT")
    with django_db_blocker.unblock():
        with devstack.file_lock(template):
            template_db.bring_up_to_date(connection, rebuild=rebuild)
            template_db.drop(connection, name)
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        template_db.use_database(connection, name)
        connection.ensure_connection()
    yield
    with django_db_blocker.unblock():
        template_db.use_database(connection, original)
        template_db.drop(connection, name)


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction open across a module, for rows its tests share but never change.

    Module-scoped fixtures built on this one write their rows once; each test's own
    transaction is a savepoint inside it, and the whole is rolled back after the last test.
    For modules whose tests all run in transactions (not `transaction=True`).
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """The rows a module fixture writes in `module_transaction` have their deferred foreign
    key checks run once, as soon as the fixture is built.

    Each test ends by running the pending deferred checks (Django's TestCase sets the
    constraints IMMEDIATE), inside its savepoint. Rolling that savepoint back marks every
    check it ran as pending again, those of the module's shared rows included, so each test
    of the matrix checked the whole dataset again: about 2 ms of the server's time a test.
    Run once in the module's transaction, they stay done, and each test checks its own rows.
    """
    yield
    if fixturedef.scope == "module" and "module_transaction" in fixturedef.argnames:
        from django.db import connection

        with request.getfixturevalue("django_db_blocker").unblock(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


_token_names = itertools.count(1)


def token_client(user) -> APIClient:
    """An API client that authenticates like a partner's script: with a token of its own."""
    _, key = api_token_issue(user=user, name=f"test client {next(_token_names)}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def staff_api(staff_user):
    return token_client(staff_user)


@pytest.fixture
def manager_api(manager_user):
    return token_client(manager_user)


@pytest.fixture
def coordinator_api(coordinator_user):
    return token_client(coordinator_user)


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def celery_worker_process():
    """A real Celery worker in its own process, on the same Redis and database as the tests.

    The worker sees only committed rows, so tests that hand it work are transactional.
    """
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    from cooperation.celery import app

    environment = dict(os.environ)
    if environment.get("DATABASE_URL"):
        # Point the worker at the test database pytest-django created, not the development one.
        url = urlsplit(environment["DATABASE_URL"])
        environment["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cooperation",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--hostname",
            "test-worker@%h",
        ],
        cwd=Path(__file__).resolve().parent,
        env=environment,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser build).

    Without Chromium the browser tests are skipped, unless REQUIRE_BROWSER=1 (CI) makes
    that a failure.
    """
    import os
    import shutil

    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        message = f"Chromium is not installed at {executable}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and REQUIRE_BROWSER=1")
        pytest.skip(message + " (REQUIRE_BROWSER=1 turns this into a failure)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests
    # make around it are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir():
    """Where browser tests leave screenshots for people to look at (TEST_ARTIFACTS_DIR, else test-artifacts/)."""
    import os
    from pathlib import Path

    path = Path(os.environ.get("TEST_ARTIFACTS_DIR") or Path(__file__).resolve().parent / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Hash test passwords with a fast hasher; production's Argon2 is proved in test_security_auth."""
    from django.conf import settings
    from django.test.utils import override_settings

    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    ):
        yield


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "_django_db_helper"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that need no database first (after pytest-django's own ordering).

    From a clean clone, a worker's first database test waits for the migrated template
    (about 40 s of one core); the schema and file-format tests fill that wait instead of
    running at the end.
    """

    def needs_database(item) -> bool:
        fixtures = set(getattr(item, "fixturenames", ()))
        return bool(DATABASE_FIXTURES & fixtures) or item.get_closest_marker("django_db") is not None

    items.sort(key=needs_database)  # stable: each group keeps its order


def pytest_collection_finish(session):
    """The collected tests (and the contract's thousands of generated cases) live to the
    end of the run: out of the garbage collector's sight, its sweeps stay short.

    A request allocates thousands of short-lived objects, so the youngest generation is
    swept after 20,000 allocations instead of 700: the collector's share of a contract
    run's time fell from 7% to 5%, the memory held between sweeps stays a few megabytes.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


def _in_a_stack_chunk_of_its_own(function, **kwargs):
    return function(**kwargs)


# CPython 3.11 keeps frames in 16 KiB chunks, mapped from the system when the stack grows
# into one and unmapped when it shrinks out of it (python/cpython#142183, fixed in 3.13).
# A request whose calls go back and forth across a chunk's edge pays an mmap and a munmap
# each time: about 300 a matrix cell, 500 a contract case, a tenth of their CPU in this VM.
# This function's frame claims over a megabyte of stack slots it never touches, so the
# interpreter gives it a 2 MiB chunk, and the test below it runs in the megabyte left over,
# far from any edge.
_in_a_stack_chunk_of_its_own.__code__ = _in_a_stack_chunk_of_its_own.__code__.replace(co_stacksize=140_000)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """Each test (setup, call and teardown) runs pytest's own protocol, in a large stack chunk."""
    from _pytest.runner import pytest_runtest_protocol as run_test

    return _in_a_stack_chunk_of_its_own(run_test, item=item, nextitem=nextitem)
