"""The public pages: the published portfolio for anyone, in English or Japanese.

Views hand the templates plain dictionaries built from an explicit list of public
fields, so nothing else of a record (notes, sources, reviewers, internal indicators,
unpublished projects) can reach a page by accident.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from .iati import fiscal_year_budgets, number
from .models import Funding, Indicator, ProgramPartner
from .publication import published_programs, published_projects
from .selectors import indicators_with_progress
from .stats import published_figures_by_fiscal_year


def _use_requested_language(request) -> str:
    """`?lang=ja` or `?lang=en` wins for this page; else the usual negotiation."""
    requested = request.GET.get("lang", "")
    if requested in dict(settings.LANGUAGES):
        translation.activate(requested)
        request.LANGUAGE_CODE = requested
    return translation.get_language()


def _local(record, name: str, japanese: bool) -> str:
    if japanese:
        return getattr(record, f"{name}_ja", "") or getattr(record, name)
    return getattr(record, name)


def _country_name(code: str) -> str:
    return str(countries.name(code)) if code else ""


def _period(record) -> dict[str, Any]:
    return {"start": record.start_date, "end": record.end_date}


def _program_card(program, japanese: bool) -> dict[str, Any]:
    return {
        "code": program.code,
        "title": _local(program, "title", japanese),
        "country": _country_name(program.country.code),
        "status": program.get_status_display(),
        **_period(program),
    }


def portfolio(request: HttpRequest) -> HttpResponse:
    japanese = _use_requested_language(request) == "ja"
    programs = list(
        published_programs()
        .prefetch_related("fields", Prefetch("projects", queryset=published_projects(), to_attr="public_projects"))
        .order_by("-start_date", "code")
    )
    by_country: dict[str, list] = defaultdict(list)
    by_field: dict[str, list] = defaultdict(list)
    for program in programs:
        card = _program_card(program, japanese)
        places = {str(program.country)} if program.country else {str(p.country) for p in program.public_projects}
        places.discard("")
        for code in places or {""}:
            by_country[_country_name(code) or _("Regional")].append(card)
        for field in program.fields.all():
            by_field[_local(field, "name", japanese)].append(card)
    context = {
        "figures": published_figures_by_fiscal_year(timezone.localdate()),
        "by_country": sorted(by_country.items()),
        "by_field": sorted(by_field.items()),
        "program_count": len(programs),
        "lang": request.GET.get("lang", ""),
    }
    return render(request, "public/portfolio.html", context)


def _partners(program, japanese: bool) -> list[dict[str, str]]:
    rows = [
        {"name": _local(p.organization, "name", japanese), "role": p.get_role_display()}
        for p in program.partnerships.all()
    ]
    if program.counterpart is not None:
        rows.append(
            {
                "name": _local(program.counterpart, "name", japanese),
                "role": ProgramPartner.Role.COUNTERPART.label,
            }
        )
    unique = {(row["name"], str(row["role"])): row for row in rows}
    return [unique[key] for key in sorted(unique)]


def _results(projects, japanese: bool) -> list[dict[str, Any]]:
    indicators = indicators_with_progress(
        Indicator.objects.filter(project__in=[p.pk for p in projects], internal=False).select_related("project")
    ).order_by("project__code", "name", "pk")
    return [
        {
            "project": _local(indicator.project, "title", japanese),
            "name": _local(indicator, "name", japanese),
            "unit": indicator.unit,
            "baseline": number(indicator.baseline_value),
            "baseline_date": indicator.baseline_date,
            "target": number(indicator.target_value),
            "target_date": indicator.target_date,
            "latest": None if indicator.latest_value is None else number(indicator.latest_value),
            "latest_date": indicator.latest_period_end,
        }
        for indicator in indicators
    ]


def program_page(request, code: str):
    japanese = _use_requested_language(request) == "ja"
    program = (
        published_programs()
        .select_related("counterpart")
        .prefetch_related(
            "fields",
            Prefetch("partnerships", queryset=ProgramPartner.objects.select_related("organization")),
            Prefetch(
                "projects",
                queryset=published_projects().prefetch_related("fields").order_by("start_date", "code"),
                to_attr="public_projects",
            ),
        )
        .filter(code=code)
        .first()
    )
    if program is None:
        raise Http404(_("No published program has this code."))
    projects = program.public_projects
    money = Funding.objects.filter(program=program).filter(
        Q(project__isnull=True) | Q(project__in=[project.pk for project in projects])
    )
    context = {
        "program": {
            **_program_card(program, japanese),
            "description": _local(program, "description", japanese),
            "objectives": program.objectives,
            "kind": program.get_kind_display(),
            "fields": [_local(field, "name", japanese) for field in program.fields.all()],
        },
        "partners": _partners(program, japanese),
        "projects": [
            {
                **_program_card(project, japanese),
                "country": _country_name(project.country.code or program.country.code),  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
                "description": _local(project, "description", japanese),
                "fields": [_local(field, "name", japanese) for field in project.fields.all()],
            }
            for project in projects
        ],
        "results": _results(projects, japanese),
        "budgets": fiscal_year_budgets(money),
        "lang": request.GET.get("lang", ""),
    }
    return render(request, "public/program.html", context)
