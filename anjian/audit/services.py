"""Writing and verifying the audit record. ``audit_record`` is called by services inside their
transaction; it never runs on a signal."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.models import AuditChainHead, AuditEntry
from anjian.core import context

GENESIS = "0" * 64
HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "actor_roles",
    "region_id",
    "request_id",
    "source",
    "ip",
    "action",
    "target_type_id",
    "target_id",
    "target_repr",
    "changes",
    "reason",
)


def _text(value: str) -> str:
    """PostgreSQL keeps no NUL character in text or JSON ("unsupported Unicode escape sequence"):
    one a visitor sent (a query parameter, a header) is kept as U+FFFD, so that the entry is
    still written and shows that something was there."""
    return value.replace("\x00", "\ufffd")


def _jsonable(value: Any) -> Any:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {_text(str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids), JSON-ready."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password"}:
            continue
        data[field.name] = _jsonable(getattr(obj, field.attname))
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that differ."""
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def canonical(entry: AuditEntry) -> str:
    payload = {name: _jsonable(getattr(entry, name)) for name in HASHED_FIELDS}
    # Times are hashed in UTC with microseconds so that both databases give the same text.
    payload["occurred_at"] = entry.occurred_at.astimezone(datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%f"
    )
    payload["request_id"] = str(entry.request_id)
    payload["prev_hash"] = entry.prev_hash
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry).encode()).hexdigest()


def _first_assignment_region(user) -> int | None:
    """The region of a user's first role assignment: its region, or its unit's or committee's."""
    if user is None or not getattr(user, "pk", None):
        return None
    from anjian.accounts.models import RoleAssignment

    first = (
        RoleAssignment.objects.filter(user_id=user.pk)
        .order_by("pk")
        .values_list("region_id", "unit__region_id", "committee__region_id")
        .first()
    )
    if first is None:
        return None
    return next((region_id for region_id in first if region_id is not None), None)


def _region_of(obj: models.Model | None, actor=None) -> int | None:
    """The region an entry belongs to, so that the audit browser can be scoped.

    In this order: a Region is its own region; an object with ``region_id`` set gives it; an object
    linked to a unit or a committee (a RoleAssignment) gives that unit's or committee's region; an
    entry about a user (or about something a user owns, such as a token) gives the region of that
    user's first role assignment. When nothing is known
    from the object (no object, or a user without assignments yet), the region of the actor's first
    assignment is used, so that the office sees what its own people did.
    """
    if obj is not None:
        if obj._meta.label == "regions.Region":
            return obj.pk
        if getattr(obj, "region_id", None) is not None:
            return obj.region_id
        for link in ("unit", "committee"):
            if getattr(obj, f"{link}_id", None) is not None:
                return getattr(obj, link).region_id
        if obj._meta.label == "accounts.User":
            owner = obj
        else:  # an object owned by a user, such as an API token
            owner = getattr(obj, "user", None) if getattr(obj, "user_id", None) else None
        if (region_id := _first_assignment_region(owner)) is not None:
            return region_id
    return _first_assignment_region(actor)


def _roles_of(actor) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return ""
    from anjian.accounts.scope import get_user_scope

    return ",".join(sorted(get_user_scope(actor).roles))


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    region_id: int | None = None,
    target_repr: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Call it inside the service's transaction."""
    ctx = context.current()
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            occurred_at=timezone.now(),
            actor=actor_obj,
            actor_label=str(actor_obj)[:120] if actor_obj else "",
            actor_roles=_roles_of(actor_obj)[:200],
            region_id=region_id if region_id is not None else _region_of(obj, actor_obj),
            request_id=ctx.request_id,
            source=ctx.source[:10],
            ip=ctx.ip,
            user_agent=_text(ctx.user_agent)[:300],
            action=action,
            target_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
            target_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            target_repr=_text(
                target_repr if target_repr is not None else (str(obj) if obj is not None else "")
            )[:200],
            changes=_jsonable(changes if changes is not None else diff(before, after)),
            reason=_text(reason or ""),
            prev_hash=head.last_hash,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save()
        AuditChainHead.objects.filter(pk=1).update(
            last_entry_id=entry.pk, last_hash=entry.entry_hash, entries=models.F("entries") + 1
        )
    return entry


def _fast_hash(entry: AuditEntry) -> str:
    """``compute_hash`` of an entry whose values are already JSON-ready (as ``audit_record_many``
    builds them): the same text, without walking ``changes`` again."""
    payload = {name: getattr(entry, name) for name in HASHED_FIELDS}
    payload["actor_id"] = entry.actor_id
    payload["target_type_id"] = entry.target_type_id
    payload["occurred_at"] = entry.occurred_at.astimezone(datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%f"
    )
    payload["request_id"] = str(entry.request_id)
    payload["prev_hash"] = entry.prev_hash
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def audit_record_many(
    *,
    actor,
    records: list[tuple[str, models.Model, dict[str, Any]]],
    reason: str = "",
) -> int:
    """Append many entries at once (an import): ``(action, obj, changes)`` each, chained in the
    given order under one lock of the chain head and inserted in bulk. Returns their number."""
    if not records:
        return 0
    ctx = context.current()
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    actor_label = str(actor_obj)[:120] if actor_obj else ""
    roles = _roles_of(actor_obj)[:200]
    actor_region: list[int | None] = []
    types: dict[type, ContentType] = {}
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        prev = head.last_hash
        entries = []
        for action, obj, changes in records:
            region_id = _region_of(obj, None)
            if region_id is None:
                if not actor_region:
                    actor_region.append(_first_assignment_region(actor_obj))
                region_id = actor_region[0]
            if type(obj) not in types:
                types[type(obj)] = ContentType.objects.get_for_model(obj)
            entry = AuditEntry(
                occurred_at=timezone.now(),
                actor=actor_obj,
                actor_label=actor_label,
                actor_roles=roles,
                region_id=region_id,
                request_id=ctx.request_id,
                source=ctx.source[:10],
                ip=ctx.ip,
                user_agent=_text(ctx.user_agent)[:300],
                action=action,
                target_type=types[type(obj)],
                target_id=str(obj.pk),
                target_repr=str(obj)[:200],
                changes=_jsonable(changes),
                reason=_text(reason or ""),
                prev_hash=prev,
            )
            entry.entry_hash = prev = _fast_hash(entry)
            entries.append(entry)
        # Ids grow in insertion order, so the chain reads back in the order it was hashed.
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        last_id = entries[-1].pk or (
            AuditEntry.objects.filter(entry_hash=prev).values_list("pk", flat=True).first()
        )
        AuditChainHead.objects.filter(pk=1).update(
            last_entry_id=last_id, last_hash=prev, entries=models.F("entries") + len(entries)
        )
    return len(entries)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_entry_id: int | None = None
    problem: str = ""
    # A stable code for the problem:
    # "link_broken", "content_changed", "tail_removed" or "head_missing".
    code: str = ""


def audit_verify_chain(batch_size: int = 2000, *, using: str = "default") -> ChainReport:
    """Walk the whole chain in id order; report the first entry that does not match. ``using``
    names another database (a restored backup is verified before it is put to use)."""
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    prev_hash = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(
            AuditEntry.objects.using(using).filter(pk__gt=last_id).order_by("pk")[:batch_size]
        )
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != prev_hash:
                return ChainReport(
                    False,
                    checked,
                    entry.pk,
                    _(
                        "the entry before it is missing or was changed "
                        "(its recorded previous hash does not match)"
                    ),
                    "link_broken",
                )
            if compute_hash(entry) != entry.entry_hash:
                return ChainReport(
                    False,
                    checked,
                    entry.pk,
                    _("its content was changed after it was written"),
                    "content_changed",
                )
            prev_hash = entry.entry_hash
            checked += 1
            last_id = entry.pk
    if head is None:
        if checked:
            return ChainReport(
                False, checked, last_id, _("the chain head is missing"), "head_missing"
            )
        return ChainReport(True, checked)
    if head.last_hash != prev_hash or head.entries != checked:
        return ChainReport(
            False,
            checked,
            head.last_entry_id,
            _(
                "entries were removed at the end of the chain "
                "(the chain head expects %(expected)d entries, %(found)d were found)"
            )
            % {"expected": head.entries, "found": checked},
            "tail_removed",
        )
    return ChainReport(True, checked)


@dataclass
class ChainBreak:
    """The first broken entry as a person reads it; ``entry`` is None when it no longer exists."""

    entry_id: int | None
    entry: AuditEntry | None
    problem: str
    code: str


def audit_chain_break(report: ChainReport, *, using: str = "default") -> ChainBreak | None:
    """The broken entry of a failed report, loaded for display (None when the chain is intact),
    from the database the chain was verified in."""
    if report.ok:
        return None
    entry = (
        AuditEntry.objects.using(using)
        .filter(pk=report.broken_entry_id)
        .select_related("target_type")
        .first()
    )
    return ChainBreak(report.broken_entry_id, entry, report.problem, report.code)


def describe_break(report: ChainReport, *, using: str = "default") -> str:
    """One line naming the first broken entry (id, time, action, object) and the problem."""
    brk = audit_chain_break(report, using=using)
    if brk is None:
        return ""
    if brk.entry is None:
        return _("Entry #%(id)s (no longer in the database): %(problem)s.") % {
            "id": brk.entry_id,
            "problem": brk.problem,
        }
    entry = brk.entry
    return _(
        "Entry #%(id)s of %(time)s, action “%(action)s”, object “%(object)s”: %(problem)s."
    ) % {
        "id": entry.pk,
        "time": timezone.localtime(entry.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
        "action": entry.action,
        "object": entry.target_repr or "-",
        "problem": brk.problem,
    }
