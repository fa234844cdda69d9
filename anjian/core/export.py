"""Excel export of any table: the user's current filtered, scoped list, column by column.

Every Excel file the site writes puts its values through ``write_cell`` / ``append_row`` (and its
sheet names through ``safe_text.sheet_title``): text loses the characters XML cannot hold, and
text is always stored as text, so ``=HYPERLINK(...)`` typed into a tip-off shows as typed and is
never evaluated (Excel's quote prefix also keeps it text when someone edits the cell).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from anjian.core.safe_text import formula_like, sheet_title, xml_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Any], Any]
    width: int = 16


def excel_value(value: Any) -> Any:
    """A value as an Excel cell holds it: aware times in the local zone without their zone,
    numbers, dates and booleans as they are, anything else as text without XML-illegal
    characters."""
    if value is None:
        return None
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool | int | float | Decimal) or hasattr(value, "isoformat"):
        return value
    return xml_text(value)  # text, lazy translations and anything else as text


def _as_text(cell: Cell) -> Cell:
    """Text stays text: openpyxl reads a string beginning with ``=`` as a formula (and ``#N/A``
    as an error); such a cell is stored as a string with Excel's quote prefix."""
    if isinstance(cell.value, str) and (cell.data_type != "s" or formula_like(cell.value)):
        cell.data_type = "s"
        cell.quotePrefix = True  # shown as typed, and still text once someone edits the cell
    return cell


def write_cell(ws, row: int, column: int, value: Any) -> Cell:
    """Write one cell of any Excel export (the only way values go into a worksheet)."""
    cell = ws.cell(row=row, column=column)
    cell.value = excel_value(value)
    return _as_text(cell)


def append_row(ws, values: Iterable[Any]) -> None:
    """Append a row to a worksheet (write-only ones too), each value as ``write_cell`` writes it."""
    ws.append([_as_text(WriteOnlyCell(ws, excel_value(v))) for v in values])


def _cell(value: Any) -> Any:
    value = excel_value(value)
    return "" if value is None else value


def workbook_bytes(title: str, columns: Sequence[Column], rows: Iterable[Any]) -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_title(title)
    append_row(ws, [str(c.title) for c in columns])  # titles may be lazy translations
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    for row in rows:
        append_row(ws, [_cell(c.value(row)) for c in columns])
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
