"""Tables of figures, and their CSV and XLSX forms, from one set of column definitions.

The dashboard shows a table, the CSV and the XLSX write the same table: a column added
here appears in all three. The files are written by `cooperation.spreadsheets`, which
keeps text from being read as a formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from cooperation.spreadsheets import SHEET_TITLE_LENGTH, UTF8_BOM, Sheet, csv_text, workbook_bytes

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    numeric: bool = False


@dataclass
class Table:
    key: str
    title: StrOrPromise
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    chart: str | None = None  # "bar", "line" or None

    @property
    def has_data(self) -> bool:
        """Whether any number in the table is other than zero: a chart of zeros shows nothing."""
        numeric = [column.key for column in self.columns if column.numeric]
        return any(row.get(key) for row in self.rows for key in numeric)

    def cells(self) -> list[list[Any]]:
        return [[row.get(column.key) for column in self.columns] for row in self.rows]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": str(self.title),
            "chart": self.chart,
            "columns": [{"key": c.key, "label": str(c.label), "numeric": c.numeric} for c in self.columns],
            "rows": self.rows,
        }


def _numeric(table: Table) -> list[bool]:
    return [column.numeric for column in table.columns]


def table_csv(table: Table) -> str:
    header = [str(column.label) for column in table.columns]
    return csv_text([header, *table.cells()], numeric_columns=_numeric(table))


def tables_csv(tables: list[Table]) -> str:
    """Several tables in one CSV, each under its title, separated by a blank line."""
    parts = [
        csv_text(
            [[str(table.title)], [str(column.label) for column in table.columns], *table.cells(), []],
            numeric_columns=_numeric(table),
            bom=False,
        )
        for table in tables
    ]
    return UTF8_BOM + "".join(parts)


# Characters a spreadsheet program refuses in a sheet's name.
_NOT_IN_SHEET_NAMES = re.compile(r"[\\/?*\[\]:]")


def sheet_names(tables: list[Table]) -> list[str]:
    """Each table's title as its sheet's name: short enough, allowed characters, none twice."""
    names: list[str] = []
    for table in tables:
        base = _NOT_IN_SHEET_NAMES.sub(" ", str(table.title)).strip()[:SHEET_TITLE_LENGTH]
        name, number = base, 1
        while name.casefold() in (taken.casefold() for taken in names):
            number += 1
            suffix = f" ({number})"
            name = base[: SHEET_TITLE_LENGTH - len(suffix)] + suffix
        names.append(name)
    return names


def tables_workbook(tables: list[Table], *, period: str) -> bytes:
    """One sheet per table, named by its title; the first row says what, for when, in what unit."""
    sheets = []
    for table, name in zip(tables, sheet_names(tables), strict=True):
        sheet = Sheet(title=name, numeric_columns=_numeric(table))
        heading = _("%(title)s — %(period)s · Unit: number of people or records, as each column is headed") % {
            "title": table.title,
            "period": period,
        }
        sheet.append([heading], bold=True, size=12)
        sheet.append([str(column.label) for column in table.columns], bold=True)
        for row in table.cells():
            sheet.append(row)
        sheets.append(sheet)
    return workbook_bytes(sheets)
