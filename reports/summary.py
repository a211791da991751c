"""The annual summary: every figure managers report for one year or fiscal year.

The dashboard, its CSV/XLSX exports and the API's `reports/annual-summary` all read this
one function. It has two halves: `period_figures` computes a period's numbers and codes,
each from an app's `stats.py` as one SQL aggregate; the layout below turns them into
tables with words in the reader's language. The numbers are maintained (`maintained.py`):
computed once per period, then read back until a write to the data they come from commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from cooperation.choices import Gender
from cooperation.periods import Period
from dispatch import stats as dispatch_stats
from programs import stats as program_stats
from trainees import stats as trainee_stats

from .maintained import maintained_figures
from .tables import Column, Table

TREND_YEARS = 10
# Shown only while the period runs or is still to come; null in the API for a period that is over.
PLANNED_DEPLOYMENTS = "planned_deployments"
# Stored figures are served only under the definition they were computed with: raise this
# when `period_figures` changes what it returns, and figures stored before are recomputed.
FIGURES_FORMAT = 2


def year_column(*, fiscal: bool) -> Column:
    """A column of years, held as numbers: the fiscal year is the year it starts in."""
    return Column("period", _("Fiscal year") if fiscal else _("Year"))


@dataclass
class Summary:
    period: Period
    headline: Table
    tables: list[Table]
    computed_at: datetime
    reconciliation: Table

    def all_tables(self) -> list[Table]:
        return [self.headline, self.reconciliation, *self.tables]

    def as_dict(self) -> dict[str, Any]:
        figures = {row["key"]: row["value"] for row in self.headline.rows}
        figures.setdefault(PLANNED_DEPLOYMENTS, None)
        return {
            "period": {"label": self.period.label, "start": self.period.start, "end": self.period.end},
            "computed_at": self.computed_at,
            "figures": figures,
            "reconciliation": self.reconciliation.as_dict(),
            "tables": {table.key: table.as_dict() for table in self.tables},
        }


def period_for(*, year: int | None = None, fiscal_year: int | None = None) -> Period:
    if fiscal_year is not None:
        return Period.fiscal_year(fiscal_year)
    assert year is not None, "a year or a fiscal year"
    return Period.calendar_year(year)


# --- the numbers ---------------------------------------------------------------------------


def _group(group: trainee_stats.GroupCount, *, named: bool) -> dict[str, Any]:
    # A country's name is words in the reader's language, given at layout; a region's is data.
    return {
        "code": group.code,
        **({"name": group.name} if named else {}),
        "total": group.total,
        "by_gender": group.by_gender,
    }


def period_figures(period: Period, *, today: date) -> dict[str, Any]:
    """Every number and code the summary shows for `period`, as JSON-ready data (no words for people).

    `today` matters while the period is not over: planned deployments are a figure only
    then, and "secondees now" are counted on the period's last day or today, whichever is first.
    """
    trainees = trainee_stats.trainee_figures(period)
    return {
        "experts": dispatch_stats.experts_dispatched(period),
        PLANNED_DEPLOYMENTS: dispatch_stats.planned_deployments(period) if period.end >= today else None,
        "courses_held": trainees.courses_held,
        "participants": trainees.participants,
        "completed": trainees.completed,
        "withdrawn_after_arrival": trainees.withdrawn_after_arrival,
        "visitors": trainees.visitors,
        "trainees_by_gender": trainees.by_gender,
        "trainees_by_country": [_group(group, named=False) for group in trainees.by_country],
        "trainees_by_region": [_group(group, named=True) for group in trainees.by_region],
        "relief": dispatch_stats.missions_in(period),
        "relief_since_1987": dispatch_stats.relief_cumulative(until=period.end),
        "civilian_police": dispatch_stats.civilian_police_in(period),
        "civilian_police_since_1992": dispatch_stats.civilian_police_cumulative(until=period.end),
        "checkpoints": dispatch_stats.checkpoint_reconciliation(period.end),
        "secondees": dispatch_stats.secondees_by_organization(min(period.end, today)),
        "experts_by_country": dispatch_stats.experts_dispatched_by(period, "country"),
        "experts_by_field": dispatch_stats.experts_dispatched_by(period, "field"),
        "experts_by_term": dispatch_stats.experts_dispatched_by(period, "term"),
        "portfolio_by_region": program_stats.active_by_region(period),
        "portfolio_by_field": program_stats.active_by_field(period),
        "relief_by_team_type": dispatch_stats.missions_by_team_type(period),
    }


def figures_definition() -> str:
    """What stored figures must have been computed under: the format and the settings they read."""
    return f"{FIGURES_FORMAT};targets={sorted(dispatch_stats.secondment_targets().items())}"


# --- the layout ----------------------------------------------------------------------------


def _figure(key: str, label, value) -> dict[str, Any]:
    return {"key": key, "label": str(label), "value": value}


def _secondee_figures(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    key, name = f"secondees_{row['organization']}", row["name"]
    figures = [_figure(key, _("Secondees at %(org)s") % {"org": name}, row["secondees"])]
    if row["target"] is not None:
        figures.append(_figure(f"{key}_target", _("Target for %(org)s") % {"org": name}, row["target"]))
    return figures


def _planned_figures(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Deployments not yet departed, apart from the dispatched: only for a period not yet over."""
    if figures[PLANNED_DEPLOYMENTS] is None:
        return []
    return [
        _figure(
            PLANNED_DEPLOYMENTS,
            _("Planned deployments (requested, nominated or preparing)"),
            figures[PLANNED_DEPLOYMENTS],
        )
    ]


def headline(figures: Mapping[str, Any]) -> Table:
    experts, relief, relief_since_1987 = figures["experts"], figures["relief"], figures["relief_since_1987"]
    rows = [
        _figure("experts_new", _("Experts newly dispatched"), experts["new"]),
        _figure("experts_total", _("Experts dispatched in total"), experts["total"]),
        *_planned_figures(figures),
        _figure("courses_held", _("Courses held"), figures["courses_held"]),
        _figure("trainees", _("Trainees"), figures["participants"]),
        _figure("trainees_completed", _("Trainees who completed"), figures["completed"]),
        _figure(
            "trainees_withdrawn_after_arrival",
            _("Trainees withdrawn after arrival"),
            figures["withdrawn_after_arrival"],
        ),
        _figure("visitors", _("Visitors received"), figures["visitors"]),
        _figure("relief_missions", _("Disaster relief missions"), relief["missions"]),
        _figure("relief_officers", _("Officers sent on disaster relief"), relief["officers"]),
        _figure("relief_officers_since_1987", _("Disaster relief officers since 1987"), relief_since_1987["officers"]),
        _figure(
            "relief_countries_since_1987",
            _("Countries/regions helped since 1987"),
            relief_since_1987["countries"],
        ),
        _figure("civilian_police_officials", _("Civilian-police officials"), figures["civilian_police"]["officers"]),
        _figure(
            "civilian_police_officials_since_1992",
            _("Peace-operation officials since 1992"),
            figures["civilian_police_since_1992"]["officers"],
        ),
        _figure(
            "civilian_police_countries_since_1992",
            _("Countries/regions of peace operations since 1992"),
            figures["civilian_police_since_1992"]["countries"],
        ),
        *(figure for row in figures["secondees"] for figure in _secondee_figures(row)),
    ]
    return Table(
        "summary",
        _("Summary"),
        [Column("label", _("Figure")), Column("value", _("Value"), numeric=True)],
        rows,
    )


def _sourced(title: str, document: str) -> str:
    return f"{title} ({document})"


def _balance_sources(balances: list[dict[str, Any]]) -> str:
    return "; ".join(
        _("%(value)s as of %(day)s: %(source)s")
        % {"value": b["value"], "day": b["as_of"], "source": _sourced(b["source_title"], b["source_document"])}
        for b in balances
    )


def reconciliation(figures: Mapping[str, Any]) -> Table:
    """Each published checkpoint up to the period's end beside recorded + opening balance."""
    rows = [
        {
            **row,
            "label": str(dispatch_stats.cumulative_figure_label(row["figure"])),
            "source": _sourced(row["source_title"], row["source_document"]),
            "balance_source": _balance_sources(row["balance_sources"]),
        }
        for row in figures["checkpoints"]
    ]
    return Table(
        "reconciliation",
        _("Cumulative figures against published totals"),
        [
            Column("label", _("Figure")),
            Column("as_of", _("As of")),
            Column("recorded", _("Recorded"), numeric=True),
            Column("opening_balance", _("Opening balance"), numeric=True),
            Column("cumulative", _("Recorded + opening balance"), numeric=True),
            Column("published", pgettext_lazy("a published total", "Published"), numeric=True),
            Column("difference", _("Difference"), numeric=True),
            Column("source", _("Published in")),
            Column("balance_source", _("Opening balance from")),
        ],
        rows,
    )


def _labelled(rows: list[dict], label_of=None, *, key: str = "key") -> list[dict]:
    """Rows keep their codes for machines and gain a label in the reader's language for people.

    Without `label_of` the row's own label stays; a missing code reads "Not recorded".
    """

    def label(row: dict) -> str:
        if row[key] is None:
            return str(_("Not recorded"))
        return str(label_of(row[key])) if label_of else row["label"]

    return [{**row, "label": label(row)} for row in rows]


def breakdowns(figures: Mapping[str, Any]) -> list[Table]:
    by_gender = figures["trainees_by_gender"]
    genders = sorted(by_gender)
    gender_columns = [Column(f"gender_{g}", Gender(g).label, numeric=True) for g in genders]

    def participant_rows(groups, name_of=None):
        return [
            {
                "code": g["code"],
                "name": name_of(g["code"]) if name_of else g["name"],
                "total": g["total"],
                **{f"gender_{k}": v for k, v in g["by_gender"].items()},
            }
            for g in groups
        ]

    by_country = _labelled(figures["experts_by_country"], lambda code: countries.name(code))
    by_term = _labelled(figures["experts_by_term"], dispatch_stats.term_label)
    by_field = _labelled(figures["experts_by_field"])
    expert_columns = [
        Column("label", _("Group")),
        Column("new", _("Newly dispatched"), numeric=True),
        Column("total", _("In total"), numeric=True),
    ]
    portfolio_columns = [
        Column("name", _("Group")),
        Column("programs", _("Programs"), numeric=True),
        Column("projects", _("Projects"), numeric=True),
    ]
    return [
        Table("experts_by_country", _("Experts dispatched by country"), expert_columns, by_country, "bar"),
        Table("experts_by_field", _("Experts dispatched by field"), expert_columns, by_field, "bar"),
        Table("experts_by_term", _("Experts dispatched by term"), expert_columns, by_term),
        Table(
            "trainees_by_gender",
            _("Trainees by gender"),
            [Column("label", _("Gender")), Column("count", _("Trainees"), numeric=True)],
            [{"gender": g, "label": str(Gender(g).label), "count": by_gender[g]} for g in genders],
            "bar",
        ),
        Table(
            "trainees_by_country",
            _("Trainees by country"),
            [Column("name", _("Country")), Column("total", _("Trainees"), numeric=True), *gender_columns],
            participant_rows(figures["trainees_by_country"], countries.name),
            "bar",
        ),
        Table(
            "trainees_by_region",
            _("Trainees by region"),
            [Column("name", _("Region")), Column("total", _("Trainees"), numeric=True), *gender_columns],
            participant_rows(figures["trainees_by_region"]),
            "bar",
        ),
        Table(
            "portfolio_by_region",
            _("Active portfolio by region"),
            portfolio_columns,
            figures["portfolio_by_region"],
            "bar",
        ),
        Table(
            "portfolio_by_field",
            _("Active portfolio by field"),
            portfolio_columns,
            figures["portfolio_by_field"],
            "bar",
        ),
        Table(
            "relief_by_team_type",
            _("Disaster relief by team type"),
            [
                Column("label", _("Team")),
                Column("missions", _("Missions"), numeric=True),
                Column("officers", _("Officers"), numeric=True),
            ],
            _labelled(figures["relief_by_team_type"], dispatch_stats.team_type_label, key="team_type"),
        ),
    ]


def trend_periods(last: Period, *, fiscal: bool) -> list[Period]:
    """The ten years up to `last`, oldest first."""
    first = last.start.year - TREND_YEARS + 1
    return [Period.fiscal_year(y) if fiscal else Period.calendar_year(y) for y in range(first, last.start.year + 1)]


def trends(periods: list[Period], figures_of: Mapping[str, Mapping[str, Any]], *, fiscal: bool) -> Table:
    """The headline figures of each period, one row a year, from the figures already read."""
    rows = []
    for period in periods:
        figures = figures_of[period.label]
        rows.append(
            {
                "period": period.start.year,
                "experts_new": figures["experts"]["new"],
                "experts_total": figures["experts"]["total"],
                "courses_held": figures["courses_held"],
                "trainees": figures["participants"],
                "visitors": figures["visitors"],
            }
        )
    return Table(
        "trends",
        _("Ten-year trends"),
        [
            year_column(fiscal=fiscal),
            Column("experts_new", _("Experts newly dispatched"), numeric=True),
            Column("experts_total", _("Experts in total"), numeric=True),
            Column("courses_held", _("Courses held"), numeric=True),
            Column("trainees", _("Trainees"), numeric=True),
            Column("visitors", _("Visitors"), numeric=True),
        ],
        rows,
        "line",
    )


def annual_summary(period: Period, *, fiscal: bool = False, with_trends: bool = True) -> Summary:
    """The summary of `period`; with the trends, the ten years up to it come from the same read."""
    today = timezone.localdate()
    periods = trend_periods(period, fiscal=fiscal) if with_trends else [period]
    maintained = maintained_figures(
        periods, today=today, definition=figures_definition(), compute=lambda p: period_figures(p, today=today)
    )
    figures = maintained[period.label].figures
    tables = breakdowns(figures)
    if with_trends:
        tables.append(trends(periods, {label: result.figures for label, result in maintained.items()}, fiscal=fiscal))
    return Summary(period, headline(figures), tables, maintained[period.label].computed_at, reconciliation(figures))
