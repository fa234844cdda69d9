"""Writes to supervised units. Each function audits itself."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record, snapshot
from anjian.core.exceptions import ActionNotPermitted
from anjian.core.validators import validate_credit_code
from anjian.regions.models import Region, RegionLevel
from anjian.teams.models import Committee
from anjian.units.models import Unit, UnitKind, UnitStatus


@transaction.atomic
def unit_create(
    *,
    actor,
    name: str,
    region: Region,
    kind: str,
    credit_code: str = "",
    committee: Committee | None = None,
    address: str = "",
    status: str = UnitStatus.OPERATING,
) -> Unit:
    """Register a supervised unit in a village or community.

    ``actor`` None is the system (the demo loader, imports); a person needs ``units.change`` in
    the unit's village.
    """
    if actor is not None and (
        not Region.objects.for_action(actor, "units.change").filter(pk=region.pk).exists()
    ):
        raise ActionNotPermitted(_("You may not register units in this village."))
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("The unit's name is empty.")
    if region.level != RegionLevel.VILLAGE:
        errors["region"] = _(
            "A unit must lie in a village or community; “%(name)s” is a %(level)s."
        ) % {"name": region.name, "level": region.get_level_display()}
    elif committee is not None and committee.region_id != region.parent_id:
        errors["committee"] = _(
            "The committee “%(committee)s” belongs to another town than “%(village)s”."
        ) % {"committee": committee.name, "village": region.name}
    if kind not in UnitKind.values:
        errors["kind"] = _("The unit kind “%(kind)s” is unknown.") % {"kind": kind}
    if status not in UnitStatus.values:
        errors["status"] = _("The status “%(status)s” is unknown.") % {"status": status}
    if credit_code:
        try:
            credit_code = validate_credit_code(credit_code)
        except ValidationError as exc:
            errors["credit_code"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    unit = Unit(
        name=name,
        region=region,
        kind=kind,
        credit_code=credit_code,
        committee=committee,
        address=(address or "").strip(),
        status=status,
    )
    unit.full_clean()
    unit.save()
    audit_record(actor=actor, action="unit.created", obj=unit, after=snapshot(unit))
    return unit
