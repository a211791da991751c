"""The managers' dashboard and reports: figures from each app's stats, one export path.

The top layer: it reads `programs`, `dispatch` and `trainees` through their `stats.py`
and `selectors.py`, and nothing below imports it.
"""
