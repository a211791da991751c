"""References as this app's resources write and read them, described truly in the schema.

A reference is written as a code (or an id, for records without one) and read back as a
small object; the OpenAPI extensions below say so for each direction, so generated
clients and contract tests see the shape the API really answers with.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from cooperation.api.serializers import CodeRelatedField, ScopedReferenceMixin


class CodeReference(CodeRelatedField):
    """Written as the target's code; read as {id, code, display}."""

    def to_internal_value(self, data):
        # PostgreSQL text cannot hold NUL; such a code names nothing.
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class BriefReference(ScopedReferenceMixin, serializers.PrimaryKeyRelatedField):
    """Written as the target's id; read as {id, display}."""

    def represent(self, value):
        return {"id": value.pk, "display": str(value)}

    def use_pk_only_optimization(self):
        return False


def _object(**properties) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


class CodeReferenceSchema(OpenApiSerializerFieldExtension):
    target_class = "dispatch.api.fields.CodeReference"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "string", "description": "The code of the referenced record."}
        return _object(id={"type": "integer"}, code={"type": "string"}, display={"type": "string"})


class BriefReferenceSchema(OpenApiSerializerFieldExtension):
    target_class = "dispatch.api.fields.BriefReference"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "integer", "description": "The id of the referenced record."}
        return _object(id={"type": "integer"}, display={"type": "string"})
