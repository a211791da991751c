"""Tables of figures, and their CSV and XLSX forms, from one set of column definitions.

The dashboard shows a table, the CSV and the XLSX write the same table: a column added
here appears in all three.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

# Excel opens a UTF-8 CSV with Japanese text correctly only when it starts with a BOM.
UTF8_BOM = "\ufeff"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass
class Table:
    key: str
    title: str
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


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerow([str(column.label) for column in table.columns])
    writer.writerows(table.cells())
    return buffer.getvalue()


def tables_csv(tables: list[Table]) -> str:
    """Several tables in one CSV, each under its title, separated by a blank line."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    for table in tables:
        writer.writerow([str(table.title)])
        writer.writerow([str(column.label) for column in table.columns])
        writer.writerows(table.cells())
        writer.writerow([])
    return buffer.getvalue()


def tables_workbook(tables: list[Table]) -> bytes:
    """One sheet per table, headers in bold."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=table.key[:31])
        sheet.append([str(table.title)])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([str(column.label) for column in table.columns])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.cells():
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
