"""Every Word document anjian writes is A4 with the margins of GB/T 9704-2012 and the official
fonts (``anjian.core.docx``), and a short order prints on exactly one page with its signature
block, in LibreOffice."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from anjian.core import docx as layout
from anjian.enforcement import documents
from anjian.enforcement.case_choices import CaseStage
from anjian.enforcement.models import DocumentType, IssuedDocument
from anjian.enforcement.tests.test_case_services import open_case, to_stage
from anjian.enforcement.tests.test_documents import certify, finished_inspection
from anjian.enforcement.tests.test_pdf import SOFFICE, page_count, to_pdf
from anjian.hazards.tests.factories import act, photo

pytestmark = pytest.mark.django_db
TWIP = 635  # EMU


def word_of(document: IssuedDocument):
    with document.file.open("rb") as handle:
        return docx.Document(io.BytesIO(handle.read()))


def same(length, mm: float) -> bool:
    """Word keeps lengths in twips (1/1440 in): equal to the millimetres within one twip."""
    return abs(length - Mm(mm)) <= TWIP


def assert_a4_gbt9704(word) -> None:
    for section in word.sections:
        assert same(section.page_width, 210) and same(section.page_height, 297)
        assert same(section.top_margin, 37) and same(section.bottom_margin, 35)
        assert same(section.left_margin, 28) and same(section.right_margin, 26)


def east_asian_fonts(word) -> set[str]:
    found = set()
    for p in word.paragraphs:
        for run in p.runs:
            fonts = run._element.rPr.rFonts if run._element.rPr is not None else None
            if fonts is not None and fonts.get(qn("w:eastAsia")):
                found.add(fonts.get(qn("w:eastAsia")))
    return found


def test_every_inspection_and_case_document_is_a4_with_the_official_margins_and_fonts(world):
    certify(world.inspector_a, world.town_office_a)
    inspection = finished_inspection(world)
    record = documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)
    order = documents.rectification_order_issue(
        actor=world.inspector_a, inspection_id=inspection.pk
    )
    for hazard in order.hazards.all():
        act(world.enterprise_a, hazard, "submit", photos=[photo()], description="已整改")
        act(world.inspector_a, hazard, "pass")
    opinion = documents.recheck_opinion_issue(actor=world.inspector_a, order_id=order.pk)
    certify(world.inspector_a, world.town_office_a)
    case = to_stage(world, open_case(world), CaseStage.CLOSED)
    issued = [record, order, opinion, *case.documents.all()]
    assert {d.doc_type for d in issued} >= {
        DocumentType.SITE_RECORD,
        DocumentType.RECTIFICATION_ORDER,
        DocumentType.RECHECK_OPINION,
        DocumentType.CASE_APPROVAL,
        DocumentType.PENALTY_DECISION,
    }
    for document in issued:
        word = word_of(document)
        assert_a4_gbt9704(word)
        fonts = east_asian_fonts(word)
        assert layout.TITLE_FONT in fonts and layout.BODY_FONT in fonts, document.doc_type


def test_the_signature_block_is_kept_with_the_last_item(world):
    certify(world.inspector_a, world.town_office_a)
    inspection = finished_inspection(world)
    order = documents.rectification_order_issue(
        actor=world.inspector_a, inspection_id=inspection.pk
    )
    paragraphs = word_of(order).paragraphs
    signature = next(n for n, p in enumerate(paragraphs) if p.text.startswith("执法人员（签名）"))
    # From the paragraph before the signature block to the date, each keeps with the next.
    tail = paragraphs[signature - 2 : -1]
    assert all(p.paragraph_format.keep_with_next for p in tail)
    assert paragraphs[-1].text.endswith("日")


def test_the_reports_are_a4_with_the_official_margins():
    doc = layout.Layout()
    doc.title("2026年安全生产工作总结")
    doc.heading("一、基本情况")
    doc.para("正文", indent=True)
    assert_a4_gbt9704(docx.Document(io.BytesIO(doc.to_docx())))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH")
def test_a_short_order_prints_on_exactly_one_a4_page_with_its_signature(world, tmp_path):
    certify(world.inspector_a, world.town_office_a)
    inspection = finished_inspection(world)
    order = documents.rectification_order_issue(
        actor=world.inspector_a, inspection_id=inspection.pk
    )
    source = tmp_path / "order.docx"
    with order.file.open("rb") as handle:
        source.write_bytes(handle.read())

    pdf = to_pdf(source, tmp_path)

    assert page_count(pdf) == 1
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        info = subprocess.run(
            [pdfinfo, str(pdf)], check=True, capture_output=True, timeout=60
        ).stdout.decode()
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert (round(width), round(height)) == (595, 842)  # A4 in points
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(
            [pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True
        ).stdout.decode()
        squeezed = re.sub(r"\s+", "", text)
        assert order.label in squeezed and "执法人员（签名）" in squeezed
        assert "（印章）" in squeezed
