"""Inspections of the demo town 场口镇, made through the real services: two finished ones with
signatures (one clean, one whose failed items became hazards) and one in progress on a phone.

Idempotent: each inspection has a fixed client key (a UUID derived from its name), and a second
run finds it and changes nothing.
"""

from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass

from django.utils import timezone
from PIL import Image, ImageDraw

from anjian.accounts.models import User
from anjian.demo.clock import as_of, working_moment
from anjian.inspections.checklist_defaults import GENERAL_CODE
from anjian.inspections.choices import InspectionStatus, ItemResult, VersionStatus
from anjian.inspections.models import ChecklistVersion, Inspection
from anjian.inspections.services import (
    inspection_finish,
    inspection_start,
    inspection_update,
    result_record,
)
from anjian.regions.models import Region
from anjian.units.models import Unit

NAMESPACE = uuid.UUID("6f1c2a9e-5d1b-4c8e-9a57-2b0d8e3c4f10")


@dataclass(frozen=True)
class DemoInspection:
    key: str
    unit_number: int  # the demo unit "（演示NNN）"
    actor: str
    place: str
    failures: tuple[tuple[str, str], ...]  # (words of the item's text, note)
    finish: bool
    attendees: str = "安全员 王建平"
    signatory: str = "王建平"
    days_back: int = 0  # when it happened (its documents carry that day)


INSPECTIONS = (
    DemoInspection("clean", 5, "ck_inspector", "生产车间、仓库", (), True, days_back=100),
    DemoInspection(
        "findings",
        7,
        "ck_inspector",
        "喷涂车间、配电房",
        (("配电箱", "配电箱箱门缺失，内部接线裸露"), ("灭火器", "灭火器压力不足，已过检验期")),
        True,
        days_back=60,  # the case of its failed rectification follows (case_demo)
    ),
    DemoInspection(
        "in-progress", 9, "ck_expert", "原料仓库", (("隐患排查治理", "隐患排查台账未更新"),), False
    ),
)


def _signature_png(text: str) -> str:
    image = Image.new("RGB", (240, 80), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(10, 60), (60, 20), (110, 55), (160, 25), (230, 50)], fill="black", width=3)
    draw.text((10, 5), text, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _demo_unit_for(town: Region, spec: DemoInspection, actor) -> Unit | None:
    """The spec's demo unit, or for an inspection whose findings become hazards the next
    enterprise without any hazard yet: the demo's new hazards must not move a unit's suggested
    grade away from the grade the office set (two hazards in a year do not)."""
    from anjian.hazards.models import Hazard

    inspectable = Unit.objects.for_action(actor, "inspections.inspect").filter(
        region__parent=town, kind="enterprise"
    )
    for number in range(spec.unit_number, spec.unit_number + 40):
        unit = inspectable.filter(name__endswith=f"（演示{number:03d}）").first()
        if unit is None:
            continue
        if spec.failures and spec.finish and Hazard.objects.filter(unit=unit).exists():
            continue
        return unit
    return None


def _enforcement_setup(report, town: Region, users: dict) -> None:
    """场口镇 enforces on entrustment by the district bureau; the two officers' certificates."""
    import datetime

    from django.utils import timezone

    from anjian.enforcement.models import AuthorityMode, EnforcementSettings, OfficerCertificate

    _settings, created = EnforcementSettings.objects.get_or_create(
        town=town,
        defaults={
            "authority_name": "杭州市富阳区应急管理局",
            "mode": AuthorityMode.ENTRUSTED,
            "town_body_name": "富阳区场口镇人民政府",
            "reconsideration_body": "杭州市富阳区人民政府",
            "court": "杭州市富阳区人民法院",
        },
    )
    if created:
        report.add("enforcement settings")
    for index, username in enumerate(("ck_inspector", "ck_office"), start=1):
        user = users.get(username)
        if user is None:
            continue
        _cert, created = OfficerCertificate.objects.get_or_create(
            user=user,
            defaults={
                "number": f"33011120260{index:02d}",
                "valid_until": datetime.date(timezone.localdate().year + 3, 12, 31),
            },
        )
        if created:
            report.add("officer certificates")


def _documents(report, inspection: Inspection, actor) -> None:
    """The site record and, where hazards were found, the rectification order."""
    from anjian.enforcement.documents import rectification_order_issue, site_record_issue

    site_record_issue(actor=actor, inspection_id=inspection.pk)
    report.add("documents")
    if inspection.results.filter(hazard__isnull=False).exists():
        rectification_order_issue(actor=actor, inspection_id=inspection.pk)
        report.add("documents")


def load_demo_inspections(report) -> None:
    from anjian.demo import town as demo_town

    town = Region.objects.filter(code=demo_town.TOWN_CODE).first()
    checklist = (
        ChecklistVersion.objects.filter(
            template__code=GENERAL_CODE,
            template__region__isnull=True,
            status=VersionStatus.PUBLISHED,
        )
        .order_by("-number")
        .first()
    )
    if town is None or checklist is None:
        return
    wanted = {i.actor for i in INSPECTIONS} | {"ck_office"}
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    _enforcement_setup(report, town, users)
    for spec in INSPECTIONS:
        actor = users.get(spec.actor)
        key = uuid.uuid5(NAMESPACE, spec.key)
        if actor is None or Inspection.objects.filter(client_key=key).exists():
            continue
        unit = _demo_unit_for(town, spec, actor)
        if unit is None:
            continue
        moment = working_moment(spec.days_back) if spec.days_back else timezone.now()
        with as_of(moment):
            _inspect(report, spec, unit, checklist, key, actor, users)
        report.add("inspections")


def _inspect(report, spec: DemoInspection, unit: Unit, checklist, key, actor, users) -> None:
    """The visit itself, through the services, as of the clock's time."""
    inspection = inspection_start(
        actor=actor,
        unit_id=unit.pk,
        checklist_id=checklist.pk,
        client_key=key,
        place=spec.place,
    )
    results = list(
        inspection.results.select_related("item").order_by(
            "item__section__order", "item__order", "pk"
        )
    )
    # A finding fails the first item whose text names it (the order then cites that item's
    # basis: the distribution box's door, not the principal's training).
    failing = {
        next(r.pk for r in results if words in r.item.text): note for words, note in spec.failures
    }
    answered = results if spec.finish else results[: len(results) // 2]
    for result in answered:
        note = failing.get(result.pk, "")
        result_record(
            actor=actor,
            inspection_id=inspection.pk,
            item_id=result.item_id,
            result=ItemResult.FAIL if result.pk in failing else ItemResult.PASS,
            note=note,
        )
    if spec.finish:
        inspection.refresh_from_db()
        inspection = inspection_update(
            actor=actor,
            inspection_id=inspection.pk,
            expected_version=inspection.version,
            attendees=spec.attendees,
            officers=[users["ck_office"].pk] if "ck_office" in users else None,
            summary="按检查表逐项检查，发现问题已当场告知并责令限期整改。"
            if failing
            else "未发现问题。",
        )
        inspection_finish(
            actor=actor,
            inspection_id=inspection.pk,
            expected_version=inspection.version,
            unit_signatory=spec.signatory,
            unit_signature=_signature_png(spec.signatory),
            inspector_signature=_signature_png(actor.name or actor.username),
            working_days=10,
        )
        _documents(report, Inspection.objects.get(pk=inspection.pk), actor)


__all__ = ["InspectionStatus", "load_demo_inspections"]
