"""The Word documents of an inspection: 现场检查记录 (site record), 责令限期整改指令书 (order to
rectify within a deadline, covering several hazards) and 整改复查意见书 (re-check opinion).

Each issue runs in one transaction: it locks the inspection (or the order), returns the document
already issued for it if there is one (a retried click never takes a second number), checks that
at least two officers with certificate numbers took part, takes the next number through
``document_issue``, renders the .docx with python-docx, stores it with its SHA-256 and audits.
The issuing authority is printed as domain §4.5 says: entrusted → the bureau, with the town body
"（受委托）"; delegated or own → the town body.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from anjian.audit.services import audit_record
from anjian.core.safe_text import xml_text
from anjian.enforcement.models import (
    AuthorityMode,
    DocumentType,
    EnforcementSettings,
    IssuedDocument,
)
from anjian.enforcement.services import document_issue
from anjian.hazards.choices import HazardStatus, ReportOutcome
from anjian.inspections.choices import InspectionStatus, ItemResult
from anjian.inspections.models import Inspection
from anjian.regions.models import Region

VIEW = "enforcement.view"
ISSUE = "enforcement.issue_documents"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "宋体"

TITLES = {
    DocumentType.SITE_RECORD: "现场检查记录",
    DocumentType.RECTIFICATION_ORDER: "责令限期整改指令书",
    DocumentType.RECHECK_OPINION: "整改复查意见书",
}


# --- Facts printed on every document --------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """Who issues: the name(s) printed at the head and at the foot of a document."""

    lines: tuple[str, ...]
    reconsideration_body: str
    court: str


def authority_for(town: Region) -> Authority:
    settings = EnforcementSettings.objects.filter(town=town).first()
    body = (settings.town_body_name if settings else "") or f"{town.name}人民政府"
    if settings and settings.mode == AuthorityMode.ENTRUSTED and settings.authority_name:
        lines: tuple[str, ...] = (settings.authority_name, f"{body}（受委托）")
    else:
        lines = (body,)
    return Authority(
        lines=lines,
        reconsideration_body=(settings.reconsideration_body if settings else "") or "________",
        court=(settings.court if settings else "") or "________人民法院",
    )


def certified_officers(people: Iterable) -> list[tuple[object, str]]:
    """(officer, certificate number) of those whose certificate is on file and still valid."""
    today = timezone.localdate()
    found = []
    for person in people:
        try:
            cert = person.enforcement_certificate
        except Exception:
            cert = None
        if cert is None or not cert.number.strip():
            continue
        if cert.valid_until and cert.valid_until < today:
            continue
        found.append((person, cert.number.strip()))
    return found


def _require_two(officers: Sequence) -> None:
    if len(officers) < 2:
        raise ValidationError(
            {
                "officers": _(
                    "At least two enforcement officers took part, each with a law-enforcement "
                    "certificate number on file."
                )
            }
        )


def cn_date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return "____年__月__日"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日{value.hour}时{value.minute:02d}分"
    return f"{value.year}年{value.month}月{value.day}日"


def _town_of(inspection: Inspection) -> Region:
    return Region.objects.get(pk=inspection.unit.region.parent_id)


# --- Rendering ------------------------------------------------------------------------------------


def _font(run, size: float | None = None, bold: bool = False) -> None:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _para(doc, text: str = "", *, center=False, right=False, size=12, bold=False):
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if text:
        _font(p.add_run(xml_text(text)), size, bold)
    return p


def _new_document(authority: Authority, title: str, label: str):
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    for section in doc.sections:
        section.top_margin = section.bottom_margin = Cm(2.5)
        section.left_margin = section.right_margin = Cm(2.5)
    for line in authority.lines:
        _para(doc, line, center=True, size=16, bold=True)
    _para(doc, title, center=True, size=20, bold=True)
    _para(doc, label, center=True, size=12)
    return doc


def _facts_table(doc, rows: Sequence[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for name, value in rows:
        cells = table.add_row().cells
        cells[0].width = Cm(4)
        cells[1].width = Cm(12)
        _font(cells[0].paragraphs[0].add_run(xml_text(name)), 12, True)
        _font(cells[1].paragraphs[0].add_run(xml_text(value) or "—"))


def _unit_rows(inspection: Inspection) -> list[tuple[str, str]]:
    unit = inspection.unit
    person = unit.legal_representative or unit.principal_name
    return [
        ("被检查单位", unit.name),
        ("地址", unit.address),
        ("法定代表人（负责人）", person),
        ("联系电话", unit.principal_mobile),
    ]


def _officer_line(officers: Sequence[tuple[object, str]]) -> str:
    return "、".join(
        f"{getattr(p, 'name', '') or p.get_username()}（执法证号：{n}）" for p, n in officers
    )


def _signature_lines(doc, *, unit_side: str = "被检查单位负责人（签名）") -> None:
    _para(doc, "")
    _para(doc, "执法人员（签名）：____________    ____________")
    _para(doc, f"{unit_side}：____________    日期：____年__月__日")


def _authority_foot(doc, authority: Authority, when: datetime.date) -> None:
    _para(doc, "")
    for line in authority.lines:
        _para(doc, line, right=True)
    _para(doc, "（印章）", right=True)
    _para(doc, cn_date(when), right=True)


def _image(doc, data: bytes, width_cm: float) -> bool:
    try:
        doc.add_picture(io.BytesIO(data), width=Cm(width_cm))
    except Exception:
        return False
    return True


def _data_url_bytes(value: str) -> bytes | None:
    import base64

    prefix = "data:image/png;base64,"
    if not value or not value.startswith(prefix):
        return None
    try:
        return base64.b64decode(value[len(prefix) :])
    except ValueError:
        return None


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_site_record(document, inspection, officers, authority) -> bytes:
    doc = _new_document(authority, TITLES[DocumentType.SITE_RECORD], document.label)
    rows = [
        *_unit_rows(inspection),
        ("检查场所", inspection.place or inspection.unit.address),
        ("检查时间", f"{cn_date(inspection.started_at)}至{cn_date(inspection.finished_at)}"),
        ("检查人员", _officer_line(officers)),
        ("检查表", f"{inspection.checklist.template.name} 第{inspection.checklist.number}版"),
    ]
    _facts_table(doc, rows)
    _para(doc, "检查情况：", bold=True)
    failed = [
        r
        for r in inspection.results.select_related("item", "hazard")
        .prefetch_related("photos")
        .order_by("item__section__order", "item__section_id", "item__order", "item_id")
        if r.result == ItemResult.FAIL
    ]
    if not failed:
        _para(doc, "本次检查未发现问题。")
    for number, result in enumerate(failed, 1):
        text = f"{number}. {result.item.text.strip()}"
        if result.note:
            text += f"（{result.note.strip()}）"
        if result.item.legal_basis:
            text += f"　依据：{result.item.legal_basis.strip()}"
        if result.hazard_id and result.hazard.deadline:
            text += f"　整改期限：{cn_date(result.hazard.deadline)}前"
        _para(doc, text)
        for photo in result.photos.all():
            try:
                with photo.image.open("rb") as handle:
                    _image(doc, handle.read(), 6)
            except OSError:
                continue
    if inspection.summary:
        _para(doc, inspection.summary.strip())
    _para(doc, "")
    _para(doc, f"执法人员（签名）：{'、'.join(getattr(p, 'name', '') for p, _n in officers)}")
    if data := _data_url_bytes(inspection.inspector_signature):
        _image(doc, data, 4)
    _para(doc, f"被检查单位现场负责人（签名）：{inspection.unit_signatory}")
    if data := _data_url_bytes(inspection.unit_signature):
        _image(doc, data, 4)
    _para(doc, f"日期：{cn_date(timezone.localdate(inspection.finished_at))}")
    _para(doc, "本记录一式两份，一份存档，一份交被检查单位。", size=10)
    return _bytes(doc)


def _deadline_text(hazard) -> str:
    return f"{cn_date(hazard.deadline)}前整改完毕" if hazard.deadline else "立即整改"


def render_order(document, inspection, hazards, officers, authority) -> bytes:
    doc = _new_document(authority, TITLES[DocumentType.RECTIFICATION_ORDER], document.label)
    _facts_table(
        doc,
        [
            *_unit_rows(inspection),
            ("检查场所", inspection.place or inspection.unit.address),
            ("检查时间", f"{cn_date(inspection.started_at)}至{cn_date(inspection.finished_at)}"),
            ("执法人员", _officer_line(officers)),
        ],
    )
    _para(doc, f"{inspection.unit.name}：")
    _para(doc, f"经查，你单位存在下列问题（{len(hazards)}项）：")
    for number, hazard in enumerate(hazards, 1):
        text = f"{number}. {hazard.description.strip()}"
        if hazard.legal_basis:
            text += f"　违反：{hazard.legal_basis.strip()}"
        _para(doc, text)
        _para(doc, f"　　整改期限：{_deadline_text(hazard)}。（隐患编号 {hazard.code}）")
    _para(
        doc,
        "现责令你单位对上述问题按所列期限整改完毕，并将整改情况书面报告本机关；"
        "整改期间应采取措施确保安全。",
    )
    _para(
        doc,
        f"如果不服本指令，可以依法在六十日内向{authority.reconsideration_body}申请行政复议，"
        f"或者在六个月内依法向{authority.court}提起行政诉讼，"
        "但本指令不停止执行，法律另有规定的除外。",
    )
    _signature_lines(doc)
    _authority_foot(doc, authority, timezone.localdate(document.issued_at))
    return _bytes(doc)


def recheck_outcome(hazard) -> tuple[bool | None, str]:
    """(done?, words) of one hazard of an order, from the hazard record."""
    if hazard.status == HazardStatus.CLOSED:
        return True, "已整改完毕，予以销号"
    if hazard.status == HazardStatus.CANCELLED:
        return True, "已撤销"
    last = hazard.reports.exclude(rechecked_at=None).order_by("-rechecked_at").first()
    if last is not None and last.outcome == ReportOutcome.FAILED:
        note = f"（{last.recheck_note.strip()}）" if last.recheck_note else ""
        return False, f"未整改完毕{note}"
    return None, "尚未复查"


def render_recheck(document, order, hazards, officers, authority) -> bytes:
    doc = _new_document(authority, TITLES[DocumentType.RECHECK_OPINION], document.label)
    unit = order.unit
    _facts_table(
        doc,
        [
            ("被检查单位", unit.name),
            ("地址", unit.address),
            ("法定代表人（负责人）", unit.legal_representative or unit.principal_name),
            ("联系电话", unit.principal_mobile),
            ("复查人员", _officer_line(officers)),
        ],
    )
    _para(doc, f"{unit.name}：")
    _para(
        doc,
        f"本机关于{cn_date(timezone.localdate(order.issued_at))}作出了《责令限期整改指令书》"
        f"（{order.label}），责令你单位对下列问题限期整改。经复查，意见如下：",
    )
    pending = False
    for number, hazard in enumerate(hazards, 1):
        done, words = recheck_outcome(hazard)
        pending = pending or not done
        _para(
            doc, f"{number}. {hazard.description.strip()}（原整改期限：{_deadline_text(hazard)}）"
        )
        _para(doc, f"　　复查意见：{words}。")
    if pending:
        _para(doc, "对未整改完毕的问题，本机关将依法处理。")
    else:
        _para(doc, "上述问题均已整改完毕。")
    _signature_lines(doc)
    _authority_foot(doc, authority, timezone.localdate(document.issued_at))
    return _bytes(doc)


# --- Issuing --------------------------------------------------------------------------------------


def _store(actor, document: IssuedDocument, data: bytes, officers, hazards=()) -> IssuedDocument:
    document.sha256 = hashlib.sha256(data).hexdigest()
    document.file.save("document.docx", ContentFile(data), save=False)
    document.save(update_fields=["file", "sha256"])
    document.officers.set([p for p, _n in officers])
    if hazards:
        document.hazards.set(hazards)
    audit_record(
        actor=actor,
        action="document.rendered",
        obj=document,
        region_id=document.town_id,
        changes={"sha256": document.sha256, "hazards": [h.pk for h in hazards]},
    )
    return document


def _finished_inspection(actor, inspection_id: int) -> Inspection:
    inspection = (
        Inspection.objects.for_action(actor, ISSUE)
        .select_related("unit__region", "checklist__template")
        .select_for_update(of=("self",))
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None:
        raise Http404
    if inspection.status != InspectionStatus.FINISHED:
        raise ValidationError(
            {"inspection": _("Documents are issued for a finished inspection only.")}
        )
    return inspection


def _existing(inspection: Inspection, doc_type: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(inspection=inspection, doc_type=doc_type).first()


@transaction.atomic
def site_record_issue(*, actor, inspection_id: int) -> IssuedDocument:
    """The 现场检查记录 of a finished inspection (the one already issued, if any)."""
    inspection = _finished_inspection(actor, inspection_id)
    if existing := _existing(inspection, DocumentType.SITE_RECORD):
        return existing
    officers = certified_officers(inspection.officers.order_by("pk"))
    _require_two(officers)
    town = _town_of(inspection)
    document = document_issue(
        actor=actor,
        town=town,
        doc_type=DocumentType.SITE_RECORD,
        unit=inspection.unit,
        inspection=inspection,
        title=f"{inspection.unit.name}{TITLES[DocumentType.SITE_RECORD]}",
    )
    data = render_site_record(document, inspection, officers, authority_for(town))
    return _store(actor, document, data, officers)


@transaction.atomic
def rectification_order_issue(*, actor, inspection_id: int) -> IssuedDocument:
    """One 责令限期整改指令书 covering every hazard the inspection recorded, with their deadlines
    (each hazard then closes on its own in the hazard loop)."""
    inspection = _finished_inspection(actor, inspection_id)
    if existing := _existing(inspection, DocumentType.RECTIFICATION_ORDER):
        return existing
    hazards = [
        r.hazard
        for r in inspection.results.select_related("hazard")
        .exclude(hazard=None)
        .order_by("item__section__order", "item__section_id", "item__order", "item_id")
        if r.hazard.status != HazardStatus.CANCELLED
    ]
    if not hazards:
        raise ValidationError(
            {"hazards": _("This inspection recorded no hazards: there is nothing to order.")}
        )
    officers = certified_officers(inspection.officers.order_by("pk"))
    _require_two(officers)
    town = _town_of(inspection)
    document = document_issue(
        actor=actor,
        town=town,
        doc_type=DocumentType.RECTIFICATION_ORDER,
        unit=inspection.unit,
        inspection=inspection,
        title=f"{inspection.unit.name}{TITLES[DocumentType.RECTIFICATION_ORDER]}",
    )
    data = render_order(document, inspection, hazards, officers, authority_for(town))
    return _store(actor, document, data, officers, hazards)


@transaction.atomic
def recheck_opinion_issue(*, actor, order_id: int) -> IssuedDocument:
    """The 整改复查意见书 of an order once its hazards have been re-checked: each hazard's outcome
    (closed / not yet) from the hazard records. The order's officers sign it."""
    order = (
        IssuedDocument.objects.for_action(actor, ISSUE)
        .select_for_update(of=("self",))
        .select_related("unit", "town")
        .filter(pk=order_id, doc_type=DocumentType.RECTIFICATION_ORDER)
        .first()
    )
    if order is None:
        raise Http404
    if existing := order.recheck_opinions.first():
        return existing
    hazards = list(order.hazards.order_by("pk"))
    outcomes = [recheck_outcome(h)[0] for h in hazards]
    if not hazards or all(done is None for done in outcomes):
        raise ValidationError({"order": _("None of the order's hazards has been re-checked yet.")})
    officers = certified_officers(order.officers.order_by("pk"))
    _require_two(officers)
    document = document_issue(
        actor=actor,
        town=order.town,
        doc_type=DocumentType.RECHECK_OPINION,
        unit=order.unit,
        inspection=order.inspection,
        title=f"{order.unit.name}{TITLES[DocumentType.RECHECK_OPINION]}",
    )
    document.order = order
    document.save(update_fields=["order"])
    data = render_recheck(document, order, hazards, officers, authority_for(order.town))
    return _store(actor, document, data, officers, hazards)


# --- Reading --------------------------------------------------------------------------------------


def document_get_for(user, document_id: int, *, action: str = VIEW) -> IssuedDocument:
    document = (
        IssuedDocument.objects.for_action(user, action)
        .select_related("unit", "town", "inspection")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise Http404
    return document


def document_open(*, actor, document_id: int):
    """The document and its open Word file (404 outside the scope or without a file); audited."""
    document = document_get_for(actor, document_id)
    if not document.file:
        raise Http404
    handle = document.file.open("rb")
    audit_record(
        actor=actor, action="document.downloaded", obj=document, region_id=document.town_id
    )
    return document, handle


def download_name(document: IssuedDocument) -> str:
    return f"{document.label} {TITLES.get(document.doc_type, '')}.docx".replace("/", "-")
