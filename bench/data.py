"""`python -m bench.data --scale N`: load the synthetic agency unless the database already holds it."""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from devtools.synthetic.cleanup import has_synthetic_data

    parser = argparse.ArgumentParser(prog="python -m bench.data")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with connection.cursor() as cursor:
        loaded = has_synthetic_data(cursor.cursor)
    if loaded:
        print("synthetic data already loaded; benchmarking it as it is", flush=True)
    else:
        call_command("generate_synthetic", scale=args.scale, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
