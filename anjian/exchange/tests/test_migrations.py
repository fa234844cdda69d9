"""The imports of assigned ids made before they became ``core.ImportRun`` rows survive the move
(migrations 0002–0004): their file, state, counts, rejections, options and errors, the jobs that
follow them, and the ids they recorded; and the move can be undone."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("exchange", "0001_initial")]
AFTER = [("exchange", "0004_remove_idimport")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    # The models as they stand at ``target``, core's included.
    return executor.loader.project_state([*target, ("core", "0003_import_run_options")]).apps


def test_id_imports_move_into_import_runs_and_back(world):
    try:
        apps = _migrate(BEFORE)
        IdImport = apps.get_model("exchange", "IdImport")
        ExportBatch = apps.get_model("exchange", "ExportBatch")
        ExternalId = apps.get_model("exchange", "ExternalId")
        at = timezone.make_aware(datetime.datetime(2026, 11, 2, 9, 30))
        batch = ExportBatch.objects.create(
            region_id=world.town_a.pk, kind="unit", system="hangzhou", file_format="csv"
        )
        common = {"region_id": world.town_a.pk, "created_by_id": world.town_office_a.pk}
        applied = IdImport.objects.create(
            **common,
            created_at=at,
            system="hangzhou",
            replace=True,
            batch_id=batch.pk,
            source="exchange/2026/11/ids.csv",
            source_name="ids.csv",
            state="applied",
            summary={"rows": 1, "create": 1, "reject": 0},
            rejects=[],
            preview=[{"row": 2, "action": "create", "label": "x", "changes": {}}],
            applied_at=at + datetime.timedelta(minutes=5),
        )
        IdImport.objects.create(
            **common,
            created_at=at,
            system="platform141",
            source="exchange/2026/11/bad.json",
            source_name="bad.json",
            state="failed",
            error="文件不是可读取的 JSON。",
        )
        IdImport.objects.create(
            **common,
            created_at=at,
            system="other",
            source="exchange/2026/11/late.csv",
            source_name="late.csv",
            state="failed",
            summary={"rows": 2, "create": 2, "reject": 0},
            error="未登记任何编号：……",
        )
        ExternalId.objects.create(
            kind="unit",
            unit_id=world.unit_a.pk,
            region_id=world.town_a.pk,
            system="hangzhou",
            external_id="M-1",
            id_import_id=applied.pk,
        )

        apps = _migrate(AFTER)
        ImportRun = apps.get_model("core", "ImportRun")
        ExternalId = apps.get_model("exchange", "ExternalId")
        runs = {r.source_name: r for r in ImportRun.objects.filter(kind="exchange_ids")}
        assert set(runs) == {"ids.csv", "bad.json", "late.csv"}
        run = runs["ids.csv"]
        assert (run.state, run.summary["create"], run.region_id) == ("applied", 1, world.town_a.pk)
        assert run.source.name == "exchange/2026/11/ids.csv" and run.preview[0]["row"] == 2
        assert run.options == {"system": "hangzhou", "replace": True, "batch": batch.pk}
        assert (run.job.kind, run.job.status, run.job.owner_id, run.job.created_at) == (
            "exchange.import_ids",
            "succeeded",
            world.town_office_a.pk,
            at,
        )
        assert run.apply_job.status == "succeeded" and run.applied_at == applied.applied_at
        assert ExternalId.objects.get(external_id="M-1").id_import_id == run.pk
        bad = runs["bad.json"]
        assert (bad.state, bad.job.status, bad.job.error, bad.apply_job) == (
            "failed",
            "failed",
            "文件不是可读取的 JSON。",
            None,
        )
        late = runs["late.csv"]
        assert (late.job.status, late.apply_job.status, late.apply_job.error) == (
            "succeeded",
            "failed",
            "未登记任何编号：……",
        )

        apps = _migrate(BEFORE)
        IdImport = apps.get_model("exchange", "IdImport")
        ExternalId = apps.get_model("exchange", "ExternalId")
        back = {i.source_name: i for i in IdImport.objects.all()}
        assert (back["ids.csv"].state, back["ids.csv"].batch_id, back["ids.csv"].replace) == (
            "applied",
            batch.pk,
            True,
        )
        assert back["late.csv"].error == "未登记任何编号：……"
        assert ExternalId.objects.get(external_id="M-1").id_import_id == back["ids.csv"].pk
        assert not apps.get_model("core", "ImportRun").objects.filter(kind="exchange_ids").exists()
    finally:
        _migrate(AFTER)
