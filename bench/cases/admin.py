"""Case 7: the staff's admin pages over the largest tables, each next to one hand-written SQL.

For deployments, enrollments and trainees: the changelist's first page (100 rows, the
default order, no filter) and the change page of a well-filled record (the deployment,
enrollment or trainee with the most rows in its inlines), through the test client with
a logged-in staff session. The raw side reads the same rows in one statement (the
page's columns with their joined names; the record with its inline rows as JSON) and
writes them as an HTML table. Both sides answer the ids of the listed rows, in order, or
the record's id and the number of rows in each inline.
"""

from __future__ import annotations

import re
from html import escape

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..harness import Context, Row, raw_rows

PAGE = 100
TARGET = "<= 3x raw"
MAX_RATIO = 3.0

SELECTED = re.compile(rb'name="_selected_action" value="(\d+)"')
INITIAL_FORMS = re.compile(rb'name="([\w-]+)-INITIAL_FORMS" value="(\d+)"')

DEPLOYMENTS = """
SELECT d.id, e.family_name, e.given_name, e.personnel_number, d.kind, d.country, d.post, d.planned_start,
       d.planned_end, d.status
FROM dispatch_deployment d LEFT JOIN dispatch_expert e ON e.id = d.expert_id
ORDER BY d.planned_start DESC, d.id
LIMIT %(limit)s
"""

ENROLLMENTS = """
SELECT en.id, t.family_name, t.given_name, c.code, c.title, o.name, en.status, en.waitlist_position,
       en.certificate_number
FROM trainees_enrollment en
JOIN trainees_trainee t ON t.id = en.trainee_id
JOIN trainees_course c ON c.id = en.course_id
JOIN cooperation_organization o ON o.id = en.nominated_by_id
ORDER BY en.course_start DESC, en.course_id DESC, en.id DESC
LIMIT %(limit)s
"""

TRAINEES = """
SELECT t.id, t.family_name, t.given_name, t.name_ja, t.nationality, t.gender, o.name,
       (SELECT count(*) FROM trainees_enrollment en WHERE en.trainee_id = t.id)
FROM trainees_trainee t LEFT JOIN cooperation_organization o ON o.id = t.organization_id
WHERE t.archived_at IS NULL
ORDER BY t.family_name, t.given_name, t.id
LIMIT %(limit)s
"""

HISTORY = """(SELECT coalesce(json_agg(json_build_object('at', s.changed_at, 'from', s.from_status, 'to', s.to_status,
                                                      'by', u.username, 'note', s.note) ORDER BY s.changed_at, s.id),
                      '[]')
                FROM {table} s LEFT JOIN auth_user u ON u.id = s.actor_id WHERE s.{key} = %(pk)s)"""

DEPLOYMENT = f"""
SELECT d.*, e.family_name, e.given_name, e.personnel_number, p.code, p.title, h.name, m.name, r.name, a.username,
       (SELECT coalesce(json_agg(json_build_object('kind', c.kind, 'required', c.required, 'done_at', c.done_at,
                                                   'by', cu.username, 'note', c.note) ORDER BY c.kind), '[]')
          FROM dispatch_checklistitem c LEFT JOIN auth_user cu ON cu.id = c.done_by_id
         WHERE c.deployment_id = d.id),
       (SELECT coalesce(json_agg(json_build_object('at', k.at, 'status', k.status, 'note', k.note,
                                                   'by', ku.username) ORDER BY k.at DESC, k.id), '[]')
          FROM dispatch_safetycheckin k LEFT JOIN auth_user ku ON ku.id = k.by_id WHERE k.deployment_id = d.id),
       {HISTORY.format(table="dispatch_deploymentstatuschange", key="deployment_id")}
FROM dispatch_deployment d
LEFT JOIN dispatch_expert e ON e.id = d.expert_id
LEFT JOIN programs_project p ON p.id = d.project_id
LEFT JOIN cooperation_organization h ON h.id = d.host_organization_id
LEFT JOIN dispatch_mission m ON m.id = d.mission_id
LEFT JOIN cooperation_organization r ON r.id = d.requesting_organization_id
LEFT JOIN auth_user a ON a.id = d.approved_by_id
WHERE d.id = %(pk)s
"""

ENROLLMENT = f"""
SELECT en.*, t.family_name, t.given_name, c.code, c.title, o.name,
       {HISTORY.format(table="trainees_enrollmentstatuschange", key="enrollment_id")}
FROM trainees_enrollment en
JOIN trainees_trainee t ON t.id = en.trainee_id
JOIN trainees_course c ON c.id = en.course_id
JOIN cooperation_organization o ON o.id = en.nominated_by_id
WHERE en.id = %(pk)s
"""

TRAINEE = """
SELECT t.*, o.name, rb.name, m.family_name,
       (SELECT coalesce(json_agg(json_build_object('course', c.code, 'title', c.title, 'by', n.name,
                                                   'status', en.status, 'certificate', en.certificate_number)
                                 ORDER BY en.status, en.waitlist_position, en.id), '[]')
          FROM trainees_enrollment en JOIN trainees_course c ON c.id = en.course_id
          JOIN cooperation_organization n ON n.id = en.nominated_by_id
         WHERE en.trainee_id = t.id)
FROM trainees_trainee t
LEFT JOIN cooperation_organization o ON o.id = t.organization_id
LEFT JOIN cooperation_organization rb ON rb.id = t.recorded_by_id
LEFT JOIN trainees_trainee m ON m.id = t.merged_into_id
WHERE t.id = %(pk)s
"""

# The records whose change pages carry the most inline rows.
FULLEST_DEPLOYMENT = """
SELECT deployment_id FROM (
    SELECT deployment_id FROM dispatch_safetycheckin
    UNION ALL SELECT deployment_id FROM dispatch_checklistitem
    UNION ALL SELECT deployment_id FROM dispatch_deploymentstatuschange) inline_rows
GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
"""
FULLEST_ENROLLMENT = """
SELECT enrollment_id FROM trainees_enrollmentstatuschange GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
"""
FULLEST_TRAINEE = """
SELECT en.trainee_id FROM trainees_enrollment en JOIN trainees_trainee t ON t.id = en.trainee_id
WHERE t.archived_at IS NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
"""


def html_table(rows) -> str:
    """The rows as an HTML table, every value escaped: what a page of them costs to write out."""
    return "<table>" + "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)


def _get(client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response.content


def app_list(client, url: str) -> list[int]:
    return [int(pk) for pk in SELECTED.findall(_get(client, url))]


def app_change(client, url: str) -> tuple[int, ...]:
    """The record's id and the number of rows of each inline, in page order."""
    page = _get(client, url)
    record = int(url.rstrip("/").split("/")[-2])
    return (record, *(int(count) for prefix, count in INITIAL_FORMS.findall(page)))


def raw_list(sql: str) -> list[int]:
    rows = raw_rows(sql, {"limit": PAGE})
    html_table(rows)
    return [row[0] for row in rows]


def raw_change(sql: str, pk: int, inlines: int) -> tuple[int, ...]:
    """The record in one statement, written out; its last `inlines` columns are the inline
    rows (JSON arrays), and it answers their lengths."""
    (row,) = raw_rows(sql, {"pk": pk})
    html_table([row])
    return (row[0], *(len(rows) for rows in row[len(row) - inlines :]))


def queries(work) -> int:
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)


def _row(context: Context, name: str, app, raw) -> Row:
    app_timing, app_answer = context.measure(app)
    raw_timing, raw_answer = context.measure(raw)
    return Row(
        "7",
        name,
        app_timing,
        raw_timing,
        TARGET,
        app_timing.median <= MAX_RATIO * raw_timing.median,
        app_answer,
        raw_answer,
        {"queries": str(queries(app))},
    )


def run(context: Context) -> list[Row]:
    client = context.agents.browser(context.agents.staff)
    rows = []
    for model, sql in (
        ("dispatch/deployment", DEPLOYMENTS),
        ("trainees/enrollment", ENROLLMENTS),
        ("trainees/trainee", TRAINEES),
    ):
        url = f"/admin/{model}/"
        rows.append(
            _row(
                context,
                f"{model.split('/')[1]}s changelist (staff)",
                lambda u=url: app_list(client, u),
                lambda s=sql: raw_list(s),
            )
        )
    for model, pick, sql, inlines in (
        ("dispatch/deployment", FULLEST_DEPLOYMENT, DEPLOYMENT, 3),
        ("trainees/enrollment", FULLEST_ENROLLMENT, ENROLLMENT, 1),
        ("trainees/trainee", FULLEST_TRAINEE, TRAINEE, 1),
    ):
        found = raw_rows(pick)
        if not found:
            continue
        pk = found[0][0]
        url = f"/admin/{model}/{pk}/change/"
        rows.append(
            _row(
                context,
                f"{model.split('/')[1]} change page (staff, #{pk})",
                lambda u=url: app_change(client, u),
                lambda s=sql, p=pk, n=inlines: raw_change(s, p, n),
            )
        )
    return rows
