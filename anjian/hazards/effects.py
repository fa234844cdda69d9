"""What each action of the hazard workflow writes, for ``services.hazard_transition``.

``FIELD_EFFECTS[action]`` returns the hazard's field values to set in the same compare-and-set
``UPDATE`` as the new state; ``ROW_EFFECTS[action]`` then writes the related rows (rectification
reports and their photos, extension requests, governance plans, assessments, resumption
applications). Both may add details to ``event_data``, which the timeline event keeps.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.hazards.access import roles_granting
from anjian.hazards.choices import (
    DeadlineMode,
    ExtensionStatus,
    HazardLevel,
    ListingLevel,
    PhotoKind,
    PlanStatus,
    ReportOutcome,
    ResumptionDecision,
)
from anjian.hazards.models import (
    ExtensionRequest,
    GovernancePlan,
    Hazard,
    MajorAssessment,
    RectificationReport,
    ResumptionApplication,
)
from anjian.hazards.photos import attach_photos


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


def _downgrade(hazard, *, actor, data, now, event_data):
    """A leader approved the office's request: the hazard becomes ordinary (its sub-grade, one of
    the major level's, is cleared)."""
    event_data.update(level=[hazard.level, HazardLevel.GENERAL])
    return {"level": HazardLevel.GENERAL, "sub_grade": None}


FIELD_EFFECTS = {
    "approve_downgrade": _downgrade,
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
    created = attach_photos(
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
            created = attach_photos(
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


ROW_EFFECTS = {
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
