"""The reports API (mounted at /api/v1/reports): the period's summary (its figures and text, and the
Word file), the analysis meetings and their pack — with the same scoping as the pages.

The period is chosen as on the statistics API: ``kind`` (month, quarter, year, custom) and its
numbers; without ``kind``, this year. ``region_id`` (a town or village one may see) narrows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.core.api_types import Id, Offset
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope
from anjian.reports.documents import pack_download, summary_download
from anjian.reports.pack import meeting_dict, pack_compute
from anjian.reports.selectors import meeting_get_for, meetings_for
from anjian.reports.services import meeting_create
from anjian.reports.summary import summary_compute
from anjian.stats.api import PeriodIn as StatsPeriodIn
from anjian.stats.api import PeriodOut
from anjian.stats.periods import Period, PeriodKind, period_make

router = Router(tags=["reports"])

VIEW = "reports.view"
MANAGE = "reports.manage_meetings"
MAX_LIMIT = 200
DOCX_RESPONSE = {
    "responses": {
        200: {
            "description": "A Word document, as an attachment",
            "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    }
}


def _require(request: HttpRequest, action: str = VIEW) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(_("Your roles do not include the summaries and meetings."))


# --- Schemas ------------------------------------------------------------------------------------


class PeriodIn(StatsPeriodIn):
    kind: PeriodKind | None = Field(None, description="Without it: this year")

    def default_period(self) -> Period:
        return period_make(PeriodKind.YEAR, year=timezone.localdate().year)


class SummaryIn(PeriodIn):
    region_id: Id | None = Field(None, description="Narrow to a town or village one may see")


class PieceOut(Schema):
    text: str
    figure: str | None = Field(description="The key of the figure this piece shows, if a number")


class ParagraphOut(Schema):
    heading: bool
    text: str
    pieces: list[PieceOut]


class SummaryFigureOut(Schema):
    key: str
    label: str
    section: str
    kind: str = Field(description="count, money (yuan, string with 2 decimals) or percent")
    value: int | float | str | None = Field(description="The value for the whole scope")
    text: str = Field(description="The value as the text shows it")
    link: str = Field(description="The page listing what the figure counts ('' if none)")


class SummaryOut(Schema):
    title: str
    period: PeriodOut
    scope: str
    paragraphs: list[ParagraphOut]
    figures: list[SummaryFigureOut] = Field(description="Every number of the text, in order")
    missing_sections: list[str] = Field(
        description="Sections of the statistics not available (yet), said so in the text"
    )
    text: str
    generated_at: datetime.datetime


class MeetingOut(Schema):
    id: int
    title: str
    region_id: int
    held_on: datetime.date
    period_kind: PeriodKind
    period_start: datetime.date
    period_end: datetime.date
    period_label: str
    notes: str


class MeetingPageOut(Schema):
    items: list[MeetingOut]
    count: int


class MeetingListIn(Schema):
    q: str | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class MeetingIn(PeriodIn):
    held_on: datetime.date
    region_id: Id | None = Field(None, description="The town (only needed with several)")
    title: str = Field("", max_length=120)
    notes: str = ""


class MeetingChangeOut(Schema):
    key: str
    section: str
    label: str
    kind: str
    before: int | float | str | None
    now: int | float | str | None
    difference: int | float | str | None


class MeetingHazardRowOut(Schema):
    id: int
    code: str
    unit_id: int
    unit_name: str
    description: str
    level: str
    found_on: datetime.date
    deadline: datetime.date | None
    days_overdue: int | None
    listed: bool
    listing_level: str


class RepeatOut(Schema):
    unit_id: int
    unit_name: str
    found: int = Field(description="Hazards found in the twelve months before the pack")
    refound: int = Field(description="Of which in a category already closed at the unit before")


class ExpertOut(Schema):
    unit_id: int
    unit_name: str
    found: int
    major: int
    closed: int
    experts: list[str]


class PackOut(Schema):
    meeting: MeetingOut
    as_of: datetime.datetime
    figures: dict[str, Any] = Field(description="The statistics of the period (as /statistics)")
    previous_meeting: MeetingOut | None
    changes: list[MeetingChangeOut]
    longest_overdue: list[MeetingHazardRowOut]
    major_open: list[MeetingHazardRowOut]
    repeat_offenders: list[RepeatOut]
    expert_findings: list[ExpertOut]


# --- Operations ---------------------------------------------------------------------------------


@router.get("/summary", response=SummaryOut, operation_id="reports_summary")
def reports_summary(request: HttpRequest, filters: Query[SummaryIn]):
    """The period's summary: its text and every number in it, with the list behind each."""
    _require(request)
    return summary_compute(request.auth, filters.period(), region_id=filters.region_id).as_dict()


@router.get("/summary/docx", operation_id="reports_summary_docx", openapi_extra=DOCX_RESPONSE)
def reports_summary_docx(request: HttpRequest, filters: Query[SummaryIn]) -> HttpResponse:
    """The same summary as a Word document."""
    _require(request)
    summary = summary_compute(request.auth, filters.period(), region_id=filters.region_id)
    return summary_download(
        request.auth, summary, request.GET.dict(), request.build_absolute_uri("/")
    )


@router.get("/meetings", response=MeetingPageOut, operation_id="reports_meetings_list")
def reports_meetings_list(request: HttpRequest, filters: Query[MeetingListIn]):
    """Analysis meetings within the caller's towns, latest first."""
    _require(request)
    page = api_page(
        meetings_for(request.auth, search=(filters.q or "").strip()),
        offset=filters.offset,
        limit=filters.limit,
    )
    return {"items": [meeting_dict(m) for m in page["items"]], "count": page["count"]}


@router.post("/meetings", response={201: MeetingOut}, operation_id="reports_meetings_create")
def reports_meetings_create(request: HttpRequest, payload: MeetingIn):
    """Record an analysis meeting and the period it looks at."""
    _require(request, MANAGE)
    meeting = meeting_create(
        actor=request.auth,
        held_on=payload.held_on,
        period=payload.period(),
        region_id=payload.region_id,
        title=payload.title,
        notes=payload.notes,
    )
    return Status(201, meeting_dict(meeting))


@router.get("/meetings/{meeting_id}", response=MeetingOut, operation_id="reports_meetings_get")
def reports_meetings_get(request: HttpRequest, meeting_id: Id):
    _require(request)
    return meeting_dict(meeting_get_for(request.auth, meeting_id))


@router.get("/meetings/{meeting_id}/pack", response=PackOut, operation_id="reports_meetings_pack")
def reports_meetings_pack(request: HttpRequest, meeting_id: Id):
    """The meeting's pack: figures, changes since the last meeting, hard problems, experts."""
    _require(request)
    meeting = meeting_get_for(request.auth, meeting_id)
    return pack_compute(request.auth, meeting).as_dict()


@router.get(
    "/meetings/{meeting_id}/docx",
    operation_id="reports_meetings_pack_docx",
    openapi_extra=DOCX_RESPONSE,
)
def reports_meetings_pack_docx(request: HttpRequest, meeting_id: Id) -> HttpResponse:
    """The meeting's pack as a Word document."""
    _require(request)
    return pack_download(request.auth, meeting_get_for(request.auth, meeting_id))
