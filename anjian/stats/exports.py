"""The statistics as the district asks for them: one Excel sheet with a title, the reporting
unit and the period, each section under its own header, and the signature line (填报单位、填报人、
审核人、填报日期). Works on a result's ``as_dict()`` form, so a stored run exports exactly what was
stored."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from anjian.core.export import write_cell
from anjian.core.safe_text import sheet_title
from anjian.stats.figures import MONEY, PERCENT, TOTAL

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def shown_areas(result: dict[str, Any]) -> list[dict[str, str]]:
    """The columns: each town, and the total when there is more than one town."""
    areas = [a for a in result.get("areas", []) if a["key"] != TOTAL]
    if len(areas) == 1:
        return areas
    return [*areas, next(a for a in result["areas"] if a["key"] == TOTAL)]


def _value(kind: str, value: Any) -> Any:
    if value is None:
        return "—"
    if kind == MONEY:
        return float(Decimal(value))
    if kind == PERCENT:
        return float(value) / 100
    return value


def statistics_workbook(result: dict[str, Any], *, unit_name: str = "") -> bytes:
    areas = shown_areas(result)
    width = 1 + len(areas)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Statistics"))
    ws.column_dimensions["A"].width = 46
    for i in range(2, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16

    def merged(row: int, text: str, *, bold: bool = False, size: int = 11) -> None:
        write_cell(ws, row, 1, text).font = Font(bold=bold, size=size)
        if width > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)

    row = 1
    merged(row, _("Work-safety statistics report"), bold=True, size=16)
    ws.cell(row=row, column=1).alignment = CENTER
    ws.row_dimensions[row].height = 28
    row += 1
    scope = result.get("scope", {}).get("label", "")
    merged(row, _("Reporting unit: %(unit)s") % {"unit": unit_name or scope})
    row += 1
    merged(
        row,
        _("Period: %(period)s (%(start)s to %(end)s)")
        % {
            "period": result["period"].get("label", ""),
            "start": result["period"].get("start", ""),
            "end": result["period"].get("end", ""),
        },
    )
    row += 2
    for section in result.get("sections", []):
        merged(row, section["title"], bold=True)
        row += 1
        headers = [_("Item"), *[a["name"] for a in areas]]
        for col, text in enumerate(headers, start=1):
            cell = write_cell(ws, row, col, text)
            cell.font = Font(bold=True)
            cell.alignment = CENTER
            cell.border = BOX
        row += 1
        for figure in section["rows"]:
            write_cell(ws, row, 1, figure["label"]).border = BOX
            for col, area in enumerate(areas, start=2):
                cell = write_cell(
                    ws, row, col, _value(figure["kind"], figure["values"].get(area["key"]))
                )
                cell.border = BOX
                if figure["kind"] == MONEY:
                    cell.number_format = "#,##0.00"
                elif figure["kind"] == PERCENT:
                    cell.number_format = "0.0%"
            row += 1
        row += 1
    merged(row, signature_line())
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def signature_line() -> str:
    return "    ".join(
        (
            _("Reporting unit (seal): ____________"),
            _("Filled in by: ________"),
            _("Checked by: ________"),
            _("Date: ____-__-__"),
        )
    )
