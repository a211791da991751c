"""Bulk nominations from a file: every row checked, all or nothing, every problem reported."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from cooperation.rowfiles import MAX_BYTES, MAX_ROWS
from trainees.models import Enrollment, EnrollmentStatusChange, Trainee
from trainees.nominations import COLUMNS

from .factories import CourseFactory, EnrollmentFactory, TraineeFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def row(n=0, **values):
    cells = {
        "family_name": f"Family{n}",
        "given_name": f"Given{n}",
        "name_ja": "",
        "gender": "female" if n % 2 else "male",
        "date_of_birth": (date(1985, 1, 1) + timedelta(days=n)).isoformat(),
        "nationality": "ID",
        "organization": "",
        "rank": "Police Major",
        "position": "Head of community policing",
        "email": f"person{n}@example.org",
        "phone": "+62 21 555 0100",
        "passport_number": f"A{n:07d}",
        "passport_expiry": (timezone.localdate() + timedelta(days=3650)).isoformat(),
    }
    cells.update(values)
    return ",".join(cells[column] for column in COLUMNS)


def csv_file(*lines, header=HEADER, encoding="utf-8", name="participants.csv"):
    text = "\n".join([header, *lines]) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, course, file, **extra):
    return client.post(f"/api/v1/courses/{course.pk}/nominations/", {"file": file, **extra}, format="multipart")


def nothing_written(trainees_before):
    return Trainee.objects.count() == trainees_before and not Enrollment.objects.exists()


# --- the happy path ---------------------------------------------------------------------


def test_a_coordinator_nominates_a_whole_file(coordinator_api, partner_org, course):
    known = TraineeFactory(family_name="Wijaya Kusuma", given_name="Dewi", date_of_birth=date(1984, 5, 6))
    # Someone the partner nominated before: its own trainee, matched across its files.
    EnrollmentFactory(trainee=known, nominated_by=partner_org)
    file = csv_file(
        row(1),
        row(2, organization=partner_org.code),
        row(3, family_name="WIJAYA KUSUMA ", given_name="dewi", date_of_birth="1984-05-06"),
    )
    response = upload(coordinator_api, course, file)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["nominated"], body["new_trainees"], body["existing_trainees"]) == (3, 2, 1)
    assert [r["row"] for r in body["rows"]] == [2, 3, 4]
    assert body["rows"][2]["trainee"] == known.pk
    assert not body["rows"][2]["new_trainee"]
    enrollments = Enrollment.objects.filter(course=course)
    assert enrollments.count() == 3
    assert set(enrollments.values_list("nominated_by", flat=True)) == {partner_org.pk}
    assert set(enrollments.values_list("status", flat=True)) == {"nominated"}
    assert EnrollmentStatusChange.objects.filter(enrollment__course=course, to_status="nominated").count() == 3
    created = Trainee.objects.get(family_name="Family2")
    assert (created.organization, created.passport_number, created.gender) == (partner_org, "A0000002", "male")
    assert created.history.count() == 1


def test_a_utf8_file_with_a_byte_order_mark_and_japanese_names_is_read(coordinator_api, course):
    text = "\ufeff" + HEADER + "\n" + row(1, name_ja="デウィ") + "\n"
    file = SimpleUploadedFile("excel.csv", text.encode("utf-8"), content_type="text/csv")
    response = upload(coordinator_api, course, file)
    assert response.status_code == 201, response.json()
    assert Trainee.objects.get(family_name="Family1").name_ja == "デウィ"


def test_the_cost_in_queries_does_not_grow_with_the_rows(staff_api, course):
    staff_api.get("/api/v1/courses/")  # the token's first use is recorded once
    counts = []
    for size, offset in ((5, 0), (60, 100)):
        with CaptureQueriesContext(connection) as queries:
            response = upload(staff_api, course, csv_file(*(row(offset + n) for n in range(size))))
        assert response.status_code == 201
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- all or nothing ---------------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_written(coordinator_api, course):
    TraineeFactory()
    before = Trainee.objects.count()
    file = csv_file(
        row(1),
        row(2, date_of_birth="02/03/1988", passport_expiry="2031-02-30"),
        row(3, nationality="XX", gender="f"),
        row(4, family_name="", organization="no-such-org"),
        row(5, email="not-an-email"),
        row(1, family_name="family 1"),
        row(7, passport_expiry=(course.end_date - timedelta(days=1)).isoformat()),
    )
    response = upload(coordinator_api, course, file)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    reported = {(item["row"], item["field"], item["code"]) for item in error["rows"]}
    assert reported == {
        (3, "date_of_birth", "invalid_date"),
        (3, "passport_expiry", "invalid_date"),
        (4, "gender", "invalid_choice"),
        (4, "nationality", "unknown_country"),
        (5, "family_name", "required"),
        (5, "organization", "unknown_organization"),
        (6, "email", "invalid"),
        (7, "family_name", "duplicate_in_file"),
        (8, "passport_expiry", "passport_expires"),
    }
    assert all(item["message"] for item in error["rows"])
    duplicate = next(item for item in error["rows"] if item["code"] == "duplicate_in_file")
    assert "row 2" in duplicate["message"]
    assert nothing_written(before)


def test_a_person_already_nominated_to_the_course_is_a_row_error(staff_api, course):
    enrolled = EnrollmentFactory(course=course, trainee=TraineeFactory(family_name="Ramos", given_name="Jose"))
    person = enrolled.trainee
    file = csv_file(row(1), row(2, family_name="Ramos", given_name="Jose", date_of_birth=str(person.date_of_birth)))
    response = upload(staff_api, course, file)
    assert response.status_code == 400
    (problem,) = response.json()["error"]["rows"]
    assert (problem["row"], problem["code"]) == (3, "already_nominated")
    assert f"#{enrolled.pk}" in problem["message"]
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    [
        HEADER.replace("date_of_birth", "birthday"),
        HEADER.replace("family_name,given_name", "given_name,family_name"),
        HEADER + ",notes",
        "",
    ],
)
def test_a_wrong_header_is_refused_with_the_expected_one(header, coordinator_api, course):
    response = upload(coordinator_api, course, csv_file(row(1), header=header))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_header"
    assert HEADER in error["message"]
    assert error["fields"]["file"][0]["code"] == "invalid_header"
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("encoding", ["latin-1", "shift_jis", "utf-16"])
def test_a_file_not_in_utf8_is_refused_clearly(encoding, coordinator_api, course):
    name = "ヌルハサン" if encoding == "shift_jis" else "Muñoz"
    response = upload(coordinator_api, course, csv_file(row(1, family_name=name), encoding=encoding))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "not_utf8"
    assert "UTF-8" in error["message"]
    assert not Trainee.objects.exists()


def test_nominations_after_the_deadline_are_refused_naming_it(coordinator_api):
    deadline = timezone.localdate() - timedelta(days=2)
    course = CourseFactory(start_date=deadline + timedelta(days=20), nomination_deadline=deadline)
    response = upload(coordinator_api, course, csv_file(row(1)))
    assert response.status_code == 400
    assert deadline.isoformat() in response.json()["error"]["fields"]["course"][0]["message"]
    assert not Trainee.objects.exists()


# --- limits and formats -----------------------------------------------------------------


def test_a_file_over_the_size_limit_is_413(staff_api, course):
    padding = "x" * 100
    lines = [row(n, position=padding) for n in range(MAX_BYTES // 200)]
    file = csv_file(*lines)
    assert file.size > MAX_BYTES
    response = upload(staff_api, course, file)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not Trainee.objects.exists()


def test_a_file_over_the_row_limit_is_refused(staff_api, course):
    response = upload(staff_api, course, csv_file(*(row(n) for n in range(MAX_ROWS + 1))))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_rows"
    assert not Trainee.objects.exists()


def test_the_file_is_required(coordinator_api, course):
    response = coordinator_api.post(f"/api/v1/courses/{course.pk}/nominations/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"][0]["code"] == "required"


def _workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("participants.xlsx", buffer.getvalue())


XLSX_ROW = ["Tan", "Mei Ling", "", "female", date(1990, 4, 1), "MY", "", "Inspector", "", "", 60312345678, "", None]


def test_staff_may_upload_an_xlsx_workbook(staff_api, course, npa):
    response = upload(staff_api, course, _workbook([XLSX_ROW]))
    assert response.status_code == 201, response.json()
    trainee = Trainee.objects.get(family_name="Tan")
    assert (trainee.date_of_birth, str(trainee.nationality), trainee.phone) == (date(1990, 4, 1), "MY", "60312345678")
    assert Enrollment.objects.get(trainee=trainee).nominated_by == npa


def test_an_xlsx_with_bad_rows_is_reported_like_a_csv(staff_api, course):
    bad = list(XLSX_ROW)
    bad[4] = "1 April 1990"
    response = upload(staff_api, course, _workbook([XLSX_ROW, bad]))
    assert response.status_code == 400
    problems = response.json()["error"]["rows"]
    assert {(p["row"], p["field"], p["code"]) for p in problems} >= {(3, "date_of_birth", "invalid_date")}
    assert not Trainee.objects.exists()


def test_partner_coordinators_upload_csv_only(coordinator_api, course):
    response = upload(coordinator_api, course, _workbook([XLSX_ROW]))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "xlsx_staff_only"
    assert not Trainee.objects.exists()


def test_a_coordinator_nominates_for_its_own_organization_only(coordinator_api, course, other_org):
    response = upload(coordinator_api, course, csv_file(row(1)), nominated_by=other_org.code)
    assert response.status_code == 400
    assert "nominated_by" in response.json()["error"]["fields"]
    assert not Trainee.objects.exists()


def test_staff_may_nominate_on_behalf_of_an_organization(staff_api, course, other_org):
    response = upload(staff_api, course, csv_file(row(1)), nominated_by=other_org.code)
    assert response.status_code == 201
    assert Enrollment.objects.get().nominated_by == other_org


def test_managers_cannot_nominate(manager_api, course):
    response = upload(manager_api, course, csv_file(row(1)))
    assert response.status_code == 403
    assert not Trainee.objects.exists()
