"""The statistics page, its print and Excel forms, the API and stored runs: same figures, same
scope; a town user never gets the other town's numbers."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.stats.figures import TOTAL, figures_compute
from anjian.stats.models import StoredRun
from anjian.stats.periods import PeriodKind, period_make
from anjian.stats.selectors import stored_run_compare
from anjian.stats.services import stored_run_create
from anjian.stats.tests.town import at, build_town

pytestmark = pytest.mark.django_db

YEAR = {"kind": "year", "year": 2026}


def _api(client, user, path, **params):
    token = api_token_issue(user=user, name="t").raw
    return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_periods_have_their_labels_and_bounds():
    with translation.override("en"):
        march = period_make(PeriodKind.MONTH, year=2026, month=3)
        assert (march.start.isoformat(), march.last_day.isoformat()) == ("2026-03-01", "2026-03-31")
        q4 = period_make(PeriodKind.QUARTER, year=2026, quarter=4)
        assert q4.end.isoformat() == "2027-01-01"
        assert "fourth quarter" in q4.label
    custom = period_make(PeriodKind.CUSTOM, start="2026-02-10", end="2026-02-20")
    assert custom.end.isoformat() == "2026-02-21"
    assert march.start_dt.isoformat() == "2026-03-01T00:00:00+08:00"
    for bad in ({"kind": "month", "year": 2026, "month": 13}, {"kind": "year", "year": 1900},
                {"kind": "custom", "start": "2026-03-02", "end": "2026-03-01"}):  # fmt: skip
        with pytest.raises(Exception) as exc:
            period_make(bad.pop("kind"), **bad)
        assert exc.type.__name__ == "ValidationError"


def test_the_page_shows_the_figures_and_links_to_the_lists(world, login, client):
    build_town(world, hazards=30)
    login("town_office_a")
    response = client.get(reverse("stats:statistics"), YEAR)
    assert response.status_code == 200
    result = response.context["result"]
    expected = figures_compute(world.town_office_a, period_make("year", year=2026)).figures()
    shown = {row["key"]: row["values"] for s in result["sections"] for row in s["rows"]}
    assert shown == expected
    html = response.content.decode()
    assert "found_from=2026-01-01" in html and "found_to=2026-12-31" in html
    assert world.town_b.name not in html


def test_a_town_user_cannot_get_the_other_towns_numbers(world, login, client):
    build_town(world, hazards=30)
    login("town_office_a")
    page = client.get(reverse("stats:statistics"), {**YEAR, "region": world.town_b.pk})
    # An outside region is not a choice: the page falls back to the user's own scope.
    assert [a["key"] for a in page.context["areas"]] == [str(world.town_a.pk)]
    api = _api(client, world.town_office_a, "/api/v1/statistics/figures",
               **YEAR, region_id=world.town_b.pk)  # fmt: skip
    assert api.status_code == 422
    export = client.get(reverse("stats:statistics"), {**YEAR, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert world.town_b.name not in text and world.town_a.name in text
    figures = _api(client, world.town_office_a, "/api/v1/statistics/figures", **YEAR).json()
    assert [a["key"] for a in figures["areas"]] == [str(world.town_a.pk), TOTAL]


def test_the_district_sees_both_towns_and_the_total_in_every_form(world, login, client):
    build_town(world, hazards=30)
    login("district_officer")
    page = client.get(reverse("stats:statistics"), YEAR)
    assert [a["key"] for a in page.context["areas"]] == [
        str(world.town_a.pk), str(world.town_b.pk), TOTAL,
    ]  # fmt: skip
    api = _api(client, world.district_officer, "/api/v1/statistics/figures", **YEAR).json()
    found = next(r for s in api["sections"] for r in s["rows"] if r["key"] == "hazards.found")
    a, b = found["values"][str(world.town_a.pk)], found["values"][str(world.town_b.pk)]
    assert found["values"][TOTAL] == a + b
    export = client.get(reverse("stats:statistics"), {**YEAR, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert world.town_a.name in text and world.town_b.name in text
    assert "填报人" in text and "审核人" in text and "填报日期" in text
    assert AuditEntry.objects.filter(action="export.downloaded").exists()


def test_the_printable_page_has_the_signature_line(world, login, client):
    login("leader_a")
    response = client.get(reverse("stats:statistics_print"), YEAR)
    assert response.status_code == 200
    assert "填报人" in response.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(world, login, client):
    build_town(world, hazards=10, seed=1)
    login("town_office_a")
    url = reverse("stats:statistics")
    client.get(url, YEAR)
    with CaptureQueriesContext(connection) as small:
        client.get(url, YEAR)
    build_town(world, hazards=200, seed=2)
    with CaptureQueriesContext(connection) as large:
        client.get(url, YEAR)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_stored_run_reproduces_its_figures_and_shows_what_changed(world, login, client):
    town = build_town(world, hazards=30)
    year = period_make(PeriodKind.YEAR, year=2026)
    run = stored_run_create(actor=world.town_office_a, period=year, label="2026年报")
    assert run.result_hash == figures_compute(world.town_office_a, year).figures_hash()
    assert run.region == world.town_a
    assert AuditEntry.objects.filter(action="stats_run.stored").count() == 1
    # Another user of the same town re-runs it: the same figures.
    same = stored_run_compare(world.leader_a, run)
    assert same.same and same.changes == []
    # A hazard found in 2026 is added afterwards: the comparison names the figure that moved.
    late = town.hazards[0]
    late.pk = None
    late.unit = world.unit_a
    late.found_at = at(2026, 5, 5)
    late.status, late.closed_at = "found", None
    late.save()
    changed = stored_run_compare(world.town_office_a, run)
    keys = {(c.key, c.area) for c in changed.changes}
    assert ("hazards.found", TOTAL) in keys and not changed.same
    login("town_office_a")
    page = client.get(reverse("stats:run_detail", args=[run.pk]))
    assert page.status_code == 200 and 'data-testid="change-hazards.found"' in page.content.decode()


def test_runs_are_seen_within_their_region_only(world, client):
    year = period_make(PeriodKind.YEAR, year=2026)
    run_a = stored_run_create(actor=world.town_office_a, period=year)
    run_d = stored_run_create(actor=world.district_officer, period=year)
    assert run_d.region == world.district
    assert set(StoredRun.objects.visible_to(world.town_office_b)) == set()
    assert set(StoredRun.objects.visible_to(world.leader_a)) == {run_a}
    assert set(StoredRun.objects.visible_to(world.district_officer)) == {run_a, run_d}
    response = _api(client, world.town_office_b, f"/api/v1/statistics/runs/{run_a.pk}")
    assert response.status_code == 404


def test_storing_a_run_through_the_api(world, client):
    build_town(world, hazards=20)
    token = api_token_issue(user=world.town_office_a, name="t").raw
    response = client.post(
        "/api/v1/statistics/runs",
        {"kind": "quarter", "year": 2026, "quarter": 1, "label": "一季度"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["same_now"] is True and body["label"] == "一季度"
    assert body["params"]["period"] == {"kind": "quarter", "year": 2026, "quarter": 1}
    listed = _api(client, world.town_office_a, "/api/v1/statistics/runs").json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    refused = client.post(
        "/api/v1/statistics/runs",
        {"kind": "year", "year": 2026},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=world.inspector_a, name='t').raw}",
    )
    assert refused.status_code == 403


def test_storing_a_run_from_the_page(world, login, client):
    login("town_office_a")
    response = client.post(reverse("stats:run_create"), {**YEAR, "label": "年报"})
    run = StoredRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "stats:run_detail", args=[run.pk]
    )
    assert client.get(reverse("stats:run_list")).status_code == 200
    xlsx = client.get(reverse("stats:run_xlsx", args=[run.pk]))
    assert xlsx.status_code == 200
