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
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from lxml import etree

from cooperation.models import Organization
from cooperation.periods import Period

from .models import Funding, Indicator, Measurement, Program, ProgramPartner, Project, Publication, Status
from .publication import published_programs

IATI_VERSION = "2.03"
CHUNK_SIZE = 100

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


XML_NAMESPACE = "{http://www.w3.org/XML/1998/namespace}"


def _attribute(name: str) -> str:
    """`xml:lang` in lxml's spelling; `iso_date` as `iso-date`."""
    if name.startswith("xml:"):
        return XML_NAMESPACE + name[4:]
    return name.replace("_", "-")


class ActivityWriter:
    """Builds one activity at a time as an lxml tree (element by element, in C), for
    `iati_activities` to write out and drop before the next."""

    def __init__(self):
        self.stack: list[etree._Element] = []
        self.done: etree._Element | None = None

    @contextmanager
    def element(self, name: str, **attributes):
        attrib = {_attribute(key): value for key, value in attributes.items()}
        node = etree.SubElement(self.stack[-1], name, attrib) if self.stack else etree.Element(name, attrib)
        self.stack.append(node)
        yield node
        self.stack.pop()
        if not self.stack:
            self.done = node

    def empty(self, name: str, **attributes) -> None:
        with self.element(name, **attributes):
            pass

    def text(self, name: str, value: str, **attributes) -> None:
        with self.element(name, **attributes) as node:
            node.text = value

    def narratives(self, english: str, japanese: str = "") -> None:
        self.text("narrative", english, **{"xml:lang": "en"})
        if japanese:
            self.text("narrative", japanese, **{"xml:lang": "ja"})

    def take(self) -> etree._Element:
        """The activity just built."""
        done, self.done = self.done, None
        if done is None:
            raise RuntimeError("no activity was built")
        return done


# --- one activity -------------------------------------------------------------------------------


def _participants(program: Program, counterpart: Organization | None) -> list[tuple[str, Organization]]:
    seen: set[tuple[str, int]] = set()
    rows = []
    pairs = [(PARTNER_ROLE[p.role], p.organization) for p in program.partnerships.all()]
    if counterpart is not None:
        pairs.append((COUNTERPART_ROLE, counterpart))
    for role, organization in sorted(pairs, key=lambda pair: (pair[0], pair[1].code)):
        if (role, organization.pk) not in seen:
            seen.add((role, organization.pk))
            rows.append((role, organization))
    return rows


def _write_participants(out: ActivityWriter, participants: list[tuple[str, Organization]]) -> None:
    with out.element("participating-org", ref=settings.IATI_REPORTING_ORG_REF, type=GOVERNMENT, role=ACCOUNTABLE):
        out.narratives(settings.IATI_REPORTING_ORG_NAME, settings.IATI_REPORTING_ORG_NAME_JA)
    for role, organization in participants:
        with out.element("participating-org", type=ORGANISATION_TYPE.get(organization.kind, GOVERNMENT), role=role):
            out.narratives(organization.name, organization.name_ja)


def _write_places(out: ActivityWriter, country: str, program: Program, projects: Iterable[Project]) -> None:
    if country:
        out.empty("recipient-country", code=country, percentage="100")
        return
    countries = {project.country.code for project in projects if project.country}  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
    if countries:
        for code, share in percentages(dict.fromkeys(countries, 1)):
            out.empty("recipient-country", code=code, percentage=number(share))
        return
    regions = [region.code for region in program.priority_regions.all()]
    if regions:
        for code, share in percentages(dict.fromkeys(regions, 1)):
            out.empty("recipient-region", code=code, vocabulary=OWN_VOCABULARY, percentage=number(share))
        return
    out.empty("recipient-region", code=UNSPECIFIED_REGION, vocabulary=DAC_VOCABULARY, percentage="100")


def _write_budgets(out: ActivityWriter, fundings: Iterable[Funding]) -> None:
    for year, currency, amount in fiscal_year_budgets(fundings):
        period = Period.fiscal_year(year)
        with out.element("budget", type=BUDGET_ORIGINAL, status=BUDGET_COMMITTED):
            out.empty("period-start", iso_date=period.start.isoformat())
            out.empty("period-end", iso_date=period.end.isoformat())
            out.text("value", number(amount), currency=currency, value_date=period.start.isoformat())


def _write_indicator(out: ActivityWriter, indicator: Indicator) -> None:
    percentage = indicator.unit.strip().lower() in {"%", "percent", "percentage"}
    with out.element(
        "indicator",
        measure=MEASURE_PERCENTAGE if percentage else MEASURE_UNIT,
        ascending="1" if indicator.target_value > indicator.baseline_value else "0",
    ):
        with out.element("title"):
            out.narratives(indicator.name, indicator.name_ja)
        if indicator.description:
            with out.element("description"):
                out.narratives(indicator.description)
        out.empty(
            "baseline",
            year=str(indicator.baseline_date.year),
            iso_date=indicator.baseline_date.isoformat(),
            value=number(indicator.baseline_value),
        )
        period_start = indicator.baseline_date
        target_written = False
        measurements: list[Measurement] = list(indicator.measurements.all())
        for measurement in measurements:
            with out.element("period"):
                out.empty("period-start", iso_date=period_start.isoformat())
                out.empty("period-end", iso_date=measurement.period_end.isoformat())
                if measurement.period_end == indicator.target_date:
                    out.empty("target", value=number(indicator.target_value))
                    target_written = True
                out.empty("actual", value=number(measurement.value))
            period_start = measurement.period_end + timedelta(days=1)
        if not target_written and indicator.target_date >= period_start:
            with out.element("period"):
                out.empty("period-start", iso_date=period_start.isoformat())
                out.empty("period-end", iso_date=indicator.target_date.isoformat())
                out.empty("target", value=number(indicator.target_value))


def _write_results(out: ActivityWriter, indicators: Iterable[Indicator]) -> None:
    for indicator in indicators:
        with out.element("result", type=RESULT_OTHER):
            with out.element("title"):
                out.narratives(indicator.name, indicator.name_ja)
            _write_indicator(out, indicator)


def _write_activity(
    out: ActivityWriter,
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
) -> None:
    hierarchy = "1" if isinstance(record, Program) else "2"
    with out.element(
        "iati-activity",
        **{"xml:lang": "en"},
        last_updated_datetime=record.updated_at.isoformat(timespec="seconds"),
        hierarchy=hierarchy,
    ):
        out.text("iati-identifier", identifier(record))
        with out.element("reporting-org", ref=settings.IATI_REPORTING_ORG_REF, type=GOVERNMENT):
            out.narratives(settings.IATI_REPORTING_ORG_NAME, settings.IATI_REPORTING_ORG_NAME_JA)
        with out.element("title"):
            out.narratives(record.title, record.title_ja)
        with out.element("description", type="1"):
            out.narratives(record.description or record.title, record.description_ja or record.title_ja)
        objectives = getattr(record, "objectives", "")
        if objectives:
            with out.element("description", type="2"):
                out.narratives(objectives)
        _write_participants(out, _participants(program, counterpart))
        out.empty("activity-status", code=ACTIVITY_STATUS[record.status])
        for kind, when in activity_dates(record, today):
            out.empty("activity-date", type=kind, iso_date=when.isoformat())
        _write_places(out, country, program, places_from)
        for code, share in sectors(fields):
            out.empty("sector", vocabulary=DAC_VOCABULARY, code=code, percentage=number(share))
        _write_budgets(out, fundings)
        for kind, other in related:
            out.empty("related-activity", ref=identifier(other), type=kind)
        _write_results(out, indicators)


def _write_program(out: ActivityWriter, program: Program, today: date) -> None:
    projects = program.published_projects  # type: ignore[attr-defined]  # prefetched (activities_queryset)
    _write_activity(
        out,
        program,
        program=program,
        country=program.country.code or "",  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
        places_from=projects,
        fields=program.fields.all(),
        fundings=program.own_fundings,  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        counterpart=program.counterpart,
        related=[(CHILD, project) for project in projects],
        indicators=(),
        today=today,
    )


def _write_project(out: ActivityWriter, project: Project, program: Program, today: date) -> None:
    own_fields = list(project.fields.all())
    _write_activity(
        out,
        project,
        program=program,
        country=project.country.code or program.country.code or "",  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
        places_from=(),
        fields=own_fields or program.fields.all(),
        fundings=project.fundings.all(),
        counterpart=project.counterpart or program.counterpart,
        related=[(PARENT, program)],
        indicators=project.public_indicators,  # type: ignore[attr-defined]  # prefetched (activities_queryset)
        today=today,
    )


# --- the file -----------------------------------------------------------------------------------


def activities_queryset() -> QuerySet[Program]:
    """Published programs with every row their activities need, fetched per chunk."""
    indicators = Indicator.objects.filter(internal=False).prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.order_by("period_end"))
    )
    projects = (
        Project.objects.filter(publication=Publication.PUBLISHED)
        .select_related("counterpart")
        .prefetch_related(
            "fields",
            Prefetch("fundings", queryset=Funding.objects.order_by("fiscal_year", "pk")),
            Prefetch("indicators", queryset=indicators.order_by("name", "pk"), to_attr="public_indicators"),
        )
    )
    return (
        published_programs()
        .select_related("counterpart")
        .prefetch_related(
            "fields",
            "priority_regions",
            Prefetch("partnerships", queryset=ProgramPartner.objects.select_related("organization")),
            Prefetch("fundings", queryset=Funding.objects.filter(project__isnull=True), to_attr="own_fundings"),
            Prefetch("projects", queryset=projects.order_by("code"), to_attr="published_projects"),
        )
        .order_by("code")
    )


def _release(program: Program) -> None:
    """Drop what was prefetched for a written program. Prefetching makes reference cycles
    (each project points back at its program, each indicator at its project, each
    measurement at its indicator), which only the garbage collector frees; broken here,
    a chunk's rows go as soon as it is written and memory stays flat along the file."""
    for project in program.published_projects:  # type: ignore[attr-defined]  # prefetched
        for indicator in project.public_indicators:
            indicator._prefetched_objects_cache.clear()
        project.public_indicators = []
        project._prefetched_objects_cache.clear()
    program.published_projects = []  # type: ignore[attr-defined]  # prefetched
    program.own_fundings = []  # type: ignore[attr-defined]  # prefetched
    program._prefetched_objects_cache.clear()  # type: ignore[attr-defined]  # set by prefetch_related


def iati_activities(*, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The whole `iati-activities` document, written incrementally by lxml: each yielded
    piece holds the activities of one program, so memory holds one chunk of programs and
    one activity's tree, whatever the portfolio."""
    out = ActivityWriter()
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
                _write_program(out, program, today)
                document.write(out.take(), "\n")
                for project in program.published_projects:  # type: ignore[attr-defined]  # prefetched
                    _write_project(out, project, program, today)
                    document.write(out.take(), "\n")
                _release(program)
                document.flush()
                yield taken()
    yield taken()
