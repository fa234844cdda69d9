"""Every write of an inspection: starting one (idempotent on the phone's ``client_key``), saving
one answer at a time, correcting the record's facts, finishing it (failed items become hazards in
the hazard loop, then the record is locked) and cancelling it.

Each service runs in one transaction, re-reads the inspection through the scoped queryset for
``inspections.inspect`` (404 outside the scope), locks its row, writes with compare-and-set on
``Inspection.version`` (``StaleObject`` when someone else changed it) and appends an audit record.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record, snapshot
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.scoping import get_scope
from anjian.hazards.access import roles_granting
from anjian.hazards.choices import HazardLevel, HazardSource, HazardType
from anjian.hazards.models import MAX_HAZARD_PHOTOS
from anjian.hazards.photos import photo_fields, photo_process
from anjian.hazards.services import (
    HAZARD_FIELDS,
    hazard_create,
    hazard_transition,
    resolve_deadline,
)
from anjian.inspections.choices import (
    InspectionKind,
    InspectionStatus,
    ItemResult,
    VersionStatus,
)
from anjian.inspections.models import (
    ChecklistItem,
    ChecklistVersion,
    Inspection,
    InspectionResult,
    ResultPhoto,
)
from anjian.regions.models import parent_path
from anjian.units.models import Unit

VIEW = "inspections.view"
INSPECT = "inspections.inspect"
VIEW_TEMPLATES = "inspections.view_templates"
ORDER = "hazards.order"

MAX_RESULT_PHOTOS = MAX_HAZARD_PHOTOS  # the photos of a failed item become the hazard's
MAX_SIGNATURE_BYTES = 300 * 1024
PNG_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DEFAULT_WORKING_DAYS = 7
MANAGEMENT_WORD = "管理"

AUDIT_FIELDS = [
    "unit",
    "checklist",
    "kind",
    "status",
    "version",
    "lead",
    "place",
    "attendees",
    "summary",
    "unit_signatory",
    "started_at",
    "finished_at",
]


def inspection_snapshot(inspection: Inspection) -> dict[str, Any]:
    data = snapshot(inspection, AUDIT_FIELDS)
    if inspection.pk:
        data["officers"] = sorted(inspection.officers.values_list("pk", flat=True))
    return data


# --- Reading one inspection for an action ---------------------------------------------------------


def inspection_get_for(user, inspection_id: int, *, action: str = VIEW, lock: bool = False):
    """The inspection if ``user`` may do ``action`` to it; 404 otherwise."""
    qs = Inspection.objects.for_action(user, action).select_related(
        "unit__region", "checklist__template", "lead"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    inspection = qs.filter(pk=inspection_id).first()
    if inspection is None:
        raise Http404
    return inspection


def _must_be_open(inspection: Inspection) -> None:
    if inspection.is_locked:
        raise InvalidTransition(
            inspection.get_status_display(),
            _("change"),
            _("This inspection is finished and locked: its answers and facts can no longer change.")
            if inspection.status == InspectionStatus.FINISHED
            else _("This inspection was cancelled: it can no longer change."),
        )


def _bump(inspection: Inspection, expected_version: int, **values: Any) -> None:
    n = Inspection.objects.filter(
        pk=inspection.pk, version=expected_version, status=InspectionStatus.IN_PROGRESS
    ).update(**values, version=F("version") + 1)
    if n != 1:
        raise StaleObject()
    inspection.refresh_from_db()


def default_kind(user) -> str:
    """The kind of inspection a person makes by default: an expert's check, a village patrol,
    otherwise the town's inspection."""
    roles = get_scope(user).roles
    if roles & {"town_office", "inspector"}:
        return InspectionKind.TOWN_INSPECTION
    if "expert" in roles:
        return InspectionKind.EXPERT_CHECK
    if "village_officer" in roles:
        return InspectionKind.VILLAGE_PATROL
    return InspectionKind.TOWN_INSPECTION


def _officers(unit: Unit, ids: Iterable, lead) -> list:
    """The officers taking part: people who may inspect this unit (the lead always among them)."""
    people = {lead.pk: lead}
    wanted = {int(i) for i in ids or () if str(i).strip()}
    wanted.discard(lead.pk)
    if wanted:
        users = get_user_model().objects.filter(pk__in=wanted, is_active=True)
        found = {u.pk: u for u in users}
        bad = [
            str(i)
            for i in sorted(wanted)
            if i not in found
            or not Unit.objects.for_action(found[i], INSPECT).filter(pk=unit.pk).exists()
        ]
        if bad:
            raise ValidationError(
                {
                    "officers": _("These people may not inspect this unit: %(ids)s.")
                    % {"ids": ", ".join(bad)}
                }
            )
        people.update(found)
    return list(people.values())


# --- Starting ------------------------------------------------------------------------------------


def checklists_for(user):
    """The published checklist versions ``user`` may use."""
    return ChecklistVersion.objects.for_action(user, VIEW_TEMPLATES).filter(
        status=VersionStatus.PUBLISHED, template__is_active=True
    )


def _same_start(existing: Inspection, actor, unit_id: int) -> Inspection:
    """A retried start: the same inspection, if it is the actor's at the same unit."""
    if existing.unit_id != unit_id or existing.lead_id != getattr(actor, "pk", None):
        raise ValidationError(
            {"client_key": _("This key belongs to another inspection; start with a new one.")}
        )
    return existing


@transaction.atomic
def inspection_start(
    *,
    actor,
    unit_id: int,
    checklist_id: int,
    kind: str | None = None,
    client_key: uuid.UUID | str | None = None,
    place: str = "",
    officers: Sequence = (),
) -> Inspection:
    """Start inspecting a unit with a published checklist version: one unanswered result per
    item. Sending the same ``client_key`` again returns the inspection it started."""
    unit = Unit.objects.for_action(actor, INSPECT).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    if client_key not in (None, ""):
        try:
            client_key = uuid.UUID(str(client_key))
        except ValueError as exc:
            raise ValidationError({"client_key": _("The client key is not a UUID.")}) from exc
        existing = Inspection.objects.filter(client_key=client_key).first()
        if existing is not None:
            return _same_start(existing, actor, unit.pk)
    else:
        client_key = uuid.uuid4()
    checklist = checklists_for(actor).select_related("template").filter(pk=checklist_id).first()
    if checklist is None:
        raise ValidationError({"checklist": _("Choose a published checklist.")})
    kind = kind or default_kind(actor)
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": _("Choose the kind of inspection.")})
    items = list(ChecklistItem.objects.filter(section__version=checklist).order_by("pk"))
    if not items:
        raise ValidationError({"checklist": _("This checklist has no items.")})
    people = _officers(unit, officers, actor)
    inspection = Inspection(
        unit=unit,
        checklist=checklist,
        kind=kind,
        client_key=client_key,
        lead=actor,
        started_at=timezone.now(),
        place=(place or "").strip()[:200],
    )
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError:  # the same key, sent twice at once
        existing = Inspection.objects.filter(client_key=client_key).first()
        if existing is None:
            raise
        return _same_start(existing, actor, unit.pk)
    inspection.officers.set(people)
    InspectionResult.objects.bulk_create(
        [InspectionResult(inspection=inspection, item=item) for item in items]
    )
    audit_record(
        actor=actor,
        action="inspection.started",
        obj=inspection,
        after=inspection_snapshot(inspection),
    )
    return inspection


# --- Answering one item (autosave) ---------------------------------------------------------------


def _store_photos(result: InspectionResult, uploads: Sequence) -> list[ResultPhoto]:
    processed = [photo_process(upload) for upload in uploads]
    known = set(result.photos.values_list("sha256", flat=True))
    fresh = []
    for item in processed:
        if item.sha256 in known:  # the same photo sent again by a retry
            continue
        known.add(item.sha256)
        fresh.append(item)
    if len(known) > MAX_RESULT_PHOTOS:
        raise ValidationError(
            {
                "photos": _("At most %(n)s photos may be kept for one item.")
                % {"n": MAX_RESULT_PHOTOS}
            }
        )
    photos = []
    for item in fresh:
        photo = ResultPhoto(result=result, **photo_fields(item))
        photo.save()
        photos.append(photo)
    return photos


@transaction.atomic
def result_record(
    *,
    actor,
    inspection_id: int,
    item_id: int,
    result: str,
    note: str = "",
    photos: Sequence = (),
    location: str | None = None,
) -> InspectionResult:
    """Save the answer to one item as it is given. The same answer sent twice changes nothing.
    ``location`` (where a failed item's hazard is) is kept as it was when not given."""
    inspection = inspection_get_for(actor, inspection_id, action=INSPECT, lock=True)
    _must_be_open(inspection)
    if result not in ItemResult.values:
        raise ValidationError({"result": _("Answer pass, fail or not applicable.")})
    row = (
        InspectionResult.objects.select_related("item")
        .filter(inspection=inspection, item_id=item_id)
        .first()
    )
    if row is None:
        raise ValidationError({"item": _("This item is not on the inspection's checklist.")})
    note = (note or "").strip()
    location = row.location if location is None else location.strip()
    if len(location) > 200:
        raise ValidationError({"location": _("At most 200 characters.")})
    photos = [p for p in photos or () if p is not None]
    same = row.result == result and row.note == note and row.location == location
    if same and not photos:
        return row
    before = {"result": row.result, "note": row.note, "location": row.location}
    created = _store_photos(row, photos)
    if same and not created:
        return row
    row.result = result
    row.note = note
    row.location = location
    row.answered_at = timezone.now()
    row.answered_by = actor if getattr(actor, "pk", None) else None
    row.save(update_fields=["result", "note", "location", "answered_at", "answered_by"])
    _bump(inspection, inspection.version)
    audit_record(
        actor=actor,
        action="inspection.answered",
        obj=inspection,
        changes={
            "item": row.item_id,
            "result": [before["result"], result],
            "note": [before["note"], note],
            "location": [before["location"], location],
            "photos": [p.sha256 for p in created],
        },
    )
    return row


@transaction.atomic
def result_photo_delete(*, actor, photo_id: int) -> None:
    """Take back a photo of an item while the inspection is in progress."""
    photo = (
        ResultPhoto.objects.for_action(actor, INSPECT)
        .select_related("result")
        .filter(pk=photo_id)
        .first()
    )
    if photo is None:
        raise Http404
    inspection = inspection_get_for(actor, photo.result.inspection_id, action=INSPECT, lock=True)
    _must_be_open(inspection)
    sha = photo.sha256
    photo.delete()
    _bump(inspection, inspection.version)
    audit_record(
        actor=actor,
        action="inspection.photo_removed",
        obj=inspection,
        changes={"item": photo.result.item_id, "photo": sha},
    )


# --- The record's facts -------------------------------------------------------------------------


@transaction.atomic
def inspection_update(
    *, actor, inspection_id: int, expected_version: int, officers=None, **fields: Any
) -> Inspection:
    """Correct the place, the attendees, the summary or the officers of an inspection in
    progress (only what is given changes)."""
    unknown = set(fields) - {"place", "attendees", "summary"}
    if unknown:
        raise TypeError(f"inspection_update() got unknown fields: {sorted(unknown)}")
    inspection = inspection_get_for(actor, inspection_id, action=INSPECT, lock=True)
    _must_be_open(inspection)
    if inspection.version != expected_version:
        raise StaleObject()
    before = inspection_snapshot(inspection)
    values = {k: (v or "").strip() for k, v in fields.items() if v is not None}
    if "place" in values and len(values["place"]) > 200:
        raise ValidationError({"place": _("At most 200 characters.")})
    people = _officers(inspection.unit, officers, inspection.lead) if officers is not None else None
    _bump(inspection, expected_version, **values)
    if people is not None:
        inspection.officers.set(people)
    audit_record(
        actor=actor,
        action="inspection.edited",
        obj=inspection,
        before=before,
        after=inspection_snapshot(inspection),
    )
    return inspection


def town_officers(town_path: str, lead):
    """The town's active people (a role in the town or one of its committees) with a
    law-enforcement certificate on file that has not expired, ``lead`` left out."""
    today = timezone.localdate()
    in_town = get_user_model().objects.filter(
        Q(role_assignments__region__path__startswith=town_path)
        | Q(role_assignments__committee__region__path__startswith=town_path),
        role_assignments__is_active=True,
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=in_town.values("pk"))
        .exclude(enforcement_certificate__number="")
        .filter(
            Q(enforcement_certificate__valid_until__isnull=True)
            | Q(enforcement_certificate__valid_until__gte=today),
            enforcement_certificate__isnull=False,
        )
        .exclude(pk=lead.pk)
        .order_by("name", "pk")
    )


def officer_choices(unit: Unit, lead) -> list:
    """The officers who may be chosen for an inspection of ``unit``: the town's officers
    (``town_officers``) who may inspect the unit; the lead first (always listed, certificate or
    not). The town's officers are few: each is asked whether they may inspect the unit."""
    people = town_officers(parent_path(unit.region.path), lead)
    chosen = [p for p in people if Unit.objects.for_action(p, INSPECT).filter(pk=unit.pk).exists()]
    return [lead, *chosen]


def officers_may_change(inspection: Inspection) -> bool:
    """The officers of an inspection may be corrected until a document is issued for it."""
    return inspection.status != InspectionStatus.CANCELLED and not inspection.documents.exists()


@transaction.atomic
def inspection_officers_set(
    *, actor, inspection_id: int, officers: Sequence, expected_version: int | None = None
) -> Inspection:
    """Choose the officers who took part (the lead is always one of them), in progress or after
    the inspection is finished — until a document (现场检查记录, 责令限期整改指令书…) is issued
    for it: the documents print the officers, so they no longer change after that."""
    inspection = inspection_get_for(actor, inspection_id, action=INSPECT, lock=True)
    if inspection.status == InspectionStatus.CANCELLED:
        _must_be_open(inspection)
    if inspection.documents.exists():
        raise InvalidTransition(
            inspection.get_status_display(),
            _("change the officers"),
            _(
                "A document has been issued for this inspection with its officers: they can no "
                "longer change."
            ),
        )
    if expected_version is not None and inspection.version != expected_version:
        raise StaleObject()
    before = inspection_snapshot(inspection)
    people = _officers(inspection.unit, officers, inspection.lead)
    Inspection.objects.filter(pk=inspection.pk).update(version=F("version") + 1)
    inspection.refresh_from_db()
    inspection.officers.set(people)
    after = inspection_snapshot(inspection)
    audit_record(
        actor=actor,
        action="inspection.officers_changed",
        obj=inspection,
        before={"officers": before["officers"]},
        after={"officers": after["officers"]},
    )
    return inspection


# --- Finishing ----------------------------------------------------------------------------------


def signature_png(value: str, *, field: str) -> str:
    """Check a signature drawn on the screen: a PNG data URL of at most 300 KB."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("Sign on the screen.")})
    if not value.startswith(PNG_PREFIX):
        raise ValidationError({field: _("The signature must be a PNG image.")})
    try:
        data = base64.b64decode(value[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError({field: _("The signature could not be read.")}) from exc
    if not data.startswith(PNG_MAGIC):
        raise ValidationError({field: _("The signature must be a PNG image.")})
    if len(data) > MAX_SIGNATURE_BYTES:
        raise ValidationError({field: _("The signature is larger than 300 KB.")})
    return value


def hazard_fields_for(inspection: Inspection, result: InspectionResult) -> dict[str, Any]:
    """What a failed item says about the hazard it found. Its location is where the inspector
    said the item's hazard is; only without one, the place inspected or the unit's address."""
    item = result.item
    description = item.text.strip()
    if result.note:
        description = f"{description}\n{result.note.strip()}"
    management = MANAGEMENT_WORD in (item.section.title or "")
    source = inspection.kind if inspection.kind in HazardSource.values else "town_inspection"
    return {
        "location": result.location
        or inspection.place
        or inspection.unit.address
        or inspection.unit.name,
        "description": description,
        "hazard_type": HazardType.MANAGEMENT if management else HazardType.UNSAFE_CONDITION,
        "category": item.hazard_category,
        "level": hazard_fields_for_level(result),
        "legal_basis": item.legal_basis,
        "source": source,
        "requirement": "按检查表要求整改：" + item.text.strip(),
    }


def _item_label(result: InspectionResult, number: int) -> str:
    return _("item %(n)s “%(text)s”") % {"n": number, "text": result.item.text[:30]}


# The per-item choices of the finish step (besides any of ``HAZARD_FIELDS``).
CHOICE_KEYS = frozenset(
    {"deadline", "working_days", "rectified_on_spot", "on_spot_description", "on_spot_photo_ids"}
)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "yes"}
    return bool(value)


def _item_choices(
    results: Sequence[InspectionResult],
    overrides: Mapping[Any, Mapping[str, Any]] | None,
    *,
    may_order: bool,
    today: datetime.date,
) -> dict[int, dict[str, Any]]:
    """Check the inspector's choices for the failed items (item id → choices) and return them
    cleaned: level, requirement (and any other hazard field), a deadline as a date or working
    days, or "rectified on the spot" with what was done and the item's photos showing it.
    Errors name the item: ``hazards.<item id>.<field>``."""
    failed = {
        r.item_id: (n, r)
        for n, r in enumerate(results, 1)
        if r.result == ItemResult.FAIL and not r.hazard_id
    }
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, dict[str, Any]] = {}

    def refuse(item_id, field, message, label=None):
        prefix = f"{label}：" if label else ""
        errors.setdefault(f"hazards.{item_id}.{field}", []).append(prefix + str(message))

    for key, raw in (overrides or {}).items():
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            item_id = None
        if item_id not in failed:
            refuse(
                key,
                "item",
                _("Choices were given for an item that did not fail: %(item)s.") % {"item": key},
            )
            continue
        number, result = failed[item_id]
        label = _item_label(result, number)
        data = {k: v for k, v in dict(raw or {}).items() if v not in (None, "")}
        unknown = sorted(set(data) - CHOICE_KEYS - set(HAZARD_FIELDS))
        if unknown:
            refuse(
                item_id,
                "item",
                _("Unknown choice: %(names)s.") % {"names": ", ".join(unknown)},
                label,
            )
            continue
        choice: dict[str, Any] = {k: v for k, v in data.items() if k in HAZARD_FIELDS}
        if "level" in choice and choice["level"] not in HazardLevel.values:
            refuse(item_id, "level", _("Choose the level: ordinary or major."), label)
        if "requirement" in choice:
            choice["requirement"] = str(choice["requirement"]).strip()
            if not choice["requirement"]:
                del choice["requirement"]
        on_spot = _flag(data.get("rectified_on_spot"))
        due = {k: data[k] for k in ("deadline", "working_days") if k in data}
        if len(due) == 2:
            refuse(item_id, "working_days", _("Give a date or working days, not both."), label)
            due = {}
        elif due:
            try:
                day, _mode, _n, _warnings = resolve_deadline(due, start=today)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        refuse(item_id, field, message, label)
                due = {}
            else:
                if day is not None and day < today:
                    refuse(item_id, "deadline", _("The deadline cannot be in the past."), label)
                if on_spot:
                    refuse(
                        item_id,
                        "deadline",
                        _("A hazard rectified on the spot needs no deadline."),
                        label,
                    )
                elif not may_order:
                    refuse(
                        item_id,
                        "deadline",
                        _(
                            "You may record the hazard, but the deadline is set by the town "
                            "office, an inspector or the unit's expert: leave it empty."
                        ),
                        label,
                    )
        level = choice.get("level") or hazard_fields_for_level(result)
        if on_spot:
            if level == HazardLevel.MAJOR:
                refuse(
                    item_id,
                    "rectified_on_spot",
                    _(
                        "A major hazard cannot be rectified on the spot: it needs a governance plan."
                    ),
                    label,
                )
            description = str(data.get("on_spot_description") or "").strip()
            if not description:
                refuse(item_id, "on_spot_description", _("Describe what was done."), label)
            ids = data.get("on_spot_photo_ids") or []
            if isinstance(ids, str | int):
                ids = [ids]
            try:
                ids = sorted({int(i) for i in ids})
            except (TypeError, ValueError):
                ids = [-1]
            own = set(result.photos.values_list("pk", flat=True))
            if not ids:
                refuse(
                    item_id,
                    "on_spot_photo_ids",
                    _("Add at least one photo showing the rectification."),
                    label,
                )
            elif not set(ids) <= own:
                refuse(
                    item_id,
                    "on_spot_photo_ids",
                    _("Choose photos taken for this item."),
                    label,
                )
            choice["on_spot"] = {"description": description, "photo_ids": ids}
        elif due:
            choice["due"] = due
        cleaned[item_id] = choice
    if errors:
        raise ValidationError(errors)
    return cleaned


def hazard_fields_for_level(result: InspectionResult) -> str:
    """The level a failed item's hazard has by default."""
    item = result.item
    return HazardLevel.MAJOR if item.is_major_criterion else item.hazard_level


def _uploads(photos) -> list[SimpleUploadedFile]:
    uploads = []
    for photo in photos:
        with photo.original.open("rb") as handle:
            data = handle.read()
        name = photo.original.name.rsplit("/", 1)[-1]
        uploads.append(SimpleUploadedFile(name, data, content_type=photo.content_type))
    return uploads


def _refused(exc: ValidationError, label: str, item_id: int | None = None) -> ValidationError:
    """A hazard's refusal as the finish step's, naming the item."""
    messages = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    errors: dict[str, list[str]] = {}
    for key, msgs in messages:
        if item_id is not None:
            target = f"hazards.{item_id}.{key or 'item'}"
        else:
            target = key if key in ("deadline", "working_days") else "hazards"
        errors.setdefault(target, []).extend(f"{label}：{m}" for m in msgs)
    return ValidationError(errors)


def _record_hazard(*, actor, inspection, result, number, fields, due, choice) -> Any:
    """One failed item's hazard: ordered with its deadline, or closed as rectified on the spot
    (the chosen photos are the rectification's, the others the hazard's as found)."""
    on_spot = choice.get("on_spot")
    photos = list(result.photos.order_by("pk"))
    spot_ids = set(on_spot["photo_ids"]) if on_spot else set()
    found = [p for p in photos if p.pk not in spot_ids]
    hazard = hazard_create(
        actor=actor,
        unit_id=inspection.unit_id,
        photos=_uploads(found)[:MAX_HAZARD_PHOTOS],
        **due,
        **fields,
    )
    if on_spot:
        hazard = hazard_transition(
            actor=actor,
            hazard_id=hazard.pk,
            action="rectify_on_spot",
            expected_version=hazard.version,
            data={"description": on_spot["description"]},
            photos=_uploads([p for p in photos if p.pk in spot_ids])[:MAX_HAZARD_PHOTOS],
        )
    return hazard


@transaction.atomic
def inspection_finish(
    *,
    actor,
    inspection_id: int,
    expected_version: int,
    unit_signatory: str,
    unit_signature: str,
    inspector_signature: str,
    deadline: datetime.date | str | None = None,
    working_days: int | None = None,
    hazard_overrides: Mapping[Any, Mapping[str, Any]] | None = None,
) -> Inspection:
    """Finish and lock the inspection. Every item must be answered and both sides must sign;
    each failed item is recorded as a hazard (ordinary ones with a deadline — given, or 7
    working days — when the actor may order; major ones without, they go the major-hazard
    route). If any hazard is refused, nothing is finished.

    ``hazard_overrides`` (item id → choices) lets the inspector decide per failed item: the
    ``level``, the ``requirement`` (or any other of ``HAZARD_FIELDS``), a ``deadline`` or
    ``working_days`` of its own (a major hazard then gets it too), or ``rectified_on_spot`` with
    ``on_spot_description`` and ``on_spot_photo_ids`` (photos of the item showing the result):
    the hazard is then recorded and closed as rectified on the spot. Items without choices keep
    the defaults."""
    inspection = inspection_get_for(actor, inspection_id, action=INSPECT, lock=True)
    _must_be_open(inspection)
    if inspection.version != expected_version:
        raise StaleObject()
    results = list(
        inspection.results.select_related("item__section").order_by(
            "item__section__order", "item__section_id", "item__order", "item_id"
        )
    )
    errors: dict[str, str] = {}
    unanswered = [
        _item_label(r, n) for n, r in enumerate(results, 1) if r.result == ItemResult.UNCHECKED
    ]
    if unanswered:
        errors["results"] = _("Answer every item first; not yet answered: %(items)s.") % {
            "items": "、".join(unanswered)
        }
    unit_signatory = (unit_signatory or "").strip()
    if not unit_signatory:
        errors["unit_signatory"] = _("Give the name of the person signing for the unit.")
    elif len(unit_signatory) > 50:
        errors["unit_signatory"] = _("At most 50 characters.")
    for field, value in (
        ("unit_signature", unit_signature),
        ("inspector_signature", inspector_signature),
    ):
        try:
            signature_png(value, field=field)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    before = inspection_snapshot(inspection)
    may_order = Unit.objects.for_action(actor, ORDER).filter(
        pk=inspection.unit_id
    ).exists() and get_scope(actor).can(ORDER)
    choices = _item_choices(
        results, hazard_overrides, may_order=may_order, today=timezone.localdate()
    )
    hazards = []
    for number, result in enumerate(results, 1):
        if result.result != ItemResult.FAIL or result.hazard_id:
            continue
        choice = choices.get(result.item_id, {})
        fields = hazard_fields_for(inspection, result)
        fields.update({k: v for k, v in choice.items() if k in HAZARD_FIELDS})
        major = fields.get("level") == HazardLevel.MAJOR
        due: dict[str, Any] = {}
        if "on_spot" in choice or not may_order:
            due = {}
        elif "due" in choice:
            due = choice["due"]
        elif major:
            due = {}
        elif deadline or working_days:
            due = {"deadline": deadline, "working_days": working_days}
        else:
            due = {"working_days": DEFAULT_WORKING_DAYS}
        try:
            hazard = _record_hazard(
                actor=actor,
                inspection=inspection,
                result=result,
                number=number,
                fields=fields,
                due=due,
                choice=choice,
            )
        except ValidationError as exc:
            label = _item_label(result, number)
            raise _refused(exc, label, result.item_id if choice else None) from exc
        result.hazard = hazard
        result.save(update_fields=["hazard"])
        hazards.append(hazard)
    _bump(
        inspection,
        expected_version,
        status=InspectionStatus.FINISHED,
        finished_at=timezone.now(),
        unit_signatory=unit_signatory,
        unit_signature=unit_signature.strip(),
        inspector_signature=inspector_signature.strip(),
    )
    after = {**inspection_snapshot(inspection), "hazards": [h.pk for h in hazards]}
    if choices:
        after["hazard_choices"] = {
            str(item_id): {
                k: (v if k != "due" else {dk: str(dv) for dk, dv in v.items()})
                for k, v in choice.items()
            }
            for item_id, choice in choices.items()
        }
    audit_record(
        actor=actor,
        action="inspection.finished",
        obj=inspection,
        before=before,
        after=after,
    )
    return inspection


def may_cancel(user, inspection: Inspection) -> bool:
    """The lead inspector, or the town office, may cancel an inspection in progress."""
    if inspection.is_locked:
        return False
    if getattr(user, "pk", None) == inspection.lead_id:
        return True
    roles = roles_granting(user, INSPECT, inspection)
    return bool(roles & {"town_office", "superuser"})


@transaction.atomic
def inspection_cancel(
    *, actor, inspection_id: int, expected_version: int, reason: str
) -> Inspection:
    """Cancel an inspection in progress (begun by mistake), with a reason. Kept, not deleted."""
    inspection = inspection_get_for(actor, inspection_id, action=INSPECT, lock=True)
    _must_be_open(inspection)
    if not may_cancel(actor, inspection):
        raise ActionNotPermitted(
            _("Only the lead inspector or the town office may cancel this inspection.")
        )
    if inspection.version != expected_version:
        raise StaleObject()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the inspection is cancelled.")})
    before = inspection_snapshot(inspection)
    _bump(inspection, expected_version, status=InspectionStatus.CANCELLED)
    audit_record(
        actor=actor,
        action="inspection.cancelled",
        obj=inspection,
        before=before,
        after=inspection_snapshot(inspection),
        reason=reason,
    )
    return inspection
