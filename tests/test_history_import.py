"""A year of history imported from one workbook, then the annual summary of that year.

The workbook holds four sheets (deployments, missions with their members, courses with
their participants, delegations), each sent to its resource's history import: first as
a dry run, whose report is checked row by row and which writes nothing, then for real.
The year's figures are then counted by hand from the rows the test wrote.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cooperation.spreadsheets import Sheet, workbook_bytes
from cooperation.tests.factories import OrganizationFactory
from dispatch.imports import DEPLOYMENT_COLUMNS, MISSION_COLUMNS
from dispatch.models import Deployment, Expert, Mission
from dispatch.services import deployment_record_past
from dispatch.tests.factories import ExpertFactory, ProjectFactory
from trainees.imports import COURSE_COLUMNS, DELEGATION_COLUMNS
from trainees.models import Course, Delegation, Enrollment, Trainee

pytestmark = pytest.mark.django_db

YEAR = 2011
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
ON_ROSTER = 20  # the first experts of the file are on the roster already


def _row(columns, **values) -> list:
    return [values.get(column.name, "") for column in columns]


def _deployment_rows(project_code: str) -> list[dict]:
    """A hundred technical-cooperation stays of 70 experts: some begin the year before, some
    the year after, and 30 experts go twice, one stay after the other."""
    rows = []
    for i in range(100):
        expert = i % 70
        if i < 70:
            start = date(YEAR - 1, 10, 1) + timedelta(days=i * 6)
            end = start + timedelta(days=60 + i % 5 * 30)
        else:
            start = date(YEAR + 1, 1, 1) - timedelta(days=(i - 70) * 3)
            end = start + timedelta(days=30)
        rows.append(
            {
                "personnel_number": f"H{expert:04d}",
                "family_name": f"Yamada{expert}",
                "given_name": "Ichiro",
                "expert_organization": "npa-test",
                "kind": "technical_cooperation",
                "project": project_code,
                "country": "ID",
                "post": "Community policing advisor",
                "actual_start": start,
                "actual_end": end,
            }
        )
    return rows


MISSIONS = [
    {
        "mission": "Rescue team, Tohoku-like earthquake abroad",
        "mission_kind": "disaster_relief",
        "team_type": "rescue",
        "country": "NZ",
        "requesting_party": "government",
        "requested_on": date(YEAR, 2, 22),
        "departure_on": date(YEAR, 2, 23),
        "return_on": date(YEAR, 3, 10),
        "disaster": "Canterbury earthquake",
        "disaster_kind": "earthquake",
        "disaster_on": date(YEAR, 2, 22),
        "members": 5,
    },
    {
        "mission": "Civilian police, peace operation",
        "mission_kind": "civilian_police",
        "team_type": "expert_team",
        "country": "TL",
        "requesting_party": "international_organization",
        "requested_on": date(YEAR, 5, 1),
        "departure_on": date(YEAR, 6, 1),
        "return_on": date(YEAR, 11, 30),
        "members": 3,
    },
]


def _mission_rows() -> list[dict]:
    rows = []
    for number, mission in enumerate(MISSIONS):
        shared = {key: value for key, value in mission.items() if key != "members"}
        for member in range(mission["members"]):
            rows.append(
                {
                    **shared,
                    "personnel_number": f"M{number}{member:03d}",
                    "family_name": f"Suzuki{number}{member}",
                    "given_name": "Jiro",
                    "expert_organization": "npa-test",
                    "post": "Rescue",
                }
            )
    return rows


COURSES = [
    ("CP-2011-01", date(YEAR, 5, 9), date(YEAR, 6, 3), [("completed", "female", "ID")] * 4
     + [("completed", "male", "PH")] * 3 + [("withdrawn", "male", "ID")]),
    ("CI-2011-02", date(YEAR, 9, 5), date(YEAR, 9, 30), [("completed", "female", "ID")]
     + [("completed", "male", "VN")] * 3 + [("withdrawn", "female", "VN")]),
]  # fmt: skip


def _course_rows() -> list[dict]:
    rows = []
    for code, start, end, participants in COURSES:
        for n, (outcome, gender, country) in enumerate(participants):
            rows.append(
                {
                    "course_code": code,
                    "course_title": f"Course {code}",
                    "course_kind": "jica_group_region",
                    "host": "npa-test",
                    "start_date": start,
                    "end_date": end,
                    "capacity": 12,
                    # The first participant of each course is one person, who came twice.
                    "family_name": "Santoso" if n == 0 else f"Person{code}{n}",
                    "given_name": "Budi",
                    "gender": gender,
                    "date_of_birth": date(1980, 1, 1 + n),
                    "nationality": country,
                    "nominated_by": "jica-hist",
                    "outcome": outcome,
                }
            )
    return rows


DELEGATIONS = [
    {"country": "ID", "start_date": date(YEAR, 3, 1), "end_date": date(YEAR, 3, 4), "visitors": 5},
    {"country": "TH", "start_date": date(YEAR, 7, 11), "end_date": date(YEAR, 7, 15), "visitors": 8},
    {"country": "VN", "start_date": date(YEAR, 12, 1), "end_date": date(YEAR, 12, 2), "visitors": 12},
    {"country": "VN", "start_date": date(YEAR - 1, 12, 1), "end_date": date(YEAR - 1, 12, 2), "visitors": 30},
]


def _workbook(deployments, missions, courses, delegations) -> bytes:
    sheets = []
    for kind, columns, rows in (
        ("deployments", DEPLOYMENT_COLUMNS, deployments),
        ("missions", MISSION_COLUMNS, missions),
        ("courses", COURSE_COLUMNS, courses),
        ("delegations", DELEGATION_COLUMNS, delegations),
    ):
        sheet = Sheet(title=kind)
        sheet.append([column.name for column in columns])
        for values in rows:
            sheet.append(_row(columns, **values))
        sheets.append(sheet)
    return workbook_bytes(sheets)


def _send(api, resource: str, content: bytes, *, dry_run: bool):
    upload = SimpleUploadedFile("history.xlsx", content)
    return api.post(reverse(f"{resource}-history-import"), {"file": upload, "dry_run": dry_run}, format="multipart")


def _actions(report, record: str) -> dict:
    return report["counts"].get(record, {"create": 0, "match": 0})


def test_a_year_of_history_imported_from_a_workbook_makes_that_years_summary(staff_api, staff_user, manager_api, npa):
    # About a second and a half: four sheets read from XLSX eight times (openpyxl takes half of it),
    # each checked twice and written once; the import itself is a handful of set-based statements.
    project = ProjectFactory(code="id-polmas-hist")
    OrganizationFactory(code="jica-hist", kind="development_agency", country="JP")
    deployments, missions, courses = _deployment_rows(project.code), _mission_rows(), _course_rows()
    for i in range(ON_ROSTER):
        ExpertFactory(personnel_number=f"H{i:04d}", family_name=f"Yamada{i}", given_name="Ichiro", organization=npa)
    # The file's first stay is on record already: it is matched, not recorded twice.
    first = deployments[0]
    on_record = deployment_record_past(
        actor=staff_user,
        expert=Expert.objects.get(personnel_number="H0000"),
        kind="technical_cooperation",
        project=project,
        country="ID",
        actual_start=first["actual_start"],
        actual_end=first["actual_end"],
    )
    content = _workbook(deployments, missions, courses, DELEGATIONS)
    before = (Deployment.objects.count(), Mission.objects.count(), Course.objects.count(), Delegation.objects.count())

    dry = {}
    for resource in ("deployment", "mission", "course", "delegation"):
        response = _send(staff_api, resource, content, dry_run=True)
        assert response.status_code == 200, response.json()
        dry[resource] = response.json()
        assert dry[resource]["errors"] == [] and not dry[resource]["imported"]
    after_dry_run = (
        Deployment.objects.count(),
        Mission.objects.count(),
        Course.objects.count(),
        Delegation.objects.count(),
    )
    assert after_dry_run == before

    experts_in_file = {row["personnel_number"] for row in deployments}
    assert dry["deployment"]["rows"] == 100
    assert _actions(dry["deployment"], "deployment") == {"create": 99, "match": 1}
    assert _actions(dry["deployment"], "expert") == {
        "create": len(experts_in_file) - ON_ROSTER,
        "match": 100 - (len(experts_in_file) - ON_ROSTER),
    }
    assert {"row": 2, "record": "deployment", "action": "match", "id": on_record.pk} in dry["deployment"]["outcomes"]
    members = sum(mission["members"] for mission in MISSIONS)
    assert _actions(dry["mission"], "mission") == {"create": 2, "match": 0}
    assert _actions(dry["mission"], "disaster") == {"create": 1, "match": 0}
    assert _actions(dry["mission"], "deployment") == {"create": members, "match": 0}
    participants = sum(len(people) for *_, people in COURSES)
    assert _actions(dry["course"], "course") == {"create": 2, "match": 0}
    assert _actions(dry["course"], "enrollment") == {"create": participants, "match": 0}
    # The person who came twice is one trainee: created by the first row, matched by the second.
    assert _actions(dry["course"], "trainee") == {"create": participants - 1, "match": 1}
    assert _actions(dry["delegation"], "delegation") == {"create": len(DELEGATIONS), "match": 0}

    for resource in ("deployment", "mission", "course", "delegation"):
        response = _send(staff_api, resource, content, dry_run=False)
        assert response.status_code == 201, response.json()
        report = response.json()
        assert report["imported"] and all(outcome["id"] for outcome in report["outcomes"])
        assert report["counts"] == dry[resource]["counts"]

    assert Deployment.objects.filter(retrospective=True, status="returned").count() == 100 + members
    assert Trainee.objects.count() == participants - 1
    assert Enrollment.objects.filter(retrospective=True).count() == participants
    assert not Deployment.objects.filter(retrospective=True).exclude(status_changes__retrospective=True).exists()

    # The year's figures, counted by hand from the rows.
    new = {r["personnel_number"] for r in deployments if START <= r["actual_start"] <= END}
    total = {r["personnel_number"] for r in deployments if r["actual_start"] <= END and r["actual_end"] >= START}
    outcomes = [outcome for *_, people in COURSES for outcome, *_ in people]
    summary = manager_api.get(reverse("annual-summary"), {"year": YEAR})
    assert summary.status_code == 200
    figures = summary.json()["figures"]
    assert figures["experts_new"] == len(new)
    assert figures["experts_total"] == len(total)
    assert figures["courses_held"] == len(COURSES)
    assert figures["trainees"] == outcomes.count("completed")
    assert figures["trainees_completed"] == outcomes.count("completed")
    assert figures["trainees_withdrawn_after_arrival"] == outcomes.count("withdrawn")
    assert figures["visitors"] == sum(d["visitors"] for d in DELEGATIONS if START <= d["start_date"] <= END)
    assert figures["relief_missions"] == sum(1 for m in MISSIONS if m["mission_kind"] == "disaster_relief")
    assert figures["relief_officers"] == sum(m["members"] for m in MISSIONS if m["mission_kind"] == "disaster_relief")
    assert figures["civilian_police_officials"] == sum(
        m["members"] for m in MISSIONS if m["mission_kind"] == "civilian_police"
    )
