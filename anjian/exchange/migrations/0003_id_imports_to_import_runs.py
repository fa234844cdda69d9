"""Step 2 of 3: every ``IdImport`` becomes an ``ImportRun`` of kind ``exchange_ids`` with the job of
its dry run (and, once confirmed, the job that recorded the ids), its options (system, replace,
batch) in ``options``, and its error on the job that failed; the ids it recorded point to the run.
Reversible: the runs of that kind go back to ``IdImport`` rows."""

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext as _

KIND = "exchange_ids"
JOB_KIND = "exchange.import_ids"


def _job(Job, *, label, owner_id, region_id, at, finished_at, error=""):
    job = Job.objects.create(
        kind=JOB_KIND,
        label=label[:200],
        status="failed" if error else "succeeded",
        owner_id=owner_id,
        region_id=region_id,
        progress=100,
        error=error,
        started_at=at,
        finished_at=finished_at,
    )
    Job.objects.filter(pk=job.pk).update(created_at=at, updated_at=finished_at)
    return job


def to_import_runs(apps, schema_editor):
    IdImport = apps.get_model("exchange", "IdImport")
    ExternalId = apps.get_model("exchange", "ExternalId")
    ImportRun = apps.get_model("core", "ImportRun")
    Job = apps.get_model("core", "Job")
    with translation.override(settings.LANGUAGE_CODE):
        for old in IdImport.objects.order_by("pk").iterator():
            name = old.source_name
            # A file that could not be read failed in its dry run (it has no summary); any other
            # failure was the confirmation's.
            check_failed = old.state == "failed" and not old.summary
            confirmed = old.state == "applied" or (old.state == "failed" and not check_failed)
            job = _job(
                Job,
                label=_("Import of assigned ids: %(file)s") % {"file": name},
                owner_id=old.created_by_id,
                region_id=old.region_id,
                at=old.created_at,
                finished_at=old.created_at,
                error=old.error if check_failed else "",
            )
            apply_job = None
            if confirmed:
                done = old.applied_at or old.created_at
                apply_job = _job(
                    Job,
                    label=_("Import of assigned ids (confirmed): %(file)s") % {"file": name},
                    owner_id=old.created_by_id,
                    region_id=old.region_id,
                    at=done,
                    finished_at=done,
                    error=old.error if old.state == "failed" else "",
                )
            run = ImportRun.objects.create(
                job=job,
                kind=KIND,
                region_id=old.region_id,
                source=old.source.name,
                source_name=name,
                state=old.state,
                summary=old.summary,
                rejects=old.rejects,
                preview=old.preview,
                applied_at=old.applied_at,
                apply_job=apply_job,
                options={"system": old.system, "replace": old.replace, "batch": old.batch_id},
            )
            ExternalId.objects.filter(id_import_id=old.pk).update(import_run_id=run.pk)


def to_id_imports(apps, schema_editor):
    IdImport = apps.get_model("exchange", "IdImport")
    ExportBatch = apps.get_model("exchange", "ExportBatch")
    ExternalId = apps.get_model("exchange", "ExternalId")
    ImportRun = apps.get_model("core", "ImportRun")
    Job = apps.get_model("core", "Job")
    states = {"checking": "failed", "applying": "failed"}
    for run in ImportRun.objects.filter(kind=KIND).select_related("job", "apply_job"):
        options = run.options or {}
        batch_id = options.get("batch")
        current = run.apply_job or run.job
        error = current.error or (
            "" if run.state not in states else "Unfinished when the migration was reversed."
        )
        old = IdImport.objects.create(
            region_id=run.region_id,
            created_by_id=run.job.owner_id,
            created_at=run.job.created_at,
            system=options.get("system") or "other",
            replace=bool(options.get("replace")),
            batch_id=batch_id if ExportBatch.objects.filter(pk=batch_id).exists() else None,
            source=run.source.name,
            source_name=run.source_name,
            state=states.get(run.state, run.state),
            summary=run.summary,
            rejects=run.rejects,
            preview=run.preview,
            error=error,
            applied_at=run.applied_at,
        )
        ExternalId.objects.filter(import_run_id=run.pk).update(id_import_id=old.pk)
        jobs = [pk for pk in (run.job_id, run.apply_job_id) if pk]
        run.delete()
        Job.objects.filter(pk__in=jobs).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_import_run_options'),
        ('exchange', '0002_external_id_import_run'),
    ]

    operations = [
        migrations.RunPython(to_import_runs, to_id_imports),
    ]
