"""Web pages of results by period: partner coordinators report a period's value (with its
breakdown, a comment and evidence); agency staff review the values submitted; evidence
files are served to whoever may read their value. Writes go through programs.services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cooperation.access import organization_of
from cooperation.roles import sees_everything

from . import services
from .choices import ValueStatus
from .models import DisaggregationCategory, IndicatorPeriod, PeriodValue, PeriodValueBreakdown, PeriodValueEvidence

CATEGORY_PREFIX = "category_"


class ReportForm(forms.Form):
    value = forms.DecimalField(label=gettext_lazy("value"), max_digits=16, decimal_places=4)
    comment = forms.CharField(label=gettext_lazy("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=gettext_lazy("evidence"),
        required=False,
        help_text=gettext_lazy("PDF, PNG, JPEG, XLSX or DOCX."),
    )

    def __init__(self, *args, period: IndicatorPeriod, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(
            DisaggregationCategory.objects.filter(disaggregation__indicator=period.indicator)
            .select_related("disaggregation")
            .order_by("disaggregation__name", "pk")
        )
        for category in self.categories:
            self.fields[f"{CATEGORY_PREFIX}{category.pk}"] = forms.DecimalField(
                label=f"{category.disaggregation.name}: {category.name}",
                max_digits=16,
                decimal_places=4,
                required=False,
            )

    def breakdown(self) -> dict[DisaggregationCategory, Decimal]:
        amounts = {c: self.cleaned_data.get(f"{CATEGORY_PREFIX}{c.pk}") for c in self.categories}
        return {category: amount for category, amount in amounts.items() if amount is not None}

    def show_refusal(self, refusal: ValidationError) -> None:
        """The service's refusal on the field it names when the form has it, else above."""
        for name, errors in refusal.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


def _require_reporter(user) -> None:
    if not user.has_perm("programs.add_periodvalue"):
        raise PermissionDenied


def _own_values(user):
    organization = organization_of(user)
    return PeriodValue.objects.restrict(user, "view").filter(organization=organization)


@login_required
def report_index(request):
    """The open periods of the indicators the user reports on, with their own values."""
    _require_reporter(request.user)
    periods = (
        IndicatorPeriod.objects.restrict(request.user, "view")
        .filter(locked=False)
        .select_related("indicator__project", "indicator__program")
        .prefetch_related(Prefetch("values", queryset=_own_values(request.user).order_by("pk"), to_attr="own_values"))
        .order_by("end", "indicator__name", "pk")
    )
    return render(request, "results/report_index.html", {"periods": periods})


@login_required
def report_period(request, pk: int):
    _require_reporter(request.user)
    period = get_object_or_404(
        IndicatorPeriod.objects.restrict(request.user, "view").select_related("indicator"), pk=pk
    )
    form = ReportForm(request.POST or None, request.FILES or None, period=period)
    if request.method == "POST" and form.is_valid():
        evidence = [form.cleaned_data["evidence"]] if form.cleaned_data.get("evidence") else []
        try:
            services.period_value_submit(
                period=period,
                actor=request.user,
                value=form.cleaned_data["value"],
                comment=form.cleaned_data["comment"],
                breakdown=form.breakdown(),
                evidence=evidence,
            )
        except ValidationError as refusal:
            form.show_refusal(refusal)
        else:
            messages.success(request, _("Your value is submitted for review."))
            return redirect("results-report")
    history = _own_values(request.user).filter(period=period).prefetch_related("status_changes").order_by("pk")
    return render(request, "results/report_period.html", {"period": period, "form": form, "history": history})


def _require_staff(user) -> None:
    if not sees_everything(user, "change"):
        raise PermissionDenied


@login_required
def review_index(request):
    """The values waiting for the agency's review, oldest first."""
    _require_staff(request.user)
    waiting = (
        PeriodValue.objects.restrict(request.user, "view")
        .filter(status=ValueStatus.SUBMITTED)
        .select_related("period__indicator", "organization")
        .prefetch_related(
            Prefetch("breakdown", queryset=PeriodValueBreakdown.objects.select_related("category__disaggregation")),
            "evidence",
        )
        .order_by("updated_at", "pk")
    )
    return render(request, "results/review_index.html", {"waiting": waiting})


@login_required
@require_POST
def review_value(request, pk: int):
    _require_staff(request.user)
    period_value = get_object_or_404(PeriodValue.objects.restrict(request.user, "change"), pk=pk)
    try:
        if request.POST.get("decision") == "approve":
            services.period_value_approve(period_value=period_value, actor=request.user)
            messages.success(request, _("The value is approved; it counts from now on."))
        else:
            services.period_value_return(
                period_value=period_value, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The value is returned to its organization."))
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    return redirect("results-review")


@login_required
def evidence_file(request, pk: int):
    """An evidence file, to whoever may read the value it supports."""
    if not request.user.has_perm("programs.view_periodvalueevidence"):
        raise PermissionDenied
    evidence = get_object_or_404(PeriodValueEvidence.objects.restrict(request.user, "view"), pk=pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)
