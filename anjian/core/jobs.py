"""Jobs a user can follow: the row behind every long piece of work (import, export, report).

The pattern for a later import or export::

    # the service, inside its transaction, where the user asked for the work
    job = job_start(kind="units.import", owner=actor, region=town, label=_("Import of units"))
    transaction.on_commit(lambda: import_units_task.enqueue(job_id=job.pk, upload_id=upload.pk))

    # the task (takes ids only)
    @task()
    def import_units_task(job_id: int, upload_id: int) -> None:
        job_progress(job_id, 0, _("Reading the file"))
        try:
            ...
            job_progress(job_id, 50, _("Row 500 of 1000"))
            ...
            job_finish(job_id, result_name="report.xlsx", result_content=data)
        except Exception as exc:
            job_fail(job_id, str(exc))
            raise

The helpers are idempotent: a finished job is never moved back, so a task that runs twice does no
harm. The job page (``core:job_detail``) refreshes itself while the job runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.models import Job, JobStatus

MAX_LOG_LINES = 500


def _log_line(text: str) -> dict[str, str]:
    return {"at": timezone.localtime().isoformat(timespec="seconds"), "line": str(text)[:1000]}


def _append(job: Job, line: str | None) -> None:
    if line:
        job.log = [*job.log, _log_line(line)][-MAX_LOG_LINES:]


def _locked(job_id: int) -> Job:
    # Tasks and helpers address jobs by id; the scoping of who may *see* a job is in JobQuerySet.
    return Job.objects.select_for_update().get(pk=job_id)


@transaction.atomic
def job_start(*, kind: str, owner=None, region=None, label: str = "", line: str = "") -> Job:
    """Create a queued job; enqueue its task with ``transaction.on_commit`` and ``job.pk``."""
    from anjian.audit.services import audit_record

    owner = owner if owner is not None and getattr(owner, "pk", None) else None
    job = Job(kind=kind, label=str(label)[:200], owner=owner, region=region)
    _append(job, line)
    job.full_clean(exclude=["result"])
    job.save()
    audit_record(
        actor=owner,
        action="job.created",
        obj=job,
        changes={"kind": [None, kind], "label": [None, job.label]},
    )
    return job


@transaction.atomic
def job_progress(job_id: int, percent: int | None = None, line: str | None = None) -> Job:
    """Record progress (0–100) and/or a log line; the first call marks the job running."""
    job = _locked(job_id)
    if job.is_finished:
        return job
    fields = ["log", "updated_at"]
    if job.status == JobStatus.QUEUED:
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        fields += ["status", "started_at"]
    if percent is not None:
        job.progress = max(0, min(100, int(percent)))
        fields.append("progress")
    _append(job, line)
    job.save(update_fields=fields)
    return job


@transaction.atomic
def job_finish(
    job_id: int,
    *,
    result_name: str | None = None,
    result_content: bytes | None = None,
    line: str | None = None,
) -> Job:
    """Mark the job succeeded (progress 100), optionally with its result file."""
    from anjian.audit.services import audit_record

    job = _locked(job_id)
    if job.is_finished:
        return job
    now = timezone.now()
    job.status = JobStatus.SUCCEEDED
    job.progress = 100
    job.started_at = job.started_at or now
    job.finished_at = now
    _append(job, line)
    if result_name and result_content is not None:
        job.result.save(result_name, ContentFile(result_content), save=False)
    job.save()
    audit_record(
        actor=None, action="job.succeeded", obj=job, changes={"status": ["running", job.status]}
    )
    return job


@transaction.atomic
def job_fail(job_id: int, error: str, *, line: str | None = None) -> Job:
    """Mark the job failed with the error the user will read."""
    from anjian.audit.services import audit_record

    job = _locked(job_id)
    if job.is_finished:
        return job
    now = timezone.now()
    before = job.status
    job.status = JobStatus.FAILED
    job.error = str(error)[:5000]
    job.started_at = job.started_at or now
    job.finished_at = now
    _append(job, line or error)
    job.save()
    audit_record(
        actor=None,
        action="job.failed",
        obj=job,
        changes={"status": [before, job.status], "error": [None, job.error]},
    )
    return job


@dataclass(frozen=True)
class JobResultFile:
    job: Job
    file: File
    filename: str


def job_result_open(*, actor, job_id: int) -> JobResultFile:
    """The result file of a job ``actor`` may see, opened for reading, with its file name.
    404 when the job is outside the actor's scope or has no result file. The download is audited
    ("export.downloaded"). The page and the API both call this."""
    from anjian.audit.services import audit_record

    job = Job.objects.for_action(actor, "jobs.view").filter(pk=job_id).first()
    if job is None:
        raise Http404
    if not job.result:
        raise Http404(_("This job has no result file."))
    audit_record(
        actor=actor, action="export.downloaded", obj=job, changes={"file": job.result.name}
    )
    name = job.result.name.rsplit("/", 1)[-1]
    return JobResultFile(job=job, file=job.result.open("rb"), filename=name)
