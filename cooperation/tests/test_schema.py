"""The OpenAPI schema is generated without a single warning and validates as OpenAPI 3."""

from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS


@dataclass
class Generated:
    path: Path
    error: Exception | None
    warnings: list[str]
    clean: bool


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The schema, generated and validated once for the module (a few seconds each time)."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    # Warnings are collected process-wide; start from none so only this generation counts.
    GENERATOR_STATS.reset()
    error = None
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path), stderr=StringIO())
    except Exception as exc:
        error = exc
    result = Generated(
        path, error, sorted({*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache}), not GENERATOR_STATS
    )
    GENERATOR_STATS.reset()
    if error is not None:
        # The other tests read the schema even when it has warnings.
        call_command("spectacular", "--file", str(path), stderr=StringIO())
        GENERATOR_STATS.reset()
    return result


@pytest.fixture
def schema_file(generated):
    return generated.path


def test_the_schema_generates_without_warnings_and_validates(generated, schema_file):
    if generated.error is not None:
        pytest.fail(f"{generated.error}\n" + "\n".join(generated.warnings))
    assert generated.clean
    schema = yaml.safe_load(schema_file.read_text(encoding="utf-8"))
    assert len(schema["paths"]) > 50


def test_shared_choice_names_get_enums_of_their_own(schema_file):
    components = yaml.safe_load(schema_file.read_text(encoding="utf-8"))["components"]["schemas"]
    generated_names = [name for name in components if name.endswith("Enum") and any(c.isdigit() for c in name)]
    assert generated_names == []


def test_experts_and_trainees_share_one_gender_enum(schema_file):
    components = yaml.safe_load(schema_file.read_text(encoding="utf-8"))["components"]["schemas"]
    assert components["GenderEnum"]["enum"] == ["female", "male", "other", "undisclosed"]
    assert "ExpertGenderEnum" not in components
    assert "TraineeGenderEnum" not in components
    gender = {"$ref": "#/components/schemas/GenderEnum"}
    assert components["Expert"]["properties"]["gender"] == gender
    assert components["Trainee"]["properties"]["gender"] == gender


def test_coordinator_operations_carry_examples(schema_file):
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


def test_operations_are_tagged_by_app_and_resource_and_every_path_ends_in_a_slash(schema_file):
    paths = yaml.safe_load(schema_file.read_text(encoding="utf-8"))["paths"]
    tags = {
        path: {tag for operation in operations.values() for tag in operation["tags"]}
        for path, operations in paths.items()
    }
    assert tags["/api/v1/programs/{id}/"] == {"Programs and projects · programs"}
    assert tags["/api/v1/courses/{id}/nominations/"] == {"Courses and trainees · courses"}
    assert tags["/api/v1/reports/annual-summary/"] == {"Reports · reports"}
    assert all(len(found) == 1 and " · " in next(iter(found)) for found in tags.values())
    # The former address of the summary answers, but is not described twice.
    assert all(path.endswith("/") for path in paths if not path.endswith(".xml"))
    # The platform's notes for developers stay out of the operations' descriptions.
    assert not any(
        "restrict(user, action)" in operation.get("description", "")
        for operations in paths.values()
        for operation in operations.values()
    )
