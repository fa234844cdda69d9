"""The office's settings of the hazard loop: the sub-grades that refine the two legal levels
(e.g. 重大事故隐患 一级/二级). Each change is audited; a sub-grade in use is taken out of use, never
deleted, so that the hazards that carry it keep it.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record, snapshot
from anjian.core.exceptions import ActionNotPermitted
from anjian.core.scoping import get_scope
from anjian.hazards.choices import HazardLevel
from anjian.hazards.models import Hazard, HazardSubGrade

MANAGE_SETTINGS = "hazards.manage_settings"
SUBGRADE_FIELDS = ("level", "code", "name", "sort_order", "is_active")
CODE_RE = re.compile(r"^[-a-zA-Z0-9_]+$")


def _check(actor) -> None:
    if not get_scope(actor).can(MANAGE_SETTINGS):
        raise ActionNotPermitted(_("Your roles do not include the hazard settings."))


def subgrades_for(user):
    """The shared sub-grades and those of the towns ``user`` works in (``regions.shared``)."""
    from anjian.regions.shared import shared_or_own_q

    return HazardSubGrade.objects.filter(shared_or_own_q(user, "hazards.view"))


def subgrade_change_refusal(actor, subgrade: HazardSubGrade) -> str:
    """Why ``actor`` may not change ``subgrade`` ("" if they may): a shared one is the
    district's, a town's own that town's."""
    from anjian.regions.shared import shared_row_refusal

    town = subgrade.town
    return shared_row_refusal(
        actor, MANAGE_SETTINGS, subgrade.town_id, town.path if town is not None else ""
    )


def _validate(data: dict[str, Any], *, subgrade: HazardSubGrade | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if "level" in data and data["level"] not in HazardLevel.values:
        errors["level"] = _("Choose the level: ordinary or major.")
    if "code" in data:
        data["code"] = str(data["code"] or "").strip().lower()
        others = HazardSubGrade.objects.exclude(pk=getattr(subgrade, "pk", None))
        if not data["code"] or not CODE_RE.match(data["code"]):
            errors["code"] = _("Give a code of letters, digits, - and _.")
        elif len(data["code"]) > 30:
            errors["code"] = _("Give a code of at most 30 characters.")
        elif others.filter(code=data["code"]).exists():
            errors["code"] = _("Another sub-grade already has this code.")
    if "name" in data:
        data["name"] = str(data["name"] or "").strip()
        if not data["name"]:
            errors["name"] = _("Give the sub-grade a name.")
        elif len(data["name"]) > 40:
            errors["name"] = _("Give a name of at most 40 characters.")
    if "sort_order" in data:
        try:
            data["sort_order"] = int(data["sort_order"] or 0)
        except (TypeError, ValueError):
            errors["sort_order"] = _("Give the order as a whole number.")
        else:
            if not 0 <= data["sort_order"] <= 32767:
                errors["sort_order"] = _("Give the order as a whole number.")
    if (
        subgrade is not None
        and data.get("level", subgrade.level) != subgrade.level
        and Hazard.objects.filter(sub_grade=subgrade).exists()
    ):
        errors["level"] = _("Hazards carry this sub-grade: its level cannot change.")
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def subgrade_create(
    *,
    actor,
    level: str,
    code: str,
    name: str,
    sort_order: int = 0,
    is_active: bool = True,
) -> HazardSubGrade:
    """Add a sub-grade of ``level``; its code is unique. The district's are shared by every
    town; a town's are its own."""
    from anjian.regions.shared import owner_town_for

    _check(actor)
    data = _validate(
        {"level": level, "code": code, "name": name, "sort_order": sort_order}, subgrade=None
    )
    town = owner_town_for(actor, MANAGE_SETTINGS)
    subgrade = HazardSubGrade.objects.create(**data, is_active=bool(is_active), town=town)
    audit_record(
        actor=actor,
        action="hazard_subgrade.created",
        obj=subgrade,
        region_id=subgrade.town_id,
        after=snapshot(subgrade, list(SUBGRADE_FIELDS)),
    )
    return subgrade


@transaction.atomic
def subgrade_update(*, actor, subgrade_id: int, **fields: Any) -> HazardSubGrade:
    """Change a sub-grade; ``is_active=False`` takes it out of use for new hazards."""
    unknown = set(fields) - set(SUBGRADE_FIELDS)
    if unknown:
        raise TypeError(f"subgrade_update() got unknown fields: {sorted(unknown)}")
    _check(actor)
    subgrade = (
        HazardSubGrade.objects.select_for_update()
        .filter(pk=subgrade_id)
        .filter(pk__in=subgrades_for(actor).values("pk"))
        .first()
    )
    if subgrade is None:
        raise Http404
    if refusal := subgrade_change_refusal(actor, subgrade):
        raise ActionNotPermitted(refusal)
    before = snapshot(subgrade, list(SUBGRADE_FIELDS))
    data = _validate(dict(fields), subgrade=subgrade)
    if "is_active" in data:
        data["is_active"] = bool(data["is_active"])
    for key, value in data.items():
        setattr(subgrade, key, value)
    subgrade.save(update_fields=list(data) or None)
    after = snapshot(subgrade, list(SUBGRADE_FIELDS))
    if before != after:
        audit_record(
            actor=actor,
            action="hazard_subgrade.updated",
            obj=subgrade,
            region_id=subgrade.town_id,
            before=before,
            after=after,
        )
    return subgrade
