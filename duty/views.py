"""The duty officer's pages: the map and headcount, and the evacuation list per country."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from django_countries import countries

from cooperation.privacy import can_see_personal_data

from .exports import audit_evacuation_list, evacuation_rows, evacuation_workbook
from .selectors import Presence, officials_present

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DayForm(forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class DutyOfCareMixin(LoginRequiredMixin):
    """Agency staff only: the pages name officials and whom to call (managers read the counts on the dashboard)."""

    request: HttpRequest
    kwargs: dict[str, Any]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_see_personal_data(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def day(self) -> date:
        form = DayForm(self.request.GET)
        return (form.is_valid() and form.cleaned_data["on"]) or timezone.localdate()

    def country(self) -> str:
        code = self.kwargs["country"].upper()
        if code not in countries:
            raise Http404
        return code


class HeadcountView(DutyOfCareMixin, TemplateView):
    template_name = "duty/headcount.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = self.day()
        by_country: dict[str, list[Presence]] = defaultdict(list)
        for presence in officials_present(on):
            by_country[presence.country].append(presence)
        groups = sorted(
            (
                {
                    "code": code,
                    "name": countries.name(code),
                    "officials": len({p.expert_id for p in rows}),
                    "rows": rows,
                }
                for code, rows in by_country.items()
            ),
            key=lambda group: (-group["officials"], str(group["name"])),
        )
        context.update(
            form=DayForm(self.request.GET or {"on": on}),
            on=on,
            groups=groups,
            total=len({p.expert_id for rows in by_country.values() for p in rows}),
            map_data={
                # world-atlas names countries by their ISO 3166 numeric code.
                "countries": {
                    f"{countries.numeric(group['code']):03d}": {"count": group["officials"], "name": str(group["name"])}
                    for group in groups
                    if countries.numeric(group["code"]) is not None
                },
                "points": [
                    {"lat": float(p.latitude), "lon": float(p.longitude), "label": f"{p.name} – {p.place}"}
                    for rows in by_country.values()
                    for p in rows
                    if p.latitude is not None and p.longitude is not None
                ],
            },
        )
        return context


class EvacuationListView(DutyOfCareMixin, TemplateView):
    template_name = "duty/evacuation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on, country = self.day(), self.country()
        rows = evacuation_rows(on, country)
        audit_evacuation_list(self.request, rows, channel="evacuation list (print)")
        context.update(on=on, country=country, country_name=countries.name(country), rows=rows)
        return context


class EvacuationWorkbookView(DutyOfCareMixin, View):
    def get(self, request, country: str):
        on, code = self.day(), self.country()
        rows = evacuation_rows(on, code)
        audit_evacuation_list(request, rows, channel="evacuation list (xlsx)")
        content = evacuation_workbook(rows, country_name=str(countries.name(code)), on=on)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="evacuation-{code}-{on.isoformat()}.xlsx"'
        return response
