"""The audit record over the API: the same scope as the audit browser (``audit.view``)."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from anjian.audit.filters import AuditEntryFilterSet
from anjian.audit.models import AuditEntry
from anjian.audit.services import audit_chain_break, audit_record, audit_verify_chain
from anjian.core.api_types import Id
from anjian.core.pagination import LimitOffset
from anjian.core.scoping import get_scope

router = Router(tags=["audit"])

MAX_LIMIT = 200


class AuditEntryOut(Schema):
    id: int
    occurred_at: datetime.datetime
    actor_id: int | None
    actor_label: str = Field(description="The actor's name when the entry was written")
    actor_roles: str
    region_id: int | None
    region_name: str | None
    request_id: uuid.UUID
    source: str
    ip: str | None
    action: str = Field(description="What happened, e.g. “unit.created”, “auth.login”")
    object_type: str | None = Field(
        description="“app_label.model” of the object, e.g. “units.unit”"
    )
    object_id: str
    object_repr: str
    changes: dict = Field(description="{field: [before, after]} or plain facts")
    reason: str
    prev_hash: str
    entry_hash: str

    @staticmethod
    def resolve_region_name(obj: AuditEntry) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_object_type(obj: AuditEntry) -> str | None:
        if not obj.target_type_id:
            return None
        return f"{obj.target_type.app_label}.{obj.target_type.model}"

    @staticmethod
    def resolve_object_id(obj: AuditEntry) -> str:
        return obj.target_id

    @staticmethod
    def resolve_object_repr(obj: AuditEntry) -> str:
        return obj.target_repr


class AuditEntryFilterIn(Schema):
    q: str | None = Field(None, description="Search in the object, the actor and the reason")
    action: str | None = Field(None, description="An action, or a prefix ending in “.”")
    actor: str | None = Field(None, description="Part of the actor's name")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    object_type: str | None = Field(None, description="“app_label.model”, e.g. “units.unit”")


class BrokenEntryOut(Schema):
    id: int
    occurred_at: datetime.datetime
    action: str
    object_repr: str


class VerifyOut(Schema):
    ok: bool
    checked: int = Field(description="Entries found intact (before the break, if any)")
    broken_entry_id: int | None
    problem_code: str = Field(
        description="“”, “link_broken”, “content_changed”, “tail_removed” or “head_missing”"
    )
    problem: str
    broken_entry: BrokenEntryOut | None = Field(
        None, description="The broken entry, when it still exists and lies in your area"
    )


def _require(request, action: str) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(_("Your roles do not include the audit record."))


def _entries(request):
    return AuditEntry.objects.for_action(request.auth, "audit.view").select_related(
        "region", "target_type"
    )


@router.get(
    "/entries",
    response=list[AuditEntryOut],
    operation_id="audit_entries_list",
    summary="List audit entries",
)
@paginate(LimitOffset, max_limit=MAX_LIMIT)
def entries_list(request, filters: Query[AuditEntryFilterIn]):
    """Audit entries in your area, newest first; ``limit`` is capped at 200."""
    _require(request, "audit.view")
    data = filters.model_dump(exclude_none=True)
    search = data.pop("q", "").strip()
    qs = _entries(request).order_by("-pk")
    if search:
        qs = qs.filter(
            Q(target_repr__icontains=search)
            | Q(actor_label__icontains=search)
            | Q(reason__icontains=search)
        )
    filterset = AuditEntryFilterSet(
        {k: str(v) for k, v in data.items()}, queryset=qs, request=request
    )
    if not filterset.is_valid():
        raise ValidationError(
            {field: [str(m) for m in msgs] for field, msgs in filterset.errors.items()}
        )
    return filterset.qs


@router.get(
    "/entries/{int:entry_id}",
    response=AuditEntryOut,
    operation_id="audit_entries_get",
    summary="One audit entry",
)
def entries_get(request, entry_id: Id):
    _require(request, "audit.view")
    entry = _entries(request).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    return entry


@router.post(
    "/verify",
    response=VerifyOut,
    operation_id="audit_verify",
    summary="Verify the hash chain",
)
def verify(request):
    """Recompute every hash in order and report the first entry that does not match."""
    _require(request, "audit.verify")
    report = audit_verify_chain()
    brk = audit_chain_break(report)
    broken = None
    if brk and brk.entry is not None and _entries(request).filter(pk=brk.entry_id).exists():
        e = brk.entry
        broken = BrokenEntryOut(
            id=e.pk, occurred_at=e.occurred_at, action=e.action, object_repr=e.target_repr
        )
    audit_record(
        actor=request.auth,
        action="audit.chain_verified",
        target_repr=_("Audit record"),
        changes={"ok": report.ok, "checked": report.checked, "broken": report.broken_entry_id},
    )
    return VerifyOut(
        ok=report.ok,
        checked=report.checked,
        broken_entry_id=report.broken_entry_id,
        problem_code=report.code,
        problem=report.problem,
        broken_entry=broken,
    )
