"""Every figure of the statistics equals the figure counted independently, by role and scope, for a
month, a quarter and a year — and the work is a fixed number of queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anjian.accounts.models import User
from anjian.stats.figures import TOTAL, figures_compute
from anjian.stats.periods import PeriodKind, period_make
from anjian.stats.tests.town import at, build_town, expected_figures

pytestmark = pytest.mark.django_db

NOW = at(2026, 7, 15, 9)  # the year 2026 is running; March and the first quarter have ended
BASE_SECTIONS = {"units", "inspections", "hazards", "major", "documents"}
PERIODS = {
    "month": period_make(PeriodKind.MONTH, year=2026, month=3),
    "quarter": period_make(PeriodKind.QUARTER, year=2026, quarter=1),
    "year": period_make(PeriodKind.YEAR, year=2026),
    "april": period_make(PeriodKind.MONTH, year=2026, month=4),
}


def _scopes(world):
    """persona → (unit in scope?, document in scope?, towns shown)."""
    a, b = world.town_a, world.town_b
    return {
        "town_office_a": (lambda u: u.region.parent_id == a.pk, lambda d: d.town_id == a.pk, [a]),
        "leader_a": (lambda u: u.region.parent_id == a.pk, lambda d: d.town_id == a.pk, [a]),
        "district_officer": (lambda u: True, lambda d: True, [a, b]),
        "town_office_b": (lambda u: u.region.parent_id == b.pk, lambda d: d.town_id == b.pk, [b]),
        "committee_member_a": (lambda u: u.committee_id == world.committee_a_industry.pk, None, [a]),
        "village_officer_a": (lambda u: u.region_id == world.village_a1.pk, None, [a]),
        "expert_a": (lambda u: u.pk == world.unit_a.pk, None, [a]),
        "enterprise_a": (
            lambda u: u.pk == world.unit_a.pk, lambda d: d.unit_id == world.unit_a.pk, [a]
        ),
    }  # fmt: skip


@pytest.fixture
def town(world):
    return build_town(world, hazards=80)


@pytest.mark.parametrize("period_name", ["month", "quarter", "year", "april"])
@pytest.mark.parametrize(
    "persona",
    [
        "town_office_a",
        "leader_a",
        "district_officer",
        "town_office_b",
        "committee_member_a",
        "village_officer_a",
        "expert_a",
        "enterprise_a",
    ],
)
def test_every_figure_equals_the_independent_count(world, town, persona, period_name):
    unit_ok, docs_ok, towns = _scopes(world)[persona]
    period = PERIODS[period_name]
    result = figures_compute(world.users[persona], period, now=NOW)
    expected = expected_figures(
        town, period, period.as_of(NOW), unit_ok=unit_ok, towns=towns, docs_ok=docs_ok
    )
    assert [a.key for a in result.areas] == [str(t.pk) for t in towns]
    # Cases, penalties, campaigns and the plan are compared in test_sections_enforcement.py.
    base = {k: v for k, v in result.figures().items() if k.split(".")[0] in BASE_SECTIONS}
    assert base == expected
    if docs_ok is None:  # roles without enforcement.view see no documents section at all
        assert "documents" not in {s.key for s in result.sections}


def test_the_data_has_something_in_every_period(world, town):
    """The generated town is not empty where it matters (else the comparisons prove little)."""
    for period in PERIODS.values():
        figures = figures_compute(world.town_office_a, period, now=NOW).figures()
        assert figures["hazards.found"][TOTAL] > 0
        assert figures["inspections.visits"][TOTAL] > 0


def test_a_hazard_found_in_one_period_and_closed_in_the_next(world):
    build_town(world, hazards=0)
    march = figures_compute(world.town_office_a, PERIODS["month"], now=NOW).figures()
    april = figures_compute(world.town_office_a, PERIODS["april"], now=NOW).figures()
    key = str(world.town_a.pk)
    # Found on 31 March at 23:30 Beijing time (15:30 UTC): March's, not April's.
    assert march["hazards.found"][key] == 1
    assert march["hazards.closed"][key] == 0
    assert march["hazards.found_closed"][key] == 0
    assert march["hazards.open_at_end"][key] == 1
    assert march["hazards.rate_a"][key] == 0.0
    assert april["hazards.found"][key] == 0
    assert april["hazards.closed"][key] == 1
    assert april["hazards.rate_a"][key] is None  # nothing found: no rate
    assert april["hazards.funds"][key] == "1200.50"
    quarter_two = period_make(PeriodKind.QUARTER, year=2026, quarter=2)
    q2 = figures_compute(world.town_office_a, quarter_two, now=NOW).figures()
    assert q2["hazards.closed"][key] == 1 and q2["hazards.found"][key] == 0


def test_a_district_sees_each_town_and_their_sum(world, town):
    year = PERIODS["year"]
    district = figures_compute(world.district_officer, year, now=NOW).figures()
    town_a = figures_compute(world.town_office_a, year, now=NOW).figures()
    town_b = figures_compute(world.town_office_b, year, now=NOW).figures()
    a, b = str(world.town_a.pk), str(world.town_b.pk)
    for key in ("hazards.found", "hazards.closed", "hazards.overdue", "inspections.visits"):
        assert district[key][a] == town_a[key][a]
        assert district[key][b] == town_b[key][b]
        assert district[key][TOTAL] == town_a[key][TOTAL] + town_b[key][TOTAL]
    assert b not in town_a["hazards.found"]


def test_narrowing_never_widens_and_outside_regions_are_refused(world, town):
    year = PERIODS["year"]
    narrowed = figures_compute(
        world.district_officer, year, region_id=world.village_a1.pk, now=NOW
    ).figures()
    village = figures_compute(world.village_officer_a, year, now=NOW).figures()
    assert narrowed["hazards.found"][TOTAL] == village["hazards.found"][TOTAL]
    with pytest.raises(ValidationError):
        figures_compute(world.town_office_a, year, region_id=world.town_b.pk, now=NOW)
    with pytest.raises(ValidationError):
        figures_compute(world.town_office_a, year, committee_id=world.committee_b.pk, now=NOW)


def _queries(user_pk: int, period) -> int:
    user = User.objects.get(pk=user_pk)
    with CaptureQueriesContext(connection) as ctx:
        figures_compute(user, period, now=NOW)
    return len(ctx.captured_queries)


QUERIES = {"town_office_a": 11, "district_officer": 11, "enterprise_a": 7}


@pytest.mark.parametrize("persona", list(QUERIES))
def test_a_fixed_number_of_queries_whatever_the_data_size(
    world, persona, django_assert_num_queries
):
    build_town(world, hazards=10, seed=1)
    user_pk = world.users[persona].pk
    small = _queries(user_pk, PERIODS["year"])
    build_town(world, hazards=200, seed=2)
    user = User.objects.get(pk=user_pk)
    with django_assert_num_queries(small):
        figures_compute(user, PERIODS["year"], now=NOW)
    # The towns, one query per model (units, inspections, hazards, documents, cases, campaign
    # tallies (3), plan tasks) for the sections the role reaches.
    assert small == QUERIES[persona], small


def test_the_hazard_figures_narrowed_to_a_town_are_the_towns_own(world, town):
    """Narrowed by the hazards' own village path: the district's view of town A is town A's."""
    year = PERIODS["year"]
    narrowed = figures_compute(
        world.district_officer, year, region_id=world.town_a.pk, now=NOW
    ).figures()
    own = figures_compute(world.town_office_a, year, now=NOW).figures()
    hazard_keys = [key for key in own if key.startswith("hazards.")]
    assert own["hazards.found"][TOTAL] > 0
    for key in hazard_keys:
        assert narrowed[key] == own[key], key
