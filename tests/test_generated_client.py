"""A client generated from the live schema runs a partner coordinator's whole workflow.

The client is generated at test time (openapi-python-client) into a temporary directory,
so the test fails as soon as the schema stops describing what the API answers: a
response the generated models cannot parse is an error here.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from datetime import date
from io import BytesIO

import pytest
from django.core.management import call_command

from conftest import token_client
from dispatch.tests.factories import partner_in
from programs.tests.factories import IndicatorFactory, ProgramFactory, ProjectFactory
from trainees.models import Enrollment, EnrollmentStatus, Trainee
from trainees.nominations import COLUMNS
from trainees.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "cooperation_partner_client"


@pytest.fixture
def generated_client(tmp_path):
    schema = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def nomination_csv(people: list[tuple[str, str, date]]) -> bytes:
    lines = [",".join(COLUMNS)]
    for family, given, born in people:
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(
            family_name=family,
            given_name=given,
            gender="female",
            date_of_birth=born.isoformat(),
            nationality="ID",
            rank="Inspector",
        )
        lines.append(",".join(cells[column] for column in COLUMNS))
    return ("\n".join(lines) + "\n").encode("utf-8")


# Slow: generates a Python client from the schema and drives a live server with it.
@pytest.mark.slow
def test_a_coordinator_works_through_the_generated_client(generated_client, live_server, coordinator_user, partner_org):
    open_course = CourseFactory(target_countries=[])
    CourseFactory(status="planned")
    program = ProgramFactory()
    partner_in(program, partner_org)
    indicator = IndicatorFactory(project=ProjectFactory(program=program))
    key = token_client(coordinator_user)._credentials["HTTP_AUTHORIZATION"].split()[1]

    # One module of operations a tag: a resource, named after its part of the system.
    api = f"{PACKAGE}.api"
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")
    client = generated_client.AuthenticatedClient(base_url=live_server.url, token=key, prefix="Token")

    # 1. The open courses.
    listing = importlib.import_module(f"{api}.courses_and_trainees_courses.v1_courses_list").sync(
        client=client, status=[models.V1CoursesListStatusItem.OPEN]
    )
    assert [course.code for course in listing.results] == [open_course.code]
    course = listing.results[0]
    # A partner's seat counts hold its own nominees only; free seats are the agency's to know.
    assert (course.seats_taken, course.seats_left) == (0, None)

    # 2. Three participants nominated from one CSV file.
    people = [
        ("Santoso", "Budi", date(1985, 4, 12)),
        ("Wijaya", "Sari", date(1990, 8, 30)),
        ("Pratama", "Adi", date(1988, 1, 5)),
    ]
    upload = models.NominationUploadRequest(
        file=types.File(payload=BytesIO(nomination_csv(people)), file_name="participants.csv", mime_type="text/csv")
    )
    nominated = importlib.import_module(f"{api}.courses_and_trainees_courses.v1_courses_nominations_create").sync(
        id=course.id, client=client, body=upload, idempotency_key="nominations-1"
    )
    assert isinstance(nominated, models.NominationResult), nominated
    assert nominated.nominated == nominated.new_trainees == 3
    assert Trainee.objects.filter(family_name__in=[p[0] for p in people]).count() == 3

    # 3. Their status, read back.
    enrollments = importlib.import_module(f"{api}.courses_and_trainees_enrollments.v1_enrollments_list").sync(
        client=client, course=course.id
    )
    assert enrollments.count == 3
    assert {row.trainee.display for row in enrollments.results} == {
        str(enrollment.trainee) for enrollment in Enrollment.objects.filter(course_id=course.id)
    }
    assert {row.status for row in enrollments.results} == {models.EnrollmentStatusEnum(EnrollmentStatus.NOMINATED)}
    one = importlib.import_module(f"{api}.courses_and_trainees_enrollments.v1_enrollments_retrieve").sync(
        id=nominated.rows[0].enrollment, client=client
    )
    assert one.nominated_by.code == partner_org.code

    # 4. A value of an indicator of the partner's program.
    measurement = importlib.import_module(f"{api}.programs_and_projects_measurements.v1_measurements_create").sync(
        client=client,
        body=models.MeasurementRequest(indicator=indicator.pk, period_end=date(2013, 3, 31), value="12.5"),
    )
    assert isinstance(measurement, models.Measurement), measurement
    assert measurement.indicator.id == indicator.pk
    assert measurement.reported_by.code == partner_org.code
    assert indicator.measurements.get().value == 12.5
