"""The Word documents of a case, in the standard layouts of the national form set (domain §6):
立案审批表 (case-opening approval form), 行政处罚告知书 (penalty notice), 行政处罚决定书 (penalty
decision) and 结案审批表 (case-closure approval form).

Each is issued by the case's move that needs it (``case_services``), in the same transaction: the
one already issued for the case is returned again; the case's officers (at least two, with valid
certificates) are printed; the number comes from ``document_issue`` (per town, type and year); the
issuing authority is printed as domain §4.5 says (``documents.authority_for``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from anjian.core.docx import Layout
from anjian.enforcement.case_money import case_money
from anjian.enforcement.case_workflow import PAYMENT_DAYS, STATEMENT_DAYS
from anjian.enforcement.documents import (
    Authority,
    Preview,
    _authority_foot,
    _draft,
    _facts_table,
    _new_document,
    _officer_line,
    _para,
    _people,
    _problems,
    _require_two,
    _store,
    _write,
    authority_for,
    certified_officers,
    cn_date,
)
from anjian.enforcement.models import Case, DocumentType, IssuedDocument
from anjian.enforcement.services import document_issue

TITLES = {
    DocumentType.CASE_APPROVAL: "立案审批表",
    DocumentType.PENALTY_NOTICE: "行政处罚告知书",
    DocumentType.PENALTY_DECISION: "行政处罚决定书",
    DocumentType.CLOSURE_APPROVAL: "结案审批表",
}


def yuan(amount: Decimal | None) -> str:
    """20000.00 → 人民币20000元 (cents only when there are some)."""
    if amount is None:
        return "—"
    text = f"{amount:.2f}".removesuffix(".00")
    return f"人民币{text}元"


def _person(user) -> str:
    return getattr(user, "name", "") or user.get_username()


def _source(case: Case) -> str:
    parts = []
    if case.inspection_id:
        when = timezone.localdate(case.inspection.started_at)
        parts.append(f"{cn_date(when)}现场检查发现")
    codes = [h.code for h in case.hazards.order_by("pk")]
    if codes:
        parts.append(f"隐患（编号 {'、'.join(codes)}）")
    return "；".join(parts) or "其他"


def _party_rows(case: Case) -> list[tuple[str, str]]:
    unit = case.unit
    rows = [("当事人", case.party_name)]
    if case.party_type == "individual":
        rows.append(("所在单位", unit.name))
    else:
        rows += [
            ("统一社会信用代码", unit.credit_code or ""),
            ("法定代表人（负责人）", unit.legal_representative or unit.principal_name),
        ]
    rows += [("地址", unit.address), ("联系电话", unit.principal_mobile)]
    return rows


def _basis(case: Case) -> str:
    return str(case.provision)


def _penalty_words(case: Case, amount: Decimal | None) -> str:
    parts = []
    if case.provision.warning:
        parts.append("警告")
    if amount:
        parts.append(f"罚款{yuan(amount)}")
    return "、".join(parts) or "不予罚款"


def _case_context(doc: Layout, case: Case, officers) -> None:
    _people(doc, case.unit, officers)
    doc.context.update(
        {
            "party": case.party_name,
            "cause": case.cause,
            "facts_text": case.facts,
            "provision": _basis(case),
            "penalty_text": case.provision.penalty_text,
            "case_number": case.number,
        }
    )


def _approval_block(doc, label: str, person, when: datetime.date | None) -> None:
    doc.keep_to_end()
    name = _person(person) if person else "________"
    _para(doc, f"{label}：同意。　　签名：{name}　　日期：{cn_date(when)}")


def render_case_approval(document, case: Case, officers, authority: Authority) -> Layout:
    doc = _new_document(authority, TITLES[DocumentType.CASE_APPROVAL], document.label)
    _facts_table(
        doc,
        [
            ("案由", case.cause),
            ("案件来源", _source(case)),
            *_party_rows(case),
            ("简要案情", case.facts),
            ("涉嫌违反", _basis(case)),
            ("处罚依据", f"{_basis(case)}：{case.provision.penalty_text}"),
            ("承办人", _officer_line(officers)),
        ],
    )
    _para(doc, "")
    _para(doc, "承办人意见：经初步调查，当事人涉嫌违法，建议立案调查。")
    _para(doc, f"承办人（签名）：{'、'.join(_person(p) for p, _n in officers)}")
    _approval_block(doc, "审批意见", case.approved_by, case.opened_on)
    _authority_foot(doc, authority, case.opened_on or timezone.localdate())
    return doc


def render_penalty_notice(document, case: Case, officers, authority: Authority) -> Layout:
    doc = _new_document(authority, TITLES[DocumentType.PENALTY_NOTICE], document.label)
    _para(doc, f"{case.party_name}：")
    _para(
        doc, f"经调查，你{'单位' if case.party_type == 'organisation' else ''}{case.facts.strip()}"
    )
    _para(doc, f"以上事实违反了{_basis(case)}的规定。")
    _para(
        doc,
        f"依据{_basis(case)}（{case.provision.penalty_text}），本机关拟对你"
        f"{'单位' if case.party_type == 'organisation' else ''}作出以下行政处罚："
        f"{_penalty_words(case, case.proposed_fine)}。",
    )
    _para(
        doc,
        f"根据《中华人民共和国行政处罚法》的规定，你有权进行陈述和申辩，并可依法要求举行听证。"
        f"请于收到本告知书之日起{STATEMENT_DAYS}日内（{cn_date(case.statement_due)}前）"
        "向本机关提出陈述、申辩或者听证要求；逾期未提出的，视为放弃上述权利。",
    )
    doc.keep_to_end()
    _para(doc, f"承办人：{_officer_line(officers)}")
    _para(doc, "当事人（签收）：____________    日期：____年__月__日")
    _authority_foot(doc, authority, case.notified_on or timezone.localdate())
    return doc


def render_penalty_decision(document, case: Case, officers, authority: Authority) -> Layout:
    doc = _new_document(authority, TITLES[DocumentType.PENALTY_DECISION], document.label)
    _facts_table(doc, _party_rows(case))
    _para(doc, "")
    _para(doc, f"违法事实及证据：{case.facts.strip()}")
    if case.statement:
        _para(doc, f"当事人陈述申辩意见：{case.statement.strip()}")
    _para(doc, f"以上行为违反了{_basis(case)}的规定，")
    _para(
        doc,
        f"依据{_basis(case)}（{case.provision.penalty_text}），决定给予以下行政处罚："
        f"{_penalty_words(case, case.decided_fine)}。",
    )
    if case.decided_fine:
        _para(
            doc,
            f"罚款限于收到本决定书之日起{PAYMENT_DAYS}日内（{cn_date(case.payment_due)}前）"
            "缴至指定银行或者通过电子支付系统缴纳。到期不缴纳罚款的，"
            "每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额。",
        )
    _para(
        doc,
        f"如不服本决定，可以在收到本决定书之日起六十日内向{authority.reconsideration_body}"
        f"申请行政复议，或者在六个月内依法向{authority.court}提起行政诉讼，"
        "但本决定不停止执行，法律另有规定的除外。",
    )
    doc.keep_to_end()
    _para(doc, f"执法人员：{_officer_line(officers)}")
    _authority_foot(doc, authority, case.decided_on or timezone.localdate())
    return doc


def render_closure_approval(document, case: Case, officers, authority: Authority) -> Layout:
    doc = _new_document(authority, TITLES[DocumentType.CLOSURE_APPROVAL], document.label)
    decision = case.documents.filter(doc_type=DocumentType.PENALTY_DECISION).first()
    payments = list(case.payments.order_by("paid_on", "pk"))
    figures = case_money(case, payments[-1].paid_on if payments else None)
    paid = "；".join(
        f"{cn_date(p.paid_on)}缴纳{yuan(p.amount)}（收据号 {p.receipt_number}）" for p in payments
    )
    _facts_table(
        doc,
        [
            ("案件编号", case.number),
            ("案由", case.cause),
            *_party_rows(case)[:1],
            ("立案日期", cn_date(case.opened_on)),
            ("处罚依据", _basis(case)),
            (
                "处理结果",
                f"{decision.label if decision else ''}行政处罚决定书："
                f"{_penalty_words(case, case.decided_fine)}",
            ),
            (
                "执行情况",
                f"罚款{yuan(figures['fine'])}，加处罚款{yuan(figures['late_fee'])}，"
                f"已缴纳{yuan(figures['paid'])}。{paid}",
            ),
            ("承办人", _officer_line(officers)),
        ],
    )
    _para(doc, "")
    _para(doc, "承办人意见：行政处罚决定已执行完毕，建议结案。")
    _approval_block(doc, "审批意见", case.closed_by, case.closed_on)
    _authority_foot(doc, authority, case.closed_on or timezone.localdate())
    return doc


RENDER = {
    DocumentType.CASE_APPROVAL: render_case_approval,
    DocumentType.PENALTY_NOTICE: render_penalty_notice,
    DocumentType.PENALTY_DECISION: render_penalty_decision,
    DocumentType.CLOSURE_APPROVAL: render_closure_approval,
}


def case_document_preview(*, case: Case, doc_type: str) -> Preview:
    """The case's document of ``doc_type`` as it would print (``case`` may carry the values of
    the move not yet made), with "__" where the number goes; nothing is written."""
    preview = Preview(doc_type=doc_type, title=TITLES[doc_type])
    if existing := IssuedDocument.objects.filter(case_id=case.pk, doc_type=doc_type).first():
        preview.existing = existing
        return preview
    officers = certified_officers(case.officers.order_by("pk"))
    preview.problems = _problems(officers)
    draft = _draft(case.town, doc_type, unit=case.unit, inspection=case.inspection)
    preview.label = draft.label
    preview.layout = RENDER[doc_type](draft, case, officers, authority_for(case.town))
    _case_context(preview.layout, case, officers)
    return preview


def case_document_issue(*, actor, case: Case, doc_type: str) -> IssuedDocument:
    """Issue (or return) the case's document of ``doc_type``; call inside the move's transaction.
    The number is taken for the case's town; whoever may take the move signs it off (a leader who
    approves has no issuing role of their own, so the numbering is asked without an actor)."""
    if existing := IssuedDocument.objects.filter(case=case, doc_type=doc_type).first():
        return existing
    officers = certified_officers(case.officers.order_by("pk"))
    _require_two(officers)
    document = document_issue(
        actor=None,
        town=case.town,
        doc_type=doc_type,
        unit=case.unit,
        inspection=case.inspection,
        title=f"{case.party_name}{TITLES[doc_type]}",
    )
    document.case = case
    document.issued_by = actor if getattr(actor, "pk", None) else None
    document.save(update_fields=["case", "issued_by"])
    layout = RENDER[doc_type](document, case, officers, authority_for(case.town))
    _case_context(layout, case, officers)
    data = _write(case.town, doc_type, layout)
    return _store(actor, document, data, officers, list(case.hazards.all()))
