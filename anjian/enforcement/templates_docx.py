"""An office's own Word templates per document type (docxtpl: a .docx with Jinja tags such as
``{{ number }}`` and ``{% for item in items %}``), used instead of the built-in layout
(``anjian.core.docx``) when the town has uploaded one. The variables are the document's values
(``Layout.context``), listed in docs/enforcement-settings.md and in ``SAMPLE_CONTEXT`` below.

An upload is checked by rendering it with the sample values: a template that does not render
(a broken tag, an unknown variable) is refused with the reason. Templates run in Jinja's sandbox.
Uploading, replacing and removing are audited.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record
from anjian.core.safe_text import xml_text
from anjian.core.scoping import ScopedQuerySet
from anjian.enforcement.models import DocumentType, OfficeTemplate
from anjian.enforcement.settings_services import MANAGE, town_for
from anjian.regions.models import Region

MAX_BYTES = 5 * 1024 * 1024

SAMPLE_CONTEXT: dict[str, Any] = {
    "number": "场口安监责改〔2026〕1号",
    "title": "责令限期整改指令书",
    "authority": ["富阳区应急管理局", "场口镇人民政府（受委托）"],
    "date": "2026年5月8日",
    "unit": {
        "name": "杭州示例机械有限公司",
        "address": "场口镇工业园1号",
        "legal_representative": "王法人",
        "mobile": "13800000001",
    },
    "officers": [
        {"name": "张执法", "certificate": "33010000001"},
        {"name": "李执法", "certificate": "33010000002"},
    ],
    "facts": [{"name": "检查场所", "value": "一号车间"}],
    "items": [
        {
            "number": 1,
            "text": "配电箱箱门缺失，内部接线裸露",
            "note": "",
            "basis": "《低压配电设计规范》",
            "deadline": "2026年5月20日前整改完毕",
            "code": "YH2026-000001",
            "outcome": "已整改完毕，予以销号",
        }
    ],
    "order_number": "场口安监责改〔2026〕1号",
    "party": "杭州示例机械有限公司",
    "cause": "未采取措施消除事故隐患",
    "facts_text": "经复查，配电箱箱门仍缺失。",
    "provision": "中华人民共和国安全生产法（2021）第一百零二条",
    "penalty_text": "责令立即消除或者限期消除，处五万元以下的罚款",
    "case_number": "场口安监立审〔2026〕1号",
}


class OfficeTemplateQuerySet(ScopedQuerySet):
    scope_path = "town__path"
    view_action = MANAGE


def office_templates() -> OfficeTemplateQuerySet:
    return OfficeTemplateQuerySet(model=OfficeTemplate)


class ScopedOfficeTemplates:
    """``OfficeTemplate`` read through the scope, shaped like a model for the access walk."""

    class _Objects:
        def __get__(self, instance, owner):
            return office_templates()

    objects = _Objects()


def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def _xml_safe(value: Any) -> Any:
    """The context with every text through ``xml_text``: a control character a person typed
    (a tip-off, a unit's name) must not make the document unreadable."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {key: _xml_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_xml_safe(item) for item in value]
    return value


def _render(data: bytes, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    template = DocxTemplate(io.BytesIO(data))
    template.render(_xml_safe(context), jinja_env=_environment())
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def template_check(data: bytes) -> None:
    """Refuse a file that is not a Word document or does not render with the sample values."""
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": _("The template is larger than 5 MB.")})
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError({"file": _("This is not a Word (.docx) file.")})
    try:
        _render(data, SAMPLE_CONTEXT)
    except Exception as exc:  # docx, XML and Jinja errors alike: the office sees the reason
        raise ValidationError(
            {
                "file": _("The template could not be filled in: %(reason)s")
                % {"reason": str(exc)[:300] or exc.__class__.__name__}
            }
        ) from exc


@transaction.atomic
def office_template_upload(
    *, actor, doc_type: str, upload, town_id: int | None = None
) -> OfficeTemplate:
    """Upload (or replace) the town's Word template for ``doc_type``; checked first."""
    town = town_for(actor, town_id, lock=True)
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Choose the kind of document.")})
    data = upload.read()
    name = (getattr(upload, "name", "") or "template.docx")[-200:]
    if not name.lower().endswith(".docx"):
        raise ValidationError({"file": _("Upload a Word template (.docx).")})
    template_check(data)
    digest = hashlib.sha256(data).hexdigest()
    template = OfficeTemplate.objects.filter(town=town, doc_type=doc_type).first()
    before = {"sha256": template.sha256, "name": template.name} if template else {}
    if template is None:
        template = OfficeTemplate(town=town, doc_type=doc_type)
    template.name = name
    template.sha256 = digest
    template.uploaded_by = actor if getattr(actor, "pk", None) else None
    template.file.save("template.docx", ContentFile(data), save=False)
    template.save()
    audit_record(
        actor=actor,
        action="office_template.uploaded",
        obj=template,
        region_id=town.pk,
        before=before,
        after={"sha256": digest, "name": name, "doc_type": doc_type},
    )
    return template


@transaction.atomic
def office_template_delete(*, actor, template_id: int) -> None:
    """Remove a template: the built-in layout is used again."""
    template = (
        office_templates()
        .for_action(actor, MANAGE)
        .select_for_update(of=("self",))
        .filter(pk=template_id)
        .first()
    )
    if template is None:
        raise Http404
    audit_record(
        actor=actor,
        action="office_template.deleted",
        obj=template,
        region_id=template.town_id,
        before={"sha256": template.sha256, "name": template.name, "doc_type": template.doc_type},
    )
    template.file.delete(save=False)
    template.delete()


def render_with_office_template(town: Region, doc_type: str, context: dict) -> bytes | None:
    """The document written with the town's template of ``doc_type``, or None without one."""
    template = OfficeTemplate.objects.filter(town=town, doc_type=doc_type).first()
    if template is None:
        return None
    with template.file.open("rb") as handle:
        data = handle.read()
    return _render(data, {**SAMPLE_CONTEXT_EMPTY, **context})


# Every documented variable exists in every document (empty where it has none), so that one
# template may serve several types without StrictUndefined failing at issue time.
SAMPLE_CONTEXT_EMPTY: dict[str, Any] = {
    key: ([] if isinstance(value, list) else {} if isinstance(value, dict) else "")
    for key, value in SAMPLE_CONTEXT.items()
}
