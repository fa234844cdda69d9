"""Supervised units over the API: the same scope, filters and services as the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.core.api_types import DbInt, Id, Offset
from anjian.core.scoping import get_scope
from anjian.regions.models import Region, RegionLevel
from anjian.teams.models import Committee
from anjian.units import services
from anjian.units.filters import SORTS, UnitFilterSet
from anjian.units.models import (
    Category,
    CategoryGroup,
    Grade,
    Standardisation,
    Unit,
    UnitKind,
    UnitSize,
    UnitStatus,
)
from anjian.units.search import expert_name, unit_list_queryset, unit_search_q

router = Router(tags=["units"])

MAX_LIMIT = 200


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    group: CategoryGroup
    group_label: str
    grade_floor: str = Field(description="red/orange/yellow/blue, or empty")
    is_active: bool
    sort_order: int

    @staticmethod
    def resolve_group_label(obj: Category) -> str:
        return str(obj.get_group_display())


class UnitOut(Schema):
    id: int
    name: str
    name_pinyin: str
    name_initials: str
    credit_code: str = Field(description="统一社会信用代码, 18 characters, or empty")
    kind: UnitKind
    kind_label: str
    status: UnitStatus
    status_label: str
    region_id: int = Field(description="The village or community")
    region_name: str
    town_id: int | None
    town_name: str | None
    committee_id: int | None = Field(description="The sector committee (专委会)")
    committee_name: str | None
    address: str
    legal_representative: str
    principal_name: str
    principal_mobile: str
    latitude: Decimal | None
    longitude: Decimal | None
    industry_code: str
    industry_name: str
    size: str
    employees: int | None
    standardisation: Standardisation
    categories: list[str] = Field(description="Category codes")
    suggested_grade: str
    grade: str
    grade_reason: str
    expert_name: str = Field(description="The engineer of the active assignment (包干), or empty")
    version: int = Field(description="Send it back as expected_version when changing the unit")
    allowed_actions: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj: Unit) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_region_name(obj: Unit) -> str:
        return obj.region.name

    @staticmethod
    def resolve_town_id(obj: Unit) -> int | None:
        return obj.region.parent_id

    @staticmethod
    def resolve_town_name(obj: Unit) -> str | None:
        return obj.region.parent.name if obj.region.parent_id else None

    @staticmethod
    def resolve_committee_name(obj: Unit) -> str | None:
        return obj.committee.name if obj.committee_id else None

    @staticmethod
    def resolve_categories(obj: Unit) -> list[str]:
        return [c.code for c in obj.categories.all()]

    @staticmethod
    def resolve_expert_name(obj: Unit) -> str:
        return expert_name(obj)

    @staticmethod
    def resolve_allowed_actions(obj: Unit) -> list[str]:
        return ["change"] if getattr(obj, "can_change", False) else []


class UnitPageOut(Schema):
    items: list[UnitOut]
    count: int


class UnitFilterIn(Schema):
    q: str | None = Field(
        None, description="Name, pinyin or initials, credit code, address or person"
    )
    kind: UnitKind | None = None
    status: UnitStatus | None = None
    region: Id | None = Field(None, description="Village or community (region id)")
    committee: Id | None = Field(None, description="Sector committee id")
    category: Id | None = Field(None, description="Category id")
    grade: str | None = Field(None, description="red, orange, yellow, blue or none")
    expert: Id | None = Field(None, description="Engineer id (active assignment)")
    sort: str | None = Field(None, description=f"One of: {', '.join(SORTS)}")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class UnitFactsIn(Schema):
    """The register facts shared by create and update."""

    credit_code: str = ""
    kind: UnitKind = UnitKind.ENTERPRISE
    status: UnitStatus = UnitStatus.OPERATING
    committee_id: Id | None = Field(None, description="Empty on create: the rules choose")
    address: str = ""
    legal_representative: str = ""
    principal_name: str = ""
    principal_mobile: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    industry_code: str = ""
    industry_name: str = ""
    size: UnitSize | None = None
    employees: DbInt | None = None
    standardisation: Standardisation = Standardisation.NONE
    categories: list[str] = Field(default_factory=list, description="Category codes")
    grade: Grade | None = None
    grade_reason: str = ""


class UnitCreateIn(UnitFactsIn):
    name: str
    region_id: Id = Field(description="The village or community")


class UnitUpdateIn(Schema):
    """Only the fields sent are changed."""

    expected_version: DbInt = Field(description="The version you read (compare-and-set)")
    reason: str = Field("", description="Required when the village or committee changes")
    name: str | None = None
    region_id: Id | None = None
    credit_code: str | None = None
    kind: UnitKind | None = None
    status: UnitStatus | None = None
    committee_id: Id | None = None
    address: str | None = None
    legal_representative: str | None = None
    principal_name: str | None = None
    principal_mobile: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    industry_code: str | None = None
    industry_name: str | None = None
    size: UnitSize | None = None
    employees: DbInt | None = None
    standardisation: Standardisation | None = None
    categories: list[str] | None = None
    grade: Grade | None = None
    grade_reason: str | None = None


class CategoryIn(Schema):
    code: str
    name: str
    group: CategoryGroup
    grade_floor: Grade | None = None
    sort_order: int = Field(0, ge=0, le=32767)
    is_active: bool = True


class CategoryUpdateIn(Schema):
    code: str | None = None
    name: str | None = None
    group: CategoryGroup | None = None
    grade_floor: Grade | None = None
    sort_order: int | None = Field(None, ge=0, le=32767)
    is_active: bool | None = None


def _require(request, action: str = "units.view") -> None:
    if not get_scope(request.auth).can(action):
        if action == services.MANAGE_CATEGORIES:
            raise PermissionDenied(_("Your roles do not include managing the unit categories."))
        if action == services.CHANGE:
            raise PermissionDenied(_("Your roles do not include changing supervised units."))
        raise PermissionDenied(_("Your roles do not include the supervised units."))


def _units(request):
    return unit_list_queryset(Unit.objects.for_action(request.auth, "units.view"))


def _mark_changeable(request, units: list[Unit]) -> list[Unit]:
    ids = set(
        Unit.objects.for_action(request.auth, services.CHANGE)
        .filter(pk__in=[u.pk for u in units])
        .values_list("pk", flat=True)
    )
    for unit in units:
        unit.can_change = unit.pk in ids
    return units


def _one(request, unit_id: int) -> Unit:
    unit = _units(request).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return _mark_changeable(request, [unit])[0]


def _region(request, region_id: int) -> Region:
    region = (
        Region.objects.for_action(request.auth, services.CHANGE)
        .filter(pk=region_id, level=RegionLevel.VILLAGE)
        .first()
    )
    if region is None:
        raise ValidationError(
            {"region_id": _("No village or community %(id)s that you may use.") % {"id": region_id}}
        )
    return region


def _committee(request, committee_id: int | None) -> Committee | None:
    if committee_id is None:
        return None
    towns = Region.objects.for_action(request.auth, services.CHANGE).values("pk")
    committee = Committee.objects.filter(pk=committee_id, region__in=towns).first()
    if committee is None:
        raise ValidationError(
            {"committee_id": _("No sector committee %(id)s in your town.") % {"id": committee_id}}
        )
    return committee


def _categories(codes: list[str]) -> list[Category]:
    found = {c.code: c for c in Category.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(
            {"categories": _("Unknown category codes: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    return [found[code] for code in dict.fromkeys(codes)]


@router.get("", response=UnitPageOut, operation_id="units_list", summary="List units")
def units_list(request, filters: Query[UnitFilterIn]):
    """Units you may see, with the same search, filters and sort orders as the list page."""
    _require(request)
    qs = _units(request)
    if filters.q and filters.q.strip():
        qs = qs.filter(unit_search_q(filters.q))
    data = {
        key: str(value)
        for key, value in filters.model_dump(
            include={"kind", "status", "region", "committee", "category", "grade", "expert", "sort"}
        ).items()
        if value is not None
    }
    filterset = UnitFilterSet(data, queryset=qs, request=request)
    if not filterset.is_valid():
        raise ValidationError(
            {field: [str(m) for m in msgs] for field, msgs in filterset.errors.items()}
        )
    qs = filterset.qs
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"items": _mark_changeable(request, items), "count": qs.count()}


@router.get("/categories", response=list[CategoryOut], operation_id="units_categories_list")
def units_categories_list(request):
    """The unit categories (those no longer in use too) with their grade floors."""
    _require(request)
    return list(services.categories_for(request.auth).order_by("group", "sort_order", "pk"))


@router.post("/categories", response={201: CategoryOut}, operation_id="units_categories_create")
def units_categories_create(request, payload: CategoryIn):
    _require(request, services.MANAGE_CATEGORIES)
    data = payload.model_dump()
    data["grade_floor"] = data["grade_floor"] or ""
    return Status(201, services.category_create(actor=request.auth, **data))


@router.patch(
    "/categories/{code}",
    response=CategoryOut,
    operation_id="units_categories_update",
)
def units_categories_update(request, code: str, payload: CategoryUpdateIn):
    """Change a category (addressed by its code); ``is_active: false`` takes it out of use."""
    _require(request, services.MANAGE_CATEGORIES)
    category = services.categories_for(request.auth).filter(code=code).first()
    if category is None:
        raise Http404
    data = payload.model_dump(exclude_unset=True)
    if "grade_floor" in data:
        data["grade_floor"] = data["grade_floor"] or ""
    data = {k: v for k, v in data.items() if v is not None or k == "grade_floor"}
    return services.category_update(actor=request.auth, category_id=category.pk, **data)


@router.get("/{int:unit_id}", response=UnitOut, operation_id="units_get", summary="One unit")
def units_get(request, unit_id: Id):
    _require(request)
    return _one(request, unit_id)


@router.post("", response={201: UnitOut}, operation_id="units_create", summary="Register a unit")
def units_create(request, payload: UnitCreateIn):
    """Register a unit in a village of your town; without a committee the rules choose one."""
    _require(request, services.CHANGE)
    data = payload.model_dump()
    region = _region(request, data.pop("region_id"))
    committee = _committee(request, data.pop("committee_id"))
    data["categories"] = _categories(data["categories"])
    data["size"] = data["size"] or ""
    data["grade"] = data["grade"] or ""
    unit = services.unit_create(actor=request.auth, region=region, committee=committee, **data)
    return Status(201, _one(request, unit.pk))


@router.patch(
    "/{int:unit_id}", response=UnitOut, operation_id="units_update", summary="Change a unit"
)
def units_update(request, unit_id: Id, payload: UnitUpdateIn):
    """Change the fields sent. A stale ``expected_version`` gives 409: read the unit again."""
    _require(request, services.CHANGE)
    services.unit_get_for_change(request.auth, unit_id)  # 404 before any validation
    data = payload.model_dump(exclude_unset=True)
    expected_version = data.pop("expected_version")
    reason = data.pop("reason", "")
    if "region_id" in data:
        data["region"] = (
            _region(request, data.pop("region_id")) if data["region_id"] is not None else None
        )
    if "committee_id" in data:
        data["committee"] = _committee(request, data.pop("committee_id"))
    if "categories" in data:
        data["categories"] = _categories(data["categories"] or [])
    for key in ("size", "grade"):
        if key in data and data[key] is None:
            data[key] = ""
    for key in ("name", "kind", "status", "standardisation"):
        if key in data and data[key] is None:
            data.pop(key)
    services.unit_update(
        actor=request.auth,
        unit_id=unit_id,
        expected_version=expected_version,
        reason=reason,
        **data,
    )
    return _one(request, unit_id)
