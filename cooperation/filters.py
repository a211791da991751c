import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field, translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from .access import in_scope_of
from .choices import Gender
from .models import CooperationField, Organization, Region
from .periods import Period


class ScopedChoicesMixin:
    """A reference filter whose choices are the records the caller may see.

    A code or id naming a record outside the caller's scope is then refused exactly as
    an unknown one (400, "Select a valid choice"), and no list is ever narrowed by a
    record the caller cannot read. Every reference filter of every app is one of these.
    """

    def __init__(self, *args, **kwargs):
        queryset = kwargs.get("queryset")
        if queryset is not None and not callable(queryset):
            kwargs["queryset"] = lambda request, base=queryset: in_scope_of(getattr(request, "user", None), base.all())
        super().__init__(*args, **kwargs)


class ReferenceFilter(ScopedChoicesMixin, django_filters.ModelChoiceFilter):
    """One referenced record, by id or (with `to_field_name`) by code."""


class ReferencesFilter(ScopedChoicesMixin, django_filters.ModelMultipleChoiceFilter):
    """Any of several referenced records (the parameter repeated)."""


def _having(queryset, path: str, values):
    """Rows with at least one of `values` at `path`, each row once."""
    if not values:
        return queryset
    matching = queryset.model.objects.filter(**{f"{path}__in": values}).values("pk")
    return queryset.filter(pk__in=matching)


def CodeFilter(model, path: str, label: str) -> ReferencesFilter:
    """Rows referencing (at `path`) any of the `model` records given by code, the parameter
    repeated for several; a code outside the caller's scope is refused as an unknown one."""

    # Typed for the schema: the parameter is a code, repeated for several.
    @extend_schema_field(OpenApiTypes.STR)
    def having(queryset, name, values):
        return _having(queryset, path, values)

    return ReferencesFilter(queryset=model.objects.all(), to_field_name="code", method=having, label=label)


def FieldFilter(path: str = "fields") -> ReferencesFilter:
    """Rows working in (at `path`) any of the cooperation fields given by code, the
    parameter repeated for several: `?field=cybercrime&field=drugs`."""
    return CodeFilter(CooperationField, path, "Cooperation field code (repeat for any of several)")


def OrganizationCodeFilter(field_name: str, label: str | None = None) -> ReferenceFilter:
    """Rows referencing (at `field_name`) the organization given by its code."""
    return ReferenceFilter(
        field_name=field_name, queryset=Organization.objects.all(), to_field_name="code", label=label
    )


def GenderFilter() -> django_filters.MultipleChoiceFilter:
    """People of any of the genders given, the parameter repeated for several."""
    return django_filters.MultipleChoiceFilter(choices=Gender.choices)


@extend_schema_field(OpenApiTypes.STR)
class CountryInRegionFilter(ReferenceFilter):
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
    parent = OrganizationCodeFilter("parent")

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
        except (forms.ValidationError, ValueError, OverflowError):
            value = None
        if value is None or not 1900 <= value.year <= 2200:
            raise ValidationError(
                {self.param: [_("Give an ISO 8601 date and time, e.g. 2026-11-01T00:00:00Z.")]}, code="invalid"
            )
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


BOOLEAN_WORDS = {"true": True, "false": False, "1": True, "0": False}
# Query parameters every list understands besides its filters.
COMMON_LIST_PARAMETERS = {"page", "page_size", "cursor", "search", "ordering", "brief", "updated_since", "format"}


class StrictDjangoFilterBackend(DjangoFilterBackend):
    """django-filter, but a list refuses what it would otherwise silently ignore.

    An unknown query parameter or a boolean that is neither true nor false is a 400
    naming the parameter, so a partner's typo never returns a misleadingly full list.
    """

    def filter_queryset(self, request, queryset, view):
        with_nul = sorted(name for name, values in request.query_params.lists() if any("\x00" in v for v in values))
        if with_nul:
            # PostgreSQL text cannot hold NUL; such a value can only be a mistake or a probe.
            raise ValidationError({name: [_("NUL characters are not allowed.")] for name in with_nul}, code="invalid")
        if getattr(view, "detail", False):
            # A record named by its key is found or not: list filters take no part (and
            # building the filterset would cost a detail request a third of its time).
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if getattr(view, "action", None) == "list":
            self._refuse_unknown(request, view, filterset)
        if filterset is None:
            return queryset
        self._refuse_loose_values(request, filterset)
        # As DjangoFilterBackend.filter_queryset, on the filterset built above (building
        # one deep-copies every declared filter: once per request is enough).
        if not filterset.is_valid() and self.raise_exception:
            raise translate_validation(filterset.errors)
        return filterset.qs

    def _refuse_unknown(self, request, view, filterset):
        known = COMMON_LIST_PARAMETERS | set(getattr(view, "extra_query_parameters", ()))
        if filterset is not None:
            known |= set(filterset.filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError({name: [_("Unknown query parameter.")] for name in unknown}, code="unknown_parameter")

    def _refuse_loose_values(self, request, filterset):
        """What django-filter would quietly read as "no filter" or round is an error here."""
        errors = {}
        for name, declared in filterset.filters.items():
            values = request.query_params.getlist(name)
            if not values:
                continue
            if any(value == "" for value in values):
                errors[name] = [_("Give a value, or leave the parameter out.")]
            elif isinstance(declared, django_filters.BooleanFilter):
                if any(value.lower() not in BOOLEAN_WORDS for value in values):
                    errors[name] = [_("Use true or false.")]
            elif (
                isinstance(declared, django_filters.NumberFilter)
                and _is_integer_field(filterset, declared)
                and any(not value.lstrip("-").isdigit() for value in values)
            ):
                errors[name] = [_("Give a whole number.")]
        if errors:
            raise ValidationError(errors, code="invalid")


def _is_integer_field(filterset, declared) -> bool:
    model_field = get_model_field(filterset._meta.model, declared.field_name) if filterset._meta.model else None
    if isinstance(model_field, models.ForeignKey):
        # `course_id` and the like: the reference is the target's whole-number key.
        model_field = model_field.target_field
    return isinstance(model_field, models.IntegerField)
