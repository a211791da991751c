"""The published portfolio as an IATI 2.03 `iati-activities` file, streamed.

Each published program is one activity (hierarchy 1) and each published project of it
another (hierarchy 2), linked by related-activity. The file is written one activity at
a time by lxml's incremental writer, from documents PostgreSQL builds for a round of
programs in one statement (`programs.iati_source`): memory and the number of queries
depend on the round's size, not on the portfolio.

Choices the standard leaves to the publisher:
- Roles: the agency reports and is accountable (2); funding partners fund (1);
  international partners such as UNODC manage the money on the funder's behalf, so
  they extend (3); implementing partners and counterparts implement (4).
- Sectors are reported on the activity only (never on transactions, which the file
  does not carry): the DAC codes of its cooperation fields, weighted by the number of
  fields that share a code, 15132 (Police) when it names none.
- A regional program is placed in the countries of its published projects, else in
  its priority regions (vocabulary 99, the agency's own region codes), else in region
  998 (developing countries, unspecified). Percentages always total exactly 100.
- Budgets come from the funding records, one per Japanese fiscal year (April–March)
  and currency; program-level money stays on the program and a project's money on the
  project, so aggregators that add up the hierarchy count nothing twice.
- Indicators marked internal, and the notes and sources of money and measurements,
  are never published.
- Results: an indicator with reporting periods publishes them, each with its target and
  its actual (the approved values combined by the indicator's aggregation, as the
  progress pages do; values under review never appear), and per breakdown category a
  target and an actual of their own carrying a `dimension` (name: the breakdown, value:
  the category). An indicator without periods publishes its measurements, as before
  periods existed. A program's own indicators appear on the program's activity; a
  period of one that is rolled up from project indicators counts their approved values
  within its dates, the way `programs.results.rolled_up_progress` does.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from lxml import etree

from cooperation.models import Organization
from cooperation.periods import Period

from .choices import Direction
from .iati_source import program_documents
from .models import Funding, ProgramPartner, Status
from .results import combine

IATI_VERSION = "2.03"
# Programs read per statement: memory holds one round of them.
CHUNK_SIZE = 250

ACCOUNTABLE = "2"
PARTNER_ROLE: dict[str, str] = {
    ProgramPartner.Role.FUNDING: "1",
    ProgramPartner.Role.INTERNATIONAL_PARTNER: "3",
    ProgramPartner.Role.IMPLEMENTING: "4",
    ProgramPartner.Role.COUNTERPART: "4",
}
COUNTERPART_ROLE = "4"

# IATI OrganisationType codes: 10 government, 22 national NGO, 40 multilateral, 80 academic.
ORGANISATION_TYPE: dict[str, str] = {
    Organization.Kind.INTERNATIONAL_ORGANIZATION: "40",
    Organization.Kind.NGO: "22",
    Organization.Kind.ACADEMIC: "80",
}
GOVERNMENT = "10"

# IATI ActivityStatus: 1 pipeline, 2 implementation, 4 closed, 5 cancelled, 6 suspended.
ACTIVITY_STATUS: dict[str, str] = {
    Status.PLANNED: "1",
    Status.ACTIVE: "2",
    Status.COMPLETED: "4",
    Status.CANCELLED: "5",
    Status.SUSPENDED: "6",
}
STARTED = {Status.ACTIVE, Status.COMPLETED, Status.SUSPENDED, Status.CANCELLED}
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"

POLICE_SECTOR = "15132"
UNSPECIFIED_REGION = "998"
DAC_VOCABULARY = "1"
OWN_VOCABULARY = "99"
RESULT_OTHER = "9"
MEASURE_UNIT, MEASURE_PERCENTAGE = "1", "2"
BUDGET_ORIGINAL, BUDGET_COMMITTED = "1", "2"
PARENT, CHILD = "1", "2"
PROGRAM_KIND, PROJECT_KIND = "PRG", "PRJ"
WHOLE = Decimal("100.00")

# A program, project or indicator as `programs.iati_source` reads it.
Document = dict[str, Any]


# --- figures ------------------------------------------------------------------------------------


def percentages(weights: dict[str, int]) -> list[tuple[str, Decimal]]:
    """Shares of 100 with two decimals that add up to exactly 100 (largest remainder)."""
    if len(weights) == 1:  # the usual case, one country or one sector
        return [(code, WHOLE) for code in weights]
    total = sum(weights.values())
    cent = Decimal("0.01")
    exact = {code: Decimal(100 * weight) / total for code, weight in weights.items()}
    shares = {code: value.quantize(cent, rounding=ROUND_DOWN) for code, value in exact.items()}
    left = int((Decimal(100) - sum(shares.values())) / cent)
    for code in sorted(exact, key=lambda c: (shares[c] - exact[c], c))[:left]:
        shares[code] += cent
    return sorted(shares.items())


def number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 12.5000 -> 12.5, 1E+2 -> 100."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def activity_dates(status: str, start: str, end: str | None, today: str) -> list[tuple[str, str]]:
    """Actual dates for what has happened, planned ones for what has not; a start always.
    Dates are ISO strings, which compare as the days they name."""
    started = status in STARTED and start <= today
    dates = [(ACTUAL_START if started else PLANNED_START, start)]
    if end is not None:
        ended = status in {Status.COMPLETED, Status.CANCELLED} and end <= today
        dates.append((ACTUAL_END if ended else PLANNED_END, end))
    return dates


def sector_weights(dac_codes: Iterable[str]) -> dict[str, int]:
    """How many of the fields name each DAC code; Police when none does."""
    weights: dict[str, int] = defaultdict(int)
    for code in dac_codes:
        weights[code] += 1
    return weights or {POLICE_SECTOR: 1}


def fiscal_year_budgets(fundings: Iterable[Funding]) -> list[tuple[int, str, Decimal]]:
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for funding in fundings:
        totals[funding.fiscal_year, funding.currency] += funding.amount
    return [(year, currency, amount) for (year, currency), amount in sorted(totals.items())]


@cache
def fiscal_year_dates(year: int) -> tuple[str, str]:
    period = Period.fiscal_year(year)
    return period.start.isoformat(), period.end.isoformat()


def identifier(kind: str, code: str) -> str:
    return f"{settings.IATI_REPORTING_ORG_REF}-{kind}-{code}"


# --- the writer ---------------------------------------------------------------------------------

# Setting an attribute is most of lxml's cost for an element (a namespaced one like
# `xml:lang` costs triple), and each Python call counts at thousands of elements a
# second. So every element is a copy of a template that already carries the attributes
# fixed by its kind, in the order the file writes them; only the attributes that vary
# are set on the copy. lxml copies a node with its attributes and children in one C call.
# Attribute names are written as XML spells them (`xml:lang` in lxml's Clark notation).
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ISO_DATE = "iso-date"


def template(tag: str, **attrib: str) -> etree._Element:
    """An element to copy; an attribute given empty is set on each copy."""
    return etree.Element(tag, attrib)


def _dated_template(tag: str, **attrib: str) -> etree._Element:
    node = template(tag, **attrib)
    node.append(template("period-start", **{ISO_DATE: ""}))
    node.append(template("period-end", **{ISO_DATE: ""}))
    return node


ENGLISH = template("narrative", **{LANG: "en"})
JAPANESE = template("narrative", **{LANG: "ja"})
ACTIVITY = {
    kind: template("iati-activity", **{LANG: "en", "last-updated-datetime": "", "hierarchy": level})
    for kind, level in ((PROGRAM_KIND, "1"), (PROJECT_KIND, "2"))
}
IDENTIFIER = template("iati-identifier")
TITLE = template("title")
DESCRIPTION = template("description")
GENERAL_DESCRIPTION = template("description", type="1")
OBJECTIVES = template("description", type="2")
PARTICIPANT = {
    (kind, role): template("participating-org", type=kind, role=role)
    for kind in {*ORGANISATION_TYPE.values(), GOVERNMENT}
    for role in {*PARTNER_ROLE.values(), COUNTERPART_ROLE}
}
STATUS = {status: template("activity-status", code=code) for status, code in ACTIVITY_STATUS.items()}
ACTIVITY_DATE = {
    kind: template("activity-date", type=kind, **{ISO_DATE: ""})
    for kind in (PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END)
}
WHOLE_COUNTRY = template("recipient-country", code="", percentage="100")
COUNTRY = template("recipient-country", code="", percentage="")
OWN_REGION = template("recipient-region", code="", vocabulary=OWN_VOCABULARY, percentage="")
UNSPECIFIED = template("recipient-region", code=UNSPECIFIED_REGION, vocabulary=DAC_VOCABULARY, percentage="100")
SECTOR = template("sector", vocabulary=DAC_VOCABULARY, code="", percentage="")
BUDGET = _dated_template("budget", type=BUDGET_ORIGINAL, status=BUDGET_COMMITTED)
BUDGET_VALUE = template("value", currency="", **{"value-date": ""})
RELATED = {relation: template("related-activity", ref="", type=relation) for relation in (PARENT, CHILD)}
RESULT = template("result", type=RESULT_OTHER)
INDICATOR = {
    (measure, ascending): template("indicator", measure=measure, ascending=ascending)
    for measure in (MEASURE_UNIT, MEASURE_PERCENTAGE)
    for ascending in ("0", "1")
}
BASELINE = template("baseline", year="", **{ISO_DATE: ""}, value="")
PERIOD = _dated_template("period")
TARGET = template("target", value="")
ACTUAL = template("actual", value="")
DIMENSION = template("dimension", name="", value="")


def add(parent: etree._Element, model: etree._Element) -> etree._Element:
    """A copy of `model` appended to `parent`."""
    node = model.__copy__()
    parent.append(node)
    return node


def described(parent: etree._Element, model: etree._Element, english: str, japanese: str = "") -> etree._Element:
    """An element holding narratives: a title, a description, a participant's name."""
    node = add(parent, model)
    narrative = add(node, ENGLISH)
    narrative.text = english
    if japanese:
        narrative = add(node, JAPANESE)
        narrative.text = japanese
    return node


def dated(parent: etree._Element, model: etree._Element, start: str, end: str) -> etree._Element:
    """A copy of a template holding period-start and period-end, with their dates."""
    node = add(parent, model)
    node[0].set(ISO_DATE, start)
    node[1].set(ISO_DATE, end)
    return node


def figure(parent: etree._Element, model: etree._Element, value: str) -> etree._Element:
    """A target or an actual."""
    node = add(parent, model)
    node.set("value", value)
    return node


def percentage_shares(parent: etree._Element, model: etree._Element, weights: dict[str, int]) -> None:
    """One copy of `model` per code, with the code and its share of 100."""
    for code, share in percentages(weights):
        node = add(parent, model)
        node.set("code", code)
        node.set("percentage", number(share))


@dataclass(frozen=True)
class Shared:
    """What every activity of one file has in common: the day it is written (actual and
    planned dates depend on it) and the agency as reporting organization and as the
    accountable participant."""

    today: str
    reporting: etree._Element
    accountable: etree._Element

    @classmethod
    def now(cls) -> Shared:
        ref, name, name_ja = (
            settings.IATI_REPORTING_ORG_REF,
            settings.IATI_REPORTING_ORG_NAME,
            settings.IATI_REPORTING_ORG_NAME_JA,
        )
        models = etree.Element("templates")
        reporting = template("reporting-org", ref=ref, type=GOVERNMENT)
        accountable = template("participating-org", ref=ref, type=GOVERNMENT, role=ACCOUNTABLE)
        return cls(
            today=timezone.localdate().isoformat(),
            reporting=described(models, reporting, name, name_ja),
            accountable=described(models, accountable, name, name_ja),
        )


# --- one activity -------------------------------------------------------------------------------


def _participants(program: Document, counterpart: Document | None) -> list[tuple[str, Document]]:
    seen: set[tuple[str, int]] = set()
    rows = []
    pairs = [(PARTNER_ROLE[role], organization) for role, organization in program["partners"]]
    if counterpart is not None:
        pairs.append((COUNTERPART_ROLE, counterpart))
    for role, organization in sorted(pairs, key=lambda pair: (pair[0], pair[1]["code"])):
        if (role, organization["id"]) not in seen:
            seen.add((role, organization["id"]))
            rows.append((role, organization))
    return rows


def _write_participants(
    activity: etree._Element, accountable: etree._Element, participants: list[tuple[str, Document]]
) -> None:
    add(activity, accountable)
    for role, organization in participants:
        model = PARTICIPANT[ORGANISATION_TYPE.get(organization["kind"], GOVERNMENT), role]
        described(activity, model, organization["name"], organization["name_ja"])


def _write_places(activity: etree._Element, country: str, program: Document, projects: Iterable[Document]) -> None:
    if country:
        add(activity, WHOLE_COUNTRY).set("code", country)
        return
    countries = {project["country"] for project in projects if project["country"]}
    if countries:
        percentage_shares(activity, COUNTRY, dict.fromkeys(countries, 1))
    elif program["regions"]:
        percentage_shares(activity, OWN_REGION, dict.fromkeys(program["regions"], 1))
    else:
        add(activity, UNSPECIFIED)


def _write_budgets(activity: etree._Element, budgets: Iterable[list]) -> None:
    """Budgets summed per fiscal year and currency, in that order (`iati_source`)."""
    for year, currency, amount in budgets:
        start, end = fiscal_year_dates(year)
        value = add(dated(activity, BUDGET, start, end), BUDGET_VALUE)
        value.set("currency", currency)
        value.set("value-date", start)
        value.text = amount


def _write_measured_periods(node: etree._Element, indicator: Document) -> None:
    """An indicator without reporting periods: one period per measurement, the overall
    target on the period ending on the target date (or a period of its own)."""
    period_start = indicator["baseline_date"]
    target_date = indicator["target_date"]
    target_written = False
    for period_end, value, next_day in indicator["measurements"]:
        period = dated(node, PERIOD, period_start, period_end)
        if period_end == target_date:
            figure(period, TARGET, indicator["target"])
            target_written = True
        figure(period, ACTUAL, value)
        period_start = next_day
    if not target_written and target_date >= period_start:
        figure(dated(node, PERIOD, period_start, target_date), TARGET, indicator["target"])


def _dimension(parent: etree._Element, model: etree._Element, value: str, category: list[str]) -> None:
    breakdown, category_name = category
    dimension = add(figure(parent, model, value), DIMENSION)
    dimension.set("name", breakdown)
    dimension.set("value", category_name)


def _write_reporting_periods(node: etree._Element, indicator: Document) -> None:
    """Each period's approved values are its own, or for a program indicator rolled up
    from project indicators, theirs within its dates (`iati_source`)."""
    aggregation = indicator["aggregation"]
    for period in indicator["periods"]:
        approved = period["values"]
        actual = combine([Decimal(value["value"]) for value in approved], aggregation)
        targets = period["targets"]
        if period["target"] is None and actual is None and not targets:
            continue
        element = dated(node, PERIOD, period["start"], period["end"])
        if period["target"] is not None:
            figure(element, TARGET, period["target"])
        for target, category in targets:
            _dimension(element, TARGET, target, category)
        if actual is None:
            continue
        figure(element, ACTUAL, number(actual))
        amounts: dict[int, list[Decimal]] = defaultdict(list)
        categories = {}
        for value in approved:
            for category_id, amount, category in value["parts"]:
                amounts[category_id].append(Decimal(amount))
                categories[category_id] = category
        for category_id, parts in sorted(amounts.items()):
            combined = combine(parts, aggregation)
            if combined is not None:
                _dimension(element, ACTUAL, number(combined), categories[category_id])


def _write_indicator(result: etree._Element, indicator: Document) -> None:
    percentage = indicator["unit"].strip().lower() in {"%", "percent", "percentage"}
    measure = MEASURE_PERCENTAGE if percentage else MEASURE_UNIT
    node = add(result, INDICATOR[measure, "0" if indicator["direction"] == Direction.LOWER else "1"])
    described(node, TITLE, indicator["name"], indicator["name_ja"])
    if indicator["description"]:
        described(node, DESCRIPTION, indicator["description"])
    baseline_date = indicator["baseline_date"]
    baseline = add(node, BASELINE)
    baseline.set("year", str(int(baseline_date[:4])))
    baseline.set(ISO_DATE, baseline_date)
    baseline.set("value", indicator["baseline"])
    if indicator["periods"]:
        _write_reporting_periods(node, indicator)
    else:
        _write_measured_periods(node, indicator)


def _write_activity(
    record: Document,
    *,
    kind: str,
    program: Document,
    country: str,
    places_from: Iterable[Document],
    fields: Iterable[str],
    counterpart: Document | None,
    related: list[tuple[str, str]],
    shared: Shared,
) -> etree._Element:
    activity = ACTIVITY[kind].__copy__()
    activity.set("last-updated-datetime", record["updated"])
    add(activity, IDENTIFIER).text = identifier(kind, record["code"])
    add(activity, shared.reporting)
    described(activity, TITLE, record["title"], record["title_ja"])
    described(
        activity,
        GENERAL_DESCRIPTION,
        record["description"] or record["title"],
        record["description_ja"] or record["title_ja"],
    )
    objectives = record.get("objectives")
    if objectives:
        described(activity, OBJECTIVES, objectives)
    _write_participants(activity, shared.accountable, _participants(program, counterpart))
    add(activity, STATUS[record["status"]])
    for date_kind, when in activity_dates(record["status"], record["start"], record["end"], shared.today):
        add(activity, ACTIVITY_DATE[date_kind]).set(ISO_DATE, when)
    _write_places(activity, country, program, places_from)
    percentage_shares(activity, SECTOR, sector_weights(fields))
    _write_budgets(activity, record["budgets"])
    for relation, other in related:
        add(activity, RELATED[relation]).set("ref", other)
    for indicator in record["indicators"]:
        result = add(activity, RESULT)
        described(result, TITLE, indicator["name"], indicator["name_ja"])
        _write_indicator(result, indicator)
    return activity


def _write_program(program: Document, shared: Shared) -> etree._Element:
    projects = program["projects"]
    return _write_activity(
        program,
        kind=PROGRAM_KIND,
        program=program,
        country=program["country"],
        places_from=projects,
        fields=program["fields"],
        counterpart=program["counterpart"],
        related=[(CHILD, identifier(PROJECT_KIND, project["code"])) for project in projects],
        shared=shared,
    )


def _write_project(project: Document, program: Document, shared: Shared) -> etree._Element:
    return _write_activity(
        project,
        kind=PROJECT_KIND,
        program=program,
        country=project["country"] or program["country"],
        places_from=(),
        fields=project["fields"] or program["fields"],
        counterpart=project["counterpart"] or program["counterpart"],
        related=[(PARENT, identifier(PROGRAM_KIND, program["code"]))],
        shared=shared,
    )


# --- the file -----------------------------------------------------------------------------------


def iati_activities(*, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The whole `iati-activities` document, written incrementally by lxml: each yielded
    piece holds the activities of one program, so memory holds one round of programs and
    one activity's tree, whatever the portfolio."""
    shared = Shared.now()
    buffer = io.BytesIO()

    def taken() -> bytes:
        piece = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return piece

    with etree.xmlfile(buffer, encoding="utf-8") as document:
        document.write_declaration()
        root = {"version": IATI_VERSION, "generated-datetime": timezone.now().isoformat(timespec="seconds")}
        with document.element("iati-activities", root):
            document.write("\n")
            document.flush()
            yield taken()
            for program in program_documents(chunk_size=chunk_size):
                document.write(_write_program(program, shared), "\n")
                for project in program["projects"]:
                    document.write(_write_project(project, program, shared), "\n")
                document.flush()
                yield taken()
    yield taken()
