"""The hazard loop over the API (``/api/v1/hazards``): the same scope, filters, transition table and
services as the pages. Every button of the hazard page is an operation here.

Reading needs ``hazards.view``; each action needs the permission the transition table names.
Anything outside the caller's scope is 404; a stale ``expected_version`` or an action the state does
not allow is 409; a rule of the loop that the input breaks is 422 with the reasons.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, ConfigDict, model_validator

from anjian.accounts.permissions import roles_for
from anjian.core.api_renderer import json_response
from anjian.core.api_types import DbInt, Id, Offset
from anjian.core.calendar import WorkingCalendar
from anjian.core.choices import choice_label, choice_labels
from anjian.core.scoping import get_scope
from anjian.hazards import services
from anjian.hazards.choices import (
    AssessmentConclusion,
    ExtensionStatus,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    HazardType,
    PhotoKind,
    PlanStatus,
    ReportOutcome,
    ResumptionDecision,
)
from anjian.hazards.filters import QUEUE_CHOICES, SORTS
from anjian.hazards.models import Hazard, HazardPhoto, hazard_code
from anjian.hazards.photos import photo_file_response
from anjian.hazards.selectors import (
    hazard_detail_for,
    hazard_events_for,
    hazard_overdue,
    hazard_page_for,
    hazard_similar_open,
    overdue_of,
)
from anjian.hazards.workflow import TRANSITIONS, Transition
from anjian.units.models import Unit

router = Router(tags=["hazards"])

VIEW = services.VIEW
RECORD = services.RECORD
MANAGE_SETTINGS = "hazards.manage_settings"
MAX_LIMIT = 200
# Characters of ``q``: a search is a few words (and part of a key of the list's memo).
SEARCH_MAX_LENGTH = 100
ActionName = Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]

# --- Schemas: references and pieces ----------------------------------------------------------------


class _Row(BaseModel):
    """A plain pydantic model: the busiest list validates its rows from dicts in pydantic's core,
    without ninja's per-field getter (see bench/bench_hazards.py); attributes of model instances
    are read too (``from_attributes``)."""

    model_config = ConfigDict(from_attributes=True)


class UnitRefOut(_Row):
    id: int
    name: str


class PersonRefOut(Schema):
    id: int
    name: str


class SubGradeOut(_Row):
    id: int
    level: HazardLevel
    code: str
    name: str
    sort_order: int
    is_active: bool


def _person(user) -> dict | None:
    return {"id": user.pk, "name": user.name or user.username} if user is not None else None


def _photo_url(photo_id: int, *, original: bool = False) -> str:
    return f"/api/v1/hazards/photos/{photo_id}" + ("/original" if original else "")


class HazardRowOut(_Row):
    """One row of the list; the detail adds everything else. The list fills it from plain dicts
    (``_item``); ``HazardItemOut`` fills the same fields from a model instance."""

    id: int
    code: str = Field(description="The number people quote, e.g. YH2026-000123")
    unit: UnitRefOut
    village: str = Field(description="The village or community of the unit")
    location: str
    description: str
    hazard_type: HazardType
    hazard_type_label: str
    category: HazardCategory
    category_label: str
    level: HazardLevel
    level_label: str
    sub_grade: SubGradeOut | None
    source: HazardSource
    source_label: str
    status: HazardStatus
    status_label: str
    deadline: datetime.date | None
    original_deadline: datetime.date | None = Field(
        description="The first deadline, kept when an extension or a re-check moves it"
    )
    is_overdue: bool = Field(description="Open (found or under rectification), deadline passed")
    days_overdue: int = Field(description="Calendar days past the deadline (0 if not overdue)")
    working_days_overdue: int = Field(description="Working days past the deadline")
    found_at: datetime.datetime
    version: int = Field(description="Send it back as expected_version when acting on the hazard")


class HazardItemOut(Schema, HazardRowOut):
    """A hazard row read from a model instance (the detail and the similar hazards)."""

    @staticmethod
    def resolve_village(obj: Hazard) -> str:
        return obj.unit.region.name

    @staticmethod
    def resolve_hazard_type_label(obj: Hazard) -> str:
        return choice_label(HazardType, obj.hazard_type)

    @staticmethod
    def resolve_category_label(obj: Hazard) -> str:
        return choice_label(HazardCategory, obj.category)

    @staticmethod
    def resolve_level_label(obj: Hazard) -> str:
        return choice_label(HazardLevel, obj.level)

    @staticmethod
    def resolve_source_label(obj: Hazard) -> str:
        return choice_label(HazardSource, obj.source)

    @staticmethod
    def resolve_status_label(obj: Hazard) -> str:
        return choice_label(HazardStatus, obj.status)

    @staticmethod
    def resolve_is_overdue(obj: Hazard) -> bool:
        return obj.overdue.is_overdue

    @staticmethod
    def resolve_days_overdue(obj: Hazard) -> int:
        return obj.overdue.days

    @staticmethod
    def resolve_working_days_overdue(obj: Hazard) -> int:
        return obj.overdue.working_days


class HazardPageOut(_Row):
    items: list[HazardRowOut]
    count: int


class PhotoOut(Schema):
    id: int
    kind: PhotoKind
    kind_label: str
    pairs_with_id: int | None = Field(description="The photo as found that this one answers")
    report_id: int | None = Field(description="The rectification report it belongs to")
    sha256: str = Field(description="SHA-256 of the original file, hex")
    content_type: str = Field(description="Of the original file")
    size: int = Field(description="Size of the original file in bytes")
    width: int | None = Field(description="Of the resized copy")
    height: int | None
    taken_at: datetime.datetime | None = Field(description="From the photo's EXIF data")
    latitude: Decimal | None = Field(description="From the photo's EXIF data")
    longitude: Decimal | None
    caption: str
    uploaded_at: datetime.datetime
    url: str = Field(description="The resized copy (JPEG), same scope as the hazard")
    original_url: str = Field(description="The original file as uploaded")

    @staticmethod
    def resolve_kind_label(obj: HazardPhoto) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_url(obj: HazardPhoto) -> str:
        return _photo_url(obj.pk)

    @staticmethod
    def resolve_original_url(obj: HazardPhoto) -> str:
        return _photo_url(obj.pk, original=True)


class ReportOut(Schema):
    id: int
    round: int
    description: str
    cost: Decimal | None
    on_spot: bool
    submitted_by: PersonRefOut | None
    submitted_at: datetime.datetime
    outcome: ReportOutcome
    outcome_label: str
    rechecked_by: PersonRefOut | None
    rechecked_at: datetime.datetime | None
    recheck_note: str
    photo_ids: list[Id]

    @staticmethod
    def resolve_submitted_by(obj) -> dict | None:
        return _person(obj.submitted_by)

    @staticmethod
    def resolve_rechecked_by(obj) -> dict | None:
        return _person(obj.rechecked_by)

    @staticmethod
    def resolve_outcome_label(obj) -> str:
        return str(obj.get_outcome_display())

    @staticmethod
    def resolve_photo_ids(obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class ExtensionOut(Schema):
    id: int
    requested_deadline: datetime.date
    previous_deadline: datetime.date
    reason: str
    requested_by: PersonRefOut | None
    requested_at: datetime.datetime
    status: ExtensionStatus
    status_label: str
    granted_deadline: datetime.date | None
    decided_by: PersonRefOut | None
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_requested_by(obj) -> dict | None:
        return _person(obj.requested_by)

    @staticmethod
    def resolve_decided_by(obj) -> dict | None:
        return _person(obj.decided_by)

    @staticmethod
    def resolve_status_label(obj) -> str:
        return choice_label(HazardStatus, obj.status)


class GovernancePlanOut(Schema):
    id: int
    goals: str
    methods: str
    funds_materials: str
    funds_amount: Decimal | None
    organisation: str
    time_limit: datetime.date
    time_requirements: str
    safety_measures: str
    status: PlanStatus
    status_label: str
    submitted_by: PersonRefOut | None
    submitted_at: datetime.datetime
    decided_by: PersonRefOut | None
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_submitted_by(obj) -> dict | None:
        return _person(obj.submitted_by)

    @staticmethod
    def resolve_decided_by(obj) -> dict | None:
        return _person(obj.decided_by)

    @staticmethod
    def resolve_status_label(obj) -> str:
        return choice_label(HazardStatus, obj.status)


class AssessmentOut(Schema):
    id: int
    assessor: str
    assessed_on: datetime.date
    conclusion: AssessmentConclusion
    conclusion_label: str
    summary: str
    recorded_by: PersonRefOut | None
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_recorded_by(obj) -> dict | None:
        return _person(obj.recorded_by)

    @staticmethod
    def resolve_conclusion_label(obj) -> str:
        return str(obj.get_conclusion_display())


class ResumptionOut(Schema):
    id: int
    content: str
    applied_by: PersonRefOut | None
    applied_at: datetime.datetime
    decision: ResumptionDecision
    decision_label: str
    decided_by: PersonRefOut | None
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_applied_by(obj) -> dict | None:
        return _person(obj.applied_by)

    @staticmethod
    def resolve_decided_by(obj) -> dict | None:
        return _person(obj.decided_by)

    @staticmethod
    def resolve_decision_label(obj) -> str:
        return str(obj.get_decision_display())


class AllowedActionOut(Schema):
    action: str
    label: str
    note_required: bool
    needs_deadline: bool = Field(description="Send deadline (a date) or working_days")
    fields: list[str] = Field(description="Further form fields the action takes")


class InterimMeasuresOut(Schema):
    withdrawal: bool = Field(description="Workers withdrawn")
    suspension: bool = Field(description="Production suspended")
    warning_signs: bool
    note: str


class ListingOut(Schema):
    level: str = Field(description="town or district; empty when not listed for supervision")
    level_label: str
    listed_at: datetime.datetime | None
    listed_by: PersonRefOut | None


class HazardDetailOut(HazardItemOut):
    legal_basis: str
    found_by: PersonRefOut | None
    found_by_name: str
    reported_by: PersonRefOut | None
    # 五定: person, deadline, measures, funds, acceptance
    requirement: str
    responsible_person: str
    responsible_mobile: str
    deadline_mode: str = Field(description="calendar or working_days")
    deadline_working_days: int | None
    measures: str
    funds: Decimal | None
    acceptance_criterion: str
    status_changed_at: datetime.datetime | None
    ordered_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    closed_on_spot: bool
    spot_rechecked: bool
    cancelled_reason: str
    duplicate_of_id: int | None
    tip_off_id: int | None
    interim_measures: InterimMeasuresOut
    listing: ListingOut
    photos: list[PhotoOut]
    reports: list[ReportOut]
    extensions: list[ExtensionOut]
    plans: list[GovernancePlanOut]
    assessments: list[AssessmentOut]
    resumptions: list[ResumptionOut]
    allowed_actions: list[AllowedActionOut]
    editable_fields: list[str] = Field(
        description="The facts the caller may correct now (PATCH), by the evidence rule"
    )
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_found_by(obj: Hazard) -> dict | None:
        return _person(obj.found_by)

    @staticmethod
    def resolve_reported_by(obj: Hazard) -> dict | None:
        return _person(obj.reported_by)

    @staticmethod
    def resolve_interim_measures(obj: Hazard) -> dict:
        return {
            "withdrawal": obj.interim_withdrawal,
            "suspension": obj.interim_suspension,
            "warning_signs": obj.interim_warning_signs,
            "note": obj.interim_note,
        }

    @staticmethod
    def resolve_listing(obj: Hazard) -> dict:
        return {
            "level": obj.listing_level,
            "level_label": str(obj.get_listing_level_display()) if obj.listing_level else "",
            "listed_at": obj.listed_at,
            "listed_by": _person(obj.listed_by),
        }

    @staticmethod
    def resolve_photos(obj: Hazard) -> list[HazardPhoto]:
        return obj.detail["photos"]

    @staticmethod
    def resolve_reports(obj: Hazard) -> list:
        return obj.detail["reports"]

    @staticmethod
    def resolve_extensions(obj: Hazard) -> list:
        return obj.detail["extensions"]

    @staticmethod
    def resolve_plans(obj: Hazard) -> list:
        return obj.detail["plans"]

    @staticmethod
    def resolve_assessments(obj: Hazard) -> list:
        return obj.detail["assessments"]

    @staticmethod
    def resolve_resumptions(obj: Hazard) -> list:
        return obj.detail["resumptions"]

    @staticmethod
    def resolve_allowed_actions(obj: Hazard) -> list[dict]:
        return [_action_out(t) for t in obj.detail["actions"]]

    @staticmethod
    def resolve_editable_fields(obj: Hazard) -> list[str]:
        return obj.editable_fields


class EventOut(Schema):
    id: int
    type: str = Field(description="e.g. hazard.recorded, hazard.order, hazard.submit")
    actor: PersonRefOut | None
    at: datetime.datetime
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(obj) -> dict | None:
        return _person(obj.actor)


class SimilarOut(Schema):
    hazard: HazardItemOut
    similarity: float = Field(description="Of the descriptions, 0 to 1")
    same_place: bool


class TransitionOut(Schema):
    action: str
    label: str
    sources: list[HazardStatus]
    target: HazardStatus | None = Field(description="null: the state stays as it is")
    permission: str
    roles: list[str] = Field(description="The roles that hold the permission (within their scope)")
    note_required: bool
    needs_deadline: bool
    major_only: bool
    fields: list[str]


class StatusOut(Schema):
    value: HazardStatus
    label: str


class WorkflowOut(Schema):
    statuses: list[StatusOut]
    transitions: list[TransitionOut]


# --- Schemas: input ---------------------------------------------------------------------------------


class FormIn(Schema):
    """Form input: an empty field counts as not sent (browsers send every field)."""

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v not in ("", None)}
        return data


class HazardFilterIn(Schema):
    q: str | None = Field(
        None,
        max_length=SEARCH_MAX_LENGTH,
        description="Number (YH2026-000123 or 123), unit, location, text",
    )
    queue: Literal[tuple(k for k, _label in QUEUE_CHOICES)] | None = Field(  # type: ignore[valid-type]
        None, description="open (default), recheck, overdue, major, extensions or all"
    )
    status: HazardStatus | None = None
    level: HazardLevel | None = None
    source: HazardSource | None = None
    category: HazardCategory | None = None
    hazard_type: HazardType | None = None
    town: Id | None = Field(None, description="Town (region id), for a district's users")
    region: Id | None = Field(None, description="Village or community (region id)")
    committee: Id | None = Field(None, description="Sector committee id")
    unit: Id | None = Field(None, description="Unit id")
    found_by: Id | None = Field(None, description="The user who found the hazard (user id)")
    overdue: bool | None = None
    found_from: datetime.date | None = None
    found_to: datetime.date | None = None
    deadline_to: datetime.date | None = None
    sort: Literal[tuple(SORTS)] | None = Field(None, description="-found (default), found, …")  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class HazardCreateIn(FormIn):
    unit_id: Id
    location: str = Field(max_length=200)
    description: str
    hazard_type: HazardType
    category: HazardCategory
    level: HazardLevel = HazardLevel.GENERAL
    sub_grade_id: Id | None = None
    legal_basis: str = ""
    source: HazardSource
    found_at: datetime.datetime | None = Field(None, description="Now when left out")
    found_by_name: str = Field("", max_length=60, description="When someone else found it")
    requirement: str = ""
    responsible_person: str = Field("", max_length=50)
    responsible_mobile: str = Field("", max_length=20)
    measures: str = ""
    funds: Decimal | None = None
    acceptance_criterion: str = ""
    deadline: datetime.date | None = Field(
        None, description="With a deadline (or working_days) rectification is ordered at once"
    )
    working_days: int | None = Field(None, ge=1, le=365, description="Instead of deadline")
    duplicate_of_id: Id | None = None


class HazardUpdateIn(Schema):
    """Only the fields sent are changed. What the finder recorded is evidence: who may correct
    which fact, and when, is ``workflow.edit_refusals`` (a refused fact: 422 naming it; a hazard
    that is not the caller's to correct: 403)."""

    expected_version: DbInt = Field(description="The version you read (compare-and-set)")
    reason: str = Field("", max_length=500, description="Why the facts are corrected (required)")
    location: str | None = Field(None, max_length=200)
    description: str | None = None
    hazard_type: HazardType | None = None
    category: HazardCategory | None = None
    level: HazardLevel | None = None
    sub_grade_id: Id | None = Field(None, description="null clears the sub-grade")
    legal_basis: str | None = None
    source: HazardSource | None = None
    found_at: datetime.datetime | None = None
    found_by_name: str | None = Field(None, max_length=60)
    requirement: str | None = None
    responsible_person: str | None = Field(None, max_length=50)
    responsible_mobile: str | None = Field(None, max_length=20)
    measures: str | None = None
    funds: Decimal | None = None
    acceptance_criterion: str | None = None


class ActionIn(FormIn):
    """What an action may take; each action reads the fields its ``fields`` list names."""

    expected_version: DbInt = Field(description="The version you read (compare-and-set)")
    note: str = Field("", description="The reason or opinion (required where note_required)")
    deadline: datetime.date | None = Field(None, description="The new deadline")
    working_days: int | None = Field(None, ge=1, le=365, description="Instead of deadline")
    description: str | None = Field(None, description="What was done (rectification report)")
    cost: Decimal | None = Field(None, description="What the rectification cost, yuan")
    pairs: str | None = Field(
        None,
        description='After-photo index → before-photo id as JSON, e.g. {"0": 12}; '
        "or send pair_<index>=<before-photo id> fields",
    )
    requested_deadline: datetime.date | None = None
    granted_deadline: datetime.date | None = Field(None, description="Default: as requested")
    goals: str | None = None
    methods: str | None = None
    funds_materials: str | None = None
    funds_amount: Decimal | None = None
    organisation: str | None = None
    time_limit: datetime.date | None = None
    time_requirements: str | None = None
    safety_measures: str | None = None
    withdrawal: bool = False
    suspension: bool = False
    warning_signs: bool = False
    interim_note: str | None = None
    assessor: str | None = None
    assessed_on: datetime.date | None = None
    conclusion: AssessmentConclusion | None = None
    summary: str | None = None
    duplicate_of: Id | None = Field(None, description="The hazard this one duplicates (cancel)")


class PhotosIn(FormIn):
    caption: str = Field("", max_length=200)


class SubGradeIn(Schema):
    level: HazardLevel
    code: str = Field(max_length=30, description="Letters, digits, - and _")
    name: str = Field(max_length=40)
    sort_order: int = Field(0, ge=0, le=32767)
    is_active: bool = True


class SubGradeUpdateIn(Schema):
    level: HazardLevel | None = None
    code: str | None = Field(None, max_length=30)
    name: str | None = Field(None, max_length=40)
    sort_order: int | None = Field(None, ge=0, le=32767)
    is_active: bool | None = None


# --- Helpers ---------------------------------------------------------------------------------------


def _require(request: HttpRequest, action: str = VIEW) -> None:
    if get_scope(request.auth).can(action):
        return
    if action == VIEW:
        raise PermissionDenied(_("Your roles do not include the hazards."))
    if action == MANAGE_SETTINGS:
        raise PermissionDenied(_("Your roles do not include the hazard settings."))
    raise PermissionDenied(_("Your roles do not include this step of the hazard loop."))


def _action_out(t: Transition) -> dict:
    return {
        "action": t.action,
        "label": str(t.label),
        "note_required": t.note_required,
        "needs_deadline": t.needs_deadline,
        "fields": list(t.fields),
    }


# The columns a list row reads (``_item``): a page loads these values and builds no model instance.
_ROW_VALUES = (
    "id",
    "unit_id",
    "unit__name",
    "unit__region__name",
    "location",
    "description",
    "hazard_type",
    "category",
    "level",
    "sub_grade_id",
    "sub_grade__level",
    "sub_grade__code",
    "sub_grade__name",
    "sub_grade__sort_order",
    "sub_grade__is_active",
    "source",
    "status",
    "deadline",
    "original_deadline",
    "found_at",
    "version",
)


@dataclass(frozen=True)
class _RowContext:
    """What every row of a page shares: the day, the working calendar, the labels."""

    today: datetime.date
    calendar: WorkingCalendar
    labels: dict[type, dict[str, str]]
    tz: datetime.tzinfo

    @classmethod
    def now(cls) -> _RowContext:
        kinds = (HazardType, HazardCategory, HazardLevel, HazardSource, HazardStatus)
        labels = {c: choice_labels(c) for c in kinds}
        tz = timezone.get_current_timezone()
        return cls(timezone.localdate(timezone=tz), WorkingCalendar.for_display(), labels, tz)

    def label(self, choices: type, value: str) -> str:
        return self.labels[choices].get(value, value or "")


def _item(row: dict[str, Any], ctx: _RowContext) -> dict[str, Any]:
    """One list row from the values of ``_ROW_VALUES``: validated by ``HazardRowOut`` without a
    resolver per field (the list is the busiest operation; see bench/bench_hazards.py)."""
    overdue = overdue_of(row["deadline"], row["status"], ctx.today, ctx.calendar)
    return {
        "id": row["id"],
        "code": hazard_code(row["id"], row["found_at"], ctx.tz),
        "unit": {"id": row["unit_id"], "name": row["unit__name"]},
        "village": row["unit__region__name"],
        "location": row["location"],
        "description": row["description"],
        "hazard_type": row["hazard_type"],
        "hazard_type_label": ctx.label(HazardType, row["hazard_type"]),
        "category": row["category"],
        "category_label": ctx.label(HazardCategory, row["category"]),
        "level": row["level"],
        "level_label": ctx.label(HazardLevel, row["level"]),
        "sub_grade": None
        if row["sub_grade_id"] is None
        else {
            "id": row["sub_grade_id"],
            "level": row["sub_grade__level"],
            "code": row["sub_grade__code"],
            "name": row["sub_grade__name"],
            "sort_order": row["sub_grade__sort_order"],
            "is_active": row["sub_grade__is_active"],
        },
        "source": row["source"],
        "source_label": ctx.label(HazardSource, row["source"]),
        "status": row["status"],
        "status_label": ctx.label(HazardStatus, row["status"]),
        "deadline": row["deadline"],
        "original_deadline": row["original_deadline"],
        "is_overdue": overdue.is_overdue,
        "days_overdue": overdue.days,
        "working_days_overdue": overdue.working_days,
        "found_at": row["found_at"],
        "version": row["version"],
    }


def _with_overdue(hazards: list[Hazard]) -> list[Hazard]:
    """Attach the derived overdue facts; one working calendar for the whole page."""
    today = timezone.localdate()
    calendar = WorkingCalendar()
    for hazard in hazards:
        hazard.overdue = hazard_overdue(hazard, today, calendar)
    return hazards


def _detail(request: HttpRequest, hazard_id: int) -> Hazard:
    """The hazard with what its page shows attached (``hazard_detail_for``)."""
    detail = hazard_detail_for(request.auth, hazard_id)
    hazard = detail["hazard"]
    hazard.overdue = detail["overdue"]
    hazard.detail = detail
    hazard.editable_fields = (
        sorted(services.hazard_editable_fields_for(request.auth, hazard)) if hazard.is_open else []
    )
    return hazard


def _uploads(files) -> list:
    return [f for f in (files or []) if f is not None]


def _pairs(raw: str | None, post) -> dict[int, int]:
    """After-photo index → before-photo id, from JSON text and/or ``pair_<index>`` fields."""
    pairs: dict[int, int] = {}
    error = ValidationError({"pairs": _("Pair each photo with a photo as found.")})
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError as exc:
            raise error from exc
        items = parsed.items() if isinstance(parsed, dict) else parsed
        try:
            for index, before_id in items:
                pairs[int(index)] = int(before_id)
        except (TypeError, ValueError) as exc:
            raise error from exc
    for key in post:
        if key.startswith("pair_") and post[key] not in ("", None):
            try:
                pairs[int(key.removeprefix("pair_"))] = int(post[key])
            except ValueError as exc:
                raise error from exc
    return pairs


NOT_NULL = ("location", "description", "hazard_type", "category", "level", "source", "found_at")


def _hazard_fields(data: dict[str, Any]) -> dict[str, Any]:
    """API names to the service's field names."""
    if "sub_grade_id" in data:
        data["sub_grade"] = data.pop("sub_grade_id")
    return data


def _count(count: Callable[[], int], items: list, *, offset: int, limit: int) -> int:
    """All matching rows; a short last page tells it without a COUNT over the joins."""
    if items and len(items) < limit:
        return offset + len(items)
    if not items and offset == 0:
        return 0
    return count()


# --- The list, one hazard, its timeline ------------------------------------------------------------


@router.get("", response=HazardPageOut, operation_id="hazards_list", summary="List hazards")
def hazards_list(request: HttpRequest, filters: Query[HazardFilterIn]):
    """The hazards you may see, with the queues, filters and sort orders of the list page.

    Without ``queue`` the open hazards are listed; ``queue=all`` lists every hazard. The count is of
    all rows that match; overdue days are counted for the rows of the page."""
    _require(request)
    rows, count = hazard_page_for(
        request.auth,
        filters.model_dump(exclude={"q", "limit", "offset"}),
        fields=_ROW_VALUES,
        search=(filters.q or "").strip(),
        offset=filters.offset,
        limit=filters.limit,
    )
    ctx = _RowContext.now()
    page = {
        "items": [_item(row, ctx) for row in rows],
        "count": _count(count, rows, offset=filters.offset, limit=filters.limit),
    }
    # ``_item`` builds each row in HazardRowOut's shape (the tests hold every field of every queue
    # to the schema), so the page is written without being validated and dumped again: that took
    # a tenth of the request's CPU (bench/bench_hazards.py).
    return json_response(page)


@router.get(
    "/{int:hazard_id}",
    response=HazardDetailOut,
    operation_id="hazards_get",
    summary="One hazard with its photos, reports and allowed actions",
)
def hazards_get(request: HttpRequest, hazard_id: Id):
    """Everything the hazard page shows. ``allowed_actions`` are the buttons the caller has now."""
    _require(request)
    return _detail(request, hazard_id)


@router.get(
    "/{int:hazard_id}/events",
    response=list[EventOut],
    operation_id="hazards_events_list",
    summary="The timeline of a hazard",
)
def hazards_events_list(request: HttpRequest, hazard_id: Id):
    _require(request)
    return list(hazard_events_for(request.auth, hazard_id).order_by("at", "pk"))


# --- Recording and correcting -----------------------------------------------------------------------


@router.post(
    "",
    response={201: HazardDetailOut},
    operation_id="hazards_create",
    summary="Record a hazard (multipart, with photos as found)",
)
def hazards_create(
    request: HttpRequest,
    payload: Form[HazardCreateIn],
    photos: File[list[UploadedFile]] = None,
):
    """Send ``multipart/form-data`` (or a urlencoded form without photos). Up to 9 ``photos``
    (JPEG, PNG or WebP, checked by content). With ``deadline`` or ``working_days`` — and the right to
    order — rectification is ordered at once and the hazard starts under rectification."""
    _require(request, RECORD)
    data = {k: v for k, v in payload.model_dump().items() if v is not None}
    data = _hazard_fields(data)
    unit_id = data.pop("unit_id")
    if not Unit.objects.for_action(request.auth, RECORD).filter(pk=unit_id).exists():
        raise ValidationError(
            {"unit_id": _("No unit %(id)s at which you may record hazards.") % {"id": unit_id}}
        )
    hazard = services.hazard_create(
        actor=request.auth,
        unit_id=unit_id,
        photos=_uploads(photos),
        deadline=data.pop("deadline", None),
        working_days=data.pop("working_days", None),
        duplicate_of_id=data.pop("duplicate_of_id", None),
        **data,
    )
    return Status(201, _detail(request, hazard.pk))


@router.patch(
    "/{int:hazard_id}",
    response=HazardDetailOut,
    operation_id="hazards_update",
    summary="Correct the facts of an open hazard",
)
def hazards_update(request: HttpRequest, hazard_id: Id, payload: HazardUpdateIn):
    """Only the fields sent are changed; the state is changed by actions only. A stale
    ``expected_version`` gives 409: read the hazard again."""
    _require(request, RECORD)
    services.hazard_get_for(request.auth, hazard_id, action=RECORD)  # 404 before validation
    data = payload.model_dump(exclude_unset=True)
    expected_version = data.pop("expected_version")
    reason = data.pop("reason", "")
    for key, value in list(data.items()):
        if value is None and key in NOT_NULL:
            del data[key]  # null leaves a required fact as it is
        elif value is None and key not in ("sub_grade_id", "funds"):
            data[key] = ""
    services.hazard_update(
        actor=request.auth,
        hazard_id=hazard_id,
        expected_version=expected_version,
        reason=reason,
        **_hazard_fields(data),
    )
    return _detail(request, hazard_id)


@router.post(
    "/{int:hazard_id}/photos",
    response={201: list[PhotoOut]},
    operation_id="hazards_photos_add",
    summary="Add photos as found to an open hazard (multipart)",
)
def hazards_photos_add(
    request: HttpRequest,
    hazard_id: Id,
    payload: Form[PhotosIn],
    photos: File[list[UploadedFile]],
):
    """At most 9 photos as found are kept in all."""
    _require(request, RECORD)
    return Status(
        201,
        services.hazard_add_photos(
            actor=request.auth,
            hazard_id=hazard_id,
            photos=_uploads(photos),
            caption=payload.caption,
        ),
    )


# --- Actions: the transition table ------------------------------------------------------------------


@router.post(
    "/{int:hazard_id}/actions/{action}",
    response=HazardDetailOut,
    operation_id="hazards_act",
    summary="Take an action on a hazard (order, submit, pass, fail, …)",
)
def hazards_act(
    request: HttpRequest,
    hazard_id: Id,
    action: ActionName,
    payload: Form[ActionIn],
    photos: File[list[UploadedFile]] = None,
):
    """Send ``multipart/form-data`` with ``expected_version``, ``note`` and the fields the action
    takes (``GET /hazards/workflow`` lists them; the hazard's ``allowed_actions`` says which actions
    the caller has now). 409 when the hazard changed meanwhile or its state does not allow the
    action; 422 with the reasons when a rule of the loop is not met."""
    t = TRANSITIONS[action]
    _require(request, t.permission)
    data = payload.model_dump(exclude_unset=True)
    expected_version = data.pop("expected_version")
    note = data.pop("note", "")
    pairs = _pairs(data.pop("pairs", None), request.POST)
    if pairs:
        data["pairs"] = pairs
    services.hazard_transition(
        actor=request.auth,
        hazard_id=hazard_id,
        action=action,
        expected_version=expected_version,
        note=note,
        data=data,
        photos=_uploads(photos),
    )
    return _detail(request, hazard_id)


@router.get(
    "/workflow",
    response=WorkflowOut,
    operation_id="hazards_workflow",
    summary="The transition table (states and actions)",
)
def hazards_workflow(request: HttpRequest):
    """What each action needs and where it leads, so that a client can draw its buttons; which of
    them a person has on one hazard is that hazard's ``allowed_actions``."""
    _require(request)
    return {
        "statuses": [{"value": s, "label": str(s.label)} for s in HazardStatus],
        "transitions": [
            {
                **_action_out(t),
                "sources": sorted(t.sources),
                "target": t.target,
                "permission": t.permission,
                "roles": sorted(str(r) for r in roles_for(t.permission)),
                "major_only": t.major_only,
            }
            for t in TRANSITIONS.values()
        ],
    }


# --- Similar open hazards ---------------------------------------------------------------------------


def _similar_rows(found: list[tuple[Hazard, float, bool]]) -> list[dict]:
    """The candidates with their units and villages (one query) and their overdue facts."""
    by_id = Hazard.objects.select_related("unit__region", "sub_grade").in_bulk(
        [hazard.pk for hazard, _score, _same in found]
    )
    hazards = _with_overdue([by_id[hazard.pk] for hazard, _score, _same in found])
    return [
        {"hazard": hazard, "similarity": score, "same_place": same}
        for hazard, (_found, score, same) in zip(hazards, found, strict=True)
    ]


@router.get(
    "/similar",
    response=list[SimilarOut],
    operation_id="hazards_similar_check",
    summary="Open hazards of a unit that look like the one being recorded",
)
def hazards_similar_check(
    request: HttpRequest,
    unit_id: Id | None = None,
    description: str = "",
    location: str = "",
):
    """Ask before recording, so as to link to an open hazard instead of recording it twice."""
    _require(request, RECORD)
    if unit_id is None:
        raise ValidationError({"unit_id": _("Choose the unit.")})
    if not Unit.objects.for_action(request.auth, RECORD).filter(pk=unit_id).exists():
        raise Http404
    found = hazard_similar_open(
        request.auth, unit_id=unit_id, description=description, location=location
    )
    return _similar_rows(found)


@router.get(
    "/{int:hazard_id}/similar",
    response=list[SimilarOut],
    operation_id="hazards_similar",
    summary="Other open hazards of the same unit that look like this one",
)
def hazards_similar(request: HttpRequest, hazard_id: Id):
    """Candidates when cancelling a hazard as a duplicate."""
    _require(request)
    hazard = services.hazard_get_for(request.auth, hazard_id)
    found = hazard_similar_open(
        request.auth,
        unit_id=hazard.unit_id,
        description=hazard.description,
        location=hazard.location,
        exclude_id=hazard.pk,
    )
    return _similar_rows(found)


# --- Photo files ----------------------------------------------------------------------------------

IMAGE_RESPONSES = {
    "responses": {
        "200": {
            "description": "The image",
            "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/webp": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


def _photo_file(request: HttpRequest, photo_id: int, *, original: bool) -> FileResponse:
    _require(request)
    photo = HazardPhoto.objects.visible_to(request.auth).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo_file_response(
        photo, original=original, stem=f"hazard-{photo.hazard_id}-photo-{photo.pk}"
    )


@router.get(
    "/photos/{int:photo_id}",
    response={200: None},
    operation_id="hazards_photo_image",
    summary="A hazard photo, resized for display (JPEG)",
    openapi_extra=IMAGE_RESPONSES,
)
def hazards_photo_image(request: HttpRequest, photo_id: Id):
    return _photo_file(request, photo_id, original=False)


@router.get(
    "/photos/{int:photo_id}/original",
    response={200: None},
    operation_id="hazards_photo_original",
    summary="A hazard photo as uploaded (its SHA-256 is in the photo's facts)",
    openapi_extra=IMAGE_RESPONSES,
)
def hazards_photo_original(request: HttpRequest, photo_id: Id):
    return _photo_file(request, photo_id, original=True)


# --- Sub-grades (the office's refinement of the two legal levels) -----------------------------------


@router.get(
    "/sub-grades",
    response=list[SubGradeOut],
    operation_id="hazards_subgrades_list",
    summary="The sub-grades of the hazard levels (those out of use too)",
)
def hazards_subgrades_list(request: HttpRequest):
    from anjian.hazards.settings_services import subgrades_for

    _require(request)
    return list(subgrades_for(request.auth).order_by("level", "sort_order", "pk"))


@router.post(
    "/sub-grades",
    response={201: SubGradeOut},
    operation_id="hazards_subgrades_create",
    summary="Add a sub-grade",
)
def hazards_subgrades_create(request: HttpRequest, payload: SubGradeIn):
    from anjian.hazards.settings_services import subgrade_create

    _require(request, MANAGE_SETTINGS)
    return Status(201, subgrade_create(actor=request.auth, **payload.model_dump()))


@router.patch(
    "/sub-grades/{int:subgrade_id}",
    response=SubGradeOut,
    operation_id="hazards_subgrades_update",
    summary="Change a sub-grade (is_active: false takes it out of use)",
)
def hazards_subgrades_update(request: HttpRequest, subgrade_id: Id, payload: SubGradeUpdateIn):
    from anjian.hazards.settings_services import subgrade_update

    _require(request, MANAGE_SETTINGS)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return subgrade_update(actor=request.auth, subgrade_id=subgrade_id, **changes)
