"""A chart's numbers as an Excel sheet: the same table the page shows under "Show as table"."""

from __future__ import annotations

from django.utils import timezone

from anjian.core.export import Column, workbook_bytes
from anjian.dashboards.results import Chart


def chart_workbook(chart: Chart) -> bytes:
    head, rows = chart.table()
    columns = [
        Column(title, lambda row, i=i: row[i], 30 if i == 0 else 14) for i, title in enumerate(head)
    ]
    return workbook_bytes(chart.title, columns, rows)  # the sheet name is made safe there


def chart_filename(chart: Chart, scope_label: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{scope_label}{chart.title}-{stamp}.xlsx"
