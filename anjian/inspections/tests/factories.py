"""Test helpers of the inspections: a published checklist built with the ORM, signatures, and an
inspection started and answered through the services."""

from __future__ import annotations

import base64
import io
import itertools

from django.utils import timezone
from PIL import Image

from anjian.inspections import services
from anjian.inspections.choices import VersionStatus
from anjian.inspections.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    ChecklistVersion,
)

_codes = itertools.count(1)

DEFAULT_SECTIONS = [
    (
        "一、安全管理",
        [
            {
                "text": "建立安全生产责任制",
                "legal_basis": "《安全生产法》第二十二条",
                "hazard_category": "management",
            },
            {"text": "主要负责人和安全管理人员经培训合格", "hazard_category": "training"},
        ],
    ),
    (
        "二、现场安全",
        [
            {
                "text": "配电箱完好，线路无裸露",
                "legal_basis": "GB 50054",
                "hazard_category": "electrical",
            },
            {
                "text": "粉尘涉爆场所未使用非防爆电气设备",
                "hazard_category": "dust",
                "is_major_criterion": True,
                "criterion_ref": "第十条第（一）项",
            },
            {"text": "安全出口和疏散通道畅通", "hazard_category": "fire"},
        ],
    ),
]


def make_checklist(
    name: str = "通用工贸企业检查表",
    sections=None,
    *,
    number: int = 1,
    template: ChecklistTemplate | None = None,
    region=None,
) -> ChecklistVersion:
    """A published checklist version (shipped: no region, unless ``region``)."""
    if template is None:
        template = ChecklistTemplate.objects.create(
            code=f"test-{next(_codes)}",
            name=name,
            region=region,
            unit_kinds=["enterprise"],
        )
    version = ChecklistVersion.objects.create(
        template=template,
        number=number,
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    for order, (title, items) in enumerate(sections or DEFAULT_SECTIONS):
        section = ChecklistSection.objects.create(version=version, title=title, order=order)
        for index, item in enumerate(items):
            ChecklistItem.objects.create(section=section, order=index, **item)
    return version


def publish_next(version: ChecklistVersion, *, changes: dict[str, str]) -> ChecklistVersion:
    """Retire ``version`` and publish the next one, with item texts replaced by ``changes``."""
    version.status = VersionStatus.RETIRED
    version.save(update_fields=["status"])
    sections = []
    for section in version.sections.order_by("order"):
        items = []
        for item in section.items.order_by("order"):
            items.append(
                {
                    "text": changes.get(item.text, item.text),
                    "legal_basis": item.legal_basis,
                    "hazard_category": item.hazard_category,
                    "hazard_level": item.hazard_level,
                    "is_major_criterion": item.is_major_criterion,
                }
            )
        sections.append((section.title, items))
    return make_checklist(sections=sections, number=version.number + 1, template=version.template)


def png_data_url(size=(200, 80), *, extra_bytes: int = 0) -> str:
    img = Image.new("RGB", size, "white")
    for x in range(10, size[0] - 10):
        img.putpixel((x, size[1] // 2), (0, 0, 0))
    out = io.BytesIO()
    img.save(out, format="PNG")
    data = out.getvalue() + b"\0" * extra_bytes
    return "data:image/png;base64," + base64.b64encode(data).decode()


def items_of(inspection):
    return [
        r.item
        for r in inspection.results.select_related("item").order_by(
            "item__section__order", "item__order"
        )
    ]


def answer_all(actor, inspection, result: str = "pass", **overrides):
    """Answer every item (``overrides``: item text → result)."""
    for item in items_of(inspection):
        services.result_record(
            actor=actor,
            inspection_id=inspection.pk,
            item_id=item.pk,
            result=overrides.get(item.text, result),
        )
    inspection.refresh_from_db()
    return inspection


def finish(actor, inspection, **kwargs):
    inspection.refresh_from_db()
    data = {
        "unit_signatory": "李厂长",
        "unit_signature": png_data_url(),
        "inspector_signature": png_data_url(),
        **kwargs,
    }
    return services.inspection_finish(
        actor=actor, inspection_id=inspection.pk, expected_version=inspection.version, **data
    )
