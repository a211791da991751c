import django_filters
from django import forms
from django.db.models import Q
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from .models import CooperationField, Organization, Region
from .periods import Period


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


class PeriodFilterSet(django_filters.FilterSet):
    """Filters for records that run over a period (`start_field` to `end_field`).

    `active_on=2012-06-01` keeps records running that day; `year=2012` and
    `fiscal_year=2012` keep records overlapping that calendar or fiscal year. An empty
    end means the record is still running.
    """

    start_field = "start_date"
    end_field = "end_date"

    active_on = django_filters.DateFilter(method="filter_active_on", label="Running on this date")
    year = django_filters.NumberFilter(
        method="filter_year", label="Overlapping this calendar year", min_value=1950, max_value=2100
    )
    fiscal_year = django_filters.NumberFilter(
        method="filter_fiscal_year",
        label="Overlapping this Japanese fiscal year (April–March)",
        min_value=1950,
        max_value=2100,
    )

    def overlapping(self, queryset, start, end):
        open_or_after = Q(**{f"{self.end_field}__isnull": True}) | Q(**{f"{self.end_field}__gte": start})
        return queryset.filter(open_or_after, **{f"{self.start_field}__lte": end})

    def filter_active_on(self, queryset, name, value):
        return self.overlapping(queryset, value, value)

    def filter_year(self, queryset, name, value):
        period = Period.calendar_year(int(value))
        return self.overlapping(queryset, period.start, period.end)

    def filter_fiscal_year(self, queryset, name, value):
        period = Period.fiscal_year(int(value))
        return self.overlapping(queryset, period.start, period.end)


class UpdatedSinceFilterBackend:
    """`updated_since=<ISO 8601 datetime>` on every list: the changes feed for partner sync."""

    param = "updated_since"

    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get(self.param)
        if raw is None or not hasattr(queryset.model, "updated_at"):
            return queryset
        try:
            value = forms.DateTimeField(required=True).clean(raw)
        except forms.ValidationError as exc:
            raise ValidationError({self.param: exc.messages}, code="invalid") from None
        return queryset.filter(updated_at__gte=value)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": "Only records created or changed at or after this time (ISO 8601, e.g. "
                "2026-11-01T00:00:00Z). Keep the time of your previous sync and pass it here.",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]
