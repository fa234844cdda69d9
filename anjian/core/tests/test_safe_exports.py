"""What a user typed reaches every exported file as typed: never as a live Excel formula, never
breaking the file with a control character (issue 16 §4)."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import Workbook, load_workbook

from anjian.core.export import XLSX_TYPE, append_row, workbook_bytes, write_cell
from anjian.core.safe_text import csv_text, sheet_title, xml_text
from anjian.core.views import ScopedListView

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
NASTY = (HYPERLINK, "+1", "-1", "@SUM(A1)", "a\x07b")
SHOWN = (HYPERLINK, "+1", "-1", "@SUM(A1)", "ab")  # the control character is dropped


def _cells(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def assert_text_stays_text(content: bytes) -> set[str]:
    """No cell is a formula; every text a spreadsheet would evaluate is stored as text with the
    quote prefix. Returns the texts of the workbook."""
    texts = set()
    for cell in _cells(content):
        assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            texts.add(cell.value)
            if cell.value and cell.value[0] in "=+-@":
                assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    return texts


# --- The helpers ------------------------------------------------------------------------------


def test_the_cell_writer_keeps_formula_like_text_as_text():
    wb = Workbook()
    ws = wb.active
    for row, text in enumerate(NASTY, start=1):
        write_cell(ws, row, 1, text)
    append_row(ws, [*NASTY, 7, -3, datetime.date(2026, 1, 2), None])
    buf = io.BytesIO()
    wb.save(buf)
    texts = assert_text_stays_text(buf.getvalue())
    assert set(SHOWN) <= texts
    last = load_workbook(io.BytesIO(buf.getvalue())).active[len(NASTY) + 1]
    assert [c.value for c in last[5:8]] == [7, -3, datetime.datetime(2026, 1, 2)]


def test_a_write_only_sheet_gets_the_same_cells():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    append_row(ws, NASTY)
    buf = io.BytesIO()
    wb.save(buf)
    assert set(SHOWN) <= assert_text_stays_text(buf.getvalue())


def test_workbook_bytes_takes_any_title():
    content = workbook_bytes("通用检查表（工业企业/小微企业）v1", [], [])
    assert load_workbook(io.BytesIO(content)).sheetnames == ["通用检查表（工业企业 小微企业）v1"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("a/b\\c[d]:e*f?g", "a b c d  e f g"),
        ("'引号'", "引号"),
        ("a\x07b", "ab"),
        ("", "Sheet1"),
        ("///", "Sheet1"),
        ("长" * 40, "长" * 31),
    ],
)
def test_sheet_titles_are_names_excel_accepts(title, expected):
    assert sheet_title(title) == expected
    Workbook().active.title = sheet_title(title)  # openpyxl accepts it


def test_xml_text_drops_only_what_xml_cannot_hold():
    assert xml_text("a\x00\x07\x0b\x1fb\tc\nd\re\ufffe") == "ab\tc\nd\re"
    assert xml_text(None) == "" and xml_text(12) == "12"


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_fields_that_start_a_formula_get_an_apostrophe(text):
    assert csv_text(text) == f"'{text}"


def test_csv_fields_otherwise_stay_as_they_are():
    assert csv_text("东梓关村1号") == "东梓关村1号"
    assert csv_text(-1) == -1 and csv_text(None) is None


# --- Every export -----------------------------------------------------------------------------


def _list_exports() -> list[str]:
    """The url names of every list with an Excel export (``ScopedListView.export_columns``)."""
    names = []

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
                continue
            view = getattr(p.callback, "view_class", None)
            if (
                view
                and issubclass(view, ScopedListView)
                and view.export_columns
                and not p.pattern.converters
            ):
                names.append(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    return sorted(set(names))


LIST_EXPORTS = _list_exports()
# The lists that show the texts of the records made below.
SHOWS_TEXTS = {"hazards:hazard_list", "hazards:tipoff_list", "cases:provision_list"}


@pytest.fixture
def nasty(world):
    """A hazard, an anonymous tip-off and a legal provision whose texts are NASTY."""
    from anjian.enforcement.case_services import provision_create
    from anjian.hazards.tests.factories import make_hazard
    from anjian.hazards.tipoffs import tipoff_submit

    make_hazard(
        world.town_office_a,
        world.unit_a,
        location=HYPERLINK,
        description="a\x07b",
        requirement="+1",
        responsible_person="-1",
    )
    make_hazard(world.town_office_a, world.unit_a, location="@SUM(A1)")
    for contact, place in ((HYPERLINK, "+1"), ("-1", "@SUM(A1)")):
        tipoff_submit(
            town_id=world.town_a.pk,
            place=place,
            description="a\x07b 消防通道被堵",
            contact_name=contact,
            client_hash=f"h-{place}",
        )
    for i, law in enumerate(NASTY):
        provision_create(
            actor=world.town_office_a,
            law=law,
            article=f"第{i}条",
            violation="a\x07b",
            penalty_text="+1",
        )
    return world


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "x", must_change_password=False)


def test_every_list_export_is_found():
    assert set(LIST_EXPORTS) >= SHOWS_TEXTS
    assert len(LIST_EXPORTS) >= 20


@pytest.mark.parametrize("name", LIST_EXPORTS)
def test_every_list_export_writes_text_as_text(client, nasty, name):
    client.force_login(_superuser())
    response = client.get(reverse(name), {"export": "xlsx"})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_TYPE
    texts = assert_text_stays_text(response.content)
    if name in SHOWS_TEXTS:
        joined = "\n".join(texts)
        for text in SHOWN:
            assert text in joined, (name, text)


def test_the_shipped_checklist_exports(client, world):
    from anjian.inspections.models import ChecklistTemplate
    from anjian.inspections.templates import published_version

    client.force_login(world.town_office_a)
    template = ChecklistTemplate.objects.get(name="通用检查表（工业企业/小微企业）")
    version = published_version(template)
    response = client.get(reverse("inspections:checklist_version_xlsx", args=[version.pk]))
    assert response.status_code == 200
    assert_text_stays_text(response.content)


def test_the_statistics_and_dashboard_exports_write_text_as_text(client, nasty):
    client.force_login(nasty.town_office_a)
    for url in ("/api/v1/statistics/figures/xlsx", "/dashboard/chart.xlsx"):
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"] == XLSX_TYPE:
            assert_text_stays_text(response.content)


def test_the_meeting_pack_and_summary_take_control_characters(client, nasty):
    from anjian.hazards.tests.factories import make_hazard
    from anjian.reports.services import meeting_create
    from anjian.stats.periods import PeriodKind, period_make

    make_hazard(nasty.town_office_a, nasty.unit_a, level="major", location="车间\x07二楼")
    today = datetime.date.today()
    meeting = meeting_create(
        actor=nasty.town_office_a,
        held_on=today,
        period=period_make(PeriodKind.YEAR, year=today.year),
        title="分析会\x07",
        notes="a\x07b",
    )
    client.force_login(nasty.town_office_a)
    response = client.get(reverse("reports:meeting_docx", args=[meeting.pk]))
    assert response.status_code == 200
    body = zipfile.ZipFile(io.BytesIO(response.content)).read("word/document.xml").decode()
    assert "分析会" in body and "\x07" not in body


def test_the_exchange_csv_prefixes_formula_like_text(client, nasty):
    client.force_login(nasty.town_office_a)
    response = client.post(
        "/api/v1/exchange/export",
        {"kind": "hazard", "system": "hangzhou", "file_format": "csv", "only_without_id": False},
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x",
    )
    if response.status_code == 403:  # the session needs a CSRF token: use a bearer token
        from anjian.accounts.services import api_token_issue

        token = api_token_issue(user=nasty.town_office_a, name="t").raw
        response = client.post(
            "/api/v1/exchange/export",
            {
                "kind": "hazard",
                "system": "hangzhou",
                "file_format": "csv",
                "only_without_id": False,
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    cells = {cell for row in rows[1:] for cell in row}
    assert f"'{HYPERLINK}" in cells and "'@SUM(A1)" in cells
    assert not [cell for cell in cells if cell and cell[0] in "=+-@"]


# --- Nothing goes around the helpers ------------------------------------------------------------

_BY_HAND = {
    "an Excel cell written by hand": re.compile(
        r"\.cell\([^)]*value=|\b(ws|sheet|help_sheet)\.append\(|\bws\[\"[A-Z]+\d+\"\]\s*="
    ),
    "a sheet title not made by sheet_title": re.compile(r"\.title = (?!sheet_title\()"),
    "Word text not put through xml_text": re.compile(
        r"\.add_run\((?!xml_text\(|\))|\.add_paragraph\((?!\))|\.add_heading\(|\.text = "
    ),
}


def test_every_excel_and_word_writer_goes_through_the_helpers():
    root = Path(__file__).resolve().parents[3]
    offenders = []
    for path in sorted([*(root / "anjian").rglob("*.py"), *(root / "config").rglob("*.py")]):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "export.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "openpyxl" not in text and "docx" not in text:
            continue
        for what, pattern in _BY_HAND.items():
            if what.startswith("a sheet") and "openpyxl" not in text:
                continue
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(root)}:{line}: {what}")
    assert not offenders, "\n".join(offenders)
