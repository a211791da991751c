"""The API answers hostile or mistaken requests with a 4xx in its one error shape, never a 500 page."""

import json

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory, force_authenticate

from cooperation.api.ordering import StrictOrderingFilter
from cooperation.api.parsers import DEFAULT_MAX_DEPTH, nesting_depth
from cooperation.api.urls import router
from cooperation.models import Organization, Region
from cooperation.urls import handler404, handler500  # noqa: F401  (this module serves as a URLconf)
from trainees.models import Trainee
from trainees.tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a bug in a view")


def html_ok(request):
    return HttpResponse("<p>fine</p>")


# The project's URLs plus views that fail, to see how a bug is answered.
urlpatterns = [
    path("api/v1/test-boom/", boom),
    path("test-boom/", boom),
    path("", include("cooperation.urls")),
]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    return error


# --- nesting depth -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, depth",
    [
        ("1", 0),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "\\"[[[", {"x": "]]]"}]', 2),
        ("[" * 20000, 20000),
    ],
)
def test_nesting_depth_skips_strings_and_does_not_recurse(text, depth):
    assert nesting_depth(text) == depth


@pytest.mark.parametrize("depth", [20000, DEFAULT_MAX_DEPTH + 1])
def test_a_deeply_nested_body_is_a_400(staff_api, depth):
    before = Organization.objects.count()
    body = '{"code": "x", "name": ' + "[" * depth + "]" * depth + "}"
    response = staff_api.post("/api/v1/organizations/", body, content_type="application/json")
    error = assert_error(response, 400, "too_deeply_nested")
    assert str(DEFAULT_MAX_DEPTH) in error["message"]
    assert Organization.objects.count() == before


def test_brackets_inside_strings_are_only_text(staff_api):
    body = json.dumps({"code": "deep-name", "name": "[" * 150, "kind": "recipient_agency", "country": "PH"})
    response = staff_api.post("/api/v1/organizations/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Organization.objects.get(code="deep-name").name == "[" * 150


def test_an_ordinary_nested_body_within_the_limit_is_parsed(staff_api):
    inner = DEFAULT_MAX_DEPTH - 1  # the object around it is one level
    body = '{"code": ' + "[" * inner + "]" * inner + "}"
    response = staff_api.post("/api/v1/organizations/", body, content_type="application/json")
    error = assert_error(response, 400, "invalid")
    assert "code" in error["fields"]


# --- every error under /api/ in the shape ------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "url", ["/api/nope", "/api/v1/nope", "/api/v1/nope/", "/api/v1/regions/1/nope/", "/api/schema/nope"]
)
def test_an_unknown_api_address_is_a_json_404(url, debug):
    with override_settings(DEBUG=debug):
        assert_error(Client().get(url), 404, "not_found")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_page_outside_the_api_stays_html(debug):
    with override_settings(DEBUG=debug):
        response = Client().get("/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("debug", [False, True])
@override_settings(ROOT_URLCONF=__name__)
def test_a_bug_under_the_api_is_a_json_500_without_a_traceback(debug):
    with override_settings(DEBUG=debug):
        response = Client(raise_request_exception=False).get("/api/v1/test-boom/")
    assert_error(response, 500, "server_error")
    assert b"a bug in a view" not in response.content


@override_settings(ROOT_URLCONF=__name__)
def test_a_bug_outside_the_api_is_the_html_500_page():
    response = Client(raise_request_exception=False).get("/test-boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/v1/iati/activities.xml"])
def test_a_wrong_method_on_the_schema_docs_and_iati_is_a_json_405(staff_user, url):
    client = Client()
    client.force_login(staff_user)
    response = client.post(url, "{}", content_type="application/json")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


# --- ordering ------------------------------------------------------------------------------

VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}
LISTS = sorted(VIEWSETS)


@pytest.mark.parametrize("prefix", LISTS)
@pytest.mark.parametrize("ordering", ["no_such_field", "-no_such_field", "pk,no_such_field", ""])
def test_an_unknown_ordering_is_a_400_naming_the_allowed_values(staff_api, prefix, ordering):
    viewset = VIEWSETS[prefix]
    response = staff_api.get(f"/api/v1/{prefix}/", {"ordering": ordering})
    error = assert_error(response, 400, "invalid")
    [problem] = error["fields"]["ordering"]
    assert problem["code"] == "invalid_ordering"
    assert viewset.ordering_fields[0] in problem["message"]


@pytest.mark.parametrize("prefix", LISTS)
def test_every_declared_ordering_works_both_ways(staff_api, prefix):
    viewset = VIEWSETS[prefix]
    for field in viewset.ordering_fields:
        for term in (field, f"-{field}"):
            assert staff_api.get(f"/api/v1/{prefix}/", {"ordering": term}).status_code == 200, term


def test_a_valid_ordering_sorts(staff_api, partner_org, other_org):
    names = [row["name"] for row in staff_api.get("/api/v1/organizations/", {"ordering": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True) and len(names) >= 2


def test_ordering_by_personal_data_is_refused_and_not_offered(coordinator_api, partner_org):
    response = coordinator_api.get("/api/v1/trainees/", {"ordering": "date_of_birth"})
    error = assert_error(response, 400, "invalid")
    message = error["fields"]["ordering"][0]["message"]
    assert "family_name" in message
    assert "passport" not in message


class _DeclaresPersonalOrdering:
    """A view that (wrongly) offers a personal field for ordering."""

    ordering_fields = ("family_name", "date_of_birth")
    ordering = ("pk",)


@pytest.mark.parametrize("term", ["date_of_birth", "-date_of_birth"])
def test_a_declared_personal_field_is_refused_to_whoever_may_not_see_it(coordinator_user, staff_user, term):
    from rest_framework.exceptions import ValidationError

    TraineeFactory()
    backend = StrictOrderingFilter()

    def ordered_for(user):
        django_request = APIRequestFactory().get("/", {"ordering": term})
        force_authenticate(django_request, user=user)
        request = Request(django_request)
        request.user = user
        return backend.filter_queryset(request, Trainee.objects.all(), _DeclaresPersonalOrdering())

    with pytest.raises(ValidationError) as refused:
        ordered_for(coordinator_user)
    assert "date_of_birth" not in str(refused.value.detail["ordering"][0]).split("use one of")[1]
    assert list(ordered_for(staff_user).query.order_by) == [term]


def test_a_rejected_value_holding_nul_is_quoted_without_it_and_its_answer_replays(staff_api):
    body = {
        "start_date": "2020-01-01",
        "end_date": "2020-01-02",
        "country": "AO",
        "visitors": 3,
        "title": "Study visit",
        "purpose": "Koban system",
        "facilities_visited": ["a\x00b"],
    }
    first = staff_api.post("/api/v1/delegations/", body, format="json", HTTP_IDEMPOTENCY_KEY="nul-in-a-choice")
    error = assert_error(first, 400, "invalid")
    message = error["fields"]["facilities_visited"]["0"][0]["message"]
    assert "\x00" not in message and "a\N{REPLACEMENT CHARACTER}b" in message
    replay = staff_api.post("/api/v1/delegations/", body, format="json", HTTP_IDEMPOTENCY_KEY="nul-in-a-choice")
    assert replay.status_code == 400 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()


def test_a_text_longer_than_its_limit_is_refused_even_when_whitespace_pads_it(staff_api):
    # DRF trims before counting; the schema's maxLength counts the characters sent.
    body = {"code": "padded", "name": "\f" + "x" * Region._meta.get_field("name").max_length}
    error = assert_error(staff_api.post("/api/v1/regions/", body, format="json"), 400, "invalid")
    assert error["fields"]["name"][0]["code"] == "max_length"
    assert not Region.objects.filter(code="padded").exists()


def test_each_serializer_gets_fields_of_its_own_though_they_are_built_once_per_class():
    from cooperation.api.serializers import OrganizationSerializer, RegionSerializer

    brief, full = RegionSerializer(brief=True), RegionSerializer()
    assert set(brief.fields) == set(RegionSerializer.Meta.brief_fields)
    assert set(full.fields) == set(RegionSerializer.Meta.fields)  # the brief one took nothing away

    one, other = OrganizationSerializer(), OrganizationSerializer()
    assert one.fields["parent"] is not other.fields["parent"]
    one.fields["parent"].queryset = Organization.objects.none()  # as a scoped serializer narrows it
    assert other.fields["parent"].queryset.model is Organization
    assert other.fields["parent"].queryset.query is not one.fields["parent"].queryset.query
    assert other.fields["name"].max_length == Organization._meta.get_field("name").max_length
    assert other.fields["name"].parent is other


# --- trailing slashes ----------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_an_api_address_without_its_slash_is_redirected_keeping_the_method(staff_api, method, debug):
    before = Organization.objects.count()
    with override_settings(DEBUG=debug):
        response = getattr(staff_api, method)("/api/v1/organizations?page_size=5", {}, format="json")
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/organizations/?page_size=5"
    assert Organization.objects.count() == before


def test_a_page_without_its_slash_keeps_the_usual_redirect(staff_user):
    client = Client()
    client.force_login(staff_user)
    assert client.get("/dashboard").status_code == 301
