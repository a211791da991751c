"""Case 5: the IATI file of all published programs and projects (activities per second, memory).

The application side streams `/api/v1/iati/activities.xml` through the test client
without keeping it. The raw side reads the same rows (published programs with their
counterpart, fields, regions, partners, own money and public indicators, their
published projects with counterpart, fields, money and public indicators; each
indicator with its measurements and reporting periods, their targets by category and
approved values with their parts) as one JSON document per program and encodes them
with orjson. Both answer the number of activities. Peak memory is Python's own
(tracemalloc) while streaming a tenth of the file and the whole of it: a file written
in constant memory peaks alike.
"""

from __future__ import annotations

import tracemalloc

import orjson
from django.test import Client

from ..harness import HOST, Context, Row, raw_rows

URL = "/api/v1/iati/activities.xml"
TARGET = "<= 3x raw, flat memory"
MAX_RATIO = 3.0
ACTIVITY = b"<iati-activity "
# The peak at the end may exceed the peak after the first tenth by half at most.
FLAT = 1.5

# An indicator's reporting periods with their targets by category and approved values
# with their parts.
PERIODS = """(SELECT json_agg(json_build_object(
        'period', row_to_json(ip),
        'targets', (SELECT json_agg(json_build_object('category', tb.category_id, 'target', tb.target))
                      FROM programs_periodtargetbreakdown tb WHERE tb.period_id = ip.id),
        'values', (SELECT json_agg(json_build_object('value', v.value, 'parts',
                          (SELECT json_agg(json_build_object('category', b.category_id, 'amount', b.amount))
                             FROM programs_periodvaluebreakdown b WHERE b.period_value_id = v.id))
                          ORDER BY v.reviewed_at, v.id)
                     FROM programs_periodvalue v WHERE v.period_id = ip.id AND v.status = 'approved')
      ) ORDER BY ip.start)
    FROM programs_indicatorperiod ip WHERE ip.indicator_id = {indicator}.id)"""

# Public indicators with their measurements and periods; a program indicator also with
# the periods of the project indicators linked to it (its figures roll theirs up).
INDICATORS = f"""(SELECT json_agg(json_build_object(
        'indicator', row_to_json(i),
        'measurements', (SELECT json_agg(json_build_object('end', m.period_end, 'value', m.value)
                                         ORDER BY m.period_end)
                           FROM programs_measurement m WHERE m.indicator_id = i.id),
        'periods', {PERIODS.format(indicator="i")},
        'linked', (SELECT json_agg({PERIODS.format(indicator="c")}) FROM programs_indicator c
                    WHERE c.parent_id = i.id))
      ORDER BY i.name, i.id)
    FROM programs_indicator i WHERE i.{{owner}}_id = {{alias}}.id AND NOT i.internal)"""

PROGRAMS = f"""
SELECT p.id, row_to_json(p)::text,
  (SELECT row_to_json(o) FROM cooperation_organization o WHERE o.id = p.counterpart_id)::text,
  (SELECT json_agg(f.dac_code) FROM programs_program_fields pf
     JOIN cooperation_cooperationfield f ON f.id = pf.cooperationfield_id WHERE pf.program_id = p.id)::text,
  (SELECT json_agg(r.code) FROM programs_program_priority_regions pr
     JOIN cooperation_region r ON r.id = pr.region_id WHERE pr.program_id = p.id)::text,
  (SELECT json_agg(json_build_object('role', pp.role, 'code', o.code, 'name', o.name, 'kind', o.kind))
     FROM programs_programpartner pp JOIN cooperation_organization o ON o.id = pp.organization_id
    WHERE pp.program_id = p.id)::text,
  (SELECT json_agg(json_build_object('year', fu.fiscal_year, 'currency', fu.currency, 'amount', fu.amount))
     FROM programs_funding fu WHERE fu.program_id = p.id AND fu.project_id IS NULL)::text,
  {INDICATORS.format(owner="program", alias="p")}::text,
  (SELECT json_agg(json_build_object(
        'project', row_to_json(j),
        'counterpart', (SELECT row_to_json(o) FROM cooperation_organization o WHERE o.id = j.counterpart_id),
        'fields', (SELECT json_agg(f.dac_code) FROM programs_project_fields jf
                     JOIN cooperation_cooperationfield f ON f.id = jf.cooperationfield_id WHERE jf.project_id = j.id),
        'fundings', (SELECT json_agg(json_build_object('year', fu.fiscal_year, 'currency', fu.currency,
                                                       'amount', fu.amount) ORDER BY fu.fiscal_year, fu.id)
                       FROM programs_funding fu WHERE fu.project_id = j.id),
        'indicators', {INDICATORS.format(owner="project", alias="j")}
     ) ORDER BY j.code)::text
     FROM programs_project j WHERE j.program_id = p.id AND j.publication = 'published'),
  (SELECT count(*) FROM programs_project j WHERE j.program_id = p.id AND j.publication = 'published')
FROM programs_program p
WHERE p.publication = 'published' AND p.archived_at IS NULL
ORDER BY p.code
"""


def stream(client: Client, *, early_at: int | None = None, marks: list | None = None) -> int:
    """Stream the whole file without keeping it; with `marks`, note the peak memory so far
    once `early_at` activities are out, and at the end."""
    response = client.get(URL)
    if response.status_code != 200:
        raise RuntimeError(f"GET {URL} answered {response.status_code}")
    activities = 0
    for piece in response.streaming_content:
        activities += piece.count(ACTIVITY)
        if marks is not None and not marks and activities >= early_at:
            marks.append(tracemalloc.get_traced_memory()[1])
    if marks is not None:
        marks.append(tracemalloc.get_traced_memory()[1])
    return activities


def raw() -> int:
    activities = 0
    for row in raw_rows(PROGRAMS):
        orjson.dumps(row)
        activities += 1 + row[-1]
    return activities


def peaks(client: Client, early_at: int) -> tuple[int, int]:
    """Python's peak allocation after a tenth of the file and after all of it."""
    marks: list[int] = []
    tracemalloc.start()
    try:
        stream(client, early_at=early_at, marks=marks)
    finally:
        tracemalloc.stop()
    return marks[0], marks[-1]


def run(context: Context) -> list[Row]:
    client = Client(HTTP_HOST=HOST)
    app_timing, app_answer = context.measure(lambda: stream(client), iterations=min(context.iterations, 5))
    raw_timing, raw_answer = context.measure(raw, iterations=min(context.iterations, 5))
    tenth = max(1, app_answer // 10)
    early_peak, full_peak = peaks(client, tenth)
    flat = full_peak <= early_peak * FLAT
    rate = app_answer / app_timing.median if app_timing.median else 0.0
    return [
        Row(
            "5",
            "IATI file, all published programs",
            app_timing,
            raw_timing,
            TARGET,
            app_timing.median <= MAX_RATIO * raw_timing.median and flat,
            app_answer,
            raw_answer,
            {
                "activities": str(app_answer),
                "activities/s": f"{rate:,.0f}",
                "peak MiB (10% / all)": f"{early_peak / 2**20:.1f} / {full_peak / 2**20:.1f}",
            },
        )
    ]
