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
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record, audit_verify_chain
from anjian.backups.models import Backup, BackupStatus

FORMAT = 1
MANIFEST = "manifest.json"
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
NAME_RE = re.compile(r"^anjian-(\d{8})-(\d{6})(?:-\d+)?\.tar$")
CHUNK = 1024 * 1024
STALE_AFTER = datetime.timedelta(days=2)
DISK_FREE_MIN = 0.10
LOCAL_TZ = "Asia/Shanghai"


class BackupError(ValidationError):
    """A backup, an archive or a restore that cannot be trusted; the message names the reason."""


# --- Helpers ------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("anjian")
    except Exception:
        return "0.1.0"


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DB_MEMBERS:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor},
            code="engine",
        )
    return vendor


def backup_directory() -> Path:
    return Path(settings.ANJIAN_BACKUP_DIR)


def _local(moment: datetime.datetime) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(LOCAL_TZ))


def _media_files(media_root: Path) -> list[tuple[str, Path]]:
    """Every regular file under the media root as (archive-relative POSIX path, path), sorted."""
    if not media_root.is_dir():
        return []
    found = []
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path.relative_to(media_root).as_posix(), path))
    return found


class _HashingReader:
    """Reads exactly ``size`` bytes of a file into the tar while hashing them, so the hash in the
    manifest is the hash of what the archive holds even if the file grows meanwhile."""

    def __init__(self, fh, size: int):
        self.fh, self.left, self.digest = fh, size, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.fh.read(n)
        self.left -= len(data)
        self.digest.update(data)
        return data


# --- Snapshots of the database ------------------------------------------------------------------


@dataclass
class Snapshot:
    """What the copy of the database holds, read from the copy itself (or its snapshot)."""

    counts: dict[str, int]
    migrations: list[str]
    audit_head: dict[str, Any]


def _sqlite_facts(conn) -> Snapshot:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return _facts(conn.cursor(), tables)


def _facts(cursor, tables: list[str]) -> Snapshot:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = int(cursor.fetchone()[0])
    migrations: list[str] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    head: dict[str, Any] = {"last_hash": "", "entries": 0, "last_entry_id": 0}
    if "audit_auditchainhead" in counts:
        cursor.execute(
            "SELECT last_hash, entries, last_entry_id FROM audit_auditchainhead WHERE id = 1"
        )
        row = cursor.fetchone()
        if row:
            head = {"last_hash": row[0], "entries": int(row[1]), "last_entry_id": int(row[2])}
    return Snapshot(counts, migrations, head)


def _sqlite_copy(using: str, target: Path) -> Snapshot:
    """Copy the SQLite database into ``target`` with the online backup API, then read the facts
    of the copy. A file database is read through a connection of its own, so the copy holds what
    was committed; an in-memory database (the tests) can only be read through Django's."""
    wrapper = connections[using]
    name = str(wrapper.settings_dict["NAME"])
    dst = sqlite3.connect(target)
    try:
        if wrapper.is_in_memory_db() or not Path(name).exists():
            if wrapper.in_atomic_block:
                # SQLite's backup would wait forever for the transaction of its own connection.
                raise BackupError(
                    _("An in-memory database cannot be copied inside a transaction."),
                    code="in_transaction",
                )
            wrapper.ensure_connection()
            wrapper.connection.backup(dst)
        else:
            # A plain connection (only read): a read-only one cannot open a WAL database whose
            # -shm file is missing (the site stopped).
            src = sqlite3.connect(name, timeout=60)
            try:
                src.backup(dst)  # one step: a consistent copy of one moment
            finally:
                src.close()
        return _sqlite_facts(dst)
    finally:
        dst.close()


def _pg_params(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    args: list[str] = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _pg_bin(name: str) -> str:
    folder = getattr(settings, "ANJIAN_PG_BIN_DIR", "")
    return str(Path(folder) / name) if folder else name


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(cmd[0]).name, "error": done.stderr.strip()[-500:]},
            code="program",
        )


def _pg_copy(using: str, target: Path) -> Snapshot:
    """Dump PostgreSQL with ``pg_dump -Fc`` from the snapshot of an open REPEATABLE READ
    transaction in which every table was counted: counts and dump see the same moment."""
    wrapper = connections[using]
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        raw.autocommit = False
        cursor = raw.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
        facts = _facts(cursor, [row[0] for row in cursor.fetchall()])
        args, env = _pg_params(wrapper.settings_dict)
        _run(
            [
                _pg_bin("pg_dump"),
                "-Fc",
                f"--snapshot={snapshot_id}",
                *args,
                "-f",
                str(target),
                "-d",
                str(wrapper.settings_dict["NAME"]),
            ],
            env,
        )
        raw.rollback()
        return facts
    finally:
        raw.close()


# --- Creating a backup --------------------------------------------------------------------------


def _archive_name(directory: Path, moment: datetime.datetime) -> str:
    stem = f"anjian-{_local(moment):%Y%m%d-%H%M%S}"
    name, n = f"{stem}.tar", 1
    while (directory / name).exists():
        n += 1
        name = f"{stem}-{n}.tar"
    return name


def _write_archive(
    tmp: Path, *, engine: str, db_copy: Path, facts: Snapshot, media_root: Path, started
) -> dict[str, Any]:
    files: dict[str, dict[str, Any]] = {}
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(db_copy, arcname=DB_MEMBERS[engine], recursive=False)
        for rel, path in _media_files(media_root):
            with path.open("rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                info = tarfile.TarInfo(MEDIA_PREFIX + rel)
                info.size, info.mtime, info.mode = size, int(path.stat().st_mtime), 0o644
                reader = _HashingReader(fh, size)
                tar.addfile(info, reader)
                files[rel] = {"sha256": reader.digest.hexdigest(), "size": size}
        manifest = {
            "format": FORMAT,
            "anjian_version": _version(),
            "created_at": started.isoformat(),
            "engine": engine,
            "database": {
                "member": DB_MEMBERS[engine],
                "sha256": _sha256_file(db_copy),
                "size": db_copy.stat().st_size,
            },
            "migrations": facts.migrations,
            "counts": facts.counts,
            "audit_head": facts.audit_head,
            "files": files,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
        tar.addfile(info, io.BytesIO(data))
    return manifest


def _place(source: Path, directory: Path, name: str) -> Path:
    """Copy ``source`` into ``directory`` as ``name`` atomically (a ``.tmp`` then a rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f"{name}.tmp"
    shutil.copyfile(source, tmp)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(directory / name)
    return directory / name


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
    name = _archive_name(directory, started)
    tmp = directory / f"{name}.tmp"
    try:
        engine = _engine(using)
        with tempfile.TemporaryDirectory(dir=directory, prefix=".work-") as work:
            db_copy = Path(work) / DB_MEMBERS[engine]
            facts = _sqlite_copy(using, db_copy) if engine == "sqlite" else _pg_copy(using, db_copy)
            manifest = _write_archive(
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
            copied = str(_place(final, copy_to, name))
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


# --- Retention ----------------------------------------------------------------------------------


def retention_keep(
    datetimes: Iterable[datetime.datetime],
    now: datetime.datetime,
    *,
    daily: int = 7,
    weekly: int = 5,
    monthly: int = 12,
) -> set[datetime.datetime]:
    """Which backups to keep: the newest of each of the last ``daily`` days that have one, of
    each of the last ``weekly`` ISO weeks and of each of the last ``monthly`` months (local time),
    the newest of all, and any dated after ``now`` (a clock put back must not delete them).

    Counting periods that have a backup (not calendar periods) keeps old backups when the machine
    was switched off for a while, which is when they are needed most. Pure: tested at month and
    year ends and on 29 February."""
    moments = sorted(set(datetimes), reverse=True)
    keep = {m for m in moments if m > now}
    if moments:
        keep.add(moments[0])
    rules = (
        (daily, lambda d: d.date()),
        (weekly, lambda d: d.isocalendar()[:2]),
        (monthly, lambda d: (d.year, d.month)),
    )
    for count, bucket in rules:
        seen: list[Any] = []
        for moment in moments:
            key = bucket(_local(moment))
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(moment)
    return keep


def _archives(directory: Path) -> dict[datetime.datetime, list[Path]]:
    from zoneinfo import ZoneInfo

    found: dict[datetime.datetime, list[Path]] = {}
    if not directory.is_dir():
        return found
    for path in directory.iterdir():
        match = NAME_RE.match(path.name)
        if not match or not path.is_file():
            continue
        moment = datetime.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S").replace(
            tzinfo=ZoneInfo(LOCAL_TZ)
        )
        found.setdefault(moment, []).append(path)
    return found


def backup_prune(
    *, actor=None, directories: Iterable[Path] | None = None, now: datetime.datetime | None = None
) -> list[str]:
    """Delete the archives the retention rule does not keep, in each directory (the main one and
    the second destination) on its own; mark their rows. Returns the deleted paths."""
    if directories is None:
        directories = [backup_directory()]
        if settings.ANJIAN_BACKUP_COPY_DIR:
            directories.append(Path(settings.ANJIAN_BACKUP_COPY_DIR))
    now = now or timezone.now()
    rule = settings.ANJIAN_BACKUP_KEEP
    deleted: list[str] = []
    for directory in directories:
        found = _archives(Path(directory))
        keep = retention_keep(found, now, **rule)
        for moment, paths in found.items():
            if moment not in keep:
                for path in paths:
                    path.unlink(missing_ok=True)
                    deleted.append(str(path))
    if deleted:
        with transaction.atomic():
            Backup.objects.filter(path__in=deleted, pruned_at__isnull=True).update(
                pruned_at=timezone.now()
            )
            audit_record(
                actor=actor,
                action="backup.pruned",
                target_repr=_("%(count)d backup archives") % {"count": len(deleted)},
                changes={"deleted": deleted},
                reason=f"retention {json.dumps(rule, sort_keys=True)}",
            )
    return deleted


# --- Checking an archive ------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def archive_verify(path: Path | str) -> dict[str, Any]:
    """Read the whole archive and compare it with its manifest; return the manifest.

    Raises ``BackupError`` naming the first problem: the manifest missing or unreadable, a member
    outside the archive's folders, the database copy or a file missing, a hash that differs, a file
    the manifest does not list."""
    path = Path(path)
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(
            _("The archive %(name)s cannot be read: %(error)s") % {"name": path.name, "error": exc},
            code="unreadable",
        ) from exc
    hashes: dict[str, str] = {}
    manifest_data = None
    with tar:
        try:
            for member in tar:
                if not _safe_member(member.name) or not (member.isfile() or member.isdir()):
                    raise BackupError(
                        _("The archive holds an entry it should not: %(name)s")
                        % {"name": member.name},
                        code="bad_member",
                    )
                if not member.isfile():
                    continue
                fh = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest_data = fh.read()
                    continue
                digest = hashlib.sha256()
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
                hashes[member.name] = digest.hexdigest()
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise BackupError(
                _("The archive %(name)s is damaged: %(error)s") % {"name": path.name, "error": exc},
                code="damaged",
            ) from exc
    if manifest_data is None:
        raise BackupError(_("The archive has no manifest (manifest.json)."), code="no_manifest")
    try:
        manifest = json.loads(manifest_data)
        db = manifest["database"]
        files = manifest["files"]
        manifest["counts"], manifest["migrations"], manifest["audit_head"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(
            _("The manifest cannot be read: %(error)s") % {"error": exc}, code="bad_manifest"
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("The archive's format %(format)s is not one this version reads.")
            % {"format": manifest.get("format")},
            code="format",
        )
    member = db["member"]
    if member not in hashes:
        raise BackupError(_("The database copy is missing from the archive."), code="db_missing")
    if hashes.pop(member) != db["sha256"]:
        raise BackupError(
            _("The database copy does not match its hash in the manifest."), code="db_hash"
        )
    for rel, facts in sorted(files.items()):
        got = hashes.pop(MEDIA_PREFIX + rel, None)
        if got is None:
            raise BackupError(
                _("The file %(name)s is missing from the archive.") % {"name": rel},
                code="file_missing",
            )
        if got != facts["sha256"]:
            raise BackupError(
                _("The file %(name)s does not match its hash in the manifest.") % {"name": rel},
                code="file_hash",
            )
    if hashes:
        raise BackupError(
            _("The archive holds files the manifest does not list: %(names)s")
            % {"names": ", ".join(sorted(hashes)[:5])},
            code="extra_files",
        )
    return manifest


# --- Restoring ----------------------------------------------------------------------------------


@dataclass
class Check:
    code: str  # stable: archive, counts, files, migrations, audit
    name: str
    ok: bool
    detail: str = ""


@dataclass
class RestoreReport:
    archive: str
    checks: list[Check] = field(default_factory=list)
    migrations_applied: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def add(self, code: str, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append(Check(code, name, ok, detail))


def _tables(using: str) -> list[str]:
    with connections[using].cursor() as cursor:
        return connections[using].introspection.table_names(cursor)


def database_is_empty(using: str = "default") -> bool:
    """Empty: no table at all (a new SQLite file or a new PostgreSQL database)."""
    wrapper = connections[using]
    if wrapper.vendor == "sqlite":
        name = str(wrapper.settings_dict["NAME"])
        if not wrapper.is_in_memory_db() and not Path(name).exists():
            return True
    return not _tables(using)


def _media_has_files(media_root: Path) -> bool:
    return media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*"))


def _extract_member(tar: tarfile.TarFile, name: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".restore-tmp")
    with tar.extractfile(name) as src, tmp.open("wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
    tmp.replace(target)


def _restore_database(tar: tarfile.TarFile, manifest: dict, using: str, *, force: bool) -> None:
    wrapper = connections[using]
    member = manifest["database"]["member"]
    if wrapper.vendor == "sqlite":
        name = Path(str(wrapper.settings_dict["NAME"]))
        if wrapper.is_in_memory_db():
            raise BackupError(
                _("An in-memory SQLite database cannot be restored into."), code="in_memory"
            )
        wrapper.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        _extract_member(tar, member, name)
        return
    wrapper.close()
    args, env = _pg_params(wrapper.settings_dict)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / member
        _extract_member(tar, member, dump)
        extra = ["--clean", "--if-exists"] if force else []
        _run(
            [
                _pg_bin("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *extra,
                *args,
                "-d",
                str(wrapper.settings_dict["NAME"]),
                str(dump),
            ],
            env,
        )


def _migrations(using: str) -> list[str]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def restore_archive(
    path: Path | str,
    *,
    using: str = "default",
    media_root: Path | str | None = None,
    force: bool = False,
) -> RestoreReport:
    """Restore an archive into the database ``using`` and the media root, then check it.

    The archive is verified first (a damaged one is refused before anything is written). The
    target must be empty (no table in the database, no file under the media root) unless
    ``force``. After the database comes back, ``migrate`` brings an older backup up to this
    version; then every check of the manifest is made and reported: row counts per table, every
    file's hash, the migrations, the audit chain (verified on the restored database, and its head
    equal to the manifest's). Check failures are reported, not raised: the data is in place and
    the operator decides."""
    from django.core.management import call_command

    path = Path(path)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    manifest = archive_verify(path)
    report = RestoreReport(archive=str(path))
    report.add("archive", _("archive and manifest"), True, _("every hash in the manifest matches"))
    engine = connections[using].vendor
    if manifest["engine"] != engine:
        raise BackupError(
            _("The archive holds a %(archive)s database; this installation runs %(here)s.")
            % {"archive": manifest["engine"], "here": engine},
            code="engine",
        )
    if not force:
        if not database_is_empty(using):
            raise BackupError(
                _("The target database is not empty; restore into a new one, or pass --force."),
                code="not_empty",
            )
        if _media_has_files(media_root):
            raise BackupError(
                _(
                    "The media folder %(path)s is not empty; restore into a new one, or pass --force."
                )
                % {"path": media_root},
                code="not_empty",
            )
    with tarfile.open(path, "r:") as tar:
        _restore_database(tar, manifest, using, force=force)
        before = set(_migrations(using))
        call_command("migrate", database=using, interactive=False, verbosity=0)
        report.migrations_applied = sorted(set(_migrations(using)) - before)
        for rel in manifest["files"]:
            target = (media_root / rel).resolve()
            if not target.is_relative_to(media_root.resolve()):
                raise BackupError(
                    _("The archive holds an entry it should not: %(name)s") % {"name": rel},
                    code="bad_member",
                )
            _extract_member(tar, MEDIA_PREFIX + rel, target)
    _check_counts(report, manifest, using)
    _check_files(report, manifest, media_root)
    missing = sorted(set(manifest["migrations"]) - set(_migrations(using)))
    report.add(
        "migrations",
        _("migrations"),
        not missing,
        _("%(count)d in the backup, %(new)d applied now")
        % {"count": len(manifest["migrations"]), "new": len(report.migrations_applied)}
        if not missing
        else _("missing: %(names)s") % {"names": ", ".join(missing[:5])},
    )
    chain = audit_verify_chain(using=using)
    head = manifest["audit_head"]
    from anjian.audit.models import AuditChainHead

    restored_head = AuditChainHead.objects.using(using).filter(pk=1).first()
    same_head = (restored_head.last_hash if restored_head else "") == (head["last_hash"] or "") or (
        not restored_head and not head["entries"]
    )
    report.add(
        "audit",
        _("audit chain"),
        chain.ok and same_head,
        _("%(count)d entries verified, the head matches the manifest") % {"count": chain.checked}
        if chain.ok and same_head
        else (chain.problem or _("the head differs from the manifest")),
    )
    return report


def _check_counts(report: RestoreReport, manifest: dict, using: str) -> None:
    """Every table of the manifest has the same number of rows. After new migrations ran (an older
    backup), a difference is expected in the migrations' own tables and is only shown."""
    tables = set(_tables(using))
    differ: list[str] = []
    with connections[using].cursor() as cursor:
        for table, expected in sorted(manifest["counts"].items()):
            if table not in tables:
                differ.append(f"{table}: -")
                continue
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names we listed
            got = int(cursor.fetchone()[0])
            if got != expected:
                differ.append(f"{table}: {expected} → {got}")
    if report.migrations_applied:
        differ = [d for d in differ if not d.startswith("django_migrations:")]
    total = sum(manifest["counts"].values())
    report.add(
        "counts",
        _("row counts"),
        not differ or bool(report.migrations_applied),
        _("%(tables)d tables, %(rows)d rows equal")
        % {"tables": len(manifest["counts"]), "rows": total}
        if not differ
        else _("differ: %(tables)s") % {"tables": "; ".join(differ[:10])},
    )


def _check_files(report: RestoreReport, manifest: dict, media_root: Path) -> None:
    bad = [
        rel
        for rel, facts in sorted(manifest["files"].items())
        if not (media_root / rel).is_file() or _sha256_file(media_root / rel) != facts["sha256"]
    ]
    report.add(
        "files",
        _("files"),
        not bad,
        _("%(count)d files, every hash equal") % {"count": len(manifest["files"])}
        if not bad
        else _("differ: %(names)s") % {"names": ", ".join(bad[:10])},
    )


# --- Status for the system page -----------------------------------------------------------------


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
