"""Restore an archive into an empty database and media root, then check it against its manifest:
row counts, file hashes, migrations and the audit chain."""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.services import audit_verify_chain
from anjian.backups.archive import CHUNK, MEDIA_PREFIX, BackupError, archive_verify, sha256_file
from anjian.backups.snapshot import pg_bin, pg_params, run_command


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
    media_set_aside: str = ""  # where --force moved the files that were in the media root

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


def _set_media_aside(media_root: Path) -> Path:
    """Move what is in the media root into a sibling folder ``<name>.before-restore-<time>``, so
    that after a forced restore the media root holds exactly the archive's files (a file the
    archive does not know would otherwise stay, looking like evidence), and nothing is deleted:
    the operator removes the old files once the restore is accepted. The entries are moved one by
    one, so a media root that is itself a mount point stays in place."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    aside = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
    suffix = 1
    while aside.exists():
        suffix += 1
        aside = media_root.with_name(f"{media_root.name}.before-restore-{stamp}-{suffix}")
    aside.mkdir(parents=True)
    for entry in list(media_root.iterdir()):
        shutil.move(str(entry), str(aside / entry.name))
    return aside


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
    args, env = pg_params(wrapper.settings_dict)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / member
        _extract_member(tar, member, dump)
        extra = ["--clean", "--if-exists"] if force else []
        run_command(
            [
                pg_bin("pg_restore"),
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
    if force and _media_has_files(media_root):
        report.media_set_aside = str(_set_media_aside(media_root))
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
        if not (media_root / rel).is_file() or sha256_file(media_root / rel) != facts["sha256"]
    ]
    report.add(
        "files",
        _("files"),
        not bad,
        _("%(count)d files, every hash equal") % {"count": len(manifest["files"])}
        if not bad
        else _("differ: %(names)s") % {"names": ", ".join(bad[:10])},
    )
