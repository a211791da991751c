"""The reference data reproduce the published cumulative totals, as of each checkpoint's
day, through the path `make run` loads them by."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from dispatch.choices import CumulativeFigure
from dispatch.models import FigureCheckpoint, OpeningBalance
from dispatch.models.balances import FIGURE_MISSIONS
from dispatch.stats import checkpoint_reconciliation, civilian_police_cumulative, relief_cumulative

pytestmark = pytest.mark.django_db

# The totals the sources publish, as the sources word them (DESIGN.md, "Figures").
PUBLISHED = {
    ("relief_officers", date(2005, 9, 30)): 143,
    ("relief_countries", date(2005, 9, 30)): 9,
    ("peace_officials", date(2005, 9, 30)): 78,
    ("peace_countries", date(2005, 9, 30)): 2,
    ("relief_officers", date(2012, 12, 31)): 242,
    ("relief_countries", date(2012, 12, 31)): 13,
}
CUMULATIVE = {"disaster_relief": relief_cumulative, "civilian_police": civilian_police_cumulative}


@pytest.fixture(scope="module", autouse=True)
def reference(module_transaction):
    """Loaded once for the module's tests, which only read it."""
    for command in ("load_reference_data", "load_reference_missions"):  # as `make run` loads them
        call_command(command, stdout=StringIO())


def _figure_as_of(figure: str, day: date) -> int:
    kind, measure = FIGURE_MISSIONS[CumulativeFigure(figure)]
    return CUMULATIVE[kind](day)[measure]


def test_the_reference_data_reproduce_every_published_total(reference):
    checkpoints = {(c.figure, c.as_of): c for c in FigureCheckpoint.objects.all()}
    assert {key: c.value for key, c in checkpoints.items()} == PUBLISHED
    for (figure, day), published in PUBLISHED.items():
        assert _figure_as_of(figure, day) == published, (figure, day)
        assert checkpoints[figure, day].source_document.startswith("domain/")


def test_the_peace_operations_total_rests_on_the_two_recorded_missions(reference):
    """Cambodia (1992-93) and East Timor (1999) carry the 78 officials: no opening balance."""
    as_of_2005 = civilian_police_cumulative(date(2005, 9, 30))
    assert as_of_2005["recorded"] == {"officers": 78, "countries": 2}
    assert as_of_2005["opening_balance"] == {"officers": 0, "countries": 0}
    assert not OpeningBalance.objects.filter(figure__startswith="peace").exists()


def test_reconciliation_shows_each_checkpoint_with_its_sources(reference):
    rows = checkpoint_reconciliation(date(2012, 12, 31))
    assert {(row["figure"], date.fromisoformat(row["as_of"])): row["published"] for row in rows} == PUBLISHED
    for row in rows:
        assert row["cumulative"] == row["recorded"] + row["opening_balance"] == row["published"]
        assert row["difference"] == 0
        balances = OpeningBalance.objects.filter(figure=row["figure"], as_of__lte=row["as_of"])
        assert [b["source_document"] for b in row["balance_sources"]] == [b.source_document for b in balances]
    # A period that ends before the 2012 paper shows the 2005 checkpoints only.
    assert {row["as_of"] for row in checkpoint_reconciliation(date(2011, 12, 31))} == {"2005-09-30"}
