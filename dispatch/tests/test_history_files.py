"""Files of past deployments and missions: refusals row by row, all or nothing, templates, the admin page."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dispatch.imports import DEPLOYMENT_COLUMNS, MISSION_COLUMNS
from dispatch.models import Deployment, Expert, Mission

from .factories import ExpertFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _csv(columns, *rows: dict) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([row.get(c.name, "") for c in columns])
    return SimpleUploadedFile("history.csv", buffer.getvalue().encode())


def _stay(number: str, start: str, end: str, **extra) -> dict:
    return {
        "personnel_number": number,
        "family_name": "Kato",
        "given_name": "Goro",
        "expert_organization": extra.pop("organization", ""),
        "kind": "technical_cooperation",
        "project": extra.pop("project", ""),
        "country": "ID",
        "actual_start": start,
        "actual_end": end,
        **extra,
    }


def test_every_refused_row_is_reported_and_nothing_is_written(staff_api, npa):
    project = ProjectFactory()
    ExpertFactory(personnel_number="K1", family_name="Kimura", given_name="Goro")
    upload = _csv(
        DEPLOYMENT_COLUMNS,
        _stay("K2", "2003-01-01", "2003-06-30", project=project.code, organization=npa.code),
        _stay("K2", "2003-06-01", "2003-09-30", project=project.code),  # overlaps row 2
        _stay("K1", "2004-01-01", "2004-02-01", project=project.code),  # not Kato on the roster
        _stay("K3", "2004-01-01", "2004-02-01", project="no-such-project", organization=npa.code),
        _stay("K4", "2004-01-01", "2004-02-01", project=project.code),  # a new expert without an organization
        _stay("K5", "2004-13-01", "2004-02-01", project=project.code, organization=npa.code),
    )
    response = staff_api.post(reverse("deployment-history-import"), {"file": upload}, format="multipart")
    assert response.status_code == 400
    problems = {(row["row"], row["field"], row["code"]) for row in response.json()["error"]["rows"]}
    assert problems == {
        (3, "actual_start", "overlap_in_file"),
        (4, "family_name", "expert_name_mismatch"),
        (5, "project", "unknown_project"),
        (6, "expert_organization", "required_for_new_expert"),
        (7, "actual_start", "invalid_date"),
    }
    assert not Deployment.objects.exists()
    assert Expert.objects.count() == 1


def test_a_dry_run_reports_without_writing_and_the_import_writes_all(staff_api, npa):
    project = ProjectFactory()
    rows = [
        _stay(f"N{i}", f"200{i}-01-01", f"200{i}-03-31", project=project.code, organization=npa.code) for i in range(3)
    ]
    dry = staff_api.post(
        reverse("deployment-history-import"),
        {"file": _csv(DEPLOYMENT_COLUMNS, *rows), "dry_run": True},
        format="multipart",
    )
    assert dry.status_code == 200
    assert dry.json()["counts"] == {"expert": {"create": 3, "match": 0}, "deployment": {"create": 3, "match": 0}}
    assert not Deployment.objects.exists()
    done = staff_api.post(
        reverse("deployment-history-import"), {"file": _csv(DEPLOYMENT_COLUMNS, *rows)}, format="multipart"
    )
    assert done.status_code == 201
    assert Deployment.objects.filter(retrospective=True, expert__personnel_number__in=["N0", "N1", "N2"]).count() == 3
    # Sent again, every row is matched: nothing is recorded twice.
    again = staff_api.post(
        reverse("deployment-history-import"), {"file": _csv(DEPLOYMENT_COLUMNS, *rows)}, format="multipart"
    )
    assert again.json()["counts"]["deployment"] == {"create": 0, "match": 3}
    assert Deployment.objects.count() == 3


def test_a_relief_mission_names_its_disaster(staff_api):
    row = {
        "mission": "Rescue team", "mission_kind": "disaster_relief", "team_type": "rescue", "country": "TR",
        "requesting_party": "government", "requested_on": "1999-08-17", "departure_on": "1999-08-18",
        "return_on": "1999-08-30",
    }  # fmt: skip
    response = staff_api.post(
        reverse("mission-history-import"), {"file": _csv(MISSION_COLUMNS, row)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["rows"][0]["code"] == "disaster_required"
    assert not Mission.objects.exists()


@pytest.mark.parametrize("resource", ["deployment", "mission"])
def test_the_csv_template_holds_the_columns_and_a_filled_example(staff_api, resource):
    columns = {"deployment": DEPLOYMENT_COLUMNS, "mission": MISSION_COLUMNS}[resource]
    response = staff_api.get(reverse(f"{resource}-history-template"))
    assert response.status_code == 200
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == [c.name for c in columns]
    assert all(value for value, column in zip(example, columns, strict=True) if column.required)
    xlsx = staff_api.get(reverse(f"{resource}-history-template"), {"file_format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    unknown = staff_api.get(reverse(f"{resource}-history-template"), {"file_format": "pdf"})
    assert unknown.status_code == 400 and "file_format" in unknown.json()["error"]["fields"]


def test_staff_check_a_file_on_the_admins_import_page(client, staff_user, npa):
    client.force_login(staff_user)
    changelist = client.get(reverse("admin:dispatch_deployment_changelist"))
    url = reverse("admin:dispatch_deployment_history_import")
    assert url in changelist.content.decode()
    upload = _csv(
        DEPLOYMENT_COLUMNS,
        _stay("A1", "2002-01-01", "2002-02-01", project=ProjectFactory().code, organization=npa.code),
    )
    page = client.post(url, {"file": upload, "dry_run": "on"})
    assert page.status_code == 200
    assert page.context["report"].counts() == {
        "expert": {"create": 1, "match": 0},
        "deployment": {"create": 1, "match": 0},
    }
    assert not Deployment.objects.exists()
    assert not page.context["report"].errors
