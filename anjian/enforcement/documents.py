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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record
from anjian.core.docx import DOCX_CONTENT_TYPE, Layout
from anjian.enforcement.models import (
    AuthorityMode,
    DocumentType,
    EnforcementSettings,
    IssuedDocument,
)
from anjian.enforcement.services import document_issue, format_number
from anjian.hazards.choices import HazardStatus, ReportOutcome
from anjian.inspections.choices import InspectionStatus, ItemResult
from anjian.inspections.models import Inspection
from anjian.regions.models import Region

VIEW = "enforcement.view"
ISSUE = "enforcement.issue_documents"
__all__ = ["DOCX_CONTENT_TYPE"]

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
# Each document is built as a ``core.docx.Layout`` (A4, GB/T 9704 margins, the official fonts),
# written to Word when issued and shown as HTML in the preview before a number is taken.


def _para(doc: Layout, text: str = "", *, center=False, right=False, size=12, bold=False):
    doc.para(text, align="center" if center else "right" if right else "left", size=size, bold=bold)


def _new_document(authority: Authority, title: str, label: str) -> Layout:
    doc = Layout()
    doc.authority(authority.lines)
    doc.title(title)
    doc.number(label)
    doc.context.update(
        {"authority": list(authority.lines), "title": title, "number": label, "items": []}
    )
    return doc


def _facts_table(doc: Layout, rows: Sequence[tuple[str, str]]) -> None:
    doc.facts(rows)
    doc.context.setdefault("facts", []).extend(
        {"name": name, "value": value or ""} for name, value in rows
    )


def _unit_rows(inspection: Inspection) -> list[tuple[str, str]]:
    unit = inspection.unit
    person = unit.legal_representative or unit.principal_name
    return [
        ("被检查单位", unit.name),
        ("地址", unit.address),
        ("法定代表人（负责人）", person),
        ("联系电话", unit.principal_mobile),
    ]


def _people(doc: Layout, unit, officers: Sequence[tuple[object, str]]) -> None:
    """The unit's and the officers' values for an office's own Word template."""
    doc.context["unit"] = {
        "name": unit.name,
        "address": unit.address,
        "legal_representative": unit.legal_representative or unit.principal_name,
        "mobile": unit.principal_mobile,
    }
    doc.context["officers"] = [
        {"name": getattr(p, "name", "") or p.get_username(), "certificate": n} for p, n in officers
    ]


def _officer_line(officers: Sequence[tuple[object, str]]) -> str:
    return "、".join(
        f"{getattr(p, 'name', '') or p.get_username()}（执法证号：{n}）" for p, n in officers
    )


def _signature_lines(doc: Layout, *, unit_side: str = "被检查单位负责人（签名）") -> None:
    doc.keep_to_end()
    _para(doc, "")
    _para(doc, "执法人员（签名）：____________    ____________")
    _para(doc, f"{unit_side}：____________    日期：____年__月__日")


def _authority_foot(doc: Layout, authority: Authority, when: datetime.date) -> None:
    doc.keep_to_end()
    doc.context["date"] = cn_date(when)
    _para(doc, "")
    for line in authority.lines:
        _para(doc, line, right=True)
    _para(doc, "（印章）", right=True)
    _para(doc, cn_date(when), right=True)


def _image(doc: Layout, data: bytes, width_cm: float) -> None:
    doc.image(data, width_cm * 10)


def _data_url_bytes(value: str) -> bytes | None:
    import base64

    prefix = "data:image/png;base64,"
    if not value or not value.startswith(prefix):
        return None
    try:
        return base64.b64decode(value[len(prefix) :])
    except ValueError:
        return None


def render_site_record(document, inspection, officers, authority) -> Layout:
    doc = _new_document(authority, TITLES[DocumentType.SITE_RECORD], document.label)
    rows = [
        *_unit_rows(inspection),
        ("检查场所", inspection.place or inspection.unit.address),
        ("检查时间", f"{cn_date(inspection.started_at)}至{cn_date(inspection.finished_at)}"),
        ("检查人员", _officer_line(officers)),
        ("检查表", f"{inspection.checklist.template.name} 第{inspection.checklist.number}版"),
    ]
    _facts_table(doc, rows)
    _people(doc, inspection.unit, officers)
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
        doc.context["items"].append(
            {
                "number": number,
                "text": result.item.text.strip(),
                "note": result.note.strip(),
                "basis": result.item.legal_basis.strip(),
                "deadline": cn_date(result.hazard.deadline)
                if result.hazard_id and result.hazard.deadline
                else "",
            }
        )
        for photo in result.photos.all():
            try:
                with photo.image.open("rb") as handle:
                    _image(doc, handle.read(), 6)
            except OSError:
                continue
    if inspection.summary:
        _para(doc, inspection.summary.strip())
    doc.keep_to_end()
    _para(doc, f"执法人员（签名）：{'、'.join(getattr(p, 'name', '') for p, _n in officers)}")
    if data := _data_url_bytes(inspection.inspector_signature):
        _image(doc, data, 4)
    _para(doc, f"被检查单位现场负责人（签名）：{inspection.unit_signatory}")
    if data := _data_url_bytes(inspection.unit_signature):
        _image(doc, data, 4)
    doc.context["date"] = cn_date(timezone.localdate(inspection.finished_at))
    _para(doc, f"日期：{doc.context['date']}")
    _para(doc, "本记录一式两份，一份存档，一份交被检查单位。", size=10)
    return doc


def _deadline_text(hazard) -> str:
    return f"{cn_date(hazard.deadline)}前整改完毕" if hazard.deadline else "立即整改"


def render_order(document, inspection, hazards, officers, authority) -> Layout:
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
    _people(doc, inspection.unit, officers)
    _para(doc, f"{inspection.unit.name}：")
    _para(doc, f"经查，你单位存在下列问题（{len(hazards)}项）：")
    for number, hazard in enumerate(hazards, 1):
        text = f"{number}. {hazard.description.strip()}"
        if hazard.legal_basis:
            text += f"　违反：{hazard.legal_basis.strip()}"
        _para(doc, text)
        _para(doc, f"　　整改期限：{_deadline_text(hazard)}。（隐患编号 {hazard.code}）")
        doc.context["items"].append(_hazard_item(number, hazard))
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
    return doc


def _hazard_item(number: int, hazard, outcome: str = "") -> dict:
    return {
        "number": number,
        "text": hazard.description.strip(),
        "basis": (hazard.legal_basis or "").strip(),
        "deadline": _deadline_text(hazard),
        "code": hazard.code,
        "outcome": outcome,
    }


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


def render_recheck(document, order, hazards, officers, authority) -> Layout:
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
    _people(doc, unit, officers)
    doc.context["order_number"] = order.label
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
        doc.context["items"].append(_hazard_item(number, hazard, words))
    if pending:
        _para(doc, "对未整改完毕的问题，本机关将依法处理。")
    else:
        _para(doc, "上述问题均已整改完毕。")
    _signature_lines(doc)
    _authority_foot(doc, authority, timezone.localdate(document.issued_at))
    return doc


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


def _finished_inspection(actor, inspection_id: int, *, lock: bool = True) -> Inspection:
    qs = Inspection.objects.for_action(actor, ISSUE).select_related(
        "unit__region", "checklist__template"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    inspection = qs.filter(pk=inspection_id).first()
    if inspection is None:
        raise Http404
    if inspection.status != InspectionStatus.FINISHED:
        raise ValidationError(
            {"inspection": _("Documents are issued for a finished inspection only.")}
        )
    return inspection


def _existing(inspection: Inspection, doc_type: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(inspection=inspection, doc_type=doc_type).first()


def _order_hazards(inspection: Inspection) -> list:
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
    return hazards


def _order_for(actor, order_id: int, *, lock: bool = True) -> IssuedDocument:
    qs = IssuedDocument.objects.for_action(actor, ISSUE).select_related("unit", "town")
    if lock:
        qs = qs.select_for_update(of=("self",))
    order = qs.filter(pk=order_id, doc_type=DocumentType.RECTIFICATION_ORDER).first()
    if order is None:
        raise Http404
    return order


def _rechecked_hazards(order: IssuedDocument) -> list:
    hazards = list(order.hazards.order_by("pk"))
    outcomes = [recheck_outcome(h)[0] for h in hazards]
    if not hazards or all(done is None for done in outcomes):
        raise ValidationError({"order": _("None of the order's hazards has been re-checked yet.")})
    return hazards


def _write(town: Region, doc_type: str, layout: Layout) -> bytes:
    """The Word file: the office's own template of this type when it has one, else the layout."""
    from anjian.enforcement.templates_docx import render_with_office_template

    try:
        data = render_with_office_template(town, doc_type, layout.context)
    except Exception as exc:  # the office's template: its error, not a server error
        raise ValidationError(
            {
                "template": _(
                    "The town's Word template of this document could not be filled in: "
                    "%(reason)s. Correct or remove it under Enforcement settings."
                )
                % {"reason": str(exc)[:300]}
            }
        ) from exc
    return data if data is not None else layout.to_docx()


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
    layout = render_site_record(document, inspection, officers, authority_for(town))
    return _store(actor, document, _write(town, document.doc_type, layout), officers)


@transaction.atomic
def rectification_order_issue(*, actor, inspection_id: int) -> IssuedDocument:
    """One 责令限期整改指令书 covering every hazard the inspection recorded, with their deadlines
    (each hazard then closes on its own in the hazard loop)."""
    inspection = _finished_inspection(actor, inspection_id)
    if existing := _existing(inspection, DocumentType.RECTIFICATION_ORDER):
        return existing
    hazards = _order_hazards(inspection)
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
    layout = render_order(document, inspection, hazards, officers, authority_for(town))
    return _store(actor, document, _write(town, document.doc_type, layout), officers, hazards)


@transaction.atomic
def recheck_opinion_issue(*, actor, order_id: int) -> IssuedDocument:
    """The 整改复查意见书 of an order once its hazards have been re-checked: each hazard's outcome
    (closed / not yet) from the hazard records. The order's officers sign it."""
    order = _order_for(actor, order_id)
    if existing := order.recheck_opinions.first():
        return existing
    hazards = _rechecked_hazards(order)
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
    layout = render_recheck(document, order, hazards, officers, authority_for(order.town))
    data = _write(order.town, document.doc_type, layout)
    return _store(actor, document, data, officers, hazards)


# --- Previewing -----------------------------------------------------------------------------------
# What the document will say, shown before a number is taken: the same layout, with the number's
# place held by "__" (e.g. 场口安监责改〔2026〕__号). Nothing is written and no number is used.


@dataclass
class Preview:
    doc_type: str
    title: str
    label: str = ""
    layout: Layout | None = None
    problems: list[str] = field(default_factory=list)
    existing: IssuedDocument | None = None

    @property
    def can_issue(self) -> bool:
        return self.layout is not None and not self.problems and self.existing is None


def placeholder_label(town: Region, doc_type: str, year: int) -> str:
    """The number as it will print, with "__" where the number goes."""
    try:
        return format_number(town, doc_type, year, "__")
    except (ValueError, KeyError, IndexError):
        return format_number(town, doc_type, year, 0).replace("0", "__")


def _draft(town: Region, doc_type: str, **values) -> IssuedDocument:
    year = timezone.localdate().year
    return IssuedDocument(
        town=town,
        doc_type=doc_type,
        year=year,
        number=0,
        label=placeholder_label(town, doc_type, year),
        issued_at=timezone.now(),
        **values,
    )


def _problems(officers) -> list[str]:
    try:
        _require_two(officers)
    except ValidationError as exc:
        return exc.messages
    return []


def document_preview(*, actor, doc_type: str, inspection_id=None, order_id=None) -> Preview:
    """Preview the site record or the order of a finished inspection (``inspection_id``) or the
    re-check opinion of an order (``order_id``); 404 outside the scope. Problems that would
    refuse the issue (fewer than two certified officers, nothing to order…) are listed."""
    preview = Preview(doc_type=doc_type, title=TITLES[doc_type])
    try:
        if doc_type == DocumentType.RECHECK_OPINION:
            order = _order_for(actor, order_id, lock=False)
            if existing := order.recheck_opinions.first():
                preview.existing = existing
                return preview
            hazards = _rechecked_hazards(order)
            officers = certified_officers(order.officers.order_by("pk"))
            draft = _draft(order.town, doc_type, unit=order.unit, inspection=order.inspection)
            layout = render_recheck(draft, order, hazards, officers, authority_for(order.town))
        else:
            inspection = _finished_inspection(actor, inspection_id, lock=False)
            if existing := _existing(inspection, doc_type):
                preview.existing = existing
                return preview
            town = _town_of(inspection)
            officers = certified_officers(inspection.officers.order_by("pk"))
            draft = _draft(town, doc_type, unit=inspection.unit, inspection=inspection)
            if doc_type == DocumentType.RECTIFICATION_ORDER:
                hazards = _order_hazards(inspection)
                layout = render_order(draft, inspection, hazards, officers, authority_for(town))
            elif doc_type == DocumentType.SITE_RECORD:
                layout = render_site_record(draft, inspection, officers, authority_for(town))
            else:
                raise ValueError(f"no preview for {doc_type!r}")
    except ValidationError as exc:
        preview.problems = exc.messages
        return preview
    preview.label = draft.label
    preview.layout = layout
    preview.problems = _problems(officers)
    return preview


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
