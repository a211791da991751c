"""How fast the IATI file streams and how much memory it takes as the portfolio grows.

Run: python -m cooperation.devstack exec -- python bench/iati_memory.py [N ...]

Builds N published programs (each with one published project, fields, partners,
funding, an indicator and two measurements) in a throwaway database `bench_iati`,
streams the whole file without keeping it, and prints activities per second and the
peak memory Python allocated while streaming (tracemalloc). Flat memory from
N=1000 to N=5000 shows the file is written in constant memory.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from cooperation.models import CooperationField, Organization  # noqa: E402
from programs.iati import iati_activities  # noqa: E402
from programs.models import (  # noqa: E402
    Funding,
    Indicator,
    Measurement,
    Program,
    ProgramPartner,
    Project,
    Publication,
)

BATCH = 500
REVIEWED = datetime(2024, 4, 1, tzinfo=UTC)


def build(first: int, last: int, *, submitter, reviewer, fields, partners) -> None:
    for start in range(first, last, BATCH):
        numbers = range(start, min(start + BATCH, last))
        review = {
            "publication": Publication.PUBLISHED,
            "submitted_by": submitter,
            "submitted_at": REVIEWED,
            "reviewed_by": reviewer,
            "reviewed_at": REVIEWED,
        }
        programs = Program.objects.bulk_create(
            Program(
                code=f"bench-{n}",
                title=f"Benchmark program {n}",
                title_ja=f"ベンチマーク {n}",
                description="A synthetic program for the streaming benchmark. " * 4,
                country="ID",
                start_date=date(2010, 4, 1),
                status="active",
                **review,
            )
            for n in numbers
        )
        projects = Project.objects.bulk_create(
            Project(
                program=program,
                code=f"{program.code}-p",
                title=f"{program.title} project",
                start_date=date(2012, 4, 1),
                status="active",
                **review,
            )
            for program in programs
        )
        Program.fields.through.objects.bulk_create(
            Program.fields.through(program=program, cooperationfield=field) for program in programs for field in fields
        )
        Project.fields.through.objects.bulk_create(
            Project.fields.through(project=project, cooperationfield=fields[0]) for project in projects
        )
        ProgramPartner.objects.bulk_create(
            ProgramPartner(program=program, organization=organization, role=role)
            for program in programs
            for organization, role in partners
        )
        Funding.objects.bulk_create(
            Funding(
                program=project.program, project=project, organization=partners[0][0], fiscal_year=year, amount=1000
            )
            for project in projects
            for year in (2012, 2013)
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(
                project=project,
                name="Model police stations",
                baseline_value=Decimal(0),
                baseline_date=date(2012, 4, 1),
                target_value=Decimal(40),
                target_date=date(2016, 3, 31),
            )
            for project in projects
        )
        Measurement.objects.bulk_create(
            Measurement(indicator=indicator, period_end=date(year, 3, 31), value=Decimal(year - 2010))
            for indicator in indicators
            for year in (2013, 2014)
        )


def measure() -> tuple[int, float, int, int]:
    tracemalloc.start()
    began = time.perf_counter()
    size = activities = 0
    for piece in iati_activities():
        size += len(piece)
        activities += piece.count(b"<iati-activity ")
    elapsed = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return activities, elapsed, peak, size


def main(sizes: list[int]) -> None:
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "bench_iati"
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        users = get_user_model().objects
        submitter = users.create_user("bench-submitter")
        reviewer = users.create_user("bench-reviewer")
        fields = [
            CooperationField.objects.create(code=f"bench-{n}", name=f"Bench field {n}", dac_code=code)
            for n, code in enumerate(("15132", "15210", "16063"))
        ]
        partners = [
            (Organization.objects.create(code=f"bench-{role}", name=f"Bench {role}", kind="development_agency"), role)
            for role in ProgramPartner.Role.values
        ]
        built = 0
        print(f"{'programs':>9} {'activities':>11} {'seconds':>8} {'activities/s':>13} {'peak MiB':>9} {'file MiB':>9}")
        for size in sorted(sizes):
            build(built, size, submitter=submitter, reviewer=reviewer, fields=fields, partners=partners)
            built = size
            activities, elapsed, peak, length = measure()
            print(
                f"{size:>9} {activities:>11} {elapsed:>8.2f} {activities / elapsed:>13.0f} "
                f"{peak / 2**20:>9.2f} {length / 2**20:>9.2f}"
            )
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 5000])
