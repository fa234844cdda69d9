"""The dashboard page (形势一览) and the Excel export of each of its charts."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from anjian.audit.services import audit_record
from anjian.core.export import xlsx_response
from anjian.core.views import scoped
from anjian.dashboards.charts import PHONE_WIDTH, render_chart, swatch
from anjian.dashboards.exports import chart_filename, chart_workbook
from anjian.dashboards.results import Dashboard
from anjian.dashboards.selectors import dashboard_compute

VIEW = "dashboards.view"
DEFAULT_CHART = "trend"


def chart_export_response(user, dashboard: Dashboard, key: str, params: dict) -> HttpResponse:
    """The chart ``key`` of ``dashboard`` as an Excel attachment (audited as a download)."""
    chart = dashboard.charts.get(key or "")
    if chart is None:
        raise Http404
    name = chart_filename(chart, dashboard.scope_label)
    audit_record(
        actor=user,
        action="export.downloaded",
        target_repr=name,
        changes={"filters": params, "chart": chart.key},
    )
    return xlsx_response(name, chart_workbook(chart))


@scoped(VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    board = dashboard_compute(request.user)
    charts = []
    for chart in board.charts.values():
        head, rows = chart.table()
        charts.append(
            {
                "chart": chart,
                # Drawn twice: for a desktop and (larger text) for a phone; CSS shows one.
                "svg": render_chart(chart) if not chart.empty else "",
                "svg_phone": render_chart(chart, PHONE_WIDTH) if not chart.empty else "",
                "head": head,
                "rows": rows,
                "legend": [
                    {"key": s.key, "name": s.name, "swatch": swatch(s.colour)} for s in chart.series
                ]
                if len(chart.series) > 1 or chart.kind == "map"
                else [],
            }
        )
    return render(request, "dashboards/dashboard.html", {"board": board, "charts": charts})


@scoped(VIEW)
def chart_export(request: HttpRequest) -> HttpResponse:
    """``?chart=<key>`` (the trend when none is named): the chart's table as an Excel workbook."""
    board = dashboard_compute(request.user)
    key = request.GET.get("chart") or DEFAULT_CHART
    return chart_export_response(request.user, board, key, request.GET.dict())


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("chart.xlsx", chart_export, name="chart_export"),
]
