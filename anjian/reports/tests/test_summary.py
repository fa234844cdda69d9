"""The period's summary: every number in its text (the page's JSON and the Word file read back)
equals the number counted independently in the test, for a year and a quarter, by scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext
from docx import Document

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.reports.summary import CATEGORY_SECTION, NOT_RECORDED, show_value, summary_compute
from anjian.stats.figures import TOTAL
from anjian.stats.periods import PeriodKind, period_make
from anjian.stats.tests.town import at, build_town, expected_figures
from anjian.teams.models import Committee
from anjian.units.models import Category, Unit, UnitStatus

pytestmark = pytest.mark.django_db

NOW = at(2026, 7, 15, 9)
YEAR = period_make(PeriodKind.YEAR, year=2026)
QUARTER = period_make(PeriodKind.QUARTER, year=2026, quarter=1)
EMPTY_SECTIONS = ("cases.", "penalties.", "campaigns.", "plan.")


def _api(client, user, path, **params):
    token = api_token_issue(user=user, name="t").raw
    return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def town(world):
    made = build_town(world, hazards=70)
    use = Category.objects.get(code="haz-chem-use")
    storage = Category.objects.get(code="haz-chem-storage")
    dust = Category.objects.get(code="combustible-dust")
    world.unit_a.categories.add(use, storage)  # two of a group: counted once in the group
    world.unit_a2.categories.add(dust)
    world.unit_b.categories.add(use)
    suspended = Unit.objects.get(name="东梓关停产厂")
    suspended.categories.add(use)  # suspended: not an operating unit of the category
    Committee.objects.filter(pk=world.committee_a.pk).update(lead_name="徐华", lead_title="镇长")
    return made


def _category_counts(world, unit_ok) -> dict[str, int]:
    """Operating units per category and group, counted over the units in Python."""
    out: dict[str, int] = {}
    units = [u for u in Unit.objects.prefetch_related("categories") if unit_ok(u)]
    for group in ("haz_chem", "three_places"):
        members = [
            u for u in units
            if u.status == UnitStatus.OPERATING and any(c.group == group for c in u.categories.all())
        ]  # fmt: skip
        out[f"{CATEGORY_SECTION}.{group}"] = len(members)
        for c in Category.objects.filter(group=group, is_active=True):
            out[f"{CATEGORY_SECTION}.{group}.{c.code}"] = sum(
                1 for u in members if c in u.categories.all()
            )
    return out


def _expected(world, town, persona, period):
    a, b = world.town_a, world.town_b
    scopes = {
        "town_office_a": (lambda u: u.region.parent_id == a.pk, lambda d: d.town_id == a.pk, [a]),
        "town_office_b": (lambda u: u.region.parent_id == b.pk, lambda d: d.town_id == b.pk, [b]),
        "district_officer": (lambda u: True, lambda d: True, [a, b]),
    }
    unit_ok, docs_ok, towns = scopes[persona]
    figures = expected_figures(
        town, period, period.as_of(NOW), unit_ok=unit_ok, towns=towns, docs_ok=docs_ok
    )
    expected = {key: values[TOTAL] for key, values in figures.items()}
    expected.update(_category_counts(world, unit_ok))
    return expected


def _check_numbers(refs, expected) -> int:
    """Every number of the text equals the independent count; the empty modules count 0."""
    checked = 0
    for ref in refs:
        if ref.key.startswith(EMPTY_SECTIONS):  # no case, campaign or plan task in this town
            want = {"count": 0, "money": "0.00", "percent": None}[ref.kind]
        else:
            want = expected[ref.key]
        assert ref.value == want, f"{ref.key}: {ref.value} != {want}"
        checked += 1
    return checked


@pytest.mark.parametrize("period", [YEAR, QUARTER], ids=["year", "quarter"])
@pytest.mark.parametrize("persona", ["town_office_a", "district_officer", "town_office_b"])
def test_every_number_of_the_summary_equals_the_independent_count(world, town, persona, period):
    summary = summary_compute(world.users[persona], period, now=NOW)
    expected = _expected(world, town, persona, period)
    checked = _check_numbers(summary.refs, expected)
    keys = {r.key for r in summary.refs}
    for key in ("units.supervised", "hazards.found", "hazards.closed", "hazards.rate_a",
                "hazards.overdue", "major.open_at_end", "inspections.visits",
                f"{CATEGORY_SECTION}.haz_chem", f"{CATEGORY_SECTION}.haz_chem.haz-chem-use"):  # fmt: skip
        assert key in keys
    assert checked >= 20
    if persona == "town_office_a":
        assert expected["hazards.found"] > 0 and expected[f"{CATEGORY_SECTION}.haz_chem"] == 1


def test_the_page_json_and_the_word_file_say_the_same_numbers(world, town, client, login):
    login("town_office_a")
    expected = _expected(world, town, "town_office_a", YEAR)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("reports:summary"), {"kind": "year", "year": 2026})
        api = _api(client, world.town_office_a, "/api/v1/reports/summary", kind="year", year=2026)
        docx = client.get(reverse("reports:summary_docx"), {"kind": "year", "year": 2026})
    assert page.status_code == 200 and api.status_code == 200 and docx.status_code == 200
    data = api.json()
    figures = {f["key"]: f for f in data["figures"]}
    for key, figure in figures.items():
        if not key.startswith(EMPTY_SECTIONS):
            assert figure["value"] == expected[key], key
    # Each number of the page links to the list behind it, where there is one.
    html = page.content.decode()
    found = figures["hazards.found"]
    assert found["link"] and f'href="{found["link"].replace("&", "&amp;")}"' in html
    # The Word text: the same paragraphs, and the sources with the independent values.
    doc = Document(io.BytesIO(docx.content))
    lines = [p.text for p in doc.paragraphs]
    assert lines[0] == data["title"]
    body = [p["text"] for p in data["paragraphs"]]
    assert lines[1 : 1 + len(body)] == body
    sources = lines[1 + len(body) :]
    for key, figure in figures.items():
        want = figure["value"] if key.startswith(EMPTY_SECTIONS) else expected[key]
        line = gettext("%(section)s · %(label)s: %(value)s → %(source)s") % {
            "section": figure["section"],
            "label": figure["label"],
            "value": show_value(figure["kind"], want),
            "source": "",
        }
        assert any(s.startswith(line) for s in sources), line
    assert AuditEntry.objects.filter(action="export.downloaded", actor=world.town_office_a).exists()


def test_a_hazard_found_in_one_period_and_closed_in_the_next(world):
    build_town(world, hazards=0)  # only the hazard found 31 March 23:30, closed 1 April 00:10
    user = world.town_office_a
    q1 = {r.key: r for r in summary_compute(user, QUARTER, now=NOW).refs}
    q2_period = period_make(PeriodKind.QUARTER, year=2026, quarter=2)
    q2 = {r.key: r for r in summary_compute(user, q2_period, now=NOW).refs}
    assert (q1["hazards.found"].value, q1["hazards.closed"].value) == (1, 0)
    assert q1["hazards.open_at_end"].value == 1 and q1["hazards.rate_a"].text == "0.0%"
    assert (q2["hazards.found"].value, q2["hazards.closed"].value) == (0, 1)
    assert q2["hazards.rate_a"].text == "—"  # nothing found: no rate, never a made-up one
    assert Decimal(q2["hazards.funds"].value) == Decimal("1200.50")


def test_the_district_gets_the_sum_of_its_towns(world, town):
    district = {r.key: r.value for r in summary_compute(world.district_officer, YEAR, now=NOW).refs}
    a = {r.key: r.value for r in summary_compute(world.town_office_a, YEAR, now=NOW).refs}
    b = {r.key: r.value for r in summary_compute(world.town_office_b, YEAR, now=NOW).refs}
    for key in ("hazards.found", "hazards.closed", "hazards.overdue", "units.supervised",
                "inspections.visits", f"{CATEGORY_SECTION}.haz_chem"):  # fmt: skip
        assert district[key] == a[key] + b[key], key
    assert district[f"{CATEGORY_SECTION}.haz_chem"] == 2


def test_trainings_drills_and_publicity_are_said_not_recorded(world, town):
    summary = summary_compute(world.town_office_a, YEAR, now=NOW)
    headings = [i for i, p in enumerate(summary.paragraphs) if p.heading]
    last = summary.paragraphs[headings[-1] + 1 :]
    assert [p.text for p in last] == [str(NOT_RECORDED)]
    assert all(piece.ref is None for p in last for piece in p.pieces)  # no number at all
    assert "尚未" in str(NOT_RECORDED)  # said in Chinese to the town's users


def test_the_committees_and_their_leads_are_named(world, town):
    text = summary_compute(world.town_office_a, YEAR, now=NOW).text
    assert "场口镇安全生产委员会" in text and "镇长徐华" in text
    assert "场口镇消防专委会" in text
    assert "常安镇" not in text


def test_a_town_user_cannot_get_the_other_towns_summary(world, town, client, login):
    login("town_office_a")
    other = {"kind": "year", "year": 2026, "region": world.town_b.pk}
    assert client.get(reverse("reports:summary"), other).status_code == 404
    assert client.get(reverse("reports:summary_docx"), other).status_code == 404
    for path in ("/api/v1/reports/summary", "/api/v1/reports/summary/docx"):
        response = _api(
            client, world.town_office_a, path, kind="year", year=2026, region_id=world.town_b.pk
        )
        assert response.status_code == 404
    # A district user may narrow to either town: the town's numbers.
    response = _api(
        client, world.district_officer, "/api/v1/reports/summary",
        kind="year", year=2026, region_id=world.town_b.pk,
    )  # fmt: skip
    assert response.status_code == 200
    b = {r.key: r.value for r in summary_compute(world.town_office_b, YEAR).refs}
    got = {f["key"]: f["value"] for f in response.json()["figures"]}
    assert got["hazards.found"] == b["hazards.found"]


def test_roles_without_the_summary_are_refused(world, client, login):
    login("enterprise_a")
    assert client.get(reverse("reports:summary")).status_code == 403
    assert _api(client, world.enterprise_a, "/api/v1/reports/summary").status_code == 403


def test_the_summary_runs_a_fixed_number_of_queries(world):
    build_town(world, hazards=10, seed=1)
    user = world.district_officer
    summary_compute(user, YEAR, now=NOW)  # warm the caches
    with CaptureQueriesContext(connection) as small:
        summary_compute(user, YEAR, now=NOW)
    build_town(world, hazards=150, seed=2)
    with CaptureQueriesContext(connection) as large:
        summary_compute(user, YEAR, now=NOW)
    assert len(large) == len(small)
