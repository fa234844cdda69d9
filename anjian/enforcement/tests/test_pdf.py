"""A generated Word document prints as the office expects: the rectification order (责令限期整改
指令书) converted to PDF by LibreOffice fits on one or two pages and carries its number.

LibreOffice runs headless in a temporary folder with its own temporary profile
(``-env:UserInstallation``), so parallel test runs do not share (and lock) one profile. Without
``soffice`` on PATH the test is skipped (``make`` installs Debian's ``libreoffice-writer-nogui``).
The page count comes from pypdf when it is installed, otherwise from the PDF's page objects; the
text check needs ``pdftotext`` (poppler-utils) and is left out without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from anjian.enforcement import documents
from anjian.enforcement.models import OfficerCertificate
from anjian.inspections import services as inspections
from anjian.inspections.tests.factories import answer_all, finish, make_checklist

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
FAILED = ("配电箱完好，线路无裸露", "安全出口和疏散通道畅通")


def page_count(pdf: Path) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        data = pdf.read_bytes()
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    return len(PdfReader(str(pdf)).pages)


def to_pdf(source: Path, workdir: Path) -> Path:
    profile = workdir / "lo-profile"
    out = workdir / "out"
    out.mkdir()
    completed = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(source),
        ],
        check=False,
        timeout=180,
        capture_output=True,
    )
    pdf = out / (source.stem + ".pdf")
    assert pdf.exists(), completed.stderr.decode(errors="replace")[-2000:]
    return pdf


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not on PATH: apt-get install libreoffice-writer-nogui",
)
def test_the_rectification_order_prints_on_one_or_two_pages_with_its_number(world, tmp_path):
    for n, person in enumerate((world.inspector_a, world.town_office_a), 1):
        OfficerCertificate.objects.create(user=person, number=f"330111{n:04d}")
    inspection = inspections.inspection_start(
        actor=world.inspector_a,
        unit_id=world.unit_a.pk,
        checklist_id=make_checklist().pk,
        place="一号车间",
        officers=[world.town_office_a.pk],
    )
    answer_all(world.inspector_a, inspection, "pass", **dict.fromkeys(FAILED, "fail"))
    finish(world.inspector_a, inspection, working_days=5)
    order = documents.rectification_order_issue(
        actor=world.inspector_a, inspection_id=inspection.pk
    )
    source = tmp_path / "order.docx"
    with order.file.open("rb") as handle:
        source.write_bytes(handle.read())

    pdf = to_pdf(source, tmp_path)

    assert pdf.read_bytes().startswith(b"%PDF")
    assert 1 <= page_count(pdf) <= 2
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(
            [pdftotext, "-enc", "UTF-8", str(pdf), "-"],
            check=True,
            timeout=60,
            capture_output=True,
        ).stdout.decode("utf-8")
        squeezed = re.sub(r"\s+", "", text)
        assert order.label in squeezed, squeezed[:500]
        assert "责令限期整改指令书" in squeezed
