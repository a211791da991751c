from django.utils import translation
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cooperation.filters import CooperationFieldFilter, OrganizationFilter, RegionFilter
from cooperation.models import CooperationField, Organization, Region

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
    """The schema, built once per process, language and version.

    It is public (the same for every caller) and follows from the code alone, while
    building it takes over a second.
    """

    _built: dict[tuple[str, str | None], dict] = {}
    renderer_classes = [OpenApiYamlRenderer, OpenApiYamlRenderer2, CompactOpenApiJsonRenderer, CompactJsonRenderer]

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        schema = self._built.get(key)
        if schema is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            schema = self._built[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'})
