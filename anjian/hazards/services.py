"""Every write of the hazard loop. ``hazard_transition`` is the only writer of ``status``.

Each service runs in one transaction, re-reads its target through the scoped queryset for the
action's permission (404 outside the scope), checks the transition table and its guards, writes
with compare-and-set on ``version`` (a concurrent change raises ``StaleObject``: 409, "reload"),
appends one timeline event (``HazardEvent``) and one audit record, and defers notifications to
``transaction.on_commit``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record, snapshot
from anjian.core.calendar import WorkingCalendar
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.validators import validate_mobile
from anjian.hazards.access import (
    RECORD,
    VIEW,
    hazard_get_for,
    roles_granting,
    roles_granting_unit,
)
from anjian.hazards.choices import (
    DeadlineMode,
    ExtensionStatus,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    HazardType,
    PhotoKind,
    ResumptionDecision,
)
from anjian.hazards.effects import FIELD_EFFECTS, ROW_EFFECTS
from anjian.hazards.models import (
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardSubGrade,
    unit_region_paths,
)
from anjian.hazards.photos import attach_photos, check_photo_count
from anjian.hazards.workflow import (
    HAZARD_FIELDS,
    TRANSITIONS,
    EditFacts,
    Facts,
    Transition,
    edit_refusals,
    guard_errors,
    hazard_editable_fields,
    order_issued,
)
from anjian.units.models import Unit
from anjian.units.services import unit_refresh_register

MAX_WORKING_DAYS_DEADLINE = 365

AUDIT_FIELDS = [
    *HAZARD_FIELDS,
    "unit",
    "status",
    "version",
    "deadline",
    "original_deadline",
    "deadline_mode",
    "deadline_working_days",
    "closed_on_spot",
    "spot_rechecked",
    "cancelled_reason",
    "duplicate_of",
    "interim_withdrawal",
    "interim_suspension",
    "interim_warning_signs",
    "interim_note",
    "listing_level",
]


def hazard_snapshot(hazard: Hazard) -> dict[str, Any]:
    return snapshot(hazard, AUDIT_FIELDS)


# --- Deadlines ------------------------------------------------------------------------------------


def resolve_deadline(
    data: Mapping[str, Any], *, start: datetime.date, calendar: WorkingCalendar | None = None
) -> tuple[datetime.date | None, str, int | None, list[str]]:
    """(deadline, mode, working days, warnings) from ``deadline`` or ``working_days`` in ``data``.

    Working days are counted after ``start`` with the Chinese calendar (public holidays off,
    make-up working days on); a year nobody entered gives a warning, not an error.
    """
    working_days = data.get("working_days")
    if working_days not in (None, ""):
        try:
            n = int(working_days)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                {"working_days": _("Give a whole number of working days.")}
            ) from exc
        if not 1 <= n <= MAX_WORKING_DAYS_DEADLINE:
            raise ValidationError({"working_days": _("Give between 1 and 365 working days.")})
        result = (calendar or WorkingCalendar()).add_working_days(start, n)
        return result.date, DeadlineMode.WORKING_DAYS, n, result.warnings
    deadline = data.get("deadline")
    if deadline in (None, ""):
        return None, DeadlineMode.CALENDAR, None, []
    if isinstance(deadline, str):
        try:
            deadline = datetime.date.fromisoformat(deadline)
        except ValueError as exc:
            raise ValidationError({"deadline": _("Give the deadline as a date.")}) from exc
    return deadline, DeadlineMode.CALENDAR, None, []


# --- Recording a hazard -----------------------------------------------------------------------


def _clean_fields(fields: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    errors: dict[str, str] = {}
    data = dict(fields)
    for key in ("location", "description"):
        if key in data or not partial:
            data[key] = str(data.get(key) or "").strip()
            if not data[key]:
                errors[key] = (
                    _("Say where the hazard is.")
                    if key == "location"
                    else _("Describe the hazard.")
                )
    choices = {
        "hazard_type": (HazardType, _("Choose the type of hazard.")),
        "category": (HazardCategory, _("Choose the category of the hazard.")),
        "level": (HazardLevel, _("Choose the level: ordinary or major.")),
        "source": (HazardSource, _("Choose how the hazard was found.")),
    }
    for key, (enum, message) in choices.items():
        if (key in data or not partial) and data.get(key) not in enum.values:
            errors[key] = message
    sub_grade = data.get("sub_grade")
    if sub_grade not in (None, ""):
        if not isinstance(sub_grade, HazardSubGrade):
            sub_grade = HazardSubGrade.objects.filter(pk=sub_grade, is_active=True).first()
        if sub_grade is None:
            errors["sub_grade"] = _("Choose a sub-grade that is in use.")
        elif data.get("level") and sub_grade.level != data.get("level"):
            errors["sub_grade"] = _("The sub-grade belongs to the other level.")
        data["sub_grade"] = sub_grade
    elif "sub_grade" in data:
        data["sub_grade"] = None
    mobile = data.get("responsible_mobile")
    if mobile:
        try:
            data["responsible_mobile"] = validate_mobile(mobile)
        except ValidationError as exc:
            errors["responsible_mobile"] = exc.messages[0]
    funds = data.get("funds")
    if funds not in (None, ""):
        try:
            data["funds"] = Decimal(str(funds))
            if data["funds"] < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["funds"] = _("Give the funds as an amount in yuan, not negative.")
    elif "funds" in data:
        data["funds"] = None
    found_at = data.get("found_at")
    if found_at and found_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["found_at"] = _("The time found cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    return data


def _check_sub_grade_town(data: Mapping[str, Any], unit_path: str) -> None:
    """A sub-grade is the shared vocabulary's or the unit's town's own (``regions.shared``)."""
    sub_grade = data.get("sub_grade")
    if (
        sub_grade is not None
        and sub_grade.town_id
        and not unit_path.startswith(sub_grade.town.path)
    ):
        raise ValidationError({"sub_grade": _("Choose a sub-grade that is in use.")})


def _event(hazard, *, type: str, actor, from_status="", to_status="", note="", data=None):
    return HazardEvent.objects.create(
        hazard=hazard,
        type=type,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status,
        to_status=to_status,
        note=note or "",
        data=data or {},
    )


def hazard_link(hazard: Hazard) -> str:
    return reverse("hazards:hazard_detail", args=[hazard.pk])


def _after_commit(fn, *args, **kwargs) -> None:
    transaction.on_commit(lambda: fn(*args, **kwargs))


def hazards_lock_of_unit(unit_id: int) -> None:
    """Lock the hazards of a unit that is about to move, before the unit's own row: the order in
    which a hazard's transition takes them (the hazard, then the unit when it is regraded), so that
    a move and a transition cannot deadlock."""
    list(Hazard.objects.select_for_update(no_key=True).filter(unit_id=unit_id).values_list("pk"))


def hazards_follow_unit(unit_id: int) -> int:
    """After a unit moved to another village (``units.services.unit_update``, in its transaction,
    the unit's row locked): its hazards take the new village's path, which scopes them. Derived, not
    audited (the unit's move is). Returns how many hazards changed."""
    path = unit_region_paths([unit_id])[unit_id]
    return Hazard.objects.filter(unit_id=unit_id).exclude(region_path=path).update(region_path=path)


def _regrade_unit(unit_id: int) -> None:
    """The unit's suggested grade counts its hazards of the last twelve months. Called before
    ``audit_record``: the unit's row is locked before the audit chain's head, in the order
    ``unit_update`` takes them, so that the two cannot deadlock on PostgreSQL."""
    unit_refresh_register(unit_ids=[unit_id])


@transaction.atomic
def hazard_create(
    *,
    actor,
    unit_id: int,
    photos: Sequence = (),
    deadline: datetime.date | str | None = None,
    working_days: int | None = None,
    tip_off=None,
    duplicate_of_id: int | None = None,
    **fields: Any,
) -> Hazard:
    """Record a hazard at a unit the actor may record for. With a deadline (and the right to
    order), rectification is ordered at once: the hazard starts "under rectification".

    A major hazard is reported at once to the town office and the leaders (Order 16 Art 14).
    """
    unknown = set(fields) - set(HAZARD_FIELDS)
    if unknown:
        raise TypeError(f"hazard_create() got unknown fields: {sorted(unknown)}")
    # The unit's row is locked while its hazard is written: a move of the unit to another village
    # (``hazards_follow_unit``) waits, and then finds this hazard, or ran first and its village is
    # the one read here. The lock is taken by key alone and the unit read through the scope after
    # it: a lock taken through the scope's join to the village would, when the move committed
    # while it waited, recheck the moved row against the old village and find no unit at all.
    Unit.objects.select_for_update(no_key=True).filter(pk=unit_id).values_list("pk").first()
    unit = (
        Unit.objects.for_action(actor, RECORD).select_related("region").filter(pk=unit_id).first()
    )
    if unit is None:
        raise Http404
    fields.setdefault("found_at", timezone.now())
    data = _clean_fields(fields)
    _check_sub_grade_town(data, unit.region.path)
    record_roles = roles_granting_unit(actor, RECORD, unit)
    if (
        record_roles
        and record_roles <= {"enterprise"}
        and data["source"] != HazardSource.SELF_CHECK
    ):
        raise ValidationError(
            {"source": _("An enterprise records the hazards of its own self-checks.")}
        )
    check_photo_count(photos)
    today = timezone.localdate()
    due, mode, n, warnings = resolve_deadline(
        {"deadline": deadline, "working_days": working_days}, start=today
    )
    if due is not None and due < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if (
        due is not None
        and not Unit.objects.for_action(actor, "hazards.order").filter(pk=unit.pk).exists()
    ):
        raise ValidationError(
            {
                "deadline": _(
                    "You may record the hazard, but the deadline is set by the town office, an "
                    "inspector or the unit's expert: leave it empty."
                )
            }
        )
    hazard = Hazard(
        unit=unit,
        region_path=unit.region.path,
        reported_by=actor if getattr(actor, "pk", None) else None,
        found_by=actor if getattr(actor, "pk", None) and not data.get("found_by_name") else None,
        tip_off=tip_off,
        **data,
    )
    if duplicate_of_id:
        hazard.duplicate_of = Hazard.objects.visible_to(actor).filter(pk=duplicate_of_id).first()
    hazard.status_changed_at = timezone.now()
    hazard.save()
    created = attach_photos(hazard, photos, kind=PhotoKind.BEFORE, actor=actor)
    _event(
        hazard,
        type="hazard.recorded",
        actor=actor,
        to_status=HazardStatus.FOUND,
        data={"photos": [p.pk for p in created], "warnings": warnings},
    )
    _regrade_unit(unit.pk)
    audit_record(actor=actor, action="hazard.recorded", obj=hazard, after=hazard_snapshot(hazard))
    if hazard.is_major:
        _event(hazard, type="hazard.major_reported", actor=actor)
        from anjian.hazards.notifications import notify_major_hazard

        _after_commit(notify_major_hazard, hazard_id=hazard.pk)
    if due is not None:
        hazard = hazard_transition(
            actor=actor,
            hazard_id=hazard.pk,
            action="order",
            expected_version=hazard.version,
            data={"deadline": due, "mode": mode, "working_days": n},
        )
    return hazard


CORRECT = "hazards.correct"
ORDER_DOCUMENT = "rectification_order"  # enforcement.DocumentType.RECTIFICATION_ORDER


def hazard_edit_facts(user, hazard: Hazard) -> EditFacts:
    """What ``workflow.edit_refusals`` needs to know about ``user`` and ``hazard``."""
    return EditFacts(
        actor_id=getattr(user, "pk", None),
        roles=roles_granting(user, RECORD, hazard) | roles_granting(user, CORRECT, hazard),
        order_document=hazard.documents.filter(doc_type=ORDER_DOCUMENT).exists(),
    )


def hazard_field_refusals(user, hazard: Hazard) -> dict[str, str]:
    """Field → why ``user`` may not correct it now (the page shows these fields read-only)."""
    return edit_refusals(hazard, hazard_edit_facts(user, hazard))


def hazard_editable_fields_for(user, hazard: Hazard) -> frozenset[str]:
    """The facts ``user`` may correct on ``hazard`` now (``workflow.hazard_editable_fields``)."""
    return hazard_editable_fields(hazard, hazard_edit_facts(user, hazard))


def _field_label(name: str) -> str:
    return str(Hazard._meta.get_field(name).verbose_name)


@transaction.atomic
def hazard_update(
    *, actor, hazard_id: int, expected_version: int, reason: str = "", **fields: Any
) -> Hazard:
    """Correct the facts of an open hazard (not its state), compare-and-set on ``version``.

    Only the facts that change are judged, by ``workflow.edit_refusals``: a refused one is named
    in the error. Every correction gives its reason; it is kept on the timeline event and in the
    audit record, and a correction of someone else's record or after the order is marked so.
    """
    unknown = set(fields) - set(HAZARD_FIELDS)
    if unknown:
        raise TypeError(f"hazard_update() got unknown fields: {sorted(unknown)}")
    hazard = hazard_get_for(actor, hazard_id, action=RECORD)
    if not hazard.is_open:
        raise InvalidTransition(hazard.get_status_display(), _("edit"))
    if hazard.version != expected_version:  # an outdated page is told to reload first
        raise StaleObject()
    data = _clean_fields({**fields, "level": fields.get("level", hazard.level)}, partial=True)
    data = {k: v for k, v in data.items() if k in fields or k == "level"}
    _check_sub_grade_town(data, hazard.region_path)
    current = {name: getattr(hazard, name) for name in data}
    changed = {k: v for k, v in data.items() if v != current[k]}
    if not changed:
        return hazard
    facts = hazard_edit_facts(actor, hazard)
    refusals = edit_refusals(hazard, facts)
    errors = {
        name: _("“%(field)s” cannot be changed: %(reason)s")
        % {"field": _field_label(name), "reason": refusals[name]}
        for name in changed
        if name in refusals
    }
    if errors:
        if set(refusals) >= set(HAZARD_FIELDS):  # nothing at all: not theirs to correct
            raise ActionNotPermitted(next(iter(errors.values())))
        raise ValidationError(errors)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    before = hazard_snapshot(hazard)
    n = Hazard.objects.filter(pk=hazard.pk, version=expected_version).update(
        **changed, version=F("version") + 1
    )
    if n != 1:
        raise StaleObject()
    hazard.refresh_from_db()
    after = hazard_snapshot(hazard)
    own = facts.actor_id is not None and facts.actor_id in (
        hazard.reported_by_id,
        hazard.found_by_id,
    )
    after_order = order_issued(hazard, facts)
    _event(
        hazard,
        type="hazard.edited",
        actor=actor,
        note=reason,
        data={
            "fields": sorted(changed),
            "correction": after_order or not own,
            "after_order": after_order,
            "changes": {k: [str(before[k] or ""), str(after[k] or "")] for k in sorted(changed)},
        },
    )
    if before["level"] != after["level"] or before["found_at"] != after["found_at"]:
        _regrade_unit(hazard.unit_id)
    audit_record(
        actor=actor, action="hazard.edited", obj=hazard, before=before, after=after, reason=reason
    )
    if before["level"] != HazardLevel.MAJOR and hazard.is_major:
        _event(hazard, type="hazard.major_reported", actor=actor)
        from anjian.hazards.notifications import notify_major_hazard

        _after_commit(notify_major_hazard, hazard_id=hazard.pk)
    return hazard


# --- The transition service -------------------------------------------------------------------


# A request to downgrade is pending while it is the latest of these events.
DOWNGRADE_EVENTS = (
    "hazard.request_downgrade",
    "hazard.approve_downgrade",
    "hazard.refuse_downgrade",
)


def _facts(hazard: Hazard, t: Transition, actor, *, photo_count: int = 0) -> Facts:
    plan = hazard.plans.order_by("-submitted_at", "-pk").first()
    assessment = hazard.assessments.order_by("-recorded_at", "-pk").first()
    resumption = hazard.resumptions.order_by("-applied_at", "-pk").first()
    report = hazard.reports.order_by("-round").first()
    downgrade = (
        hazard.events.filter(type__in=DOWNGRADE_EVENTS)
        .order_by("-at", "-pk")
        .values("type")
        .first()
    )
    return Facts(
        actor_id=getattr(actor, "pk", None),
        actor_roles=roles_granting(actor, t.permission, hazard),
        today=timezone.localdate(),
        pending_extension=hazard.extensions.filter(status=ExtensionStatus.PENDING).exists(),
        plan_status=plan.status if plan else None,
        assessment_passed=bool(assessment and assessment.conclusion == "passed"),
        pending_resumption=bool(resumption and resumption.decision == ResumptionDecision.PENDING),
        resumption_approved=bool(resumption and resumption.decision == ResumptionDecision.APPROVED),
        last_submitter_id=report.submitted_by_id if report else None,
        photo_count=photo_count,
        pending_downgrade=bool(downgrade and downgrade["type"] == "hazard.request_downgrade"),
    )


def hazard_actions_for(user, hazard: Hazard) -> list[Transition]:
    """The buttons ``user`` sees on ``hazard``: allowed from its state, by the role matrix in
    the user's scope, and by the guards that do not depend on what is typed."""
    import dataclasses

    from anjian.hazards.workflow import transitions_from

    result = []
    base: Facts | None = None  # the hazard's facts are read once; only the roles differ
    for t in transitions_from(hazard.status, major=hazard.is_major):
        roles = roles_granting(user, t.permission, hazard)
        if not roles:
            continue
        if base is None:
            base = _facts(hazard, t, user)
        if not guard_errors(hazard, t, dataclasses.replace(base, actor_roles=roles), None):
            result.append(t)
    return result


@transaction.atomic
def hazard_transition(
    *,
    actor,
    hazard_id: int,
    action: str,
    expected_version: int,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    photos: Sequence = (),
) -> Hazard:
    """Make ``action`` happen to the hazard, or refuse it and change nothing.

    ``data`` carries what the action needs: ``deadline`` or ``working_days``;
    ``description``/``cost``/``pairs`` (after-photo index → before-photo id) for a report;
    ``requested_deadline``/``granted_deadline``; the plan's six parts; interim measures;
    the assessment; ``duplicate_of`` for a cancellation.
    """
    t = TRANSITIONS.get(action)
    if t is None:
        raise InvalidTransition("?", action, _("Unknown action “%(action)s”.") % {"action": action})
    hazard = hazard_get_for(actor, hazard_id, action=VIEW)
    if not roles_granting(actor, t.permission, hazard):
        raise ActionNotPermitted()
    # Judged before the state: whoever acted on an outdated page is told to reload, not that
    # the action no longer fits a state they have not seen.
    if hazard.version != expected_version:
        raise StaleObject()
    if hazard.status not in t.sources or (t.major_only and not hazard.is_major):
        raise InvalidTransition(
            hazard.get_status_display(),
            str(t.label),
            _("“%(action)s” is not possible while the hazard is “%(state)s”.")
            % {"action": t.label, "state": hazard.get_status_display()},
        )
    data = dict(data or {})
    data["note"] = (note or data.get("note") or "").strip()
    today = timezone.localdate()
    if t.needs_deadline or action == "order":
        due, mode, n, warnings = resolve_deadline(data, start=today)
        data.update(deadline=due, mode=mode, working_days=n, warnings=warnings)
    for key in ("requested_deadline", "granted_deadline"):
        if isinstance(data.get(key), str) and data[key]:
            try:
                data[key] = datetime.date.fromisoformat(data[key])
            except ValueError as exc:
                raise ValidationError({key: _("Give the deadline as a date.")}) from exc
    facts = _facts(hazard, t, actor, photo_count=len(photos))
    errors = guard_errors(hazard, t, facts, data)
    if errors:
        raise ValidationError(errors)
    if action == "rectify_on_spot":
        check_photo_count(photos, 0)
    before = hazard_snapshot(hazard)
    now = timezone.now()
    target = t.target_for(hazard.status)
    values: dict[str, Any] = {}
    if target != hazard.status:
        values["status"] = target
        values["status_changed_at"] = now
    event_data: dict[str, Any] = {}
    effect = FIELD_EFFECTS.get(action)
    if effect is not None:
        values.update(effect(hazard, actor=actor, data=data, now=now, event_data=event_data))
    n = Hazard.objects.filter(pk=hazard.pk, status=hazard.status, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if n != 1:
        raise StaleObject()
    hazard.refresh_from_db()
    after_effect = ROW_EFFECTS.get(action)
    if after_effect is not None:
        after_effect(hazard, actor=actor, data=data, now=now, photos=photos, event_data=event_data)
    event = _event(
        hazard,
        type=f"hazard.{action}",
        actor=actor,
        from_status=before["status"],
        to_status=hazard.status,
        note=data["note"],
        data=event_data,
    )
    # A hazard entered in error, or downgraded, weighs differently on the unit's grade.
    if action in ("cancel", "approve_downgrade"):
        _regrade_unit(hazard.unit_id)
    audit_record(
        actor=actor,
        action=f"hazard.{action}",
        obj=hazard,
        before=before,
        after=hazard_snapshot(hazard),
        reason=data["note"],
    )
    from anjian.hazards.notifications import notify_hazard_event

    _after_commit(notify_hazard_event, event_id=event.pk)
    return hazard


def hazard_add_photos(
    *, actor, hazard_id: int, photos: Iterable, caption: str = ""
) -> list[HazardPhoto]:
    """Add photos as found to an open hazard (at most 9 in all)."""
    with transaction.atomic():
        hazard = hazard_get_for(actor, hazard_id, action=RECORD)
        if not hazard.is_open:
            raise InvalidTransition(hazard.get_status_display(), _("add photos"))
        photos = list(photos)
        check_photo_count(photos, hazard.photos.filter(kind=PhotoKind.BEFORE).count())
        created = attach_photos(hazard, photos, kind=PhotoKind.BEFORE, actor=actor)
        _event(
            hazard,
            type="hazard.photos_added",
            actor=actor,
            data={"photos": [p.pk for p in created]},
        )
        audit_record(
            actor=actor,
            action="hazard.photos_added",
            obj=hazard,
            changes={"photos": [p.sha256 for p in created]},
        )
        return created
