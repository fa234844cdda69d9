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

from anjian.accounts.permissions import roles_for
from anjian.accounts.scope import get_user_scope
from anjian.audit.services import audit_record, snapshot
from anjian.core.calendar import WorkingCalendar
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.validators import validate_mobile
from anjian.hazards.choices import (
    DeadlineMode,
    ExtensionStatus,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    HazardType,
    ListingLevel,
    PhotoKind,
    PlanStatus,
    ReportOutcome,
    ResumptionDecision,
)
from anjian.hazards.models import (
    MAX_HAZARD_PHOTOS,
    ExtensionRequest,
    GovernancePlan,
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardSubGrade,
    MajorAssessment,
    RectificationReport,
    ResumptionApplication,
)
from anjian.hazards.photos import photo_fields, photo_process
from anjian.hazards.workflow import TRANSITIONS, Facts, Transition, guard_errors
from anjian.units.models import Unit
from anjian.units.services import unit_refresh_register

VIEW = "hazards.view"
RECORD = "hazards.record"
MAX_WORKING_DAYS_DEADLINE = 365

# The fields a person types when recording a hazard (and may correct while it is open).
HAZARD_FIELDS = (
    "location",
    "description",
    "hazard_type",
    "category",
    "level",
    "sub_grade",
    "legal_basis",
    "source",
    "found_at",
    "found_by_name",
    "requirement",
    "responsible_person",
    "responsible_mobile",
    "measures",
    "funds",
    "acceptance_criterion",
)
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


# --- Scope helpers ------------------------------------------------------------------------------


def hazard_get_for(user, hazard_id: int, *, action: str = VIEW) -> Hazard:
    """The hazard if ``user`` may do ``action`` to it; 404 otherwise (existence is not revealed)."""
    hazard = (
        Hazard.objects.for_action(user, action)
        .select_related("unit__region__parent", "sub_grade", "found_by", "reported_by")
        .filter(pk=hazard_id)
        .first()
    )
    if hazard is None:
        raise Http404
    return hazard


def roles_granting(user, permission: str, hazard: Hazard) -> frozenset[str]:
    """The actor's roles whose assignment grants ``permission`` on this hazard's unit."""
    scope = get_user_scope(user)
    if scope.is_superuser:
        return frozenset({"superuser"})
    allowed = roles_for(permission)
    unit = hazard.unit
    path = unit.region.path if unit.region_id else ""
    granted = set()
    for g in scope.grants:
        if g.role not in allowed:
            continue
        if (
            (g.region_path and path.startswith(g.region_path))
            or (g.unit_id and g.unit_id == unit.pk)
            or (g.committee_id and g.committee_id == unit.committee_id)
        ):
            granted.add(g.role)
    return frozenset(granted)


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


def _check_photo_count(photos: Sequence, already: int = 0, field: str = "photos") -> None:
    if len(photos) + already > MAX_HAZARD_PHOTOS:
        raise ValidationError({field: _("At most 9 photos of the hazard as found may be kept.")})


def _add_photos(hazard, uploads, *, kind, actor, report=None, pairs=None) -> list[HazardPhoto]:
    processed = [photo_process(upload) for upload in uploads]
    photos = []
    for index, item in enumerate(processed):
        pairs_with = (pairs or {}).get(index)
        photo = HazardPhoto(
            hazard=hazard,
            kind=kind,
            report=report,
            pairs_with_id=pairs_with,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            width=item.width,
            height=item.height,
            **photo_fields(item),
        )
        photo.save()
        photos.append(photo)
    return photos


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
    unit = (
        Unit.objects.for_action(actor, RECORD).select_related("region").filter(pk=unit_id).first()
    )
    if unit is None:
        raise Http404
    fields.setdefault("found_at", timezone.now())
    data = _clean_fields(fields)
    _check_photo_count(photos)
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
        reported_by=actor if getattr(actor, "pk", None) else None,
        found_by=actor if getattr(actor, "pk", None) and not data.get("found_by_name") else None,
        tip_off=tip_off,
        **data,
    )
    if duplicate_of_id:
        hazard.duplicate_of = Hazard.objects.visible_to(actor).filter(pk=duplicate_of_id).first()
    hazard.status_changed_at = timezone.now()
    hazard.save()
    created = _add_photos(hazard, photos, kind=PhotoKind.BEFORE, actor=actor)
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


@transaction.atomic
def hazard_update(*, actor, hazard_id: int, expected_version: int, **fields: Any) -> Hazard:
    """Correct the facts of an open hazard (not its state), compare-and-set on ``version``."""
    unknown = set(fields) - set(HAZARD_FIELDS)
    if unknown:
        raise TypeError(f"hazard_update() got unknown fields: {sorted(unknown)}")
    hazard = hazard_get_for(actor, hazard_id, action=RECORD)
    if not hazard.is_open:
        raise InvalidTransition(hazard.get_status_display(), _("edit"))
    if fields.get("level") == HazardLevel.GENERAL and hazard.is_major and hazard.listing_level:
        raise ValidationError({"level": _("A hazard listed for supervision stays major.")})
    data = _clean_fields({**fields, "level": fields.get("level", hazard.level)}, partial=True)
    data = {k: v for k, v in data.items() if k in fields or k == "level"}
    before = hazard_snapshot(hazard)
    n = Hazard.objects.filter(pk=hazard.pk, version=expected_version).update(
        **data, version=F("version") + 1
    )
    if n != 1:
        raise StaleObject()
    hazard.refresh_from_db()
    after = hazard_snapshot(hazard)
    _event(hazard, type="hazard.edited", actor=actor, data={"fields": sorted(data)})
    if before["level"] != after["level"] or before["found_at"] != after["found_at"]:
        _regrade_unit(hazard.unit_id)
    audit_record(actor=actor, action="hazard.edited", obj=hazard, before=before, after=after)
    if before["level"] != HazardLevel.MAJOR and hazard.is_major:
        _event(hazard, type="hazard.major_reported", actor=actor)
        from anjian.hazards.notifications import notify_major_hazard

        _after_commit(notify_major_hazard, hazard_id=hazard.pk)
    return hazard


# --- The transition service -------------------------------------------------------------------


def _facts(hazard: Hazard, t: Transition, actor, *, photo_count: int = 0) -> Facts:
    plan = hazard.plans.order_by("-submitted_at", "-pk").first()
    assessment = hazard.assessments.order_by("-recorded_at", "-pk").first()
    resumption = hazard.resumptions.order_by("-applied_at", "-pk").first()
    report = hazard.reports.order_by("-round").first()
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
        _check_photo_count(photos, 0)
    before = hazard_snapshot(hazard)
    now = timezone.now()
    target = t.target_for(hazard.status)
    values: dict[str, Any] = {}
    if target != hazard.status:
        values["status"] = target
        values["status_changed_at"] = now
    event_data: dict[str, Any] = {}
    effect = _EFFECTS.get(action)
    if effect is not None:
        values.update(effect(hazard, actor=actor, data=data, now=now, event_data=event_data))
    n = Hazard.objects.filter(pk=hazard.pk, status=hazard.status, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if n != 1:
        raise StaleObject()
    hazard.refresh_from_db()
    after_effect = _AFTER.get(action)
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
    if action == "cancel":  # a hazard entered in error no longer weighs on the unit's grade
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


# --- What each action writes (before the compare-and-set: field values; after: related rows) ----


def _order(hazard, *, actor, data, now, event_data):
    event_data.update(deadline=data["deadline"].isoformat(), warnings=data.get("warnings", []))
    values = {
        "deadline": data["deadline"],
        "deadline_mode": data.get("mode") or DeadlineMode.CALENDAR,
        "deadline_working_days": data.get("working_days"),
        "ordered_at": now,
        "ordered_by": actor if getattr(actor, "pk", None) else None,
    }
    if hazard.original_deadline is None:
        values["original_deadline"] = data["deadline"]
    return values


def _new_deadline(hazard, *, actor, data, now, event_data):
    event_data.update(
        deadline=data["deadline"].isoformat(),
        previous_deadline=hazard.deadline.isoformat() if hazard.deadline else None,
        warnings=data.get("warnings", []),
    )
    values = {
        "deadline": data["deadline"],
        "deadline_mode": data.get("mode") or DeadlineMode.CALENDAR,
        "deadline_working_days": data.get("working_days"),
    }
    if hazard.original_deadline is None:
        values["original_deadline"] = data["deadline"]
    return values


def _close(hazard, *, actor, data, now, event_data):
    return {"closed_at": now, "closed_by": actor if getattr(actor, "pk", None) else None}


def _rectify_on_spot(hazard, *, actor, data, now, event_data):
    return {
        **_close(hazard, actor=actor, data=data, now=now, event_data=event_data),
        "closed_on_spot": True,
    }


def _submitted(hazard, *, actor, data, now, event_data):
    return {"submitted_by": actor if getattr(actor, "pk", None) else None}


def _reopen(hazard, *, actor, data, now, event_data):
    values = _new_deadline(hazard, actor=actor, data=data, now=now, event_data=event_data)
    return {
        **values,
        "closed_at": None,
        "closed_by": None,
        "closed_on_spot": False,
        "spot_rechecked": False,
    }


def _spot_reject(hazard, *, actor, data, now, event_data):
    return _reopen(hazard, actor=actor, data=data, now=now, event_data=event_data)


def _cancel(hazard, *, actor, data, now, event_data):
    values: dict[str, Any] = {"cancelled_reason": data["note"]}
    duplicate_of = data.get("duplicate_of")
    if duplicate_of:
        original = (
            Hazard.objects.visible_to(actor).filter(pk=duplicate_of).exclude(pk=hazard.pk).first()
        )
        if original is None:
            raise ValidationError({"duplicate_of": _("The hazard it duplicates was not found.")})
        values["duplicate_of"] = original
        event_data["duplicate_of"] = original.pk
    return values


def _approve_extension(hazard, *, actor, data, now, event_data):
    request = hazard.extensions.get(status=ExtensionStatus.PENDING)
    granted = data.get("granted_deadline") or request.requested_deadline
    data["granted"] = granted
    event_data.update(previous_deadline=hazard.deadline.isoformat(), deadline=granted.isoformat())
    values = {
        "deadline": granted,
        "deadline_mode": DeadlineMode.CALENDAR,
        "deadline_working_days": None,
    }
    if hazard.original_deadline is None:
        values["original_deadline"] = hazard.deadline
    return values


def _interim(hazard, *, actor, data, now, event_data):
    values = {
        "interim_withdrawal": bool(data.get("withdrawal")),
        "interim_suspension": bool(data.get("suspension")),
        "interim_warning_signs": bool(data.get("warning_signs")),
        "interim_note": str(data.get("interim_note") or "").strip(),
    }
    event_data.update({k: v for k, v in values.items()})
    return values


def _listing(hazard, *, actor, data, now, event_data):
    roles = roles_granting(actor, "hazards.list", hazard)
    level = ListingLevel.DISTRICT if "district" in roles else ListingLevel.TOWN
    event_data["level"] = level
    return {
        "listing_level": level,
        "listed_at": now,
        "listed_by": actor if getattr(actor, "pk", None) else None,
    }


_EFFECTS = {
    "order": _order,
    "rectify_on_spot": _rectify_on_spot,
    "submit": _submitted,
    "pass": _close,
    "approve_closure": _close,
    "fail": _new_deadline,
    "spot_confirm": lambda hazard, **kw: {"spot_rechecked": True},
    "spot_reject": _spot_reject,
    "approve_extension": _approve_extension,
    "cancel": _cancel,
    "reopen": _reopen,
    "set_interim_measures": _interim,
    "list_for_supervision": _listing,
}


def _decimal(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Give an amount in yuan.")}) from exc
    if amount < 0:
        raise ValidationError({field: _("Give an amount in yuan.")})
    return amount


def _report(hazard, *, actor, data, now, photos, event_data, on_spot=False):
    last = hazard.reports.order_by("-round").first()
    report = RectificationReport.objects.create(
        hazard=hazard,
        round=(last.round + 1) if last else 1,
        description=str(data.get("description") or "").strip(),
        cost=_decimal(data.get("cost"), "cost"),
        on_spot=on_spot,
        submitted_by=actor if getattr(actor, "pk", None) else None,
        submitted_at=now,
        outcome=ReportOutcome.PASSED if on_spot else ReportOutcome.PENDING,
    )
    befores = set(hazard.photos.filter(kind=PhotoKind.BEFORE).values_list("pk", flat=True))
    pairs = {}
    for index, before_id in (data.get("pairs") or {}).items():
        try:
            index, before_id = int(index), int(before_id)
        except (TypeError, ValueError) as exc:
            raise ValidationError({"pairs": _("Pair each photo with a photo as found.")}) from exc
        if before_id not in befores or not 0 <= index < len(photos):
            raise ValidationError(
                {"pairs": _("Pair each photo with a photo of this hazard as found.")}
            )
        pairs[index] = before_id
    created = _add_photos(
        hazard, photos, kind=PhotoKind.AFTER, actor=actor, report=report, pairs=pairs
    )
    event_data.update(report=report.pk, round=report.round, photos=[p.pk for p in created])


def _recheck(outcome):
    def effect(hazard, *, actor, data, now, photos, event_data):
        report = hazard.reports.filter(outcome=ReportOutcome.PENDING).order_by("-round").first()
        if report is None:  # pragma: no cover - submit always leaves one pending
            return
        report.outcome = outcome
        report.rechecked_by = actor if getattr(actor, "pk", None) else None
        report.rechecked_at = now
        report.recheck_note = data["note"]
        report.save(update_fields=["outcome", "rechecked_by", "rechecked_at", "recheck_note"])
        event_data["report"] = report.pk
        if photos:
            created = _add_photos(
                hazard, photos, kind=PhotoKind.EVIDENCE, actor=actor, report=report
            )
            event_data["photos"] = [p.pk for p in created]

    return effect


def _spot_recheck(outcome):
    """The re-check of an on-the-spot rectification is written on its report, like any other."""

    def effect(hazard, *, actor, data, now, photos, event_data):
        report = hazard.reports.filter(on_spot=True).order_by("-round").first()
        if report is None:  # pragma: no cover - the guard asks for an on-the-spot closure
            return
        report.outcome = outcome
        report.rechecked_by = actor if getattr(actor, "pk", None) else None
        report.rechecked_at = now
        report.recheck_note = data["note"]
        report.save(update_fields=["outcome", "rechecked_by", "rechecked_at", "recheck_note"])
        event_data["report"] = report.pk

    return effect


def _withdraw_pending_report(hazard, *, actor, data, now, photos, event_data):
    """A cancelled hazard leaves nothing awaiting a decision: its pending report is withdrawn and
    its pending extension, governance plan and resumption application are closed with the reason."""
    decided = {
        "decided_by": actor if getattr(actor, "pk", None) else None,
        "decided_at": now,
        "decision_note": data["note"],
    }
    hazard.reports.filter(outcome=ReportOutcome.PENDING).update(outcome=ReportOutcome.WITHDRAWN)
    hazard.extensions.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.REJECTED, **decided
    )
    hazard.plans.filter(status=PlanStatus.SUBMITTED).update(status=PlanStatus.REJECTED, **decided)
    hazard.resumptions.filter(decision=ResumptionDecision.PENDING).update(
        decision=ResumptionDecision.REJECTED, **decided
    )


def _extension_request(hazard, *, actor, data, now, photos, event_data):
    request = ExtensionRequest.objects.create(
        hazard=hazard,
        requested_deadline=data["requested_deadline"],
        previous_deadline=hazard.deadline,
        reason=data["note"],
        requested_by=actor if getattr(actor, "pk", None) else None,
        requested_at=now,
    )
    event_data.update(request=request.pk, requested_deadline=data["requested_deadline"].isoformat())


def _extension_decide(status):
    def effect(hazard, *, actor, data, now, photos, event_data):
        request = hazard.extensions.get(status=ExtensionStatus.PENDING)
        request.status = status
        request.decided_by = actor if getattr(actor, "pk", None) else None
        request.decided_at = now
        request.decision_note = data["note"]
        if status == ExtensionStatus.APPROVED:
            request.granted_deadline = data.get("granted")
        request.save()
        event_data["request"] = request.pk

    return effect


PLAN_FIELDS = ("goals", "methods", "funds_materials", "organisation", "safety_measures")


def _plan_submit(hazard, *, actor, data, now, photos, event_data):
    errors = {
        key: _("This part of the governance plan is required.")
        for key in (*PLAN_FIELDS, "time_limit")
        if not str(data.get(key) or "").strip()
    }
    time_limit = data.get("time_limit")
    if isinstance(time_limit, str) and time_limit:
        try:
            time_limit = datetime.date.fromisoformat(time_limit)
        except ValueError:
            errors["time_limit"] = _("Give the time limit as a date.")
    if errors:
        raise ValidationError(errors)
    plan = GovernancePlan.objects.create(
        hazard=hazard,
        **{key: str(data[key]).strip() for key in PLAN_FIELDS},
        funds_amount=_decimal(data.get("funds_amount"), "funds_amount"),
        time_limit=time_limit,
        time_requirements=str(data.get("time_requirements") or "").strip(),
        submitted_by=actor if getattr(actor, "pk", None) else None,
        submitted_at=now,
    )
    event_data["plan"] = plan.pk


def _plan_decide(status):
    def effect(hazard, *, actor, data, now, photos, event_data):
        plan = hazard.plans.filter(status=PlanStatus.SUBMITTED).latest("submitted_at")
        plan.status = status
        plan.decided_by = actor if getattr(actor, "pk", None) else None
        plan.decided_at = now
        plan.decision_note = data["note"]
        plan.save()
        event_data["plan"] = plan.pk

    return effect


def _assessment(hazard, *, actor, data, now, photos, event_data):
    errors = {}
    for key, message in (
        ("assessor", _("Say who assessed the remediation.")),
        ("summary", _("Summarise the assessment.")),
    ):
        if not str(data.get(key) or "").strip():
            errors[key] = message
    if data.get("conclusion") not in ("passed", "failed"):
        errors["conclusion"] = _("Choose the conclusion of the assessment.")
    assessed_on = data.get("assessed_on") or timezone.localdate()
    if isinstance(assessed_on, str):
        try:
            assessed_on = datetime.date.fromisoformat(assessed_on)
        except ValueError:
            errors["assessed_on"] = _("Give the date of the assessment.")
    if errors:
        raise ValidationError(errors)
    assessment = MajorAssessment.objects.create(
        hazard=hazard,
        assessor=str(data["assessor"]).strip(),
        assessed_on=assessed_on,
        conclusion=data["conclusion"],
        summary=str(data["summary"]).strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=now,
    )
    event_data.update(assessment=assessment.pk, conclusion=assessment.conclusion)


def _resumption_apply(hazard, *, actor, data, now, photos, event_data):
    application = ResumptionApplication.objects.create(
        hazard=hazard,
        content=data["note"],
        applied_by=actor if getattr(actor, "pk", None) else None,
        applied_at=now,
    )
    event_data["application"] = application.pk


def _resumption_decide(decision):
    def effect(hazard, *, actor, data, now, photos, event_data):
        application = hazard.resumptions.get(decision=ResumptionDecision.PENDING)
        application.decision = decision
        application.decided_by = actor if getattr(actor, "pk", None) else None
        application.decided_at = now
        application.decision_note = data["note"]
        application.save()
        event_data["application"] = application.pk

    return effect


_AFTER = {
    "rectify_on_spot": lambda hazard, **kw: _report(hazard, on_spot=True, **kw),
    "submit": _report,
    "pass": _recheck(ReportOutcome.PASSED),
    "approve_closure": _recheck(ReportOutcome.PASSED),
    "fail": _recheck(ReportOutcome.FAILED),
    "spot_confirm": _spot_recheck(ReportOutcome.PASSED),
    "spot_reject": _spot_recheck(ReportOutcome.FAILED),
    "cancel": _withdraw_pending_report,
    "request_extension": _extension_request,
    "approve_extension": _extension_decide(ExtensionStatus.APPROVED),
    "reject_extension": _extension_decide(ExtensionStatus.REJECTED),
    "submit_plan": _plan_submit,
    "approve_plan": _plan_decide(PlanStatus.APPROVED),
    "reject_plan": _plan_decide(PlanStatus.REJECTED),
    "record_assessment": _assessment,
    "apply_resumption": _resumption_apply,
    "approve_resumption": _resumption_decide(ResumptionDecision.APPROVED),
    "reject_resumption": _resumption_decide(ResumptionDecision.REJECTED),
}


def hazard_add_photos(
    *, actor, hazard_id: int, photos: Iterable, caption: str = ""
) -> list[HazardPhoto]:
    """Add photos as found to an open hazard (at most 9 in all)."""
    with transaction.atomic():
        hazard = hazard_get_for(actor, hazard_id, action=RECORD)
        if not hazard.is_open:
            raise InvalidTransition(hazard.get_status_display(), _("add photos"))
        photos = list(photos)
        _check_photo_count(photos, hazard.photos.filter(kind=PhotoKind.BEFORE).count())
        created = _add_photos(hazard, photos, kind=PhotoKind.BEFORE, actor=actor)
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
