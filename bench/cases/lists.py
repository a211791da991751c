"""Case 2: a partner coordinator's list pages of 100 deployments and 100 enrollments, filtered.

The raw side reads the same page (same scope, filters and order, the count, every
column the serializer shows and the joined names and nested rows) and encodes it with
orjson; both sides answer (count, ids of the page).
"""

from __future__ import annotations

import orjson

from ..harness import Context, Row, get_json, raw_rows, raw_value

PAGE = 100
TARGET = "<= 3x raw, p95 < 50 ms"

DEPLOYMENT_FILTER = {"kind": "technical_cooperation", "statuses": ["returned", "closed"]}

# The partner's deployments: those on its programs' projects, and secondments it hosts.
DEPLOYMENT_SCOPE = """
    (d.project_id IN (
        SELECT pr.id FROM programs_project pr JOIN programs_program p ON p.id = pr.program_id
        WHERE p.counterpart_id = %(org)s
           OR EXISTS (SELECT 1 FROM programs_programpartner pp
                      WHERE pp.program_id = p.id AND pp.organization_id = %(org)s))
     OR d.host_organization_id = %(org)s)
    AND d.kind = %(kind)s AND d.status = ANY(%(statuses)s)
"""

DEPLOYMENT_PAGE = f"""
SELECT d.id, d.kind, d.status, d.country, d.city, d.post, d.planned_start, d.planned_end, d.actual_start,
       d.actual_end, d.term, d.travel_advisory_level, d.language_training_required, d.approved_at,
       d.completion_report, d.recognition, d.notes, d.created_at, d.updated_at,
       e.id, e.family_name, e.given_name, pr.id, pr.code, pr.title, h.code, h.name, m.id, m.name,
       r.code, r.name, u.username,
       (SELECT coalesce(json_agg(json_build_object('kind', c.kind, 'required', c.required, 'done_at', c.done_at,
                                                   'done_by', cu.username, 'note', c.note) ORDER BY c.id), '[]')
          FROM dispatch_checklistitem c LEFT JOIN auth_user cu ON cu.id = c.done_by_id
         WHERE c.deployment_id = d.id)
FROM dispatch_deployment d
LEFT JOIN dispatch_expert e ON e.id = d.expert_id
LEFT JOIN programs_project pr ON pr.id = d.project_id
LEFT JOIN cooperation_organization h ON h.id = d.host_organization_id
LEFT JOIN dispatch_mission m ON m.id = d.mission_id
LEFT JOIN cooperation_organization r ON r.id = d.requesting_organization_id
LEFT JOIN auth_user u ON u.id = d.approved_by_id
WHERE {DEPLOYMENT_SCOPE}
ORDER BY d.planned_start DESC, d.id
LIMIT %(limit)s
"""

ENROLLMENT_SCOPE = """
    en.nominated_by_id = %(org)s AND en.status = ANY(%(statuses)s)
    AND c.start_date BETWEEN make_date(%(year)s, 1, 1) AND make_date(%(year)s, 12, 31)
"""

ENROLLMENT_PAGE = f"""
SELECT en.id, en.status, en.waitlist_position, en.certificate_number, en.certificate_issued_on, en.action_plan,
       en.evaluation, en.created_at, en.updated_at, c.id, c.code, c.title, t.id, t.family_name, t.given_name,
       o.code, o.name,
       (SELECT coalesce(json_agg(json_build_object('from_status', s.from_status, 'to_status', s.to_status,
                                                   'changed_at', s.changed_at, 'note', s.note)
                                 ORDER BY s.changed_at, s.id), '[]')
          FROM trainees_enrollmentstatuschange s WHERE s.enrollment_id = en.id)
FROM trainees_enrollment en
JOIN trainees_course c ON c.id = en.course_id
JOIN trainees_trainee t ON t.id = en.trainee_id
JOIN cooperation_organization o ON o.id = en.nominated_by_id
WHERE {ENROLLMENT_SCOPE}
ORDER BY c.start_date DESC, c.code, en.id
LIMIT %(limit)s
"""

ENROLLMENT_STATUSES = ["arrived", "completed"]


def _raw_page(count_sql: str, page_sql: str, params: dict):
    count = raw_value(count_sql, params)
    rows = raw_rows(page_sql, params)
    body = orjson.dumps({"count": count, "results": rows}, default=str)
    return body and (count, [row[0] for row in rows])


def _app_page(client, url: str):
    body = get_json(client, url)
    return body["count"], [item["id"] for item in body["results"]]


def busiest_enrollment_year(org: int) -> int:
    """The course year with the most of the partner's participants: its heaviest filtered page."""
    year = raw_value(
        """SELECT extract(year FROM c.start_date)::int FROM trainees_enrollment en
           JOIN trainees_course c ON c.id = en.course_id
           WHERE en.nominated_by_id = %s AND en.status = ANY(%s)
           GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""",
        (org, ENROLLMENT_STATUSES),
    )
    return year or 2012


def _row(context: Context, name: str, app, raw) -> Row:
    app_timing, app_answer = context.measure(app)
    raw_timing, raw_answer = context.measure(raw)
    ratio = app_timing.median / raw_timing.median
    return Row(
        "2",
        name,
        app_timing,
        raw_timing,
        TARGET,
        ratio <= 3 and app_timing.p95 < 0.050,
        app_answer,
        raw_answer,
        {"rows": str(len(app_answer[1])), "count": str(app_answer[0])},
    )


def run(context: Context) -> list[Row]:
    org = context.agents.partner.pk
    client = context.agents.api(context.agents.coordinator)

    deployment_params = {"org": org, "limit": PAGE, **DEPLOYMENT_FILTER}
    deployment_url = (
        f"/api/v1/deployments/?kind={DEPLOYMENT_FILTER['kind']}&status=returned&status=closed&page_size={PAGE}"
    )
    deployment_count = f"SELECT count(*) FROM dispatch_deployment d WHERE {DEPLOYMENT_SCOPE}"

    year = busiest_enrollment_year(org)
    enrollment_params = {"org": org, "limit": PAGE, "statuses": ENROLLMENT_STATUSES, "year": year}
    enrollment_url = f"/api/v1/enrollments/?status=arrived&status=completed&year={year}&page_size={PAGE}"
    enrollment_count = (
        "SELECT count(*) FROM trainees_enrollment en JOIN trainees_course c ON c.id = en.course_id "
        f"WHERE {ENROLLMENT_SCOPE}"
    )
    return [
        _row(
            context,
            "deployments page (partner, kind + status)",
            lambda: _app_page(client, deployment_url),
            lambda: _raw_page(deployment_count, DEPLOYMENT_PAGE, deployment_params),
        ),
        _row(
            context,
            f"enrollments page (partner, status + year {year})",
            lambda: _app_page(client, enrollment_url),
            lambda: _raw_page(enrollment_count, ENROLLMENT_PAGE, enrollment_params),
        ),
    ]
