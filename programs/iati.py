"""The published portfolio as an IATI 2.03 `iati-activities` file, streamed.

Each published program is one activity (hierarchy 1) and each published project of it
another (hierarchy 2), linked by related-activity. The file is written one activity at
a time: programs are read in chunks with their related rows prefetched per chunk, so
memory and the number of queries depend on the chunk size, not on the portfolio.

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
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from lxml import etree

from cooperation.models import CooperationField, Organization, Region
from cooperation.periods import Period

from .choices import Direction, ValueStatus
from .models import (
    Funding,
    Indicator,
    IndicatorPeriod,
    Measurement,
    PeriodTargetBreakdown,
    PeriodValue,
    PeriodValueBreakdown,
    Program,
    ProgramPartner,
    Project,
    Publication,
    Status,
)
from .publication import published_programs
from .results import combine

IATI_VERSION = "2.03"
# Programs read per round of queries: each round costs ten queries, and memory holds one round.
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


# --- figures ------------------------------------------------------------------------------------


def percentages(weights: dict[str, int]) -> list[tuple[str, Decimal]]:
    """Shares of 100 with two decimals that add up to exactly 100 (largest remainder)."""
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


def activity_dates(record: Program | Project, today: date) -> list[tuple[str, date]]:
    """Actual dates for what has happened, planned ones for what has not; a start always."""
    started = record.status in STARTED and record.start_date <= today
    dates = [(ACTUAL_START if started else PLANNED_START, record.start_date)]
    if record.end_date is not None:
        ended = record.status in {Status.COMPLETED, Status.CANCELLED} and record.end_date <= today
        dates.append((ACTUAL_END if ended else PLANNED_END, record.end_date))
    return dates


def sectors(fields: Iterable) -> list[tuple[str, Decimal]]:
    weights: dict[str, int] = defaultdict(int)
    for field in fields:
        weights[field.dac_code] += 1
    return percentages(weights or {POLICE_SECTOR: 1})


def fiscal_year_budgets(fundings: Iterable[Funding]) -> list[tuple[int, str, Decimal]]:
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for funding in fundings:
        totals[funding.fiscal_year, funding.currency] += funding.amount
    return [(year, currency, amount) for (year, currency), amount in sorted(totals.items())]


def identifier(record: Program | Project) -> str:
    kind = "PRG" if isinstance(record, Program) else "PRJ"
    return f"{settings.IATI_REPORTING_ORG_REF}-{kind}-{record.code}"


# --- the writer ---------------------------------------------------------------------------------

# Each element is made by one lxml call (in C) under its parent; attribute names are
# written as XML spells them (`xml:lang` in lxml's Clark notation).
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ENGLISH = {LANG: "en"}
JAPANESE = {LANG: "ja"}
element = etree.SubElement


def text(parent: etree._Element, name: str, value: str, attrib: dict[str, str] | None = None) -> etree._Element:
    node = element(parent, name, attrib) if attrib else element(parent, name)
    node.text = value
    return node


def narratives(parent: etree._Element, english: str, japanese: str = "") -> None:
    text(parent, "narrative", english, ENGLISH)
    if japanese:
        text(parent, "narrative", japanese, JAPANESE)


def described(parent: etree._Element, name: str, english: str, japanese: str = "", **attrib: str) -> etree._Element:
    """An element holding narratives: a title, a description, a participant's name."""
    node = element(parent, name, attrib) if attrib else element(parent, name)
    narratives(node, english, japanese)
    return node


# --- one activity -------------------------------------------------------------------------------


def _participants(program: Program, counterpart: Organization | None) -> list[tuple[str, Organization]]:
    seen: set[tuple[str, int]] = set()
    rows = []
    pairs = [(PARTNER_ROLE[p.role], p.organization) for p in program.partner_list]  # type: ignore[attr-defined]  # prefetched (activities_queryset)
    if counterpart is not None:
        pairs.append((COUNTERPART_ROLE, counterpart))
    for role, organization in sorted(pairs, key=lambda pair: (pair[0], pair[1].code)):
        if (role, organization.pk) not in seen:
            seen.add((role, organization.pk))
            rows.append((role, organization))
    return rows


def _write_participants(activity: etree._Element, participants: list[tuple[str, Organization]]) -> None:
    described(
        activity,
        "participating-org",
        settings.IATI_REPORTING_ORG_NAME,
        settings.IATI_REPORTING_ORG_NAME_JA,
        ref=settings.IATI_REPORTING_ORG_REF,
        type=GOVERNMENT,
        role=ACCOUNTABLE,
    )
    for role, organization in participants:
        described(
            activity,
            "participating-org",
            organization.name,
            organization.name_ja,
            type=ORGANISATION_TYPE.get(organization.kind, GOVERNMENT),
            role=role,
        )


def _write_places(activity: etree._Element, country: str, program: Program, projects: Iterable[Project]) -> None:
    if country:
        element(activity, "recipient-country", code=country, percentage="100")
        return
    countries = {project.country.code for project in projects if project.country}  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
    if countries:
        for code, share in percentages(dict.fromkeys(countries, 1)):
            element(activity, "recipient-country", code=code, percentage=number(share))
        return
    regions = [region.code for region in program.region_list]  # type: ignore[attr-defined]  # prefetched (activities_queryset)
    if regions:
        for code, share in percentages(dict.fromkeys(regions, 1)):
            element(activity, "recipient-region", code=code, vocabulary=OWN_VOCABULARY, percentage=number(share))
        return
    element(activity, "recipient-region", code=UNSPECIFIED_REGION, vocabulary=DAC_VOCABULARY, percentage="100")


def _write_budgets(activity: etree._Element, fundings: Iterable[Funding]) -> None:
    for year, currency, amount in fiscal_year_budgets(fundings):
        period = Period.fiscal_year(year)
        start = period.start.isoformat()
        budget = element(activity, "budget", type=BUDGET_ORIGINAL, status=BUDGET_COMMITTED)
        element(budget, "period-start", {"iso-date": start})
        element(budget, "period-end", {"iso-date": period.end.isoformat()})
        text(budget, "value", number(amount), {"currency": currency, "value-date": start})


def _write_period(indicator: etree._Element, start: date, end: date) -> etree._Element:
    period = element(indicator, "period")
    element(period, "period-start", {"iso-date": start.isoformat()})
    element(period, "period-end", {"iso-date": end.isoformat()})
    return period


def _write_measured_periods(node: etree._Element, indicator: Indicator) -> None:
    """An indicator without reporting periods: one period per measurement, the overall
    target on the period ending on the target date (or a period of its own)."""
    period_start = indicator.baseline_date
    target_written = False
    measurements: list[Measurement] = indicator.measurement_list  # type: ignore[attr-defined]  # prefetched (activities_queryset)
    for measurement in measurements:
        period = _write_period(node, period_start, measurement.period_end)
        if measurement.period_end == indicator.target_date:
            element(period, "target", value=number(indicator.target_value))
            target_written = True
        element(period, "actual", value=number(measurement.value))
        period_start = measurement.period_end + timedelta(days=1)
    if not target_written and indicator.target_date >= period_start:
        period = _write_period(node, period_start, indicator.target_date)
        element(period, "target", value=number(indicator.target_value))


def _approved_values(indicator: Indicator, period: IndicatorPeriod) -> list[PeriodValue]:
    """The approved values that make the period's actual: its own, or for a program
    indicator rolled up from its project indicators, theirs within the period's dates."""
    own: list[PeriodValue] = period.approved_values  # type: ignore[attr-defined]  # prefetched (activities_queryset)
    children: list[Indicator] = getattr(indicator, "child_list", [])
    if not children:
        return own
    pooled = [
        value
        for child in children
        for child_period in child.period_list  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        if period.start <= child_period.start and child_period.end <= period.end
        for value in child_period.approved_values
    ]
    return sorted(pooled, key=lambda value: (value.reviewed_at, value.pk))


def _dimension(parent: etree._Element, name: str, value: Decimal, category) -> None:
    node = element(parent, name, value=number(value))
    element(node, "dimension", name=category.disaggregation.name, value=category.name)


def _write_reporting_periods(node: etree._Element, indicator: Indicator) -> None:
    periods: list[IndicatorPeriod] = indicator.period_list  # type: ignore[attr-defined]  # prefetched (activities_queryset)
    for period in periods:
        approved = _approved_values(indicator, period)
        actual = combine([value.value for value in approved], indicator.aggregation)
        targets: list[PeriodTargetBreakdown] = period.target_list  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        if period.target is None and actual is None and not targets:
            continue
        element_node = _write_period(node, period.start, period.end)
        if period.target is not None:
            element(element_node, "target", value=number(period.target))
        for target in targets:
            _dimension(element_node, "target", target.target, target.category)
        if actual is None:
            continue
        element(element_node, "actual", value=number(actual))
        amounts: dict[int, list[Decimal]] = defaultdict(list)
        categories = {}
        for value in approved:
            for part in value.breakdown_list:  # type: ignore[attr-defined]  # prefetched (activities_queryset)
                amounts[part.category_id].append(part.amount)
                categories[part.category_id] = part.category
        for category_id, parts in sorted(amounts.items(), key=lambda item: categories[item[0]].pk):
            combined = combine(parts, indicator.aggregation)
            if combined is not None:
                _dimension(element_node, "actual", combined, categories[category_id])


def _write_indicator(result: etree._Element, indicator: Indicator) -> None:
    percentage = indicator.unit.strip().lower() in {"%", "percent", "percentage"}
    node = element(
        result,
        "indicator",
        measure=MEASURE_PERCENTAGE if percentage else MEASURE_UNIT,
        ascending="0" if indicator.direction == Direction.LOWER else "1",
    )
    described(node, "title", indicator.name, indicator.name_ja)
    if indicator.description:
        described(node, "description", indicator.description)
    element(
        node,
        "baseline",
        {
            "year": str(indicator.baseline_date.year),
            "iso-date": indicator.baseline_date.isoformat(),
            "value": number(indicator.baseline_value),
        },
    )
    if indicator.period_list:  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        _write_reporting_periods(node, indicator)
    else:
        _write_measured_periods(node, indicator)


def _write_results(activity: etree._Element, indicators: Iterable[Indicator]) -> None:
    for indicator in indicators:
        result = element(activity, "result", type=RESULT_OTHER)
        described(result, "title", indicator.name, indicator.name_ja)
        _write_indicator(result, indicator)


def _write_activity(
    record: Program | Project,
    *,
    program: Program,
    country: str,
    places_from: Iterable[Project],
    fields: Iterable,
    fundings: Iterable[Funding],
    counterpart: Organization | None,
    related: list[tuple[str, Program | Project]],
    indicators: Iterable[Indicator],
    today: date,
) -> etree._Element:
    activity = etree.Element(
        "iati-activity",
        {
            LANG: "en",
            "last-updated-datetime": record.updated_at.isoformat(timespec="seconds"),
            "hierarchy": "1" if isinstance(record, Program) else "2",
        },
    )
    text(activity, "iati-identifier", identifier(record))
    described(
        activity,
        "reporting-org",
        settings.IATI_REPORTING_ORG_NAME,
        settings.IATI_REPORTING_ORG_NAME_JA,
        ref=settings.IATI_REPORTING_ORG_REF,
        type=GOVERNMENT,
    )
    described(activity, "title", record.title, record.title_ja)
    described(
        activity,
        "description",
        record.description or record.title,
        record.description_ja or record.title_ja,
        type="1",
    )
    objectives = getattr(record, "objectives", "")
    if objectives:
        described(activity, "description", objectives, type="2")
    _write_participants(activity, _participants(program, counterpart))
    element(activity, "activity-status", code=ACTIVITY_STATUS[record.status])
    for kind, when in activity_dates(record, today):
        element(activity, "activity-date", {"type": kind, "iso-date": when.isoformat()})
    _write_places(activity, country, program, places_from)
    for code, share in sectors(fields):
        element(activity, "sector", vocabulary=DAC_VOCABULARY, code=code, percentage=number(share))
    _write_budgets(activity, fundings)
    for kind, other in related:
        element(activity, "related-activity", ref=identifier(other), type=kind)
    _write_results(activity, indicators)
    return activity


def _write_program(program: Program, today: date) -> etree._Element:
    projects = program.published_projects  # type: ignore[attr-defined]  # prefetched (activities_queryset)
    return _write_activity(
        program,
        program=program,
        country=program.country.code or "",  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
        places_from=projects,
        fields=program.field_list,  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        fundings=program.own_fundings,  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        counterpart=program.counterpart,
        related=[(CHILD, project) for project in projects],
        indicators=program.public_indicators,  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        today=today,
    )


def _write_project(project: Project, program: Program, today: date) -> etree._Element:
    return _write_activity(
        project,
        program=program,
        country=project.country.code or program.country.code or "",  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
        places_from=(),
        fields=project.field_list or program.field_list,  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        fundings=project.funding_list,  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        counterpart=project.counterpart or program.counterpart,
        related=[(PARENT, program)],
        indicators=project.public_indicators,  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        today=today,
    )


# --- the file -----------------------------------------------------------------------------------


def _reporting_periods() -> QuerySet[IndicatorPeriod]:
    """Periods with their category targets, and their approved values (oldest approval
    first) with the values' parts by category."""
    categories = ("category__disaggregation",)
    approved = (
        PeriodValue.objects.filter(status=ValueStatus.APPROVED)
        .only("period_id", "value", "reviewed_at")
        .order_by("reviewed_at", "pk")
        .prefetch_related(
            Prefetch(
                "breakdown",
                queryset=PeriodValueBreakdown.objects.select_related(*categories).order_by("category_id"),
                to_attr="breakdown_list",
            )
        )
    )
    return (
        IndicatorPeriod.objects.only("indicator_id", "start", "end", "target")
        .order_by("start")
        .prefetch_related(
            Prefetch("values", queryset=approved, to_attr="approved_values"),
            Prefetch(
                "target_breakdown",
                queryset=PeriodTargetBreakdown.objects.select_related(*categories).order_by("category_id"),
                to_attr="target_list",
            ),
        )
    )


def _public_indicators() -> QuerySet[Indicator]:
    measurements = Measurement.objects.only("indicator_id", "period_end", "value").order_by("period_end")
    return (
        Indicator.objects.filter(internal=False)
        .defer("created_at", "updated_at", "internal")
        .prefetch_related(
            Prefetch("measurements", queryset=measurements, to_attr="measurement_list"),
            Prefetch("periods", queryset=_reporting_periods(), to_attr="period_list"),
        )
    )


def activities_queryset() -> QuerySet[Program]:
    """Published programs with every row their activities need, fetched per chunk.

    Related rows are kept as plain lists (`to_attr`) with only the columns written: a
    file of thousands of activities builds no queryset per activity, and parses no
    timestamps it does not publish."""
    money = Funding.objects.only("program_id", "project_id", "fiscal_year", "currency", "amount")
    fields = CooperationField.objects.only("dac_code")
    indicators = _public_indicators()
    # A program indicator's periods count the approved values of the project indicators
    # linked to it, published or not: the figure is the program's.
    children = Indicator.objects.only("parent_id").prefetch_related(
        Prefetch("periods", queryset=_reporting_periods(), to_attr="period_list")
    )
    program_indicators = indicators.prefetch_related(
        Prefetch("children", queryset=children.order_by("pk"), to_attr="child_list")
    )
    projects = (
        Project.objects.filter(publication=Publication.PUBLISHED)
        .select_related("counterpart")
        .prefetch_related(
            Prefetch("fields", queryset=fields, to_attr="field_list"),
            Prefetch("fundings", queryset=money.order_by("fiscal_year", "pk"), to_attr="funding_list"),
            Prefetch("indicators", queryset=indicators.order_by("name", "pk"), to_attr="public_indicators"),
        )
    )
    partners = ProgramPartner.objects.select_related("organization")
    return (
        published_programs()
        .select_related("counterpart")
        .prefetch_related(
            Prefetch("fields", queryset=fields, to_attr="field_list"),
            Prefetch("priority_regions", queryset=Region.objects.only("code"), to_attr="region_list"),
            Prefetch("partnerships", queryset=partners, to_attr="partner_list"),
            Prefetch("fundings", queryset=money.filter(project__isnull=True), to_attr="own_fundings"),
            Prefetch("indicators", queryset=program_indicators.order_by("name", "pk"), to_attr="public_indicators"),
            Prefetch("projects", queryset=projects.order_by("code"), to_attr="published_projects"),
        )
        .order_by("code")
    )


def _release(program: Program) -> None:
    """Drop what was prefetched for a written program. Prefetching makes reference cycles
    (each project points back at its program, each indicator at its project, each
    measurement and period at its indicator), which only the garbage collector frees; broken here,
    a chunk's rows go as soon as it is written and memory stays flat along the file."""
    for project in program.published_projects:  # type: ignore[attr-defined]  # prefetched
        for indicator in project.public_indicators:
            indicator.measurement_list = indicator.period_list = []
        project.public_indicators = []
        project.funding_list = project.field_list = []
    for indicator in program.public_indicators:  # type: ignore[attr-defined]  # prefetched
        indicator.measurement_list = indicator.period_list = indicator.child_list = []
    program.published_projects = program.public_indicators = []  # type: ignore[attr-defined]  # prefetched
    program.own_fundings = program.partner_list = program.field_list = program.region_list = []  # type: ignore[attr-defined]  # prefetched


def iati_activities(*, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The whole `iati-activities` document, written incrementally by lxml: each yielded
    piece holds the activities of one program, so memory holds one chunk of programs and
    one activity's tree, whatever the portfolio."""
    today = timezone.localdate()
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
            for program in activities_queryset().iterator(chunk_size=chunk_size):
                document.write(_write_program(program, today), "\n")
                for project in program.published_projects:  # type: ignore[attr-defined]  # prefetched
                    document.write(_write_project(project, program, today), "\n")
                _release(program)
                document.flush()
                yield taken()
    yield taken()
