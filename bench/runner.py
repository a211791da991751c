"""Runs the chosen cases in order and prints the table as it grows."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from .harness import Row, context, format_table

CASES = {
    "summary": "bench.cases.summary",
    "lists": "bench.cases.lists",
    "candidates": "bench.cases.candidates",
    "nomination": "bench.cases.nomination",
    "iati": "bench.cases.iati",
    "admin": "bench.cases.admin",
}


def run_cases(
    names: list[str], *, iterations: int, warmup: int, echo: Callable[[str], None] | None = None
) -> list[Row]:
    ctx = context(iterations=iterations, warmup=warmup)
    rows: list[Row] = []
    for name in names:
        module = importlib.import_module(CASES[name])
        rows.extend(module.run(ctx))
        if echo:
            echo(format_table(rows) + "\n")
    return rows
