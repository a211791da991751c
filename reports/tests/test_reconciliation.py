"""On a fresh database with the reference data, the annual summary reproduces the published
cumulative totals and the dashboard shows each beside recorded + opening balance, with its
sources. The records are loaded the way `make run` loads them."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.utils.html import escape

from cooperation.periods import Period
from dispatch.models import FigureCheckpoint, OpeningBalance
from dispatch.services import opening_balance_create
from reports.summary import annual_summary

pytestmark = pytest.mark.django_db

# The published totals (DESIGN.md, "Figures"), by the summary's headline keys, for the
# calendar years of the two documents: the 2005 policy paper and the 2012 white paper.
PUBLISHED = {
    2005: {
        "relief_officers_since_1987": 143,
        "relief_countries_since_1987": 9,
        "civilian_police_officials_since_1992": 78,
        "civilian_police_countries_since_1992": 2,
    },
    2012: {"relief_officers_since_1987": 242, "relief_countries_since_1987": 13},
}


@pytest.fixture(scope="module", autouse=True)
def reference(module_transaction):
    """Loaded once for the module's tests."""
    for command in ("load_reference_data", "load_reference_missions"):  # as `make run` loads them
        call_command(command, stdout=io.StringIO())


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_the_annual_summary_reproduces_the_published_totals(year):
    summary = annual_summary(Period.calendar_year(year), with_trends=False).as_dict()
    assert {key: summary["figures"][key] for key in PUBLISHED[year]} == PUBLISHED[year]
    rows = summary["reconciliation"]["rows"]
    assert any(row["as_of"].startswith(str(year)) for row in rows)
    for row in rows:
        assert row["cumulative"] == row["published"], row
        assert row["difference"] == 0


def test_the_dashboard_shows_each_checkpoint_with_its_sources(client, manager_user):
    client.force_login(manager_user)
    html = client.get("/dashboard/?kind=year&value=2012").content.decode()
    section = html[html.index('id="table-reconciliation"') :]
    section = section[: section.index("</section>")]
    for checkpoint in FigureCheckpoint.objects.all():
        assert escape(checkpoint.get_figure_display()) in section
        assert f"<td>{checkpoint.value}</td>" in section
        assert escape(checkpoint.source_title) in section
        assert checkpoint.source_document in section
    for balance in OpeningBalance.objects.all():
        assert f"{balance.value} as of {balance.as_of.isoformat()}" in section
    table = client.get("/dashboard/download/?kind=year&value=2012&table=reconciliation").content.decode()
    rows = list(csv.reader(io.StringIO(table.lstrip("\ufeff"))))
    assert len(rows) == 1 + FigureCheckpoint.objects.count()


def test_the_api_carries_the_peace_operations_figure(manager_api):
    answer = manager_api.get("/api/v1/reports/annual-summary?year=2005").json()
    assert answer["figures"]["civilian_police_officials_since_1992"] == 78
    assert answer["figures"]["civilian_police_countries_since_1992"] == 2
    assert {row["figure"] for row in answer["reconciliation"]["rows"]} == {
        "relief_officers",
        "relief_countries",
        "peace_officials",
        "peace_countries",
    }


def test_a_new_opening_balance_reaches_the_stored_figures(staff_user):
    period = Period.calendar_year(2013)
    before = annual_summary(period, with_trends=False).as_dict()["figures"]["relief_officers_since_1987"]
    opening_balance_create(
        actor=staff_user,
        figure="relief_officers",
        as_of=date(2013, 6, 30),
        value=12,
        source_title="Annual report",
        source_document="domain/annual.txt",
        explanation="The published total less what the records count.",
    )
    after = annual_summary(period, with_trends=False).as_dict()["figures"]["relief_officers_since_1987"]
    assert after == before + 12
