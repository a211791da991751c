"""Files of rows sent in by people: reading CSV and XLSX, checking cells, reporting row by row.

Every import of a spreadsheet (nominations to a course, the history of past deployments,
missions, courses and delegations) reads its file here and speaks of its problems in one
format, `RowError` {row, field, code, message}: row numbers count the header as row 1, as
a spreadsheet shows them. A file's first row is exactly the import's columns, in order.
A CSV file is UTF-8 text; an XLSX workbook is read from the sheet named after the import
(`sheet`) when it has one, else from its first sheet.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .spreadsheets import Sheet, csv_text, workbook_bytes

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
XLSX_SIGNATURE = b"PK\x03\x04"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FileError(Exception):
    """The file as a whole cannot be read: wrong encoding, header, size or type."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


class RowsInvalid(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


# --- reading the file -------------------------------------------------------------------


def is_xlsx(name: str, head: bytes) -> bool:
    return name.lower().endswith(".xlsx") or head.startswith(XLSX_SIGNATURE)


def read_rows(
    content: bytes, *, columns: Sequence[str], name: str = "", allow_xlsx: bool, sheet: str = ""
) -> list[tuple[int, list]]:
    """The data rows as (row number, cells) under a checked header; raises FileError."""
    if len(content) > MAX_BYTES:
        raise FileError(
            "payload_too_large",
            _("The file is %(size)d bytes; the limit is %(limit)d bytes (about %(rows)d rows).")
            % {"size": len(content), "limit": MAX_BYTES, "rows": MAX_ROWS},
            status=413,
        )
    if is_xlsx(name, content[:4]):
        if not allow_xlsx:
            raise FileError(
                "xlsx_staff_only",
                _("Partner coordinators upload CSV files (UTF-8); XLSX workbooks are for agency staff."),
                status=403,
            )
        return _rows_under_header(_xlsx_table(content, sheet), columns, pad=True)
    return _rows_under_header(_csv_table(content), columns, pad=False)


def _csv_table(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(
            "not_utf8",
            _(
                "The file is not UTF-8 text (byte 0x%(byte)02x at position %(position)d cannot be read). "
                "Save it as “CSV UTF-8” and upload it again."
            )
            % {"byte": exc.object[exc.start], "position": exc.start},
        ) from None
    if "\x00" in text:
        raise FileError("not_text", _("The file contains NUL characters; it is not a CSV text file."))
    return csv.reader(io.StringIO(text, newline=""))


def _cell(value) -> str | date:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_table(content: bytes, sheet: str):
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        worksheet = workbook[sheet] if sheet in workbook.sheetnames else workbook.worksheets[0]
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, IndexError):
        raise FileError("invalid_xlsx", _("The file is not a readable XLSX workbook.")) from None
    for values in worksheet.iter_rows(values_only=True):
        yield [_cell(value) for value in values]


def _rows_under_header(table, columns: Sequence[str], *, pad: bool) -> list[tuple[int, list]]:
    """Check the header, drop blank rows; `pad` fills the empty trailing cells a workbook leaves out."""
    try:
        rows: list[tuple[int, list]] = []
        header = None
        for number, cells in enumerate(table, start=1):
            cells = [cell.strip() if isinstance(cell, str) else cell for cell in cells]
            if pad:
                while cells and cells[-1] == "":
                    cells.pop()
            if header is None:
                header = cells
                _check_header(header, columns)
                continue
            if pad:
                cells += [""] * (len(columns) - len(cells))
            if all(cell == "" for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise FileError(
                    "too_many_rows",
                    _("The file has more than %(max)d rows; split it into smaller files.") % {"max": MAX_ROWS},
                )
            rows.append((number, cells))
    except csv.Error as exc:
        message = _("The CSV file cannot be read: %(error)s.") % {"error": exc}
        raise FileError("invalid_csv", message) from None
    if header is None:
        raise FileError("empty", _("The file is empty; its first row is the header."))
    if not rows:
        raise FileError("no_rows", _("The file has a header but no rows under it."))
    return rows


def _check_header(header: list, columns: Sequence[str]) -> None:
    if [str(cell).lower() for cell in header] == list(columns):
        return
    missing = [column for column in columns if column not in header]
    unexpected = [str(column) for column in header if column not in columns]
    details = []
    if missing:
        details.append(_("missing: %(columns)s") % {"columns": ", ".join(missing)})
    if unexpected:
        details.append(_("unexpected: %(columns)s") % {"columns": ", ".join(unexpected)})
    if not details:
        details.append(_("the columns are out of order"))
    raise FileError(
        "invalid_header",
        _("The first row must be exactly: %(expected)s (%(details)s).")
        % {"expected": ",".join(columns), "details": "; ".join(details)},
    )


def parse_date(value) -> date:
    if isinstance(value, date):
        return value
    try:
        if not ISO_DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": value}) from None


# --- the columns of an import and their cells -------------------------------------------

TEXT, DATE, NUMBER, CHOICE, COUNTRY = "text", "date", "number", "choice", "country"


@dataclass(frozen=True)
class Column:
    """One column of an import: its cells' type, whether it may be empty, its template example."""

    name: str
    type: str = TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    example: Any = ""


class RowChecker:
    """Turns each row's cells into values by column, collecting every problem as a RowError."""

    def __init__(self, columns: Sequence[Column]):
        self.columns = tuple(columns)
        self.names = tuple(column.name for column in columns)
        self.errors: list[RowError] = []
        self.country_codes = set(countries.countries)

    def fail(self, row: int, column: str, code: str, message) -> None:
        self.errors.append(RowError(row, column, code, str(message)))

    def failed(self, row: int) -> bool:
        return any(error.row == row for error in self.errors)

    def values(self, row: int, cells: list) -> dict[str, Any] | None:
        """The row's values (empty cells as "" or None for dates and numbers), or None when
        its cells cannot be read at all."""
        if len(cells) != len(self.columns):
            self.fail(
                row,
                "",
                "column_count",
                _("The row has %(found)d columns; the header has %(expected)d.")
                % {"found": len(cells), "expected": len(self.columns)},
            )
            return None
        values: dict[str, Any] = {}
        for column, cell in zip(self.columns, cells, strict=True):
            values[column.name] = self._cell(row, column, cell)
        return values

    def _cell(self, row: int, column: Column, cell) -> Any:
        if cell == "":
            if column.required:
                self.fail(row, column.name, "required", _("This column is required."))
            return None if column.type in (DATE, NUMBER) else ""
        if column.type == DATE:
            try:
                return parse_date(cell)
            except ValueError as exc:
                self.fail(row, column.name, "invalid_date", str(exc))
                return None
        text = cell.isoformat() if isinstance(cell, date) else str(cell)
        if column.type == NUMBER:
            if not text.isdigit():
                self.fail(row, column.name, "invalid_number", _("“%(value)s” is not a whole number.") % {"value": text})
                return None
            return int(text)
        if column.type == CHOICE:
            text = text.lower()
            if text not in column.choices:
                self.fail(
                    row,
                    column.name,
                    "invalid_choice",
                    _("“%(value)s” is not one of %(choices)s.") % {"value": text, "choices": ", ".join(column.choices)},
                )
            return text
        if column.type == COUNTRY:
            text = text.upper()
            if text not in self.country_codes:
                self.fail(
                    row,
                    column.name,
                    "unknown_country",
                    _("“%(value)s” is not an ISO 3166 alpha-2 country code (e.g. ID, PH, VN).") % {"value": text},
                )
            return text
        return text

    def report_order(self) -> list[RowError]:
        def order(error: RowError) -> tuple[int, int]:
            return error.row, self.names.index(error.field) if error.field in self.names else -1

        return sorted(self.errors, key=order)


# --- what an import did, row by row -----------------------------------------------------

CREATE, MATCH = "create", "match"


@dataclass(frozen=True)
class RowOutcome:
    """What a row makes of one record: a new one (`create`) or one on record (`match`, with its id)."""

    row: int
    record: str
    action: str
    id: int | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "record": self.record, "action": self.action, "id": self.id}


@dataclass
class ImportReport:
    """A whole file's verdict: every row's outcomes and problems; written only when `imported`."""

    kind: str
    dry_run: bool
    rows: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.dry_run and not self.errors

    def counts(self) -> dict[str, dict[str, int]]:
        """{record: {"create": n, "match": n}}."""
        counts: dict[str, dict[str, int]] = {}
        for outcome in self.outcomes:
            per_record = counts.setdefault(outcome.record, {CREATE: 0, MATCH: 0})
            per_record[outcome.action] += 1
        return counts

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "rows": self.rows,
            "refused_rows": len({error.row for error in self.errors}),
            "counts": self.counts(),
            "outcomes": [outcome.as_dict() for outcome in self.outcomes],
            "errors": [error.as_dict() for error in self.errors],
        }


# --- templates --------------------------------------------------------------------------


def template_csv(columns: Iterable[Column]) -> bytes:
    """The header and one filled example row, as CSV in UTF-8."""
    columns = list(columns)
    return csv_text([[c.name for c in columns], [c.example for c in columns]]).encode("utf-8")


def template_xlsx(columns: Iterable[Column], *, sheet: str) -> bytes:
    columns = list(columns)
    template = Sheet(title=sheet)
    template.append([c.name for c in columns], bold=True)
    template.append([c.example for c in columns])
    return workbook_bytes([template])


# --- running an import ------------------------------------------------------------------


@dataclass
class Plan:
    """What an import found in a file before writing: its problems and each row's outcomes.

    Each outcome carries a key by which its record's id is found once written (a code, a
    name, a row number): `written` fills in the ids the write returns, by record and key.
    """

    errors: list[RowError] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    keys: list[Any] = field(default_factory=list)

    def add(self, outcome: RowOutcome, key: Any) -> None:
        self.outcomes.append(outcome)
        self.keys.append(key)

    def written(self, ids: dict[str, dict[Any, int]]) -> list[RowOutcome]:
        return [
            outcome
            if outcome.id is not None
            else RowOutcome(outcome.row, outcome.record, outcome.action, ids[outcome.record][key])
            for outcome, key in zip(self.outcomes, self.keys, strict=True)
        ]


class RowImport(ABC):
    """One kind of file: its columns, how its rows are checked (`plan`) and written (`write`).

    `plan` reads the database but writes nothing; `write` receives a plan without errors
    and returns the outcomes with the ids of the records created.
    """

    kind: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @abstractmethod
    def plan(self, rows: list[tuple[int, list]]) -> Plan: ...

    @abstractmethod
    def write(self, plan: Plan, *, actor) -> list[RowOutcome]: ...


def run_import(importer: RowImport, *, content: bytes, name: str, dry_run: bool, actor) -> ImportReport:
    """Check every row of the file; unless `dry_run`, write them all in one transaction, or
    nothing when any row is refused. Raises FileError when the file cannot be read."""
    rows = read_rows(content, columns=importer.column_names, name=name, allow_xlsx=True, sheet=importer.kind)
    plan = importer.plan(rows)
    report = ImportReport(kind=importer.kind, dry_run=dry_run, rows=len(rows), errors=plan.errors)
    if report.errors or dry_run:
        report.outcomes = plan.outcomes
        return report
    with transaction.atomic():
        report.outcomes = importer.write(plan, actor=actor)
    return report
