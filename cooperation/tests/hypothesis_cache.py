"""Fills Hypothesis' on-disk cache of character tables before the contract tests run.

schemathesis draws strings from the UTF-8 and ASCII alphabets; Hypothesis works out which
code points each codec encodes by trying all 1.1 million of them (about 4 s of one core)
and keeps the answer in `.hypothesis/`. In a fresh checkout every parallel worker would
work it out for itself in its first contract test; `conftest` runs this module once,
while the workers collect the tests, and they read the answer from the cache.
"""

from hypothesis.internal.charmap import charmap, intervals_from_codec

if __name__ == "__main__":
    charmap()
    for codec in ("utf-8", "ascii"):
        intervals_from_codec(codec)
