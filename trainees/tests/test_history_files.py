"""Files of past courses, trainees and delegations: matching people, refusals, all or nothing."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cooperation.tests.factories import OrganizationFactory
from trainees.imports import COURSE_COLUMNS, DELEGATION_COLUMNS, TRAINEE_COLUMNS
from trainees.models import Course, Delegation, Enrollment, Trainee, TraineeDuplicate
from trainees.tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db


def _csv(columns, *rows: dict) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([row.get(c.name, "") for c in columns])
    return SimpleUploadedFile("history.csv", buffer.getvalue().encode())


def _person(family: str, given: str, born: str = "1979-03-04", **extra) -> dict:
    return {
        "family_name": family,
        "given_name": given,
        "gender": "male",
        "date_of_birth": born,
        "nationality": "PH",
        **extra,
    }


def test_people_are_matched_by_the_nomination_rule_and_doubtful_ones_queued(staff_api):
    known = TraineeFactory(family_name="Dela Cruz", given_name="Jose", date_of_birth="1979-03-04", nationality="PH")
    upload = _csv(
        TRAINEE_COLUMNS,
        _person("DELA CRUZ", "jose"),  # the same person, written otherwise
        _person("Dela Cruz", "Josephine"),  # same family name and birth: perhaps the same
        _person("Reyes", "Ana"),
    )
    response = staff_api.post(reverse("trainee-history-import"), {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    outcomes = {o["row"]: (o["action"], o["id"]) for o in response.json()["outcomes"]}
    assert outcomes[2] == ("match", known.pk)
    assert outcomes[3][0] == outcomes[4][0] == "create"
    assert list(TraineeDuplicate.objects.values_list("trainee_id", "existing_id")) == [(outcomes[3][1], known.pk)]
    assert Trainee.objects.count() == 3


def test_a_course_file_beyond_the_capacity_is_refused_whole(staff_api):
    host, jica = OrganizationFactory(code="host-h"), OrganizationFactory(code="jica-h")
    course = {
        "course_code": "OLD-01",
        "course_title": "Old course",
        "course_kind": "seminar",
        "host": host.code,
        "start_date": "2004-06-01",
        "end_date": "2004-06-10",
        "capacity": "2",
        "nominated_by": jica.code,
    }
    rows = [{**course, **_person(f"P{i}", "X", born=f"1980-01-0{i + 1}")} for i in range(3)]
    response = staff_api.post(
        reverse("course-history-import"), {"file": _csv(COURSE_COLUMNS, *rows)}, format="multipart"
    )
    assert response.status_code == 400
    assert [(r["row"], r["code"]) for r in response.json()["error"]["rows"]] == [(4, "course_full")]
    assert not Course.objects.filter(code="OLD-01").exists() and not Enrollment.objects.exists()


def test_delegations_are_recorded_held_and_matched_when_sent_again(staff_api):
    rows = [{"country": "KH", "start_date": "2001-02-05", "end_date": "2001-02-09", "visitors": "6",
             "facilities_visited": "koban;npa"}]  # fmt: skip
    first = staff_api.post(
        reverse("delegation-history-import"), {"file": _csv(DELEGATION_COLUMNS, *rows)}, format="multipart"
    )
    assert first.status_code == 201
    delegation = Delegation.objects.get()
    assert (delegation.status, delegation.retrospective, delegation.facilities_visited) == (
        "held",
        True,
        ["koban", "npa"],
    )
    again = staff_api.post(
        reverse("delegation-history-import"),
        {"file": _csv(DELEGATION_COLUMNS, *rows), "dry_run": True},
        format="multipart",
    )
    assert again.json()["outcomes"] == [{"row": 2, "record": "delegation", "action": "match", "id": delegation.pk}]


def test_partners_and_managers_may_not_import_history(coordinator_api, manager_api):
    for api in (coordinator_api, manager_api):
        response = api.post(
            reverse("trainee-history-import"), {"file": _csv(TRAINEE_COLUMNS, _person("A", "B"))}, format="multipart"
        )
        assert response.status_code == 403
    assert not Trainee.objects.exists()
