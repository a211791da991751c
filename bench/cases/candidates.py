"""Case 3: the ranked candidates for a requested deployment (staff, `deployments/{id}/candidates/`).

The raw side ranks the same experts with one hand-written statement: fit and free for
the period, scored by languages, the project's fields, experience in the country and
in the term. Both sides answer the ordered (expert id, score) list.
"""

from __future__ import annotations

import orjson
from django.utils import timezone

from dispatch.fitness import passport_required_until
from dispatch.selectors import WEIGHT_COUNTRY, WEIGHT_FIELD, WEIGHT_LANGUAGE, WEIGHT_TERM

from ..harness import Context, Row, get_json, raw_rows

LIMIT = 50
LANGUAGE, LEVEL = "en", 3
TARGET = "<= 3x raw, a non-empty ranking"
MAX_RATIO = 3.0

CANDIDATES = f"""
WITH scored AS (
    SELECT e.id, e.passport_expiry, e.family_name, e.personnel_number,
           ARRAY(SELECT l.language FROM dispatch_expertlanguage l
                 WHERE l.expert_id = e.id AND l.language = %(language)s AND l.level >= %(level)s
                 ORDER BY l.language) AS languages,
           ARRAY(SELECT f.name FROM dispatch_expert_specialties s
                 JOIN cooperation_cooperationfield f ON f.id = s.cooperationfield_id
                 WHERE s.expert_id = e.id AND s.cooperationfield_id = ANY(%(fields)s) ORDER BY f.name) AS fields,
           (%(country)s = ANY(e.countries_of_experience) OR EXISTS (
               SELECT 1 FROM dispatch_deployment x WHERE x.expert_id = e.id
                  AND x.status IN ('returned', 'closed') AND x.country = %(country)s))::int AS knows_country,
           EXISTS (SELECT 1 FROM dispatch_deployment x WHERE x.expert_id = e.id
                      AND x.status IN ('returned', 'closed') AND x.term = %(term)s)::int AS knows_term
    FROM dispatch_expert e
    WHERE e.status IN ('active', 'retired')
      AND e.passport_expiry >= %(passport_until)s AND e.medical_clearance_until >= %(end)s
      AND NOT EXISTS (
          SELECT 1 FROM dispatch_deployment b
          WHERE b.expert_id = e.id AND b.status <> 'cancelled' AND b.id <> %(deployment)s
            AND coalesce(b.actual_end, b.planned_end) >= %(start)s
            AND coalesce(b.actual_start, b.planned_start) <= %(end)s)
)
SELECT id, cardinality(languages) * {WEIGHT_LANGUAGE} + cardinality(fields) * {WEIGHT_FIELD}
           + knows_country * {WEIGHT_COUNTRY} + knows_term * {WEIGHT_TERM} AS score,
       languages, fields, knows_country, knows_term
FROM scored
ORDER BY score DESC, passport_expiry DESC, family_name, personnel_number
LIMIT {LIMIT}
"""


def requested_deployments() -> list[tuple]:
    """The next requested deployment on a project: the request staff would staff now."""
    # Requests starting from today on, nearest first; failing those, the latest one.
    rows = raw_rows(
        """SELECT d.id, d.country, d.planned_start, d.planned_end, d.term,
                  ARRAY(SELECT pf.cooperationfield_id FROM programs_project_fields pf
                        WHERE pf.project_id = d.project_id)
           FROM dispatch_deployment d
           WHERE d.status = 'requested' AND d.project_id IS NOT NULL
           ORDER BY d.planned_start < %(today)s,
                    CASE WHEN d.planned_start >= %(today)s THEN d.planned_start END,
                    d.planned_start DESC, d.id
           LIMIT 50""",
        {"today": timezone.localdate()},
    )
    if not rows:
        raise RuntimeError("No requested deployment to search candidates for.")
    return rows


def search_params(deployment, country, start, end, term, fields) -> dict:
    return {
        "deployment": deployment,
        "country": country,
        "start": start,
        "end": end,
        "term": term,
        "fields": fields,
        "language": LANGUAGE,
        "level": LEVEL,
        "passport_until": passport_required_until(end),
    }


def run(context: Context) -> list[Row]:
    for deployment, country, start, end, term, fields in requested_deployments():
        params = search_params(deployment, country, start, end, term, fields)
        # The first request that anyone is fit and free for: an empty answer proves little.
        if raw_rows(CANDIDATES, params):
            break
    client = context.agents.api(context.agents.staff)
    url = f"/api/v1/deployments/{params['deployment']}/candidates/?language={LANGUAGE}:{LEVEL}"

    def app():
        return [(item["expert"]["id"], item["score"]) for item in get_json(client, url)]

    def raw():
        rows = raw_rows(CANDIDATES, params)
        orjson.dumps(rows)
        return [(row[0], row[1]) for row in rows]

    app_timing, app_answer = context.measure(app)
    raw_timing, raw_answer = context.measure(raw)
    return [
        Row(
            "3",
            "candidate search (staff, en:3 + project fields)",
            app_timing,
            raw_timing,
            TARGET,
            bool(app_answer) and app_timing.median <= MAX_RATIO * raw_timing.median,
            app_answer,
            raw_answer,
            {"candidates": str(len(app_answer))},
        )
    ]
