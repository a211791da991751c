"""`python -m bench [case ...] [--iterations N] [--warmup N]`: run the cases and print the table.

Run inside `python -m cooperation.devstack exec --` (or with DATABASE_URL set) against a
database holding synthetic data (`manage.py generate_synthetic`). Case 6, the load test
against gunicorn (`bench/load.py`), runs last when every case is asked for.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")


def main(argv: list[str]) -> int:
    import django

    django.setup()

    from .runner import CASES, run_cases

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help=f"cases to run: {', '.join(CASES)} (default: all)")
    parser.add_argument("--iterations", type=int, default=20, help="timed runs per path (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    args = parser.parse_args(argv)
    unknown = [case for case in args.cases if case not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    rows = run_cases(args.cases or list(CASES), iterations=args.iterations, warmup=args.warmup, echo=print)
    disagreeing = [row for row in rows if not row.agrees]
    verdicts = [row.met for row in rows if row.met is not None]
    load_failed = False
    if not args.cases:
        from . import load
        from .harness import format_table

        print("\n6. load test (bench/load.py)", flush=True)
        outcome, clients = load.measure([])
        row = outcome.row(clients)
        print(f"\n{format_table([row])}", flush=True)
        verdicts.append(bool(row.met))
        load_failed = bool(outcome.errors) or not outcome.mixed.requests
    print(f"\n{targets_met(verdicts)}", flush=True)
    return 1 if disagreeing or load_failed else 0


def targets_met(verdicts: list[bool]) -> str:
    return f"{sum(verdicts)} of {len(verdicts)} targets met"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
