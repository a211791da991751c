"""Tools for developers only: the synthetic agency and its command, used by the benchmarks.

It sits on top of the domain apps (it writes their tables) and nothing in the product
imports it, so `cooperation` stays free of `programs`, `dispatch` and `trainees`.
"""
