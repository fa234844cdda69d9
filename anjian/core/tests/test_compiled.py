"""The compiled-query memo (``core.compiled``): the same rows and counts as the ORM, fresh data on
every call (the SQL is kept, never the rows), the queryset built once per key, and a bounded size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anjian.core.compiled import QueryMemo
from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import make_hazard

pytestmark = pytest.mark.django_db

FIELDS = ("id", "unit__name", "status", "deadline", "found_at", "closed_on_spot")


class Builder:
    """Builds a queryset and counts how many times it was asked to."""

    def __init__(self, make):
        self.make = make
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.make()


def test_rows_are_those_the_orm_gives_with_its_conversions(world):
    for _ in range(3):
        make_hazard(world.inspector_a, world.unit_a, photos=0)
    memo = QueryMemo()
    build = Builder(lambda: Hazard.objects.order_by("-pk").values(*FIELDS)[:2])
    rows = memo.rows("page", build)
    assert rows == list(build.make())
    # Dates and booleans come as the ORM gives them (SQLite stores text and integers).
    assert type(rows[0]["deadline"]).__name__ == "date"
    assert rows[0]["closed_on_spot"] is False
    assert len(rows) == 2


def test_the_sql_is_kept_and_the_rows_are_read_again_on_every_call(world):
    memo = QueryMemo()
    build = Builder(lambda: Hazard.objects.order_by("pk").values("id"))
    first = make_hazard(world.inspector_a, world.unit_a, photos=0)
    assert memo.rows("all", build) == [{"id": first.pk}]
    assert memo.count("all", build) == 1
    second = make_hazard(world.inspector_a, world.unit_a, photos=0)
    with CaptureQueriesContext(connection) as queries:
        assert memo.rows("all", build) == [{"id": first.pk}, {"id": second.pk}]
        assert memo.count("all", build) == 2
    assert len(queries) == 2  # shown in the query log like any other query
    assert build.calls == 2  # once for the rows, once for the count: never rebuilt


def test_different_keys_get_their_own_statements(world):
    make_hazard(world.inspector_a, world.unit_a, photos=0)
    make_hazard(world.town_office_b, world.unit_b, photos=0)
    memo = QueryMemo()
    town_a = memo.rows("a", lambda: Hazard.objects.filter(unit=world.unit_a).values("unit_id"))
    town_b = memo.rows("b", lambda: Hazard.objects.filter(unit=world.unit_b).values("unit_id"))
    assert town_a == [{"unit_id": world.unit_a.pk}]
    assert town_b == [{"unit_id": world.unit_b.pk}]


def test_a_queryset_that_can_match_nothing_answers_without_a_query(world):
    make_hazard(world.inspector_a, world.unit_a, photos=0)
    memo = QueryMemo()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert memo.rows("none", lambda: Hazard.objects.none().values("id")) == []
            assert (
                memo.rows("empty in", lambda: Hazard.objects.filter(pk__in=[]).values("id")) == []
            )
            assert memo.count("none", lambda: Hazard.objects.none()) == 0
        assert len(queries) == 0


def test_the_memo_keeps_at_most_its_size_and_forgets_the_least_used_first(world):
    memo = QueryMemo(size=2)
    build = Builder(lambda: Hazard.objects.values("id"))
    memo.rows("a", build)
    memo.rows("b", build)
    memo.rows("a", build)  # "a" used last: "b" goes first
    memo.rows("c", build)
    assert build.calls == 3
    memo.rows("a", build)
    assert build.calls == 3
    memo.rows("b", build)
    assert build.calls == 4
    assert (memo.hits, memo.misses) == (2, 4)


def test_only_a_values_queryset_is_taken():
    with pytest.raises(ValueError, match="values"):
        QueryMemo().rows("models", lambda: Hazard.objects.all())
