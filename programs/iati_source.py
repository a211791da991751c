"""What the IATI file is written from: each published program as one JSON document.

PostgreSQL builds, in one statement per round of programs, each program with every row
its activities need (its projects, partners, money, fields, places and public
indicators with their measurements and reporting periods), already ordered and already
summed where the file shows a sum. The writer reads plain dicts: no model instance and
no query per row or per activity.

Numbers travel as text written as the file shows them (no trailing zeros, no exponent),
so no decimal passes through a float; timestamps as the file writes them too (UTC, to
the second).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from django.db.models.expressions import RawSQL

from .choices import ValueStatus
from .models import Program, Publication
from .publication import published_programs

# The two states the file selects on, as SQL literals (constants of the code, not input).
PUBLISHED = f"'{Publication.PUBLISHED.value}'"
APPROVED = f"'{ValueStatus.APPROVED.value}'"

# An organization as a participant: `id` tells partners apart, `code` orders them.
ORGANIZATION = """json_build_object('id', o.id, 'code', o.code, 'name', o.name, 'name_ja', o.name_ja, 'kind', o.kind)"""

COUNTERPART = f"""(SELECT {ORGANIZATION} FROM cooperation_organization o WHERE o.id = {{owner}}.counterpart_id)"""

# Every field's DAC code, repeated codes kept: the sectors are weighted by them.
FIELDS = """(SELECT coalesce(json_agg(f.dac_code), '[]') FROM {table} t
    JOIN cooperation_cooperationfield f ON f.id = t.cooperationfield_id WHERE t.{column} = {owner}.id)"""

# Money per Japanese fiscal year and currency, summed in order.
BUDGETS = """(SELECT coalesce(json_agg(json_build_array(b.fiscal_year, b.currency, trim_scale(b.amount)::text)
                                ORDER BY b.fiscal_year, b.currency COLLATE "C"), '[]')
    FROM (SELECT fiscal_year, currency, sum(amount) AS amount FROM programs_funding fu
          WHERE {condition} GROUP BY fiscal_year, currency) b)"""

# The activity's own columns, shared by programs and projects.
RECORD = """'code', {owner}.code, 'title', {owner}.title, 'title_ja', {owner}.title_ja,
    'description', {owner}.description, 'description_ja', {owner}.description_ja,
    'status', {owner}.status, 'start', {owner}.start_date, 'end', {owner}.end_date, 'country', {owner}.country,
    'updated', to_char({owner}.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')"""

# A category of a breakdown as a dimension: the breakdown's name and the category's.
CATEGORY = """(SELECT json_build_array(d.name, c.name) FROM programs_disaggregationcategory c
    JOIN programs_disaggregation d ON d.id = c.disaggregation_id WHERE c.id = {row}.category_id)"""

# Approved values, oldest approval first, each with its parts by category.
VALUES = f"""(SELECT coalesce(json_agg(json_build_object(
        'value', trim_scale(v.value)::text,
        'parts', (SELECT coalesce(json_agg(
                            json_build_array(b.category_id, trim_scale(b.amount)::text, {CATEGORY.format(row="b")})
                            ORDER BY b.category_id), '[]')
                  FROM programs_periodvaluebreakdown b WHERE b.period_value_id = v.id))
      ORDER BY v.reviewed_at, v.id), '[]')
    FROM {{source}} WHERE v.status = {APPROVED}{{condition}})"""

OWN_VALUES = VALUES.format(source="programs_periodvalue v", condition=" AND v.period_id = ip.id")

# A program indicator's period counts the approved values of the project indicators
# linked to it (published or not: the figure is the program's) within its dates.
POOLED_VALUES = VALUES.format(
    source="""programs_indicator ci JOIN programs_indicatorperiod cp ON cp.indicator_id = ci.id
               JOIN programs_periodvalue v ON v.period_id = cp.id""",
    condition=' AND ci.parent_id = i.id AND cp.start >= ip.start AND cp."end" <= ip."end"',
)

PERIODS = """(SELECT coalesce(json_agg(json_build_object(
        'start', ip.start, 'end', ip."end", 'target', trim_scale(ip.target)::text,
        'targets', (SELECT coalesce(json_agg(json_build_array(trim_scale(tb.target)::text, {category})
                                             ORDER BY tb.category_id), '[]')
                    FROM programs_periodtargetbreakdown tb WHERE tb.period_id = ip.id),
        'values', {values})
      ORDER BY ip.start), '[]')
    FROM programs_indicatorperiod ip WHERE ip.indicator_id = i.id)"""

PROJECT_PERIODS = PERIODS.format(category=CATEGORY.format(row="tb"), values=OWN_VALUES)
PROGRAM_PERIODS = PERIODS.format(
    category=CATEGORY.format(row="tb"),
    values=f"""CASE WHEN EXISTS (SELECT FROM programs_indicator ci WHERE ci.parent_id = i.id)
                    THEN {POOLED_VALUES} ELSE {OWN_VALUES} END""",
)

# Public indicators by name, each measurement with the day after it (the next period's start).
INDICATORS = """(SELECT coalesce(json_agg(json_build_object(
        'name', i.name, 'name_ja', i.name_ja, 'description', i.description, 'unit', i.unit,
        'direction', i.direction, 'aggregation', i.aggregation,
        'baseline', trim_scale(i.baseline_value)::text, 'baseline_date', i.baseline_date,
        'target', trim_scale(i.target_value)::text, 'target_date', i.target_date,
        'measurements', (SELECT coalesce(json_agg(
                                json_build_array(m.period_end, trim_scale(m.value)::text, m.period_end + 1)
                                ORDER BY m.period_end), '[]')
                         FROM programs_measurement m WHERE m.indicator_id = i.id),
        'periods', {periods})
      ORDER BY i.name, i.id), '[]')
    FROM programs_indicator i WHERE i.{column} = {owner}.id AND NOT i.internal)"""

OWNER = Program._meta.db_table

PROJECTS = f"""(SELECT coalesce(json_agg(json_build_object(
        {RECORD.format(owner="j")},
        'counterpart', {COUNTERPART.format(owner="j")},
        'fields', {FIELDS.format(table="programs_project_fields", column="project_id", owner="j")},
        'budgets', {BUDGETS.format(condition="fu.project_id = j.id")},
        'indicators', {INDICATORS.format(column="project_id", owner="j", periods=PROJECT_PERIODS)})
      ORDER BY j.code), '[]')
    FROM programs_project j WHERE j.program_id = {OWNER}.id AND j.publication = {PUBLISHED})"""

# The program's columns are read from the row of Django's query, which names the table itself.
PROGRAM = f"""json_build_object(
        {RECORD.format(owner=OWNER)}, 'objectives', {OWNER}.objectives,
        'counterpart', {COUNTERPART.format(owner=OWNER)},
        'fields', {FIELDS.format(table="programs_program_fields", column="program_id", owner=OWNER)},
        'regions', (SELECT coalesce(json_agg(r.code), '[]') FROM programs_program_priority_regions pr
                    JOIN cooperation_region r ON r.id = pr.region_id WHERE pr.program_id = {OWNER}.id),
        'partners', (SELECT coalesce(json_agg(json_build_array(pp.role, {ORGANIZATION})
                                              ORDER BY pp.role, o.code, o.id), '[]')
                     FROM programs_programpartner pp JOIN cooperation_organization o ON o.id = pp.organization_id
                     WHERE pp.program_id = {OWNER}.id),
        'budgets', {BUDGETS.format(condition=f"fu.program_id = {OWNER}.id AND fu.project_id IS NULL")},
        'indicators', {INDICATORS.format(column="program_id", owner=OWNER, periods=PROGRAM_PERIODS)},
        'projects', {PROJECTS})::text"""


def program_documents(*, chunk_size: int) -> Iterator[dict[str, Any]]:
    """Published programs in code order, `chunk_size` per statement (keyset on the code,
    so each round starts where the last one stopped and memory holds one round). Each
    document's text is let go once it is read, so a round weighs less as it is written."""
    after = ""
    while True:
        pending = list(
            published_programs()
            .filter(code__gt=after)
            .order_by("code")
            .values_list(RawSQL(PROGRAM, ()), flat=True)[:chunk_size]
        )
        full = len(pending) == chunk_size
        pending.reverse()
        while pending:
            program = orjson.loads(pending.pop())
            after = program["code"]
            yield program
        if not full:
            return
