"""PostgreSQL test databases for parallel workers: migrated once, then cloned.

With ``pytest -n N`` each xdist worker used to create its own test database and replay every
migration (47 files, 20 s to 2 min of PostgreSQL work each on these machines, all workers at
once). The controller now creates ``test_<name>`` once, clones it for each worker with
``CREATE DATABASE … TEMPLATE`` (Django's ``clone_test_db``), and tells the workers to keep the
database they find (``ANJIAN_TEST_DB_CLONED``). SQLite test databases live in memory and are left
as they were.
"""

from __future__ import annotations

import os

CLONED = "ANJIAN_TEST_DB_CLONED"


def _workers(config) -> int:
    if hasattr(config, "workerinput"):
        return 0  # a worker: the controller prepared its database
    count = getattr(config.option, "numprocesses", None)
    return count if isinstance(count, int) and count > 0 else 0


def prepare_clones(config) -> list[str]:
    """In the controller of a parallel PostgreSQL run: the migrated template and one clone per
    worker. Returns the names made (for ``drop``)."""
    workers = _workers(config)
    if not workers or os.environ.get(CLONED):
        return []
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    test_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    names = [test_name]
    for index in range(workers):
        suffix = f"gw{index}"
        connection.creation.clone_test_db(suffix=suffix, verbosity=0, autoclobber=True)
        names.append(f"{test_name}_{suffix}")
    connection.close()
    os.environ[CLONED] = "1"
    return names


def drop(names: list[str]) -> None:
    """Drop what ``prepare_clones`` made, once the workers have finished."""
    if not names:
        return
    from django.db import connections

    connection = connections["default"]
    with connection._nodb_cursor() as cursor:
        for name in reversed(names):
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
    os.environ.pop(CLONED, None)


def is_cloned() -> bool:
    return os.environ.get(CLONED) == "1"
