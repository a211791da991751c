"""The OpenAPI description of what every operation shares: auth, errors, headers, paging."""

import re

from django.apps import apps
from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cooperation.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Named API token issued by agency staff: `Token <key>` (or `Bearer <key>`).",
        }


class CodeRelatedFieldSchema(OpenApiSerializerFieldExtension):
    """References are written as a code but read as {id, code, display}: say so per direction."""

    target_class = "cooperation.api.serializers.CodeRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "string", "description": "The code of the referenced record."}
        return _reference(code=True)


class BriefRelatedFieldSchema(OpenApiSerializerFieldExtension):
    """References to records without a code: written as the id, read as {id, display, code?}."""

    target_class = "cooperation.api.serializers.BriefRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "integer", "description": "The id of the referenced record."}
        return _reference(code=False)


def _reference(code: bool) -> dict:
    properties = {"id": {"type": "integer"}, "code": {"type": "string"}, "display": {"type": "string"}}
    required = ["id", "code", "display"] if code else ["id", "display"]
    return {"type": "object", "properties": properties, "required": required}


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, e.g. `required`, `unique`, `does_not_exist`.")
    message = serializers.CharField(help_text="The reason in words, in the user's language.")


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="Machine-readable error code, e.g. `invalid`, `not_found`, `conflict`.")
    message = serializers.CharField()
    fields = serializers.JSONField(  # type: ignore[assignment]  # a declared field, moved off the class by DRF
        required=False,
        help_text="Validation errors by field: a list of {code, message}; nested objects and lists nest "
        "(list items by position).",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_RESPONSES = {
    "400": ("Invalid values in the body or the query; see `fields`.", None),
    "401": ("No credentials, or an unknown, expired or revoked token.", None),
    "403": ("The role of this account may not do this.", None),
    "404": ("No such record, or one outside your organization's scope.", None),
    "409": ("Conflicts with the current state (a protected reference, a concurrent change).", WRITE_METHODS),
    "412": ("`If-Match` names an older version of the record.", {"PUT", "PATCH", "DELETE"}),
    "413": ("The body is larger than the limit.", {"POST", "PUT", "PATCH"}),
    "422": ("This `Idempotency-Key` was used with another body.", {"POST"}),
    "429": ("Too many requests for this token; slow down.", None),
}


# /api/v1/<resource>/…: the resource an operation belongs to.
RESOURCE_IN_PATH = re.compile(r"^/api/v\d+/(?P<name>[^/{]+)")
# Between a tag's part of the system (its app) and its resource.
PART_SEPARATOR = " · "
# The module of the base classes every resource's viewset builds on.
PLATFORM_VIEWSETS_MODULE = "cooperation.api.viewsets"


class CooperationAutoSchema(AutoSchema):
    def get_description(self):
        """The operation's or its viewset's own words; never the base classes' notes for developers.

        A viewset without a docstring would otherwise show its base class's on every
        operation: text for the code's readers, repeated a few hundred times in the schema.
        """
        description = super().get_description()
        platform = {get_doc(cls) for cls in type(self.view).__mro__ if cls.__module__ == PLATFORM_VIEWSETS_MODULE}
        return "" if description in platform else description

    def get_tags(self):
        """One tag a resource, named after its app first, so the docs list resources by app."""
        resource = RESOURCE_IN_PATH.match(self.path)
        app = apps.get_containing_app_config(type(self.view).__module__)
        if app is None or resource is None:
            return super().get_tags()
        # In English whatever the reader's language: generated clients name their modules by tag.
        with translation.override("en"):
            return [f"{app.verbose_name}{PART_SEPARATOR}{resource['name']}"]

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="Any unique string (at most 200 characters). A retry with the same key and body "
                    "within 24 hours returns the first answer and creates nothing new.",
                )
            )
        if self.method in {"PUT", "PATCH", "DELETE"}:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="The `ETag` you read; the write is refused with 412 if the record changed since.",
                )
            )
        if self.method != "DELETE" and "{id}" in self.path and not self.path.endswith("/history/"):
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=["200", "201"],
                    description="Version of the record, for `If-Match`.",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (description, methods) in ERROR_RESPONSES.items():
            if code in responses or (methods is not None and self.method not in methods):
                continue
            response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            response["description"] = description
            responses[code] = response
        return responses
