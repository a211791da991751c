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
