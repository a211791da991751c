"""The staff's door: the roster, deployments through their lifecycle, candidates, missions."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.forms.models import fields_for_model
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from cooperation.admin import RestrictedAdmin, ServiceWritesAdmin, ServiceWritesInline, StatusHistoryInline
from cooperation.admin_filters import DROPDOWN_FILTER_TEMPLATE, ChoicesDropdownFilter, RelatedDropdownFilter
from cooperation.admin_imports import HistoryImportAdmin
from cooperation.admin_pagination import CappedCountPaginator
from cooperation.archive import ArchivingAdminMixin, restore_selected
from cooperation.audit import PersonalExportAdminMixin, export_personal_data
from cooperation.crypto import DigestSearchAdminMixin
from cooperation.languages import language_name

from . import services
from .choices import DeploymentStatus, StandbySpecialty
from .imports import DeploymentHistory, MissionHistory
from .models import (
    ChecklistItem,
    Deployment,
    DeploymentStatusChange,
    DisasterEvent,
    EmergencyContact,
    Expert,
    ExpertLanguage,
    FigureCheckpoint,
    Mission,
    OpeningBalance,
    SafetyCheckIn,
)
from .selectors import (
    candidates_for,
    has_experience_in,
    parse_language_requirements,
    recorded_dates_against_plan,
    standby_readiness,
)

AVAILABILITY_HORIZON_DAYS = 90


def refusal_text(exc: ValidationError) -> str:
    """Every message of a refusal, in one line for the admin's message bar."""
    return " ".join(exc.messages)


# --- the roster ---------------------------------------------------------------------------


class LanguageFilter(admin.SimpleListFilter):
    template = DROPDOWN_FILTER_TEMPLATE
    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        codes = ExpertLanguage.objects.order_by().values_list("language", flat=True).distinct()
        return sorted(((code, language_name(code)) for code in codes), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(Exists(ExpertLanguage.objects.filter(expert=OuterRef("pk"), language=self.value())))


class CountryExperienceFilter(admin.SimpleListFilter):
    template = DROPDOWN_FILTER_TEMPLATE
    title = _("country of experience")
    parameter_name = "experience"

    def lookups(self, request, model_admin):
        entered = {code for row in Expert.objects.values_list("countries_of_experience", flat=True) for code in row}
        served = set(Deployment.objects.order_by().values_list("country", flat=True).distinct())
        return sorted(((code, countries.name(code)) for code in entered | served if code), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(has_experience_in(self.value())) if self.value() else queryset


class AvailabilityFilter(admin.SimpleListFilter):
    title = _("availability")
    parameter_name = "availability"

    def lookups(self, request, model_admin):
        return (
            ("free_now", _("Free today")),
            ("busy_now", _("Booked or abroad today")),
            ("free_soon", _("Free for the next 90 days")),
        )

    def queryset(self, request, queryset):
        today = timezone.localdate()
        horizon = today + timedelta(days=AVAILABILITY_HORIZON_DAYS)
        end = horizon if self.value() == "free_soon" else today
        busy = Exists(Deployment.objects.filter(expert=OuterRef("pk")).overlapping(today, end))
        if self.value() in ("free_now", "free_soon"):
            return queryset.exclude(busy)
        if self.value() == "busy_now":
            return queryset.filter(busy)
        return queryset


class ExpertLanguageInline(ServiceWritesInline, admin.TabularInline):
    model = ExpertLanguage
    create_service = staticmethod(services.expert_language_create)
    update_service = staticmethod(services.expert_language_update)
    instance_argument = "expert_language"
    extra = 1


class EmergencyContactInline(ServiceWritesInline, admin.TabularInline):
    model = EmergencyContact
    create_service = staticmethod(services.emergency_contact_create)
    update_service = staticmethod(services.emergency_contact_update)
    instance_argument = "emergency_contact"
    fields = ("kind", "name", "relation", "phone", "email", "notes")
    extra = 1


@admin.register(Expert)
class ExpertAdmin(
    ArchivingAdminMixin, PersonalExportAdminMixin, DigestSearchAdminMixin, ServiceWritesAdmin, RestrictedAdmin
):
    create_service = staticmethod(services.expert_create)
    update_service = staticmethod(services.expert_update)
    instance_argument = "expert"
    list_display = (
        "personnel_number",
        "family_name",
        "given_name",
        "name_ja",
        "rank",
        "organization",
        "status",
        "language_list",
        "passport_expiry",
        "medical_clearance_until",
    )
    list_filter = (
        "status",
        LanguageFilter,
        ("specialties", RelatedDropdownFilter),
        CountryExperienceFilter,
        AvailabilityFilter,
        "standby_rescue",
        "standby_dvi",
        "standby_forensic",
        "standby_forensic_dental",
        "standby_communications",
    )
    search_fields = ("personnel_number", "family_name", "given_name", "name_ja", "rank")
    # A whole passport number, for staff (the column is encrypted: no partial match).
    digest_search_fields = ("passport_number",)
    actions = (export_personal_data, restore_selected)
    autocomplete_fields = ("organization",)
    filter_horizontal = ("specialties",)
    list_select_related = ("organization",)
    inlines = (ExpertLanguageInline, EmergencyContactInline)
    fieldsets = (
        (None, {"fields": ("personnel_number", ("family_name", "given_name"), "name_ja", "rank", "organization")}),
        (_("Status"), {"fields": ("status", "gender", "specialties", "countries_of_experience", "notes")}),
        (
            _("Personal data"),
            {
                "fields": (
                    "date_of_birth",
                    ("email", "phone"),
                    ("passport_number", "passport_expiry"),
                    "medical_clearance_until",
                    "medical_notes",
                    "safety_training_on",
                    "contacts_confirmed_on",
                )
            },
        ),
        (
            _("Standby roster for disaster relief"),
            {
                "fields": (
                    "standby_rescue",
                    "standby_dvi",
                    "standby_forensic",
                    "standby_forensic_dental",
                    "standby_communications",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("languages")

    @admin.display(description=_("languages"))
    def language_list(self, obj):
        return ", ".join(f"{skill.language} {skill.level}" for skill in obj.languages.all())


# --- deployments ---------------------------------------------------------------------------


class ChecklistItemForm(forms.ModelForm):
    done = forms.BooleanField(label=_("done"), required=False)

    class Meta:
        model = ChecklistItem
        fields = ("required", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done"].initial = self.instance.is_done

    def clean(self):
        cleaned = super().clean()
        deployment = self.instance.deployment
        if "done" in self.changed_data and deployment.status not in (
            DeploymentStatus.NOMINATED,
            DeploymentStatus.PREPARING,
        ):
            raise ValidationError(_("The checklist is kept while preparing the departure."), code="checklist_closed")
        return cleaned


class ChecklistItemInline(ServiceWritesInline, admin.TabularInline):
    """The standard items come with the preparation; here they are ticked, and marked
    required or not."""

    model = ChecklistItem
    form = ChecklistItemForm
    update_service = staticmethod(services.checklist_item_update)
    instance_argument = "checklist_item"
    fields = ("kind", "required", "done", "done_at", "done_by", "note")
    readonly_fields = ("kind", "done_at", "done_by")
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("done_by")

    def service_data(self, obj, form) -> dict:
        # A tick left as it was is no tick: the item keeps who ticked it and when.
        ticked = {"done": form.cleaned_data["done"]} if "done" in form.changed_data else {}
        return {**super().service_data(obj, form), **ticked}


class SafetyCheckInForm(forms.ModelForm):
    class Meta:
        model = SafetyCheckIn
        fields = ("at", "status", "note")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and self.has_changed():
            if self.instance.deployment.status != DeploymentStatus.DEPLOYED:
                raise ValidationError(_("Check-ins are recorded while the expert is abroad."), code="not_deployed")
            if cleaned.get("at") and cleaned["at"] > timezone.now():
                self.add_error("at", ValidationError(_("A check-in cannot lie in the future."), code="future"))
        return cleaned


class SafetyCheckInInline(ServiceWritesInline, admin.TabularInline):
    """Check-ins are added, never changed: they are what the expert reported."""

    model = SafetyCheckIn
    form = SafetyCheckInForm
    create_service = staticmethod(services.safety_check_in_record)
    fields = ("at", "status", "note", "by")
    readonly_fields = ("by",)
    extra = 1
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class StatusChangeInline(StatusHistoryInline):
    model = DeploymentStatusChange


# The moves that write a recorded date (the departure, the return) and the fields holding
# the dates a saved form may change: after either, staff hear if the dates contradict the plan.
DATE_RECORDING_MOVES = (DeploymentStatus.DEPLOYED, DeploymentStatus.RETURNED)
PLAN_AND_RECORD_FIELDS = frozenset({"planned_start", "planned_end", "actual_start", "actual_end"})


def _transition_action(target: str, description):
    def run(modeladmin, request, queryset):
        moved, refused, against_plan = 0, [], []
        for deployment in queryset.order_by("pk"):
            try:
                moved_deployment = services.deployment_transition(deployment=deployment, to=target, actor=request.user)
                moved += 1
            except ValidationError as exc:
                refused.append(f"#{deployment.pk}: {refusal_text(exc)}")
            else:
                if target in DATE_RECORDING_MOVES:
                    notes = recorded_dates_against_plan(moved_deployment)
                    against_plan.extend(f"#{deployment.pk}: {note}" for note in notes)
        if moved:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d deployment moved to %(status)s.", "%(count)d deployments moved to %(status)s.", moved
                )
                % {"count": moved, "status": DeploymentStatus(target).label},
                messages.SUCCESS,
            )
        for line in against_plan:
            modeladmin.message_user(request, line, messages.WARNING)
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)

    run.__name__ = f"move_to_{target}"
    return admin.action(description=description, permissions=["change"])(run)


class AdvisoryLevelFilter(admin.SimpleListFilter):
    """The Foreign Ministry's four levels, or none: fixed choices, nothing read to offer them."""

    title = _("travel advisory level")
    parameter_name = "travel_advisory_level"
    LEVELS = ("1", "2", "3", "4")
    NONE = "none"

    def lookups(self, request, model_admin):
        return [(level, level) for level in self.LEVELS] + [(self.NONE, _("none issued"))]

    def queryset(self, request, queryset):
        if self.value() == self.NONE:
            return queryset.filter(travel_advisory_level__isnull=True)
        if self.value() in self.LEVELS:
            return queryset.filter(travel_advisory_level=int(self.value()))
        return queryset


class CompletionForm(forms.Form):
    completion_report = forms.CharField(label=_("completion report"), widget=forms.Textarea)
    recognition = forms.CharField(label=_("recognition"), required=False, max_length=300)


class CandidateQueryForm(forms.Form):
    language = forms.CharField(
        label=_("languages"),
        required=False,
        help_text=_("Codes with a minimum level, separated by spaces: en:3 id:2"),
    )


class PastDeploymentForm(forms.Form):
    """A deployment that already happened; a mission's member takes the mission's kind and country."""

    status = forms.ChoiceField(
        label=Deployment._meta.get_field("status").verbose_name,
        choices=[(s, DeploymentStatus(s).label) for s in services.PAST_STATUSES],
    )
    completion_report = forms.CharField(
        label=Deployment._meta.get_field("completion_report").verbose_name, widget=forms.Textarea, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = fields_for_model(Deployment, fields=PAST_DEPLOYMENT_FIELDS)
        for name in ("kind", "country", "actual_start", "actual_end"):
            fields[name].required = name.startswith("actual")
        self.fields = {**fields, **self.fields}


PAST_DEPLOYMENT_FIELDS = (
    "expert",
    "mission",
    "kind",
    "project",
    "host_organization",
    "country",
    "city",
    "post",
    "actual_start",
    "actual_end",
    "notes",
)


@admin.register(Deployment)
class DeploymentAdmin(HistoryImportAdmin, ServiceWritesAdmin, RestrictedAdmin):
    row_import = DeploymentHistory()
    record_past_form = PastDeploymentForm
    record_past_service = staticmethod(services.deployment_record_past)
    # A deployment added here is a request like any other, and starts as `requested`.
    create_service = staticmethod(services.deployment_request)
    update_service = staticmethod(services.deployment_update)
    instance_argument = "deployment"
    list_display = (
        "id",
        "expert",
        "kind",
        "duty_country",
        "post",
        "planned",
        "status",
    )
    # Every filter lists fixed choices: none reads the 200,000 rows of a large agency to
    # find the values it offers (the admin's year drill-down and a plain field's filter do).
    list_filter = (
        "status",
        "kind",
        "term",
        ("country", ChoicesDropdownFilter),
        AdvisoryLevelFilter,
        ("planned_start", admin.DateFieldListFilter),
    )
    search_fields = ("post", "city", "expert__family_name", "expert__given_name", "expert__personnel_number")
    list_select_related = ("expert",)
    # The default order (newest planned start first) walks `deployment_planned_start_idx`
    # and stops after a page; the other columns would sort every row.
    sortable_by = ("id", "planned")
    show_full_result_count = False
    paginator = CappedCountPaginator
    autocomplete_fields = ("expert", "project", "host_organization", "mission", "requesting_organization")
    readonly_fields = ("status", "term", "approved_by", "approved_at", "completion_report", "recognition", "tools")
    inlines = (ChecklistItemInline, SafetyCheckInInline, StatusChangeInline)
    actions = (
        _transition_action(DeploymentStatus.NOMINATED, _("Nominate the chosen expert")),
        _transition_action(DeploymentStatus.PREPARING, _("Start preparing (creates the checklist)")),
        _transition_action(DeploymentStatus.DEPLOYED, _("Record departure (deployed)")),
        _transition_action(DeploymentStatus.RETURNED, _("Record return")),
        _transition_action(DeploymentStatus.CLOSED, _("Close")),
        _transition_action(DeploymentStatus.CANCELLED, _("Cancel")),
        "record_approval",
    )

    @admin.display(description=Deployment._meta.get_field("country").verbose_name)
    def duty_country(self, obj):
        # The country's own name: the admin's column for a field with choices would rebuild
        # the list of every country's name for every row.
        return obj.country.name

    @admin.display(description=_("planned"), ordering="planned_start")
    def planned(self, obj):
        # Both planned dates in one column, so the list fits a 1280 px screen; the term and
        # the travel advisory level are the sidebar's filters.
        return f"{obj.planned_start:%Y-%m-%d} – {obj.planned_end:%Y-%m-%d}"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if PLAN_AND_RECORD_FIELDS.intersection(form.changed_data):
            # Said once the whole page has saved (response_add/response_change): a refused
            # inline would roll the save back, and the warning with it.
            request.dates_against_plan = recorded_dates_against_plan(obj)

    def _warn_of_dates_against_plan(self, request) -> None:
        for note in getattr(request, "dates_against_plan", ()):
            self.message_user(request, note, messages.WARNING)

    def response_add(self, request, obj, post_url_continue=None):
        self._warn_of_dates_against_plan(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._warn_of_dates_against_plan(request)
        return super().response_change(request, obj)

    @admin.action(description=_("Record approval for a high-risk destination"), permissions=["change"])
    def record_approval(self, request, queryset):
        for deployment in queryset.order_by("pk"):
            try:
                services.deployment_approve(deployment=deployment, actor=request.user)
                self.message_user(request, _("#%(id)s approved.") % {"id": deployment.pk}, messages.SUCCESS)
            except ValidationError as exc:
                self.message_user(request, f"#{deployment.pk}: {refusal_text(exc)}", messages.ERROR)

    @admin.display(description=_("tools"))
    def tools(self, obj):
        if obj.pk is None:
            return "–"
        links = []
        if obj.status in (DeploymentStatus.REQUESTED, DeploymentStatus.NOMINATED):
            links.append((reverse("admin:dispatch_deployment_candidates", args=[obj.pk]), _("Find candidates")))
        if obj.status == DeploymentStatus.RETURNED:
            links.append((reverse("admin:dispatch_deployment_completion", args=[obj.pk]), _("Completion report")))
        if not links:
            return "–"
        return format_html(" · ".join(['<a href="{}">{}</a>'] * len(links)), *[part for link in links for part in link])

    def get_urls(self):
        own = [
            path(
                "<int:pk>/candidates/",
                self.admin_site.admin_view(self.candidates_view),
                name="dispatch_deployment_candidates",
            ),
            path(
                "<int:pk>/completion/",
                self.admin_site.admin_view(self.completion_view),
                name="dispatch_deployment_completion",
            ),
        ]
        return own + super().get_urls()

    def _deployment_or_404(self, request, pk) -> Deployment:
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _back_to(self, deployment) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:dispatch_deployment_change", args=[deployment.pk]))

    def candidates_view(self, request, pk):
        deployment = self._deployment_or_404(request, pk)
        if not self.has_change_permission(request, deployment):
            return self._back_to(deployment)
        if request.method == "POST":
            expert = get_object_or_404(Expert, pk=request.POST.get("expert"))
            try:
                services.deployment_transition(
                    deployment=deployment, to=DeploymentStatus.NOMINATED, expert=expert, actor=request.user
                )
                self.message_user(request, _("%(expert)s nominated.") % {"expert": expert}, messages.SUCCESS)
                return self._back_to(deployment)
            except ValidationError as exc:
                self.message_user(request, refusal_text(exc), messages.ERROR)
        query = CandidateQueryForm(request.GET or None)
        candidates, error = [], None
        if deployment.status not in (DeploymentStatus.REQUESTED, DeploymentStatus.NOMINATED):
            error = _("Candidates are searched for requested or nominated deployments.")
        else:
            try:
                wanted = parse_language_requirements(query.data.get("language", "").split() if query.is_bound else [])
                candidates = candidates_for(deployment, languages=wanted)
            except ValidationError as exc:
                error = refusal_text(exc)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Candidates for %(deployment)s") % {"deployment": deployment},
            "deployment": deployment,
            "query": query,
            "candidates": candidates,
            "error": error,
            "can_nominate": deployment.status == DeploymentStatus.REQUESTED,
        }
        return TemplateResponse(request, "admin/dispatch/deployment/candidates.html", context)

    def completion_view(self, request, pk):
        deployment = self._deployment_or_404(request, pk)
        if not self.has_change_permission(request, deployment):
            return self._back_to(deployment)
        form = CompletionForm(
            request.POST or None,
            initial={"completion_report": deployment.completion_report, "recognition": deployment.recognition},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.deployment_record_completion(deployment=deployment, actor=request.user, **form.cleaned_data)
                self.message_user(request, _("Completion report recorded."), messages.SUCCESS)
                return self._back_to(deployment)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Completion report for %(deployment)s") % {"deployment": deployment},
            "deployment": deployment,
            "form": form,
        }
        return TemplateResponse(request, "admin/dispatch/deployment/completion.html", context)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("expert", "project", "host_organization")

    def get_formsets_with_inlines(self, request, obj=None):
        # Check-ins and checklist belong to an existing deployment.
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if obj is not None:
                yield formset, inline


# --- missions ------------------------------------------------------------------------------


@admin.register(DisasterEvent)
class DisasterEventAdmin(ServiceWritesAdmin, RestrictedAdmin):
    create_service = staticmethod(services.disaster_create)
    update_service = staticmethod(services.disaster_update)
    instance_argument = "disaster"
    list_display = ("name", "name_ja", "kind", "country", "occurred_on")
    list_filter = ("kind", ("country", ChoicesDropdownFilter))
    search_fields = ("name", "name_ja")
    date_hierarchy = "occurred_on"


class MemberInline(admin.TabularInline):
    model = Deployment
    fk_name = "mission"
    fields = ("expert", "post", "planned_start", "planned_end", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("expert")


READINESS_REASONS = {
    "not_active": _("not active"),
    "passport": _("passport expiring"),
    "medical": _("medical clearance lapsed"),
    "training": _("training overdue"),
    "deployed": _("booked or abroad"),
}


class AssembleForm(forms.Form):
    start = forms.DateField(label=_("from"), required=False, help_text=_("The mission's departure when empty."))
    end = forms.DateField(label=_("until"), required=False, help_text=_("Its return, or two weeks, when empty."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for specialty, label in StandbySpecialty.choices:
            self.fields[specialty] = forms.IntegerField(label=label, required=False, min_value=1, max_value=500)

    def needs(self) -> dict[str, int]:
        return {s: self.cleaned_data[s] for s in StandbySpecialty.values if self.cleaned_data.get(s)}


@admin.register(Mission)
class MissionAdmin(HistoryImportAdmin, ServiceWritesAdmin, RestrictedAdmin):
    row_import = MissionHistory()
    create_service = staticmethod(services.mission_create)
    update_service = staticmethod(services.mission_update)
    instance_argument = "mission"
    list_display = ("name", "kind", "team_type", "country", "requested_on", "departure_on", "return_on", "status")
    list_filter = ("kind", "team_type", "status", ("country", ChoicesDropdownFilter))
    search_fields = ("name", "name_ja", "disaster__name")
    autocomplete_fields = ("disaster", "requesting_organization")
    readonly_fields = ("tools",)
    inlines = (MemberInline,)
    date_hierarchy = "requested_on"

    @admin.display(description=_("tools"))
    def tools(self, obj):
        if obj.pk is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:dispatch_mission_assemble", args=[obj.pk]),
            _("Assemble the team from the standby roster"),
            reverse("admin:dispatch_mission_readiness"),
            _("Standby readiness"),
        )

    def get_urls(self):
        own = [
            path("readiness/", self.admin_site.admin_view(self.readiness_view), name="dispatch_mission_readiness"),
            path(
                "<int:pk>/assemble/", self.admin_site.admin_view(self.assemble_view), name="dispatch_mission_assemble"
            ),
        ]
        return own + super().get_urls()

    def readiness_view(self, request):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Standby readiness today"),
            "rows": standby_readiness(),
            "reasons": READINESS_REASONS,
        }
        return TemplateResponse(request, "admin/dispatch/mission/readiness.html", context)

    def assemble_view(self, request, pk):
        mission = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, mission):
            return HttpResponseRedirect(reverse("admin:dispatch_mission_change", args=[mission.pk]))
        form = AssembleForm(request.POST or None)
        assembly = None
        if request.method == "POST" and form.is_valid():
            try:
                assembly = services.mission_assemble(
                    mission=mission,
                    needs=form.needs(),
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    actor=request.user,
                )
                self.message_user(
                    request,
                    _("%(count)d members joined the team.") % {"count": len(assembly.members)},
                    messages.SUCCESS,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Assemble %(mission)s") % {"mission": mission},
            "mission": mission,
            "form": form,
            "assembly": assembly,
        }
        return TemplateResponse(request, "admin/dispatch/mission/assemble.html", context)


# --- published checkpoints and opening balances -------------------------------------------


class FigureStatementAdmin(ServiceWritesAdmin, RestrictedAdmin):
    list_display = ("figure", "as_of", "value", "source_title")
    list_filter = ("figure",)
    search_fields = ("source_title", "source_document")
    date_hierarchy = "as_of"


@admin.register(FigureCheckpoint)
class FigureCheckpointAdmin(FigureStatementAdmin):
    create_service = staticmethod(services.figure_checkpoint_create)
    update_service = staticmethod(services.figure_checkpoint_update)
    instance_argument = "checkpoint"


@admin.register(OpeningBalance)
class OpeningBalanceAdmin(FigureStatementAdmin):
    create_service = staticmethod(services.opening_balance_create)
    update_service = staticmethod(services.opening_balance_update)
    instance_argument = "balance"
