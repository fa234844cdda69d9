"""Demo data of 一企一码 and enterprise accounts: 场口镇's public page settings (grade colour, safety
officer's phone and kind published; the address not) and, from the demo enterprise ``ck_enterprise``,
one proposed change of its principal awaiting the office.

Idempotent: looked up by natural key first (the town's settings; any change request of the demo
enterprise's unit); a second run creates nothing. Call after ``anjian.demo.loader.load_demo``.
"""

from __future__ import annotations

from django.db import transaction

from anjian.accounts.models import User
from anjian.demo import town as demo_town
from anjian.regions.models import Region
from anjian.units import enterprise
from anjian.units.models import PublicProfile, UnitChangeRequest

DEMO_ENTERPRISE_USER = "ck_enterprise"
PROPOSED_PRINCIPAL = "何建国"


@transaction.atomic
def load_demo_public(report) -> None:
    the_town = Region.objects.filter(code=demo_town.TOWN_CODE).first()
    if the_town is None:
        return
    if not PublicProfile.objects.filter(region=the_town).exists():
        PublicProfile.objects.create(
            region=the_town,
            show_grade=True,
            show_safety_officer_phone=True,
            show_kind=True,
            show_address=False,
        )
        report.add("public page settings")
    user = User.objects.filter(username=DEMO_ENTERPRISE_USER).first()
    unit = enterprise.own_units_for(user).first() if user is not None else None
    if unit is None or UnitChangeRequest.objects.filter(unit=unit).exists():
        return
    if unit.principal_name == PROPOSED_PRINCIPAL:
        return
    enterprise.unit_own_update(actor=user, unit_id=unit.pk, principal_name=PROPOSED_PRINCIPAL)
    report.add("unit change requests")
