"""PostgreSQL test databases for parallel workers: migrated once, then cloned.

With ``pytest -n N`` each xdist worker used to create its own test database and replay every
migration (47 files: 20 s to 2 minutes of PostgreSQL work each on these machines, all workers at
once, and again for every later run). The controller now keeps one migrated template,
``test_<name>``, clones it for each worker with ``CREATE DATABASE … TEMPLATE`` (Django's
``clone_test_db``), and tells the workers to keep the database they find
(``ANJIAN_TEST_DB_CLONED``). The template is kept between runs and used again while the migrations
are the same: their fingerprint (every migration's app, name and source) is the template's
comment, and a template with another fingerprint is made anew. The clones are dropped when the
run ends. SQLite test databases live in memory and are left as they were.
"""

from __future__ import annotations

import hashlib
import inspect
import os

CLONED = "ANJIAN_TEST_DB_CLONED"


def is_cloned() -> bool:
    return os.environ.get(CLONED) == "1"


def _workers(config) -> int:
    if hasattr(config, "workerinput"):
        return 0  # a worker: the controller prepared its database
    count = getattr(config.option, "numprocesses", None)
    return count if isinstance(count, int) and count > 0 else 0


def migrations_fingerprint() -> str:
    """A digest of every migration Django would apply: app, name and source file."""
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256()
    for key, migration in sorted(
        MigrationLoader(None, ignore_no_migrations=True).disk_migrations.items()
    ):
        digest.update(repr(key).encode())
        try:
            digest.update(inspect.getsource(inspect.getmodule(migration)).encode())
        except (OSError, TypeError):
            digest.update(type(migration).__module__.encode())
    return digest.hexdigest()


def _comment(cursor, name: str) -> str | None:
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    )
    row = cursor.fetchone()
    return row[0] if row else None


def prepare_clones(config) -> list[str]:
    """In the controller of a parallel PostgreSQL run: the migrated template (kept, or made anew
    when the migrations changed) and one clone per worker. Returns the clones' names."""
    workers = _workers(config)
    if not workers or is_cloned():
        return []
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        return _prepare(workers)


def _prepare(workers: int) -> list[str]:
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    fingerprint = migrations_fingerprint()
    template = connection.creation._get_test_db_name()
    with connection._nodb_cursor() as cursor:
        current = _comment(cursor, template) == fingerprint
    test_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=current
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"COMMENT ON DATABASE {connection.ops.quote_name(test_name)} IS %s", [fingerprint]
        )
    connection.close()
    names = []
    for index in range(workers):
        suffix = f"gw{index}"
        connection.creation.clone_test_db(suffix=suffix, verbosity=0, autoclobber=True)
        names.append(f"{test_name}_{suffix}")
    os.environ[CLONED] = "1"
    return names


def drop(config, names: list[str]) -> None:
    """Drop the clones ``prepare_clones`` made, once the workers have finished."""
    if not names:
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    config.stash[blocking_manager_key].unblock()

    connection = connections["default"]
    with connection._nodb_cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
    os.environ.pop(CLONED, None)
