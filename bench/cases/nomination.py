"""Case 4: a partner's CSV file of 5,000 participants nominated to one course (rows per second).

Each run nominates into a fresh open course inside a transaction that is rolled back,
so every run meets the same database. The raw side writes the same trainees,
enrollments and status-history rows with three set-based statements (after the same
identity lookup); it leaves out the audit-history copies the application also writes.
Both sides answer (nominated, new trainees).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from trainees.models import Course
from trainees.nominations import COLUMNS

from ..harness import Context, Row, raw_rows

ROWS = 5000
TARGET = "<= 2x raw, history kept"
MAX_RATIO = 2.0
NATIONALITIES = ("ID", "PH", "VN", "TH", "MY", "KH", "LA", "MM", "BD", "LK")
GENDERS = ("female", "male")


class _RolledBack(Exception):
    pass


def participants(count: int) -> list[dict]:
    born = date(1975, 1, 1)
    return [
        {
            "family_name": f"Benchmark{n:05d}",
            "given_name": "Nominee",
            "name_ja": "",
            "gender": GENDERS[n % 2],
            "date_of_birth": born + timedelta(days=n),
            "nationality": NATIONALITIES[n % len(NATIONALITIES)],
            "organization": "",
            "rank": "Inspector",
            "position": "Investigator",
            "email": f"nominee{n}@example.org",
            "phone": "",
            "passport_number": "",
            "passport_expiry": "",
        }
        for n in range(count)
    ]


def csv_file(people: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for person in people:
        writer.writerow(
            [person[column] if column != "date_of_birth" else person[column].isoformat() for column in COLUMNS]
        )
    return out.getvalue().encode()


def bench_course(host_id: int) -> Course:
    today = timezone.localdate()
    return Course.objects.create(
        code="bench-nominations",
        title="Benchmark course for bulk nominations",
        kind=Course.Kind.NPA_INVITATION,
        host_id=host_id,
        start_date=today + timedelta(days=60),
        end_date=today + timedelta(days=80),
        nomination_deadline=today + timedelta(days=30),
        capacity=ROWS,
        status=Course.Status.OPEN,
    )


def rolled_back(work):
    """Run `work` in a transaction that is always undone; its answer survives."""
    answer = None
    try:
        with transaction.atomic():
            answer = work()
            raise _RolledBack
    except _RolledBack:
        pass
    return answer


EXISTING = """
SELECT t.id FROM trainees_trainee t
JOIN unnest(%(nationality)s::text[], %(family)s::text[], %(given)s::text[], %(born)s::date[]) AS f(n, fa, gi, b)
  ON t.nationality = f.n AND t.date_of_birth = f.b
 AND lower(regexp_replace(t.family_name, '\\s', '', 'g')) = lower(regexp_replace(f.fa, '\\s', '', 'g'))
 AND lower(regexp_replace(t.given_name, '\\s', '', 'g')) = lower(regexp_replace(f.gi, '\\s', '', 'g'))
"""

INSERT_TRAINEES = """
INSERT INTO trainees_trainee (created_at, updated_at, family_name, given_name, name_ja, gender, date_of_birth,
                              nationality, rank, position, email, phone, passport_number)
SELECT now(), now(), fa, gi, '', g, b, n, 'Inspector', 'Investigator', e, '', ''
FROM unnest(%(family)s::text[], %(given)s::text[], %(gender)s::text[], %(born)s::date[], %(nationality)s::text[],
            %(email)s::text[]) AS f(fa, gi, g, b, n, e)
RETURNING id
"""

INSERT_ENROLLMENTS = """
WITH added AS (
    INSERT INTO trainees_enrollment (created_at, updated_at, status, certificate_number, action_plan, evaluation,
                                     course_id, nominated_by_id, trainee_id, course_start, course_end)
    SELECT now(), now(), 'nominated', '', '', '', %(course)s, %(org)s, t, %(start)s, %(end)s
    FROM unnest(%(trainees)s::bigint[]) AS t
    RETURNING id
)
INSERT INTO trainees_enrollmentstatuschange (from_status, to_status, actor_id, changed_at, note, enrollment_id)
SELECT '', 'nominated', %(actor)s, now(), %(note)s, id FROM added
RETURNING id
"""


def run(context: Context) -> list[Row]:
    agents = context.agents
    client = agents.api(agents.coordinator)
    people = participants(ROWS)
    content = csv_file(people)
    arrays = {
        "family": [p["family_name"] for p in people],
        "given": [p["given_name"] for p in people],
        "gender": [p["gender"] for p in people],
        "born": [p["date_of_birth"] for p in people],
        "nationality": [p["nationality"] for p in people],
        "email": [p["email"] for p in people],
    }

    def app():
        course = bench_course(agents.partner.pk)
        upload = io.BytesIO(content)
        upload.name = "nominations.csv"
        response = client.post(f"/api/v1/courses/{course.pk}/nominations/", {"file": upload}, format="multipart")
        if response.status_code != 201 and response.status_code != 200:
            raise RuntimeError(f"nominations answered {response.status_code}: {response.content[:500]!r}")
        body = response.json()
        return body["nominated"], body["new_trainees"]

    def raw():
        course = bench_course(agents.partner.pk)
        existing = raw_rows(EXISTING, arrays)
        trainees = [row[0] for row in raw_rows(INSERT_TRAINEES, arrays)]
        changes = raw_rows(
            INSERT_ENROLLMENTS,
            {
                "course": course.pk,
                "org": agents.partner.pk,
                "trainees": trainees,
                "start": course.start_date,
                "end": course.end_date,
                "actor": agents.coordinator.pk,
                "note": f"Nominated from a file of {ROWS} participants.",
            },
        )
        return len(changes), len(trainees) - len(existing)

    iterations = min(context.iterations, 5)
    app_timing, app_answer = context.measure(lambda: rolled_back(app), iterations=iterations)
    raw_timing, raw_answer = context.measure(lambda: rolled_back(raw), iterations=iterations)
    rate = ROWS / app_timing.median
    ratio = app_timing.median / raw_timing.median
    return [
        Row(
            "4",
            f"CSV bulk nomination, {ROWS} rows (partner)",
            app_timing,
            raw_timing,
            TARGET,
            ratio <= MAX_RATIO,
            app_answer,
            raw_answer,
            {"app rows/s": f"{rate:,.0f}", "raw rows/s": f"{ROWS / raw_timing.median:,.0f}"},
        )
    ]
