"""Personal data reaches agency staff only: every serializer, API answer, export and admin page.

The policy is the models' `personal_fields` (cooperation.privacy). These tests check it
twice: by reading every serializer the API can answer with, and by requesting every GET
operation of the schema, every report download and the admin as each role, with records
whose personal values are unmistakable, looking for those values in the answers.
"""

from __future__ import annotations

import functools
import inspect
import io
import json
import re
import zipfile
from datetime import date

import pytest
from django.test import Client, RequestFactory
from django.utils.formats import date_format
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from conftest import token_client
from cooperation.api import history
from cooperation.api import serializers as cooperation_serializers
from cooperation.api.urls import router
from cooperation.periods import fiscal_year_of
from cooperation.privacy import can_see_personal_data, models_with_personal_data, personal_fields_of
from cooperation.roles import MANAGER, NPA_STAFF, PARTNER_COORDINATOR
from cooperation.tests.factories import UserFactory
from dispatch.api import serializers as dispatch_serializers
from dispatch.models import Expert
from dispatch.tests.factories import DeploymentFactory, ExpertFactory
from programs.api import serializers as programs_serializers
from reports.packs import multi_year_tables, render
from trainees.api import serializers as trainees_serializers
from trainees.models import EnrollmentStatus, Trainee
from trainees.tests.factories import CourseFactory, EnrollmentFactory, TraineeFactory

# Some tests are slow (seconds): they walk every API endpoint and report download.
pytestmark = pytest.mark.django_db

EXPERT_PERSONAL = {
    "date_of_birth": date(1961, 7, 19),
    "email": "expert.hidden@personal.example",
    "phone": "+81-3-5555-0101",
    "passport_number": "TZ7654321",
    "passport_expiry": date(2093, 2, 27),
    "medical_clearance_until": date(2094, 11, 13),
    "safety_training_on": date(2019, 9, 29),
    "medical_notes": "asthma-inhaler-4417",
    "notes": "note-on-health-7781",
}
TRAINEE_PERSONAL = {
    "date_of_birth": date(1958, 10, 23),
    "email": "trainee.hidden@personal.example",
    "phone": "+62-21-5550-199",
    "passport_number": "XB7654321",
    "passport_expiry": date(2092, 6, 14),
}
API_SERIALIZER_MODULES = (
    cooperation_serializers,
    history,
    programs_serializers,
    dispatch_serializers,
    trainees_serializers,
)
ROLES_WITHOUT_PERSONAL_DATA = (MANAGER, PARTNER_COORDINATOR)


def markers(values: dict) -> set[str]:
    return {value.isoformat() if isinstance(value, date) else value for value in values.values()}


ALL_MARKERS = markers(EXPERT_PERSONAL) | markers(TRAINEE_PERSONAL)


# --- the policy itself ---------------------------------------------------------------------


def test_the_policy_covers_the_people_on_record():
    assert set(models_with_personal_data()) >= {Expert, Trainee}
    for model, values in ((Expert, EXPERT_PERSONAL), (Trainee, TRAINEE_PERSONAL)):
        assert personal_fields_of(model) == set(values)
        names = {field.name for field in model._meta.get_fields()}
        assert personal_fields_of(model) <= names


@pytest.mark.parametrize(
    ("role", "sees"), [(NPA_STAFF, True), (MANAGER, False), (PARTNER_COORDINATOR, False), (None, False)]
)
def test_only_staff_may_see_personal_data(role, sees, npa):
    assert can_see_personal_data(UserFactory(role=role, organization=npa)) is sees


# --- every serializer, by declaration ------------------------------------------------------


def api_serializer_classes() -> set[type]:
    """The viewsets' serializers and every serializer the API modules define (actions, nesting)."""
    found = {viewset.serializer_class for _, viewset, _ in router.registry}
    for module in API_SERIALIZER_MODULES:
        found |= {
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj)
            and issubclass(obj, serializers.BaseSerializer)
            and obj.__module__ == module.__name__
            # Bases without a model of their own are checked through their subclasses.
            and not (issubclass(obj, serializers.ModelSerializer) and not hasattr(obj, "Meta"))
        }
    return found


def readable_personal_fields(serializer, path: str):
    """Dotted paths of readable fields, nested ones included, whose source is personal."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    personal = personal_fields_of(model)
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.BaseSerializer):
            yield from readable_personal_fields(field, f"{path}.{name}")
            continue
        if (field.source or name).split(".")[0] in personal:
            yield f"{path}.{name}"


def _request_as(user):
    request = RequestFactory().get("/api/v1/")
    request.user = user
    return request


def test_every_serializer_drops_personal_fields_for_roles_without_the_right(npa, partner_org):
    users = {
        MANAGER: UserFactory(role=MANAGER, organization=npa),
        PARTNER_COORDINATOR: UserFactory(role=PARTNER_COORDINATOR, organization=partner_org),
    }
    classes = api_serializer_classes()
    assert {trainees_serializers.TraineeSerializer, dispatch_serializers.ExpertSerializer} <= classes
    leaks = []
    for cls in sorted(classes, key=lambda c: c.__qualname__):
        variants = [{}]
        if "brief" in inspect.signature(cls.__init__).parameters:
            variants.append({"brief": True})
        for role, user in users.items():
            for variant in variants:
                serializer = cls(context={"request": _request_as(user)}, **variant)
                leaks += [f"{role}: {leak}" for leak in readable_personal_fields(serializer, cls.__qualname__)]
    assert leaks == []


def test_staff_serializers_keep_the_personal_fields(staff_user):
    context = {"request": _request_as(staff_user)}
    for cls, model in (
        (trainees_serializers.TraineeSerializer, Trainee),
        (dispatch_serializers.ExpertSerializer, Expert),
    ):
        assert personal_fields_of(model) <= set(cls(context=context).fields)


# --- every answer, by requesting it ----------------------------------------------------------


@pytest.fixture
def people_on_record(partner_org):
    """An expert deployed with the partner and a trainee it nominated, with telltale personal data."""
    expert = ExpertFactory(**EXPERT_PERSONAL)
    DeploymentFactory(expert=expert, host_organization=partner_org)
    trainee = TraineeFactory(**TRAINEE_PERSONAL)
    course = CourseFactory(target_countries=[])
    EnrollmentFactory(course=course, trainee=trainee, nominated_by=partner_org, status=EnrollmentStatus.COMPLETED)
    return expert, trainee


@functools.cache  # the schema follows from the code: one build serves the module's walks
def schema_get_paths() -> list[str]:
    paths = SchemaGenerator().get_schema(public=True)["paths"]
    found = [path for path, operations in paths.items() if "get" in operations]
    unknown = [path for path in found if set(re.findall(r"{(\w+)}", path)) - {"id"}]
    assert unknown == [], "paths with parameters this walk cannot fill"
    return found


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def list_ids(client, path: str) -> list[int]:
    answer = client.get(path, {"page_size": 200})
    body = answer.json() if answer.status_code == 200 else {}
    rows = body.get("results", body) if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row]


def walk_api(client, staff_client) -> dict[str, str]:
    """Every GET operation's answer (lists whole and brief, every record's detail and actions)."""
    answers = {}
    ids_by_prefix: dict[str, list[int]] = {}
    for path in schema_get_paths():
        if "{id}" not in path:
            answers[path] = text_of(client.get(path, {"page_size": 200}))
            answers[f"{path}?brief=1"] = text_of(client.get(path, {"page_size": 200, "brief": 1}))
            continue
        prefix = path.split("{id}")[0]
        if prefix not in ids_by_prefix:
            ids_by_prefix[prefix] = list_ids(staff_client, prefix)
        for pk in ids_by_prefix[prefix]:
            concrete = path.replace("{id}", str(pk))
            answers[concrete] = text_of(client.get(concrete))
    return answers


def found_markers(answers: dict[str, str], looked_for: set[str] = ALL_MARKERS) -> dict[str, list[str]]:
    found = {where: sorted(m for m in looked_for if m in text) for where, text in answers.items()}
    return {where: values for where, values in found.items() if values}


# Pages for people show dates as words, not as ISO dates.
SHOWN_DATES = {
    date_format(value) for value in (*EXPERT_PERSONAL.values(), *TRAINEE_PERSONAL.values()) if isinstance(value, date)
}


def test_staff_read_the_personal_data_through_the_api(people_on_record, staff_user):
    staff = token_client(staff_user)
    answers = walk_api(staff, staff)
    seen = set().union(*found_markers(answers).values())
    assert seen == ALL_MARKERS


@pytest.mark.parametrize("role", ROLES_WITHOUT_PERSONAL_DATA)
def test_no_api_answer_carries_personal_data_to(role, people_on_record, staff_user, npa, partner_org):
    expert, trainee = people_on_record
    user = UserFactory(role=role, organization=partner_org if role == PARTNER_COORDINATOR else npa)
    client = token_client(user)
    # The records are there for this role to read: only their personal fields are not.
    assert client.get(f"/api/v1/experts/{expert.pk}/").status_code == 200
    assert client.get(f"/api/v1/trainees/{trainee.pk}/").status_code == 200
    answers = walk_api(client, token_client(staff_user))
    assert found_markers(answers) == {}


@pytest.mark.parametrize("user_fixture", ["staff_user", "manager_user", "coordinator_user"])
def test_the_certificate_page_carries_no_personal_data(request, user_fixture, people_on_record):
    _, trainee = people_on_record
    enrollment = trainee.enrollments.get()
    client = Client()
    client.force_login(request.getfixturevalue(user_fixture))
    page = client.get(f"/trainees/certificates/{enrollment.pk}/")
    assert page.status_code in (200, 403)
    assert found_markers({"certificate": page.content.decode()}, ALL_MARKERS | SHOWN_DATES) == {}


# --- exports -------------------------------------------------------------------------------


def workbook_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return "\n".join(workbook.read(name).decode("utf-8", "replace") for name in workbook.namelist())


def test_no_report_download_carries_personal_data(people_on_record, manager_user):
    client = Client()
    client.force_login(manager_user)
    year = fiscal_year_of(date.today())
    answers = {}
    for kind in ("year", "fiscal_year"):
        for value in (year - 1, year, year + 1):
            query = {"kind": kind, "value": value}
            csv_answer = client.get("/dashboard/download/", query)
            xlsx_answer = client.get("/dashboard/download/", {**query, "format": "xlsx"})
            assert csv_answer.status_code == xlsx_answer.status_code == 200
            answers[f"{kind} {value} csv"] = csv_answer.content.decode()
            answers[f"{kind} {value} xlsx"] = workbook_text(xlsx_answer.content)
            answers[f"{kind} {value} page"] = client.get("/dashboard/", query).content.decode()
    assert found_markers(answers) == {}


def test_no_report_pack_carries_personal_data(people_on_record):
    from reports.packs import years_of

    year = fiscal_year_of(date.today())
    periods = years_of(year - 2, year + 1, fiscal=True)
    tables = multi_year_tables(periods, fiscal=True)
    answers = {
        "csv": render(tables, "csv", periods=periods).decode(),
        "xlsx": workbook_text(render(tables, "xlsx", periods=periods)),
        "json": json.dumps([table.as_dict() for table in tables], default=str),
    }
    assert found_markers(answers) == {}


# --- the admin -------------------------------------------------------------------------------


ADMIN_PAGES = ("/admin/dispatch/expert/", "/admin/trainees/trainee/")


def admin_answers(client, expert, trainee) -> dict[str, str]:
    pages = [
        *ADMIN_PAGES,
        f"/admin/dispatch/expert/{expert.pk}/change/",
        f"/admin/trainees/trainee/{trainee.pk}/change/",
    ]
    answers = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        answers[page] = response.content.decode()
    return answers


def test_staff_see_personal_data_in_the_admin(people_on_record, staff_user):
    client = Client()
    client.force_login(staff_user)
    answers = admin_answers(client, *people_on_record)
    text = "\n".join(answers.values())
    assert EXPERT_PERSONAL["passport_number"] in text
    assert TRAINEE_PERSONAL["email"] in text
    assert TRAINEE_PERSONAL["date_of_birth"].isoformat() in text
    found = client.get("/admin/trainees/trainee/", {"q": TRAINEE_PERSONAL["email"]}).content.decode()
    assert people_on_record[1].given_name in found


def test_a_manager_with_admin_access_sees_no_personal_data_there(people_on_record, npa):
    expert, trainee = people_on_record
    manager = UserFactory(role=MANAGER, organization=npa, is_staff=True)
    client = Client()
    client.force_login(manager)
    answers = admin_answers(client, expert, trainee)
    assert found_markers(answers, ALL_MARKERS | SHOWN_DATES) == {}
    # An e-mail is no search key here: searching by one finds nobody.
    found = client.get("/admin/trainees/trainee/", {"q": TRAINEE_PERSONAL["email"]}).content.decode()
    assert trainee.given_name not in found
    assert client.get(f"/admin/dispatch/expert/{expert.pk}/history/").status_code == 403
    assert client.get(f"/admin/trainees/trainee/{trainee.pk}/history/").status_code == 403
