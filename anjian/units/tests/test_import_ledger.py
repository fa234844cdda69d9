"""A town's register as it really is (issue 18): a title row, grouped headers, the village written
once and merged down, no 类型 column because the whole sheet is industrial enterprises, “约73人”,
ticks; two sheets. Which rows are created, carried, warned and rejected, by row and column; the
value for the whole file asked on the page and in the API; unknown headers mapped and remembered;
the same file twice creates nothing; the audit chain holds after a bulk import."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from anjian.audit.services import audit_verify_chain
from anjian.core.models import ImportHeaderMapping
from anjian.units.importers import units_import_apply, units_import_recheck, units_import_start
from anjian.units.models import Unit
from anjian.units.tests.import_workbooks import code


def register(title: str = "场口镇工业企业名录（2024年）", extra_header: str | None = None) -> bytes:
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"
    notes.append(["村名写一次即可，向下合并。"])
    ws = wb.create_sheet("企业")
    ws.append([title])
    ws.merge_cells("A1:G1")
    ws.append(["序号", "所属村", "企业名称", "统一社会信用代码", "主要负责人", None, "从业人数"])
    ws.append([None, None, None, None, "姓名", "手机", None])
    for cells in ("A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:G3"):
        ws.merge_cells(cells)
    rows = [
        [1, "东梓关村", "梓关一号厂", code(101), "张一", "13800000001", "约73人"],
        [2, None, "梓关二号厂", code(102), "张二", "13800000002", 12],
        [3, None, "梓关三号厂", code(103), "张三", "1380000", "8人"],
        [4, "上沙村", "上沙四号厂", code(104), "李四", None, "７"],
        [5, None, "上沙五号厂", None, "李五", None, "很多"],
        [6, "外星村", "外星六号厂", None, None, None, 3],
    ]
    for row in rows:
        ws.append(row)
    ws.merge_cells("B4:B6")  # 东梓关村 over rows 4–6
    ws.merge_cells("B7:B8")  # 上沙村 over rows 7–8
    if extra_header:
        ws["H2"] = extra_header
        ws["H4"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(content: bytes, name: str = "企业名录.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_real_register_imports_with_merged_villages_carried_and_counts_warned(world):
    run = units_import_start(
        actor=world.town_office_a, town=world.town_a, upload=upload(register())
    )

    assert run.state == "checked", run.job.error
    assert run.report["sheet"] == "企业"
    assert run.report["fixed"] == {"类型": "企业"}  # from the title: 工业企业
    assert run.summary == {
        "rows": 6,
        "skipped": 0,
        "create": 3,
        "update": 0,
        "unchanged": 0,
        "reject": 3,
    }
    rejects = {(r["row"], r["column"]) for r in run.rejects}
    assert rejects == {(6, "主要负责人手机"), (8, "从业人数"), (9, "所属村")}
    preview = {p["row"]: p for p in run.preview}
    assert sorted(preview) == [4, 5, 7]
    assert preview[5]["changes"]["所属村"] == "东梓关村" and preview[5]["carried"] == ["所属村"]
    assert "carried" not in preview[4]
    assert preview[4]["warnings"] == ["“约73人”已按 73 读取。"]
    assert run.report["warned"] == 1  # row 6 (“8人”) was rejected for its phone
    assert run.report["carried"] == 1

    run = units_import_apply(actor=world.town_office_a, run_id=run.pk)

    assert run.state == "applied"
    units = {u.name: u for u in Unit.objects.filter(name__endswith="号厂")}
    assert sorted(units) == ["上沙四号厂", "梓关一号厂", "梓关二号厂"]
    assert units["梓关二号厂"].region == world.village_a1
    assert units["梓关一号厂"].employees == 73 and units["上沙四号厂"].employees == 7
    assert {u.kind for u in units.values()} == {"enterprise"}
    assert audit_verify_chain().ok

    again = units_import_start(
        actor=world.town_office_a, town=world.town_a, upload=upload(register())
    )
    assert (again.summary["create"], again.summary["update"]) == (0, 0)
    assert again.summary["unchanged"] == 3


def test_without_the_kind_anywhere_the_page_asks_and_the_answer_imports(world, client, login):
    content = register(title="场口镇名录")
    login("town_office_a")
    response = client.post(
        "/units/import/", {"town": world.town_a.pk, "file": upload(content)}, follow=True
    )
    run = response.context["run"]
    assert run.state == "failed"
    assert [m["label"] for m in run.report["missing"]] == ["类型"]
    assert "工业企业" not in str(run.report)  # nothing guessed
    page = response.content.decode()
    assert 'name="default:类型"' in page

    response = client.post(
        f"/units/import/{run.pk}/recheck/", {"default:类型": "生产经营单位"}, follow=True
    )
    checked = response.context["run"]
    assert checked.pk != run.pk and checked.state == "checked"
    assert checked.summary["create"] == 3
    assert checked.report["fixed"] == {"类型": "企业"}


def test_the_api_takes_defaults_and_a_mapping_remembered_for_the_town(world, client, login):
    content = register(title="名录", extra_header="企业地址")
    login("town_office_a")
    response = client.post(
        "/api/v1/units/import",
        {"file": upload(content), "defaults": '{"类型": "企业"}'},
        HTTP_X_CSRFTOKEN="x",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "checked" and body["summary"]["create"] == 3
    assert body["reading"]["unknown_headers"] == ["企业地址"]
    assert body["reading"]["fixed"] == {"类型": "企业"}

    response = client.post(
        f"/api/v1/units/import/{body['id']}/recheck", {"mapping": '{"企业地址": "address"}'}
    )
    assert response.status_code == 201, response.content
    rechecked = response.json()
    assert rechecked["reading"]["unknown_headers"] == []
    assert rechecked["preview"][0]["changes"]["企业地址"] == "x"
    assert ImportHeaderMapping.objects.filter(
        region=world.town_a, kind="units", header="企业地址", field="address"
    ).exists()

    # The town's next import of the same header reads it without being told.
    run = units_import_start(
        actor=world.town_office_a,
        town=world.town_a,
        upload=upload(content),
        defaults={"类型": "企业"},
    )
    assert run.report["unknown_headers"] == []

    bad = client.post(
        "/api/v1/units/import", {"file": upload(content), "defaults": "[1"}, HTTP_X_CSRFTOKEN="x"
    )
    assert bad.status_code in {400, 422}


def test_an_old_excel_file_name_is_accepted_and_a_broken_one_refused_with_a_reason(world):
    run = units_import_start(
        actor=world.town_office_a, town=world.town_a, upload=upload(b"\xd0\xcf\x11\xe0", "旧.xls")
    )
    assert run.state == "failed"
    assert ".xls" in run.job.error


def test_recheck_is_refused_for_an_applied_import(world):
    run = units_import_start(
        actor=world.town_office_a, town=world.town_a, upload=upload(register())
    )
    units_import_apply(actor=world.town_office_a, run_id=run.pk)
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        units_import_recheck(actor=world.town_office_a, run_id=run.pk)


def test_the_confirmed_import_writes_in_bulk_not_a_query_per_row(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anjian.units.tests.import_workbooks import clean_workbook

    def queries_to_apply(rows: int, start: int) -> int:
        run = units_import_start(
            actor=world.town_office_a,
            town=world.town_a,
            upload=upload(clean_workbook(rows, start=start)),
        )
        with CaptureQueriesContext(connection) as captured:
            run = units_import_apply(actor=world.town_office_a, run_id=run.pk)
        assert run.state == "applied" and run.summary["create"] == rows
        return len(captured)

    few, many = queries_to_apply(10, 0), queries_to_apply(60, 100)
    assert many - few < 10, (few, many)  # one query per row would add 50
    assert audit_verify_chain().ok
    assert Unit.objects.filter(name__startswith="批量测试").count() == 70
