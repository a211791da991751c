"""Tables of figures, and their CSV and XLSX forms, from one set of column definitions.

The dashboard shows a table, the CSV and the XLSX write the same table: a column added
here appears in all three. The files are written by `cooperation.spreadsheets`, which
keeps text from being read as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cooperation.spreadsheets import UTF8_BOM, Sheet, csv_text, workbook_bytes

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


def tables_workbook(tables: list[Table]) -> bytes:
    """One sheet per table, headers in bold."""
    sheets = []
    for table in tables:
        sheet = Sheet(title=table.key, numeric_columns=_numeric(table))
        sheet.append([str(table.title)], bold=True, size=12)
        sheet.append([str(column.label) for column in table.columns], bold=True)
        for row in table.cells():
            sheet.append(row)
        sheets.append(sheet)
    return workbook_bytes(sheets)
