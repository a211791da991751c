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
