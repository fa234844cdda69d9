"""The calendar pages: the office sees this year and the next, enters a year, checks a deadline."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.core.calendar import calendar_source, is_working_day


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are asserted in English (the source language), chosen by cookie as a user would."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def in_2026():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)):
        yield


def test_the_office_sees_this_year_published_and_next_year_with_a_warning(client, login, in_2026):
    login("town_office_a")
    response = client.get(reverse("core:calendar"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="calendar-year-2026"' in page
    assert 'data-testid="calendar-year-2027"' in page
    assert "published by the State Council" in page
    assert "The public holidays of 2027 have not been entered yet" in page
    assert "2026-02-15" in page and "2026-02-23" in page  # the Spring Festival period
    assert "2026-02-14" in page  # a make-up working day


@pytest.mark.parametrize("persona", ["enterprise_a", "inspector_a", "village_officer_a"])
def test_roles_without_the_calendar_action_are_refused(client, login, persona):
    login(persona)
    assert client.get(reverse("core:calendar")).status_code == 403
    assert client.get(reverse("core:calendar_year", args=[2027])).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(reverse("core:calendar"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_deadline_check_shows_the_date_and_the_warning(client, login, in_2026):
    login("town_office_a")
    url = reverse("core:calendar")
    response = client.get(url, {"start": "2026-12-24", "days": "10"})
    page = response.content.decode()
    assert '<strong data-testid="deadline-date">2027-01-07</strong>' in page
    assert "The public holidays of 2027 have not been entered yet" in page
    # Through htmx only the result is sent back.
    fragment = client.get(url, {"start": "2026-02-13", "days": "2"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert body.strip().startswith('<div id="deadline"')
    assert "2026-02-24" in body
    bad = client.get(url, {"start": "2026-02-13", "days": "-1"})
    assert "cannot be negative" in bad.content.decode()


def test_the_office_enters_a_year_by_pasting_lines(client, login, in_2026):
    office = login("town_office_a")
    url = reverse("core:calendar_year", args=[2027])
    form = client.get(url)
    assert form.status_code == 200
    text = "2027-01-01~2027-01-03 元旦\n2027-02-06~2027-02-13 春节\n2027-02-20 上班 春节调休"
    response = client.post(url, {"text": text, "note": "国办发明电〔2026〕X号"})
    assert response.status_code == 302
    assert calendar_source(2027) == "office"
    assert is_working_day(datetime.date(2027, 2, 20))
    assert AuditEntry.objects.filter(action="calendar.year_entered", actor=office).exists()
    page = client.get(url).content.decode()
    assert "entered by the office" in page
    assert "2027-02-06~2027-02-13 春节" in page  # the form is pre-filled with what was entered


def test_invalid_lines_are_shown_back_with_the_reason_and_nothing_is_saved(client, login, in_2026):
    login("town_office_a")
    url = reverse("core:calendar_year", args=[2027])
    response = client.post(url, {"text": "2027-02-15 上班 调休\n2028-01-01 元旦"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "must fall on a Saturday or a Sunday" in page
    assert "is not in the year 2027" in page
    assert calendar_source(2027) == "weekends_only"


def test_a_published_year_is_offered_pre_filled_for_correction(client, login, in_2026):
    login("town_office_a")
    page = client.get(reverse("core:calendar_year", args=[2026])).content.decode()
    assert "2026-02-15~2026-02-23 春节" in page
    assert "2026-02-14 上班 春节" in page


def test_the_office_can_remove_its_entry_of_a_year(client, login, in_2026):
    login("town_office_a")
    client.post(reverse("core:calendar_year", args=[2026]), {"text": "2026-01-01 元旦"})
    assert calendar_source(2026) == "office"
    response = client.post(reverse("core:calendar_year_remove", args=[2026]))
    assert response.status_code == 302
    assert calendar_source(2026) == "published"
    assert client.get(reverse("core:calendar_year_remove", args=[2026])).status_code == 405


def test_a_year_far_out_of_range_is_not_found(client, login):
    login("town_office_a")
    assert client.get(reverse("core:calendar_year", args=[1])).status_code == 404
