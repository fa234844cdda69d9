"""The Region tree over the API: the same scope as the pages (``regions.view``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from anjian.core.api_types import Id
from anjian.core.pagination import LimitOffset
from anjian.core.scoping import get_scope
from anjian.regions.models import Region, RegionLevel
from anjian.regions.services import regions_load_csv

router = Router(tags=["regions"])

MAX_LIMIT = 500


class RegionOut(Schema):
    id: int
    code: str = Field(description="12-digit statistical code (统计用区划代码)")
    name: str
    level: RegionLevel
    level_label: str
    is_community: bool
    parent_id: int | None
    path: str = Field(description="The codes from the root down, “/330000000000/…/”")

    @staticmethod
    def resolve_level_label(obj: Region) -> str:
        return str(obj.get_level_display())


class RegionFilterIn(Schema):
    q: str | None = Field(None, description="Part of the name, or the start of the code")
    level: RegionLevel | None = None
    parent: Id | None = Field(None, description="Only the direct children of this region id")


class RegionImportOut(Schema):
    created: int
    updated: int
    unchanged: int


def _require(request, action: str) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(_("Your roles do not include this part of the region tree."))


@router.get("", response=list[RegionOut], operation_id="regions_list", summary="List regions")
@paginate(LimitOffset, max_limit=MAX_LIMIT)
def regions_list(request, filters: Query[RegionFilterIn]):
    """Regions in your area, by code; ``limit`` is capped at 500."""
    _require(request, "regions.view")
    qs = Region.objects.for_action(request.auth, "regions.view").order_by("code")
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q.strip()))
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    return qs


@router.post(
    "/import",
    response=RegionImportOut,
    operation_id="regions_import",
    summary="Load regions from CSV",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "CSV (UTF-8) with the columns code,name,level,parent_code[,community]",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def regions_import(request):
    """Create or update regions from a CSV body. All rows are applied, or none: a wrong row gives
    422 and every error names its row. Only the district (or an administrator) may do this."""
    _require(request, "regions.manage")
    try:
        text = request.body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The CSV file must be encoded in UTF-8.")) from exc
    if not text.strip():
        raise ValidationError(_("The request body is empty: send the CSV text."))
    report = regions_load_csv(actor=request.auth, text=text)
    if report.errors:
        raise ValidationError(report.errors)
    return RegionImportOut(
        created=report.created, updated=report.updated, unchanged=report.unchanged
    )


@router.get(
    "/{int:region_id}", response=RegionOut, operation_id="regions_get", summary="One region"
)
def regions_get(request, region_id: Id):
    _require(request, "regions.view")
    region = Region.objects.for_action(request.auth, "regions.view").filter(pk=region_id).first()
    if region is None:
        raise Http404
    return region
