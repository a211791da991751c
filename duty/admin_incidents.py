"""The staff's screens for incidents: record one or import a CAP alert, mark the roll call, close."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cooperation.admin import RestrictedAdmin, ServiceWritesAdmin

from . import services
from .models import Incident, IncidentStatus, RollCallEntry, RollCallStatus
from .stats_incidents import roll_call_counts

MARKS = [choice for choice in RollCallStatus.choices if choice[0] != RollCallStatus.UNACCOUNTED]


def _form(form_class: type[forms.Form], request) -> forms.Form:
    """The form, bound on a POST even when it sends no field (an empty close is refused, not ignored)."""
    return form_class(request.POST, request.FILES) if request.method == "POST" else form_class()


class CapUploadForm(forms.Form):
    file = forms.FileField(label=_("CAP 1.2 alert (XML)"))


class RollCallMarkForm(forms.Form):
    status = forms.ChoiceField(label=_("Mark the selected officials"), choices=MARKS)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class CloseForm(forms.Form):
    closing_note = forms.CharField(label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    override_reason = forms.CharField(
        label=_("Reason for closing with officials unaccounted for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RollCallInline(admin.TabularInline):
    model = RollCallEntry
    fields = ("expert", "country", "place", "status", "marked_by", "marked_at", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("expert", "marked_by")


@admin.register(Incident)
class IncidentAdmin(ServiceWritesAdmin, RestrictedAdmin):
    create_service = staticmethod(services.incident_open)
    instance_argument = "incident"
    change_list_template = "admin/duty/incident/change_list.html"
    list_display = ("title", "kind", "area", "occurred_at", "status", "unaccounted_of_listed")
    list_filter = ("status", "kind", "source")
    search_fields = ("title", "area_description", "cap_identifier")
    date_hierarchy = "occurred_at"
    fields = (
        "kind",
        "title",
        "countries",
        ("latitude", "longitude", "radius_km"),
        "area_description",
        "occurred_at",
        "description",
    )
    record_fields = (
        "tools",
        "status",
        "severity",
        "source",
        "cap_identifier",
        "cap_sender",
        "cap_sent",
        "opened_by",
        "closed_at",
        "closed_by",
        "closing_note",
        "override_reason",
    )
    inlines = (RollCallInline,)

    def has_change_permission(self, request, obj=None):
        # An incident is not edited: its roll call is marked and it is closed, on their pages.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else (*self.fields, *self.record_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else (*self.fields, *self.record_fields)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**roll_call_counts())

    @admin.display(description=_("area"))
    def area(self, obj) -> str:
        circle = f"{obj.latitude}, {obj.longitude} ± {obj.radius_km} km" if obj.latitude is not None else ""
        return " · ".join(part for part in (", ".join(obj.countries), circle) if part)

    @admin.display(description=_("unaccounted for"))
    def unaccounted_of_listed(self, obj) -> str:
        return f"{obj.unaccounted} / {obj.listed}"

    @admin.display(description=_("roll call"))
    def tools(self, obj) -> str:
        links = [(reverse("admin:duty_incident_roll_call", args=[obj.pk]), _("Roll call"))]
        if obj.status == IncidentStatus.OPEN:
            links.append((reverse("admin:duty_incident_close", args=[obj.pk]), _("Close the incident")))
        return format_html(" · ".join(['<a href="{}">{}</a>'] * len(links)), *[part for link in links for part in link])

    def get_urls(self):
        site = self.admin_site
        own = [
            path("import-cap/", site.admin_view(self.import_cap_view), name="duty_incident_import_cap"),
            path("<int:pk>/roll-call/", site.admin_view(self.roll_call_view), name="duty_incident_roll_call"),
            path("<int:pk>/close/", site.admin_view(self.close_view), name="duty_incident_close"),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = (
            {"import_cap_url": reverse("admin:duty_incident_import_cap")} if self.has_add_permission(request) else {}
        )
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def _page(self, request, template: str, title, **context):
        return TemplateResponse(
            request,
            f"admin/duty/incident/{template}",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context},
        )

    def _to(self, name: str, incident) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse(f"admin:duty_incident_{name}", args=[incident.pk]))

    def _incident_or_404(self, request, pk) -> Incident:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def import_cap_view(self, request):
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:duty_incident_changelist"))
        form = _form(CapUploadForm, request)
        if request.method == "POST" and form.is_valid():
            try:
                incident, created = services.incident_import_cap(
                    actor=request.user, data=form.cleaned_data["file"].read()
                )
            except ValidationError as exc:
                form.add_error("file", exc.message_dict["file"])
            else:
                message = (
                    _("Incident opened: %(count)d officials were in the area.")
                    if created
                    else _("This alert was imported before; here is its incident (%(count)d officials).")
                )
                self.message_user(request, message % {"count": incident.roll_call.count()}, messages.SUCCESS)
                return self._to("roll_call", incident)
        return self._page(request, "import_cap.html", _("Import CAP alert"), form=form)

    def roll_call_view(self, request, pk):
        incident = self._incident_or_404(request, pk)
        form = _form(RollCallMarkForm, request)
        entries = incident.roll_call.select_related("expert", "marked_by").order_by("country", "expert__family_name")
        if request.method == "POST" and form.is_valid():
            chosen = entries.filter(pk__in=request.POST.getlist("entry"))
            try:
                for entry in chosen:
                    services.roll_call_mark(
                        entry=entry,
                        status=form.cleaned_data["status"],
                        note=form.cleaned_data["note"],
                        actor=request.user,
                    )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("%(count)d officials marked.") % {"count": len(chosen)}, messages.SUCCESS)
            return self._to("roll_call", incident)
        return self._page(
            request,
            "roll_call.html",
            _("Roll call: %(incident)s") % {"incident": incident},
            incident=incident,
            entries=entries,
            form=form,
            is_open=incident.status == IncidentStatus.OPEN,
        )

    def close_view(self, request, pk):
        incident = self._incident_or_404(request, pk)
        form = _form(CloseForm, request)
        if request.method == "POST" and form.is_valid():
            try:
                services.incident_close(
                    incident=incident,
                    actor=request.user,
                    note=form.cleaned_data["closing_note"],
                    override_reason=form.cleaned_data["override_reason"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, _("The incident is closed."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:duty_incident_change", args=[incident.pk]))
        return self._page(
            request, "close.html", _("Close: %(incident)s") % {"incident": incident}, incident=incident, form=form
        )
