"""Shared fixtures: the two-town world and its personas (healthchecks' alice/bob/charlie)."""

from __future__ import annotations

import pytest

from anjian.core.testing.world import PASSWORD, World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def login(client, world):
    """``login("town_office_a")`` logs the test client in as that persona and returns the user."""

    def _login(persona: str):
        user = world.users[persona]
        client.force_login(user)
        return user

    return _login
