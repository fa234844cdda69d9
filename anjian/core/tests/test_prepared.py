"""The prepared bearer-token look-up (``core.prepared``): the same answers as the ORM's query, the
statement prepared once per connection on PostgreSQL, and shown in the query log when logged."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anjian.accounts.models import ApiToken, hash_token
from anjian.accounts.services import _token_rows_of, api_token_issue
from anjian.core.calendar import (
    CalendarEntry,
    WorkingCalendar,
    _revisions_query,
    calendar_year_save,
)
from anjian.core.models import CalendarYear
from anjian.core.prepared import PLACEHOLDER, fetch_prepared, statement

pytestmark = pytest.mark.django_db

D = datetime.date
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_rows_are_those_the_orm_gives_with_its_conversions(world):
    issued = api_token_issue(user=world.town_office_a, name="script", days=3)
    key = hash_token(issued.raw)
    rows = fetch_prepared("api_token", _token_rows_of, key)
    assert rows == [tuple(row) for row in _token_rows_of(key)]
    # Dates are dates here too (SQLite stores text: the ORM's converters are applied).
    assert rows[0][1] == ApiToken.objects.get(pk=issued.token.pk).expires_at
    assert fetch_prepared("api_token", _token_rows_of, "no such key") == []


def test_a_statement_without_a_parameter_gives_the_rows_of_its_queryset(world):
    """The calendar's revisions (asked by every request that counts working days)."""
    calendar_year_save(
        actor=world.town_office_a, year=2027, days=[CalendarEntry(D(2027, 1, 1), "holiday", "元旦")]
    )
    rows = fetch_prepared("calendar_revisions", _revisions_query)
    assert rows == [(2027, CalendarYear.objects.get(year=2027).revision)]
    assert isinstance(rows[0][1], uuid.UUID)  # converted on SQLite too, as the ORM does


def test_a_statement_takes_one_value_at_most():
    with pytest.raises(ValueError, match="not one value"):
        statement("two values", lambda v: ApiToken.objects.filter(key_hash=v, key_hint=v))


@on_postgresql
def test_the_token_look_up_is_prepared_once_per_connection(world, client):
    issued = api_token_issue(user=world.town_office_a, name="script", days=3)
    headers = {"authorization": f"Bearer {issued.raw}"}
    sql = statement("api_token", _token_rows_of)[0]
    before = prepared_names()
    for _ in range(3):
        assert client.get("/api/v1/hazards", headers=headers).status_code == 200
    added = {name for name in prepared_names() - before if "accounts_apitoken" in name}
    assert len(added) <= 1, "one statement for the look-up, prepared once"
    assert any(name.startswith("SELECT") and "accounts_apitoken" in name for name in added | before)
    assert "$1" in next(n for n in added | before if "accounts_apitoken" in n)
    assert PLACEHOLDER not in sql


@on_postgresql
def test_while_queries_are_logged_the_look_up_is_shown_with_its_sql(world, client):
    issued = api_token_issue(user=world.town_office_a, name="script", days=3)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/hazards", headers={"authorization": f"Bearer {issued.raw}"})
    assert response.status_code == 200
    assert hash_token(issued.raw) in queries.captured_queries[0]["sql"]


@on_postgresql
def test_without_prepared_statements_the_look_up_runs_unprepared(world, client, monkeypatch):
    """ANJIAN_DB_PREPARED=false (a pooler that cannot keep them): no threshold on the connection."""
    issued = api_token_issue(user=world.town_office_a, name="script", days=3)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.connection._prepared.clear()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    response = client.get("/api/v1/hazards", headers={"authorization": f"Bearer {issued.raw}"})
    assert response.status_code == 200
    assert prepared_names() == set()


@on_postgresql
def test_the_calendar_revisions_are_prepared_once_per_connection(world):
    for _ in range(3):
        assert (
            WorkingCalendar().working_days_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
        )  # 8 and 9
    revisions = [name for name in prepared_names() if "core_calendaryear" in name]
    assert len(revisions) == 1
