"""The shared test layers (anjian/core/testing/layers.py): each test writes in its own savepoint
over the module's world, and only the fixtures that serve a layer put a test in it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from anjian.core.testing import layers
from anjian.units.models import Unit

pytestmark = pytest.mark.django_db
NAME = "杭州层测试机械有限公司"


def test_a_test_writes_and_changes_the_world_in_its_own_savepoint(world):
    Unit.objects.create(name=NAME, kind="enterprise", region=world.village_a1)
    world.unit_a.name = "改过的名字"
    world.unit_a.save(update_fields=["name"])
    assert Unit.objects.filter(name__in=[NAME, "改过的名字"]).count() == 2


def test_the_next_test_finds_the_world_as_it_was_built(world):
    assert not Unit.objects.filter(name=NAME).exists()
    assert world.unit_a.name == "杭州甲乙机械有限公司"
    assert Unit.objects.get(pk=world.unit_a.pk).name == "杭州甲乙机械有限公司"


def _item(fixtures: dict, marker=None):
    """A stand-in for a collected test: its fixtures by name -> the function that serves it."""
    definitions = {name: [SimpleNamespace(func=func)] for name, func in fixtures.items()}
    return SimpleNamespace(
        fixturenames=list(fixtures),
        _fixtureinfo=SimpleNamespace(name2fixturedefs=definitions),
        get_closest_marker=lambda name: marker,
        nodeid="anjian/x/tests/test_x.py::test_x",
        module="x",
    )


def test_only_the_fixture_that_serves_a_layer_puts_a_test_in_it():
    served = layers.serves_layer("_demo_layer")(lambda: None)
    own = lambda: None  # noqa: E731 - a module's own fixture of the same name
    assert layers.layer_chain(_item({"demo_town": served})) == ["_demo_layer"]
    assert layers.layer_chain(_item({"demo_town": own})) == []
    walk = layers.serves_layer("_walk_layer")(lambda: None)
    world = layers.serves_layer("_world_layer")(lambda: None)
    assert layers.layer_chain(_item({"world": world, "walk": walk})) == [
        "_world_layer",
        "_walk_layer",
    ]


def test_a_test_that_commits_never_runs_in_a_layer():
    world = layers.serves_layer("_world_layer")(lambda: None)
    marker = SimpleNamespace(kwargs={"transaction": True})
    item = _item({"world": world}, marker=marker)
    assert layers.layer_chain(item) == []
    assert layers.layer_depth(item) == 0


def test_tests_of_a_module_run_without_layers_first_then_by_depth_and_layers_set_up_first():
    world = layers.serves_layer("_world_layer")(lambda: None)
    walk = layers.serves_layer("_walk_layer")(lambda: None)
    deep = _item({"world": world, "walk": walk, "db": None})
    shallow = _item({"world": world})
    plain = _item({"db": None})
    items = [deep, shallow, plain]
    layers.order_items(items)
    assert items == [plain, shallow, deep]
    assert deep.fixturenames[:2] == ["_world_layer", "_walk_layer"]
    assert shallow.fixturenames[0] == "_world_layer"


def test_a_module_that_mixes_layers_that_cannot_be_open_together_is_refused():
    world = layers.serves_layer("_world_layer")(lambda: None)
    demo = layers.serves_layer("_demo_layer")(lambda: None)
    with pytest.raises(pytest.UsageError, match="split the module"):
        layers.order_items([_item({"world": world}), _item({"demo_town": demo})])
