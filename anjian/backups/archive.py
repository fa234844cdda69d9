"""The backup archive: its name, its members, its manifest, and the check that every hash in it
matches (``archive_verify``): a damaged archive is refused with the reason before anything is
restored."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from anjian.backups.snapshot import Snapshot


FORMAT = 1


MANIFEST = "manifest.json"


DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


MEDIA_PREFIX = "media/"


NAME_RE = re.compile(r"^anjian-(\d{8})-(\d{6})(?:-\d+)?\.tar$")


CHUNK = 1024 * 1024


LOCAL_TZ = "Asia/Shanghai"


class BackupError(ValidationError):
    """A backup, an archive or a restore that cannot be trusted; the message names the reason."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def anjian_version() -> str:
    try:
        from importlib.metadata import version

        return version("anjian")
    except Exception:
        return "0.1.0"


def engine_of(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DB_MEMBERS:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor},
            code="engine",
        )
    return vendor


def local_time(moment: datetime.datetime) -> datetime.datetime:
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


def archive_name(directory: Path, moment: datetime.datetime) -> str:
    stem = f"anjian-{local_time(moment):%Y%m%d-%H%M%S}"
    name, n = f"{stem}.tar", 1
    while (directory / name).exists():
        n += 1
        name = f"{stem}-{n}.tar"
    return name


def write_archive(
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
            "anjian_version": anjian_version(),
            "created_at": started.isoformat(),
            "engine": engine,
            "database": {
                "member": DB_MEMBERS[engine],
                "sha256": sha256_file(db_copy),
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


def place_archive(source: Path, directory: Path, name: str) -> Path:
    """Copy ``source`` into ``directory`` as ``name`` atomically (a ``.tmp`` then a rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f"{name}.tmp"
    shutil.copyfile(source, tmp)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(directory / name)
    return directory / name


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


def backup_directory() -> Path:
    return Path(settings.ANJIAN_BACKUP_DIR)
