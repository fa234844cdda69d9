"""Every write of a campaign: creating and correcting it (compare-and-set on ``version``), closing
it, adding and removing department officers, linking inspections to it and starting a joint
inspection from it.

Each service runs in one transaction, re-reads the campaign through ``Campaign.objects.for_action``
(404 outside the scope), refuses what the status table (``workflow.py``) does not allow and
appends one audit record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record, snapshot
from anjian.campaigns.choices import CampaignCategory, CampaignKind, CampaignStatus, Department
from anjian.campaigns.models import (
    DEPARTMENT_ROLE,
    Campaign,
    CampaignDepartment,
    CampaignInspection,
    CampaignParticipant,
)
from anjian.campaigns.workflow import ACTIONS, Phase, allowed_in
from anjian.core.choices import choice_label
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.scoping import get_scope
from anjian.inspections.choices import InspectionKind, InspectionStatus
from anjian.inspections.models import Inspection
from anjian.regions.models import Region, RegionLevel
from anjian.units.models import Unit, UnitKind

VIEW = "campaigns.view"
MANAGE = "campaigns.manage"
TAKE_PART = "campaigns.take_part"
INSPECTIONS_VIEW = "inspections.view"
INSPECT = "inspections.inspect"

EDITABLE = (
    "name",
    "kind",
    "start_date",
    "end_date",
    "lead_department",
    "departments",
    "categories",
    "description",
)
AUDIT_FIELDS = [
    "region",
    "name",
    "kind",
    "start_date",
    "end_date",
    "lead_department",
    "categories",
    "description",
    "closed_at",
    "version",
]

# The campaign category a unit obviously falls in, by its kind and by its unit categories.
KIND_CATEGORY = {
    UnitKind.STREET_SHOP: CampaignCategory.STREET_SHOP,
    UnitKind.SMALL_VENUE: CampaignCategory.SMALL_VENUE,
    UnitKind.CONSTRUCTION: CampaignCategory.CONSTRUCTION,
    UnitKind.GAS_POINT: CampaignCategory.GAS,
    UnitKind.PETROL_STATION: CampaignCategory.PETROL_STATION,
    UnitKind.HOUSING: CampaignCategory.HOUSING,
    UnitKind.RESERVOIR: CampaignCategory.RESERVOIR,
    UnitKind.FIREWORKS_SHOP: CampaignCategory.FIREWORKS,
}
UNIT_CATEGORY_CODES = {
    "haz-chem-storage": CampaignCategory.HAZ_CHEM,
    "haz-chem-use": CampaignCategory.HAZ_CHEM,
    "fireworks": CampaignCategory.FIREWORKS,
    "fire-key-unit": CampaignCategory.FIRE_KEY,
    "gas": CampaignCategory.GAS,
    "rental-housing": CampaignCategory.HOUSING,
}
MACHINING_WORDS = ("机械", "机加工", "五金", "金属制品", "铸造")


def campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    data = snapshot(campaign, AUDIT_FIELDS)
    if campaign.pk:
        data["departments"] = sorted(
            campaign.joining_departments.values_list("department", flat=True)
        )
    return data


# --- Reading one campaign for an action ------------------------------------------------------------


def campaign_get_for(user, campaign_id: int, *, action: str = VIEW, lock: bool = False) -> Campaign:
    """The campaign if ``user`` may do ``action`` to it; 403 when the user's roles lack the
    action, 404 when the campaign is outside what the user may reach."""
    if action != VIEW and not get_scope(user).can(action):
        raise ActionNotPermitted(_("Your roles do not include this work on campaigns."))
    qs = Campaign.objects.for_action(user, action).select_related("region")
    if lock:
        qs = qs.select_for_update(of=("self",))
    campaign = qs.filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


def _must_allow(campaign: Campaign, action: str) -> None:
    phase = campaign.phase()
    if allowed_in(action, phase):
        return
    if phase == Phase.CLOSED:
        message = _("This campaign is closed: it can no longer change.")
    elif phase == Phase.PLANNED:
        message = _("This campaign has not started yet.")
    else:
        message = _("This campaign's period is over.")
    raise InvalidTransition(choice_label(CampaignStatus, campaign.status_on()), action, message)


def allowed_actions(user, campaign: Campaign) -> list[str]:
    """The actions of the status table ``user`` may take on ``campaign`` now (buttons, API)."""
    scope = get_scope(user)
    phase = campaign.phase()
    names = []
    for name, action in ACTIONS.items():
        if phase not in action.allowed_in or not scope.can(action.permission):
            continue
        if name == "start_inspection" and not scope.can(INSPECT):
            continue
        if name == "link_inspections" and not scope.can(INSPECTIONS_VIEW):
            continue
        names.append(name)
    if not names:
        return names
    reachable = {
        a
        for a in {ACTIONS[n].permission for n in names}
        if Campaign.objects.for_action(user, a).filter(pk=campaign.pk).exists()
    }
    return [n for n in names if ACTIONS[n].permission in reachable]


# --- Validation ---------------------------------------------------------------------------------


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return parse_date(str(value))
    except ValueError:
        return None


def _clean(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Normalised fields and joining departments, or ``ValidationError`` naming every problem."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the campaign a name.")
    elif len(name) > 120:
        errors["name"] = _("At most 120 characters.")
    out["name"] = name
    kind = data.get("kind") or ""
    if kind not in CampaignKind.values:
        errors["kind"] = _("Choose the kind of campaign.")
    out["kind"] = kind
    start, end = _date(data.get("start_date")), _date(data.get("end_date"))
    if start is None:
        errors["start_date"] = _("Give the first day of the campaign.")
    if end is None:
        errors["end_date"] = _("Give the last day of the campaign.")
    if start and end and end < start:
        errors["end_date"] = _("The campaign cannot end before it starts.")
    out["start_date"], out["end_date"] = start, end
    lead = data.get("lead_department") or ""
    if lead not in Department.values:
        errors["lead_department"] = _("Choose the lead department.")
    out["lead_department"] = lead
    departments = list(dict.fromkeys(d for d in (data.get("departments") or []) if d))
    if bad := [d for d in departments if d not in Department.values]:
        errors["departments"] = _("Unknown departments: %(values)s.") % {"values": ", ".join(bad)}
    departments = [d for d in departments if d != lead]
    if kind == CampaignKind.JOINT_ENFORCEMENT and not departments and "departments" not in errors:
        errors["departments"] = _(
            "A joint enforcement action needs at least one department besides the lead."
        )
    categories = list(dict.fromkeys(c for c in (data.get("categories") or []) if c))
    if bad := [c for c in categories if c not in CampaignCategory.values]:
        errors["categories"] = _("Unknown categories: %(values)s.") % {"values": ", ".join(bad)}
    elif not categories:
        errors["categories"] = _("Choose at least one category of units the campaign covers.")
    out["categories"] = [c for c in CampaignCategory.values if c in categories]
    out["description"] = (data.get("description") or "").strip()
    if errors:
        raise ValidationError(errors)
    return out, [d for d in Department.values if d in departments]


def _set_departments(campaign: Campaign, departments: Iterable[str]) -> None:
    wanted = list(departments)
    campaign.joining_departments.exclude(department__in=wanted).delete()
    have = set(campaign.joining_departments.values_list("department", flat=True))
    CampaignDepartment.objects.bulk_create(
        [CampaignDepartment(campaign=campaign, department=d) for d in wanted if d not in have]
    )


def _duplicate(exc: IntegrityError) -> ValidationError:
    return ValidationError(
        {"name": _("This town already has a campaign of this name starting that day.")}
    )


# --- Creating, correcting, closing ---------------------------------------------------------------


@transaction.atomic
def campaign_create(*, actor, region_id: int, **data: Any) -> Campaign:
    """A new campaign of a town the actor manages."""
    if not get_scope(actor).can(MANAGE):
        raise ActionNotPermitted()
    town = (
        Region.objects.for_action(actor, MANAGE)
        .filter(pk=region_id, level=RegionLevel.TOWN)
        .first()
    )
    if town is None:
        raise ValidationError({"region": _("Choose a town you manage.")})
    fields, departments = _clean({k: data.get(k) for k in EDITABLE})
    campaign = Campaign(region=town, created_by=actor, **fields)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError as exc:
        raise _duplicate(exc) from exc
    _set_departments(campaign, departments)
    audit_record(
        actor=actor, action="campaign.created", obj=campaign, after=campaign_snapshot(campaign)
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign_id: int, expected_version: int, **data: Any) -> Campaign:
    """Correct the campaign's facts; fields not given keep their values."""
    campaign = campaign_get_for(actor, campaign_id, action=MANAGE, lock=True)
    if campaign.version != expected_version:
        raise StaleObject()
    _must_allow(campaign, "edit")
    before = campaign_snapshot(campaign)
    current = {k: getattr(campaign, k) for k in EDITABLE if k != "departments"}
    current["departments"] = before["departments"]
    merged = {**current, **{k: v for k, v in data.items() if k in EDITABLE and v is not None}}
    fields, departments = _clean(merged)
    dropped = set(before["departments"]) | {campaign.lead_department}
    dropped -= set(departments) | {fields["lead_department"]}
    if dropped and campaign.participants.filter(department__in=dropped).exists():
        raise ValidationError(
            {
                "departments": _(
                    "Officers of a department you removed still take part: remove them first."
                )
            }
        )
    try:
        with transaction.atomic():
            n = Campaign.objects.filter(pk=campaign.pk, version=expected_version).update(
                **fields, version=F("version") + 1, updated_at=timezone.now()
            )
    except IntegrityError as exc:
        raise _duplicate(exc) from exc
    if n != 1:
        raise StaleObject()
    campaign.refresh_from_db()
    _set_departments(campaign, departments)
    audit_record(
        actor=actor,
        action="campaign.updated",
        obj=campaign,
        before=before,
        after=campaign_snapshot(campaign),
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign_id: int, expected_version: int, reason: str = "") -> Campaign:
    """Close the campaign: its tally is sealed, nothing more is linked to it."""
    campaign = campaign_get_for(actor, campaign_id, action=MANAGE, lock=True)
    if campaign.version != expected_version:
        raise StaleObject()
    _must_allow(campaign, "close")
    before = campaign_snapshot(campaign)
    n = Campaign.objects.filter(
        pk=campaign.pk, version=expected_version, closed_at__isnull=True
    ).update(
        closed_at=timezone.now(),
        closed_by=actor,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if n != 1:
        raise StaleObject()
    campaign.refresh_from_db()
    audit_record(
        actor=actor,
        action="campaign.closed",
        obj=campaign,
        before=before,
        after=campaign_snapshot(campaign),
        reason=(reason or "").strip()[:500],
    )
    return campaign


# --- Department officers -------------------------------------------------------------------------


def department_officers_for(campaign: Campaign):
    """Active users with an active department role in the campaign's town (or above it)."""
    from anjian.accounts.models import RoleAssignment

    path = campaign.region.path
    prefixes = [
        "/" + "/".join(path.strip("/").split("/")[:n]) + "/"
        for n in range(1, len(path.strip("/").split("/")) + 1)
    ]
    assignments = RoleAssignment.objects.filter(
        role=DEPARTMENT_ROLE, is_active=True, user__is_active=True
    ).filter(region__path__in=prefixes) | RoleAssignment.objects.filter(
        role=DEPARTMENT_ROLE,
        is_active=True,
        user__is_active=True,
        region__path__startswith=path,
    )
    return (
        get_user_model()
        .objects.filter(pk__in=assignments.values("user_id"))
        .order_by("name", "username")
    )


@transaction.atomic
def participant_add(
    *, actor, campaign_id: int, user_id: int, department: str
) -> CampaignParticipant:
    """A department officer joins the campaign, for one of its departments."""
    campaign = campaign_get_for(actor, campaign_id, action=MANAGE, lock=True)
    _must_allow(campaign, "manage_participants")
    departments = {campaign.lead_department} | set(
        campaign.joining_departments.values_list("department", flat=True)
    )
    errors: dict[str, str] = {}
    if department not in Department.values:
        errors["department"] = _("Choose the department the officer comes from.")
    elif department not in departments:
        errors["department"] = _("Add this department to the campaign first.")
    user = department_officers_for(campaign).filter(pk=user_id).first()
    if user is None:
        errors["user"] = _("Choose a department officer of this town.")
    if errors:
        raise ValidationError(errors)
    participant, created = CampaignParticipant.objects.get_or_create(
        campaign=campaign, user=user, defaults={"department": department, "added_by": actor}
    )
    if not created and participant.department != department:
        before = participant.department
        participant.department = department
        participant.save(update_fields=["department"])
        audit_record(
            actor=actor,
            action="campaign.participant_changed",
            obj=campaign,
            changes={"user": user.pk, "department": [before, department]},
        )
    elif created:
        audit_record(
            actor=actor,
            action="campaign.participant_added",
            obj=campaign,
            changes={"user": user.pk, "department": department},
        )
    return participant


@transaction.atomic
def participant_remove(*, actor, campaign_id: int, user_id: int) -> None:
    campaign = campaign_get_for(actor, campaign_id, action=MANAGE, lock=True)
    _must_allow(campaign, "manage_participants")
    participant = campaign.participants.filter(user_id=user_id).first()
    if participant is None:
        raise Http404
    participant.delete()
    audit_record(
        actor=actor,
        action="campaign.participant_removed",
        obj=campaign,
        changes={"user": user_id, "department": participant.department},
    )


# --- Inspections ---------------------------------------------------------------------------------


def default_category(campaign: Campaign, unit: Unit) -> str | None:
    """The campaign category the unit obviously counts in, or None when it is not obvious."""
    covered = list(campaign.categories)
    if len(covered) == 1:
        return covered[0]
    found: set[str] = set()
    if unit.kind in KIND_CATEGORY:
        found.add(KIND_CATEGORY[unit.kind])
    codes = {c.code for c in unit.categories.all()}
    found |= {UNIT_CATEGORY_CODES[c] for c in codes if c in UNIT_CATEGORY_CODES}
    if unit.kind == UnitKind.ENTERPRISE and any(
        w in f"{unit.name}{unit.industry_name}" for w in MACHINING_WORDS
    ):
        found.add(CampaignCategory.MACHINING)
    candidates = [c for c in covered if c in found]
    return candidates[0] if len(candidates) == 1 else None


def _category_for(campaign: Campaign, unit: Unit, category: str | None) -> str:
    if category:
        if category not in campaign.categories:
            raise ValidationError(
                {"category": _("Choose one of the categories this campaign covers.")}
            )
        return category
    found = default_category(campaign, unit)
    if found is None:
        raise ValidationError(
            {"category": _("Choose the category of the campaign this unit counts in.")}
        )
    return found


def inspection_candidates(user, campaign: Campaign):
    """Inspections ``user`` may see, made in the campaign's town during its period and not yet
    linked to it (nor cancelled)."""
    return (
        Inspection.objects.for_action(user, INSPECTIONS_VIEW)
        .filter(
            unit__region__path__startswith=campaign.region.path,
            started_at__date__gte=campaign.start_date,
            started_at__date__lte=campaign.end_date,
        )
        .exclude(status=InspectionStatus.CANCELLED)
        .exclude(campaign_links__campaign=campaign)
    )


def _link(actor, campaign: Campaign, inspection: Inspection, category: str | None):
    unit = Unit.objects.prefetch_related("categories").get(pk=inspection.unit_id)
    link = CampaignInspection.objects.create(
        campaign=campaign,
        inspection=inspection,
        category=_category_for(campaign, unit, category),
        added_by=actor,
    )
    audit_record(
        actor=actor,
        action="campaign.inspection_linked",
        obj=campaign,
        changes={"inspection": inspection.pk, "category": link.category},
    )
    return link


@transaction.atomic
def inspection_link(
    *, actor, campaign_id: int, inspection_id: int, category: str | None = None
) -> CampaignInspection:
    """Count an inspection of the campaign's town and period in one of its categories."""
    campaign = campaign_get_for(actor, campaign_id, action=TAKE_PART, lock=True)
    _must_allow(campaign, "link_inspections")
    inspection = Inspection.objects.for_action(actor, INSPECTIONS_VIEW).filter(pk=inspection_id)
    inspection = inspection.select_related("unit__region").first()
    if inspection is None:
        raise Http404
    if CampaignInspection.objects.filter(campaign=campaign, inspection=inspection).exists():
        raise ValidationError({"inspection": _("This inspection already counts in the campaign.")})
    if not inspection.unit.region.path.startswith(campaign.region.path):
        raise ValidationError({"inspection": _("This inspection was made in another town.")})
    day = timezone.localdate(inspection.started_at)
    if not campaign.start_date <= day <= campaign.end_date:
        raise ValidationError(
            {"inspection": _("This inspection was not made during the campaign's period.")}
        )
    if inspection.status == InspectionStatus.CANCELLED:
        raise ValidationError({"inspection": _("A cancelled inspection cannot count.")})
    return _link(actor, campaign, inspection, category)


@transaction.atomic
def inspection_unlink(*, actor, campaign_id: int, inspection_id: int) -> None:
    campaign = campaign_get_for(actor, campaign_id, action=TAKE_PART, lock=True)
    _must_allow(campaign, "link_inspections")
    if not Inspection.objects.for_action(actor, INSPECTIONS_VIEW).filter(pk=inspection_id).exists():
        raise Http404
    link = CampaignInspection.objects.filter(campaign=campaign, inspection_id=inspection_id).first()
    if link is None:
        raise Http404
    link.delete()
    audit_record(
        actor=actor,
        action="campaign.inspection_unlinked",
        obj=campaign,
        changes={"inspection": inspection_id, "category": link.category},
    )


@transaction.atomic
def campaign_inspection_start(
    *,
    actor,
    campaign_id: int,
    unit_id: int,
    checklist_id: int,
    category: str | None = None,
    client_key: str | None = None,
    place: str = "",
    officers: Iterable = (),
) -> CampaignInspection:
    """Start a joint-enforcement inspection of a unit of the campaign's town, linked at once.
    Sending the same ``client_key`` again returns the same link."""
    from anjian.inspections.services import inspection_start

    campaign = campaign_get_for(actor, campaign_id, action=TAKE_PART, lock=True)
    _must_allow(campaign, "start_inspection")
    if not get_scope(actor).can(INSPECT):
        raise ActionNotPermitted(
            _("Inspections are started by the town's inspectors; ask them to start one.")
        )
    unit = (
        Unit.objects.for_action(actor, INSPECT)
        .filter(pk=unit_id, region__path__startswith=campaign.region.path)
        .prefetch_related("categories")
        .first()
    )
    if unit is None:
        raise ValidationError({"unit": _("Choose a unit of the campaign's town you may inspect.")})
    chosen = _category_for(campaign, unit, category)
    inspection = inspection_start(
        actor=actor,
        unit_id=unit.pk,
        checklist_id=checklist_id,
        kind=InspectionKind.JOINT_ENFORCEMENT,
        client_key=client_key,
        place=place,
        officers=officers,
    )
    existing = CampaignInspection.objects.filter(inspection=inspection, campaign=campaign).first()
    if existing is not None:  # a retried start
        return existing
    return _link(actor, campaign, inspection, chosen)


__all__ = [
    "MANAGE",
    "TAKE_PART",
    "VIEW",
    "allowed_actions",
    "campaign_close",
    "campaign_create",
    "campaign_get_for",
    "campaign_inspection_start",
    "campaign_update",
    "default_category",
    "department_officers_for",
    "inspection_candidates",
    "inspection_link",
    "inspection_unlink",
    "participant_add",
    "participant_remove",
]
