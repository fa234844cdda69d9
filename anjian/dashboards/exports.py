"""A chart's numbers as an Excel sheet: the same table the page shows under "Show as table"."""

from __future__ import annotations

import re

from django.utils import timezone

from anjian.core.export import Column, workbook_bytes
from anjian.dashboards.results import Chart


def chart_workbook(chart: Chart) -> bytes:
    head, rows = chart.table()
    columns = [
        Column(title, lambda row, i=i: row[i], 30 if i == 0 else 14) for i, title in enumerate(head)
    ]
    title = re.sub(r"[\[\]:*?/\\]", " ", chart.title)  # characters a sheet name may not hold
    return workbook_bytes(title, columns, rows)


def chart_filename(chart: Chart, scope_label: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{scope_label}{chart.title}-{stamp}.xlsx"
