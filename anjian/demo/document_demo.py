"""Demo data of the unit files (一企一档): a few documents and people per demo enterprise.

``load_demo_documents(report)`` is idempotent: documents are looked up by (unit, type, number) and
people by (unit, role, name) before anything is created, so a second run creates nothing. Dates
are relative to the day of the first run: some documents expire within 30 days, one has expired.
Every scan is a tiny generated PDF saying that the document is fictional.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from anjian.units.documents import document_create, person_create
from anjian.units.models import DocumentType, PersonRole, Unit, UnitDocument, UnitKind, UnitPerson

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "海燕", "志强", "丽萍", "国庆", "春梅", "伟东", "晓军", "玉芳", "明辉", "金林"]
MARKET_REGULATOR = "杭州市富阳区市场监督管理局"
EVALUATOR = "富春安全技术服务有限公司（演示）"
INSURER = "中国人民财产保险股份有限公司富阳支公司（演示）"
CERT_ISSUER = "浙江省应急管理厅"


def demo_pdf(text: str) -> bytes:
    """A minimal, valid one-page PDF showing ``text`` (ASCII)."""
    safe = text.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 40 780 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _person_name(i: int, shift: int) -> str:
    return SURNAMES[(i * 7 + shift) % len(SURNAMES)] + GIVEN[(i * 3 + shift) % len(GIVEN)]


def _person(report, unit: Unit, role: str, name: str, **fields) -> UnitPerson:
    # One principal and one demo safety officer per unit, whatever their names became since.
    same = UnitPerson.objects.filter(unit=unit, role=role)
    if role == PersonRole.CERTIFIED_WORKER:
        same = same.filter(name=name)
    existing = same.order_by("pk").first()
    if existing is not None:
        return existing
    person = person_create(actor=None, unit_id=unit.pk, role=role, name=name, **fields)
    report.add("unit people")
    return person


def _document(report, unit: Unit, doc_type: str, number: str, **fields) -> UnitDocument:
    existing = UnitDocument.objects.filter(unit=unit, doc_type=doc_type, number=number).first()
    if existing is not None:
        return existing
    label = f"DEMO {doc_type} {number} - fictional document of demo unit #{unit.pk}"
    document = document_create(
        actor=None,
        unit_id=unit.pk,
        doc_type=doc_type,
        number=number,
        file=ContentFile(demo_pdf(label), name="demo.pdf"),
        **fields,
    )
    report.add("unit documents")
    return document


@transaction.atomic
def load_demo_documents(report, *, town_code: str | None = None) -> None:
    """Documents and people for every demo enterprise of the demo town."""
    from anjian.demo import town

    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    enterprises = Unit.objects.filter(
        kind=UnitKind.ENTERPRISE, region__parent__code=town_code or town.TOWN_CODE
    ).order_by("pk")
    for i, unit in enumerate(enterprises):
        year = today.year
        _person(
            report,
            unit,
            PersonRole.PRINCIPAL,
            unit.principal_name or _person_name(i, 0),
            mobile=f"1375710{i:04d}",
        )
        _person(
            report,
            unit,
            PersonRole.SAFETY_OFFICER,
            _person_name(i, 5),
            mobile=f"1375720{i:04d}",
        )
        _document(
            report,
            unit,
            DocumentType.BUSINESS_LICENCE,
            unit.credit_code or f"DEMO-YYZZ-{i:04d}",
            title="营业执照",
            issuer=MARKET_REGULATOR,
            valid_from=datetime.date(2015 + i % 8, 1 + i % 12, 1 + i % 28),
        )
        if i == 5:  # one evaluation has expired
            evaluation_to = today - 12 * day
        elif i % 4 == 2:  # expiring within 30 days
            evaluation_to = today + (10 + i % 15) * day
        else:
            evaluation_to = today + (150 + 7 * i) * day
        _document(
            report,
            unit,
            DocumentType.SAFETY_EVALUATION,
            f"FCAP-{year - 1}-{i + 1:03d}",
            title="安全现状评价报告",
            issuer=EVALUATOR,
            valid_from=evaluation_to - 3 * 365 * day,
            valid_to=evaluation_to,
        )
        insurance_to = today + (9 * day if i % 6 == 3 else (90 + 5 * i) * day)
        _document(
            report,
            unit,
            DocumentType.INSURANCE,
            f"PICC-AZX-{year}-{i + 1:04d}",
            title="安全生产责任保险保单",
            issuer=INSURER,
            valid_from=insurance_to - 365 * day,
            valid_to=insurance_to,
        )
        if i % 3 == 0:  # a certified worker with a special-operation certificate
            cert_to = today + (25 if i % 9 == 0 else 400 + i) * day
            worker = _person(
                report,
                unit,
                PersonRole.CERTIFIED_WORKER,
                _person_name(i, 11),
                mobile=f"1375730{i:04d}",
                certificate_type="电工作业（低压电工）",
                certificate_no=f"T3301{i:013d}",
                certificate_valid_to=cert_to,
            )
            _document(
                report,
                unit,
                DocumentType.SPECIAL_OPERATION,
                f"T3301{i:013d}",
                title=f"特种作业操作证（{worker.name}）",
                issuer=CERT_ISSUER,
                valid_from=cert_to - 6 * 365 * day,
                valid_to=cert_to,
                person_id=worker.pk,
            )
