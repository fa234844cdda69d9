"""The statistics API (mounted at /api/v1/statistics): every figure of the statistics page, with the
same scoping, its Excel export, and the stored report runs.

The period is chosen by ``kind`` (month, quarter, year, custom) and its numbers (``year`` with
``month`` or ``quarter``; ``start`` and ``end`` — the last day — for a custom range); without
``kind``, this month. ``region_id`` (a town or village) and ``committee_id`` only narrow.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.audit.services import audit_record
from anjian.core.api_types import DbInt, Id, Offset, Year
from anjian.core.export import xlsx_response
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope
from anjian.stats.exports import statistics_workbook
from anjian.stats.figures import figures_compute
from anjian.stats.models import StoredRun
from anjian.stats.periods import Period, PeriodKind, period_default, period_make
from anjian.stats.selectors import stored_run_compare, stored_run_get_for, stored_runs_for
from anjian.stats.services import stored_run_create

router = Router(tags=["statistics"])

VIEW = "stats.view"
MAX_LIMIT = 200
XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "An Excel workbook in the district's layout, as an attachment",
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    }
}


def _require(request: HttpRequest, action: str = VIEW) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(_("Your roles do not include the statistics."))


# --- Schemas ------------------------------------------------------------------------------------


class PeriodIn(Schema):
    kind: PeriodKind | None = Field(None, description="Without it: this month")
    year: Year | None = None
    month: DbInt | None = Field(None, description="1–12, for kind=month")
    quarter: DbInt | None = Field(None, description="1–4, for kind=quarter")
    start: datetime.date | None = Field(None, description="First day, for kind=custom")
    end: datetime.date | None = Field(None, description="Last day (inclusive), for kind=custom")

    def default_period(self) -> Period:
        """The period asked for without ``kind``: this month."""
        return period_default()

    def period(self) -> Period:
        if not self.kind:
            return self.default_period()
        return period_make(
            self.kind,
            year=self.year,
            month=self.month,
            quarter=self.quarter,
            start=self.start,
            end=self.end,
        )


class FiguresIn(PeriodIn):
    region_id: Id | None = Field(None, description="Narrow to a town or village one may see")
    committee_id: Id | None = Field(None, description="Narrow to a sector committee")


class PeriodOut(Schema):
    kind: PeriodKind
    start: datetime.date
    end: datetime.date = Field(description="The last day (inclusive)")
    label: str
    year: int | None = None
    month: int | None = None
    quarter: int | None = None


class ScopeOut(Schema):
    label: str
    region_id: int | None
    committee_id: int | None


class AreaOut(Schema):
    key: str = Field(description="A town's id, or 'total'")
    name: str


class FigureOut(Schema):
    key: str
    label: str
    kind: str = Field(description="count (integer), money (yuan, string with 2 decimals), percent")
    values: dict[str, int | float | str | None] = Field(description="Value per area key")
    link: str = Field(description="The page listing what the total counts ('' if none)")
    sub: bool


class StatsSectionOut(Schema):
    key: str
    title: str
    rows: list[FigureOut]


class FiguresOut(Schema):
    period: PeriodOut
    as_of: datetime.datetime = Field(description="The moment 'at the end of the period' means")
    scope: ScopeOut
    areas: list[AreaOut]
    sections: list[StatsSectionOut]
    generated_at: datetime.datetime
    hash: str = Field(description="SHA-256 of the figures (key → area → value)")


class RunOut(Schema):
    id: int
    label: str
    created_by_id: int | None
    created_at: datetime.datetime
    region_id: int | None
    period_kind: PeriodKind
    period_start: datetime.date
    period_end: datetime.date
    params: dict[str, Any]
    scope_label: str
    result_hash: str


class RunPageOut(Schema):
    items: list[RunOut]
    count: int


class ChangeOut(Schema):
    key: str
    section: str
    label: str
    area: str
    area_name: str
    stored: int | float | str | None
    now: int | float | str | None


class RunDetailOut(RunOut):
    result: FiguresOut
    same_now: bool = Field(description="Whether computing the parameters again gives the same")
    changes: list[ChangeOut] = Field(description="Figure by figure, what differs now")
    rerun_error: str = ""


class RunListIn(Schema):
    q: str | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class RunIn(FiguresIn):
    label: str = Field("", max_length=120)


# --- Operations ---------------------------------------------------------------------------------


@router.get("/figures", response=FiguresOut, operation_id="statistics_figures")
def statistics_figures(request: HttpRequest, filters: Query[FiguresIn]):
    """Every figure of the statistics page for the period and scope (the caller's, narrowed)."""
    _require(request)
    result = figures_compute(
        request.auth,
        filters.period(),
        region_id=filters.region_id,
        committee_id=filters.committee_id,
    )
    return result.as_dict()


@router.get(
    "/figures/xlsx",
    operation_id="statistics_figures_export",
    openapi_extra=XLSX_RESPONSE,
)
def statistics_figures_export(request: HttpRequest, filters: Query[FiguresIn]) -> HttpResponse:
    """The same figures as an Excel workbook in the district's layout."""
    _require(request)
    result = figures_compute(
        request.auth,
        filters.period(),
        region_id=filters.region_id,
        committee_id=filters.committee_id,
    )
    data = result.as_dict()
    name = f"{result.scope_label}{result.period.label}"
    audit_record(
        actor=request.auth,
        action="export.downloaded",
        target_repr=name,
        changes={"filters": request.GET.dict(), "hash": data["hash"]},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(f"{name}-{stamp}.xlsx", statistics_workbook(data))


@router.get("/runs", response=RunPageOut, operation_id="statistics_runs_list")
def statistics_runs_list(request: HttpRequest, filters: Query[RunListIn]):
    """Stored report runs within the caller's regions, newest first."""
    _require(request)
    qs = stored_runs_for(request.auth)
    if filters.q:
        qs = qs.filter(label__icontains=filters.q.strip())
    return api_page(qs, offset=filters.offset, limit=filters.limit)


def _detail(user, run: StoredRun) -> dict[str, Any]:
    comparison = stored_run_compare(user, run)
    out = RunOut.model_validate(run).model_dump()
    out.update(
        result=run.result,
        same_now=comparison.same,
        changes=[vars(c) for c in comparison.changes],
        rerun_error=comparison.error,
    )
    return out


@router.get("/runs/{stats_run_id}", response=RunDetailOut, operation_id="statistics_runs_get")
def statistics_runs_get(request: HttpRequest, stats_run_id: Id):
    """One stored run, its stored figures, and what differs when computed again now."""
    _require(request)
    return _detail(request.auth, stored_run_get_for(request.auth, stats_run_id))


@router.post("/runs", response={201: RunDetailOut}, operation_id="statistics_runs_create")
def statistics_runs_create(request: HttpRequest, payload: RunIn):
    """Compute the figures and store them, with their parameters, as a report run."""
    _require(request, "stats.store_runs")
    run = stored_run_create(
        actor=request.auth,
        period=payload.period(),
        region_id=payload.region_id,
        committee_id=payload.committee_id,
        label=payload.label,
    )
    return Status(201, _detail(request.auth, run))
