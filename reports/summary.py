"""The annual summary: every figure managers report for one year or fiscal year.

The dashboard, its CSV/XLSX exports and the API's `reports/annual-summary` all read this
one function; each figure comes from an app's `stats.py` as one SQL aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cooperation.choices import Gender
from cooperation.periods import Period
from dispatch import stats as dispatch_stats
from programs import stats as program_stats
from trainees import stats as trainee_stats

from .tables import Column, Table

TREND_YEARS = 10
# Shown only while the period runs or is still to come; null in the API for a period that is over.
PLANNED_DEPLOYMENTS = "planned_deployments"


@dataclass
class Summary:
    period: Period
    headline: Table
    tables: list[Table]

    def all_tables(self) -> list[Table]:
        return [self.headline, *self.tables]

    def as_dict(self) -> dict[str, Any]:
        figures = {row["key"]: row["value"] for row in self.headline.rows}
        figures.setdefault(PLANNED_DEPLOYMENTS, None)
        return {
            "period": {"label": self.period.label, "start": self.period.start, "end": self.period.end},
            "figures": figures,
            "tables": {table.key: table.as_dict() for table in self.tables},
        }


def period_for(*, year: int | None = None, fiscal_year: int | None = None) -> Period:
    if fiscal_year is not None:
        return Period.fiscal_year(fiscal_year)
    assert year is not None, "a year or a fiscal year"
    return Period.calendar_year(year)


def _figure(key: str, label, value) -> dict[str, Any]:
    return {"key": key, "label": str(label), "value": value}


def _secondee_figures(row: dict) -> list[dict[str, Any]]:
    key, name = f"secondees_{row['organization']}", row["name"]
    figures = [_figure(key, _("Secondees at %(org)s") % {"org": name}, row["secondees"])]
    if row["target"] is not None:
        figures.append(_figure(f"{key}_target", _("Target for %(org)s") % {"org": name}, row["target"]))
    return figures


def _planned_figures(period: Period) -> list[dict[str, Any]]:
    """Deployments not yet departed, apart from the dispatched: only for a period not yet over."""
    if period.end < timezone.localdate():
        return []
    return [
        _figure(
            PLANNED_DEPLOYMENTS,
            _("Planned deployments (requested, nominated or preparing)"),
            dispatch_stats.planned_deployments(period),
        )
    ]


def headline(period: Period, trainees: trainee_stats.TraineeFigures) -> Table:
    experts = dispatch_stats.experts_dispatched(period)
    relief = dispatch_stats.missions_in(period)
    relief_since_1987 = dispatch_stats.relief_cumulative(until=period.end)
    civilian_police = dispatch_stats.civilian_police_in(period)
    # "Secondees now": as of the period's last day, or today while the period runs.
    secondees = dispatch_stats.secondees_by_organization(min(period.end, timezone.localdate()))
    rows = [
        _figure("experts_new", _("Experts newly dispatched"), experts["new"]),
        _figure("experts_total", _("Experts dispatched in total"), experts["total"]),
        *_planned_figures(period),
        _figure("courses_held", _("Courses held"), trainees.courses_held),
        _figure("trainees", _("Trainees"), trainees.participants),
        _figure("trainees_completed", _("Trainees who completed"), trainees.completed),
        _figure(
            "trainees_withdrawn_after_arrival",
            _("Trainees withdrawn after arrival"),
            trainees.withdrawn_after_arrival,
        ),
        _figure("visitors", _("Visitors received"), trainees.visitors),
        _figure("relief_missions", _("Disaster relief missions"), relief["missions"]),
        _figure("relief_officers", _("Officers sent on disaster relief"), relief["officers"]),
        _figure("relief_officers_since_1987", _("Disaster relief officers since 1987"), relief_since_1987["officers"]),
        _figure(
            "relief_countries_since_1987",
            _("Countries/regions helped since 1987"),
            relief_since_1987["countries"],
        ),
        _figure("civilian_police_officials", _("Civilian-police officials"), civilian_police["officers"]),
        *(figure for row in secondees for figure in _secondee_figures(row)),
    ]
    return Table(
        "summary",
        _("Summary"),
        [Column("label", _("Figure")), Column("value", _("Value"), numeric=True)],
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


def breakdowns(period: Period, trainees: trainee_stats.TraineeFigures) -> list[Table]:
    genders = sorted(trainees.by_gender)
    gender_columns = [Column(f"gender_{g}", Gender(g).label, numeric=True) for g in genders]

    def participant_rows(groups):
        return [
            {"code": g.code, "name": g.name, "total": g.total, **{f"gender_{k}": v for k, v in g.by_gender.items()}}
            for g in groups
        ]

    by_country = _labelled(dispatch_stats.experts_dispatched_by(period, "country"), lambda code: countries.name(code))
    by_term = _labelled(dispatch_stats.experts_dispatched_by(period, "term"), dispatch_stats.term_label)
    by_field = _labelled(dispatch_stats.experts_dispatched_by(period, "field"))
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
            [{"gender": g, "label": str(Gender(g).label), "count": trainees.by_gender[g]} for g in genders],
            "bar",
        ),
        Table(
            "trainees_by_country",
            _("Trainees by country"),
            [Column("name", _("Country")), Column("total", _("Trainees"), numeric=True), *gender_columns],
            participant_rows(trainees.by_country),
            "bar",
        ),
        Table(
            "trainees_by_region",
            _("Trainees by region"),
            [Column("name", _("Region")), Column("total", _("Trainees"), numeric=True), *gender_columns],
            participant_rows(trainees.by_region),
            "bar",
        ),
        Table(
            "portfolio_by_region",
            _("Active portfolio by region"),
            portfolio_columns,
            program_stats.active_by_region(period),
            "bar",
        ),
        Table(
            "portfolio_by_field",
            _("Active portfolio by field"),
            portfolio_columns,
            program_stats.active_by_field(period),
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
            _labelled(dispatch_stats.missions_by_team_type(period), dispatch_stats.team_type_label, key="team_type"),
        ),
    ]


def trends(last: Period, *, fiscal: bool) -> Table:
    """The headline figures for the ten years up to `last`, one row a year."""
    first = last.start.year - TREND_YEARS + 1
    rows = []
    for year in range(first, last.start.year + 1):
        period = Period.fiscal_year(year) if fiscal else Period.calendar_year(year)
        experts = dispatch_stats.experts_dispatched(period)
        trainees = trainee_stats.participant_totals(period)
        rows.append(
            {
                "period": period.label,
                "experts_new": experts["new"],
                "experts_total": experts["total"],
                "courses_held": trainee_stats.courses_held(period),
                "trainees": trainees["participants"],
                "visitors": trainee_stats.visitors(period)["visitors"],
            }
        )
    return Table(
        "trends",
        _("Ten-year trends"),
        [
            Column("period", _("Year")),
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
    # The trainee figures feed both the headline and the breakdowns: read them once.
    trainees = trainee_stats.trainee_figures(period)
    tables = breakdowns(period, trainees)
    if with_trends:
        tables.append(trends(period, fiscal=fiscal))
    return Summary(period, headline(period, trainees), tables)
