"""Test data built once per test module and shared by its tests, each test in a savepoint.

Building the two-town world costs about 460 queries and the access walk's objects about 2,200;
rebuilt for every test they were most of the suite's time. A *layer* is built the first time a
test of a module asks for it, inside a transaction that stays open (uncommitted) until the last
test of that module has run, and is then rolled back. Each test runs, as before, in Django's
test transaction, which nests inside the layer as a savepoint: what a test writes is undone
after it, and the layer's rows are the same for every test. This is Django's
``TestCase.setUpTestData`` for pytest functions, as pytest-django leaves room for (its test
case skips ``TestCase.setUpClass`` "to allow wrapping tests in higher-scoped transactions").

Rules the collection hook (``order_items``) keeps:

- A layer is opened before the test's own transaction: the layer fixture is module-scoped and is
  placed first in the test's fixtures.
- Tests that commit (``transaction=True``, ``transactional_db``, ``live_server``) never run inside
  a layer: they build their data themselves, committed, as before (pytest-django runs them after
  all the others).
- Within a module, tests that use no layer run before those that do, and tests of the deeper
  layer (the walk) after those of the world alone, so that nobody sees rows they did not ask for.
- A test gets a deep copy of the layer's objects: changing an instance in memory never leaks into
  the next test (the rows themselves are rolled back with the savepoint).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

# fixture name of a layer -> (the fixture that test functions ask for, the layer it is built on)
LAYERS: dict[str, tuple[str, str | None]] = {
    "_world_layer": ("world", None),
    "_walk_layer": ("walk", "_world_layer"),
    "_demo_layer": ("demo_town", None),
}
_TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool(_TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


def serves_layer(layer: str):
    """Marks a fixture function as the one that hands out ``layer``'s objects. A module that
    defines a fixture of the same name for something else (a ``demo`` of its own) is then not
    taken for a user of the layer."""

    def mark(function):
        function._anjian_layer = layer
        return function

    return mark


def _uses(item: pytest.Item, user: str, layer: str) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.get(user) if info is not None else None
    if not definitions:
        return False
    return getattr(definitions[-1].func, "_anjian_layer", None) == layer


def layer_chain(item: pytest.Item) -> list[str]:
    """The layers a test runs in, outermost first (none for a test that commits)."""
    if is_transactional(item):
        return []
    names = set(getattr(item, "fixturenames", ()))
    chain: list[str] = []
    for layer, (user, _parent) in LAYERS.items():
        if user in names and _uses(item, user, layer):
            candidate = [layer]
            while LAYERS[candidate[0]][1] is not None:
                candidate.insert(0, LAYERS[candidate[0]][1])
            if len(candidate) > len(chain):
                chain = candidate
    return chain


def layer_depth(item: pytest.Item) -> int:
    """0: commits; 1: no layer; 2 and more: the number of layers it runs in, plus one."""
    if is_transactional(item):
        return 0
    return 1 + len(layer_chain(item))


def order_items(items: list[pytest.Item]) -> None:
    """Order the tests of each run of one module's tests by ``layer_depth``, stably; put each
    layer fixture first in the fixtures of the tests that use it, so that it is set up before the
    test's own transaction.

    Only consecutive tests of one module are reordered: pytest-django has already put the tests
    that commit after all the others, as Django's runner does, because such a test empties every
    table when it ends (the rows the migrations seeded included) and the tests after it would
    miss them."""
    ordered: list[pytest.Item] = []
    start = 0
    while start < len(items):
        module = getattr(items[start], "module", None)
        end = start
        while end < len(items) and getattr(items[end], "module", None) is module:
            end += 1
        block = sorted(items[start:end], key=layer_depth)
        roots = {chain[0] for chain in map(layer_chain, block) if chain}
        if len(roots) > 1:
            raise pytest.UsageError(
                f"{items[start].nodeid.split('::')[0]} uses the layers {sorted(roots)}, which "
                "cannot be open together (anjian/core/testing/layers.py): split the module"
            )
        ordered.extend(block)
        start = end
    items[:] = ordered
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None:
            continue
        for layer in reversed(layer_chain(item)):
            if layer in names:
                names.remove(layer)
            names.insert(0, layer)


@contextmanager
def open_layer(django_db_blocker, build: Callable[[], Any]) -> Iterator[Any]:
    """Run ``build()`` in a transaction on every test database that stays open while the caller
    holds the context, then roll it back."""
    from django.db import connections, transaction

    aliases = [alias for alias in connections if connections[alias].features.uses_savepoints]
    with django_db_blocker.unblock():
        atomics = []
        for alias in aliases:
            atomic = transaction.atomic(using=alias)
            atomic._from_testcase = True  # a durable block inside a test still counts as outermost
            atomic.__enter__()
            atomics.append((alias, atomic))
        try:
            built = build()
        except BaseException:
            _rollback(atomics)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            _rollback(atomics)


def _rollback(atomics) -> None:
    from django.db import transaction

    for alias, atomic in reversed(atomics):
        transaction.set_rollback(True, using=alias)
        atomic.__exit__(None, None, None)


def shared_or_fresh(request: pytest.FixtureRequest, layer: str, build: Callable[[], Any]) -> Any:
    """The layer's objects (a deep copy) when the test runs in the layer, else a fresh build (a
    test that commits builds its own data)."""
    if layer in request.fixturenames:
        return copy.deepcopy(request.getfixturevalue(layer))
    return build()
