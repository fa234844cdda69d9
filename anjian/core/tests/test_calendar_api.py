"""The calendar API: read a year, enter a year (the office), compute a deadline (anyone)."""

from __future__ import annotations

import pytest

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.core.calendar import calendar_source

BASE = "/api/v1/core/calendar"


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are asserted in English (the source language), chosen by cookie as a user would."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


YEAR_2027 = {
    "note": "国办发明电",
    "days": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-01-02", "kind": "holiday", "name": "元旦"},
        {"date": "2027-01-03", "kind": "holiday", "name": "元旦"},
    ],
}


def test_a_published_year_lists_its_holidays_and_make_up_days(client, login):
    login("enterprise_a")
    response = client.get(f"{BASE}/2026")
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "published"
    assert body["warning"] is None
    days = {d["date"]: d["kind"] for d in body["days"]}
    assert days["2026-02-16"] == "holiday"
    assert days["2026-02-14"] == "workday"
    assert days["2026-10-10"] == "workday"


def test_an_unentered_year_says_so_with_a_warning(client, login):
    login("town_office_a")
    body = client.get(f"{BASE}/2027").json()
    assert body["source"] == "weekends_only"
    assert body["days"] == []
    assert "2027" in body["warning"]


def test_the_office_enters_a_year_and_the_deadline_changes(client, login):
    office = login("town_office_a")
    before = client.get(f"{BASE}/deadline", {"start": "2026-12-24", "days": 10}).json()
    assert before["deadline"] == "2027-01-07"
    assert len(before["warnings"]) == 1
    response = client.put(f"{BASE}/2027", YEAR_2027, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["source"] == "office"
    assert response.json()["entered_by"] == str(office)
    after = client.get(f"{BASE}/deadline", {"start": "2026-12-24", "days": 10}).json()
    assert after == {"start": "2026-12-24", "days": 10, "deadline": "2027-01-08", "warnings": []}
    assert AuditEntry.objects.filter(action="calendar.year_entered", actor=office).exists()


def test_the_district_may_enter_a_year_with_a_bearer_token(client, world):
    issued = api_token_issue(user=world.district_officer)
    response = client.put(
        f"{BASE}/2027",
        YEAR_2027,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issued.raw}",
    )
    assert response.status_code == 200, response.content


def test_invalid_days_are_refused_with_a_message_naming_the_date(client, login):
    login("town_office_a")
    payload = {"days": [{"date": "2027-02-15", "kind": "workday", "name": "调休"}]}
    response = client.put(f"{BASE}/2027", payload, content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    messages = [d["message"] for d in error["details"]]
    assert any("2027-02-15 is a Monday" in m for m in messages), messages
    assert calendar_source(2027) == "weekends_only"
    wrong_kind = {"days": [{"date": "2027-01-01", "kind": "day-off"}]}
    response = client.put(f"{BASE}/2027", wrong_kind, content_type="application/json")
    assert response.status_code == 422


def test_an_enterprise_user_may_not_enter_a_year(client, login):
    login("enterprise_a")
    response = client.put(f"{BASE}/2027", YEAR_2027, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert calendar_source(2027) == "weekends_only"


def test_an_enterprise_user_may_compute_a_deadline(client, login):
    login("enterprise_a")
    body = client.get(f"{BASE}/deadline", {"start": "2026-09-30", "days": 3}).json()
    assert body["deadline"] == "2026-10-10"
    assert client.get(f"{BASE}/deadline", {"start": "2026-09-30", "days": -1}).status_code == 422
    assert client.get(f"{BASE}/deadline", {"start": "not-a-date", "days": 1}).status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/2026"), ("put", "/2027"), ("get", "/deadline?start=2026-02-13&days=2")],
)
def test_anonymous_callers_get_401_for_every_calendar_operation(client, world, method, path):
    kwargs = {"data": YEAR_2027, "content_type": "application/json"} if method == "put" else {}
    response = getattr(client, method)(f"{BASE}{path}", **kwargs)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_year_out_of_range_is_refused(client, login):
    login("town_office_a")
    assert client.get(f"{BASE}/1999").status_code == 422
