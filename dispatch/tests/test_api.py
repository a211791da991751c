"""The `experts` and `deployments` resources for each role, and their bad inputs."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.choices import Gender
from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory
from dispatch.api.serializers import PERSONAL_FIELDS
from dispatch.models import Deployment, DeploymentStatusChange, Expert, SafetyCheckIn

from .conftest import bring_to, ready_deployment
from .factories import DeploymentFactory, ExpertFactory, ExpertLanguageFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def assert_error(response, status, field=None, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    if field:
        assert field in error["fields"], error
        if code:
            assert code in [item["code"] for item in error["fields"][field]], error
    return error


@pytest.fixture
def on_partner_project(partner_project):
    return DeploymentFactory(project=partner_project)


@pytest.fixture
def on_other_project(other_project):
    return DeploymentFactory(project=other_project)


# --- personal data ---------------------------------------------------------------------------


def test_staff_see_personal_data(staff_api, on_partner_project):
    body = staff_api.get(f"/api/v1/experts/{on_partner_project.expert_id}/").json()
    assert set(PERSONAL_FIELDS) <= set(body)
    assert body["passport_number"] == on_partner_project.expert.passport_number


@pytest.mark.parametrize("client_name", ["manager_api", "coordinator_api"])
def test_personal_data_is_absent_for_other_roles(request, client_name, on_partner_project):
    client = request.getfixturevalue(client_name)
    detail = client.get(f"/api/v1/experts/{on_partner_project.expert_id}/")
    assert detail.status_code == 200
    assert not set(PERSONAL_FIELDS) & set(detail.json())
    listing = client.get("/api/v1/experts/").json()["results"]
    assert listing and all(not set(PERSONAL_FIELDS) & set(row) for row in listing)
    assert on_partner_project.expert.passport_number not in detail.content.decode()


def test_personal_data_cannot_be_filtered_or_searched_by_partners(coordinator_api, on_partner_project):
    expert = on_partner_project.expert
    response = coordinator_api.get(f"/api/v1/experts/?search={expert.passport_number}")
    assert response.json()["count"] == 0


# --- partner scope -------------------------------------------------------------------------


def test_partners_see_deployments_on_their_projects_only(coordinator_api, on_partner_project, on_other_project):
    ids = [row["id"] for row in coordinator_api.get("/api/v1/deployments/").json()["results"]]
    assert ids == [on_partner_project.pk]
    assert_error(coordinator_api.get(f"/api/v1/deployments/{on_other_project.pk}/"), 404)


def test_partners_see_secondments_they_host(coordinator_api, partner_org):
    hosted = DeploymentFactory(kind="secondment", project=None, host_organization=partner_org)
    assert coordinator_api.get(f"/api/v1/deployments/{hosted.pk}/").status_code == 200


def test_partners_see_the_experts_of_their_deployments_only(coordinator_api, on_partner_project, on_other_project):
    ids = [row["id"] for row in coordinator_api.get("/api/v1/experts/").json()["results"]]
    assert ids == [on_partner_project.expert_id]
    assert_error(coordinator_api.get(f"/api/v1/experts/{on_other_project.expert_id}/"), 404)


def test_managers_read_everything_and_write_nothing(manager_api, on_partner_project, on_other_project):
    assert manager_api.get("/api/v1/deployments/").json()["count"] == 2
    before = Deployment.objects.count()
    response = manager_api.post("/api/v1/deployments/", {"kind": "secondment"}, format="json")
    assert_error(response, 403)
    assert_error(manager_api.post(f"/api/v1/deployments/{on_partner_project.pk}/transition/", {"to": "nominated"}), 403)
    assert Deployment.objects.count() == before


# --- partner requests ----------------------------------------------------------------------


def request_body(on_project, **extra):
    return {
        "kind": "technical_cooperation",
        "project": on_project.code,
        "country": "ID",
        "city": "Bekasi",
        "post": "Short-term expert in criminal identification",
        "planned_start": "2031-01-10",
        "planned_end": "2031-02-20",
        **extra,
    }


def test_a_partner_files_a_request(coordinator_api, partner_project, partner_org):
    response = coordinator_api.post("/api/v1/deployments/", request_body(partner_project), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["expert"], body["term"]) == ("requested", None, "short")
    assert body["requesting_organization"]["code"] == partner_org.code
    deployment = Deployment.objects.get(pk=body["id"])
    assert deployment.status_changes.get().to_status == "requested"


def test_a_partner_request_never_starts_further_along(coordinator_api, partner_project):
    response = coordinator_api.post(
        "/api/v1/deployments/", request_body(partner_project, status="deployed"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "requested"


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"expert": "EXPERT"}, "expert", "staff_only"),
        # An expert the partner never sees does not exist for it (docs/security.md).
        ({"expert": "UNSEEN"}, "expert", "does_not_exist"),
        ({"actual_start": "2031-01-10"}, "actual_start", "staff_only"),
        ({"kind": "disaster_relief"}, "kind", "invalid_choice"),
        ({"project": "OTHER"}, "project", "does_not_exist"),
        ({"planned_end": "2030-12-31"}, "planned_end", "date_order"),
    ],
    ids=["expert", "unseen-expert", "actual-dates", "relief", "other-organizations-project", "end-before-start"],
)
def test_a_partner_request_is_refused_with_reasons(coordinator_api, partner_project, other_project, extra, field, code):
    extra = dict(extra)
    if extra.get("expert") == "EXPERT":
        # One the partner sees: deployed on its project before.
        extra["expert"] = DeploymentFactory(project=partner_project, planned_start=date(2027, 4, 1)).expert.pk
    if extra.get("expert") == "UNSEEN":
        extra["expert"] = ExpertFactory().pk
    if extra.get("project") == "OTHER":
        extra["project"] = other_project.code
    before = Deployment.objects.count()
    response = coordinator_api.post("/api/v1/deployments/", request_body(partner_project, **extra), format="json")
    assert_error(response, 400, field, code)
    assert Deployment.objects.count() == before


def test_a_partner_does_nothing_after_the_request(coordinator_api, on_partner_project):
    url = f"/api/v1/deployments/{on_partner_project.pk}/"
    assert_error(coordinator_api.patch(url, {"post": "changed"}, format="json"), 403)
    assert_error(coordinator_api.delete(url), 403)
    for action, body in (
        ("transition", {"to": "cancelled"}),
        ("approve", {}),
        ("completion", {"completion_report": "x"}),
        ("checklist", {"kind": "visa", "done": True}),
        ("check-ins", {"status": "ok"}),
    ):
        assert_error(coordinator_api.post(f"{url}{action}/", body, format="json"), 403)
    assert_error(coordinator_api.get(f"{url}candidates/"), 403)
    assert_error(coordinator_api.get(f"{url}check-ins/"), 403)
    on_partner_project.refresh_from_db()
    assert (on_partner_project.status, on_partner_project.post) == ("requested", "Policy Advisor")


# --- staff writes ----------------------------------------------------------------------------


def test_staff_walk_a_deployment_through_the_api(staff_api, staff_user, partner_project, today):
    expert = ExpertFactory()
    created = staff_api.post(
        "/api/v1/deployments/",
        request_body(partner_project, planned_start=str(today), planned_end=str(today + timedelta(days=400))),
        format="json",
    ).json()
    url = f"/api/v1/deployments/{created['id']}/"
    assert created["term"] == "long"
    nominated = staff_api.post(f"{url}transition/", {"to": "nominated", "expert": expert.pk}, format="json")
    assert nominated.status_code == 200, nominated.content
    assert nominated.json()["expert"]["id"] == expert.pk
    preparing = staff_api.post(f"{url}transition/", {"to": "preparing"}, format="json").json()
    assert len(preparing["checklist"]) == 7
    refused = staff_api.post(f"{url}transition/", {"to": "deployed"}, format="json")
    error = assert_error(refused, 400, "checklist", "checklist_incomplete")
    # Language training is not required, and the expert's emergency contacts are confirmed already.
    assert len(error["fields"]["checklist"]) == 5
    for item in preparing["checklist"]:
        if item["required"]:
            ticked = staff_api.post(f"{url}checklist/", {"kind": item["kind"], "done": True}, format="json")
            assert ticked.status_code == 200
    deployed = staff_api.post(f"{url}transition/", {"to": "deployed", "note": "Left Narita"}, format="json")
    assert deployed.json()["status"] == "deployed"
    check_in = staff_api.post(f"{url}check-ins/", {"status": "ok", "note": "Arrived"}, format="json")
    assert check_in.status_code == 201, check_in.content
    assert staff_api.get(f"{url}check-ins/").json()[0]["note"] == "Arrived"
    history = staff_api.get(f"{url}status-history/").json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("", "requested"),
        ("requested", "nominated"),
        ("nominated", "preparing"),
        ("preparing", "deployed"),
    ]
    assert history[-1]["actor"] == staff_user.username


def test_a_refused_move_names_every_reason_and_writes_nothing(staff_api, staff_user, today):
    deployment = bring_to(
        ready_deployment(expert=ExpertFactory(passport_expiry=today, medical_clearance_until=None)),
        "preparing",
        staff_user,
    )
    Deployment.objects.filter(pk=deployment.pk).update(travel_advisory_level=3)
    changes = DeploymentStatusChange.objects.count()
    error = assert_error(
        staff_api.post(f"/api/v1/deployments/{deployment.pk}/transition/", {"to": "deployed"}, format="json"), 400
    )
    assert set(error["fields"]) == {"checklist", "passport_expiry", "medical_clearance_until", "approval"}
    assert DeploymentStatusChange.objects.count() == changes


def test_a_move_outside_the_table_is_a_400(staff_api, on_partner_project):
    response = staff_api.post(
        f"/api/v1/deployments/{on_partner_project.pk}/transition/", {"to": "deployed"}, format="json"
    )
    assert_error(response, 400, "status", "transition_not_allowed")
    assert_error(
        staff_api.post(f"/api/v1/deployments/{on_partner_project.pk}/transition/", {"to": "flying"}, format="json"),
        400,
        "to",
        "invalid_choice",
    )


def test_an_overlapping_deployment_is_a_400_naming_the_other(staff_api, on_partner_project, partner_project):
    body = request_body(
        partner_project,
        expert=on_partner_project.expert_id,
        planned_start=str(on_partner_project.planned_end),
        planned_end=str(on_partner_project.planned_end + timedelta(days=10)),
    )
    error = assert_error(staff_api.post("/api/v1/deployments/", body, format="json"), 400, "expert", "overlap")
    assert f"#{on_partner_project.pk}" in error["fields"]["expert"][0]["message"]
    assert Deployment.objects.count() == 1


def test_kind_specific_requirements_are_field_errors(staff_api, partner_project):
    body = request_body(partner_project, kind="secondment", project=None)
    assert_error(staff_api.post("/api/v1/deployments/", body, format="json"), 400, "host_organization")
    body = request_body(partner_project, project=None)
    assert_error(staff_api.post("/api/v1/deployments/", body, format="json"), 400, "project", "project_required")


def test_check_ins_are_for_deployed_experts(staff_api, manager_api, on_partner_project):
    url = f"/api/v1/deployments/{on_partner_project.pk}/check-ins/"
    assert_error(staff_api.post(url, {"status": "ok"}, format="json"), 400, "deployment", "not_deployed")
    assert manager_api.get(url).status_code == 200
    assert SafetyCheckIn.objects.count() == 0


# --- experts ---------------------------------------------------------------------------------


def expert_body(of_organization, **extra):
    return {
        "personnel_number": "NPA-0042",
        "family_name": "Sato",
        "given_name": "Hanako",
        "name_ja": "佐藤 花子",
        "organization": of_organization.code,
        "passport_expiry": "2034-05-01",
        "countries_of_experience": ["ID", "TL"],
        "languages": [{"language": "en", "level": 4}, {"language": "id", "level": 2}],
        **extra,
    }


def test_staff_keep_the_roster(staff_api, npa):
    field = CooperationFieldFactory(code="koban-api")
    created = staff_api.post("/api/v1/experts/", expert_body(npa, specialties=[field.code]), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert {(s["language"], s["level"]) for s in body["languages"]} == {("en", 4), ("id", 2)}
    assert [s["code"] for s in body["specialties"]] == ["koban-api"]
    url = f"/api/v1/experts/{body['id']}/"
    updated = staff_api.patch(url, {"languages": [{"language": "en", "level": 5}]}, format="json").json()
    assert updated["languages"] == [{"language": "en", "level": 5}]


def test_countries_of_experience_add_finished_deployments(staff_api):
    expert = ExpertFactory(countries_of_experience=["TL"])
    DeploymentFactory(
        expert=expert,
        country="PH",
        status="closed",
        planned_start=date(2015, 1, 1),
        planned_end=date(2015, 6, 30),
        actual_start=date(2015, 1, 1),
        actual_end=date(2015, 6, 30),
    )
    DeploymentFactory(expert=expert, country="VN")  # only requested: not experience yet
    body = staff_api.get(f"/api/v1/experts/{expert.pk}/").json()
    assert body["countries_of_experience"] == ["TL"]
    assert body["all_countries_of_experience"] == ["PH", "TL"]
    found = staff_api.get("/api/v1/experts/?country_experience=PH").json()["results"]
    assert [row["id"] for row in found] == [expert.pk]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"languages": [{"language": "xx", "level": 3}]}, "languages"),
        ({"languages": [{"language": "en", "level": 6}]}, "languages"),
        ({"languages": [{"language": "en", "level": 3}, {"language": "en", "level": 4}]}, "languages"),
        ({"countries_of_experience": ["ZZ"]}, "countries_of_experience"),
        ({"organization": "nobody"}, "organization"),
    ],
    ids=["unknown-language", "level-6", "language-twice", "unknown-country", "unknown-organization"],
)
def test_bad_roster_input_is_refused(staff_api, npa, extra, field):
    error = assert_error(staff_api.post("/api/v1/experts/", expert_body(npa, **extra), format="json"), 400, field)
    assert error["fields"][field]
    assert not Expert.objects.exists()


def test_an_unknown_language_is_named(staff_api, npa):
    body = expert_body(npa, languages=[{"language": "xx", "level": 3}])
    error = staff_api.post("/api/v1/experts/", body, format="json").json()["error"]
    assert error["fields"]["languages"]["0"]["language"][0]["code"] == "unknown_language"


def test_roster_filters(staff_api):
    field = CooperationFieldFactory(code="dvi-f")
    fluent = ExpertFactory(family_name="Fluent")
    ExpertLanguageFactory(expert=fluent, language="en", level=4)
    fluent.specialties.set([field])
    basic = ExpertFactory(family_name="Basic")
    ExpertLanguageFactory(expert=basic, language="en", level=2)
    DeploymentFactory(expert=basic, planned_start=date(2031, 1, 1), planned_end=date(2031, 3, 31))

    def names(query):
        return [row["family_name"] for row in staff_api.get(f"/api/v1/experts/?{query}").json()["results"]]

    assert names("language=en&ordering=family_name") == ["Basic", "Fluent"]
    assert names("language=en:3") == ["Fluent"]
    assert names("field=dvi-f") == ["Fluent"]
    assert names("field=dvi-f&field=dvi-f") == ["Fluent"]
    assert names("available_from=2031-02-01&available_to=2031-02-10&ordering=family_name") == ["Fluent"]
    assert names("available_from=2031-04-01&ordering=family_name") == ["Basic", "Fluent"]
    assert_error(staff_api.get("/api/v1/experts/?language=xx"), 400, "language")


def test_experts_filter_by_any_of_several_genders(staff_api):
    ExpertFactory(family_name="Female", gender=Gender.FEMALE)
    ExpertFactory(family_name="Male", gender=Gender.MALE)
    ExpertFactory(family_name="Unstated", gender=Gender.UNDISCLOSED)

    def names(query):
        response = staff_api.get(f"/api/v1/experts/?ordering=family_name&{query}")
        assert response.status_code == 200, response.content
        return [row["family_name"] for row in response.json()["results"]]

    assert names("gender=female") == ["Female"]
    assert names("gender=female&gender=undisclosed") == ["Female", "Unstated"]
    # The roster's old word for "not stated" is no longer a value.
    assert_error(staff_api.get("/api/v1/experts/?gender=unspecified"), 400, "gender")


def test_deployment_filters(staff_api, partner_project):
    DeploymentFactory(
        project=partner_project, country="PH", planned_start=date(2012, 12, 1), planned_end=date(2013, 2, 1)
    )
    DeploymentFactory(country="VN", planned_start=date(2013, 4, 1), planned_end=date(2013, 5, 1))

    def countries(query):
        return sorted(row["country"] for row in staff_api.get(f"/api/v1/deployments/?{query}").json()["results"])

    assert countries("year=2012") == ["PH"]
    assert countries("fiscal_year=2012") == ["PH"]
    assert countries("fiscal_year=2013") == ["VN"]
    assert countries(f"project={partner_project.code}") == ["PH"]
    assert countries("status=requested&kind=technical_cooperation") == ["PH", "VN"]


# --- candidates ------------------------------------------------------------------------------


def test_candidate_endpoints_for_staff(staff_api, on_partner_project):
    idle = ExpertFactory(family_name="Idle")
    ExpertLanguageFactory(expert=idle, language="id", level=4)
    response = staff_api.get(
        "/api/v1/experts/candidates/?country=ID&start=2031-01-01&end=2031-03-31&language=id:3&language=en"
    )
    assert response.status_code == 200, response.content
    first = response.json()[0]
    assert first["expert"]["id"] == idle.pk
    assert first["reasons"][0]["code"] == "language"
    request = DeploymentFactory(
        expert=None, planned_start=on_partner_project.planned_start, planned_end=on_partner_project.planned_end
    )
    listed = staff_api.get(f"/api/v1/deployments/{request.pk}/candidates/?language=id:3").json()
    ids = [row["expert"]["id"] for row in listed]
    assert ids[0] == idle.pk
    assert on_partner_project.expert_id not in ids  # booked in those dates


@pytest.mark.parametrize(
    "query",
    [
        "country=ID&start=2031-01-01",
        "country=ZZ&start=2031-01-01&end=2031-02-01",
        "country=ID&start=2031-03-01&end=2031-02-01",
        "country=ID&start=2031-01-01&end=2031-02-01&language=xx:3",
        "country=ID&start=2031-01-01&end=2031-02-01&field=nothing",
        "country=ID&start=2031-01-01&end=2031-02-01&term=long",
    ],
    ids=["no-end", "bad-country", "end-before-start", "bad-language", "bad-field", "term-mismatch"],
)
def test_bad_candidate_queries_are_400(staff_api, query):
    assert_error(staff_api.get(f"/api/v1/experts/candidates/?{query}"), 400)


@pytest.mark.parametrize("client_name", ["manager_api", "coordinator_api"])
def test_candidate_search_is_staff_work(request, client_name):
    client = request.getfixturevalue(client_name)
    assert_error(client.get("/api/v1/experts/candidates/?country=ID&start=2031-01-01&end=2031-02-01"), 403)


# --- query counts ----------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("client_name", ["staff_api", "coordinator_api"])
def test_list_queries_do_not_grow_with_the_page(request, client_name, partner_project, staff_user):
    client = request.getfixturevalue(client_name)
    field = CooperationFieldFactory()
    for n in range(12):
        deployment = DeploymentFactory(
            project=partner_project,
            planned_start=date(2031, 1, 1) + timedelta(days=n),
            planned_end=date(2031, 1, 1) + timedelta(days=n),
        )
        ExpertLanguageFactory(expert=deployment.expert)
        deployment.expert.specialties.set([field])
        bring_to(deployment, "preparing", staff_user)
    count_queries(client, "/api/v1/experts/")  # the token's first use is recorded once
    for resource in ("experts", "deployments"):
        assert count_queries(client, f"/api/v1/{resource}/?page_size=2") == count_queries(
            client, f"/api/v1/{resource}/?page_size=12"
        )


def test_brief_forms(staff_api, on_partner_project):
    row = staff_api.get("/api/v1/deployments/?brief=1").json()["results"][0]
    assert set(row) == {"id", "url", "display", "kind", "status"}
    row = staff_api.get("/api/v1/experts/?brief=1").json()["results"][0]
    assert set(row) == {"id", "url", "display", "personnel_number"}


def test_partner_cannot_reach_another_organizations_expert_via_filters(coordinator_api, on_other_project):
    other = OrganizationFactory()
    assert coordinator_api.get(f"/api/v1/experts/?organization={other.code}").json()["count"] == 0
    assert coordinator_api.get(f"/api/v1/deployments/?expert={on_other_project.expert_id}").json()["count"] == 0


def test_a_project_of_no_concern_is_unknown_to_partners(coordinator_api, other_project):
    # Same answer as for a code that does not exist: the existence does not leak.
    unknown = coordinator_api.post(
        "/api/v1/deployments/", request_body(ProjectFactory.build(code="NOPE")), format="json"
    )
    foreign = coordinator_api.post("/api/v1/deployments/", request_body(other_project), format="json")
    assert unknown.json()["error"]["fields"]["project"][0]["code"] == "does_not_exist"
    assert foreign.json()["error"]["fields"]["project"][0]["code"] == "does_not_exist"
