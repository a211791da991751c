"""Data and servers for the reliability tests under load (test_soak.py).

Run as a module against another database (DATABASE_URL) it seeds what the restart
test's writers need there and prints it as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url_of_tests() -> str:
    """DATABASE_URL pointed at the database pytest-django created, for other processes."""
    from django.db import connection

    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))


def small_dataset() -> None:
    """A few partners with deployments, courses and enrollments: every kind of call the
    load makes finds records, so no call of the mix is skipped."""
    from cooperation.models import Organization
    from cooperation.tests.factories import OrganizationFactory
    from dispatch.tests.factories import DeploymentFactory, ExpertFactory, ProjectFactory, partner_in
    from programs.tests.factories import IndicatorFactory
    from trainees.models import EnrollmentStatus
    from trainees.tests.factories import CourseFactory, EnrollmentFactory, TraineeFactory

    OrganizationFactory(code="load-npa", name="National Police Agency (load)", kind="npa", country="JP")
    partners = [
        OrganizationFactory(code=f"load-partner-{n}", kind=Organization.Kind.DEVELOPMENT_AGENCY, country="JP")
        for n in range(3)
    ]
    statuses = [EnrollmentStatus.NOMINATED, EnrollmentStatus.ACCEPTED]
    today = date.today()
    for partner in partners:
        project = ProjectFactory()
        partner_in(project.program, partner)
        for n in range(8):
            start = today - timedelta(days=400) + timedelta(days=45 * n)
            DeploymentFactory(
                expert=ExpertFactory(),
                project=project,
                planned_start=start,
                planned_end=start + timedelta(days=30),
            )
        IndicatorFactory(project=project)
        for _ in range(3):
            course = CourseFactory(capacity=20)
            for m in range(6):
                EnrollmentFactory(
                    course=course,
                    trainee=TraineeFactory(organization=partner),
                    nominated_by=partner,
                    status=statuses[m % len(statuses)],
                )


@dataclass
class Writer:
    token: str
    indicator: int
    start: date
    session_cookie: str


def seed_writer() -> Writer:
    """A staff token, an indicator to report on and a manager's signed-in session."""
    from django.conf import settings
    from django.test import Client

    from cooperation.roles import MANAGER, NPA_STAFF
    from cooperation.services import api_token_issue
    from cooperation.tests.factories import OrganizationFactory, UserFactory
    from programs.tests.factories import IndicatorFactory

    npa = OrganizationFactory(code="restart-npa", kind="npa", country="JP")
    staff = UserFactory(username="restart-staff", role=NPA_STAFF, organization=npa)
    manager = UserFactory(username="restart-manager", role=MANAGER, organization=npa)
    indicator = IndicatorFactory()
    _, key = api_token_issue(user=staff, name="restart writers")
    browser = Client()
    browser.force_login(manager)
    session_key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return Writer(key, indicator.pk, indicator.baseline_date, session_key)


def seed_writer_in(database_url: str) -> Writer:
    """`seed_writer` run in a child process against another database."""
    output = subprocess.run(
        [sys.executable, "-m", "tests.soak_support"],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "cooperation.settings"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    values = json.loads(output.strip().splitlines()[-1])
    return Writer(values["token"], values["indicator"], date.fromisoformat(values["start"]), values["session"])


def copy_migrated_template(database_url: str) -> None:
    """The run's migrated template database (conftest) restored into another server: the
    schema and reference rows `migrate` would write there, in seconds instead of half a
    minute."""
    from cooperation import devstack
    from cooperation.backup import postgres_tool
    from cooperation.tests.template_db import template_of

    url = urlsplit(os.environ["DATABASE_URL"])
    template = template_of(url.path.lstrip("/"))
    source = urlunsplit(url._replace(path=f"/{template}"))
    # Under the template's lock: a worker cloning the template needs it to itself.
    with devstack.file_lock(template):
        dump = subprocess.run(
            [postgres_tool("pg_dump"), "--format=custom", "--no-owner", source], check=True, capture_output=True
        ).stdout
    subprocess.run(
        [postgres_tool("pg_restore"), "--no-owner", "--single-transaction", "--dbname", database_url],
        input=dump,
        check=True,
        capture_output=True,
    )


if __name__ == "__main__":
    import django

    django.setup()
    writer = seed_writer()
    print(
        json.dumps(
            {
                "token": writer.token,
                "indicator": writer.indicator,
                "start": writer.start.isoformat(),
                "session": writer.session_cookie,
            }
        )
    )
