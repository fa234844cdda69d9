"""The SQL of a busy queryset, compiled once for the same inputs.

Django builds and compiles a queryset's SQL each time it is evaluated. For the hazard list API that
is most of the request: building the page's queryset, compiling its rows and its count took 1.2 ms
of the 3.2 ms of Python a request costs (bench/bench_hazards.py), more than running both queries.

``QueryMemo`` keeps, under a key that names every input a queryset is built from, the SQL and
parameters Django compiled for it, and runs them through Django's own cursor the next time the
same key comes (so they are logged and counted like any query, and errors come as Django's). It is
a small LRU per process, shared by the threads of a worker.

The contract is the builder's: the queryset must be a pure function of the key. It may read
nothing from the database while it is built (a value read then would be frozen into the SQL) and
nothing else that changes (the day, the time zone: put them in the key). The hazard list's tests
check that building its querysets runs no query, for every queue and filter.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from anjian.core.prepared import compiled_sql, converted_row


@dataclass(frozen=True)
class _Rows:
    sql: str | None  # None: the queryset can match nothing (``none()``, ``pk__in=[]``)
    params: tuple
    names: tuple[str, ...]
    converters: dict


@dataclass(frozen=True)
class _Count:
    sql: str | None  # None: nothing can match, the count is 0
    params: tuple


class QueryMemo:
    """Compiled rows (``values()`` querysets) and counts by key, at most ``size`` entries."""

    def __init__(self, size: int = 512):
        self.size = size
        self._entries: OrderedDict[Hashable, _Rows | _Count] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _get(self, key: Hashable):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
            else:
                self.hits += 1
                self._entries.move_to_end(key)
            return entry

    def _put(self, key: Hashable, entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def rows(
        self, key: Hashable, build: Callable[[], QuerySet], *, using: str = "default"
    ) -> list[dict[str, Any]]:
        """The rows of ``build()`` (a ``values()`` queryset, sliced or not) as dicts, the same as
        ``list(build())``."""
        full_key = ("rows", using, key)
        entry = self._get(full_key)
        if entry is None:
            entry = _compile_rows(build(), using)
            self._put(full_key, entry)
        if entry.sql is None:
            return []
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(entry.sql, entry.params)
            fetched = cursor.fetchall()
        names, converters = entry.names, entry.converters
        if converters:
            fetched = [converted_row(row, converters, connection) for row in fetched]
        return [dict(zip(names, row, strict=True)) for row in fetched]

    def count(self, key: Hashable, build: Callable[[], QuerySet], *, using: str = "default") -> int:
        """``build().count()``."""
        full_key = ("count", using, key)
        entry = self._get(full_key)
        if entry is None:
            count, entry = _captured_count(build(), using)
            self._put(full_key, entry)
            return count
        if entry.sql is None:
            return 0
        with connections[using].cursor() as cursor:
            cursor.execute(entry.sql, entry.params)
            return cursor.fetchone()[0]


def _compile_rows(queryset: QuerySet, using: str) -> _Rows:
    query = queryset.query
    if not query.values_select and not query.annotation_select:
        raise ValueError("QueryMemo.rows takes a values() queryset")
    try:
        sql, params, converters = compiled_sql(queryset, using)
    except EmptyResultSet:
        return _Rows(None, (), (), {})
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    return _Rows(sql, params, tuple(names), converters)


def _captured_count(queryset: QuerySet, using: str) -> tuple[int, _Count]:
    """Count the rows as Django does (``count()`` may wrap the query in a subquery) and keep the
    one statement it ran."""
    ran: list[tuple[str, tuple]] = []

    def keep(execute, sql, params, many, context):
        ran.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(keep):
        count = queryset.using(using).count()
    if not ran and count == 0:  # Django knew without asking: nothing can match
        return count, _Count(None, ())
    if len(ran) != 1:
        raise RuntimeError(f"counting ran {len(ran)} statements, not one")
    return count, _Count(*ran[0])
