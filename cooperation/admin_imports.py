"""The admin side of recording the past: one record at a time, or a file of them.

An admin whose records take a kind of history file mixes in `HistoryImportAdmin` and names
its `RowImport` (`row_import`): its list gains an "Import history" link to a page where
agency staff send a file, as a dry run first, and see what each row creates, matches or
has refused; and the templates (CSV, XLSX) to download. One that also records a single
record of the past names the form and the service (`record_past_form`,
`record_past_service`): its list gains a "Record one of the past" link to that form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .api.row_imports import XLSX_TYPE
from .roles import sees_everything
from .rowfiles import FileError, RowImport, run_import, template_csv, template_xlsx


class HistoryImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV in UTF-8, or XLSX)"))
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check every row and report, write nothing"), required=False, initial=True
    )


class HistoryImportAdmin:
    """Adds the history import page and the templates to a ModelAdmin (agency staff only)."""

    row_import: ClassVar[RowImport]
    # Without them, the list links to the file import only.
    record_past_form: ClassVar[type[forms.BaseForm] | None] = None
    record_past_service: ClassVar[Callable[..., Any] | None] = None
    change_list_template = "admin/history_import_change_list.html"

    def _url_name(self, page: str) -> str:
        meta = self.model._meta  # type: ignore[attr-defined]  # a ModelAdmin's model
        return f"{meta.app_label}_{meta.model_name}_history_{page}"

    def get_urls(self):
        site = self.admin_site
        own = [
            path("history-import/", site.admin_view(self.history_import_view), name=self._url_name("import")),
            path(
                "history-template.<str:extension>",
                site.admin_view(self.history_template_view),
                name=self._url_name("template"),
            ),
            path("record-past/", site.admin_view(self.record_past_view), name=self._url_name("record_past")),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        if sees_everything(request.user, "add"):
            extra_context = {
                **(extra_context or {}),
                "history_import_url": reverse(f"admin:{self._url_name('import')}"),
            }
            if self.record_past_form is not None:
                extra_context["record_past_url"] = reverse(f"admin:{self._url_name('record_past')}")
        return super().changelist_view(request, extra_context)

    def history_import_view(self, request):
        if not sees_everything(request.user, "add"):
            raise PermissionDenied
        form = HistoryImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = run_import(
                    self.row_import,
                    content=upload.read(),
                    name=upload.name or "",
                    dry_run=form.cleaned_data["dry_run"],
                    actor=request.user,
                )
            except FileError as exc:
                form.add_error("file", exc.message)
        meta = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": meta,
            "title": _("Import the history of %(records)s") % {"records": meta.verbose_name_plural},
            "form": form,
            "report": report,
            "columns": self.row_import.columns,
            "template_url": f"admin:{self._url_name('template')}",
        }
        return TemplateResponse(request, "admin/history_import.html", context)

    def history_template_view(self, request, extension: str):
        if not sees_everything(request.user, "add"):
            raise PermissionDenied
        kind = self.row_import.kind
        if extension == "xlsx":
            response = HttpResponse(template_xlsx(self.row_import.columns, sheet=kind), content_type=XLSX_TYPE)
        else:
            response = HttpResponse(template_csv(self.row_import.columns), content_type="text/csv; charset=utf-8")
            extension = "csv"
        response["Content-Disposition"] = f'attachment; filename="{kind}-history-template.{extension}"'
        return response

    def record_past_view(self, request):
        if not sees_everything(request.user, "add") or self.record_past_form is None:
            raise PermissionDenied
        form = self.record_past_form(request.POST or None)
        meta = self.model._meta
        if request.method == "POST" and form.is_valid():
            service = type(self).record_past_service
            assert service is not None, "a record-past form names its service"
            values = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
            try:
                record = service(actor=request.user, **values)
            except ValidationError as exc:
                for field, errors in exc.update_error_dict({}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, _("Recorded retrospectively: %(record)s") % {"record": record})
                return HttpResponseRedirect(
                    reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": meta,
            "title": _("Record %(record)s of the past") % {"record": meta.verbose_name},
            "form": form,
        }
        return TemplateResponse(request, "admin/record_past.html", context)
