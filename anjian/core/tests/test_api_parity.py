"""Every capability of the calendar and job pages is in the API too: the calendar overview,
removing an entered year, downloading a job's result file. Same services, same scope."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.core.calendar import calendar_source, calendar_year_save
from anjian.core.jobs import job_finish, job_start

pytestmark = pytest.mark.django_db

CALENDAR = "/api/v1/core/calendar"
JOBS = "/api/v1/core/jobs"

NEW_YEAR_2027 = [
    {"date": datetime.date(2027, 1, 1), "kind": "holiday", "name": "元旦"},
    {"date": datetime.date(2027, 1, 2), "kind": "holiday", "name": "元旦"},
]


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are asserted in English (the source language), chosen by cookie as a user would."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token_issue(user=user).raw}"}


# --- GET /calendar and DELETE /calendar/{year} --------------------------------------------------


def test_the_overview_shows_this_year_and_the_next_and_the_entered_years(client, world, login):
    calendar_year_save(actor=world.town_office_a, year=2027, days=NEW_YEAR_2027)
    login("inspector_a")
    with time_machine.travel("2026-06-01 09:00 +0800", tick=False):
        response = client.get(CALENDAR)
    assert response.status_code == 200
    body = response.json()
    assert [y["year"] for y in body["years"]] == [2026, 2027]
    assert [y["source"] for y in body["years"]] == ["published", "office"]
    assert body["entered_years"] == [2027]


def test_the_office_removes_an_entered_year_with_a_reason(client, world):
    days = [{"date": datetime.date(2026, 1, 1), "kind": "holiday", "name": "元旦"}]
    calendar_year_save(actor=world.town_office_a, year=2026, days=days, note="试")
    assert calendar_source(2026) == "office"
    response = client.delete(
        f"{CALENDAR}/2026?reason=录入错误", headers=bearer(world.district_officer)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["source"] == "published"
    assert any(d["date"] == "2026-02-16" for d in body["days"])
    assert calendar_source(2026) == "published"
    entry = AuditEntry.objects.get(action="calendar.year_removed")
    assert entry.actor == world.district_officer and entry.reason == "录入错误"


def test_removing_a_year_nobody_entered_changes_nothing(client, world, login):
    login("town_office_a")
    response = client.delete(f"{CALENDAR}/2027")
    assert response.status_code == 200
    assert response.json()["source"] == "weekends_only"
    assert not AuditEntry.objects.filter(action="calendar.year_removed").exists()


@pytest.mark.parametrize("persona", ["enterprise_a", "inspector_a", "village_officer_a"])
def test_only_the_office_may_remove_a_year(client, world, login, persona):
    calendar_year_save(actor=world.town_office_a, year=2027, days=NEW_YEAR_2027)
    login(persona)
    response = client.delete(f"{CALENDAR}/2027")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "safety office" in response.json()["error"]["message"]
    assert calendar_source(2027) == "office"


def test_removing_needs_a_log_in_and_a_year_in_range(client, world, login):
    calendar_year_save(actor=world.town_office_a, year=2027, days=NEW_YEAR_2027)
    assert client.delete(f"{CALENDAR}/2027").status_code == 401
    login("town_office_a")
    assert client.delete(f"{CALENDAR}/1999").status_code == 422
    assert calendar_source(2027) == "office"


# --- GET /jobs/{id}/result ----------------------------------------------------------------------


@pytest.fixture
def finished(world):
    """Finished jobs of town A, town B and an enterprise user, each with a file, and one without."""

    def make(owner, region, content: bytes | None):
        job = job_start(kind="units.export", owner=owner, region=region, label="导出")
        if content is None:
            return job_finish(job.pk)
        return job_finish(job.pk, result_name="units.xlsx", result_content=content)

    return {
        "a": make(world.town_office_a, world.town_a, b"town-a"),
        "b": make(world.town_office_b, world.town_b, b"town-b"),
        "ent": make(world.enterprise_a, world.village_a1, b"mine"),
        "empty": make(world.town_office_a, world.town_a, None),
    }


def test_the_result_file_is_downloaded_and_the_download_is_audited(client, world, finished):
    job = finished["a"]
    listed = client.get(f"{JOBS}/{job.pk}", headers=bearer(world.inspector_a)).json()
    assert listed["result_url"] == reverse("core:job_result", args=[job.pk])
    response = client.get(f"{JOBS}/{job.pk}/result", headers=bearer(world.inspector_a))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"town-a"
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="export.downloaded")
    assert entry.actor == world.inspector_a and entry.target_id == str(job.pk)


def test_a_job_outside_the_scope_or_without_a_file_is_404(client, world, finished):
    headers = bearer(world.town_office_a)
    for key in ("b", "empty"):
        response = client.get(f"{JOBS}/{finished[key].pk}/result", headers=headers)
        assert response.status_code == 404, key
        assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"{JOBS}/999999/result", headers=headers).status_code == 404
    assert not AuditEntry.objects.filter(action="export.downloaded").exists()


def test_an_enterprise_user_downloads_only_their_own_results(client, world, finished):
    headers = bearer(world.enterprise_a)
    response = client.get(f"{JOBS}/{finished['ent'].pk}/result", headers=headers)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"mine"
    assert client.get(f"{JOBS}/{finished['a'].pk}/result", headers=headers).status_code == 404


def test_the_district_and_the_town_office_download_the_results_of_their_region(
    client, world, finished
):
    for key in ("a", "ent"):
        response = client.get(
            f"{JOBS}/{finished[key].pk}/result", headers=bearer(world.town_office_a)
        )
        assert response.status_code == 200, key
    headers = bearer(world.district_officer)
    for key in ("a", "b"):
        assert client.get(f"{JOBS}/{finished[key].pk}/result", headers=headers).status_code == 200


def test_anonymous_callers_get_401_for_a_result(client, finished):
    response = client.get(f"{JOBS}/{finished['a'].pk}/result")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
