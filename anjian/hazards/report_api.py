"""Monthly self-inspection reports and Order 16 statistics statements over the API (mounted at
``/api/v1/hazard-reports``). Same rules and scope as the pages: reading needs ``hazards.view``,
the unit's submissions ``hazards.report_monthly``, the office's follow-up
``hazards.follow_reports``; anything outside the caller's scope is 404.

Months travel as ``YYYY-MM``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.core.api_types import Id, Offset, Year
from anjian.core.export import xlsx_response
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope
from anjian.hazards import report_statements as statements
from anjian.hazards import reports
from anjian.hazards.choices import HazardLevel, HazardSource, HazardStatus, MonthlyReportKind
from anjian.hazards.choices import StatementPeriod as Period
from anjian.hazards.models import MonthlyReport, StatisticsStatement
from anjian.hazards.reports import FOLLOW, REPORT, VIEW

router = Router(tags=["hazard reports"])

MAX_LIMIT = 200
MONTH_PATTERN = r"^\d{4}-\d{2}$"
MONTH_HELP = "The month as YYYY-MM"
XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "An Excel workbook, as an attachment",
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    }
}


def _require(request: HttpRequest, action: str) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(_("Your roles do not include this part of the monthly reports."))


def _month(value: str | None, default: datetime.date) -> datetime.date:
    return reports.parse_month(value) if value else default


# --- Schemas ------------------------------------------------------------------------------------


class MonthlyReportOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    month: str = Field(description="YYYY-MM")
    kind: MonthlyReportKind
    kind_label: str
    hazard_ids: list[Id]
    checks_done: int
    note: str
    signed_name: str
    submitted_by_id: int | None
    submitted_at: datetime.datetime
    correction_until: datetime.date = Field(description="Last day a correction is accepted")

    @staticmethod
    def resolve_unit_name(obj: MonthlyReport) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_month(obj: MonthlyReport) -> str:
        return reports.month_param(obj.month)

    @staticmethod
    def resolve_kind_label(obj: MonthlyReport) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_hazard_ids(obj: MonthlyReport) -> list[int]:
        return sorted(h.pk for h in obj.hazards.all())

    @staticmethod
    def resolve_correction_until(obj: MonthlyReport) -> datetime.date:
        return reports.correction_deadline(obj.month)


class MonthlyReportPageOut(Schema):
    items: list[MonthlyReportOut]
    count: int


class MonthlyReportFilterIn(Schema):
    month: str | None = Field(None, pattern=MONTH_PATTERN, description=MONTH_HELP)
    unit_id: Id | None = None
    kind: MonthlyReportKind | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class MonthlyReportIn(Schema):
    unit_id: Id
    month: str = Field(..., pattern=MONTH_PATTERN, description=MONTH_HELP)
    kind: MonthlyReportKind
    hazard_ids: list[Id] = Field(
        default_factory=list, description="For kind=hazards: hazards found or closed that month"
    )
    checks_done: int = Field(0, ge=0, le=reports.MAX_CHECKS)
    note: str = Field("", max_length=reports.MAX_NOTE)
    signed_name: str = Field(
        "",
        max_length=reports.MAX_NAME,
        description="Required for kind=none_found (the signed statement)",
    )
    replace: bool = Field(
        False, description="Correct the month's report (until the 10th of the next month)"
    )


class CandidateOut(Schema):
    id: int
    code: str
    location: str
    description: str
    level: HazardLevel
    status: HazardStatus
    source: HazardSource
    found_at: datetime.datetime
    closed_at: datetime.datetime | None


class CandidatesOut(Schema):
    unit_id: int
    month: str
    items: list[CandidateOut]
    self_found_ids: list[Id] = Field(
        description="Hazards found by the unit's self-checks this month: while there is one, "
        "kind=none_found is refused"
    )


class MissingUnitOut(Schema):
    id: int
    name: str
    village: str
    principal_name: str
    principal_mobile: str

    @staticmethod
    def resolve_village(obj) -> str:
        return obj.region.name


class MissingPageOut(Schema):
    items: list[MissingUnitOut]
    count: int


class MonthQueryIn(Schema):
    month: str | None = Field(
        None, pattern=MONTH_PATTERN, description=MONTH_HELP + " (default: the previous month)"
    )


class MissingQueryIn(MonthQueryIn):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class OverviewOut(Schema):
    month: str
    expected: int = Field(description="Operating enterprise units that owe the report")
    submitted: int
    with_hazards: int
    none_found: int
    missing: int
    rate: float = Field(description="Share of the units owing a report that sent it, percent")


class RemindIn(Schema):
    month: str = Field(..., pattern=MONTH_PATTERN, description=MONTH_HELP)


class RemindOut(Schema):
    missing: int
    units: int = Field(description="Units reminded now (not reminded before for this month)")
    notifications: int


class ReportFigureOut(Schema):
    key: str
    label: str
    definition: str
    value: Any


class StatementOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    period: Period
    year: int
    quarter: int | None
    label: str
    due: datetime.date
    is_late: bool
    figures: dict[str, Any]
    rows: list[ReportFigureOut]
    principal_name: str
    signed_at: datetime.datetime
    xlsx_url: str

    @staticmethod
    def resolve_unit_name(obj: StatisticsStatement) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_rows(obj: StatisticsStatement) -> list[dict]:
        return statements.figure_rows(obj.figures)

    @staticmethod
    def resolve_xlsx_url(obj: StatisticsStatement) -> str:
        return f"/api/v1/hazard-reports/statements/{obj.pk}/xlsx"


class StatementPageOut(Schema):
    items: list[StatementOut]
    count: int


class StatementFilterIn(Schema):
    unit_id: Id | None = None
    year: Year | None = None
    period: Period | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class StatementSignIn(Schema):
    unit_id: Id
    period: Period
    year: Year
    quarter: int | None = Field(None, ge=1, le=4, description="Required for period=quarter")
    principal_name: str = Field(..., max_length=reports.MAX_NAME)


class PeriodQueryIn(Schema):
    period: Period = Period.QUARTER
    year: Year | None = Field(None, description="Default: the last period that has ended")
    quarter: int | None = Field(None, ge=1, le=4)


class ReportFiguresOut(Schema):
    unit_id: int
    period: Period
    year: int
    quarter: int | None
    label: str
    due: datetime.date
    ended: bool
    figures: dict[str, Any]
    rows: list[ReportFigureOut]


class ReportPeriodOut(Schema):
    period: Period
    year: int
    quarter: int | None
    label: str
    due: datetime.date
    statement_id: int | None
    overdue: bool = Field(description="Not signed and past its due date")
    is_late: bool = Field(description="Signed after its due date")

    @staticmethod
    def resolve_statement_id(obj) -> int | None:
        return obj.statement.pk if obj.statement else None


# --- Monthly reports ----------------------------------------------------------------------------


@router.get(
    "/monthly",
    response=MonthlyReportPageOut,
    operation_id="hazard_reports_monthly_list",
    summary="Monthly self-inspection reports the caller may see",
)
def hazard_reports_monthly_list(request: HttpRequest, filters: Query[MonthlyReportFilterIn]):
    _require(request, VIEW)
    qs = reports.monthly_report_list_for(request.auth).prefetch_related("hazards")
    if filters.month:
        qs = qs.filter(month=reports.parse_month(filters.month))
    if filters.unit_id is not None:
        qs = qs.filter(unit_id=filters.unit_id)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    qs = qs.order_by("-month", "unit__name", "pk")
    return api_page(qs, offset=filters.offset, limit=filters.limit)


@router.post(
    "/monthly",
    response={201: MonthlyReportOut},
    operation_id="hazard_reports_monthly_submit",
    summary="Submit (or correct) a unit's monthly self-inspection report",
)
def hazard_reports_monthly_submit(request: HttpRequest, payload: MonthlyReportIn):
    """``kind=hazards`` links at least one hazard of the unit found or closed that month;
    ``kind=none_found`` is a signed statement (``signed_name``) and is refused while the unit's
    self-checks recorded a hazard that month. A second report for the month is refused unless
    ``replace`` is true and it is not later than the 10th of the next month."""
    _require(request, REPORT)
    report = reports.monthly_report_submit(actor=request.auth, **payload.dict())
    return Status(201, reports.monthly_report_get_for(request.auth, report.pk))


@router.get(
    "/monthly/overview",
    response=OverviewOut,
    operation_id="hazard_reports_monthly_overview",
    summary="The month at a glance: units owing a report, received, missing",
)
def hazard_reports_monthly_overview(request: HttpRequest, query: Query[MonthQueryIn]):
    _require(request, FOLLOW)
    month = _month(query.month, reports.previous_month(timezone.localdate()))
    overview = reports.monthly_overview(request.auth, month)
    return {
        "month": reports.month_param(month),
        "expected": overview.expected,
        "submitted": overview.submitted,
        "with_hazards": overview.with_hazards,
        "none_found": overview.none_found,
        "missing": overview.missing,
        "rate": overview.rate,
    }


@router.get(
    "/monthly/missing",
    response=MissingPageOut,
    operation_id="hazard_reports_monthly_missing",
    summary="The units in scope that have not sent the month's report",
)
def hazard_reports_monthly_missing(request: HttpRequest, query: Query[MissingQueryIn]):
    _require(request, FOLLOW)
    month = _month(query.month, reports.previous_month(timezone.localdate()))
    return api_page(
        reports.monthly_missing(request.auth, month), offset=query.offset, limit=query.limit
    )


@router.post(
    "/monthly/remind",
    response=RemindOut,
    operation_id="hazard_reports_monthly_remind",
    summary="Remind every unit missing the month's report (once per unit and month)",
)
def hazard_reports_monthly_remind(request: HttpRequest, payload: RemindIn):
    _require(request, FOLLOW)
    return reports.monthly_remind_missing(actor=request.auth, month=payload.month)


@router.get(
    "/monthly/export",
    response={200: None},
    operation_id="hazard_reports_monthly_export",
    summary="The month's reports as an Excel workbook (every unit owing or sending one)",
    openapi_extra=XLSX_RESPONSE,
)
def hazard_reports_monthly_export(request: HttpRequest, query: Query[MonthQueryIn]):
    _require(request, FOLLOW)
    month = _month(query.month, reports.previous_month(timezone.localdate()))
    content = reports.monthly_export(request.auth, month)
    name = _("Monthly reports %(month)s") % {"month": reports.month_label(month)}
    return xlsx_response(f"{name}.xlsx", content)


@router.get(
    "/monthly/{int:report_id}",
    response=MonthlyReportOut,
    operation_id="hazard_reports_monthly_get",
    summary="One monthly self-inspection report",
)
def hazard_reports_monthly_get(request: HttpRequest, report_id: Id):
    _require(request, VIEW)
    return reports.monthly_report_get_for(request.auth, report_id)


@router.get(
    "/units/{int:unit_id}/candidates",
    response=CandidatesOut,
    operation_id="hazard_reports_monthly_candidates",
    summary="Hazards of the unit found or closed in a month (to link to its report)",
)
def hazard_reports_monthly_candidates(
    request: HttpRequest, unit_id: Id, query: Query[MonthQueryIn]
):
    """Default month: the current one."""
    _require(request, REPORT)
    unit = reports.unit_get_for(request.auth, unit_id, action=REPORT)
    month = _month(query.month, reports.month_start(timezone.localdate()))
    return {
        "unit_id": unit.pk,
        "month": reports.month_param(month),
        "items": list(reports.monthly_report_candidates(request.auth, unit, month)),
        "self_found_ids": list(
            reports.self_found_hazards(unit, month).values_list("pk", flat=True)
        ),
    }


# --- Statistics statements ----------------------------------------------------------------------


def _statement_out(statement: StatisticsStatement) -> StatisticsStatement:
    return statements.statement_describe(statement)


@router.get(
    "/statements",
    response=StatementPageOut,
    operation_id="hazard_reports_statements_list",
    summary="Signed hazard statistics statements (Order 16 Art 14) the caller may see",
)
def hazard_reports_statements_list(request: HttpRequest, filters: Query[StatementFilterIn]):
    _require(request, VIEW)
    qs = statements.statement_list_for(request.auth)
    if filters.unit_id is not None:
        qs = qs.filter(unit_id=filters.unit_id)
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.period:
        qs = qs.filter(period=filters.period)
    page = api_page(
        qs.order_by("-year", "-quarter", "unit__name", "pk"),
        offset=filters.offset,
        limit=filters.limit,
    )
    page["items"] = [_statement_out(s) for s in page["items"]]
    return page


@router.post(
    "/statements",
    response={201: StatementOut},
    operation_id="hazard_reports_statements_sign",
    summary="Sign and submit a unit's quarterly or yearly statistics statement",
)
def hazard_reports_statements_sign(request: HttpRequest, payload: StatementSignIn):
    """The figures are computed from the records now and stored as signed; the period must
    have ended; one statement per unit and period. Late signing is accepted and flagged."""
    _require(request, REPORT)
    statement = statements.statement_sign(actor=request.auth, **payload.dict())
    return Status(201, _statement_out(statements.statement_get_for(request.auth, statement.pk)))


@router.get(
    "/statements/{int:statement_id}",
    response=StatementOut,
    operation_id="hazard_reports_statements_get",
    summary="One signed statistics statement with its figures as signed",
)
def hazard_reports_statements_get(request: HttpRequest, statement_id: Id):
    _require(request, VIEW)
    return _statement_out(statements.statement_get_for(request.auth, statement_id))


@router.get(
    "/statements/{int:statement_id}/xlsx",
    response={200: None},
    operation_id="hazard_reports_statements_xlsx",
    summary="The signed statement as a printable Excel table",
    openapi_extra=XLSX_RESPONSE,
)
def hazard_reports_statements_xlsx(request: HttpRequest, statement_id: Id) -> HttpResponse:
    _require(request, VIEW)
    statement, content = statements.statement_download(
        actor=request.auth, statement_id=statement_id
    )
    return xlsx_response(statements.statement_filename(statement), content)


@router.get(
    "/units/{int:unit_id}/statement-figures",
    response=ReportFiguresOut,
    operation_id="hazard_reports_statement_figures",
    summary="The statistics table of a unit for a quarter or a year, computed now",
)
def hazard_reports_statement_figures(
    request: HttpRequest, unit_id: Id, query: Query[PeriodQueryIn]
):
    """A preview before signing (or the office's look at a period not yet signed). Default:
    the last quarter (or year) that has ended."""
    _require(request, VIEW)
    unit = reports.unit_get_for(request.auth, unit_id)
    today = timezone.localdate()
    year, quarter = statements.last_completed_period(query.period, today)
    period, year, quarter = statements.check_period(
        query.period, query.year or year, query.quarter or quarter
    )
    figures = statements.statement_figures(unit, period, year, quarter)
    return {
        "unit_id": unit.pk,
        "period": period,
        "year": year,
        "quarter": quarter,
        "label": statements.period_label(period, year, quarter),
        "due": statements.statement_due(period, year, quarter),
        "ended": today >= statements.period_dates(period, year, quarter)[1],
        "figures": figures,
        "rows": statements.figure_rows(figures),
    }


@router.get(
    "/units/{int:unit_id}/statement-periods",
    response=list[ReportPeriodOut],
    operation_id="hazard_reports_statement_periods",
    summary="The unit's last quarters and years with their due dates and signed statements",
)
def hazard_reports_statement_periods(request: HttpRequest, unit_id: Id):
    _require(request, VIEW)
    unit = reports.unit_get_for(request.auth, unit_id)
    return statements.statement_periods_for(unit)
