"""Every figure, chart and list of the dashboard equals the count made independently over a
generated town, for each role and scope; a district sees each town and their sum; the work is a
fixed number of queries whatever the data size."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anjian.accounts.models import User
from anjian.accounts.services import api_token_issue
from anjian.dashboards.selectors import MISSING, dashboard_compute
from anjian.dashboards.tests.town import at, build_town, expected, missed_reports
from anjian.hazards.models import TipOff
from anjian.stats.figures import TOTAL

pytestmark = pytest.mark.django_db

NOW = at(2026, 7, 15, 9)
TODAY = timezone.localtime(NOW).date()


def scopes(world):
    """persona → (unit in scope?, towns shown)."""
    a, b = world.town_a, world.town_b
    return {
        "town_office_a": (lambda u: u.region.parent_id == a.pk, [a]),
        "leader_a": (lambda u: u.region.parent_id == a.pk, [a]),
        "district_officer": (lambda u: u.region.parent_id in (a.pk, b.pk), [a, b]),
        "town_office_b": (lambda u: u.region.parent_id == b.pk, [b]),
        "committee_member_a": (lambda u: u.committee_id == world.committee_a_industry.pk, [a]),
        "village_officer_a": (lambda u: u.region_id == world.village_a1.pk, [a]),
        "expert_a": (lambda u: u.pk == world.unit_a.pk, [a]),
        "enterprise_a": (lambda u: u.pk == world.unit_a.pk, [a]),
    }


PERSONAS = [
    "town_office_a",
    "leader_a",
    "district_officer",
    "town_office_b",
    "committee_member_a",
    "village_officer_a",
    "expert_a",
    "enterprise_a",
]


@pytest.fixture
def town(world):
    return build_town(world, now=NOW, hazards=90)


def _per_area(counts: dict[str, int], keys: list[str]) -> dict[str, int]:
    values = {k: counts.get(k, 0) for k in keys}
    values[TOTAL] = sum(values.values())
    return values


def _rate(closed: dict[str, int], found: dict[str, int]) -> dict[str, float | None]:
    return {k: (round(100 * closed[k] / n, 1) if n else None) for k, n in found.items()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_figure_equals_the_independent_count(world, town, persona):
    unit_ok, towns = scopes(world)[persona]
    keys = [str(t.pk) for t in towns]
    exp = expected(world, town, unit_ok, area=lambda u: str(u.region.parent_id))
    board = dashboard_compute(world.users[persona], now=NOW)
    assert [a.key for a in board.areas] == keys
    figures = {f.key: f for f in board.figures}

    for key in ("hazards.open", "hazards.overdue", "hazards.major", "inspections.year",
                "units.supervised"):  # fmt: skip
        assert figures[key].values == _per_area(exp[key], keys), key
    for period in ("month", "year"):
        found = _per_area(exp[f"found.{period}"], keys)
        closed = _per_area(exp[f"closed.{period}"], keys)
        assert figures[f"rate.{period}"].values == _rate(closed, found), period
    plans = persona != "enterprise_a"
    cases = persona in ("town_office_a", "leader_a", "district_officer", "town_office_b",
                        "enterprise_a")  # fmt: skip
    assert ("plan.done" in figures) is plans
    assert ("cases.open" in figures) is cases
    if plans:
        assert figures["plan.done"].values == _per_area(exp["plan.done"], keys)
        assert figures["plan.done"].of == _per_area(exp["plan.planned"], keys)
        assert figures["plan.late"].values == _per_area(exp["plan.late"], keys)
    if cases:
        assert figures["cases.open"].values == _per_area(exp["cases.open"], keys)
        assert figures["cases.year"].values == _per_area(exp["cases.year"], keys)
    # No permit module: said, never a made-up number.
    permits = figures["permits.in_force"]
    assert permits.kind == MISSING and set(permits.values.values()) == {None}

    # The charts: the trend, the breakdowns, the grades and the map.
    charts = board.charts
    trend = {s.key: s.values for s in charts["trend"].series}
    assert trend["found"] == exp["trend.found"]
    assert trend["closed"] == exp["trend.closed"]
    assert trend["inspections"] == exp["trend.inspections"]
    assert charts["trend"].categories[-1] == f"{TODAY.year}-{TODAY.month:02d}"
    for key in ("by_village", "by_committee", "by_category", "by_source", "by_finder"):
        chart = charts[key]
        assert sum(chart.series[0].values) == sum(exp[key].values()), key
        assert sorted(chart.series[0].values) == sorted(exp[key].values()), key
    grades = charts["grades"]
    shown = {}
    for s in grades.series:
        if len(towns) > 1:  # stacked per town: a series per grade
            shown[s.key if s.key != "none" else ""] = sum(s.values)
        else:
            shown = dict(zip(["red", "orange", "yellow", "blue", ""], s.values, strict=True))
    assert {k: v for k, v in shown.items() if v} == exp["grades"]
    assert {int(p.key): p.value for p in charts["map"].points} == exp["map"]
    # The longest-overdue hazards, oldest deadline first.
    assert [h.id for h in board.overdue] == exp["overdue_list"]


def test_the_generated_town_has_something_in_every_figure(world, town):
    """The comparisons above prove little on an empty town: every figure is non-zero here."""
    board = dashboard_compute(world.town_office_a, now=NOW)
    for figure in board.figures:
        if figure.kind != MISSING:
            assert figure.total, figure.key
    assert board.overdue and board.missed.count
    assert all(not chart.empty for chart in board.charts.values())


def test_the_office_has_its_work_queues_and_the_missing_reports(world, town):
    board = dashboard_compute(world.town_office_a, now=NOW)
    queues = {f.key: f.total for f in board.queues}
    assert set(queues) == {"queue.recheck", "queue.extensions", "queue.tip_offs"}
    # Submitted hazards of the town that the office may re-check (nobody in the test submitted).
    submitted = sum(
        1 for h in town.hazards if h.status == "submitted" and h.unit.region.parent_id
        == world.town_a.pk
    )  # fmt: skip
    assert queues["queue.recheck"] == submitted
    new_tip_offs = TipOff.objects.filter(town=world.town_a, status="new").count()
    assert queues["queue.tip_offs"] == new_tip_offs > 0
    assert dashboard_compute(world.town_office_b, now=NOW).figure("queue.tip_offs").total == (
        TipOff.objects.filter(town=world.town_b, status="new").count()
    )
    unit_ok, _towns = scopes(world)["town_office_a"]
    missing = missed_reports(world, town, unit_ok)
    assert board.missed.count == len(missing)
    names = set(board.missed.units)
    assert names <= {u.name for u in town.units if u.pk in missing}
    # The leader follows the reports too, without the office's queues.
    leader = dashboard_compute(world.leader_a, now=NOW)
    assert leader.queues == [] and leader.missed.count == len(missing)
    # Roles that do not follow the reports do not see them.
    assert dashboard_compute(world.enterprise_a, now=NOW).missed is None


def test_a_district_sees_each_town_and_their_sum(world, town):
    district = dashboard_compute(world.district_officer, now=NOW)
    town_a = dashboard_compute(world.town_office_a, now=NOW)
    town_b = dashboard_compute(world.town_office_b, now=NOW)
    a, b = str(world.town_a.pk), str(world.town_b.pk)
    assert district.compare_towns and not town_a.compare_towns
    for key in ("hazards.open", "hazards.overdue", "hazards.major", "inspections.year",
                "units.supervised", "plan.done", "cases.open"):  # fmt: skip
        d = district.figure(key).values
        assert d[a] == town_a.figure(key).values[a]
        assert d[b] == town_b.figure(key).values[b]
        assert d[TOTAL] == town_a.figure(key).total + town_b.figure(key).total
    towns = district.charts["towns"]
    assert towns.categories == [world.town_a.name, world.town_b.name]
    opened = next(s for s in towns.series if s.key == "open")
    assert opened.values == [town_a.figure("hazards.open").total,
                             town_b.figure("hazards.open").total]  # fmt: skip
    assert "towns" not in town_a.charts


def test_an_enterprise_sees_only_its_own_unit(world, town):
    board = dashboard_compute(world.enterprise_a, now=NOW)
    assert {p.key for p in board.charts["map"].points} <= {str(world.unit_a.pk)}
    hazard_units = {h.unit for h in board.overdue}
    assert hazard_units <= {world.unit_a.name}
    data = str(board.as_dict())
    for other in town.units:
        if other.pk != world.unit_a.pk:
            assert other.name not in data


def _queries(user_pk: int) -> int:
    user = User.objects.get(pk=user_pk)
    with CaptureQueriesContext(connection) as ctx:
        dashboard_compute(user, now=NOW)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["town_office_a", "leader_a", "district_officer",
                                     "enterprise_a", "village_officer_a"])  # fmt: skip
def test_a_fixed_number_of_queries_whatever_the_data_size(
    world, persona, django_assert_num_queries
):
    build_town(world, now=NOW, hazards=10, seed=1)
    user_pk = world.users[persona].pk
    small = _queries(user_pk)
    build_town(world, now=NOW, hazards=250, seed=2)
    user = User.objects.get(pk=user_pk)
    with django_assert_num_queries(small):
        dashboard_compute(user, now=NOW)
    assert small <= 40


def _list_count(client, user, link: str) -> tuple[int, int]:
    """The number of hazards behind a chart's link: by the list page and by the API."""

    import time_machine

    parts = urlsplit(link)
    assert parts.path == "/hazards/", link
    params = dict(parse_qsl(parts.query))
    token = api_token_issue(user=user, name="links").raw
    with time_machine.travel(NOW, tick=False):
        client.force_login(user)
        page = client.get(link)
        assert page.status_code == 200, link
        api = client.get(
            "/api/v1/hazards", {**params, "limit": 1}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
    assert api.status_code == 200, (link, api.content)
    return page.context["page_obj"].paginator.count, api.json()["count"]


def test_each_towns_bar_opens_the_hazards_it_counts(world, town, client):
    board = dashboard_compute(world.district_officer, now=NOW)
    followed = 0
    for series in board.charts["towns"].series:
        for value, link in zip(series.values, series.links, strict=True):
            assert link, series.key
            assert _list_count(client, world.district_officer, link) == (value, value), link
            followed += 1
    assert followed == 6  # open, overdue and major for each of the two towns


def test_each_finders_bar_opens_the_hazards_they_found(world, town, client):
    board = dashboard_compute(world.town_office_a, now=NOW)
    chart = board.charts["by_finder"]
    linked = [
        (name, value, link)
        for name, value, link in zip(
            chart.categories, chart.series[0].values, chart.series[0].links, strict=True
        )
        if link
    ]
    assert linked, "the generated town has hazards found by users"
    for _name, value, link in linked:
        assert _list_count(client, world.town_office_a, link) == (value, value), link
    name, _value, link = linked[0]
    with time_machine.travel(NOW, tick=False):
        client.force_login(world.town_office_a)
        page = client.get(link)
    badge = page.text.split('data-testid="found-by-filter">', 1)[1].split("</span>", 1)[0]
    assert badge.endswith(f"：{name}"), badge
    assert 'data-testid="found-by-clear"' in page.text
