"""A backup and its restore, on SQLite and on PostgreSQL: the test world plus new records and
photos → backup while another connection writes → restore into a new database and folder → every
table's rows and every file's hash equal, the audit chain verifies, the data is readable. Then a
damaged archive (a changed byte, a missing file) is refused with its reason, and a restore into a
database that is not empty is refused without --force.

One backup serves every assertion of a database (each round trip costs a few seconds). The tests
commit (a second connection must see the rows), so they build their own world."""

from __future__ import annotations

import contextlib
import copy
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import timezone

from anjian.accounts.models import User
from anjian.audit.models import AuditEntry
from anjian.audit.services import audit_record
from anjian.backups.archive import MANIFEST, BackupError, archive_verify
from anjian.backups.restore import restore_archive
from anjian.backups.services import backup_create
from anjian.core.testing.world import build_world
from anjian.regions.models import Region
from anjian.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db(transaction=True)

# Rows written after the snapshot by the backup itself (its row and audit entries) or by the
# writer thread: their counts are checked against the manifest, not against the source.
MOVING = {"backups_backup", "audit_auditentry", "audit_auditchainhead", "core_scheduledrun"}
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"


@contextlib.contextmanager
def alias(name: str, **changes) -> Iterator[str]:
    """A database alias like ``default`` with ``changes`` (another NAME), removed afterwards.

    The connection is made here and not declared in the settings: Django's test case lets a test
    use such a connection, while it refuses an alias of the settings that it did not ask for."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    settings_dict.update(changes)
    connections[name] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, name)
    try:
        yield name
    finally:
        with contextlib.suppress(Exception):
            connections[name].close()
        del connections[name]


def make_records(media: Path) -> int:
    """The world, a new unit with an audit entry per change, and photos under the media root."""
    world = build_world()
    for i in range(3):
        unit = Unit.objects.create(
            name=f"备份测试企业{i}",
            kind=UnitKind.ENTERPRISE,
            region=world.unit_a.region,
            committee=world.unit_a.committee,
            address="场口镇",
        )
        audit_record(actor=world.users["town_office_a"], action="unit.created", obj=unit)
    (media / "hazards" / "2027").mkdir(parents=True)
    for i in range(3):
        (media / "hazards" / "2027" / f"照片{i}.jpg").write_bytes(PHOTO + bytes([i]))
    (media / "signatures").mkdir()
    (media / "signatures" / "sig.png").write_bytes(b"\x89PNG signature")
    return world.unit_a.pk


class Writer(threading.Thread):
    """Inserts rows through a connection of its own until told to stop: the backup must be a copy
    of one moment all the same (counts in the manifest equal to the rows of the copy). A raw
    connection: the test framework forbids Django's connections in other threads."""

    def __init__(self, using: str):
        super().__init__(daemon=True)
        self.stop, self.written = threading.Event(), 0
        wrapper = connections[using]
        if wrapper.vendor == "sqlite":
            self.raw = sqlite3.connect(
                wrapper.settings_dict["NAME"],
                timeout=20,
                isolation_level=None,
                check_same_thread=False,
            )
            self.sql = "INSERT INTO core_scheduledrun (job_name, slot, enqueued_at, task_result_id) VALUES (?, ?, ?, '')"
        else:
            self.raw = wrapper.get_new_connection(wrapper.get_connection_params())
            self.raw.autocommit = True
            self.sql = "INSERT INTO core_scheduledrun (job_name, slot, enqueued_at, task_result_id) VALUES (%s, %s, %s, '')"

    def run(self) -> None:
        try:
            while not self.stop.is_set() or self.written < 20:
                now = timezone.now()
                self.raw.execute(
                    self.sql, (f"writer-{self.written}", now.isoformat(), now.isoformat())
                )
                self.written += 1
        finally:
            self.raw.close()


def rows(using: str, table: str) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 - a catalogue name
        return [tuple(str(v) for v in row) for row in cursor.fetchall()]


def count(using: str, table: str) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - a catalogue name
        return cursor.fetchone()[0]


def rewrite(archive: Path, target: Path, *, drop: str = "", flip: str = "") -> Path:
    """A copy of ``archive`` without the member ``drop``, or with one byte of ``flip`` changed."""
    with tarfile.open(archive) as src, tarfile.open(target, "w") as dst:
        for member in src:
            if member.name == drop:
                continue
            data = src.extractfile(member).read() if member.isfile() else b""
            if member.name == flip:
                data = data[:10] + bytes([data[10] ^ 1]) + data[11:]
            dst.addfile(member, io.BytesIO(data))
    return target


SERVE = """
import sys, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from anjian.accounts.models import User
setup_test_environment()
client = Client()
client.force_login(User.objects.get(username=sys.argv[1]))
page = client.get("/units/")
print(page.status_code, sys.argv[2] in page.content.decode())
"""


def served(tmp_path: Path, target: str, username: str, text: str) -> str:
    """The site started on the restored database (a process of its own, as after a restore):
    a town office user's unit list shows a unit that was recorded before the backup."""
    settings_dict = connections[target].settings_dict
    if connections[target].vendor == "sqlite":
        url = f"sqlite:///{settings_dict['NAME']}"
    else:
        url = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
            f"{settings_dict['NAME']}"
        )
    env = dict(os.environ, ANJIAN_DEBUG="true", DATABASE_URL=url, ANJIAN_DATA_DIR=str(tmp_path))
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [sys.executable, "-c", SERVE, username, text],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def round_trip(tmp_path: Path, source: str, target: str) -> None:
    """The assertions both databases share; ``source`` has the records, ``target`` is empty."""
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    writer = Writer(source)
    writer.start()
    try:
        backup = backup_create(
            using=source,
            directory=tmp_path / "backups",
            copy_to=tmp_path / "second-disk",
            media_root=media,
        )
    finally:
        writer.stop.set()
        writer.join()
    archive = Path(backup.path)
    assert archive.name.startswith("anjian-") and archive.suffix == ".tar"
    assert backup.check_passed and backup.files == 4
    assert (tmp_path / "second-disk" / archive.name).read_bytes() == archive.read_bytes()
    assert not list((tmp_path / "backups").glob("*.tmp"))
    manifest = archive_verify(archive)

    report = restore_archive(archive, using=target, media_root=restored_media)
    assert report.ok, [(c.name, c.detail) for c in report.checks]
    assert [c.code for c in report.checks] == ["archive", "counts", "files", "migrations", "audit"]
    # The copy is of one moment: the rows the writer added before it are in it, all of them.
    for table, expected in manifest["counts"].items():
        assert count(target, table) == expected, table
    assert 0 <= manifest["counts"]["core_scheduledrun"] <= writer.written
    for table in manifest["counts"]:
        if table not in MOVING:
            assert rows(target, table) == rows(source, table), table
    for path in media.rglob("*"):
        if path.is_file():
            twin = restored_media / path.relative_to(media)
            assert twin.read_bytes() == path.read_bytes()
    # The restored data reads back through the models.
    assert set(Unit.objects.using(target).values_list("name", flat=True)) == set(
        Unit.objects.using(source).values_list("name", flat=True)
    )
    assert Region.objects.using(target).count() == Region.objects.using(source).count()
    assert User.objects.using(target).filter(username="town_office_a").exists()
    assert served(tmp_path, target, "town_office_a", "备份测试企业1") == "200 True"

    # Not into a database that is not empty, unless told.
    with pytest.raises(BackupError) as refused:
        restore_archive(archive, using=target, media_root=tmp_path / "other-media")
    assert refused.value.code == "not_empty"
    stray = restored_media / "hazards" / "not-in-the-archive.jpg"
    stray.write_bytes(b"a file the backup does not know")
    forced = restore_archive(archive, using=target, media_root=restored_media, force=True)
    assert forced.ok
    # The media folder holds exactly the archive's files again; what was there is set aside.
    assert not stray.exists()
    aside = Path(forced.media_set_aside)
    assert (aside / "hazards" / "not-in-the-archive.jpg").read_bytes().startswith(b"a file")
    assert sorted(
        str(p.relative_to(restored_media)) for p in restored_media.rglob("*") if p.is_file()
    ) == sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())

    # A changed byte in a photo, a missing file, a changed database copy: refused with the reason.
    photo = "media/hazards/2027/照片1.jpg"
    changed = rewrite(archive, tmp_path / "changed.tar", flip=photo)
    with pytest.raises(BackupError, match=r"照片1\.jpg") as refused:
        archive_verify(changed)
    assert refused.value.code == "file_hash"
    missing = rewrite(archive, tmp_path / "missing.tar", drop="media/signatures/sig.png")
    with pytest.raises(BackupError, match=r"sig\.png") as refused:
        restore_archive(missing, using=target, media_root=tmp_path / "m3", force=True)
    assert refused.value.code == "file_missing"
    db_member = manifest["database"]["member"]
    with pytest.raises(BackupError) as refused:
        archive_verify(rewrite(archive, tmp_path / "db.tar", flip=db_member))
    assert refused.value.code == "db_hash"
    with pytest.raises(BackupError) as refused:
        archive_verify(rewrite(archive, tmp_path / "nomanifest.tar", drop=MANIFEST))
    assert refused.value.code == "no_manifest"
    with pytest.raises(CommandError, match=r"sig\.png"):
        call_command("restore", str(missing), database=target, force=True)

    # verify_audit --database names the broken entry as it stands in that database.
    entry = AuditEntry.objects.using(target).order_by("pk").first()
    postgresql = connections[target].vendor == "postgresql"
    if postgresql:  # the table is append-only there: tamper as an intruder with the owner's rights
        with connections[target].cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER ALL")
    AuditEntry.objects.using(target).filter(pk=entry.pk).update(target_repr="篡改后的对象")
    if postgresql:
        with connections[target].cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER ALL")
    said = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", database=target, stderr=said)
    assert f"#{entry.pk}" in said.getvalue() and "篡改后的对象" in said.getvalue()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup API")
def test_round_trip_on_sqlite(tmp_path):
    media = tmp_path / "media"
    make_records(media)
    # The test database lives in memory: copy it into a file, the way a town's office runs it.
    source_file = tmp_path / "site.sqlite3"
    connection.ensure_connection()
    dst = sqlite3.connect(source_file)
    connection.connection.backup(dst)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.close()
    with (
        alias("bk_source", NAME=str(source_file)) as source,
        alias("bk_target", NAME=str(tmp_path / "restored.sqlite3")) as target,
    ):
        round_trip(tmp_path, source, target)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore")
def test_round_trip_on_postgresql(tmp_path):
    make_records(tmp_path / "media")
    name = f"{connection.settings_dict['NAME']}_restore_{os.getpid()}"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        with alias("bk_target", NAME=name) as target:
            round_trip(tmp_path, "default", target)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "sqlite", reason="edits a SQLite copy to look older")
def test_a_backup_of_an_older_version_is_migrated_on_restore(tmp_path):
    """An installation from before the backups app: its archive restores, ``migrate`` adds what
    this version has, and the checks pass (only the migrations' own table has more rows)."""
    source_file = tmp_path / "old.sqlite3"
    connection.ensure_connection()
    old = sqlite3.connect(source_file)
    connection.connection.backup(old)
    old.execute("DROP TABLE backups_backup")
    old.execute("DELETE FROM django_migrations WHERE app = 'backups'")
    old.commit()
    old.close()
    with (
        alias("bk_source", NAME=str(source_file)) as source,
        alias("bk_target", NAME=str(tmp_path / "new.sqlite3")) as target,
    ):
        backup = backup_create(using=source, directory=tmp_path / "b", media_root=tmp_path / "m")
        manifest = archive_verify(backup.path)
        assert "backups_backup" not in manifest["counts"]
        report = restore_archive(backup.path, using=target, media_root=tmp_path / "m2")
        assert report.migrations_applied == ["backups.0001_initial"]
        assert report.ok, [(c.code, c.detail) for c in report.checks]
        assert count(target, "backups_backup") == 0
