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


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Chinese). A request made with the English
    language cookie leaves English active in its thread; without this, a later test on the same
    worker would see English messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded files (photos, scans) of a test go to a temporary folder, never to data/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _calendar_caches():
    """The working calendar's process caches start empty: a test's calendar (rolled back or
    flushed after it) must not be read by the next one."""
    from anjian.core.calendar import calendar_cache_clear

    calendar_cache_clear()
