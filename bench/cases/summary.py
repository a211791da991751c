"""Case 1: the annual summary for one fiscal year, in the API and on the managers' dashboard.

The raw side computes every figure and breakdown of the summary with hand-written SQL
from the definitions in DESIGN.md (not from the application's queries) and encodes the
result with orjson. Both sides answer the figures and the breakdown rows (codes and
numbers; labels are words for people and left out). The dashboard also draws ten
years of trends and the watch list; its raw side adds the trend figures, and its
answer is checked through the API row, which reads the same function.

The application serves maintained figures (`reports/maintained.py`): computed once after
each change to their data and read back, so after the warm-up runs the API is one stored read against
the raw recomputation, and the dashboard is measured against the API in the same run.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import orjson
from django.utils import timezone

from cooperation.choices import Gender
from cooperation.periods import Period, fiscal_year_of
from dispatch.stats import JDR_LAW_IN_FORCE, PKO_LAW_IN_FORCE, secondment_targets
from reports.summary import TREND_YEARS

from ..harness import Context, Row, get_json, raw_rows

API_TARGET = "<= 0.1x raw recomputation"
API_RATIO = 0.1
PAGE_TARGET = "<= 1.5x the summary API"
PAGE_TO_API = 1.5
GENDER_VALUES = tuple(Gender.values)

TECHNICAL = """
FROM dispatch_deployment d
WHERE d.kind = 'technical_cooperation' AND d.expert_id IS NOT NULL AND d.status IN ('deployed', 'returned', 'closed')
  AND coalesce(d.actual_end, d.planned_end) >= %(start)s AND d.actual_start <= %(end)s
"""
EXPERT_COUNTS = """
count(DISTINCT d.expert_id) FILTER (WHERE d.actual_start BETWEEN %(start)s AND %(end)s),
count(DISTINCT d.expert_id)
"""
EXPERTS = f"SELECT {EXPERT_COUNTS} {TECHNICAL}"
EXPERTS_BY_COUNTRY = f"SELECT d.country, {EXPERT_COUNTS} {TECHNICAL} GROUP BY d.country ORDER BY d.country"
EXPERTS_BY_TERM = f"SELECT d.term, {EXPERT_COUNTS} {TECHNICAL} GROUP BY d.term ORDER BY d.term"
EXPERTS_BY_FIELD = f"""
SELECT f.code, {EXPERT_COUNTS}
FROM dispatch_deployment d
LEFT JOIN programs_project_fields pf ON pf.project_id = d.project_id
LEFT JOIN cooperation_cooperationfield f ON f.id = pf.cooperationfield_id
WHERE d.kind = 'technical_cooperation' AND d.expert_id IS NOT NULL AND d.status IN ('deployed', 'returned', 'closed')
  AND coalesce(d.actual_end, d.planned_end) >= %(start)s AND d.actual_start <= %(end)s
GROUP BY f.code, f.name ORDER BY f.code, f.name
"""

PARTICIPANTS = """
FROM trainees_enrollment en
JOIN trainees_course c ON c.id = en.course_id
JOIN trainees_trainee t ON t.id = en.trainee_id
WHERE en.status IN ('arrived', 'completed') AND c.status <> 'cancelled'
  AND c.start_date BETWEEN %(start)s AND %(end)s
"""
BY_GENDER = ", ".join(f"count(*) FILTER (WHERE t.gender = '{g}')" for g in GENDER_VALUES)
TRAINEE_TOTALS = f"SELECT count(*), count(*) FILTER (WHERE en.status = 'completed'), {BY_GENDER} {PARTICIPANTS}"
TRAINEES_BY_COUNTRY = f"""
SELECT t.nationality, count(*) AS total, {BY_GENDER} {PARTICIPANTS}
GROUP BY t.nationality ORDER BY total DESC, t.nationality
"""
TRAINEES_BY_REGION = f"""
SELECT r.code, count(*) AS total, {BY_GENDER}
FROM trainees_enrollment en
JOIN trainees_course c ON c.id = en.course_id
JOIN trainees_trainee t ON t.id = en.trainee_id
JOIN cooperation_region r ON t.nationality = ANY(r.countries)
WHERE en.status IN ('arrived', 'completed') AND c.status <> 'cancelled'
  AND c.start_date BETWEEN %(start)s AND %(end)s
GROUP BY r.id, r.code ORDER BY total DESC, r.code
"""
COURSES_HELD = """
SELECT count(*) FROM trainees_course WHERE status <> 'cancelled' AND start_date BETWEEN %(start)s AND %(end)s
"""
VISITORS = """
SELECT coalesce(sum(visitors), 0) FROM trainees_delegation
WHERE status = 'held' AND start_date BETWEEN %(start)s AND %(end)s
"""
WITHDRAWN_AFTER_ARRIVAL = """
SELECT count(*) FROM trainees_enrollment en JOIN trainees_course c ON c.id = en.course_id
WHERE en.status = 'withdrawn' AND c.status <> 'cancelled' AND c.start_date BETWEEN %(start)s AND %(end)s
  AND EXISTS (SELECT 1 FROM trainees_enrollmentstatuschange h
              WHERE h.enrollment_id = en.id AND h.from_status = 'arrived' AND h.to_status = 'withdrawn')
"""
PLANNED_DEPLOYMENTS = """
SELECT count(*) FROM dispatch_deployment d
WHERE d.kind = 'technical_cooperation' AND d.status IN ('requested', 'nominated', 'preparing')
  AND d.planned_end >= %(start)s AND d.planned_start <= %(end)s
"""

MISSIONS = """
FROM dispatch_mission m
WHERE m.kind = %(kind)s AND m.status <> 'cancelled'
  AND coalesce(m.departure_on, m.requested_on) BETWEEN %(since)s AND %(until)s
"""
OFFICERS = """
sum(coalesce(m.police_officers_reported,
             (SELECT count(*) FROM dispatch_deployment x WHERE x.mission_id = m.id AND x.status <> 'cancelled'), 0))
"""
MISSION_TOTALS = f"SELECT count(*), coalesce({OFFICERS}, 0), count(DISTINCT m.country) {MISSIONS}"
# What the opening balances dated by then add to each cumulative figure.
OPENING_BALANCES = """
SELECT coalesce(sum(b.value) FILTER (WHERE b.figure = 'relief_officers'), 0),
       coalesce(sum(b.value) FILTER (WHERE b.figure = 'relief_countries'), 0),
       coalesce(sum(b.value) FILTER (WHERE b.figure = 'peace_officials'), 0),
       coalesce(sum(b.value) FILTER (WHERE b.figure = 'peace_countries'), 0)
FROM dispatch_openingbalance b WHERE b.as_of <= %(until)s
"""
MISSIONS_BY_TEAM = f"SELECT m.team_type, count(*), {OFFICERS} {MISSIONS} GROUP BY m.team_type ORDER BY m.team_type"

SECONDEES = """
SELECT o.code, count(DISTINCT d.expert_id) AS secondees
FROM cooperation_organization o
LEFT JOIN dispatch_deployment d ON d.host_organization_id = o.id AND d.kind = 'secondment'
  AND d.status IN ('deployed', 'returned', 'closed') AND d.actual_start <= %(day)s
  AND (d.actual_end >= %(day)s OR d.actual_end IS NULL)
GROUP BY o.id, o.code, o.name
HAVING count(DISTINCT d.expert_id) > 0 OR o.code = ANY(%(targets)s)
ORDER BY o.name
"""


def active(alias: str) -> str:
    """Running at some time in the period (an open end still runs), not cancelled."""
    return (
        f"{alias}.status <> 'cancelled' AND {alias}.start_date <= %(end)s "
        f"AND ({alias}.end_date IS NULL OR {alias}.end_date >= %(start)s)"
    )


PORTFOLIO_BY_REGION = f"""
WITH programs AS (SELECT p.id, p.country FROM programs_program p WHERE {active("p")}),
     projects AS (SELECT j.id, coalesce(nullif(j.country, ''), p.country) AS country
                  FROM programs_project j JOIN programs_program p ON p.id = j.program_id WHERE {active("j")})
SELECT r.code,
       (SELECT count(*) FROM programs WHERE programs.country = ANY(r.countries)),
       (SELECT count(*) FROM projects WHERE projects.country = ANY(r.countries))
FROM cooperation_region r ORDER BY r.code
"""
PORTFOLIO_BY_FIELD = f"""
WITH counts AS (
    SELECT f.code,
           (SELECT count(*) FROM programs_program_fields pf JOIN programs_program p ON p.id = pf.program_id
             WHERE pf.cooperationfield_id = f.id AND {active("p")}) AS programs,
           (SELECT count(*) FROM programs_project_fields jf JOIN programs_project j ON j.id = jf.project_id
             WHERE jf.cooperationfield_id = f.id AND {active("j")}) AS projects
    FROM cooperation_cooperationfield f
)
SELECT code, programs, projects FROM counts WHERE programs > 0 OR projects > 0 ORDER BY code
"""


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, Decimal) else value


def _rows(sql: str, params: dict) -> list[tuple]:
    return [tuple(_plain(value) for value in row) for row in raw_rows(sql, params)]


def _experts(rows: list[tuple]) -> list[dict]:
    return [{"key": key, "new": new, "total": total} for key, new, total in rows]


def _groups(rows: list[tuple]) -> list[dict]:
    return [
        {"code": code, "total": total, **{f"gender_{g}": n for g, n in zip(GENDER_VALUES, counts, strict=True)}}
        for code, total, *counts in rows
    ]


def raw_summary(period: Period, *, today: date) -> dict[str, Any]:
    """The summary's figures and breakdowns, straight from SQL."""
    span = {"start": period.start, "end": period.end}
    new, total = _rows(EXPERTS, span)[0]
    participants, completed, *genders = _rows(TRAINEE_TOTALS, span)[0]
    relief = {"kind": "disaster_relief", "since": period.start, "until": period.end}
    missions, officers, _countries = _rows(MISSION_TOTALS, relief)[0]
    since = {**relief, "since": JDR_LAW_IN_FORCE}
    _missions, officers_since, countries_since = _rows(MISSION_TOTALS, since)[0]
    police = _rows(MISSION_TOTALS, {**relief, "kind": "civilian_police"})[0][1]
    peace_since = {**relief, "kind": "civilian_police", "since": PKO_LAW_IN_FORCE}
    _peace_missions, officials_since, peace_countries_since = _rows(MISSION_TOTALS, peace_since)[0]
    opening = _rows(OPENING_BALANCES, {"until": period.end})[0]
    targets = secondment_targets()
    figures = {
        "experts_new": new,
        "experts_total": total,
        "courses_held": _rows(COURSES_HELD, span)[0][0],
        "trainees": participants,
        "trainees_completed": completed,
        "trainees_withdrawn_after_arrival": _rows(WITHDRAWN_AFTER_ARRIVAL, span)[0][0],
        "visitors": _rows(VISITORS, span)[0][0],
        "relief_missions": missions,
        "relief_officers": officers,
        "relief_officers_since_1987": officers_since + opening[0],
        "relief_countries_since_1987": countries_since + opening[1],
        "civilian_police_officials": police,
        "civilian_police_officials_since_1992": officials_since + opening[2],
        "civilian_police_countries_since_1992": peace_countries_since + opening[3],
    }
    # Planned deployments are a figure only while the period is not over.
    figures["planned_deployments"] = _rows(PLANNED_DEPLOYMENTS, span)[0][0] if period.end >= today else None
    for code, count in _rows(SECONDEES, {"day": min(period.end, today), "targets": list(targets)}):
        figures[f"secondees_{code}"] = count
        if code in targets:
            figures[f"secondees_{code}_target"] = targets[code]
    tables = {
        "experts_by_country": _experts(_rows(EXPERTS_BY_COUNTRY, span)),
        "experts_by_field": _experts(_rows(EXPERTS_BY_FIELD, span)),
        "experts_by_term": _experts(_rows(EXPERTS_BY_TERM, span)),
        "trainees_by_gender": [{"gender": g, "count": n} for g, n in sorted(zip(GENDER_VALUES, genders, strict=True))],
        "trainees_by_country": _groups(_rows(TRAINEES_BY_COUNTRY, span)),
        "trainees_by_region": _groups(_rows(TRAINEES_BY_REGION, span)),
        "portfolio_by_region": [
            {"region": c, "programs": p, "projects": j} for c, p, j in _rows(PORTFOLIO_BY_REGION, span)
        ],
        "portfolio_by_field": [
            {"field": c, "programs": p, "projects": j} for c, p, j in _rows(PORTFOLIO_BY_FIELD, span)
        ],
        "relief_by_team_type": [
            {"team_type": t, "missions": m, "officers": o} for t, m, o in _rows(MISSIONS_BY_TEAM, relief)
        ],
    }
    return {"figures": figures, "tables": tables}


def raw_trends(last: Period) -> list[tuple]:
    rows = []
    for year in range(last.start.year - TREND_YEARS + 1, last.start.year + 1):
        period = Period.fiscal_year(year)
        span = {"start": period.start, "end": period.end}
        rows.append(
            (
                *_rows(EXPERTS, span)[0],
                _rows(COURSES_HELD, span)[0][0],
                _rows(TRAINEE_TOTALS, span)[0][0],
                _rows(VISITORS, span)[0][0],
            )
        )
    return rows


WORDS = {"label", "name"}


def comparable(figures: dict[str, Any], tables: dict[str, list[dict]]) -> dict[str, Any]:
    """Figures and breakdown rows without the words, so both sides compare number for number."""
    return {
        "figures": figures,
        "tables": {
            key: [{k: v for k, v in row.items() if k not in WORDS} for row in rows] for key, rows in tables.items()
        },
    }


def app_answer(body: dict[str, Any]) -> dict[str, Any]:
    return comparable(body["figures"], {key: table["rows"] for key, table in body["tables"].items()})


def busiest_fiscal_year() -> int:
    """The last complete fiscal year: the one a manager opens the dashboard for."""
    return fiscal_year_of(timezone.localdate()) - 1


def run(context: Context) -> list[Row]:
    year = busiest_fiscal_year()
    period = Period.fiscal_year(year)
    today = timezone.localdate()
    api = context.agents.api(context.agents.manager)
    browser = context.agents.browser(context.agents.manager)
    api_url = f"/api/v1/reports/annual-summary/?fiscal_year={year}"
    page_url = f"/dashboard/?kind=fiscal_year&value={year}"

    def raw_api():
        summary = raw_summary(period, today=today)
        orjson.dumps(summary)
        return comparable(summary["figures"], summary["tables"])

    def raw_page():
        summary = raw_summary(period, today=today)
        return orjson.dumps({**summary, "trends": raw_trends(period)})

    def page():
        response = browser.get(page_url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {page_url} answered {response.status_code}")
        return None

    api_timing, api_answer = context.measure(lambda: app_answer(get_json(api, api_url)))
    raw_timing, raw_answer = context.measure(raw_api)
    page_timing, _ = context.measure(page)
    raw_page_timing, _ = context.measure(raw_page)

    api_ratio = api_timing.median / raw_timing.median
    page_to_api = page_timing.median / api_timing.median
    return [
        Row(
            "1",
            f"annual summary API, FY{year} (manager)",
            api_timing,
            raw_timing,
            API_TARGET,
            api_ratio <= API_RATIO,
            api_answer,
            raw_answer,
        ),
        Row(
            "1",
            f"dashboard page, FY{year} with trends (manager)",
            page_timing,
            raw_page_timing,
            PAGE_TARGET,
            page_to_api <= PAGE_TO_API,
            None,
            None,
            extra={"page / API": f"{page_to_api:.2f}x"},
        ),
    ]
