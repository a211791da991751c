"""The doors besides the API resources: docs, schema, languages, JSON 404s."""

import pytest
import yaml
from django.test import override_settings

pytestmark = pytest.mark.django_db


# Slow: generates the whole OpenAPI schema (/api/schema/ builds it on each request).
def test_openapi_schema_describes_the_resources_and_token_auth(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/regions/", "/api/v1/organizations/{id}/", "/api/v1/fields/"):
        assert path in schema["paths"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"
    parameters = {p["name"] for p in schema["paths"]["/api/v1/organizations/"]["get"]["parameters"]}
    assert {"page", "page_size", "search", "ordering", "region", "country", "kind"} <= parameters


def test_api_docs_are_served_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()


def test_admin_login_speaks_the_browsers_language(client):
    assert "ログイン" in client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Log in" in client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_language_switch_sets_the_language(client):
    client.post("/i18n/setlang/", {"language": "ja", "next": "/admin/login/"})
    assert "ログイン" in client.get("/admin/login/").content.decode()


def test_a_users_language_choice_wins(client, staff_user):
    staff_user.profile.language = "ja"
    staff_user.profile.save()
    client.force_login(staff_user)
    html = client.get("/admin/").content.decode()
    assert "地域" in html  # the Region model's name, translated by the project
    staff_user.profile.language = "en"
    staff_user.profile.save()
    assert "Regions" in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()


@override_settings(DEBUG=False)
def test_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_each_api_route_resolves_under_its_resource_with_the_routers_own_url():
    """The router's routes, grouped per resource, keep their URLs and names, and a request
    tries the resources and then its resource's routes, not every route of the API."""
    from django.urls import resolve, reverse

    from cooperation.api.urls import router

    routes = [pattern for pattern in router.urls if pattern.name and "format" not in pattern.pattern.regex.groupindex]
    for pattern in routes:
        path = "/api/v1/" + str(pattern.pattern).strip("^$").replace("(?P<pk>[^/.]+)", "7")
        match = resolve(path)
        assert (match.url_name, match.route) == (pattern.name, "api/v1/" + str(pattern.pattern).lstrip("^"))
        if "(?P<pk>" in str(pattern.pattern):
            assert reverse(pattern.name, args=[7]) == path
    last = next(pattern for pattern in reversed(routes) if pattern.name != "api-root")
    late = resolve(reverse(last.name, args=[7] if "(?P<pk>" in str(last.pattern) else []))
    assert len(late.tried) < len(routes) / 2
