"""``under``: the same rows as ``startswith``, on every database; on PostgreSQL a range the
pattern-operator index answers without re-checking a LIKE."""

from __future__ import annotations

import pytest
from django.db import connection

from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import make_hazard
from anjian.regions.models import Region

pytestmark = pytest.mark.django_db


def test_under_finds_what_startswith_finds_for_every_prefix(world):
    paths = list(Region.objects.values_list("path", flat=True))
    prefixes = {*paths, "/", "/3301", "/330000000000/330100000000/33011", "/9", "/330000000000/~"}
    prefixes |= {p[:-1] for p in paths}  # without the closing slash: a sibling code may match
    for prefix in sorted(prefixes):
        under = set(Region.objects.filter(path__under=prefix).values_list("pk", flat=True))
        starts = set(Region.objects.filter(path__startswith=prefix).values_list("pk", flat=True))
        assert under == starts, prefix
    town = world.town_a.path
    assert set(Region.objects.filter(path__under=town)) == {
        world.town_a,
        *Region.objects.filter(parent=world.town_a),
    }


def test_under_keeps_the_order_of_chinese_characters():
    Region.objects.create(name="甲", code="330111990001", level="village", path="/甲村/一/")
    Region.objects.create(name="乙", code="330111990002", level="village", path="/甲杓/")
    Region.objects.create(name="丙", code="330111990003", level="village", path="/甲/")
    assert list(Region.objects.filter(path__under="/甲村").values_list("name", flat=True)) == ["甲"]
    assert Region.objects.filter(path__under="/甲").count() == 3


def test_a_town_offices_hazards_are_those_of_its_villages(world):
    make_hazard(world.inspector_a, world.unit_a)
    make_hazard(world.town_office_b, world.unit_b)
    visible = Hazard.objects.visible_to(world.town_office_a)
    assert {h.unit_id for h in visible} == {world.unit_a.pk}
    assert visible.count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_the_open_hazards_of_a_town_are_counted_from_the_index_without_a_like(world):
    make_hazard(world.inspector_a, world.unit_a)
    qs = Hazard.objects.visible_to(world.town_office_a).filter(status__in=["found", "rectifying"])
    sql, params = qs.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({sql}) AS q", params)  # noqa: S608
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "hazard_open_path_idx" in plan, plan
    assert "~~" not in plan, plan  # no LIKE left to re-check on every entry
