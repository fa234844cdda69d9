"""Import of units from the town's own Excel workbook: dry run, confirmation, idempotence,
rejections by row and column, the error sheet, the template, access, the background path."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from anjian.audit.models import AuditEntry
from anjian.core.exceptions import ActionNotPermitted
from anjian.core.models import ImportRun, Job, JobStatus
from anjian.units.importers import units_import_apply, units_import_start
from anjian.units.models import DocumentType, Unit, UnitDocument
from anjian.units.services import unit_create
from anjian.units.tests.import_workbooks import LICENCE_DATE, clean_workbook, code, messy_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(content: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def start(world, content: bytes, name: str = "台账.xlsx", actor=None) -> ImportRun:
    return units_import_start(
        actor=actor or world.town_office_a, town=world.town_a, upload=upload(content, name)
    )


@pytest.fixture
def existing(world):
    """Registered units: one the sheet leaves unchanged, one it updates by its credit code and
    one of the other town whose code the sheet uses."""
    unchanged = unit_create(
        actor=world.town_office_a,
        name="场口已登记机械厂",
        region=world.village_a2,
        kind="enterprise",
        credit_code=code(999, "91330111MA4L"),
        address="上沙村99号",
    )
    by_code = unit_create(
        actor=world.town_office_a,
        name="场口按代码更新厂",
        region=world.village_a1,
        kind="enterprise",
        credit_code=code(998, "91330111MA4L"),
        address="东梓关村98号",
    )
    other = unit_create(
        actor=None,
        name="常安外镇厂",
        region=world.village_b1,
        kind="enterprise",
        credit_code=code(997, "91330111MA4L"),
    )
    return {"unchanged_unit": unchanged, "by_code_unit": by_code, "other_town_unit": other}


def test_a_messy_workbook_imports_exactly_the_right_rows(world, existing):
    content, expected = messy_workbook(world, **existing)
    before = Unit.objects.count()

    run = start(world, content)

    assert run.state == "checked"
    assert run.summary == {
        "rows": len(expected.created)
        + len(expected.updated)
        + len(expected.unchanged)
        + len(expected.rejects),
        "skipped": expected.skipped,
        "create": len(expected.created),
        "update": len(expected.updated),
        "unchanged": len(expected.unchanged),
        "reject": len(expected.rejects),
    }
    assert Unit.objects.count() == before  # a dry run saves nothing
    got = {r["row"]: (r["column"], r["message"]) for r in run.rejects}
    assert set(got) == set(expected.rejects)
    for row, (column, text) in expected.rejects.items():
        assert got[row][0] == column, (row, got[row])
        assert text in got[row][1], (row, got[row])

    run = units_import_apply(actor=world.town_office_a, run_id=run.pk)

    assert run.state == "applied"
    assert Unit.objects.count() == before + len(expected.created)
    town_units = set(
        Unit.objects.filter(region__parent=world.town_a).values_list("name", flat=True)
    )
    assert set(expected.created) <= town_units
    sample = Unit.objects.get(name="场口测试000号五金有限公司")  # typed with stray spaces
    assert sample.credit_code == code(0)  # typed in lower case
    assert sample.region == world.village_a1  # "东梓关村"
    assert (sample.employees, sample.size, sample.status) == (10, "above", "operating")
    assert sorted(c.name for c in sample.categories.all()) == ["有限空间作业", "粉尘涉爆"]
    assert sample.principal_mobile == "13800000000"  # typed "138 0000 0000"
    # Dates in every form (text, serial number, full width) are the same day.
    licences = UnitDocument.objects.filter(
        unit__name__startswith="场口测试", doc_type=DocumentType.BUSINESS_LICENCE
    )
    assert licences.count() == len(expected.created)
    assert set(licences.values_list("valid_to", flat=True)) == {LICENCE_DATE}
    assert Unit.objects.get(name="场口测试004号五金有限公司").region == world.village_a2
    world.unit_a.refresh_from_db()
    world.unit_a2.refresh_from_db()
    assert world.unit_a.principal_name == "新负责人"
    assert world.unit_a2.employees == 8
    assert Unit.objects.get(pk=existing["by_code_unit"].pk).employees == 99


def test_importing_the_same_file_twice_creates_and_updates_nothing(world, existing):
    content, expected = messy_workbook(world, valid=40, **existing)
    first = start(world, content)
    units_import_apply(actor=world.town_office_a, run_id=first.pk)
    count = Unit.objects.count()
    updates = AuditEntry.objects.filter(action="unit.updated").count()

    second = start(world, content)
    assert (second.summary["create"], second.summary["update"]) == (0, 0)
    assert second.summary["unchanged"] == len(expected.created) + 4
    second = units_import_apply(actor=world.town_office_a, run_id=second.pk)

    assert Unit.objects.count() == count
    assert AuditEntry.objects.filter(action="unit.updated").count() == updates
    assert second.summary["reject"] == len(expected.rejects)


def test_one_import_is_one_request_id_in_the_audit(world):
    run = start(world, clean_workbook(5))
    run = units_import_apply(actor=world.town_office_a, run_id=run.pk)

    entries = AuditEntry.objects.filter(action="unit.created")
    assert entries.count() == 5
    assert {str(e.request_id) for e in entries} == {run.summary["request_id"]}
    assert AuditEntry.objects.get(action="import.applied").request_id == entries[0].request_id


def test_a_bad_row_is_reported_by_row_and_column_and_in_the_error_sheet(world, client, login):
    login("town_office_a")
    content = "\n".join(
        [
            "单位名称,统一社会信用代码,类型,村（社区）,营业执照有效期至",
            "好公司,,企业,东梓关村,2030年1月1日",
            "坏公司,91330111MA2J00001,企业,东梓关村,2030-02-30",
        ]
    ).encode("gb18030")  # what Excel on a Chinese Windows saves

    response = client.post(
        reverse("units:unit_import"),
        {"file": SimpleUploadedFile("list.csv", content), "town": world.town_a.pk},
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert run.summary["create"] == 1
    assert sorted((r["row"], r["column"]) for r in run.rejects) == [
        (3, "统一社会信用代码"),
        (3, "营业执照有效期至"),
    ]
    page = client.get(reverse("units:unit_import_detail", args=[run.pk]))
    assert "营业执照有效期至" in page.content.decode()
    assert "list.csv" in client.get(reverse("units:unit_import")).content.decode()

    sheet = client.get(reverse("units:unit_import_errors", args=[run.pk]))
    ws = load_workbook(
        io.BytesIO(b"".join(sheet.streaming_content if sheet.streaming else [sheet.content]))
    ).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "错误原因"
    assert rows[1][0] == 3 and rows[1][1] == "坏公司"
    assert "统一社会信用代码" in rows[1][-1] and "营业执照有效期至" in rows[1][-1]


def test_a_sheet_without_a_header_row_is_refused_with_a_reason(world):
    run = start(world, "甲,乙\n1,2\n".encode(), "x.csv")
    assert run.state == "failed"
    assert "单位名称" in run.job.error  # names the columns it looked for


def test_an_enterprise_user_cannot_import(world, client, login):
    login("enterprise_a")
    assert client.get(reverse("units:unit_import")).status_code == 403
    assert client.get(reverse("units:unit_import_template")).status_code == 403
    response = client.post(
        reverse("units:unit_import"), {"file": upload(clean_workbook(2)), "town": world.town_a.pk}
    )
    assert response.status_code == 403
    with pytest.raises(ActionNotPermitted):
        start(world, clean_workbook(2), actor=world.enterprise_a)
    assert not Unit.objects.filter(name__startswith="批量测试").exists()


def test_an_import_of_another_town_is_not_found(world, client, login):
    run = start(world, clean_workbook(2))
    login("town_office_b")
    assert client.get(reverse("units:unit_import_detail", args=[run.pk])).status_code == 404
    assert client.post(reverse("units:unit_import_apply", args=[run.pk])).status_code == 404
    assert client.get(reverse("units:unit_import_errors", args=[run.pk])).status_code == 404


def test_the_template_has_chinese_headers_an_example_and_the_allowed_values(world, client, login):
    login("town_office_a")
    response = client.get(reverse("units:unit_import_template"))
    wb = load_workbook(io.BytesIO(response.content))
    data, help_sheet = wb.worksheets
    headers = [c.value for c in data[1]]
    assert headers[:3] == ["单位名称*", "统一社会信用代码", "类型*"]
    assert data.cell(row=2, column=1).value  # one example row
    allowed = {row[0]: row[3] for row in help_sheet.iter_rows(min_row=2, values_only=True)}
    assert "东梓关村" in allowed["村（社区）"] and "大庄村" not in allowed["村（社区）"]
    assert "企业" in allowed["类型"]
    assert "危化品使用" in allowed["监管类别"]


def test_the_template_filled_in_imports(world, client, login):
    login("town_office_a")
    content = client.get(reverse("units:unit_import_template")).content
    run = start(world, content)
    assert run.summary["create"] == 1, run.rejects


def test_an_exported_list_imports_back_as_unchanged(world, client, login):
    login("town_office_a")
    exported = client.get(reverse("units:unit_list"), {"export": "xlsx"}).content
    run = start(world, exported, "export.xlsx")
    assert run.summary["reject"] == 0, run.rejects
    assert run.summary["unchanged"] == Unit.objects.filter(region__parent=world.town_a).count()


def test_a_large_file_is_checked_and_imported_in_the_background(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = start(world, clean_workbook(520))
    assert callbacks  # the dry run was enqueued, not run in the request
    run.refresh_from_db()
    assert (run.state, run.summary["create"]) == ("checked", 520)
    assert run.job.status == JobStatus.SUCCEEDED
    # progress was reported while reading (the line reads "520 rows read", in the UI language)
    assert any("520" in line["line"] for line in run.job.log)

    with django_capture_on_commit_callbacks(execute=True):
        run = units_import_apply(actor=world.town_office_a, run_id=run.pk)
    run.refresh_from_db()
    assert run.state == "applied"
    assert Unit.objects.filter(name__startswith="批量测试").count() == 520
    job = Job.objects.get(pk=run.apply_job_id)
    assert (job.status, job.progress) == (JobStatus.SUCCEEDED, 100)


def test_the_api_uploads_checks_and_applies(world, client, login):
    login("town_office_a")
    response = client.post(
        "/api/v1/units/import", {"file": upload(clean_workbook(3))}, HTTP_X_CSRFTOKEN="x"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["summary"]["create"]) == ("checked", 3)
    applied = client.post(f"/api/v1/units/import/{body['id']}/apply")
    assert applied.status_code == 200, applied.content
    assert applied.json()["state"] == "applied"
    again = client.post(f"/api/v1/units/import/{body['id']}/apply")
    assert again.status_code in {400, 409, 422}
    template = client.get("/api/v1/units/import/template")
    assert template.status_code == 200


def test_the_api_refuses_an_enterprise_user(world, client, login):
    run = start(world, clean_workbook(2))
    login("enterprise_a")
    assert client.get(f"/api/v1/units/import/{run.pk}").status_code == 403
    assert (
        client.post("/api/v1/units/import", {"file": upload(clean_workbook(2))}).status_code == 403
    )


def test_dates_in_every_form_read_as_the_same_day():
    from anjian.core.imports import parse_date

    for value in ["2024-5-1", "2024/05/01", "2024年5月1日", "20240501", 45413, "45413", "2024.5.1"]:
        assert parse_date(value) == datetime.date(2024, 5, 1), value


def test_the_dry_run_preview_shows_labels_not_codes(world):
    run = start(world, clean_workbook(3))
    run.refresh_from_db()
    shown = [v for row in run.preview for v in row["changes"].values()]
    assert "enterprise" not in shown and "operating" not in shown
    assert any(v in {"企业", "Enterprise"} for v in shown)
