"""The data exchange: the export holds exactly the records of the user's scope, in the documented
versioned shape; the ids assigned upstream come back by import (dry run, then confirm), never
twice; conflicts are shown by row and column; other towns' records are refused."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.core.models import ImportRun, ImportState, JobStatus
from anjian.exchange.exports import COLUMNS, ExportParams
from anjian.exchange.models import ExportBatch, ExternalId
from anjian.exchange.services import (
    export_create,
    external_id_set,
    id_import_confirm,
    id_import_start,
)
from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import make_hazard
from anjian.inspections.models import Inspection
from anjian.inspections.services import inspection_start
from anjian.inspections.tests.factories import make_checklist
from anjian.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(world):
    """Hazards and inspections in both towns, recorded by each town's office."""
    checklist = make_checklist()
    for unit, office in (
        (world.unit_a, world.town_office_a),
        (world.unit_a2, world.town_office_a),
        (world.unit_b, world.town_office_b),
    ):
        make_hazard(office, unit)
        make_hazard(office, unit, level="major", deadline_days=None)
        inspection_start(actor=office, unit_id=unit.pk, checklist_id=checklist.pk)
    return world


def _export(user, **kwargs):
    params = ExportParams(**{"kind": "unit", "system": "hangzhou", **kwargs})
    result = export_create(actor=user, params=params)
    content = result.file.read()
    return result, content


def _json(content: bytes) -> dict:
    return json.loads(content.decode("utf-8"))


def _csv_upload(rows, name="ids.csv", header=("anjian_id", "external_id")):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, ("\ufeff" + text.getvalue()).encode("utf-8"))


# --- Export -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "model", "path"),
    [
        ("unit", Unit, "region__path"),
        ("inspection", Inspection, "unit__region__path"),
        ("hazard", Hazard, "unit__region__path"),
    ],
)
def test_the_export_holds_exactly_the_records_of_the_users_town(town, kind, model, path):
    result, content = _export(town.town_office_a, kind=kind, file_format="json")
    data = _json(content)
    expected = set(
        model.objects.filter(**{f"{path}__startswith": town.town_a.path}).values_list(
            "pk", flat=True
        )
    )
    assert expected, "the test town has records of every kind"
    assert {r["anjian_id"] for r in data["records"]} == {f"{kind}:{pk}" for pk in expected}
    assert data["format"] == "anjian-exchange"
    assert data["version"] == 1
    assert data["kind"] == kind
    assert data["system"] == "hangzhou"
    assert data["exported_at"]
    assert data["town"]["code"] == town.town_a.code
    assert data["count"] == len(expected) == result.batch.count
    assert data["batch"] == result.batch.pk
    assert all(list(r) == list(COLUMNS[kind]) for r in data["records"])


def test_a_district_user_exports_the_records_of_all_its_towns(town):
    _result, content = _export(town.district_officer, kind="hazard")
    expected = Hazard.objects.filter(unit__region__path__startswith=town.district.path).count()
    data = _json(content)
    assert data["count"] == expected == Hazard.objects.count()
    assert {r["town_code"] for r in data["records"]} == {town.town_a.code, town.town_b.code}


def test_the_csv_reads_back_with_the_csv_module_and_the_file_hash_is_recorded(town):
    result, content = _export(town.town_office_a, kind="hazard", file_format="csv")
    assert content.startswith("\ufeff".encode())
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    rows = list(reader)
    assert tuple(reader.fieldnames) == COLUMNS["hazard"]
    expected = Hazard.objects.filter(unit__region__parent=town.town_a)
    assert {r["anjian_id"] for r in rows} == {f"hazard:{h.pk}" for h in expected}
    assert {r["level"] for r in rows} == set(expected.values_list("level", flat=True))
    batch = ExportBatch.objects.get(pk=result.batch.pk)
    assert batch.file_hash == hashlib.sha256(content).hexdigest()
    assert batch.count == len(rows)
    assert batch.created_by == town.town_office_a


def test_without_an_id_yet_leaves_out_the_records_that_got_one(town):
    external_id_set(
        actor=town.town_office_a,
        kind="unit",
        record_id=town.unit_a.pk,
        system="hangzhou",
        external_id="HZ-0001",
    )
    _r, content = _export(town.town_office_a, kind="unit")
    shown = {r["anjian_id"] for r in _json(content)["records"]}
    assert f"unit:{town.unit_a.pk}" not in shown
    assert f"unit:{town.unit_a2.pk}" in shown
    # In another system the unit has no id yet: it is exported.
    _r, content = _export(town.town_office_a, kind="unit", system="platform141")
    assert f"unit:{town.unit_a.pk}" in {r["anjian_id"] for r in _json(content)["records"]}
    # Asked for every record, the unit comes with its id, and its hazards name it too.
    _r, content = _export(town.town_office_a, kind="unit", only_without_id=False)
    records = {r["anjian_id"]: r for r in _json(content)["records"]}
    assert records[f"unit:{town.unit_a.pk}"]["external_id"] == "HZ-0001"
    _r, content = _export(town.town_office_a, kind="hazard")
    hazards = [
        r for r in _json(content)["records"] if r["unit_anjian_id"] == f"unit:{town.unit_a.pk}"
    ]
    assert hazards and all(r["unit_external_id"] == "HZ-0001" for r in hazards)


def test_changed_since_and_period_filters(town):
    import datetime

    from django.utils import timezone

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    _r, content = _export(
        town.town_office_a,
        kind="hazard",
        changed_since=timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time())),
    )
    assert _json(content)["count"] == 0
    _r, content = _export(town.town_office_a, kind="hazard", date_from=timezone.localdate())
    expected = Hazard.objects.filter(unit__region__parent=town.town_a).count()
    assert _json(content)["count"] == expected


def test_the_export_runs_the_same_number_of_queries_whatever_the_number_of_records(town):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for kind in ("unit", "inspection", "hazard"):
                _export(town.town_office_a, kind=kind, only_without_id=False)
        return len(ctx.captured_queries)

    small = count_queries()
    checklist = make_checklist(name="第二张检查表")
    for index in range(6):
        unit = Unit.objects.create(
            name=f"加测单位{index}", kind=UnitKind.ENTERPRISE, region=town.village_a1
        )
        make_hazard(town.town_office_a, unit)
        inspection_start(actor=town.town_office_a, unit_id=unit.pk, checklist_id=checklist.pk)
    assert count_queries() == small


def test_every_export_is_audited(town):
    result, _content = _export(town.town_office_a, kind="unit")
    entry = AuditEntry.objects.get(action="exchange_export.created", target_id=str(result.batch.pk))
    assert entry.actor == town.town_office_a
    assert entry.region_id == town.town_a.pk


# --- Import of assigned ids ---------------------------------------------------------------------------


def test_importing_the_same_ids_twice_records_nothing_twice(town):
    office = town.town_office_a
    hazards = list(Hazard.objects.filter(unit__region__parent=town.town_a).order_by("pk"))
    rows = [(f"hazard:{h.pk}", f"HZ-YH-{h.pk}") for h in hazards]
    first = id_import_start(actor=office, upload=_csv_upload(rows), system="hangzhou")
    assert first.summary["create"] == len(hazards)
    assert first.summary["reject"] == 0
    assert ExternalId.objects.count() == 0, "the dry run records nothing"
    first = id_import_confirm(actor=office, import_id=first.pk)
    assert first.state == ImportState.APPLIED
    assert ExternalId.objects.filter(kind="hazard").count() == len(hazards)
    recorded = AuditEntry.objects.filter(action="external_id.recorded").count()
    assert recorded == len(hazards)

    again = id_import_start(actor=office, upload=_csv_upload(rows), system="hangzhou")
    assert again.summary["unchanged"] == len(hazards)
    assert again.summary["reject"] == again.summary["create"] == 0
    again = id_import_confirm(actor=office, import_id=again.pk)
    assert again.state == ImportState.APPLIED
    assert ExternalId.objects.count() == len(hazards)
    assert AuditEntry.objects.filter(action="external_id.recorded").count() == recorded
    assert AuditEntry.objects.filter(action="exchange_id_import.applied").count() == 2


def test_conflicts_are_reported_by_row_and_column_and_only_valid_rows_are_recorded(town):
    office = town.town_office_a
    external_id_set(
        actor=office, kind="unit", record_id=town.unit_a.pk, system="hangzhou", external_id="U-1"
    )
    hazard_a, hazard_a2 = Hazard.objects.filter(unit__region__parent=town.town_a).order_by("pk")[:2]
    hazard_b = Hazard.objects.filter(unit=town.unit_b).first()
    rows = [
        ("not-an-id", "X-0"),  # row 2: not an anjian id
        ("hazard:999999", "X-1"),  # row 3: no such record
        (f"unit:{town.unit_a2.pk}", "U-1"),  # row 4: U-1 belongs to unit_a already
        (f"unit:{town.unit_a.pk}", "U-2"),  # row 5: unit_a already has U-1
        (f"hazard:{hazard_b.pk}", "X-2"),  # row 6: a hazard of the other town
        (f"hazard:{hazard_a.pk}", "Y-1"),  # row 7: valid
        (f"hazard:{hazard_a2.pk}", "Y-1"),  # row 8: the same id as row 7
        (f"hazard:{hazard_a2.pk}", ""),  # row 9: no id yet: skipped
    ]
    run = id_import_start(actor=office, upload=_csv_upload(rows), system="hangzhou")
    by_row = {}
    for error in run.rejects:
        by_row.setdefault(error["row"], []).append(error)
    assert set(by_row) == {2, 3, 4, 5, 6, 8}
    assert by_row[2][0]["column"] == "anjian_id"
    assert by_row[3][0]["column"] == "anjian_id" and "hazard:999999" in by_row[3][0]["message"]
    assert (
        by_row[4][0]["column"] == "external_id"
        and f"unit:{town.unit_a.pk}" in by_row[4][0]["message"]
    )
    assert by_row[5][0]["column"] == "external_id" and "U-1" in by_row[5][0]["message"]
    assert by_row[6][0]["column"] == "anjian_id"
    assert by_row[8][0]["column"] == "external_id" and "7" in by_row[8][0]["message"]
    assert run.summary["create"] == 1
    assert run.summary["without_id"] == 1
    run = id_import_confirm(actor=office, import_id=run.pk)
    assert run.state == ImportState.APPLIED
    assert set(ExternalId.objects.values_list("external_id", flat=True)) == {"U-1", "Y-1"}
    assert ExternalId.objects.get(external_id="Y-1").hazard == hazard_a
    assert not ExternalId.objects.filter(hazard=hazard_b).exists()


def test_replace_changes_a_different_id_and_keeps_the_old_one_in_the_audit(town):
    office = town.town_office_a
    external_id_set(
        actor=office, kind="unit", record_id=town.unit_a.pk, system="hangzhou", external_id="OLD"
    )
    rows = [(f"unit:{town.unit_a.pk}", "NEW")]
    refused = id_import_start(actor=office, upload=_csv_upload(rows), system="hangzhou")
    assert refused.summary["reject"] == 1
    run = id_import_start(actor=office, upload=_csv_upload(rows), system="hangzhou", replace=True)
    assert run.summary["update"] == 1 and run.summary["reject"] == 0
    id_import_confirm(actor=office, import_id=run.pk)
    assert ExternalId.objects.get(unit=town.unit_a, system="hangzhou").external_id == "NEW"
    entry = AuditEntry.objects.get(action="external_id.replaced")
    assert entry.changes["external_id"] == ["OLD", "NEW"]


def test_nothing_is_recorded_when_more_rows_would_be_rejected_than_the_user_saw(town):
    office = town.town_office_a
    rows = [(f"unit:{town.unit_a.pk}", "A-1"), (f"unit:{town.unit_a2.pk}", "A-2")]
    run = id_import_start(actor=office, upload=_csv_upload(rows), system="hangzhou")
    assert run.summary["create"] == 2
    # Meanwhile a colleague records A-2 for unit_a.
    external_id_set(
        actor=town.district_officer,
        kind="unit",
        record_id=town.unit_a.pk,
        system="hangzhou",
        external_id="A-2",
    )
    run = id_import_confirm(actor=office, import_id=run.pk)
    assert run.state == ImportState.FAILED
    # Both rows would be rejected now (A-2 is unit_a's, and unit_a has an id): the confirming
    # job says so; the dry run's job had succeeded.
    assert run.apply_job.error.startswith("未登记任何编号") and "2 行" in run.apply_job.error
    assert run.job.error == ""
    assert AuditEntry.objects.filter(action="exchange_id_import.failed").count() == 1
    assert list(ExternalId.objects.values_list("external_id", flat=True)) == ["A-2"]


def test_a_district_import_is_refused_for_a_town_outside_it_but_not_for_its_towns(town):
    hazard_b = Hazard.objects.filter(unit=town.unit_b).first()
    rows = [(f"hazard:{hazard_b.pk}", "B-1"), (f"unit:{town.unit_a.pk}", "A-1")]
    run = id_import_start(actor=town.district_officer, upload=_csv_upload(rows), system="other")
    assert run.summary["create"] == 2
    other = id_import_start(actor=town.town_office_b, upload=_csv_upload(rows), system="other")
    assert [(e["row"], e["column"]) for e in other.rejects] == [(3, "anjian_id")]


def test_the_exported_json_and_xlsx_come_back_as_imports(town):
    office = town.town_office_a
    _r, content = _export(office, kind="unit")
    data = _json(content)
    for index, record in enumerate(data["records"]):
        record["external_id"] = f"J-{index}"
    upload = SimpleUploadedFile("units.json", json.dumps(data).encode())
    run = id_import_start(actor=office, upload=upload, system="hangzhou", batch_id=data["batch"])
    assert run.summary["create"] == data["count"]
    id_import_confirm(actor=office, import_id=run.pk)
    assert ExternalId.objects.filter(batch_id=data["batch"]).count() == data["count"]

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["上级系统编号导入"])  # a title row above the header
    wb.active.append(["安监编号", "外部编号", "系统"])
    wb.active.append([f"unit:{town.unit_a.pk}", "141-A", "141平台"])
    buf = io.BytesIO()
    wb.save(buf)
    run = id_import_start(
        actor=office, upload=SimpleUploadedFile("ids.xlsx", buf.getvalue()), system="hangzhou"
    )
    assert run.summary["create"] == 1, run.rejects
    id_import_confirm(actor=office, import_id=run.pk)
    assert ExternalId.objects.get(system="platform141").external_id == "141-A"


def test_the_import_is_an_import_run_followed_by_jobs(town):
    office = town.town_office_a
    run = id_import_start(
        actor=office,
        upload=_csv_upload([(f"unit:{town.unit_a.pk}", "J-1")]),
        system="platform141",
        replace=True,
    )
    assert isinstance(run, ImportRun) and run.kind == "exchange_ids"
    assert run.options == {"system": "platform141", "replace": True, "batch": None}
    assert (run.job.kind, run.job.owner, run.job.status) == (
        "exchange.import_ids",
        office,
        JobStatus.SUCCEEDED,
    )
    assert run.pk == run.job.pk
    checked = AuditEntry.objects.get(action="exchange_id_import.checked")
    assert checked.changes["summary"]["create"] == 1 and checked.changes["system"] == "platform141"
    run = id_import_confirm(actor=office, import_id=run.pk)
    assert run.apply_job.status == JobStatus.SUCCEEDED and run.apply_job.owner == office
    recorded = ExternalId.objects.get()
    assert recorded.id_import == run and recorded.system == "platform141"
    # The ids recorded by one import share one request id in the audit.
    entries = AuditEntry.objects.filter(
        action__in=["external_id.recorded", "exchange_id_import.applied"]
    )
    assert {str(e.request_id) for e in entries} == {run.summary["request_id"]}


def test_a_file_that_cannot_be_read_fails_its_check_with_the_reason(town):
    run = id_import_start(
        actor=town.town_office_a,
        upload=SimpleUploadedFile("ids.json", b"not json"),
        system="hangzhou",
    )
    assert run.state == ImportState.FAILED
    assert run.job.status == JobStatus.FAILED and run.job.error == "文件不是可读取的 JSON。"
    with pytest.raises(ValidationError):
        id_import_confirm(actor=town.town_office_a, import_id=run.pk)


def _many_units(town, n: int) -> list[Unit]:
    Unit.objects.bulk_create(
        Unit(name=f"编号测试{i}", kind=UnitKind.ENTERPRISE, region=town.village_a1)
        for i in range(n)
    )
    return list(Unit.objects.filter(name__startswith="编号测试").order_by("pk"))


def test_a_large_file_is_checked_and_recorded_in_the_background_while_the_page_waits(
    town, login, client, django_capture_on_commit_callbacks
):
    units = _many_units(town, 520)
    rows = [(f"unit:{u.pk}", f"BIG-{u.pk}") for u in units]
    with django_capture_on_commit_callbacks() as enqueued:
        run = id_import_start(actor=town.town_office_a, upload=_csv_upload(rows), system="hangzhou")
    assert run.state == ImportState.CHECKING and len(enqueued) == 1
    login("town_office_a")
    url = reverse("exchange:id_import_detail", args=[run.pk])
    page = client.get(url).content.decode()
    assert "正在检查文件" in page  # "Checking the file"
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 2s"' in page
    assert 'data-testid="id-import-confirm"' not in page
    enqueued[0]()  # the worker runs the dry run
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "hx-trigger" not in fragment
    assert 'data-testid="id-import-confirm"' in fragment
    run.refresh_from_db()
    assert (run.state, run.summary["create"]) == (ImportState.CHECKED, 520)

    with django_capture_on_commit_callbacks() as enqueued:
        client.post(reverse("exchange:id_import_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == ImportState.APPLYING and not ExternalId.objects.exists()
    page = client.get(url).content.decode()
    assert "正在导入" in page and 'hx-trigger="every 2s"' in page
    for callback in enqueued:
        callback()
    run.refresh_from_db()
    assert run.state == ImportState.APPLIED and run.apply_job.status == JobStatus.SUCCEEDED
    assert ExternalId.objects.filter(id_import=run).count() == 520


def test_units_imports_and_id_imports_do_not_reach_each_other(town, login, client):
    from anjian.units.importers import units_import_start
    from anjian.units.tests.import_workbooks import clean_workbook

    unit_run = units_import_start(
        actor=town.town_office_a,
        town=town.town_a,
        upload=SimpleUploadedFile("台账.xlsx", clean_workbook(2)),
    )
    id_run = id_import_start(
        actor=town.town_office_a,
        upload=_csv_upload([(f"unit:{town.unit_a.pk}", "K-1")]),
        system="hangzhou",
    )
    login("town_office_a")
    assert client.get(reverse("exchange:id_import_detail", args=[unit_run.pk])).status_code == 404
    assert client.post(reverse("exchange:id_import_confirm", args=[unit_run.pk])).status_code == 404
    assert client.get(reverse("units:unit_import_detail", args=[id_run.pk])).status_code == 404
    assert client.post(reverse("units:unit_import_apply", args=[id_run.pk])).status_code == 404
    listed = client.get(reverse("exchange:id_import")).context["runs"]
    assert [r.pk for r in listed] == [id_run.pk]
    office = _bearer(town.town_office_a)
    assert client.get(f"/api/v1/exchange/ids/imports/{unit_run.pk}", **office).status_code == 404
    assert client.get(f"/api/v1/units/import/{id_run.pk}", **office).status_code == 404
    items = client.get("/api/v1/exchange/ids/imports", **office).json()["items"]
    assert [r["id"] for r in items] == [id_run.pk]
    unit_run.refresh_from_db()
    id_run.refresh_from_db()
    assert (unit_run.state, id_run.state) == (ImportState.CHECKED, ImportState.CHECKED)


# --- Pages --------------------------------------------------------------------------------------------


def test_the_export_page_downloads_the_file_and_records_the_batch(town, login, client):
    login("town_office_a")
    assert client.get(reverse("exchange:exchange_home")).status_code == 200
    response = client.post(
        reverse("exchange:exchange_home"),
        {"kind": "unit", "system": "hangzhou", "file_format": "csv", "only_without_id": "on"},
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == Unit.objects.filter(region__parent=town.town_a).count()
    batch = ExportBatch.objects.get()
    assert batch.file_hash == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    "persona", ["inspector_a", "leader_a", "enterprise_a", "village_officer_a"]
)
def test_pages_are_refused_to_roles_without_the_actions(town, login, client, persona):
    login(persona)
    for name in ("exchange_home", "batch_list", "id_list", "id_import", "id_import_template"):
        assert client.get(reverse(f"exchange:{name}")).status_code == 403, name
    response = client.post(
        reverse("exchange:exchange_home"), {"kind": "unit", "system": "hangzhou"}
    )
    assert response.status_code == 403
    assert not ExportBatch.objects.exists()


def test_the_other_towns_batches_and_imports_answer_404(town, login, client):
    batch, _content = _export(town.town_office_a, kind="unit")
    run = id_import_start(
        actor=town.town_office_a,
        upload=_csv_upload([(f"unit:{town.unit_a.pk}", "A-1")]),
        system="hangzhou",
    )
    login("town_office_b")
    assert client.get(reverse("exchange:batch_detail", args=[batch.batch.pk])).status_code == 404
    assert client.get(reverse("exchange:id_import_detail", args=[run.pk])).status_code == 404
    response = client.post(reverse("exchange:id_import_confirm", args=[run.pk]))
    assert response.status_code == 404
    assert not ExternalId.objects.exists()
    client.force_login(town.district_officer)
    assert client.get(reverse("exchange:batch_detail", args=[batch.batch.pk])).status_code == 200


def test_the_id_list_shows_only_the_towns_ids_and_exports_to_excel(town, login, client):
    external_id_set(
        actor=town.district_officer,
        kind="unit",
        record_id=town.unit_a.pk,
        system="hangzhou",
        external_id="A-1",
    )
    external_id_set(
        actor=town.district_officer,
        kind="unit",
        record_id=town.unit_b.pk,
        system="hangzhou",
        external_id="B-1",
    )
    login("town_office_a")
    response = client.get(reverse("exchange:id_list"))
    assert [r.external_id for r in response.context["object_list"]] == ["A-1"]
    response = client.get(reverse("exchange:id_list"), {"system": "platform141"})
    assert list(response.context["object_list"]) == []
    response = client.get(reverse("exchange:id_list"), {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_import_pages_check_then_confirm(town, login, client):
    login("town_office_a")
    upload = _csv_upload([(f"unit:{town.unit_a.pk}", "P-1")])
    response = client.post(reverse("exchange:id_import"), {"file": upload, "system": "hangzhou"})
    assert response.status_code == 302
    detail = response["Location"]
    assert client.get(detail).status_code == 200
    assert not ExternalId.objects.exists()
    pk = int(detail.rstrip("/").rsplit("/", 1)[-1])
    client.post(reverse("exchange:id_import_confirm", args=[pk]))
    assert ExternalId.objects.get().external_id == "P-1"


# --- API ----------------------------------------------------------------------------------------------


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='t').raw}"}


def test_the_api_exports_imports_and_lists_ids_with_the_same_scoping(town, client):
    office = _bearer(town.town_office_a)
    response = client.post(
        "/api/v1/exchange/export",
        json.dumps({"kind": "hazard", "system": "platform141", "file_format": "json"}),
        content_type="application/json",
        **office,
    )
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    expected = Hazard.objects.filter(unit__region__parent=town.town_a).count()
    assert data["count"] == expected and data["version"] == 1
    assert response["X-Export-Batch"] == str(data["batch"])

    hazard = Hazard.objects.filter(unit__region__parent=town.town_a).first()
    upload = _csv_upload([(f"hazard:{hazard.pk}", "141-H")])
    response = client.post(
        "/api/v1/exchange/ids/imports", {"file": upload, "system": "platform141"}, **office
    )
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["summary"]["create"] == 1 and run["state"] == "checked"
    # The import's number is its ImportRun's, which is its job's.
    assert ImportRun.objects.get(pk=run["id"]).job.kind == "exchange.import_ids"
    assert (run["system"], run["replace"], run["batch_id"]) == ("platform141", False, None)
    response = client.post(f"/api/v1/exchange/ids/imports/{run['id']}/confirm", **office)
    assert response.json()["state"] == "applied"
    response = client.get("/api/v1/exchange/ids", {"anjian_id": f"hazard:{hazard.pk}"}, **office)
    assert [r["external_id"] for r in response.json()["items"]] == ["141-H"]

    other = _bearer(town.town_office_b)
    assert client.get("/api/v1/exchange/ids", **other).json()["items"] == []
    assert client.get(f"/api/v1/exchange/batches/{data['batch']}", **other).status_code == 404
    assert client.get(f"/api/v1/exchange/ids/imports/{run['id']}", **other).status_code == 404
    inspector = _bearer(town.inspector_a)
    response = client.post(
        "/api/v1/exchange/export", "{}", content_type="application/json", **inspector
    )
    assert response.status_code == 403
    assert client.get("/api/v1/exchange/ids", **inspector).status_code == 403


def test_an_id_recorded_by_mistake_is_removed_with_a_reason_and_audited(town, login, client):
    row, _what = external_id_set(
        actor=town.town_office_a,
        kind="unit",
        record_id=town.unit_a.pk,
        system="hangzhou",
        external_id="WRONG",
    )
    login("town_office_b")
    response = client.post(reverse("exchange:id_delete", args=[row.pk]), {"reason": "录错了"})
    assert response.status_code == 404
    login("town_office_a")
    client.post(reverse("exchange:id_delete", args=[row.pk]), {"reason": ""})
    assert ExternalId.objects.filter(pk=row.pk).exists(), "a reason is required"
    client.post(reverse("exchange:id_delete", args=[row.pk]), {"reason": "录错了"})
    assert not ExternalId.objects.filter(pk=row.pk).exists()
    entry = AuditEntry.objects.get(action="external_id.deleted")
    assert entry.reason == "录错了" and entry.changes["external_id"] == ["WRONG", None]


def test_reasons_are_given_in_chinese(town):
    run = id_import_start(
        actor=town.town_office_a,
        upload=_csv_upload([("hazard:999999", "X-1")]),
        system="hangzhou",
    )
    assert run.rejects == [
        {"row": 2, "column": "anjian_id", "message": "本系统中没有记录 hazard:999999。"}
    ]
