"""Core's API (mounted at /api/v1/core): the working-day calendar and the jobs a user can follow."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from anjian.core import calendar as cal
from anjian.core.api_types import Id, Year
from anjian.core.jobs import job_result_open
from anjian.core.models import CalendarYear, Job, JobStatus
from anjian.core.pagination import LimitOffset
from anjian.core.scoping import get_scope

router = Router(tags=["core"])


# --- Calendar ---------------------------------------------------------------------------------


class CalendarDayOut(Schema):
    date: datetime.date
    kind: Literal["holiday", "workday"]
    name: str


class CalendarYearOut(Schema):
    year: int
    source: Literal["office", "published", "weekends_only"] = Field(
        description="office: entered by the office; published: the State Council's data; "
        "weekends_only: nothing known, only weekends are days off"
    )
    source_label: str
    warning: str | None
    note: str = ""
    entered_by: str | None = None
    entered_at: datetime.datetime | None = None
    days: list[CalendarDayOut]


class CalendarDayIn(Schema):
    date: datetime.date
    kind: Literal["holiday", "workday"] = Field(
        description="holiday: a day off; workday: a make-up working day on a weekend (调休上班)"
    )
    name: str = Field("", max_length=cal.NAME_MAX_LENGTH)


class CalendarYearIn(Schema):
    note: str = Field("", max_length=300)
    days: list[CalendarDayIn]


class DeadlineQuery(Schema):
    start: datetime.date = Field(description="the date the period starts (not counted)")
    days: int = Field(ge=0, le=cal.MAX_WORKING_DAYS, description="number of working days")


class DeadlineOut(Schema):
    start: datetime.date
    days: int
    deadline: datetime.date = Field(description="the n-th working day after the start date")
    warnings: list[str]


class CalendarOverviewOut(Schema):
    years: list[CalendarYearOut] = Field(description="this year and the next")
    entered_years: list[int] = Field(description="the years the office has entered, newest first")


class CalendarRemoveQuery(Schema):
    reason: str = Field("", max_length=500, description="why the entry is removed (audited)")


def _year_out(year: int) -> CalendarYearOut:
    calendar = cal.WorkingCalendar()
    data = calendar.year(year)
    entered = (
        CalendarYear.objects.select_related("entered_by").filter(year=year).first()
        if data.source == cal.SOURCE_OFFICE
        else None
    )
    return CalendarYearOut(
        year=year,
        source=data.source,
        source_label=cal.source_label(data.source),
        warning=calendar.warning(year),
        note=entered.note if entered else "",
        entered_by=str(entered.entered_by) if entered and entered.entered_by else None,
        entered_at=entered.entered_at if entered else None,
        days=[CalendarDayOut(date=e.date, kind=e.kind, name=e.name) for e in data.entries()],
    )


def _check_year(year: int) -> None:
    cal.validate_year(year)


@router.get(
    "/calendar/deadline",
    response=DeadlineOut,
    operation_id="core_calendar_deadline",
    summary="Compute a deadline in working days",
)
def calendar_deadline(request, query: Query[DeadlineQuery]):
    """The n-th working day after ``start`` (the start date is not counted; ``days=0`` gives the
    start date if it is a working day, else the next one), with warnings for years whose
    holidays nobody has entered. Any logged-in user may ask."""
    result = cal.add_working_days(query.start, query.days)
    return DeadlineOut(
        start=query.start, days=query.days, deadline=result.date, warnings=result.warnings
    )


@router.get(
    "/calendar",
    response=CalendarOverviewOut,
    operation_id="core_calendar_overview",
    summary="This year and the next, and the years the office has entered",
)
def calendar_overview(request):
    """What the calendar page shows: where the holidays of this year and the next come from, and
    which years the office has entered itself. Any logged-in user may read it."""
    this_year = timezone.localdate().year
    return CalendarOverviewOut(
        years=[_year_out(y) for y in (this_year, this_year + 1)],
        entered_years=list(CalendarYear.objects.order_by("-year").values_list("year", flat=True)),
    )


@router.get(
    "/calendar/{year}",
    response=CalendarYearOut,
    operation_id="core_calendar_year_get",
    summary="The holidays and make-up working days of a year",
)
def calendar_year_get(request, year: Year):
    """Where the year comes from (``source``), its days, and the warning when it is unknown.
    Any logged-in user may read it."""
    _check_year(year)
    return _year_out(year)


@router.put(
    "/calendar/{year}",
    response=CalendarYearOut,
    operation_id="core_calendar_year_put",
    summary="Enter or replace the holidays of a year (the office)",
)
def calendar_year_put(request, year: Year, payload: CalendarYearIn):
    """Replaces everything known about the year: from then on these days are the whole truth for
    it. Needs the "calendar.manage" action (town office, district)."""
    if not get_scope(request.auth).can("calendar.manage"):
        raise PermissionDenied(_("Only the safety office may enter the holidays of a year."))
    cal.calendar_year_save(actor=request.auth, year=year, days=payload.days, note=payload.note)
    return _year_out(year)


@router.delete(
    "/calendar/{year}",
    response=CalendarYearOut,
    operation_id="core_calendar_year_delete",
    summary="Remove the office's entry of a year (the published holidays apply again)",
)
def calendar_year_delete(request, year: Year, query: Query[CalendarRemoveQuery]):
    """Forgets what the office entered for the year; from then on the State Council's published
    data (or, for a year nobody published, the weekends only) apply. Returns the year as it is now.
    Removing a year the office never entered changes nothing. Needs the "calendar.manage" action
    (town office, district); the removal is audited with the reason."""
    _check_year(year)
    cal.calendar_year_remove(actor=request.auth, year=year, reason=query.reason)
    return _year_out(year)


# --- Jobs -------------------------------------------------------------------------------------


class JobLogLine(Schema):
    at: str
    line: str


class JobOut(Schema):
    id: int
    kind: str
    label: str
    status: Literal["queued", "running", "succeeded", "failed"]
    status_label: str
    progress: int = Field(ge=0, le=100)
    owner: str | None
    region: str | None
    log: list[JobLogLine]
    error: str
    result_url: str | None = Field(description="where to download the result file, if any")
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_status_label(job: Job) -> str:
        return str(job.get_status_display())

    @staticmethod
    def resolve_owner(job: Job) -> str | None:
        return str(job.owner) if job.owner_id else None

    @staticmethod
    def resolve_region(job: Job) -> str | None:
        return str(job.region) if job.region_id else None

    @staticmethod
    def resolve_log(job: Job) -> list[dict]:
        return [{"at": str(r.get("at", "")), "line": str(r.get("line", ""))} for r in job.log]

    @staticmethod
    def resolve_result_url(job: Job) -> str | None:
        return reverse("core:job_result", args=[job.pk]) if job.result else None


class JobFilter(Schema):
    status: Literal["queued", "running", "succeeded", "failed"] | None = None
    kind: str | None = None


def _jobs_for(user):
    return Job.objects.for_action(user, "jobs.view").select_related("owner", "region")


@router.get(
    "/jobs",
    response=list[JobOut],
    operation_id="core_jobs_list",
    summary="The jobs the user may see (their own and their region's)",
)
@paginate(LimitOffset)
def jobs_list(request, filters: Query[JobFilter]):
    qs = _jobs_for(request.auth)
    if filters.status:
        qs = qs.filter(status=JobStatus(filters.status))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs


@router.get(
    "/jobs/{job_id}",
    response=JobOut,
    operation_id="core_jobs_get",
    summary="One job: status, progress, log and result",
)
def jobs_get(request, job_id: Id):
    return get_object_or_404(_jobs_for(request.auth), pk=job_id)


@router.get(
    "/jobs/{job_id}/result",
    response={200: None},
    operation_id="core_jobs_result",
    summary="Download the result file of a job",
    openapi_extra={
        "responses": {
            200: {
                "description": "The result file, as an attachment",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def jobs_result(request, job_id: Id):
    """The file a finished job produced (an export, a report). 404 when the job has no result file
    or is not visible to the caller. Every download is audited ("export.downloaded")."""
    opened = job_result_open(actor=request.auth, job_id=job_id)
    return FileResponse(opened.file, as_attachment=True, filename=opened.filename)
