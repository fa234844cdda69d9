"""Supervised units over the API: the same scope as the pages (``units.view``)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from anjian.core.scoping import get_scope
from anjian.units.filters import UnitFilterSet
from anjian.units.models import Unit, UnitKind, UnitStatus

router = Router(tags=["units"])

MAX_LIMIT = 200


class UnitOut(Schema):
    id: int
    name: str
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


class UnitPageOut(Schema):
    items: list[UnitOut]
    count: int


class UnitFilterIn(Schema):
    q: str | None = Field(None, description="Part of the name, credit code or address")
    kind: UnitKind | None = None
    status: UnitStatus | None = None
    region: int | None = Field(None, description="Village or community (region id)")
    committee: int | None = Field(None, description="Sector committee id")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def _require(request) -> None:
    if not get_scope(request.auth).can("units.view"):
        raise PermissionDenied(_("Your roles do not include the supervised units."))


def _units(request):
    return Unit.objects.for_action(request.auth, "units.view").select_related(
        "region__parent", "committee"
    )


@router.get("", response=UnitPageOut, operation_id="units_list", summary="List units")
def units_list(request, filters: Query[UnitFilterIn]):
    """Units you may see, by name, with the same search and filters as the list page."""
    _require(request)
    qs = _units(request)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q) | Q(address__icontains=q))
    data = {
        key: str(value)
        for key, value in filters.model_dump(
            include={"kind", "status", "region", "committee"}
        ).items()
        if value is not None
    }
    filterset = UnitFilterSet(data, queryset=qs, request=request)
    if not filterset.is_valid():
        raise ValidationError(
            {field: [str(m) for m in msgs] for field, msgs in filterset.errors.items()}
        )
    qs = filterset.qs
    return {"items": list(qs[filters.offset : filters.offset + filters.limit]), "count": qs.count()}


@router.get("/{int:unit_id}", response=UnitOut, operation_id="units_get", summary="One unit")
def units_get(request, unit_id: int):
    _require(request)
    unit = _units(request).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit
