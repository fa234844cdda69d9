"""Committees over the API: the same scope as the pages (``teams.view``)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from anjian.core.api_types import Id, Offset
from anjian.core.scoping import get_scope
from anjian.teams.models import Committee, CommitteeKind
from anjian.teams.selectors import (
    committee_attach_unit_counts,
    committee_children_for,
    committee_list_for,
)

router = Router(tags=["committees"])

MAX_LIMIT = 200


class CommitteeOut(Schema):
    id: int
    name: str
    short_name: str
    kind: CommitteeKind
    kind_label: str
    region_id: int = Field(description="The town")
    region_name: str
    parent_id: int | None = Field(description="The town's work-safety committee, for a 专委会")
    sectors: str
    lead_name: str
    lead_title: str
    office_phone: str
    sort_order: int
    unit_count: int = Field(description="Units of this committee and of its specialised ones")

    @staticmethod
    def resolve_kind_label(obj: Committee) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region_name(obj: Committee) -> str:
        return obj.region.name


class CommitteeDetailOut(CommitteeOut):
    children: list[CommitteeOut] = Field(description="Specialised committees you may see")

    @staticmethod
    def resolve_children(obj: Committee) -> list[Committee]:
        return obj.visible_children


class CommitteeFilterIn(Schema):
    q: str | None = Field(None, description="Part of the name, a sector or the lead's name")
    kind: CommitteeKind | None = None
    region: Id | None = Field(None, description="Only the committees of this town (region id)")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


def _require(request) -> None:
    if not get_scope(request.auth).can("teams.view"):
        raise PermissionDenied(_("Your roles do not include the committees."))


class CommitteePageOut(Schema):
    items: list[CommitteeOut]
    count: int


@router.get(
    "", response=CommitteePageOut, operation_id="committees_list", summary="List committees"
)
def committees_list(request, filters: Query[CommitteeFilterIn]):
    """Committees you may see: main committees first in each town."""
    _require(request)
    qs = committee_list_for(request.auth)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(short_name__icontains=q)
            | Q(sectors__icontains=q)
            | Q(lead_name__icontains=q)
        )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.region is not None:
        qs = qs.filter(region_id=filters.region)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    committee_attach_unit_counts(page)
    return {"items": page, "count": qs.count()}


@router.get(
    "/{int:committee_id}",
    response=CommitteeDetailOut,
    operation_id="committees_get",
    summary="One committee with its specialised committees",
)
def committees_get(request, committee_id: Id):
    _require(request)
    committee = committee_list_for(request.auth).filter(pk=committee_id).first()
    if committee is None:
        raise Http404
    children = list(committee_children_for(request.auth, committee))
    committee_attach_unit_counts([committee, *children])
    committee.visible_children = children
    return committee
