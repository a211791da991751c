"""What every page shows beyond the main records, derived from them in set-based statements.

Status histories (each deployment's and enrollment's moves up to its status), the
pre-departure checklists of recent deployments, weekly check-ins of the experts abroad,
site visits of held courses, sites and indicators with yearly measurements for the
projects, and the agency's events. Everything is computed from the rows already loaded
(ids, dates, statuses), so a seed still gives the same rows; variety comes from the ids.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from dispatch.services import STANDARD_CHECKLIST
from programs.models import Event, Site
from trainees.models import CourseVisit

from .base import ANCHOR, ANCHOR_STAMP, CODE_PREFIX, FIRST_DAY, Loader, Plan
from .reference import Reference

# Checklists were kept for the deployments of the last years only.
CHECKLIST_YEARS = 5
# At most half a year of weekly check-ins per stay abroad.
CHECK_IN_WEEKS = 26
EVENTS_PER_YEAR = 30

SYNTHETIC_DEPLOYMENT = "d.post LIKE 'Synthetic %%'"
SYNTHETIC_COURSE = f"c.code LIKE '{CODE_PREFIX}%%'"
SYNTHETIC_PROJECT = f"p.code LIKE '{CODE_PREFIX}%%'"

# (status, previous statuses in order) of a deployment, and when each move was made.
DEPLOYMENT_MOVES = """
SELECT d.id, move.from_status, move.to_status, move.at
FROM dispatch_deployment d
CROSS JOIN LATERAL (VALUES
    ('', 'requested', d.created_at, true),
    ('requested', 'nominated', d.created_at + interval '20 days',
        d.status IN ('nominated', 'preparing', 'deployed', 'returned', 'closed')
        OR (d.status = 'cancelled' AND d.expert_id IS NOT NULL)),
    ('nominated', 'preparing', d.created_at + interval '45 days',
        d.status IN ('preparing', 'deployed', 'returned', 'closed')),
    ('preparing', 'deployed', d.actual_start::timestamptz + interval '9 hours',
        d.status IN ('deployed', 'returned', 'closed')),
    ('deployed', 'returned', d.actual_end::timestamptz + interval '9 hours', d.status IN ('returned', 'closed')),
    ('returned', 'closed', d.actual_end::timestamptz + interval '30 days', d.status = 'closed'),
    (CASE WHEN d.expert_id IS NULL THEN 'requested' ELSE 'nominated' END, 'cancelled',
        least(d.planned_start::timestamptz, %(anchor)s), d.status = 'cancelled')
) AS move(from_status, to_status, at, made)
WHERE {synthetic} AND move.made
"""

ENROLLMENT_MOVES = """
SELECT en.id, move.from_status, move.to_status, move.at
FROM trainees_enrollment en
CROSS JOIN LATERAL (VALUES
    ('', 'nominated', en.created_at, true),
    ('nominated', 'accepted', (en.course_start - 30)::timestamptz, en.status IN ('accepted', 'arrived', 'completed')),
    ('accepted', 'arrived', en.course_start::timestamptz + interval '9 hours', en.status IN ('arrived', 'completed')),
    ('arrived', 'completed', en.course_end::timestamptz + interval '9 hours', en.status = 'completed'),
    ('nominated', en.status, (en.course_start - 25)::timestamptz,
        en.status IN ('waitlisted', 'rejected', 'withdrawn'))
) AS move(from_status, to_status, at, made)
WHERE en.course_id IN (SELECT c.id FROM trainees_course c WHERE {synthetic}) AND move.made
"""

CHECKLIST = """
SELECT d.id, item.kind, item.kind <> 'language_training' OR d.language_training_required,
       CASE WHEN d.actual_start IS NOT NULL OR (d.id + item.position) %% 2 = 0
            THEN (coalesce(d.actual_start, %(anchor_day)s) - 7 - item.position::int)::timestamptz END,
       CASE WHEN d.actual_start IS NOT NULL OR (d.id + item.position) %% 2 = 0 THEN %(by)s::integer END
FROM dispatch_deployment d
CROSS JOIN unnest(%(kinds)s::text[]) WITH ORDINALITY AS item(kind, position)
WHERE {synthetic} AND d.status IN ('preparing', 'deployed', 'returned', 'closed')
  AND d.planned_start >= %(since)s
"""

CHECK_INS = """
SELECT d.id, at, CASE WHEN (d.id + week) %% 13 = 0 THEN 'concern' ELSE 'ok' END, %(by)s::integer
FROM dispatch_deployment d
CROSS JOIN LATERAL generate_series(1, %(weeks)s) AS week
CROSS JOIN LATERAL (SELECT d.actual_start::timestamptz + week * interval '7 days' + interval '10 hours') AS t(at)
WHERE {synthetic} AND d.actual_start IS NOT NULL
  AND d.status IN ('deployed', 'returned', 'closed') AND d.planned_start >= %(since)s
  AND t.at <= least(coalesce(d.actual_end::timestamptz, %(anchor)s), %(anchor)s)
"""

COURSE_VISITS = """
SELECT c.start_date + visit, c.id, 'Synthetic visit ' || visit,
       (%(kinds)s::text[])[1 + (c.id + visit) %% cardinality(%(kinds)s::text[])], c.host_id
FROM trainees_course c CROSS JOIN generate_series(1, 3) AS visit
WHERE {synthetic} AND c.status IN ('held', 'running') AND c.start_date + visit <= c.end_date
"""

# One site for every fifth project, in its country, linked to it.
SITES = """
SELECT 'Synthetic site ' || p.id, (%(kinds)s::text[])[1 + p.id %% cardinality(%(kinds)s::text[])],
       p.country, p.counterpart_id
FROM programs_project p
WHERE {synthetic} AND p.id %% 5 = 0 AND p.country <> ''
"""

# Two indicators for each project that has started (every fifth one internal), measured
# each year from the baseline up to the target or the anchor day.
INDICATORS = """
SELECT p.id, 'Synthetic indicator ' || p.id || '-' || n, CASE WHEN n = 1 THEN '%%' ELSE 'cases' END,
       10 + p.id %% 50, p.start_date, 40 + p.id %% 50 + 10 * n,
       greatest(coalesce(p.end_date, p.start_date + 3 * 365), p.start_date + 365), (p.id + n) %% 5 = 0
FROM programs_project p CROSS JOIN generate_series(1, 2) AS n
WHERE {synthetic} AND p.start_date <= %(anchor_day)s AND p.status IN ('active', 'completed', 'suspended')
"""

MEASUREMENTS = """
SELECT i.id, (i.baseline_date + make_interval(years => year))::date,
       round(i.baseline_value + (i.target_value - i.baseline_value) * year
             / greatest(1, extract(year FROM age(i.target_date, i.baseline_date))), 2),
       p.counterpart_id
FROM programs_indicator i JOIN programs_project p ON p.id = i.project_id
CROSS JOIN LATERAL generate_series(1, 10) AS year
WHERE {synthetic} AND (i.baseline_date + make_interval(years => year))::date <= least(i.target_date, %(anchor_day)s)
"""


def insert_select(loader: Loader, table: str, columns: Sequence[str], select: str, params: dict) -> int:
    """INSERT … SELECT into `table`, its other required text and flag columns left blank.

    Ids follow the highest one present, in the order of the rows' values, so that a seed
    gives the same ids whenever the generator runs, as it does for the loaded tables."""
    started = time.perf_counter()
    blanks = loader.blank_columns(table, ("id", *columns))
    names = ", ".join(("id", *columns, *blanks))
    constants = "".join(f", %(blank_{name})s" for name in blanks)
    loader.cursor.execute(
        f"INSERT INTO {table} ({names})"
        f" SELECT %(first_id)s + row_number() OVER (ORDER BY picked) - 1, picked.*{constants}"
        f" FROM ({select}) AS picked",
        {
            **params,
            **{f"blank_{name}": value for name, value in blanks.items()},
            "first_id": loader.next_id(table),
        },
    )
    count = loader.cursor.rowcount
    if table not in loader.tables:
        loader.tables.append(table)
    loader.mark = time.perf_counter()
    loader.report(f"{table}: {count} rows derived in {loader.mark - started:.1f} s")
    return count


EVENTS = """
WITH programs AS (SELECT array_agg(id ORDER BY id) AS ids FROM programs_program p WHERE {synthetic})
SELECT 'Synthetic event ' || n, (%(kinds)s::text[])[1 + n %% cardinality(%(kinds)s::text[])], day, day + n %% 4,
       'Tokyo', 'JP', (%(countries)s::text[])[1 + n %% %(spread)s : 3 + n %% %(spread)s], 20 + n %% 200,
       CASE WHEN n %% 3 = 0 THEN ids[1 + n %% cardinality(ids)] END
FROM programs, generate_series(1, %(count)s) AS n
CROSS JOIN LATERAL (SELECT %(first)s::date + (n * %(span)s / %(count)s)::int) AS d(day)
"""
EVENT_LINKS = """
SELECT e.id, link.other FROM programs_event e
CROSS JOIN LATERAL (SELECT substring(e.name FROM 17)::int) AS number(n)
CROSS JOIN LATERAL unnest({others}) AS link(other)
WHERE e.name LIKE 'Synthetic event %%'
"""


def stamped(select: str) -> str:
    """`select`'s rows with their creation and change times (the anchor)."""
    return f"SELECT stamped.*, %(anchor)s::timestamptz, %(anchor)s::timestamptz FROM ({select}) AS stamped"


STAMPS = ("created_at", "updated_at")


def generate_coverage(plan: Plan, loader: Loader, ref: Reference) -> None:
    stamp = {"anchor": ANCHOR_STAMP, "anchor_day": ANCHOR, "by": ref.reviewer}
    since = ANCHOR.replace(year=ANCHOR.year - CHECKLIST_YEARS)
    deployments = {"synthetic": SYNTHETIC_DEPLOYMENT}
    courses = {"synthetic": SYNTHETIC_COURSE}
    projects = {"synthetic": SYNTHETIC_PROJECT}
    for table, key, moves, scope in (
        ("dispatch_deploymentstatuschange", "deployment_id", DEPLOYMENT_MOVES, deployments),
        ("trainees_enrollmentstatuschange", "enrollment_id", ENROLLMENT_MOVES, courses),
    ):
        insert_select(
            loader,
            table,
            (key, "from_status", "to_status", "changed_at", "actor_id"),
            f"SELECT moves.*, %(by)s::integer FROM ({moves.format(**scope)}) AS moves",
            stamp,
        )
    insert_select(
        loader,
        "dispatch_checklistitem",
        ("deployment_id", "kind", "required", "done_at", "done_by_id"),
        CHECKLIST.format(**deployments),
        {**stamp, "since": since, "kinds": [str(kind) for kind in STANDARD_CHECKLIST]},
    )
    insert_select(
        loader,
        "dispatch_safetycheckin",
        ("deployment_id", "at", "status", "by_id"),
        CHECK_INS.format(**deployments),
        {**stamp, "since": since, "weeks": CHECK_IN_WEEKS},
    )
    insert_select(
        loader,
        "trainees_coursevisit",
        ("date", "course_id", "place", "kind", "organization_id", *STAMPS),
        stamped(COURSE_VISITS.format(**courses)),
        {**stamp, "kinds": list(CourseVisit.Kind.values)},
    )
    insert_select(
        loader,
        "programs_site",
        ("name", "kind", "country", "organization_id", *STAMPS),
        stamped(SITES.format(**projects)),
        {**stamp, "kinds": list(Site.Kind.values)},
    )
    insert_select(
        loader,
        "programs_site_projects",
        ("site_id", "project_id"),
        "SELECT s.id, substring(s.name FROM 16)::bigint FROM programs_site s WHERE s.name LIKE 'Synthetic site %%'",
        {},
    )
    insert_select(
        loader,
        "programs_indicator",
        (
            "project_id",
            "name",
            "unit",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "internal",
            *STAMPS,
        ),
        stamped(INDICATORS.format(**projects)),
        stamp,
    )
    insert_select(
        loader,
        "programs_measurement",
        ("indicator_id", "period_end", "value", "reported_by_id", *STAMPS),
        stamped(MEASUREMENTS.format(**projects)),
        stamp,
    )
    count = max(1, round(EVENTS_PER_YEAR * (ANCHOR.year - FIRST_DAY.year) * plan.scale))
    insert_select(
        loader,
        "programs_event",
        (
            "name",
            "kind",
            "start_date",
            "end_date",
            "place",
            "country",
            "participating_countries",
            "participant_count",
            "program_id",
            *STAMPS,
        ),
        stamped(EVENTS.format(**projects)),
        {
            **stamp,
            "kinds": list(Event.Kind.values),
            "countries": ref.countries,
            "spread": max(1, len(ref.countries) - 2),
            "count": count,
            "first": FIRST_DAY,
            "span": (ANCHOR - FIRST_DAY).days,
        },
    )
    insert_select(
        loader,
        "programs_event_fields",
        ("event_id", "cooperationfield_id"),
        EVENT_LINKS.format(others="ARRAY[(%(fields)s::bigint[])[1 + number.n %% cardinality(%(fields)s::bigint[])]]"),
        {"fields": ref.fields},
    )
    insert_select(
        loader,
        "programs_event_organizers",
        ("event_id", "organization_id"),
        EVENT_LINKS.format(
            others="CASE WHEN number.n %% 4 = 0 THEN ARRAY[%(home)s, %(partner)s] ELSE ARRAY[%(home)s] END::bigint[]"
        ),
        {"home": ref.home_organizations[0], "partner": ref.coordinators["jica"]},
    )
