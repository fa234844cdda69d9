"""Public tip-offs over the API (mounted at ``/api/v1/tip-offs``).

Public, no authentication (and so no CSRF: nothing of a session is used): ``POST /tip-offs`` sends a
tip-off (multipart, the same fields and limits as the form) and ``GET /tip-offs/status/{code}``
follows it up. Over a limit: 429 ``rate_limited``.

The office (``hazards.triage_tip_offs``, its own town only; 404 outside): list, one tip-off, its
photos, accept as a hazard and dismiss, both with ``expected_version`` (409 when stale or already
triaged).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.core.api_types import DbInt, Id, Offset
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope
from anjian.hazards import tipoffs
from anjian.hazards.choices import HazardCategory, HazardLevel, HazardType, TipOffStatus
from anjian.hazards.models import TipOff, TipOffPhoto, new_receipt_code
from anjian.hazards.tipoff_forms import TipOffForm

router = Router(tags=["tip-offs"])

MAX_LIMIT = 200
TRIAGE = tipoffs.TRIAGE


# --- Schemas: public -------------------------------------------------------------------------------


class ReceiptOut(Schema):
    receipt_code: str = Field(description="Keep it: the only way to follow the tip-off up")
    message: str


class PublicStatusOut(Schema):
    receipt_code: str
    state: str = Field(description="received, rectifying, closed, concluded or dismissed")
    label: str
    explanation: str
    received_on: datetime.date
    updated_on: datetime.date | None
    town_name: str
    public_reply: str = Field(description="The office's reply, when the tip-off was dismissed")


MULTIPART_TIPOFF = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["town", "place", "description", "consent"],
                    "properties": {
                        "town": {
                            "type": "string",
                            "description": "The town's statistical code (12 digits)",
                        },
                        "unit": {
                            "type": "string",
                            "description": "Optional: the QR token of the unit the tip-off is about",
                        },
                        "place": {"type": "string", "maxLength": tipoffs.MAX_PLACE},
                        "description": {"type": "string", "maxLength": tipoffs.MAX_DESCRIPTION},
                        "photos": {
                            "type": "array",
                            "maxItems": tipoffs.MAX_PHOTOS,
                            "items": {"type": "string", "format": "binary"},
                            "description": "JPEG, PNG or WebP (checked by content), each ≤ 10 MB",
                        },
                        "contact_name": {"type": "string", "maxLength": tipoffs.MAX_CONTACT_NAME},
                        "contact_phone": {"type": "string", "description": "A mainland mobile"},
                        "consent": {"type": "boolean", "description": "Must be true"},
                    },
                }
            }
        },
    }
}


# --- Schemas: office -----------------------------------------------------------------------------------


class TipOffPhotoOut(Schema):
    id: int
    url: str = Field(description="The resized copy (JPEG); add ?original=1 for the original")
    sha256: str = Field(description="SHA-256 of the original, hex")
    content_type: str
    size: int
    taken_at: datetime.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None

    @staticmethod
    def resolve_url(obj: TipOffPhoto) -> str:
        return f"/api/v1/tip-offs/photos/{obj.pk}"


class TipOffOut(Schema):
    id: int
    receipt_code: str
    town_id: int
    town_name: str
    unit_id: int | None = Field(description="The unit of the QR code the reporter scanned")
    unit_name: str | None
    place: str
    description: str
    contact_name: str
    contact_phone: str
    status: TipOffStatus
    status_label: str
    created_at: datetime.datetime
    triaged_by_name: str | None
    triaged_at: datetime.datetime | None
    dismiss_reason: str
    public_reply: str
    version: int
    hazard_id: int | None
    photos: list[TipOffPhotoOut]
    allowed_actions: list[str] = Field(description="accept, dismiss (while the tip-off is new)")

    @staticmethod
    def resolve_town_name(obj: TipOff) -> str:
        return obj.town.name

    @staticmethod
    def resolve_unit_name(obj: TipOff) -> str | None:
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_status_label(obj: TipOff) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_triaged_by_name(obj: TipOff) -> str | None:
        user = obj.triaged_by
        return (user.name or user.username) if user else None

    @staticmethod
    def resolve_hazard_id(obj: TipOff) -> int | None:
        hazard = getattr(obj, "hazard", None)
        return hazard.pk if hazard is not None else None

    @staticmethod
    def resolve_photos(obj: TipOff) -> list:
        return list(obj.photos.all())

    @staticmethod
    def resolve_allowed_actions(obj: TipOff) -> list[str]:
        return ["accept", "dismiss"] if obj.status == TipOffStatus.NEW else []


class TipOffPageOut(Schema):
    items: list[TipOffOut]
    count: int


class TipOffFilterIn(Schema):
    q: str | None = Field(None, description="Part of the place, text, receipt code or unit name")
    status: TipOffStatus | None = None
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class AcceptIn(Schema):
    expected_version: DbInt
    unit_id: Id = Field(description="A unit of the tip-off's town")
    location: str | None = Field(None, max_length=200, description="Default: the tip-off's place")
    description: str | None = Field(None, description="Default: the tip-off's text")
    hazard_type: HazardType
    category: HazardCategory
    level: HazardLevel = HazardLevel.GENERAL
    sub_grade: Id | None = None
    legal_basis: str | None = None
    requirement: str | None = None
    responsible_person: str | None = Field(None, max_length=50)
    responsible_mobile: str | None = Field(None, max_length=20)
    measures: str | None = None
    funds: Decimal | None = None
    acceptance_criterion: str | None = None
    deadline: datetime.date | None = Field(None, description="Orders rectification at once")
    working_days: int | None = Field(None, ge=1, le=365, description="Instead of a deadline")


class DismissIn(Schema):
    expected_version: DbInt
    reason: str = Field(..., max_length=tipoffs.MAX_DESCRIPTION)
    public_reply: str = Field("", max_length=tipoffs.MAX_REPLY)


# --- Helpers ---------------------------------------------------------------------------------------------


def _require(request: HttpRequest) -> None:
    if not get_scope(request.auth).can(TRIAGE):
        raise PermissionDenied(_("Your roles do not include triaging tip-offs."))


def _out(user, tipoff_id: int) -> TipOff:
    tipoff = (
        tipoffs.tipoff_list_for(user)
        .select_related("hazard")
        .prefetch_related("photos")
        .filter(pk=tipoff_id)
        .first()
    )
    if tipoff is None:
        raise Http404
    return tipoff


def _form_errors(form) -> ValidationError:
    return ValidationError({field: [str(m) for m in msgs] for field, msgs in form.errors.items()})


# --- Public ------------------------------------------------------------------------------------------------


@router.post(
    "",
    auth=None,
    response={201: ReceiptOut},
    operation_id="tip_offs_submit",
    summary="Send a tip-off (no log-in; multipart)",
    openapi_extra=MULTIPART_TIPOFF,
)
def tip_offs_submit(request: HttpRequest):
    """At most 5 tip-offs an hour and 20 a day from one sender, and 200 an hour to one town
    (429 beyond). Photos are checked by their content; the request is at most 25 MB."""
    if tipoffs.request_too_large(request):
        raise ValidationError({"photos": _("The photos together are larger than 25 MB.")})
    form = TipOffForm(request.POST, request.FILES)
    message = _("Thank you. The town safety office has received your tip-off.")
    if form.is_robot():
        return Status(201, {"receipt_code": new_receipt_code(), "message": message})
    if not form.is_valid():
        raise _form_errors(form)
    tipoff = tipoffs.tipoff_submit(
        **form.service_kwargs(), client_hash=tipoffs.client_hash_of(request)
    )
    return Status(201, {"receipt_code": tipoff.receipt_code, "message": message})


@router.get(
    "/status/{receipt_code}",
    auth=None,
    response=PublicStatusOut,
    operation_id="tip_offs_status",
    summary="Follow up a tip-off by its receipt code (no log-in)",
)
def tip_offs_status(request: HttpRequest, receipt_code: str):
    """The state only: never the unit's data or the reporter's contact. At most 30 look-ups an
    hour from one sender (429 beyond); an unknown code is 404."""
    result = tipoffs.tipoff_status(receipt_code, client_hash=tipoffs.client_hash_of(request))
    if result is None:
        raise Http404
    return result


# --- Office ------------------------------------------------------------------------------------------------


@router.get(
    "",
    response=TipOffPageOut,
    operation_id="tip_offs_list",
    summary="The tip-offs of the caller's town",
)
def tip_offs_list(request: HttpRequest, filters: Query[TipOffFilterIn]):
    _require(request)
    qs = tipoffs.tipoff_list_for(request.auth).select_related("hazard").prefetch_related("photos")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.received_from:
        qs = qs.filter(created_at__date__gte=filters.received_from)
    if filters.received_to:
        qs = qs.filter(created_at__date__lte=filters.received_to)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(place__icontains=q)
            | Q(description__icontains=q)
            | Q(receipt_code__icontains=q)
            | Q(unit__name__icontains=q)
        )
    return api_page(qs.order_by("-created_at", "-pk"), offset=filters.offset, limit=filters.limit)


@router.get(
    "/{int:tipoff_id}",
    response=TipOffOut,
    operation_id="tip_offs_get",
    summary="One tip-off",
)
def tip_offs_get(request: HttpRequest, tipoff_id: Id):
    _require(request)
    return _out(request.auth, tipoff_id)


@router.post(
    "/{int:tipoff_id}/accept",
    response=TipOffOut,
    operation_id="tip_offs_accept",
    summary="Accept a tip-off as a hazard at a unit of its town",
)
def tip_offs_accept(request: HttpRequest, tipoff_id: Id, payload: AcceptIn):
    """The hazard is recorded with source ``tip_off`` and the tip-off's photos; with a deadline
    (or working days) rectification is ordered at once. 409 when already triaged or stale."""
    _require(request)
    data = payload.model_dump(exclude={"expected_version", "unit_id"})
    tipoffs.tipoff_accept(
        actor=request.auth,
        tipoff_id=tipoff_id,
        expected_version=payload.expected_version,
        unit_id=payload.unit_id,
        **{k: v for k, v in data.items() if v is not None},
    )
    return _out(request.auth, tipoff_id)


@router.post(
    "/{int:tipoff_id}/dismiss",
    response=TipOffOut,
    operation_id="tip_offs_dismiss",
    summary="Dismiss a tip-off with a reason and a reply to the reporter",
)
def tip_offs_dismiss(request: HttpRequest, tipoff_id: Id, payload: DismissIn):
    _require(request)
    tipoffs.tipoff_dismiss(
        actor=request.auth,
        tipoff_id=tipoff_id,
        expected_version=payload.expected_version,
        reason=payload.reason,
        public_reply=payload.public_reply,
    )
    return _out(request.auth, tipoff_id)


@router.get(
    "/photos/{int:tipoff_photo_id}",
    response={200: None},
    operation_id="tip_offs_photo",
    summary="Download a tip-off photo",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The resized copy (JPEG), or with ?original=1 the original",
                "content": {
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                    "image/webp": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def tip_offs_photo(request: HttpRequest, tipoff_photo_id: Id, original: bool = False):
    _require(request)
    photo = tipoffs.tipoff_photo_get_for(request.auth, tipoff_photo_id)
    file = photo.original if original else photo.image
    response = FileResponse(
        file.open("rb"),
        content_type=photo.content_type if original else "image/jpeg",
        as_attachment=True,
        filename=file.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    return response
