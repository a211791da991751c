from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cooperation.filters import CooperationFieldFilter, OrganizationFilter, RegionFilter
from cooperation.models import CooperationField, Organization, Region

from .schema_files import api_schema, schema_fingerprint, schema_language
from .serializers import CooperationFieldSerializer, OrganizationSerializer, RegionSerializer
from .viewsets import CooperationViewSet


class RegionViewSet(CooperationViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    search_fields = ("code", "name", "name_ja")
    ordering_fields = ("code", "name", "updated_at")
    ordering = ("name", "pk")


class OrganizationViewSet(CooperationViewSet):
    queryset = Organization.objects.select_related("parent")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ("code", "name", "name_ja", "acronym")
    ordering_fields = ("code", "name", "acronym", "kind", "country", "updated_at")
    ordering = ("name", "pk")


class CooperationFieldViewSet(CooperationViewSet):
    queryset = CooperationField.objects.all()
    serializer_class = CooperationFieldSerializer
    filterset_class = CooperationFieldFilter
    search_fields = ("code", "name", "name_ja", "dac_code")
    ordering_fields = ("code", "name", "dac_code", "updated_at")
    ordering = ("name", "pk")


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
    """The schema, read from its file (schema_files) rather than built on each request.

    Its ETag is the fingerprint of the code and translations it comes from, so a returning
    reader's browser revalidates it in one short answer (304) until the code changes.
    """

    renderer_classes = [OpenApiYamlRenderer, OpenApiYamlRenderer2, CompactOpenApiJsonRenderer, CompactJsonRenderer]

    def _get_schema_response(self, request):
        language = schema_language()
        etag = f'"{schema_fingerprint()}-{language}-{request.accepted_renderer.format}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept, Accept-Language, Cookie"}
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        # The schema has one version: `?version=` would only rename it, and key a build per value.
        filename = self._get_filename(request, version=None)
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
        return Response(data=api_schema(language), headers=headers)
