"""The dashboard page, its chart exports and the API: the same figures, the same scope; a town user
never gets the other town's numbers by page, chart data or export."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.dashboards.charts import PHONE_WIDTH, WIDTH, nice_max, render_chart
from anjian.dashboards.selectors import CHART_KEYS, dashboard_compute
from anjian.dashboards.tests.town import build_town
from anjian.stats.figures import TOTAL

pytestmark = pytest.mark.django_db

DASHBOARD = "dashboards:dashboard"
EXPORT = "dashboards:chart_export"


@pytest.fixture
def town(world):
    from django.utils import timezone

    return build_town(world, now=timezone.now(), hazards=60)


def _api(client, user, path, **params):
    token = api_token_issue(user=user, name="t").raw
    return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_page_shows_every_figure_and_chart_with_its_table(world, town, login, client):
    login("leader_a")
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    html = response.content.decode()
    board = dashboard_compute(world.leader_a)
    for figure in board.figures:
        assert f'data-testid="figure-{figure.testid}"' in html
    assert "尚无记录" in html or "not recorded yet" in html  # permits: said, never a number
    for key in board.charts:
        assert f'data-testid="chart-{key}"' in html
        assert f'data-chart-svg="{key}"' in html  # the SVG is drawn on the server
        assert f'id="chart-{key}-table"' in html  # and its table is in the page
        assert f"?chart={key}" in html  # with its Excel export
    # A bar with a list behind it is a link to that list.
    assert 'class="chart-link"' in html
    assert "/hazards/?queue=open" in html
    # The longest-overdue hazards link to the hazards.
    for h in board.overdue:
        assert f'href="{h.link}"' in html
    # CSP: no inline style or script in what the dashboard adds.
    assert not re.search(r"<[^>]+\sstyle=", html)
    assert "<script>" not in html


def test_a_role_without_the_dashboard_gets_403(world, login, client):
    login("department_a")
    assert client.get(reverse(DASHBOARD)).status_code == 403
    assert client.get(reverse(EXPORT), {"chart": "trend"}).status_code == 403


def test_the_excel_export_of_a_chart_equals_its_table(world, town, login, client):
    login("town_office_a")
    board = dashboard_compute(world.town_office_a)
    for key in board.charts:
        response = client.get(reverse(EXPORT), {"chart": key})
        assert response.status_code == 200, key
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        head, table = board.charts[key].table()
        assert rows[0] == [str(h) for h in head], key
        assert [[("" if c is None else c) for c in r] for r in rows[1:]] == [
            [("" if c is None else c) for c in r] for r in table
        ], key
    assert AuditEntry.objects.filter(action="export.downloaded", actor=world.town_office_a).count()
    assert client.get(reverse(EXPORT), {"chart": "nonsense"}).status_code == 404


def test_the_api_returns_the_same_figures_and_charts(world, town, client):
    user = world.district_officer
    response = _api(client, user, "/api/v1/dashboard/figures")
    assert response.status_code == 200, response.content
    data = response.json()
    board = dashboard_compute(user)
    assert {f["key"]: f["values"] for f in data["figures"]} == {
        f.key: f.values for f in board.figures
    }
    assert [c["key"] for c in data["charts"]] == list(board.charts)
    trend = _api(client, user, "/api/v1/dashboard/chart", chart="trend").json()
    assert trend["series"][0]["values"] == board.charts["trend"].series[0].values
    sheet = _api(client, user, "/api/v1/dashboard/chart/xlsx", chart="by_village")
    assert sheet.status_code == 200
    wb = load_workbook(io.BytesIO(sheet.content)).active
    assert wb.max_row == len(board.charts["by_village"].categories) + 1
    assert _api(client, world.department_a, "/api/v1/dashboard/figures").status_code == 403
    assert _api(client, user, "/api/v1/dashboard/chart", chart="x").status_code == 404


def test_a_town_user_never_gets_the_other_towns_numbers(world, town, login, client):
    """Town B's units and figures appear nowhere in town A's page, chart data or exports."""
    b_units = [u.name for u in town.units if u.region.parent_id == world.town_b.pk]
    assert b_units
    b_villages = [world.village_b1.name, world.town_b.name, world.committee_b.name]
    user = login("town_office_a")
    page = client.get(reverse(DASHBOARD)).content.decode()
    data = _api(client, user, "/api/v1/dashboard/figures").content.decode("utf-8")
    exports = []
    for key in CHART_KEYS:
        response = client.get(reverse(EXPORT), {"chart": key})
        if response.status_code == 200:
            sheet = load_workbook(io.BytesIO(response.content)).active
            exports.append(str(list(sheet.iter_rows(values_only=True))))
        response = _api(client, user, "/api/v1/dashboard/chart", chart=key)
        if response.status_code == 200:
            exports.append(response.content.decode("utf-8"))
    for text in (page, data, *exports):
        for name in b_units + b_villages:
            assert name not in text
    figures = {f["key"]: f["values"] for f in _api(client, user, "/api/v1/dashboard/figures")
               .json()["figures"]}  # fmt: skip
    assert set(figures["hazards.open"]) == {str(world.town_a.pk), TOTAL}
    # The district's chart of towns is not town A's to ask for.
    assert client.get(reverse(EXPORT), {"chart": "towns"}).status_code == 404


def test_the_home_of_leaders_and_the_office_links_to_the_dashboard(world, login, client):
    for persona in ("leader_a", "town_office_a", "district_officer"):
        login(persona)
        html = client.get(reverse("core:home")).content.decode()
        assert 'data-testid="card-dashboard"' in html, persona
        assert reverse(DASHBOARD) in html
    login("enterprise_a")
    assert 'data-testid="card-dashboard"' not in client.get(reverse("core:home")).content.decode()


def test_charts_render_for_every_kind_even_when_empty(world):
    board = dashboard_compute(world.town_office_a)  # an empty town
    for chart in board.charts.values():
        assert chart.empty or render_chart(chart).startswith("<svg")
    assert nice_max(0) == 4 and nice_max(7) == 8 and nice_max(37) == 40 and nice_max(101) == 200


@pytest.mark.parametrize("width", [PHONE_WIDTH, WIDTH])
def test_every_shape_of_every_chart_lies_within_its_drawing(world, town, width):
    """Bars, points and lines stay inside the SVG's box, on the phone drawing and the desktop one
    (a shape outside would be cut off or blow the chart up)."""
    board = dashboard_compute(world.district_officer)
    for chart in board.charts.values():
        svg = str(render_chart(chart, width))
        box = re.match(r'<svg [^>]*viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
        assert box and float(box.group(1)) == width, chart.key
        height = float(box.group(2))
        for x in re.findall(r' (?:x|cx|x1|x2)="(-?[\d.]+)"', svg):
            assert -1 <= float(x) <= width + 1, (chart.key, x)
        for y in re.findall(r' (?:y|cy|y1|y2)="(-?[\d.]+)"', svg):
            assert -1 <= float(y) <= height + 1, (chart.key, y)
        for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg):
            assert float(w) <= width, (chart.key, w)
        shapes = svg.count('class="chart-shape"')
        expected = len(chart.points) if chart.kind == "map" else None
        if expected is not None:
            assert shapes == expected, chart.key
        assert shapes > 0, chart.key


@pytest.mark.parametrize("persona", ["town_office_a", "district_officer"])
def test_the_page_and_the_api_run_a_fixed_number_of_queries(world, login, client, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    user = login(persona)
    build_town(world, now=timezone.now(), hazards=10, seed=1)

    def count(url: str, **headers) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **headers).status_code == 200
        return len(ctx.captured_queries)

    token = api_token_issue(user=user, name="t").raw
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    count("/api/v1/dashboard/figures", **auth)  # the token's first use is recorded once
    small = (count(reverse(DASHBOARD)), count("/api/v1/dashboard/figures", **auth))
    build_town(world, now=timezone.now(), hazards=250, seed=2)
    large = (count(reverse(DASHBOARD)), count("/api/v1/dashboard/figures", **auth))
    assert small == large
