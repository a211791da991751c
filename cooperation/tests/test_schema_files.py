"""The schema is built once per version of the code and language, then read from its file."""

import json

import pytest
from django.utils import translation

from cooperation.api import schema_files
from cooperation.tests import test_schema_parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema_dir(settings, tmp_path):
    """A schema directory of the test's own, and a process that has read no schema yet."""
    settings.API_SCHEMA_DIR = str(tmp_path)
    schema_files._loaded.clear()
    yield tmp_path
    schema_files._loaded.clear()


def test_a_new_process_serves_the_kept_file_and_a_returning_reader_gets_a_304(client, schema_dir):
    # A file as the build step leaves it; the server's process reads it instead of building.
    kept = {"openapi": "3.0.3", "info": {"title": "kept", "version": "1"}, "paths": {}}
    schema_files.schema_path("en").write_text(json.dumps(kept), encoding="utf-8")

    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "kept"

    again = client.get("/api/schema/", HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    yaml_version = client.get("/api/schema/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert yaml_version.status_code == 200  # another representation, another tag


# Slow (a few seconds): builds the whole schema once, as `manage.py build_api_schema` does.
def test_a_missing_file_is_built_once_and_an_unknown_language_shares_the_default(client, schema_dir):
    response = client.get("/api/schema/?lang=xx", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/programs/" in response.json()["paths"]
    assert [path.name for path in schema_dir.iterdir()] == [schema_files.schema_path("en").name]
    assert json.loads(schema_files.schema_path("en").read_text(encoding="utf-8")) == response.json()


def test_a_part_is_cut_from_the_kept_schema_kept_beside_it_and_named_in_the_docs(client, schema_dir):
    whole = test_schema_parts.whole_schema()
    # Kept in both languages: the Japanese docs below would otherwise build the real one.
    for language in ("en", "ja"):
        schema_files.schema_path(language).write_text(json.dumps(whole), encoding="utf-8")

    response = client.get("/api/schema/?part=programs", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert list(response.json()["paths"]) == ["/api/v1/programs/"]
    assert json.loads(schema_files.schema_path("en", "programs").read_text(encoding="utf-8")) == response.json()
    assert response["ETag"] != client.get("/api/schema/", HTTP_ACCEPT="application/json")["ETag"]
    again = client.get(
        "/api/schema/?part=programs", HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304

    unknown = client.get("/api/schema/?part=nope", HTTP_ACCEPT="application/json")
    assert unknown.status_code == 400
    assert [error["code"] for error in unknown.json()["error"]["fields"]["part"]] == ["invalid_choice"]

    script = client.get("/api/docs/?script=&lang=ja").content.decode()
    for app in schema_files.schema_parts("en"):
        with translation.override("ja"):
            assert json.dumps(str(app.verbose_name)) in script
        assert f"/api/schema/?part={app.label}&lang=ja" in script
