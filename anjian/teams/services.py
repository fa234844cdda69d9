"""Writes to the committees (安委会 and its 专委会). Each function audits itself."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record, snapshot
from anjian.core.exceptions import ActionNotPermitted
from anjian.regions.models import Region, RegionLevel
from anjian.teams.models import Committee, CommitteeKind


@transaction.atomic
def committee_create(
    *,
    actor,
    region: Region,
    kind: str,
    name: str,
    parent: Committee | None = None,
    short_name: str = "",
    sectors: str = "",
    lead_name: str = "",
    lead_title: str = "",
    sort_order: int = 0,
) -> Committee:
    """Create the 安委会 of a town (``kind="main"``) or one of its specialised committees
    (``kind="specialised"`` with ``parent`` the town's main committee).

    ``actor`` None is the system (the demo loader, imports); a person needs ``teams.manage`` in
    the town.
    """
    if actor is not None and (
        not Region.objects.for_action(actor, "teams.manage").filter(pk=region.pk).exists()
    ):
        raise ActionNotPermitted(_("You may not set up committees in this town."))
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if region.level != RegionLevel.TOWN:
        errors["region"] = _("A committee belongs to a town or street, not to “%(name)s”.") % {
            "name": region.name
        }
    if kind not in CommitteeKind.values:
        errors["kind"] = _("The committee kind “%(kind)s” is unknown.") % {"kind": kind}
    elif kind == CommitteeKind.MAIN and parent is not None:
        errors["parent"] = _("The work-safety committee of a town has no parent committee.")
    elif kind == CommitteeKind.SPECIALISED:
        if parent is None:
            errors["parent"] = _("A specialised committee needs its town's work-safety committee.")
        elif parent.kind != CommitteeKind.MAIN or parent.region_id != region.pk:
            errors["parent"] = _(
                "The parent of a specialised committee must be the work-safety committee of "
                "the same town."
            )
    if not name:
        errors["name"] = _("The committee's name is empty.")
    elif Committee.objects.filter(region=region, name=name).exists():
        errors["name"] = _("The town already has a committee named “%(name)s”.") % {"name": name}
    if errors:
        raise ValidationError(errors)
    committee = Committee(
        region=region,
        kind=kind,
        parent=parent,
        name=name,
        short_name=short_name.strip(),
        sectors=sectors.strip(),
        lead_name=lead_name.strip(),
        lead_title=lead_title.strip(),
        sort_order=sort_order,
    )
    committee.full_clean()
    committee.save()
    audit_record(actor=actor, action="committee.created", obj=committee, after=snapshot(committee))
    return committee
