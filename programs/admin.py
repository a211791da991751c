"""Staff keep the portfolio here; the rules of the models' clean() become form errors."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Max, Min, Q, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from cooperation.admin import RestrictedAdmin, ServiceWritesAdmin, ServiceWritesInline
from cooperation.admin_filters import DROPDOWN_FILTER_TEMPLATE, AllValuesDropdownFilter, RelatedOnlyDropdownFilter
from cooperation.archive import ArchivingAdminMixin, restore_selected
from cooperation.models import Organization, Region
from cooperation.periods import Period

from . import services
from .choices import Publication
from .models import (
    Disaggregation,
    DisaggregationCategory,
    Event,
    Funding,
    Indicator,
    IndicatorPeriod,
    Measurement,
    PeriodValue,
    PeriodValueStatusChange,
    Program,
    ProgramPartner,
    Project,
    Site,
    StrategicGoal,
)
from .publication import publication_publish, publication_return, publication_submit, publication_withdraw
from .results import period_progress, rolled_up_progress
from .selectors import (
    indicators_with_progress,
    overlapping,
    project_count,
    project_country,
    projects_in_countries,
)

# --- list filters ---------------------------------------------------------------------------


class CodeListFilter(admin.SimpleListFilter):
    """A list filter whose chosen value is a code; a malformed one is the admin's usual
    "incorrect lookup" notice, never a server error. A long list of codes is a dropdown."""

    template = DROPDOWN_FILTER_TEMPLATE

    def code(self) -> str | None:
        value = self.value()
        if value and (len(value) > 64 or "\x00" in value):
            raise IncorrectLookupParameters(value)
        return value or None


class CountryFilter(CodeListFilter):
    """Only the countries that occur in the list, by name."""

    title = _("country")
    parameter_name = "country"

    def country(self):
        return F("country")

    def lookups(self, request, model_admin):
        present = (
            model_admin.get_queryset(request)
            .annotate(listed_country=self.country())
            .exclude(listed_country="")
            .order_by()
            .values_list("listed_country", flat=True)
            .distinct()
        )
        return sorted(((code, countries.name(code)) for code in present), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        code = self.code()
        return queryset.alias(listed_country=self.country()).filter(listed_country=code) if code else queryset


class ProjectCountryFilter(CountryFilter):
    def country(self):
        return project_country()


class RegionFilter(CodeListFilter):
    """Regions overlap: a program in Indonesia is listed under ASEAN and the Indo-Pacific."""

    title = _("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return list(Region.objects.order_by("name").values_list("code", "name"))

    def countries_of(self, code: str) -> list[str]:
        region = Region.objects.filter(code=code).first()
        return region.countries if region else []

    def queryset(self, request, queryset):
        code = self.code()
        return queryset.filter(country__in=self.countries_of(code)) if code else queryset


class ProjectRegionFilter(RegionFilter):
    def queryset(self, request, queryset):
        code = self.code()
        return projects_in_countries(queryset, self.countries_of(code)) if code else queryset


class PartnerFilter(CodeListFilter):
    """Organizations taking part in programs: counterparts and partners in any role."""

    title = _("partner")
    parameter_name = "partner"

    def lookups(self, request, model_admin):
        taking_part = Organization.objects.filter(
            Q(pk__in=ProgramPartner.objects.values("organization")) | Q(pk__in=Program.objects.values("counterpart"))
        )
        return [(org.code, str(org)) for org in taking_part.order_by("name")]

    def queryset(self, request, queryset):
        code = self.code()
        if not code:
            return queryset
        organization = Organization.objects.filter(code=code).first()
        return queryset.filter(queryset.model.partner_scope(organization)) if organization else queryset.none()


class YearFilter(CodeListFilter):
    """Calendar years the record runs in, not only the year it starts."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        span = (
            model_admin.get_queryset(request)
            .order_by()
            .aggregate(
                first=Min(ExtractYear("start_date")),
                last=Max(ExtractYear(Coalesce("end_date", Value(timezone.localdate())))),
            )
        )
        if span["first"] is None:
            return []
        return [(str(year), str(year)) for year in range(span["last"], span["first"] - 1, -1)]

    def queryset(self, request, queryset):
        value = self.code()
        if not value:
            return queryset
        if not value.isdigit() or not 1 <= int(value) <= 9999:
            raise IncorrectLookupParameters(value)
        return queryset.filter(overlapping(Period.calendar_year(int(value))))


# --- inlines ----------------------------------------------------------------------------------


class ProgramPartnerInline(ServiceWritesInline, admin.TabularInline):
    model = ProgramPartner
    create_service = staticmethod(services.program_partner_create)
    update_service = staticmethod(services.program_partner_update)
    instance_argument = "program_partner"
    extra = 0
    autocomplete_fields = ("organization",)


class ProjectInline(ServiceWritesInline, admin.TabularInline):
    model = Project
    create_service = staticmethod(services.project_create)
    update_service = staticmethod(services.project_update)
    delete_service = staticmethod(services.project_delete)
    instance_argument = "project"
    extra = 0
    fields = ("code", "title", "country", "start_date", "end_date", "status", "publication")
    readonly_fields = ("publication",)
    show_change_link = True


class FundingInline(ServiceWritesInline, admin.TabularInline):
    model = Funding
    create_service = staticmethod(services.funding_create)
    update_service = staticmethod(services.funding_update)
    instance_argument = "funding"
    extra = 0
    fields = ("project", "organization", "fiscal_year", "amount", "currency", "note")
    autocomplete_fields = ("project", "organization")


class IndicatorInline(ServiceWritesInline, admin.TabularInline):
    model = Indicator
    create_service = staticmethod(services.indicator_create)
    update_service = staticmethod(services.indicator_update)
    instance_argument = "indicator"
    extra = 0
    fields = ("name", "unit", "baseline_value", "baseline_date", "target_value", "target_date", "internal")
    show_change_link = True


class MeasurementInline(ServiceWritesInline, admin.TabularInline):
    """A value reported here without naming the reporter is credited to the staff member's
    organization (the measurement service's default)."""

    model = Measurement
    create_service = staticmethod(services.measurement_create)
    update_service = staticmethod(services.measurement_update)
    instance_argument = "measurement"
    extra = 0
    fields = ("period_end", "value", "source", "note", "reported_by")
    autocomplete_fields = ("reported_by",)


class IndicatorPeriodInline(ServiceWritesInline, admin.TabularInline):
    """Periods and their targets; a locked period accepts no new values."""

    model = IndicatorPeriod
    create_service = staticmethod(services.indicator_period_create)
    update_service = staticmethod(services.indicator_period_update)
    instance_argument = "period"
    extra = 0
    fields = ("start", "end", "target", "locked")


class DisaggregationInline(ServiceWritesInline, admin.TabularInline):
    model = Disaggregation
    create_service = staticmethod(services.disaggregation_create)
    update_service = staticmethod(services.disaggregation_update)
    instance_argument = "disaggregation"
    extra = 0
    fields = ("name", "name_ja")
    show_change_link = True


class DisaggregationCategoryInline(ServiceWritesInline, admin.TabularInline):
    model = DisaggregationCategory
    create_service = staticmethod(services.disaggregation_category_create)
    update_service = staticmethod(services.disaggregation_category_update)
    instance_argument = "category"
    extra = 0
    fields = ("name", "name_ja")


class PeriodValueStatusChangeInline(admin.TabularInline):
    """The review history of a value, as it happened: nobody edits it."""

    model = PeriodValueStatusChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PortfolioAdmin(ServiceWritesAdmin, RestrictedAdmin):
    """Saves through the programs' services, as the API does."""


# --- publication ------------------------------------------------------------------------------

PUBLICATION_FIELDS = ("publication", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at")


def _publication_action(service, description, target: str):
    """An admin action that moves each selected record through `service` to `target`, one
    by one, reporting what moved and why the others did not."""

    def action(modeladmin, request, queryset):
        moved = 0
        for record in queryset:
            try:
                service(record=record, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                modeladmin.message_user(request, f"{record}: {reason}", messages.ERROR)
            else:
                moved += 1
        if moved:
            options = modeladmin.model._meta
            message = ngettext(
                "%(count)d %(records)s moved to %(status)s.", "%(count)d %(records)s moved to %(status)s.", moved
            ) % {
                "count": moved,
                "records": options.verbose_name if moved == 1 else options.verbose_name_plural,
                "status": Publication(target).label,
            }
            modeladmin.message_user(request, message, messages.SUCCESS)

    action.__name__ = service.__name__
    return admin.action(description=description)(action)


PUBLICATION_ACTIONS = (
    _publication_action(publication_submit, _("Submit for review before publication"), Publication.SUBMITTED),
    _publication_action(
        publication_publish, _("Publish after review (IATI file and public pages)"), Publication.PUBLISHED
    ),
    _publication_action(publication_return, _("Return to draft without publishing"), Publication.DRAFT),
    _publication_action(publication_withdraw, _("Withdraw from publication"), Publication.WITHDRAWN),
)


# --- the records ------------------------------------------------------------------------------


class ProgramAdminForm(forms.ModelForm):
    strategic_goals = forms.MultipleChoiceField(
        label=_("UNODC strategic goals"),
        choices=StrategicGoal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Program
        fields = (
            "code",
            "title",
            "title_ja",
            "kind",
            "status",
            "country",
            "counterpart",
            "fields",
            "start_date",
            "end_date",
            "objectives",
            "description",
            "description_ja",
            "strategic_goals",
            "priority_regions",
        )


@admin.register(Program)
class ProgramAdmin(ArchivingAdminMixin, PortfolioAdmin):
    form = ProgramAdminForm
    create_service = staticmethod(services.program_create)
    update_service = staticmethod(services.program_update)
    instance_argument = "program"
    list_display = (
        "code",
        "title",
        "country",
        "status",
        "period",
        "projects",
        "publication",
    )
    list_filter = (
        "publication",
        CountryFilter,
        RegionFilter,
        ("fields", RelatedOnlyDropdownFilter),
        "status",
        "kind",
        PartnerFilter,
        YearFilter,
    )
    search_fields = ("code", "title", "title_ja", "objectives", "description", "counterpart__name")
    autocomplete_fields = ("counterpart", "fields", "priority_regions")
    date_hierarchy = "start_date"
    inlines = (ProgramPartnerInline, ProjectInline, FundingInline)
    readonly_fields = (*PUBLICATION_FIELDS, "results_by_period")
    actions = (*PUBLICATION_ACTIONS, restore_selected)

    @admin.display(description=_("results by period"))
    def results_by_period(self, obj):
        """Each program indicator's rolled-up progress, with its project indicators' under it."""
        if obj is None or obj.pk is None:
            return "-"
        indicators = [
            {
                "indicator": indicator,
                "rolled_up": rolled_up_progress(indicator),
                "children": [
                    (child, period_progress(child))
                    for child in indicator.children.select_related("project").order_by("project__code", "name")
                ],
            }
            for indicator in obj.indicators.order_by("name", "pk")
        ]
        return render_to_string("admin/programs/results_by_period.html", {"indicators": indicators})

    fieldsets = (
        (None, {"fields": ("code", "title", "title_ja", "kind", "status", "country", "counterpart", "fields")}),
        (_("Period"), {"fields": ("start_date", "end_date")}),
        (_("Purpose"), {"fields": ("objectives", "description", "description_ja")}),
        (_("UNODC cooperation"), {"fields": ("strategic_goals", "priority_regions")}),
        (_("Publication"), {"fields": PUBLICATION_FIELDS}),
        (_("Results by period"), {"fields": ("results_by_period",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(project_count=project_count())

    @admin.display(description=_("projects"), ordering="project_count")
    def projects(self, obj):
        return obj.project_count

    @admin.display(description=_("period"), ordering="start_date")
    def period(self, obj):
        # One column for both dates, in years, so the list fits a 1280 px screen; the dates
        # themselves are on the program's page.
        return f"{obj.start_date:%Y}–{obj.end_date:%Y}" if obj.end_date else f"{obj.start_date:%Y}–"


@admin.register(Project)
class ProjectAdmin(PortfolioAdmin):
    create_service = staticmethod(services.project_create)
    update_service = staticmethod(services.project_update)
    delete_service = staticmethod(services.project_delete)
    instance_argument = "project"
    list_display = ("code", "title", "program", "project_country", "status", "start_date", "end_date", "publication")
    list_filter = (
        "publication",
        ProjectCountryFilter,
        ProjectRegionFilter,
        ("fields", RelatedOnlyDropdownFilter),
        "status",
        PartnerFilter,
        YearFilter,
        ("program", RelatedOnlyDropdownFilter),
    )
    list_select_related = ("program",)
    search_fields = ("code", "title", "title_ja", "description", "program__code", "program__title")
    autocomplete_fields = ("program", "counterpart", "fields")
    date_hierarchy = "start_date"
    inlines = (IndicatorInline,)
    readonly_fields = PUBLICATION_FIELDS
    actions = PUBLICATION_ACTIONS

    @admin.display(description=_("country"), ordering="country")
    def project_country(self, obj):
        return obj.country.name if obj.country else obj.program.country.name


@admin.register(Site)
class SiteAdmin(PortfolioAdmin):
    create_service = staticmethod(services.site_create)
    update_service = staticmethod(services.site_update)
    instance_argument = "site"
    list_display = ("name", "code", "kind", "city", "country", "organization")
    list_filter = (CountryFilter, RegionFilter, "kind")
    list_select_related = ("organization",)
    search_fields = ("name", "name_ja", "code", "city")
    autocomplete_fields = ("projects", "organization")


@admin.register(Funding)
class FundingAdmin(PortfolioAdmin):
    create_service = staticmethod(services.funding_create)
    update_service = staticmethod(services.funding_update)
    instance_argument = "funding"
    list_display = ("fiscal_year", "program", "project", "organization", "amount", "currency")
    list_filter = (("fiscal_year", AllValuesDropdownFilter), "currency", ("organization", RelatedOnlyDropdownFilter))
    list_select_related = ("program", "project", "organization")
    search_fields = ("program__code", "program__title", "project__code", "organization__name", "note")
    autocomplete_fields = ("program", "project", "organization")


@admin.register(Indicator)
class IndicatorAdmin(PortfolioAdmin):
    create_service = staticmethod(services.indicator_create)
    update_service = staticmethod(services.indicator_update)
    instance_argument = "indicator"
    list_display = (
        "name",
        "project",
        "program",
        "aggregation",
        "unit",
        "baseline_value",
        "target_value",
        "latest_value",
        "progress",
        "internal",
    )
    list_filter = (("project__program", RelatedOnlyDropdownFilter), "aggregation", "internal")
    list_select_related = ("project", "program")
    search_fields = ("name", "name_ja", "project__code", "project__title")
    autocomplete_fields = ("project", "program", "parent")
    date_hierarchy = "target_date"
    inlines = (IndicatorPeriodInline, DisaggregationInline, MeasurementInline)

    def get_queryset(self, request):
        return indicators_with_progress(super().get_queryset(request))

    @admin.display(description=_("latest value"), ordering="latest_value")
    def latest_value(self, obj):
        return obj.latest_value

    @admin.display(description=_("progress"), ordering="progress")
    def progress(self, obj):
        return None if obj.progress is None else f"{obj.progress:.0%}"


@admin.register(Measurement)
class MeasurementAdmin(PortfolioAdmin):
    create_service = staticmethod(services.measurement_create)
    update_service = staticmethod(services.measurement_update)
    instance_argument = "measurement"
    list_display = ("indicator", "period_end", "value", "reported_by", "source")
    list_filter = (("reported_by", RelatedOnlyDropdownFilter),)
    list_select_related = ("indicator", "reported_by")
    search_fields = ("indicator__name", "source", "note")
    autocomplete_fields = ("indicator", "reported_by")
    date_hierarchy = "period_end"


@admin.register(Disaggregation)
class DisaggregationAdmin(PortfolioAdmin):
    create_service = staticmethod(services.disaggregation_create)
    update_service = staticmethod(services.disaggregation_update)
    instance_argument = "disaggregation"
    list_display = ("name", "indicator")
    search_fields = ("name", "indicator__name")
    autocomplete_fields = ("indicator",)
    inlines = (DisaggregationCategoryInline,)


def _review_action(description, review):
    """An admin action that reviews each selected value, reporting each refusal."""

    def action(modeladmin, request, queryset):
        done = 0
        for period_value in queryset:
            try:
                review(period_value, request.user)
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                modeladmin.message_user(request, f"{period_value}: {reason}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request, ngettext("%(count)d value reviewed.", "%(count)d values reviewed.", done) % {"count": done}
            )

    action.__name__ = review.__name__
    return admin.action(description=description, permissions=["change"])(action)


def period_value_approve(period_value, actor):
    services.period_value_approve(period_value=period_value, actor=actor)


@admin.register(PeriodValue)
class PeriodValueAdmin(RestrictedAdmin):
    """Values reported for periods. Staff approve them here, or return them with a reason
    on the review page (/results/review/); values are entered through the services only."""

    list_display = ("period", "value", "status", "source", "organization", "updated_at")
    list_filter = ("status", "source", ("organization", RelatedOnlyDropdownFilter))
    list_select_related = ("period__indicator", "organization")
    search_fields = ("period__indicator__name", "comment")
    readonly_fields = (
        "period",
        "value",
        "comment",
        "status",
        "source",
        "entered_by",
        "organization",
        "reviewed_by",
        "reviewed_at",
        "return_reason",
    )
    inlines = (PeriodValueStatusChangeInline,)
    actions = (_review_action(_("Approve the selected values"), period_value_approve),)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's review action, yes; a value's own page is read-only.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(PortfolioAdmin):
    create_service = staticmethod(services.event_create)
    update_service = staticmethod(services.event_update)
    instance_argument = "event"
    list_display = ("name", "kind", "start_date", "end_date", "place", "country", "participant_count")
    list_filter = (CountryFilter, "kind", ("fields", RelatedOnlyDropdownFilter))
    search_fields = ("name", "name_ja", "code", "place", "description")
    autocomplete_fields = ("program", "fields", "organizers")
    date_hierarchy = "start_date"
