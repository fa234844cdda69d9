"""Prepared statements for the few queries every API request runs.

PostgreSQL spends longer planning a small query with joins than running it: the bearer-token
look-up (token, user, active roles, their regions and committees) plans in about 0.5 ms and runs in
0.1 ms (see bench/bench_hazards.py). A statement prepared once per connection is planned once
(PostgreSQL keeps a generic plan when it is as good, which it is for look-ups by a unique key), and
the SQL is compiled by the ORM once per process instead of once per request.

Only the queries passed to ``fetch_prepared`` are prepared: Django's own cursors bind parameters on
the client and never prepare. The statement is built from a queryset, so the ORM stays the one
place that knows the tables and the columns; the cursor is wrapped as Django wraps its own, so
database errors come as Django's. While queries are logged (``DEBUG``, ``CaptureQueriesContext``)
the statement runs unprepared through Django's cursor, so that the log shows it as any other.

Prepared statements are per connection. A pooler between anjian and PostgreSQL that hands one
client's statements to another (PgBouncer before 1.21 in transaction mode) breaks them: set
``ANJIAN_DB_PREPARED=false`` there, and the same queries run unprepared. On SQLite the compiled SQL
is reused and the driver's statement cache does the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

PLACEHOLDER = "\x00anjian-prepared-parameter\x00"

_statements: dict[tuple[str, str], tuple[str, dict, int]] = {}


def statement(name: str, build: Callable[[str], QuerySet], *, using: str = "default"):
    """The SQL of ``build(PLACEHOLDER)``, the converters of its columns (what the ORM applies to
    values from the database) and how many values it takes, made once per process and database
    vendor. The queryset takes the placeholder as its one parameter, or no parameter at all
    (checked)."""
    vendor = connections[using].vendor
    made = _statements.get((name, vendor))
    if made is None:
        sql, params, converters = compiled_sql(build(PLACEHOLDER), using)
        if list(params) not in ([PLACEHOLDER], []):
            raise ValueError(
                f"prepared statement {name!r} takes {list(params)!r}, not one value or none"
            )
        made = _statements[(name, vendor)] = (sql, converters, len(params))
    return made


def compiled_sql(queryset: QuerySet, using: str = "default") -> tuple[str, tuple, dict]:
    """The SQL and parameters Django compiles for ``queryset``, and the converters of its columns
    (what the ORM applies to values from the database). ``EmptyResultSet`` when it can match
    nothing."""
    compiler = queryset.query.get_compiler(using)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    return sql, tuple(params), converters


@functools.cache
def _preparing_cursor_class():
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        """Binds parameters on the server and prepares each statement the first time."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


def _cursor(using: str):
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    if (
        connection.vendor != "postgresql"
        or getattr(raw, "prepare_threshold", None) is None
        # Queries are being logged (DEBUG, CaptureQueriesContext): Django's own cursor, so that
        # the log shows the SQL with its values (a prepared execution carries only a name).
        or connection.queries_logged
    ):
        return connection.cursor()
    connection.validate_thread_sharing()
    return connection.make_cursor(_preparing_cursor_class()(raw))


def fetch_prepared(
    name: str, build: Callable[[str], QuerySet], value: Any = None, *, using: str = "default"
) -> list[tuple]:
    """All rows of ``build(value)`` as tuples of Python values (as ``values_list`` gives them):
    the queryset's SQL compiled once, prepared on PostgreSQL. A queryset without a parameter
    ignores the value it is built with (``lambda _: …``)."""
    sql, converters, takes = statement(name, build, using=using)
    with _cursor(using) as cursor:
        cursor.execute(sql, [value][:takes])
        rows = cursor.fetchall()
    if converters:
        rows = [converted_row(row, converters, connections[using]) for row in rows]
    return rows


def converted_row(row, converters: dict, connection) -> tuple:
    """``row`` with the ORM's converters applied (what ``values_list`` does to a fetched row)."""
    values = list(row)
    for pos, (functions, expression) in converters.items():
        for convert in functions:
            values[pos] = convert(values[pos], expression, connection)
    return tuple(values)
