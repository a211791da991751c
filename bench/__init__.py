"""Benchmarks of the application path against the database's own time for the same answer.

Run `make bench` or `python -m bench [case ...]` inside `python -m cooperation.devstack exec --`.
"""
