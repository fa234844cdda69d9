"""Backups of the whole installation: one archive holds a consistent copy of the database, the
files under the media root and a manifest that lets a restore prove it brought everything back.

Why one archive and a manifest: the files (photos, scans, signatures, Word documents) are evidence
that the records point at; a database restored without them, or with files that changed, is not a
backup. The manifest names every table's row count as seen by the copy, the SHA-256 of the
database copy and of every file, the migrations applied and the audit chain's head, so that
``restore_archive`` can check each of them after the restore and say which one failed.

Consistency: on SQLite the online backup API copies the database in one step while the site runs
(readers never block writers in WAL mode) and the counts are read from that copy; on PostgreSQL one
``REPEATABLE READ`` transaction exports its snapshot, counts every table and reads the audit head,
and ``pg_dump --snapshot`` dumps exactly what that transaction sees. The files are read after the
database is copied: evidence files are only ever added, so a file newer than the copy is at worst
an orphan in the archive, never a record without its file.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record
from anjian.backups.archive import (
    DB_MEMBERS,
    BackupError,
    archive_name,
    archive_verify,
    backup_directory,
    engine_of,
    place_archive,
    write_archive,
)
from anjian.backups.models import Backup, BackupStatus
from anjian.backups.retention import backup_prune
from anjian.backups.snapshot import pg_copy, sqlite_copy

STALE_AFTER = datetime.timedelta(days=2)


DISK_FREE_MIN = 0.10


def backup_create(
    *,
    actor=None,
    using: str = "default",
    directory: Path | str | None = None,
    copy_to: Path | str | None = None,
    media_root: Path | str | None = None,
    prune: bool = True,
) -> Backup:
    """Write one archive (database + media + manifest) into ``directory`` atomically, check it,
    copy it to the second destination if one is set and apply the retention rule to both.

    A failed backup is recorded too (status failed, with the reason), so that the system page shows
    it, and the error is raised again for the caller (the command exits 1, the task reports it)."""
    directory = Path(directory or backup_directory())
    copy_to = (
        Path(copy_to) if copy_to else (Path(d) if (d := settings.ANJIAN_BACKUP_COPY_DIR) else None)
    )
    media_root = Path(media_root or settings.MEDIA_ROOT)
    started = timezone.now()
    engine = connections[using].vendor
    directory.mkdir(parents=True, exist_ok=True)
    name = archive_name(directory, started)
    tmp = directory / f"{name}.tmp"
    try:
        engine = engine_of(using)
        with tempfile.TemporaryDirectory(dir=directory, prefix=".work-") as work:
            db_copy = Path(work) / DB_MEMBERS[engine]
            facts = sqlite_copy(using, db_copy) if engine == "sqlite" else pg_copy(using, db_copy)
            manifest = write_archive(
                tmp,
                engine=engine,
                db_copy=db_copy,
                facts=facts,
                media_root=media_root,
                started=started,
            )
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        final = directory / name
        tmp.replace(final)
        archive_verify(final)
        copied = ""
        if copy_to is not None:
            copied = str(place_archive(final, copy_to, name))
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _record(
            actor,
            Backup(
                name=name,
                engine=engine,
                status=BackupStatus.FAILED,
                message=message[:2000],
                created_at=started,
                finished_at=timezone.now(),
            ),
        )
        if isinstance(exc, BackupError):
            raise
        raise BackupError(
            _("The backup failed: %(error)s") % {"error": message}, code="failed"
        ) from exc
    backup = _record(
        actor,
        Backup(
            name=name,
            path=str(final),
            size=final.stat().st_size,
            engine=engine,
            status=BackupStatus.OK,
            check_passed=True,
            copied_to=copied,
            tables=len(manifest["counts"]),
            rows=sum(manifest["counts"].values()),
            files=len(manifest["files"]),
            created_at=started,
            finished_at=timezone.now(),
        ),
    )
    if prune:
        backup_prune(actor=actor, directories=[directory] + ([copy_to] if copy_to else []))
    return backup


def _record(actor, backup: Backup) -> Backup:
    """Save the row and its audit entry in one transaction (after the snapshot: not in it)."""
    with transaction.atomic():
        backup.save()
        audit_record(
            actor=actor,
            action="backup.created" if backup.status == BackupStatus.OK else "backup.failed",
            obj=backup,
            changes={
                "name": backup.name,
                "size": backup.size,
                "status": backup.status,
                "message": backup.message,
                "copied_to": backup.copied_to,
            },
        )
    return backup


@dataclass
class BackupStatusReport:
    last: Backup | None
    last_good: Backup | None
    disk_total: int
    disk_free: int
    warnings: list[str]


def backup_status(now: datetime.datetime | None = None) -> BackupStatusReport:
    """The last backup, the last good one and the warnings the office must see: no good backup in
    two days (the nightly job stopped, or every backup fails) and a disk nearly full."""
    now = now or timezone.now()
    last = Backup.objects.order_by("-created_at", "-id").first()
    last_good = Backup.objects.good().order_by("-created_at", "-id").first()
    warnings: list[str] = []
    if last_good is None:
        warnings.append(_("There is no good backup yet."))
    elif now - last_good.created_at > STALE_AFTER:
        warnings.append(
            _("The last good backup is older than two days (%(time)s).")
            % {"time": f"{timezone.localtime(last_good.created_at):%Y-%m-%d %H:%M}"}
        )
    directory = backup_directory()
    probe = directory if directory.exists() else Path(settings.DATA_DIR)
    usage = shutil.disk_usage(probe)
    if usage.total and usage.free / usage.total < DISK_FREE_MIN:
        warnings.append(
            _("The disk of the backups is nearly full: %(free)s free of %(total)s.")
            % {"free": _size(usage.free), "total": _size(usage.total)}
        )
    return BackupStatusReport(last, last_good, usage.total, usage.free, warnings)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def backup_enqueue(*, actor) -> str:
    """Start a backup in the worker (the page's button, the API); audited. Returns the task's id.

    The backup itself records its own entry when written; this one records who asked for it."""
    from anjian.backups.tasks import backup_task

    with transaction.atomic():
        audit_record(actor=actor, action="backup.requested", target_repr=_("Backup"))
        result = backup_task.enqueue(actor_id=getattr(actor, "pk", None))
    return str(result.id)
