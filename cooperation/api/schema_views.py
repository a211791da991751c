"""The schema (whole or one part of the system) and the docs page over it."""

import json

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.plumbing import set_query_parameters
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .schema_files import api_schema, schema_fingerprint, schema_language, schema_parts

# The part the docs open on: programs and projects are what partners read and report on most.
PRIMARY_PART = "programs"


class CompactJsonMixin:
    """JSON without indentation unless the client asks for it (`; indent=4`): the schema is
    read by programs and by the docs page, for which the indentation only added half its size."""

    def get_indent(self, accepted_media_type, renderer_context):
        return JSONRenderer.get_indent(self, accepted_media_type, renderer_context)


class CompactOpenApiJsonRenderer(CompactJsonMixin, OpenApiJsonRenderer):
    pass


class CompactJsonRenderer(CompactJsonMixin, OpenApiJsonRenderer2):
    pass


class SchemaView(SpectacularAPIView):
    """The schema, read from its file (schema_files) rather than built on each request;
    `?part=<app label>` answers the schema of one part of the system (schema_parts).

    Its ETag is the fingerprint of the code and translations it comes from, so a returning
    reader's browser revalidates it in one short answer (304) until the code changes.
    """

    renderer_classes = [OpenApiYamlRenderer, OpenApiYamlRenderer2, CompactOpenApiJsonRenderer, CompactJsonRenderer]

    def _get_schema_response(self, request):
        language = schema_language()
        part = self._requested_part(request, language)
        etag = f'"{schema_fingerprint()}-{language}-{part or "whole"}-{request.accepted_renderer.format}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept, Accept-Language, Cookie"}
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        # The schema has one version: `?version=` would only rename it, and key a build per value.
        filename = self._get_filename(request, version=None)
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
        return Response(data=api_schema(language, part), headers=headers)

    @staticmethod
    def _requested_part(request, language: str) -> str | None:
        value = request.query_params.get("part")
        if value is None:
            return None
        field = serializers.ChoiceField(choices=[app.label for app in schema_parts(language)])
        try:
            return field.run_validation(value)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"part": error.detail}) from error


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI over one part of the system at a time, picked in its "Select a definition"
    list (the whole schema is the list's last entry): a part is laid out in a fraction of
    the time the whole schema takes. The start-up code is a script of its own, not inline (CSP)."""

    template_name = "api/swagger_ui.html"
    template_name_js = "api/swagger_ui.js"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            response.data.update(self._definitions(request))
        return response

    def _definitions(self, request) -> dict:
        schema_url = reverse(self.url_name)
        language = request.GET.get("lang")
        # Named in the language the schema is read in (`?lang`, as the schema itself).
        with translation.override(language or translation.get_language()):
            parts = {app.label: str(app.verbose_name) for app in schema_parts(schema_language())}
            whole = _("Whole API")
        definitions = [
            {"name": name, "url": set_query_parameters(schema_url, part=label, lang=language)}
            for label, name in parts.items()
        ]
        definitions.append({"name": whole, "url": set_query_parameters(schema_url, lang=language)})
        return {"definitions": json.dumps(definitions), "primary_definition": json.dumps(parts[PRIMARY_PART])}
