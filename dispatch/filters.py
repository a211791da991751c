import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from cooperation.access import in_scope_of
from cooperation.filters import (
    CodeFilter,
    CountryInRegionFilter,
    FieldFilter,
    GenderFilter,
    OrganizationCodeFilter,
    PeriodFilterSet,
    ReferenceFilter,
)
from cooperation.periods import Period
from programs.models import Program, Project

from .choices import (
    CumulativeFigure,
    DeploymentKind,
    DeploymentStatus,
    DisasterKind,
    ExpertStatus,
    MissionKind,
    MissionStatus,
    TeamType,
    Term,
)
from .models import Deployment, DisasterEvent, Expert, ExpertLanguage, FigureCheckpoint, Mission, OpeningBalance
from .selectors import has_experience_in, parse_language_requirements
from .stats import mission_date


@extend_schema_field(OpenApiTypes.STR)
class LanguageFilter(django_filters.CharFilter):
    """`language=en` or `language=en:3` (at least level 3)."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        try:
            ((code, minimum),) = parse_language_requirements([value]).items()
        except DjangoValidationError as exc:
            raise ValidationError({self.field_name: exc.messages}, code="unknown_language") from None
        skilled = ExpertLanguage.objects.filter(expert=OuterRef("pk"), language=code, level__gte=minimum)
        return queryset.filter(Exists(skilled))


class ExpertFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ExpertStatus.choices)
    gender = GenderFilter()
    organization = OrganizationCodeFilter("organization")
    field = FieldFilter("specialties")
    language = LanguageFilter(label="Speaks this language (code), optionally at a minimum level: en:3")
    country_experience = django_filters.ChoiceFilter(
        choices=countries, method="filter_country_experience", label="Has worked in this country"
    )
    available_from = django_filters.DateFilter(method="filter_available", label="Free of deployments from")
    available_to = django_filters.DateFilter(method="filter_available", label="Free of deployments until")

    class Meta:
        model = Expert
        fields = (
            "status",
            "gender",
            "organization",
            "field",
            "language",
            "country_experience",
            "standby_rescue",
            "standby_dvi",
            "standby_forensic",
            "standby_forensic_dental",
            "standby_communications",
        )

    def _deployments(self):
        """The deployments this caller may see: availability and experience are read from those only."""
        return in_scope_of(getattr(self.request, "user", None), Deployment.objects.all())

    def filter_country_experience(self, queryset, name, value: str):
        return queryset.filter(has_experience_in(value, self._deployments())) if value else queryset

    def filter_available(self, queryset, name, value):
        # Both ends are read together once; the second call finds nothing left to do.
        if name != "available_from" and self.form.cleaned_data.get("available_from"):
            return queryset
        start = self.form.cleaned_data.get("available_from") or value
        end = self.form.cleaned_data.get("available_to") or start
        if end < start:
            raise ValidationError({"available_to": ["The end cannot be before the start."]}, code="date_order")
        return queryset.exclude(Exists(self._deployments().filter(expert=OuterRef("pk")).overlapping(start, end)))


class DeploymentFilter(PeriodFilterSet):
    start_field = "effective_start"
    end_field = "effective_end"

    # Columns of the row itself: no join can repeat a row, so no DISTINCT (which makes
    # PostgreSQL sort and compare every column of the page and of its count).
    kind = django_filters.MultipleChoiceFilter(choices=DeploymentKind.choices, distinct=False)
    status = django_filters.MultipleChoiceFilter(choices=DeploymentStatus.choices, distinct=False)
    term = django_filters.ChoiceFilter(choices=Term.choices)
    country = django_filters.MultipleChoiceFilter(choices=countries, distinct=False)
    region = CountryInRegionFilter(field_name="country")
    expert = django_filters.NumberFilter(field_name="expert_id")
    project = CodeFilter(Project, "project", "Project code")
    program = CodeFilter(Program, "project__program", "Program code")
    host_organization = django_filters.CharFilter(field_name="host_organization__code")
    mission = ReferenceFilter(queryset=Mission.objects.all())

    class Meta:
        model = Deployment
        fields = (
            "kind",
            "status",
            "term",
            "country",
            "region",
            "expert",
            "project",
            "program",
            "host_organization",
            "mission",
            "travel_advisory_level",
        )


class DisasterEventFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=DisasterKind.choices)
    country = django_filters.MultipleChoiceFilter(choices=countries)
    region = CountryInRegionFilter(field_name="country")
    year = django_filters.NumberFilter(field_name="occurred_on__year", min_value=1900, max_value=2100)

    class Meta:
        model = DisasterEvent
        fields = ("kind", "country", "region", "year")


class MissionFilter(django_filters.FilterSet):
    """`year` and `fiscal_year` take the mission's day: its departure, or its request before that."""

    year = django_filters.NumberFilter(method="filter_year", min_value=1900, max_value=2100)
    fiscal_year = django_filters.NumberFilter(method="filter_fiscal_year", min_value=1900, max_value=2100)
    kind = django_filters.ChoiceFilter(choices=MissionKind.choices)
    team_type = django_filters.MultipleChoiceFilter(choices=TeamType.choices)
    status = django_filters.MultipleChoiceFilter(choices=MissionStatus.choices)
    country = django_filters.MultipleChoiceFilter(choices=countries)
    region = CountryInRegionFilter(field_name="country")
    disaster = ReferenceFilter(queryset=DisasterEvent.objects.all())

    class Meta:
        model = Mission
        fields = ("kind", "team_type", "status", "country", "region", "disaster", "requesting_party")

    def _within(self, queryset, period: Period):
        return queryset.alias(mission_day=mission_date()).filter(
            mission_day__gte=period.start, mission_day__lte=period.end
        )

    def filter_year(self, queryset, name, value):
        return self._within(queryset, Period.calendar_year(int(value)))

    def filter_fiscal_year(self, queryset, name, value):
        return self._within(queryset, Period.fiscal_year(int(value)))


class FigureStatementFilter(django_filters.FilterSet):
    """Checkpoints and opening balances by figure (a few rows each: ordering by `as_of` suffices)."""

    figure = django_filters.MultipleChoiceFilter(choices=CumulativeFigure.choices)


class FigureCheckpointFilter(FigureStatementFilter):
    class Meta:
        model = FigureCheckpoint
        fields = ("figure",)


class OpeningBalanceFilter(FigureStatementFilter):
    class Meta:
        model = OpeningBalance
        fields = ("figure",)
