"""schemathesis' coverage cases, built when their test first runs instead of at collection.

schemathesis builds every operation's deterministic coverage cases (about 22,000 in all)
while pytest collects the contract module, and attaches them to each test as Hypothesis
explicit examples. Under pytest-xdist every worker collects every test but runs only its
share, so each worker built all 22,000 cases to send a third of them: about 12 seconds of
one core per worker. Here the same cases, in the same order, are built by the first run
of the test they belong to (the staff and coordinator variants share them, as before).

Importing this module installs the change; the contract module imports it before its
tests are generated.
"""

from collections.abc import Callable, Iterator

from schemathesis.generation.hypothesis import builder


class CoverageCases(list):
    """A test's explicit examples: those attached at collection, then the coverage cases,
    which `build` returns on the first look at the list."""

    def __init__(self, attached: list, build: Callable[[], list]):
        super().__init__(attached)
        self._build: Callable[[], list] | None = build

    def _built(self) -> "CoverageCases":
        if self._build is not None:
            build, self._build = self._build, None
            self.extend(build())
        return self

    def __iter__(self) -> Iterator:
        return list.__iter__(self._built())

    def __reversed__(self) -> Iterator:
        return list.__reversed__(self._built())

    def __len__(self) -> int:
        return list.__len__(self._built())

    def __getitem__(self, index):
        return list.__getitem__(self._built(), index)


_add_coverage_now = builder.add_coverage


def _add_coverage_when_run(test, *args, **kwargs):
    def build() -> list:
        # schemathesis' own function, applied to a stand-in that receives the examples.
        def holder(): ...

        _add_coverage_now(holder, *args, **kwargs)
        unserializable = builder.UnserializablePayloadMark.get(holder)
        if unserializable is not None:
            builder.UnserializablePayloadMark.set(test, unserializable)
        return getattr(holder, "hypothesis_explicit_examples", [])

    test.hypothesis_explicit_examples = CoverageCases(getattr(test, "hypothesis_explicit_examples", []), build)
    return test


builder.add_coverage = _add_coverage_when_run
