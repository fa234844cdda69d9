"""Checklists in and out of Excel: a round trip keeps every item; bad cells are named by row and
column and nothing is written."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from anjian.accounts.services import api_token_issue
from anjian.inspections import templates as services
from anjian.inspections.models import ChecklistItem, ChecklistTemplate
from anjian.inspections.template_excel import COLUMNS, version_import_xlsx, version_xlsx

pytestmark = pytest.mark.django_db
API = "/api/v1/checklists"
FIELDS = ("text", "legal_basis", "hazard_level", "hazard_category", "is_major_criterion",
          "criterion_ref", "guidance")  # fmt: skip


def rows_of(version) -> list[tuple]:
    return [
        (item.section.title, *(getattr(item, f) for f in FIELDS))
        for item in ChecklistItem.objects.filter(section__version=version)
        .select_related("section")
        .order_by("section__order", "order")
    ]


def draft_copy(world, code="confined-space"):
    source = ChecklistTemplate.objects.get(region__isnull=True, code=code)
    copy = services.template_copy(actor=world.town_office_a, template_id=source.pk)
    return source.versions.get(), copy.versions.get()


def workbook(rows, header=COLUMNS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("检查表.xlsx", buf.getvalue())


def test_export_then_import_gives_the_same_items(world):
    v1, draft = draft_copy(world)
    content = version_xlsx(v1)
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    services.section_add(actor=world.town_office_a, version_id=draft.pk, title="将被替换")
    version_import_xlsx(
        actor=world.town_office_a,
        version_id=draft.pk,
        upload=SimpleUploadedFile("v1.xlsx", content),
    )
    assert rows_of(draft) == rows_of(v1)
    assert any(row[5] for row in rows_of(draft))  # the major criteria came back


def test_import_names_each_bad_cell_and_writes_nothing(world):
    _v1, draft = draft_copy(world)
    before = rows_of(draft)
    upload = workbook(
        [
            ("通风检测", 1, "先通风再检测", "规定", "一般", "有限空间", "否", "", ""),
            ("", 2, "", "规定", "特大", "有限空间", "否", "", ""),
            ("", "二", "监护到位", "", "重大", "天气", "也许", "", ""),
        ]
    )
    with pytest.raises(ValidationError) as exc:
        version_import_xlsx(actor=world.town_office_a, version_id=draft.pk, upload=upload)
    errors = exc.value.message_dict["file"]
    text = "\n".join(errors)
    for row, column in ((3, "检查内容"), (3, "隐患等级"), (4, "序号"), (4, "隐患类别"),
                        (4, "重大隐患判定")):  # fmt: skip
        assert any(str(row) in e and column in e for e in errors), (row, column, text)
    assert len(errors) == 5
    assert rows_of(draft) == before


def test_import_reads_short_words_and_continues_merged_sections(world):
    _v1, draft = draft_copy(world)
    upload = workbook(
        [
            ("台账", 2, "建立台账", "《安全生产法》", "一般", "management", "否", "", ""),
            (
                "",
                1,
                "设置警示标志",
                "",
                "一般",
                "有限空间",
                "是",
                "工贸重大隐患判定标准 第十三条",
                "",
            ),
            ("作业", None, "作业审批", "", "重大", "confined_space", "", "", "查看审批单"),
        ]
    )
    version_import_xlsx(actor=world.town_office_a, version_id=draft.pk, upload=upload)
    rows = rows_of(draft)
    assert [r[0] for r in rows] == ["台账", "台账", "作业"]
    assert rows[0][1] == "设置警示标志" and rows[0][3] == "major" and rows[0][5]
    assert rows[1][4] == "management"
    assert rows[2][3] == "major" and rows[2][7] == "查看审批单"


def test_import_refuses_a_file_that_is_not_a_workbook_or_lacks_columns(world):
    _v1, draft = draft_copy(world)
    with pytest.raises(ValidationError):
        version_import_xlsx(
            actor=world.town_office_a,
            version_id=draft.pk,
            upload=SimpleUploadedFile("x.xlsx", b"not a workbook"),
        )
    with pytest.raises(ValidationError) as exc:
        version_import_xlsx(
            actor=world.town_office_a,
            version_id=draft.pk,
            upload=workbook([("a", "b")], header=("标题", "内容")),
        )
    assert "检查内容" in exc.value.message_dict["file"][0]


def test_import_page_lists_the_errors_and_api_import_and_export(world, client, login):
    v1, draft = draft_copy(world)
    login("town_office_a")
    url = reverse("inspections:checklist_import", args=[draft.pk])
    bad = workbook([("分项一", 1, "", "", "一般", "", "否", "", "")])
    response = client.post(url, {"file": bad})
    assert response.status_code == 422
    assert "检查内容" in response.content.decode()
    export = client.get(reverse("inspections:checklist_version_xlsx", args=[v1.pk]))
    assert export.status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("v1.xlsx", export.content)})
    assert response.status_code == 302
    assert rows_of(draft) == rows_of(v1)

    office = {
        "HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=world.town_office_a, name='t').raw}"
    }
    exported = client.get(f"{API}/versions/{v1.pk}/xlsx", **office)
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = workbook([("分项一", 1, "内容", "", "特大", "", "否", "", "")])
    response = client.post(f"{API}/versions/{draft.pk}/import", {"file": bad}, **office)
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert any("2" in d["message"] and "隐患等级" in d["message"] for d in details)
    good = SimpleUploadedFile("v1.xlsx", exported.content)
    response = client.post(f"{API}/versions/{draft.pk}/import", {"file": good}, **office)
    assert response.status_code == 200, response.content
    other = {
        "HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=world.town_office_b, name='t').raw}"
    }
    good = SimpleUploadedFile("v1.xlsx", exported.content)
    response = client.post(f"{API}/versions/{draft.pk}/import", {"file": good}, **other)
    assert response.status_code == 404
