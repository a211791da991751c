"""List filters of the trainees resources. Personal data is never a filter nor a search key."""

import django_filters
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cooperation.access import in_scope_of
from cooperation.filters import (
    CodeFilter,
    CountryInRegionFilter,
    FieldFilter,
    GenderFilter,
    OrganizationCodeFilter,
    PeriodFilterSet,
    ReferencesFilter,
)
from programs.models import Program, Project

from .models import Course, CourseVisit, Delegation, Enrollment, EnrollmentStatus, Trainee

MAX_ID = 2**63 - 1


class CourseFilter(PeriodFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Course.Kind.choices)
    status = django_filters.MultipleChoiceFilter(choices=Course.Status.choices)
    host = OrganizationCodeFilter("host", "Host organization (code)")
    field = FieldFilter()
    program = CodeFilter(Program, "program", "Program (code)")
    project = CodeFilter(Project, "project", "Project (code)")
    target_country = django_filters.ChoiceFilter(
        choices=countries, method="targeting_country", label="Courses open to this country"
    )
    region = CountryInRegionFilter(method="targeting_region", label="Courses targeting a country of this region (code)")
    starts_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Course
        fields = ("code", "kind", "status", "host", "field", "program", "project", "language")

    def targeting_country(self, queryset, name, value: str):
        return queryset.filter(target_countries__contains=[value])

    def targeting_region(self, queryset, name, region):
        return queryset.filter(target_countries__overlap=region.countries)


class CourseVisitFilter(django_filters.FilterSet):
    course = CodeFilter(Course, "course", "Course (code)")
    kind = django_filters.MultipleChoiceFilter(choices=CourseVisit.Kind.choices)

    class Meta:
        model = CourseVisit
        fields = ("course", "kind", "date")


class TraineeFilter(django_filters.FilterSet):
    nationality = django_filters.MultipleChoiceFilter(choices=countries)
    region = CountryInRegionFilter(field_name="nationality")
    gender = GenderFilter()
    organization = OrganizationCodeFilter("organization", "Organization (code)")
    course = ReferencesFilter(
        queryset=Course.objects.all(), to_field_name="code", method="attending", label="Course (code)"
    )

    class Meta:
        model = Trainee
        fields = ("nationality", "region", "gender", "organization", "course")

    @extend_schema_field(OpenApiTypes.STR)
    def attending(self, queryset, name, courses):
        """Trainees nominated to any of the courses, by the enrollments the caller may see
        (another organization's nomination of a shared trainee narrows nothing)."""
        if not courses:
            return queryset
        enrollments = in_scope_of(getattr(self.request, "user", None), Enrollment.objects.filter(course__in=courses))
        return queryset.filter(pk__in=enrollments.values("trainee"))


def _id_filter(field_name: str, label: str) -> django_filters.NumberFilter:
    # An id is a whole number; the schema would otherwise call it any number.
    return extend_schema_field(OpenApiTypes.INT)(
        django_filters.NumberFilter(field_name=field_name, label=label, min_value=1, max_value=MAX_ID)
    )


class EnrollmentFilter(django_filters.FilterSet):
    course = _id_filter("course_id", "Course (id)")
    course_code = CodeFilter(Course, "course", "Course (code)")
    trainee = _id_filter("trainee_id", "Trainee (id)")
    # The row's own column and a foreign key's: no join can repeat an enrollment, so no DISTINCT.
    status = django_filters.MultipleChoiceFilter(choices=EnrollmentStatus.choices, distinct=False)
    nominated_by = OrganizationCodeFilter("nominated_by", "Nominating organization (code)")
    nationality = django_filters.MultipleChoiceFilter(
        field_name="trainee__nationality", choices=countries, distinct=False
    )
    year = django_filters.NumberFilter(
        field_name="course__start_date", lookup_expr="year", label="Course starts in", min_value=1950, max_value=2100
    )

    class Meta:
        model = Enrollment
        fields = ("course", "course_code", "trainee", "status", "nominated_by", "nationality", "year")


class DelegationFilter(PeriodFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Delegation.Status.choices)
    country = django_filters.MultipleChoiceFilter(choices=countries)
    region = CountryInRegionFilter(field_name="country")
    organization = OrganizationCodeFilter("organization", "Organization (code)")

    class Meta:
        model = Delegation
        fields = ("status", "country", "region", "organization")
