"""The dashboard API (mounted at /api/v1/dashboard): every figure, list and chart of the dashboard
page as JSON, with the same scoping (the caller's roles), and each chart's table as Excel."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from anjian.core.scoping import get_scope
from anjian.dashboards.selectors import CHART_KEYS, dashboard_compute
from anjian.dashboards.views import DEFAULT_CHART, VIEW, chart_export_response

router = Router(tags=["dashboard"])

XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "The chart's table as an Excel workbook, as an attachment",
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    }
}


def _require(request: HttpRequest) -> None:
    if not get_scope(request.auth).can(VIEW):
        raise PermissionDenied(_("Your roles do not include the dashboard."))


class DashboardAreaOut(Schema):
    key: str = Field(description="A town's id, or 'total'")
    name: str


class DashboardFigureOut(Schema):
    key: str
    label: str
    kind: str = Field(
        description="count; percent (one decimal, null when nothing was found); fraction "
        "(values done of 'of' planned); missing (no module records it yet: values are null)"
    )
    values: dict[str, int | float | None] = Field(description="Value per area key")
    of: dict[str, int | None] | None = None
    link: str = Field(description="The page listing what the total counts ('' if none)")
    note: str


class SeriesOut(Schema):
    key: str
    name: str
    colour: str
    values: list[int | float]
    links: list[str]


class PointOut(Schema):
    key: str = Field(description="The unit's id")
    name: str
    x: float = Field(description="Longitude")
    y: float = Field(description="Latitude")
    series: str = Field(description="The supervision grade ('none': not graded)")
    colour: str
    value: int = Field(description="Open hazards of the unit")
    place: str
    link: str


class TableOut(Schema):
    head: list[str]
    rows: list[list[Any]]


class ChartOut(Schema):
    key: str
    title: str
    kind: str = Field(description="bar, stacked, line, hbar or map")
    categories: list[str]
    series: list[SeriesOut]
    points: list[PointOut]
    table: TableOut


class OverdueOut(Schema):
    id: int
    code: str
    unit: str
    place: str
    level: str
    level_label: str
    deadline: datetime.date
    days: int
    link: str


class MissedOut(Schema):
    month: str = Field(description="YYYY-MM: last month")
    count: int
    units: list[str] = Field(description="The first names (at most 10)")
    link: str


class DashboardOut(Schema):
    generated_at: datetime.datetime
    today: datetime.date
    scope: str
    areas: list[DashboardAreaOut]
    figures: list[DashboardFigureOut]
    queues: list[DashboardFigureOut] = Field(
        description="The office's work queues (empty for others)"
    )
    charts: list[ChartOut]
    overdue: list[OverdueOut] | None = Field(description="The longest-overdue hazards (top 10)")
    missed_reports: MissedOut | None = Field(
        description="Units that missed last month's report (roles that follow the reports)"
    )


class ChartIn(Schema):
    chart: str = Field(DEFAULT_CHART, description="One of: " + ", ".join(CHART_KEYS))


@router.get("/figures", response=DashboardOut, operation_id="dashboard_figures")
def dashboard_figures(request: HttpRequest):
    """Every figure, chart and list of the caller's dashboard."""
    _require(request)
    return dashboard_compute(request.auth).as_dict()


@router.get("/chart", response=ChartOut, operation_id="dashboard_chart")
def dashboard_chart(request: HttpRequest, filters: Query[ChartIn]):
    """One chart's data and table (404 for a chart the caller's dashboard does not have)."""
    _require(request)
    chart = dashboard_compute(request.auth).charts.get(filters.chart)
    if chart is None:
        raise Http404
    return chart.as_dict()


@router.get("/chart/xlsx", operation_id="dashboard_chart_export", openapi_extra=XLSX_RESPONSE)
def dashboard_chart_export(request: HttpRequest, filters: Query[ChartIn]) -> HttpResponse:
    """One chart's table as an Excel workbook."""
    _require(request)
    board = dashboard_compute(request.auth)
    return chart_export_response(request.auth, board, filters.chart, request.GET.dict())
