"""The list API's compiled querysets (``hazard_page_for``, ``core.compiled``): a page served from
kept SQL is the page the ORM would give, for every person and queue, with the data as it is now
and the day as it is today; and building the querysets reads nothing from the database."""

from __future__ import annotations

import contextlib
import datetime
import itertools

import pytest
import time_machine
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anjian.accounts.scope import get_user_scope
from anjian.core.testing.world import PERSONAS
from anjian.hazards import selectors
from anjian.hazards.api import (
    _ROW_VALUES,
    HazardPageOut,
    HazardRowOut,
    SubGradeOut,
    UnitRefOut,
)
from anjian.hazards.filters import QUEUE_CHOICES, SORTS
from anjian.hazards.models import HazardSubGrade
from anjian.hazards.selectors import hazard_page_queryset
from anjian.hazards.tests.factories import make_hazard
from anjian.hazards.tests.states import attempt, hazard_in_state
from anjian.hazards.tests.test_api import BASE, bearer

pytestmark = pytest.mark.django_db

QUEUES = [queue for queue, _label in QUEUE_CHOICES]


def hazards_in_both_towns(world) -> None:
    for scenario in ("found", "rectifying", "submitted", "closed", "cancelled"):
        hazard_in_state(world, scenario)
    attempt(world, hazard_in_state(world, "rectifying"), "request_extension")
    hazard_in_state(world, "rectifying", major=True)
    make_hazard(world.inspector_a, world.unit_a2, deadline_days=1)
    grade = HazardSubGrade.objects.create(level="general", code="g-1", name="一般一级")
    make_hazard(world.inspector_a, world.unit_a2, deadline_days=3, sub_grade=grade)
    make_hazard(world.town_office_b, world.unit_b, deadline_days=1)
    make_hazard(world.town_office_b, world.unit_b, deadline_days=None, level="major")


def listed(client, headers, **params) -> tuple[list[int], int] | None:
    """The ids and the count of a page of three; None when the person may not list hazards."""
    response = client.get(BASE, {"limit": 3, **params}, **headers)
    if response.status_code == 403:
        return None
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert_in_schema(body)
    return [row["id"] for row in body["items"]], body["count"]


def assert_in_schema(body: dict) -> None:
    """The page is written without ninja validating it: it must be what the schema says."""
    HazardPageOut.model_validate(body)
    assert set(body) == set(HazardPageOut.model_fields)
    for row in body["items"]:
        assert set(row) == set(HazardRowOut.model_fields)
        assert set(row["unit"]) == set(UnitRefOut.model_fields)
        if row["sub_grade"] is not None:
            assert set(row["sub_grade"]) == set(SubGradeOut.model_fields)
        datetime.date.fromisoformat(row["deadline"] or "2026-01-01")
        assert row["found_at"].endswith("Z")  # Django's format: UTC, to the millisecond


def expected(user, queue: str, offset: int = 0) -> tuple[list[int], int] | None:
    """What the ORM gives, built afresh."""
    if not get_user_scope(user).can("hazards.view"):
        return None
    qs = hazard_page_queryset(user, {"queue": queue}, search="", today=timezone.localdate())
    return list(qs.values_list("id", flat=True)[offset : offset + 3]), qs.count()


def test_every_person_gets_the_pages_of_their_own_scope_from_the_kept_sql(world, client):
    hazards_in_both_towns(world)
    selectors._PAGES.clear()
    listing = 0
    for persona, queue in itertools.product(PERSONAS, QUEUES):
        user = world.users[persona]
        headers = bearer(user)
        for offset in (0, 3):
            first = listed(client, headers, queue=queue, offset=offset)
            again = listed(client, headers, queue=queue, offset=offset)  # from the kept SQL
            assert first == again == expected(user, queue, offset), (persona, queue, offset)
            listing += first is not None
    assert listing >= 10 * len(QUEUES)  # most people list hazards: the check is not vacuous
    assert selectors._PAGES.hits >= listing


def test_a_kept_page_shows_what_was_recorded_since(world, client):
    headers = bearer(world.town_office_a)
    before = make_hazard(world.inspector_a, world.unit_a)
    assert listed(client, headers) == ([before.pk], 1)
    hits = selectors._PAGES.hits
    newer = [make_hazard(world.inspector_a, world.unit_a2) for _ in range(3)]
    ids, count = listed(client, headers)
    assert (ids, count) == ([h.pk for h in reversed(newer)], 4)
    assert selectors._PAGES.hits > hits  # the same SQL, run again


def test_a_hazard_past_its_deadline_is_in_the_overdue_queue_the_next_day(world, client):
    headers = bearer(world.town_office_a)
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=0)
    today = timezone.localdate()
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(10)), tick=False):
        assert listed(client, headers, queue="overdue") == ([], 0)
    tomorrow = today + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(tomorrow, datetime.time(10)), tick=False):
        assert listed(client, headers, queue="overdue") == ([hazard.pk], 1)


def compiled(qs) -> None:
    with contextlib.suppress(EmptyResultSet):  # nothing to run: the person sees nothing
        qs.query.sql_with_params()


FILTERS = [
    {},
    {"status": "rectifying"},
    {"level": "major"},
    {"source": "town_inspection"},
    {"category": "fire"},
    {"hazard_type": "unsafe_condition"},
    {"town": 1},
    {"region": 1},
    {"committee": 1},
    {"unit": 1},
    {"found_by": 1},
    {"overdue": True},
    {"overdue": False},
    {"found_from": datetime.date(2026, 1, 1), "found_to": datetime.date(2026, 12, 31)},
    {"deadline_to": datetime.date(2026, 12, 31)},
]


def test_building_the_querysets_reads_nothing_from_the_database(world):
    """What a queryset read while it was built would be frozen into the kept SQL."""
    today = timezone.localdate()
    for persona in PERSONAS:
        user = world.users[persona]
        user._anjian_scope = None  # the scope comes with the token's row; here read first
        selectors.scope_key(user)
        # Every queue with every filter, every sort and every kind of search (not all at once:
        # each adds its own condition).
        variants = [
            *(({"sort": sort}, "") for sort in SORTS),
            *((filters, "") for filters in FILTERS),
            *(({}, search) for search in ("配电箱", "YH2026-000012", "12")),
        ]
        for queue, (filters, search) in itertools.product(QUEUES, variants):
            cleaned = {"queue": queue, **filters}
            with CaptureQueriesContext(connection) as queries:
                qs = hazard_page_queryset(user, cleaned, search=search, today=today)
                compiled(qs.values(*_ROW_VALUES)[:25])
                compiled(qs)
            assert len(queries) == 0, (persona, cleaned, search, queries.captured_queries)


def test_a_search_longer_than_a_hundred_characters_is_refused_in_chinese(world, client):
    response = client.get(BASE, {"q": "配" * 101}, **bearer(world.town_office_a))
    assert response.status_code == 422
    assert "100" in response.content.decode()
    assert "字符" in response.content.decode()
    assert listed(client, bearer(world.town_office_a), q="配" * 100) == ([], 0)
