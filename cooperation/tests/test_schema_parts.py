"""A part of the schema: one app's operations, with every component they refer to."""

from django.apps import apps
from django.utils import translation

from cooperation.api.schema_parts import api_parts, part_schema, tag_prefix


def operation(app_label: str, resource: str, schema_name: str) -> dict:
    tag = f"{tag_prefix(apps.get_app_config(app_label))}{resource}"
    body = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}
    return {"tags": [tag], "security": [{"tokenAuth": []}], "responses": {"200": body}}


def whole_schema() -> dict:
    def refers_to(name: str) -> dict:
        return {"type": "object", "properties": {"other": {"$ref": f"#/components/schemas/{name}"}}}

    return {
        "openapi": "3.0.3",
        "info": {"title": "API", "version": "1"},
        "paths": {
            "/api/v1/programs/": {"get": operation("programs", "programs", "Program")},
            "/api/v1/experts/": {"get": operation("dispatch", "experts", "Expert")},
        },
        "components": {
            # Program → Field → Region (a chain), Expert → Region (shared), Unused: nobody's.
            "schemas": {
                "Program": refers_to("Field"),
                "Field": refers_to("Region"),
                "Region": {"type": "object"},
                "Expert": refers_to("Region"),
                "Unused": {"type": "object"},
            },
            "securitySchemes": {"tokenAuth": {"type": "apiKey", "in": "header", "name": "Authorization"}},
        },
    }


def test_a_part_keeps_its_operations_and_what_they_refer_to_through_others():
    whole = whole_schema()
    programs = apps.get_app_config("programs")
    part = part_schema(whole, programs)
    assert list(part["paths"]) == ["/api/v1/programs/"]
    assert list(part["components"]["schemas"]) == ["Program", "Field", "Region"]
    assert part["components"]["securitySchemes"] == whole["components"]["securitySchemes"]
    with translation.override("en"):
        assert part["info"]["title"] == f"{whole['info']['title']}: {programs.verbose_name}"


def test_the_parts_are_the_apps_with_operations_in_the_order_of_the_settings():
    assert [app.label for app in api_parts(whole_schema())] == ["programs", "dispatch"]
