"""Each role's access to the reference endpoints, and the bad inputs of the foundation."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from cooperation.models import Organization, Region

from .factories import CooperationFieldFactory, OrganizationFactory, RegionFactory

pytestmark = pytest.mark.django_db

RESOURCES = {
    "regions": {"code": "sahel-test", "name": "Sahel (test)", "countries": ["ML", "NE"]},
    "organizations": {
        "code": "pnp-test",
        "name": "Philippine National Police",
        "kind": "recipient_agency",
        "country": "PH",
    },
    "fields": {"code": "koban-test", "name": "Koban (test)", "dac_code": "15132"},
}


@pytest.fixture
def one_of_each(db):
    return {"regions": RegionFactory(), "organizations": OrganizationFactory(), "fields": CooperationFieldFactory()}


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_gets_401(anonymous_api, resource):
    response = anonymous_api.get(f"/api/v1/{resource}/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("resource", RESOURCES)
def test_user_without_role_gets_403(roleless_user, resource):
    from conftest import token_client

    response = token_client(roleless_user).get(f"/api/v1/{resource}/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("client_name", ["staff_api", "manager_api", "coordinator_api"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_every_role_reads_reference_data(request, client_name, resource, one_of_each):
    client = request.getfixturevalue(client_name)
    listing = client.get(f"/api/v1/{resource}/")
    assert listing.status_code == 200
    codes = {row["code"] for row in listing.json()["results"]}
    assert one_of_each[resource].code in codes
    detail = client.get(f"/api/v1/{resource}/{one_of_each[resource].pk}/")
    assert detail.status_code == 200


@pytest.mark.parametrize("client_name", ["manager_api", "coordinator_api"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_only_staff_write_reference_data(request, client_name, resource, one_of_each):
    client = request.getfixturevalue(client_name)
    model = type(one_of_each[resource])
    before = model.objects.count()
    assert client.post(f"/api/v1/{resource}/", RESOURCES[resource], format="json").status_code == 403
    assert client.patch(f"/api/v1/{resource}/{one_of_each[resource].pk}/", {"name": "x"}).status_code == 403
    assert client.delete(f"/api/v1/{resource}/{one_of_each[resource].pk}/").status_code == 403
    assert model.objects.count() == before


@pytest.mark.parametrize("resource", RESOURCES)
def test_staff_create_update_delete(staff_api, resource):
    created = staff_api.post(f"/api/v1/{resource}/", RESOURCES[resource], format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["code"] == RESOURCES[resource]["code"]
    url = f"/api/v1/{resource}/{body['id']}/"
    updated = staff_api.patch(url, {"name": "Renamed"}, format="json")
    assert updated.status_code == 200
    assert updated.json()["name"] == "Renamed"
    assert staff_api.delete(url).status_code == 204
    assert staff_api.get(url).status_code == 404


def test_brief_form_keeps_only_brief_fields(staff_api, one_of_each):
    response = staff_api.get("/api/v1/organizations/?brief=1")
    assert set(response.json()["results"][0]) == {"id", "url", "display", "code", "acronym"}


def test_filters_search_and_ordering(staff_api):
    asean = RegionFactory(code="asean-t", countries=["ID", "PH"])
    OrganizationFactory(code="polri", name="Indonesian National Police", country="ID", acronym="POLRI")
    OrganizationFactory(code="pnp", name="Philippine National Police", country="PH", kind="recipient_agency")
    OrganizationFactory(code="npa-t", name="National Police Agency", country="JP", kind="npa")
    in_region = staff_api.get(f"/api/v1/organizations/?region={asean.code}&ordering=-name")
    assert [row["code"] for row in in_region.json()["results"]] == ["pnp", "polri"]
    by_kind = staff_api.get("/api/v1/organizations/?kind=npa&country=JP&search=National Police Agency&ordering=code")
    assert [row["code"] for row in by_kind.json()["results"]] == ["npa-t", "npa-test"]
    searched = staff_api.get("/api/v1/organizations/?search=POLRI")
    assert [row["code"] for row in searched.json()["results"]] == ["polri"]
    regions_with_id = staff_api.get("/api/v1/regions/?country=ID")
    assert [row["code"] for row in regions_with_id.json()["results"]] == ["asean-t"]


def test_list_query_count_does_not_grow_with_page_size(staff_api):
    parent = OrganizationFactory()
    OrganizationFactory.create_batch(30, parent=parent)

    def queries_for(page_size):
        with CaptureQueriesContext(connection) as captured:
            assert staff_api.get(f"/api/v1/organizations/?page_size={page_size}").status_code == 200
        return len(captured)

    queries_for(1)  # the first request of a token records its use
    assert queries_for(2) == queries_for(30)


# --- bad input: one error shape, nothing written ---------------------------------------


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"] == code
    assert error["message"]
    if field:
        assert field in error["fields"], error
        assert {"code", "message"} <= set(error["fields"][field][0])
    return error


def test_unknown_codes_are_field_errors(staff_api):
    assert_error(staff_api.get("/api/v1/organizations/?region=atlantis"), 400, "invalid", "region")
    assert_error(staff_api.get("/api/v1/organizations/?country=XX"), 400, "invalid", "country")
    before = Organization.objects.count()
    error = assert_error(
        staff_api.post("/api/v1/organizations/", {**RESOURCES["organizations"], "parent": "nobody"}, format="json"),
        400,
        "invalid",
        "parent",
    )
    assert error["fields"]["parent"][0]["code"] == "does_not_exist"
    error = assert_error(
        staff_api.post("/api/v1/regions/", {**RESOURCES["regions"], "countries": ["ML", "ZZ"]}, format="json"),
        400,
        "invalid",
    )
    # a list's errors are keyed by the position of the bad item
    assert error["fields"]["countries"]["1"][0]["code"] == "invalid_choice"
    assert Organization.objects.count() == before


def test_duplicate_reference_entries_are_refused(staff_api):
    region = RegionFactory(code="dup")
    error = assert_error(
        staff_api.post("/api/v1/regions/", {**RESOURCES["regions"], "code": "dup"}, format="json"),
        400,
        "invalid",
        "code",
    )
    assert error["fields"]["code"][0]["code"] == "unique"
    OrganizationFactory(name="Royal Thai Police", country="TH")
    # the same name in another case, same country: the database constraint's rule
    error = assert_error(
        staff_api.post(
            "/api/v1/organizations/",
            {**RESOURCES["organizations"], "name": "royal thai police", "country": "TH"},
            format="json",
        ),
        400,
        "invalid",
        "non_field_errors",
    )
    assert error["fields"]["non_field_errors"][0]["code"] == "duplicate"
    assert Region.objects.filter(code="dup").get() == region


def test_malformed_json_is_a_parse_error(staff_api):
    before = Region.objects.count()
    response = staff_api.generic("POST", "/api/v1/regions/", '{"code": "x",', content_type="application/json")
    assert_error(response, 400, "parse_error")
    assert Region.objects.count() == before


@pytest.mark.parametrize("size", ["201", "0", "many"])
def test_page_size_over_the_limit_is_refused(staff_api, size):
    assert_error(staff_api.get(f"/api/v1/regions/?page_size={size}"), 400, "invalid", "page_size")


def test_page_size_at_the_limit_is_served(staff_api):
    assert staff_api.get("/api/v1/regions/?page_size=200").status_code == 200


def test_unknown_record_and_unknown_url_are_404_in_the_error_shape(staff_api):
    assert_error(staff_api.get("/api/v1/regions/999999/"), 404, "not_found")


def test_protected_delete_is_a_conflict(staff_api):
    parent = OrganizationFactory()
    OrganizationFactory(parent=parent)
    assert_error(staff_api.delete(f"/api/v1/organizations/{parent.pk}/"), 409, "protected")
    assert Organization.objects.filter(pk=parent.pk).exists()


def test_coordinator_gets_404_for_another_organizations_record(
    coordinator_api, coordinator_user, other_org, monkeypatch
):
    """The scoping path: with a partner scope on the model, others' rows do not exist."""
    monkeypatch.setattr(
        Organization, "partner_scope", classmethod(lambda cls, organization: Q(pk=organization.pk)), raising=False
    )
    own = coordinator_user.profile.organization
    assert coordinator_api.get(f"/api/v1/organizations/{own.pk}/").status_code == 200
    assert_error(coordinator_api.get(f"/api/v1/organizations/{other_org.pk}/"), 404, "not_found")
    listed = {row["id"] for row in coordinator_api.get("/api/v1/organizations/").json()["results"]}
    assert listed == {own.pk}
