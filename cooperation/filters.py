import django_filters
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import CooperationField, Organization, Region


@extend_schema_field(OpenApiTypes.STR)
class CountryInRegionFilter(django_filters.ModelChoiceFilter):
    """Rows whose `field_name` (a country) lies in the chosen region, given by code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Region.objects.all())
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("method", self.in_region)
        super().__init__(*args, **kwargs)

    def in_region(self, queryset, name, region):
        if region is None:
            return queryset
        return queryset.filter(**{f"{self.field_name}__in": region.countries})


class RegionFilter(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(
        choices=countries, method="containing_country", label="Regions containing this country"
    )

    class Meta:
        model = Region
        fields = ("code", "is_unodc_priority")

    def containing_country(self, queryset, name, value: str):
        return queryset.filter(countries__contains=[value])


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Organization.Kind.choices)
    country = django_filters.MultipleChoiceFilter(choices=countries)
    region = CountryInRegionFilter(field_name="country")
    parent = django_filters.ModelChoiceFilter(queryset=Organization.objects.all(), to_field_name="code")

    class Meta:
        model = Organization
        fields = ("code", "kind", "country", "region", "parent")


class CooperationFieldFilter(django_filters.FilterSet):
    class Meta:
        model = CooperationField
        fields = ("code", "dac_code")
