"""One run of the generator: reference data first, then every app's rows in FK order."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.db import connection, transaction

from .base import Loader, Plan
from .cleanup import delete_synthetic, has_synthetic_data
from .coverage import generate_coverage
from .portfolio import generate_portfolio
from .reference import load_reference
from .roster import generate_roster
from .training import generate_training

SUMMARY_TABLES = (
    "programs_program",
    "programs_project",
    "programs_funding",
    "dispatch_expert",
    "dispatch_mission",
    "dispatch_deployment",
    "trainees_course",
    "trainees_trainee",
    "trainees_enrollment",
    "trainees_delegation",
)


class SyntheticDataExists(Exception):
    """The database already holds synthetic rows and replacing them was not asked for."""


def generate(*, scale: float, seed: int = 1, replace: bool = False, report: Callable[[str], None] = print) -> Loader:
    """Fill the database with a synthetic agency; all of it or nothing (one transaction)."""
    plan = Plan(scale=scale, seed=seed)
    rng = random.Random(plan.seed)
    started = time.perf_counter()
    with transaction.atomic():
        cursor = connection.cursor().cursor
        # Foreign keys are checked after each table's load, not all at commit, so the
        # time of each table includes its checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if has_synthetic_data(cursor):
            if not replace:
                raise SyntheticDataExists
            began = time.perf_counter()
            delete_synthetic(cursor)
            report(f"removed the earlier synthetic rows in {time.perf_counter() - began:.1f} s")
        loader = Loader(cursor=cursor, report=report)
        reference = load_reference(plan, rng, loader)
        portfolio = generate_portfolio(plan, rng, loader, reference)
        generate_roster(plan, rng, loader, reference, portfolio)
        generate_training(plan, rng, loader, reference, portfolio)
        generate_coverage(plan, loader, reference)
        began = time.perf_counter()
        loader.finish()
        report(f"sequences and ANALYZE in {time.perf_counter() - began:.1f} s")
    report(f"total {time.perf_counter() - started:.1f} s")
    return loader


def synthetic_counts() -> dict[str, int]:
    """Row counts of the main tables (every row, synthetic or not)."""
    with connection.cursor() as cursor:
        counts = {}
        for table in SUMMARY_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        return counts
