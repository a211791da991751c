"""Query filters of the portfolio resources (`?country=ID&field=traffic-police&year=2012`…).

Codes, not ids, name references: `region`, `field`, `partner`, `program`, `project`
take the referenced record's code. Filters on many-to-many sets match through a
subquery, so a row never appears twice.
"""

import django_filters
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cooperation.filters import CodeFilter, CountryInRegionFilter, FieldFilter, PeriodFilterSet, ReferenceFilter
from cooperation.models import Organization, Region

from .choices import ValueStatus
from .models import (
    Event,
    Funding,
    Indicator,
    IndicatorPeriod,
    Measurement,
    PeriodValue,
    Program,
    Project,
    Publication,
    Site,
    Status,
    StrategicGoal,
)
from .selectors import projects_in_countries


def PartnerFilter(scope, label: str):
    """Rows the organization (by code) takes part in, by the model's own partner scope."""

    @extend_schema_field(OpenApiTypes.STR)
    def taking_part(queryset, name, organization):
        return queryset if organization is None else queryset.filter(scope(organization))

    return ReferenceFilter(queryset=Organization.objects.all(), to_field_name="code", method=taking_part, label=label)


class ProgramFilter(PeriodFilterSet):
    code = django_filters.CharFilter()
    kind = django_filters.MultipleChoiceFilter(choices=Program.Kind.choices)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    country = django_filters.MultipleChoiceFilter(choices=countries)
    region = CountryInRegionFilter(field_name="country", label="Region code: programs in its countries")
    field = FieldFilter()
    partner = PartnerFilter(Program.partner_scope, "Organization code: programs it takes part in, in any role")
    counterpart = django_filters.CharFilter(field_name="counterpart__code")
    strategic_goal = django_filters.ChoiceFilter(
        choices=StrategicGoal.choices, method="with_goal", label="UNODC strategic goal"
    )
    priority_region = CodeFilter(Region, "priority_regions", "Tagged with this UNODC priority region (code)")
    publication = django_filters.MultipleChoiceFilter(choices=Publication.choices)

    class Meta:
        model = Program
        fields = ()

    def with_goal(self, queryset, name, value: str):
        return queryset.filter(strategic_goals__contains=[value])


class ProjectCountryFilter(django_filters.MultipleChoiceFilter):
    def __init__(self, *args, prefix: str = "", **kwargs):
        self.prefix = prefix
        kwargs.setdefault("choices", countries)
        kwargs.setdefault("label", "Country (the project's own, else its program's)")
        super().__init__(*args, method=self.in_countries, **kwargs)

    def in_countries(self, queryset, name, value: list[str]):
        if not value:
            return queryset
        projects = projects_in_countries(Project.objects.all(), value).values("pk")
        return queryset.filter(**{f"{self.prefix}pk__in" if self.prefix else "pk__in": projects})


class ProjectRegionFilter(CountryInRegionFilter):
    def __init__(self, *args, prefix: str = "", **kwargs):
        self.prefix = prefix
        kwargs.setdefault("label", "Region code: projects in its countries")
        super().__init__(*args, **kwargs)

    def in_region(self, queryset, name, region):
        if region is None:
            return queryset
        projects = projects_in_countries(Project.objects.all(), region.countries).values("pk")
        return queryset.filter(**{f"{self.prefix}pk__in" if self.prefix else "pk__in": projects})


class ProjectFilter(PeriodFilterSet):
    code = django_filters.CharFilter()
    program = CodeFilter(Program, "program", "Program code")
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    country = ProjectCountryFilter()
    region = ProjectRegionFilter()
    field = FieldFilter()
    partner = PartnerFilter(Project.partner_scope, "Organization code: projects it takes part in")
    counterpart = django_filters.CharFilter(field_name="counterpart__code")
    publication = django_filters.MultipleChoiceFilter(choices=Publication.choices)

    class Meta:
        model = Project
        fields = ()


class SiteFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()
    kind = django_filters.MultipleChoiceFilter(choices=Site.Kind.choices)
    country = django_filters.MultipleChoiceFilter(choices=countries)
    region = CountryInRegionFilter(field_name="country", label="Region code: sites in its countries")
    project = CodeFilter(Project, "projects", "Project code")
    program = CodeFilter(Program, "projects__program", "Program code")
    organization = django_filters.CharFilter(field_name="organization__code")

    class Meta:
        model = Site
        fields = ()


class FundingFilter(django_filters.FilterSet):
    program = CodeFilter(Program, "program", "Program code")
    project = CodeFilter(Project, "project", "Project code")
    organization = django_filters.CharFilter(field_name="organization__code", label="Funding organization code")
    fiscal_year = django_filters.NumberFilter(label="Japanese fiscal year (2012 = April 2012 – March 2013)")
    fiscal_year_min = django_filters.NumberFilter(field_name="fiscal_year", lookup_expr="gte")
    fiscal_year_max = django_filters.NumberFilter(field_name="fiscal_year", lookup_expr="lte")
    currency = django_filters.CharFilter()
    country = django_filters.MultipleChoiceFilter(field_name="program__country", choices=countries)

    class Meta:
        model = Funding
        fields = ()


class IndicatorFilter(django_filters.FilterSet):
    project = CodeFilter(Project, "project", "Project code")
    program = CodeFilter(Program, "project__program", "Program code")
    country = ProjectCountryFilter(prefix="project__")
    region = ProjectRegionFilter(prefix="project__")
    field = FieldFilter("project__fields")
    partner = PartnerFilter(Indicator.partner_scope, "Organization code: indicators of programs it takes part in")
    has_values = django_filters.BooleanFilter(field_name="latest_value", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Indicator
        fields = ()


class MeasurementFilter(PeriodFilterSet):
    """`year` / `fiscal_year` keep values whose period ends in that year."""

    start_field = "period_end"
    end_field = "period_end"

    indicator = ReferenceFilter(queryset=Indicator.objects.all())
    project = CodeFilter(Project, "indicator__project", "Project code")
    program = CodeFilter(Program, "indicator__project__program", "Program code")
    reported_by = django_filters.CharFilter(field_name="reported_by__code", label="Reporting organization code")
    period_end_after = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_end_before = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")

    class Meta:
        model = Measurement
        fields = ()


class EventFilter(PeriodFilterSet):
    code = django_filters.CharFilter()
    kind = django_filters.MultipleChoiceFilter(choices=Event.Kind.choices)
    country = django_filters.MultipleChoiceFilter(choices=countries, label="Host country")
    participating_country = django_filters.ChoiceFilter(
        choices=countries, method="with_participant", label="Events this country took part in"
    )
    region = CountryInRegionFilter(field_name="country", label="Region code: events hosted in its countries")
    field = FieldFilter()
    organizer = CodeFilter(Organization, "organizers", "Organizer code")
    program = CodeFilter(Program, "program", "Program code")

    class Meta:
        model = Event
        fields = ()

    def with_participant(self, queryset, name, value: str):
        return queryset.filter(participating_countries__contains=[value])


class IndicatorPeriodFilter(django_filters.FilterSet):
    indicator = ReferenceFilter(queryset=Indicator.objects.all())
    locked = django_filters.BooleanFilter()

    class Meta:
        model = IndicatorPeriod
        fields = ()


class PeriodValueFilter(django_filters.FilterSet):
    period = ReferenceFilter(queryset=IndicatorPeriod.objects.all())
    indicator = ReferenceFilter(queryset=Indicator.objects.all(), field_name="period__indicator")
    status = django_filters.MultipleChoiceFilter(choices=ValueStatus.choices)

    class Meta:
        model = PeriodValue
        fields = ()
