"""Suites that cross the layers: each uses several apps at once (the core with the domain apps,
the reports or the benchmarks), so it sits above all of them. A suite of one app stays in that
app's own `tests` package."""
