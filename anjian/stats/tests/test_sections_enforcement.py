"""Cases, penalties, campaigns and the annual plan in the statistics: every figure equals the figure
counted independently, by role and scope, for a month, a quarter and a year (a case opened in one
period and decided in the next); the other town's numbers never show; the page and the API run
the same number of queries whatever the data size."""

from __future__ import annotations

import datetime
import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from anjian.accounts.services import api_token_issue
from anjian.stats.figures import TOTAL, figures_compute
from anjian.stats.periods import PeriodKind, period_make
from anjian.stats.services import stored_run_create
from anjian.stats.tests.enforcement_town import build_enforcement, expected_enforcement
from anjian.stats.tests.town import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 7, 15, 9)  # the year 2026 is running; March, April and the first quarter ended
PERIODS = {
    "month": period_make(PeriodKind.MONTH, year=2026, month=3),
    "april": period_make(PeriodKind.MONTH, year=2026, month=4),
    "quarter": period_make(PeriodKind.QUARTER, year=2026, quarter=1),
    "quarter2": period_make(PeriodKind.QUARTER, year=2026, quarter=2),
    "year": period_make(PeriodKind.YEAR, year=2026),
    "last_year": period_make(PeriodKind.YEAR, year=2025),
}
NEW_SECTIONS = ("cases", "penalties", "campaigns", "plan")
YEAR = {"kind": "year", "year": 2026}


def _scopes(world):
    """persona → (towns shown, case in scope?, campaign in scope?, task in scope?); ``None``:
    the role does not reach the section."""
    a, b = world.town_a, world.town_b

    def town_of(task):
        return task.unit.region.parent_id

    return {
        "town_office_a": ([a], lambda c: c.town_id == a.pk, lambda c: c.region_id == a.pk,
                          lambda t: town_of(t) == a.pk),
        "leader_a": ([a], lambda c: c.town_id == a.pk, lambda c: c.region_id == a.pk,
                     lambda t: town_of(t) == a.pk),
        "inspector_a": ([a], lambda c: c.town_id == a.pk, lambda c: c.region_id == a.pk,
                        lambda t: town_of(t) == a.pk),
        "district_officer": ([a, b], lambda c: True, lambda c: True, lambda t: True),
        "town_office_b": ([b], lambda c: c.town_id == b.pk, lambda c: c.region_id == b.pk,
                          lambda t: town_of(t) == b.pk),
        "enterprise_a": ([a], lambda c: c.unit_id == world.unit_a.pk, None, None),
        "committee_member_a": ([a], None, None,
                               lambda t: t.unit.committee_id == world.committee_a_industry.pk),
        "village_officer_a": ([a], None, None, lambda t: t.unit.region_id == world.village_a1.pk),
        "expert_a": ([a], None, None, lambda t: t.unit_id == world.unit_a.pk),
    }  # fmt: skip


@pytest.fixture
def et(world):
    return build_enforcement(world)


def _new(result) -> dict:
    return {k: v for k, v in result.figures().items() if k.split(".")[0] in NEW_SECTIONS}


@pytest.mark.parametrize("period_name", list(PERIODS))
@pytest.mark.parametrize(
    "persona",
    [
        "town_office_a",
        "leader_a",
        "inspector_a",
        "district_officer",
        "town_office_b",
        "enterprise_a",
        "committee_member_a",
        "village_officer_a",
        "expert_a",
    ],
)
def test_every_figure_equals_the_independent_count(world, et, persona, period_name):
    towns, case_ok, campaign_ok, task_ok = _scopes(world)[persona]
    period = PERIODS[period_name]
    result = figures_compute(world.users[persona], period, now=NOW)
    expected = expected_enforcement(
        et, period, period.as_of(NOW), towns=towns,
        case_ok=case_ok, campaign_ok=campaign_ok, task_ok=task_ok,
    )  # fmt: skip
    assert [a.key for a in result.areas] == [str(t.pk) for t in towns]
    assert _new(result) == expected
    reached = {
        "cases": case_ok, "penalties": case_ok, "campaigns": campaign_ok, "plan": task_ok,
    }  # fmt: skip
    shown = {s.key for s in result.sections}
    assert {k for k, ok in reached.items() if ok is not None} == shown & set(NEW_SECTIONS)


def test_the_data_has_something_in_every_figure(world, et):
    """The generated town is not empty where it matters (else the comparisons prove little)."""
    seen: dict[str, int] = {}
    for period in PERIODS.values():
        for key, values in _new(figures_compute(world.district_officer, period, now=NOW)).items():
            if values[TOTAL] not in (None, 0, "0.00"):
                seen[key] = seen.get(key, 0) + 1
    for key in ("cases.opened", "cases.opened.from_inspection", "cases.opened.from_hazard",
                "cases.decided", "cases.closed", "cases.transferred", "cases.open_at_end",
                "penalties.fines_imposed", "penalties.collected", "penalties.fines_collected",
                "penalties.late_fees_collected", "campaigns.running",
                "campaigns.joint_inspections", "campaigns.units", "campaigns.hazards_found",
                "campaigns.hazards_rectified", "plan.planned", "plan.done", "plan.late"):  # fmt: skip
        assert seen.get(key, 0) >= 2, key
    categories = {k.split(".")[2] for k in seen if k.startswith("campaigns.category.")}
    assert len(categories) >= 3
    assert et.withdrawn_at, "some cases were withdrawn"


def test_a_case_opened_in_one_period_and_decided_in_the_next(world):
    et = build_enforcement(world, cases=0, campaigns=0, tasks=0)
    key = str(world.town_a.pk)
    fig = {
        name: figures_compute(world.town_office_a, PERIODS[name], now=NOW).figures()
        for name in ("month", "april", "quarter", "quarter2", "year")
    }
    march, april, q1, q2, year = (fig[n] for n in ("month", "april", "quarter", "quarter2", "year"))
    assert march["cases.opened"][key] == 1 and march["cases.opened.from_hazard"][key] == 1
    assert march["cases.decided"][key] == 0 and march["penalties.fines_imposed"][key] == "0.00"
    assert march["cases.open_at_end"][key] == 1
    assert april["cases.opened"][key] == 0 and april["cases.decided"][key] == 1
    assert april["penalties.fines_imposed"][key] == "10000.00"
    assert april["penalties.fines_collected"][key] == "4000.00"
    assert april["penalties.late_fees_collected"][key] == "0.00"
    assert april["cases.open_at_end"][key] == 1
    assert q1["cases.opened"][key] == 1 and q1["cases.decided"][key] == 0
    # May: 6900 paid, of which 6000 completes the fine and 900 is the late fee; closed in June.
    assert q2["penalties.collected"][key] == "10900.00"
    assert q2["penalties.fines_collected"][key] == "10000.00"
    assert q2["penalties.late_fees_collected"][key] == "900.00"
    assert q2["cases.closed"][key] == 1 and q2["cases.open_at_end"][key] == 0
    assert year["cases.opened"][key] == year["cases.decided"][key] == 1
    # The joint action across the end of March runs in both months; its two visits, at 23:40 on
    # 31 March and 00:20 on 1 April (Beijing time), fall one in each.
    assert march["campaigns.running"][key] == april["campaigns.running"][key] == 1
    assert march["campaigns.joint_inspections"][key] == 1
    assert april["campaigns.joint_inspections"][key] == 1
    assert year["campaigns.category.small_venue.visits"][key] == 2
    assert year["campaigns.category.small_venue.units"][key] == 1
    # A task due on 31 March and done on 2 April: late at the end of March, done in the year.
    assert march["plan.planned"][key] == 1 and march["plan.done"][key] == 0
    assert march["plan.late"][key] == 1 and march["plan.rate"][key] == 0.0
    assert year["plan.done"][key] == 1 and year["plan.late"][key] == 0
    assert april["plan.planned"][key] == 0 and april["plan.rate"][key] is None
    assert et.extra["edge_case"].stage == "closed"


def test_a_district_sees_each_town_and_their_sum(world, et):
    year = PERIODS["year"]
    district = _new(figures_compute(world.district_officer, year, now=NOW))
    town_a = _new(figures_compute(world.town_office_a, year, now=NOW))
    town_b = _new(figures_compute(world.town_office_b, year, now=NOW))
    a, b = str(world.town_a.pk), str(world.town_b.pk)
    assert set(district) == set(town_a) == set(town_b)
    for key, values in district.items():
        assert values[a] == town_a[key][a], key
        assert values[b] == town_b[key][b], key
        assert b not in town_a[key] and a not in town_b[key]
    narrowed = _new(figures_compute(world.district_officer, year, region_id=world.town_a.pk,
                                    now=NOW))  # fmt: skip
    assert narrowed == town_a


@pytest.mark.parametrize("period_name", ["month", "quarter", "year"])
@pytest.mark.parametrize("persona", ["town_office_a", "district_officer"])
def test_narrowing_to_a_village_or_a_sector_counts_only_its_units(world, et, persona, period_name):
    _towns, case_ok, campaign_ok, task_ok = _scopes(world)[persona]
    period = PERIODS[period_name]
    for narrowing, narrowed_to in (
        ({"region_id": world.village_a1.pk}, lambda u: u.region_id == world.village_a1.pk),
        ({"committee_id": world.committee_a_industry.pk},
         lambda u: u.committee_id == world.committee_a_industry.pk),
    ):  # fmt: skip
        result = figures_compute(world.users[persona], period, now=NOW, **narrowing)
        expected = expected_enforcement(
            et, period, period.as_of(NOW), towns=[world.town_a], case_ok=case_ok,
            campaign_ok=campaign_ok, task_ok=task_ok, narrowed_to=narrowed_to,
        )  # fmt: skip
        assert _new(result) == expected, narrowing
    # The village officer's own plan figures are the town office's narrowed to the village.
    own = _new(figures_compute(world.village_officer_a, PERIODS["year"], now=NOW))
    narrowed = _new(figures_compute(world.town_office_a, PERIODS["year"], now=NOW,
                                    region_id=world.village_a1.pk))  # fmt: skip
    assert own and all(narrowed[key] == values for key, values in own.items())


def _api(client, user, path, **params):
    token = api_token_issue(user=user, name="t").raw
    return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_town_user_never_gets_the_other_towns_numbers(world, et, login, client):
    login("town_office_a")
    a = str(world.town_a.pk)
    page = client.get(reverse("stats:statistics"), YEAR)
    shown = {r["key"]: r["values"] for s in page.context["result"]["sections"] for r in s["rows"]}
    api = _api(client, world.town_office_a, "/api/v1/statistics/figures", **YEAR).json()
    by_api = {r["key"]: r["values"] for s in api["sections"] for r in s["rows"]}
    year = PERIODS["year"]
    towns, case_ok, campaign_ok, task_ok = _scopes(world)["town_office_a"]
    expected = expected_enforcement(
        et, year, year.as_of(), towns=towns, case_ok=case_ok, campaign_ok=campaign_ok,
        task_ok=task_ok,
    )  # fmt: skip
    for key, values in expected.items():
        assert shown[key] == values == by_api[key], key
        assert set(values) == {a, TOTAL}
    html = page.content.decode()
    assert 'data-testid="stats-section-cases"' in html and world.town_b.name not in html
    export = client.get(reverse("stats:statistics"), {**YEAR, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    text = " ".join(str(v) for row in cells for v in row if v)
    assert world.town_b.name not in text
    labels = {row[0]: row[1:] for row in cells if row and row[0]}
    opened = next(v for k, v in labels.items() if str(k).startswith("本期立案") or
                  str(k).startswith("Cases opened"))  # fmt: skip
    assert opened[0] == expected["cases.opened"][a]
    # Asking for the other town is refused, in the API as on the page.
    refused = _api(client, world.town_office_a, "/api/v1/statistics/figures",
                   **YEAR, region_id=world.town_b.pk)  # fmt: skip
    assert refused.status_code == 422
    other = client.get(reverse("stats:statistics"), {**YEAR, "region": world.town_b.pk})
    assert [x["key"] for x in other.context["areas"]] == [a]


def test_an_enterprise_sees_its_own_cases_only(world, et, login, client):
    login("enterprise_a")
    page = client.get(reverse("stats:statistics"), YEAR)
    sections = [s["key"] for s in page.context["result"]["sections"]]
    assert "cases" in sections and "penalties" in sections
    assert "campaigns" not in sections and "plan" not in sections
    opened = next(r for s in page.context["result"]["sections"] for r in s["rows"]
                  if r["key"] == "cases.opened")  # fmt: skip
    year = PERIODS["year"]
    own = [c for c in et.cases if c.unit_id == world.unit_a.pk and c.opened_on
           and year.start <= c.opened_on < year.end]  # fmt: skip
    assert opened["values"][TOTAL] == len(own)
    town_wide = figures_compute(world.town_office_a, year).figures()["cases.opened"][TOTAL]
    assert len(own) < town_wide


def test_the_figures_link_to_the_lists_behind_them(world, et, login, client):
    login("town_office_a")
    year = period_make(PeriodKind.YEAR, year=2026)
    result = figures_compute(world.town_office_a, year)
    rows = {r.key: r for s in result.sections for r in s.rows}
    running = rows["campaigns.running"]
    listed = client.get(running.link)
    assert listed.status_code == 200
    assert listed.context["paginator"].count == running.values[TOTAL]
    joint = rows["campaigns.running.joint_enforcement"]
    assert client.get(joint.link).context["paginator"].count == joint.values[TOTAL]
    march = period_make(PeriodKind.MONTH, year=2026, month=3)
    planned = {r.key: r for s in figures_compute(world.town_office_a, march).sections
               for r in s.rows}["plan.planned"]  # fmt: skip
    assert parse_qs(urlparse(planned.link).query) == {"year": ["2026"], "month": ["3"]}
    assert client.get(planned.link).context["paginator"].count == planned.values[TOTAL]
    # The case figures open the case list filtered by the stage's date in the period.
    for key in ("cases.opened", "cases.decided", "cases.closed", "cases.transferred"):
        case_list = client.get(rows[key].link)
        assert case_list.status_code == 200
        assert case_list.context["paginator"].count == rows[key].values[TOTAL], key
    assert any(rows[k].values[TOTAL] for k in ("cases.opened", "cases.decided"))
    quarter = period_make(PeriodKind.QUARTER, year=2026, quarter=1)
    q_rows = {r.key: r for s in figures_compute(world.town_office_a, quarter).sections
              for r in s.rows}  # fmt: skip
    assert q_rows["plan.planned"].link == "" and q_rows["campaigns.running"].link == ""


def test_a_stored_run_keeps_the_new_sections(world, et, login, client):
    year = period_make(PeriodKind.YEAR, year=2026)
    run = stored_run_create(actor=world.town_office_a, period=year, label="2026年报")
    stored = {r["key"] for s in run.result["sections"] for r in s["rows"]}
    assert {"cases.opened", "penalties.fines_collected", "campaigns.units", "plan.rate"} <= stored
    login("town_office_a")
    xlsx = client.get(reverse("stats:run_xlsx", args=[run.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    titles = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    section_titles = {s["title"] for s in run.result["sections"]}
    assert section_titles <= titles


def _page_and_api_queries(client, user) -> tuple[int, int]:
    token = api_token_issue(user=user, name="q").raw
    url = reverse("stats:statistics")
    client.get(url, YEAR)
    with CaptureQueriesContext(connection) as page:
        client.get(url, YEAR)
    with CaptureQueriesContext(connection) as api:
        client.get("/api/v1/statistics/figures", YEAR, HTTP_AUTHORIZATION=f"Bearer {token}")
    return len(page.captured_queries), len(api.captured_queries)


@pytest.mark.parametrize("persona", ["town_office_a", "district_officer", "enterprise_a"])
def test_the_page_and_the_api_run_a_fixed_number_of_queries(world, login, client, persona):
    build_enforcement(world, cases=3, campaigns=1, tasks=3, seed=1)
    login(persona)
    small = _page_and_api_queries(client, world.users[persona])
    build_enforcement(world, cases=30, campaigns=8, tasks=60, seed=2)
    large = _page_and_api_queries(client, world.users[persona])
    assert large == small


def test_the_end_of_a_running_period_is_now(world):
    """For the running year, "open at the end" is open now; a case opened today counts."""
    et = build_enforcement(world, cases=0, campaigns=0, tasks=0)
    today = datetime.date(2026, 7, 15)
    case = et.extra["edge_case"]
    case.pk = None
    case.closed_on = None
    case.opened_on = today
    case.decided_on = None
    case.save()
    figures = figures_compute(world.town_office_a, PERIODS["year"], now=NOW).figures()
    assert figures["cases.open_at_end"][TOTAL] == 1
    assert figures["cases.opened"][TOTAL] == 2
