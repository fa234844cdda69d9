"""The consistent copy of the database a backup holds: SQLite's online backup API, or ``pg_dump``
of the snapshot of a ``REPEATABLE READ`` transaction that counted every table (see
``anjian.backups.services``)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from anjian.backups.archive import BackupError


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


def sqlite_copy(using: str, target: Path) -> Snapshot:
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


def pg_params(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
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


def pg_bin(name: str) -> str:
    folder = getattr(settings, "ANJIAN_PG_BIN_DIR", "")
    return str(Path(folder) / name) if folder else name


def run_command(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(cmd[0]).name, "error": done.stderr.strip()[-500:]},
            code="program",
        )


def pg_copy(using: str, target: Path) -> Snapshot:
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
        args, env = pg_params(wrapper.settings_dict)
        run_command(
            [
                pg_bin("pg_dump"),
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
