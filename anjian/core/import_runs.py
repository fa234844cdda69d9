"""Imports a user follows: an uploaded file, its dry run, then — once confirmed — the writing of
its valid rows, recorded on one ``ImportRun`` and followed by ``core.Job`` rows.

``anjian.core.imports`` reads and checks the rows; this module is the flow around it, the same for
every import. An app describes what differs in an ``ImportFlow`` subclass (its ``ImportSpec``,
its kind, the action that scopes the runs, its audit actions, its two tasks) and calls:

1. ``import_run_start(flow, actor=, region=, upload=, name=, label=, options=)`` stores the file
   and runs the dry run: inline for a small file; above ``flow.background_rows`` rows as the
   flow's check task (the run is ``checking`` meanwhile, and its page refreshes itself);
2. ``import_run_check(flow, run_id)`` is the dry run: what would be created, updated and rejected
   (row, column, reason), kept on the run; its job finishes;
3. ``import_run_apply(flow, actor=, run_id=)`` is the user's confirmation: a checked run moves to
   ``applying`` (compare-and-set, so it is written once) with a job of its own;
4. ``import_run_write(flow, run_id, job_id)`` writes the valid rows in ONE transaction with one
   request id for the whole audit trail (inline, or as the flow's apply task for a large file);
   any error rolls everything back and the job says why.

The tasks stay in the apps (``@task`` functions take ids and call ``import_run_check_in_task`` /
``import_run_write_in_task``), so that a queued task names its own app.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.context import current as current_context
from anjian.core.context import request_context
from anjian.core.exceptions import ActionNotPermitted
from anjian.core.imports import (
    ImportFileError,
    ImportResult,
    ImportSpec,
    MissingColumns,
    count_rows,
    normalize_header,
    run_import,
)
from anjian.core.jobs import job_fail, job_finish, job_progress, job_start
from anjian.core.models import ImportHeaderMapping, ImportRun, ImportRunQuerySet, ImportState, Job

logger = logging.getLogger("anjian.imports")
BACKGROUND_ROWS = 500


class ImportRefused(Exception):
    """Raised by ``ImportFlow.verify_write`` to roll the whole import back. Its message, shown to
    the user as it is, says that nothing was written and why."""


class ImportFlow:
    """What one import does differently from the others. Subclass it once per import."""

    kind = ""  # ImportRun.kind
    job_kind = ""  # Job.kind of its jobs
    action = ""  # the action that scopes its runs (ImportRun.objects.for_action)
    background_rows = BACKGROUND_ROWS  # above this many rows, check and write as tasks
    keep_error_sheet = True  # keep the rejected rows as a sheet with a 错误原因 column
    uploaded_audit = "import.uploaded"  # audit actions; "" writes no entry
    checked_audit = ""
    applied_audit = "import.applied"
    failed_audit = ""

    def spec(self, run: ImportRun, actor) -> ImportSpec:
        """The spec that checks (and writes) the rows of ``run`` as ``actor``."""
        raise NotImplementedError

    def count(self, upload: IO[bytes], name: str) -> int:
        """Rows of the upload, enough to choose between inline and background (rewinds it)."""
        return count_rows(upload, name, limit=self.background_rows + 1)

    @contextmanager
    def source(self, run: ImportRun) -> Iterator[tuple[IO[bytes], str]]:
        """The stored file as the walk reads it, and the name that tells its type."""
        with run.source.open("rb") as fh:
            yield fh, run.source_name

    def summary(self, result: ImportResult, spec: ImportSpec) -> dict[str, Any]:
        return result.summary()

    def verify_write(self, run: ImportRun, result: ImportResult, spec: ImportSpec) -> None:
        """Before the written rows are committed: raise ``ImportRefused`` to roll them back."""

    def apply_label(self, run: ImportRun) -> str:
        """The title of the job that writes the rows once the user confirms."""
        return str(run)

    def checked_line(self, summary: dict[str, Any]) -> str:
        return (
            _(
                "Checked %(rows)s rows: %(create)s to create, %(update)s to update, "
                "%(unchanged)s unchanged, %(reject)s rejected."
            )
            % summary
        )

    def applied_line(self, summary: dict[str, Any]) -> str:
        return (
            _(
                "Imported: %(create)s created, %(update)s updated, %(unchanged)s unchanged, "
                "%(reject)s rejected."
            )
            % summary
        )

    def checked_changes(self, run: ImportRun, error: str) -> dict[str, Any]:
        """What the ``checked_audit`` entry records."""
        return {"file": run.source_name, **run.options, "summary": run.summary, "error": error}

    def enqueue_check(self, run_id: int) -> None:
        """Enqueue the app's check task (``import_run_check_in_task(flow, run_id)``)."""
        raise NotImplementedError

    def enqueue_apply(self, run_id: int, job_id: int) -> None:
        """Enqueue the app's apply task (``import_run_write_in_task(flow, run_id, job_id)``)."""
        raise NotImplementedError

    def runs_for(self, user) -> ImportRunQuerySet:
        """The runs of this import that ``user`` may reach (never another import's runs)."""
        return (
            ImportRun.objects.for_action(user, self.action)
            .filter(kind=self.kind)
            .select_related("job", "job__owner", "apply_job", "region")
        )


def _audit(**kwargs: Any) -> None:
    from anjian.audit.services import audit_record  # core imports no app at module level

    audit_record(**kwargs)


def header_mapping(region_id: int, kind: str) -> dict[str, str]:
    """The town's own names for columns of imports of ``kind``: header → field key ("" ignore)."""
    return dict(
        ImportHeaderMapping.objects.filter(region_id=region_id, kind=kind).values_list(
            "header", "field"
        )
    )


def remember_mapping(region, kind: str, mapping: dict[str, str]) -> dict[str, str]:
    """Keep the headers the user mapped (to a field key of the import, or "" to ignore) for the
    town's next import of the same kind; returns what was kept."""
    kept: dict[str, str] = {}
    for header, key in (mapping or {}).items():
        normal = normalize_header(header)
        key = str(key or "")
        if not normal or not re.fullmatch(r"[a-z_]{0,60}", key):
            continue
        ImportHeaderMapping.objects.update_or_create(
            region=region, kind=kind, header=normal[:200], defaults={"field": key or ""}
        )
        kept[normal] = key or ""
    return kept


def _spec(flow: ImportFlow, run: ImportRun, actor) -> ImportSpec:
    spec = flow.spec(run, actor)
    spec.mapping = header_mapping(run.region_id, flow.kind)
    return spec


def import_progress(job_id: int, start: int, span: int, total: int) -> Callable[[int], None]:
    """A progress callback for ``run_import``: ``start``..``start + span`` % over ``total`` rows."""

    def report(done: int) -> None:
        percent = start + (span * done // total if total else span)
        job_progress(job_id, min(percent, start + span), _("%(n)s rows read") % {"n": done})

    return report


def import_run_start(
    flow: ImportFlow,
    *,
    actor,
    region,
    upload,
    name: str,
    label: str,
    options: dict[str, Any] | None = None,
) -> ImportRun:
    """Store the uploaded file and run its dry run (in the background for a large file). The
    caller has checked that ``actor`` may import into ``region`` and that ``name`` is a file type
    the import reads."""
    rows = flow.count(upload, name)
    with transaction.atomic():
        job = job_start(
            kind=flow.job_kind,
            owner=actor,
            region=region,
            label=label,
            line=_("File received: %(file)s") % {"file": name},
        )
        run = ImportRun(
            job=job, kind=flow.kind, region=region, source_name=name, options=options or {}
        )
        run.full_clean(exclude=["source", "error_file"], validate_unique=False)
        run.save()
        if (options or {}).get("mapping"):
            run.options["mapping"] = remember_mapping(region, flow.kind, options["mapping"])
            ImportRun.objects.filter(pk=run.pk).update(options=run.options)
        run.source.save(name, upload, save=True)
        if flow.uploaded_audit:
            _audit(actor=actor, action=flow.uploaded_audit, obj=run, changes={"file": name})
        background = rows > flow.background_rows
        if background:
            transaction.on_commit(partial(flow.enqueue_check, run.pk))
    if not background:
        import_run_check(flow, run.pk)
        run.refresh_from_db()
    return run


def import_run_check(flow: ImportFlow, run_id: int) -> ImportRun:
    """The dry run: record what the file would create, update and reject; finish its job."""
    run = ImportRun.objects.select_related("job", "job__owner", "region").get(pk=run_id)
    if run.state != ImportState.CHECKING:
        return run
    actor = run.job.owner
    try:
        spec = _spec(flow, run, actor)
        with flow.source(run) as (fh, name):
            total = count_rows(fh, name)
            result = run_import(
                spec,
                fh,
                name,
                apply=False,
                progress=import_progress(run.pk, 0, 99, total),
                options=run.options,
            )
    except ImportFileError as exc:
        report = {}
        if isinstance(exc, MissingColumns):  # the page asks for one value for the whole file
            report = {
                "missing": [
                    {"label": f.header, "key": f.key, "choices": list(f.allowed() or [])}
                    if f.allowed
                    else {"label": f.header, "key": f.key, "choices": []}
                    for f in exc.fields
                ]
            }
        with transaction.atomic():
            ImportRun.objects.filter(pk=run.pk).update(state=ImportState.FAILED, report=report)
            job_fail(run.pk, str(exc))
            run.refresh_from_db()
            if flow.checked_audit:
                _audit(
                    actor=actor,
                    action=flow.checked_audit,
                    obj=run,
                    changes=flow.checked_changes(run, str(exc)),
                )
        return run
    run.summary = flow.summary(result, spec)
    run.rejects = result.rejects
    run.preview = result.preview
    run.report = result.report()
    run.state = ImportState.CHECKED
    with transaction.atomic():
        if result.error_sheet and flow.keep_error_sheet:
            run.error_file.save("errors.xlsx", ContentFile(result.error_sheet), save=False)
        run.save()
        job_finish(run.pk, line=flow.checked_line(run.summary))
        if flow.checked_audit:
            _audit(
                actor=actor,
                action=flow.checked_audit,
                obj=run,
                changes=flow.checked_changes(run, ""),
            )
    return run


def import_run_check_in_task(flow: ImportFlow, run_id: int) -> dict[str, Any]:
    """The body of an app's check task."""
    with request_context(source="task"):
        try:
            run = import_run_check(flow, run_id)
        except Exception as exc:
            ImportRun.objects.filter(pk=run_id).update(state=ImportState.FAILED)
            job_fail(run_id, str(exc))
            raise
    return {"state": run.state, **run.summary}


def import_run_apply(flow: ImportFlow, *, actor, run_id: int) -> ImportRun:
    """The user confirms a checked import: write its valid rows (in the background for a large
    file). 404 outside the actor's scope; refused unless the dry run is done and not applied."""
    run = flow.runs_for(actor).filter(pk=run_id).first()
    if run is None:
        raise Http404
    with transaction.atomic():
        moved = ImportRun.objects.filter(pk=run.pk, state=ImportState.CHECKED).update(
            state=ImportState.APPLYING
        )
        if moved != 1:
            raise ValidationError(
                _("This import cannot be confirmed now: it is %(state)s.")
                % {"state": run.get_state_display()}
            )
        job = job_start(
            kind=flow.job_kind, owner=actor, region=run.region, label=flow.apply_label(run)
        )
        ImportRun.objects.filter(pk=run.pk).update(apply_job=job)
        background = run.summary.get("rows", 0) > flow.background_rows
        if background:
            transaction.on_commit(partial(flow.enqueue_apply, run.pk, job.pk))
    if not background:
        import_run_write(flow, run.pk, job.pk)
    run.refresh_from_db()
    return run


def import_run_write(flow: ImportFlow, run_id: int, job_id: int) -> ImportRun:
    """Write the valid rows of a confirmed run in one transaction, as the confirming user."""
    run = ImportRun.objects.select_related("region").get(pk=run_id)
    job = Job.objects.select_related("owner").get(pk=job_id)
    actor = job.owner
    job_progress(job_id, 1, _("Writing the rows in one transaction…"))
    # One request id for every audit entry of this import.
    with request_context(source=current_context().source) as ctx:
        try:
            with transaction.atomic():
                spec = _spec(flow, run, actor)
                total = run.summary.get("rows", 0)
                with flow.source(run) as (fh, name):
                    result = run_import(
                        spec,
                        fh,
                        name,
                        apply=True,
                        progress=import_progress(job_id, 1, 98, total),
                        options=run.options,
                    )
                flow.verify_write(run, result, spec)
                summary = flow.summary(result, spec)
                _audit(actor=actor, action=flow.applied_audit, obj=run, changes=summary)
        except Exception as exc:
            # Everything was rolled back; the job tells the user why.
            expected = ValidationError | ActionNotPermitted | ImportFileError | ImportRefused
            if not isinstance(exc, expected):
                logger.exception("import %s failed", run_id)
            if isinstance(exc, ImportRefused):
                message = str(exc)
            else:
                reason = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                message = _("Nothing was imported: %(error)s") % {"error": reason or repr(exc)}
            with transaction.atomic():
                ImportRun.objects.filter(pk=run_id).update(state=ImportState.FAILED)
                job_fail(job_id, message)
                if flow.failed_audit:
                    _audit(
                        actor=actor,
                        action=flow.failed_audit,
                        obj=run,
                        changes={"error": message},
                    )
            return ImportRun.objects.get(pk=run_id)
    summary = summary | {"request_id": str(ctx.request_id)}
    with transaction.atomic():
        ImportRun.objects.filter(pk=run_id).update(
            state=ImportState.APPLIED,
            summary=summary,
            rejects=result.rejects,
            applied_at=timezone.now(),
        )
        job_finish(job_id, line=flow.applied_line(summary))
    return ImportRun.objects.get(pk=run_id)


def import_run_write_in_task(flow: ImportFlow, run_id: int, job_id: int) -> dict[str, Any]:
    """The body of an app's apply task."""
    with request_context(source="task"):
        run = import_run_write(flow, run_id, job_id)
    return {"state": run.state, **run.summary}
