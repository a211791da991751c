"""Bulk nominations write set-based: the cost in queries is the file's, not its rows', and
every row still gets its history copies."""

import pytest

from trainees.models import Enrollment, EnrollmentStatusChange, Trainee

from .test_nominations_import import csv_file, row, upload

pytestmark = pytest.mark.django_db


def test_two_hundred_rows_cost_no_more_queries_than_ten(staff_api, course, django_assert_max_num_queries):
    staff_api.get("/api/v1/courses/")  # the token's first use is recorded once
    with django_assert_max_num_queries(10_000) as ten:
        assert upload(staff_api, course, csv_file(*(row(n) for n in range(10)))).status_code == 201
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = upload(staff_api, course, csv_file(*(row(100 + n) for n in range(200))))
    assert response.status_code == 201
    assert response.json()["nominated"] == 200


def test_every_new_trainee_and_enrollment_has_its_history_copy(coordinator_api, coordinator_user, course):
    response = upload(coordinator_api, course, csv_file(row(1), row(2, passport_number="B 123-45")))
    assert response.status_code == 201, response.json()
    rows = response.json()["rows"]
    for entry in rows:
        trainee = Trainee.objects.get(pk=entry["trainee"])
        (copy,) = trainee.history.all()
        assert (copy.history_type, copy.history_user, copy.family_name) == ("+", coordinator_user, trainee.family_name)
        assert copy.passport_number == trainee.passport_number
        assert copy.passport_number_digest == trainee.passport_number_digest
        enrollment = Enrollment.objects.get(pk=entry["enrollment"])
        (copy,) = enrollment.history.all()
        assert (copy.history_type, copy.history_user, copy.status) == ("+", coordinator_user, "nominated")
        (change,) = EnrollmentStatusChange.objects.filter(enrollment=enrollment)
        assert (change.from_status, change.to_status, change.actor) == ("", "nominated", coordinator_user)
        assert change.note == "Nominated from a file of 2 participants."
    found = Trainee.objects.get(family_name="Family2")
    assert found.passport_number == "B 123-45"
    assert found.created_at == found.updated_at == found.history.get().history_date
