"""The OpenAPI schema is generated without a single warning and validates as OpenAPI 3."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS


@pytest.fixture
def schema_file(tmp_path):
    # Warnings are collected process-wide; start from none so only this generation counts.
    GENERATOR_STATS.reset()
    yield tmp_path / "schema.yaml"
    GENERATOR_STATS.reset()


def test_the_schema_generates_without_warnings_and_validates(schema_file):
    output = StringIO()
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file), stderr=output)
    except Exception as exc:
        warnings = sorted({*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache})
        pytest.fail(f"{exc}\n" + "\n".join(warnings))
    assert not GENERATOR_STATS
    schema = yaml.safe_load(schema_file.read_text(encoding="utf-8"))
    assert len(schema["paths"]) > 50


def test_shared_choice_names_get_enums_of_their_own(schema_file):
    call_command("spectacular", "--file", str(schema_file), stderr=StringIO())
    components = yaml.safe_load(schema_file.read_text(encoding="utf-8"))["components"]["schemas"]
    generated_names = [name for name in components if name.endswith("Enum") and any(c.isdigit() for c in name)]
    assert generated_names == []
    assert components["TraineeGenderEnum"]["enum"] != components["ExpertGenderEnum"]["enum"]


def test_coordinator_operations_carry_examples(schema_file):
    call_command("spectacular", "--file", str(schema_file), stderr=StringIO())
    paths = yaml.safe_load(schema_file.read_text(encoding="utf-8"))["paths"]
    for path, method, direction in EXAMPLED_OPERATIONS:
        operation = paths[path][method]
        if direction == "request":
            bodies = operation["requestBody"]["content"].values()
        else:
            bodies = [
                body for response in operation["responses"].values() for body in response.get("content", {}).values()
            ]
        assert any(body.get("examples") for body in bodies), (path, method, direction)


EXAMPLED_OPERATIONS = [
    ("/api/v1/courses/", "get", "response"),
    ("/api/v1/courses/{id}/nominations/", "post", "request"),
    ("/api/v1/measurements/", "post", "request"),
]
