"""The demo town's ids in the city system (录入杭州系统): the first twenty units of the register were
entered there, so an export "without an id yet" leaves them out. Idempotent (the same id again is
recorded once)."""

from __future__ import annotations

from anjian.accounts.models import User
from anjian.exchange.choices import ExchangeSystem, RecordKind
from anjian.exchange.models import ExternalId
from anjian.exchange.services import external_id_set
from anjian.units.models import Unit

ENTERED = 20


def load_demo_external_ids(report, *, town_code: str) -> None:
    office = User.objects.get(username="ck_office")
    units = Unit.objects.filter(region__parent__code=town_code).order_by("pk")[:ENTERED]
    for unit in units:
        if ExternalId.objects.filter(unit=unit, system=ExchangeSystem.HANGZHOU).exists():
            continue
        external_id_set(
            actor=office,
            kind=RecordKind.UNIT,
            record_id=unit.pk,
            system=ExchangeSystem.HANGZHOU,
            external_id=f"HZAJ{unit.pk:08d}",
        )
        report.add("ids in the city system")
