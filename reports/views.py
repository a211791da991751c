"""The dashboard page, its downloads and the statistics packs."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from cooperation.models import ReportJob
from cooperation.periods import fiscal_year_of
from cooperation.roles import reads_reports
from programs.models import Program

from .forms import PackForm, PeriodForm, ProgramResultsForm
from .results import report_title, shown, targets_vs_actuals, targets_vs_actuals_workbook
from .services import report_pack_request
from .summary import Summary, annual_summary
from .tables import table_csv, tables_csv, tables_workbook
from .watchlist import watch_list


class ReportReaderMixin(LoginRequiredMixin):
    request: HttpRequest

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not reads_reports(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def period_form(self) -> PeriodForm:
        data = (
            self.request.GET
            if "value" in self.request.GET
            else {
                "kind": "fiscal_year",
                "value": fiscal_year_of(timezone.localdate()),
            }
        )
        return PeriodForm(data)


class DashboardView(ReportReaderMixin, TemplateView):
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.period_form()
        context["form"] = form
        if form.is_valid():
            summary = annual_summary(form.period(), fiscal=form.is_fiscal)
            context["summary"] = summary
            context["charts"] = [t.as_dict() for t in summary.tables if t.chart and t.has_data]
            context["today"] = timezone.localdate()
            context["period_under_way"] = summary.period.contains(context["today"])
            context["query"] = self.request.GET.urlencode() or f"kind={form.data['kind']}&value={form.data['value']}"
        context["pack_form"] = PackForm(initial=_pack_initial(form))
        context["packs"] = ReportJob.objects.filter(requested_by=self.request.user).defer("content")[:5]
        return context


class WatchListView(ReportReaderMixin, TemplateView):
    """What needs attention now, read live: a page of its own, which the dashboard fetches
    into its place after the figures are shown."""

    template_name = "reports/watch_list.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "watch_list": watch_list(self.request.user)}


def _pack_initial(form: PeriodForm) -> dict:
    last = form.cleaned_data["value"] if form.is_valid() else fiscal_year_of(timezone.localdate())
    return {"kind": form.data.get("kind", "fiscal_year"), "first": last - 9, "last": last}


class PackRequestView(ReportReaderMixin, View):
    """Starts a multi-year pack; answers JSON to the page's script, a redirect to a plain form post."""

    def post(self, request):
        form = PackForm(request.POST)
        wants_json = "application/json" in request.headers.get("Accept", "")
        if not form.is_valid():
            if wants_json:
                return JsonResponse({"fields": form.errors.get_json_data()}, status=400)
            return redirect(f"{reverse('dashboard')}#packs")
        job = report_pack_request(
            user=request.user,
            first=form.cleaned_data["first"],
            last=form.cleaned_data["last"],
            fiscal=form.cleaned_data["kind"] == "fiscal_year",
            file_format=form.cleaned_data["file_format"],
        )
        if wants_json:
            return JsonResponse(_job_state(job), status=202)
        return redirect(f"{reverse('dashboard')}#packs")


def _job_state(job: ReportJob) -> dict:
    done = job.status == ReportJob.Status.DONE
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "filename": job.filename,
        "status_url": reverse("reports-pack-status", args=[job.pk]),
        "download_url": reverse("reports-pack-download", args=[job.pk]) if done else None,
        "error": job.error,
    }


def _own_job(request, pk: int) -> ReportJob:
    # Packs are their requester's own: anyone else gets a 404, as if it did not exist.
    return get_object_or_404(ReportJob.objects.filter(requested_by=request.user), pk=pk)


class PackStatusView(ReportReaderMixin, View):
    def get(self, request, pk: int):
        return JsonResponse(_job_state(_own_job(request, pk)))


class PackDownloadView(ReportReaderMixin, View):
    def get(self, request, pk: int):
        job = _own_job(request, pk)
        if job.status != ReportJob.Status.DONE:
            raise Http404
        content_type = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if job.filename.endswith(".xlsx")
            else "text/csv; charset=utf-8"
        )
        return _attachment(bytes(job.content), content_type, job.filename)  # type: ignore[arg-type]  # done: it has content


class DownloadView(ReportReaderMixin, View):
    """`?format=xlsx|csv` for the whole pack, `&table=<key>` for one table as CSV."""

    def get(self, request):
        form = self.period_form()
        if not form.is_valid():
            raise Http404
        summary = annual_summary(form.period(), fiscal=form.is_fiscal)
        name = f"annual-summary-{form.period().label}"
        table_key = request.GET.get("table")
        if table_key:
            table = next((t for t in summary.all_tables() if t.key == table_key), None)
            if table is None:
                raise Http404
            return _attachment(table_csv(table), "text/csv; charset=utf-8", f"{name}-{table.key}.csv")
        if request.GET.get("format") == "xlsx":
            return _attachment(
                tables_workbook(summary.all_tables(), period=_period_with_dates(summary)),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                f"{name}.xlsx",
            )
        return _attachment(tables_csv(summary.all_tables()), "text/csv; charset=utf-8", f"{name}.csv")


class ProgramResultsView(ReportReaderMixin, TemplateView):
    """Targets against actuals of one program in one fiscal year; `format=xlsx|csv` downloads it."""

    template_name = "reports/program_results.html"

    def get(self, request, *args, **kwargs):
        programs = Program.objects.restrict(request.user, "view").order_by("code")
        form = ProgramResultsForm(
            request.GET if "program" in request.GET else None,
            programs=programs,
            initial={"fiscal_year": fiscal_year_of(timezone.localdate())},
        )
        context = self.get_context_data(form=form)
        if form.is_valid():
            program, year = form.cleaned_data["program"], form.cleaned_data["fiscal_year"]
            table = targets_vs_actuals(program, year)
            title = report_title(program, year)
            name = f"targets-actuals-{program.code}-FY{year}"
            file_format = request.GET.get("format")
            if file_format == "xlsx":
                return _attachment(
                    targets_vs_actuals_workbook(table, title=title),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    f"{name}.xlsx",
                )
            if file_format == "csv":
                return _attachment(table_csv(table), "text/csv; charset=utf-8", f"{name}.csv")
            rows = [[shown(value) for value in row] for row in table.cells()]
            context.update(table=table, rows=rows, title=title, query=request.GET.urlencode())
        return self.render_to_response(context, status=400 if form.errors else 200)


def _period_with_dates(summary: Summary) -> str:
    return f"{summary.period.name} ({summary.period.start:%Y-%m-%d} – {summary.period.end:%Y-%m-%d})"


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
