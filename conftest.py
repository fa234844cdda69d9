"""Shared fixtures: the two-town world and its personas (healthchecks' alice/bob/charlie).

The world is built once per test module and shared by its tests, each test in a savepoint
(``anjian/core/testing/layers.py``); a test that commits builds its own.
"""

from __future__ import annotations

import pytest

from anjian.core.testing import clock, layers, testdb
from anjian.core.testing.world import PASSWORD, World, build_world


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    clock.start_from_environment()
    config._anjian_test_databases = testdb.prepare_clones(config)


def pytest_unconfigure(config):
    clock.stop()
    testdb.drop(config, getattr(config, "_anjian_test_databases", []))


@pytest.fixture(scope="session")
def django_db_keepdb(request) -> bool:
    """A worker keeps the clone the controller made for it (``core.testing.testdb``)."""
    return bool(request.config.getvalue("reuse_db")) or testdb.is_cloned()


# What CI runs on SQLite besides PostgreSQL, where the whole suite runs. SQLite is the embedded
# default (`make demo`, a town's single office machine), so everything whose SQL differs between
# the two databases runs on both: the module (or folder) and why. Mark a single test with
# ``@pytest.mark.sqlite`` to add it.
SQLITE_SET = {
    "anjian/core/tests/test_lookups.py": "the under lookup: a range on PostgreSQL, LIKE on SQLite",
    "anjian/core/tests/test_prepared.py": "prepared statements exist only on PostgreSQL",
    "anjian/core/tests/test_compiled.py": "kept SQL run again through the cursor",
    "anjian/hazards/tests/test_list_compiled.py": "the hazard list's kept SQL on every queue",
    "anjian/hazards/tests/test_api.py": "list filters, queues, search and pagination (LIKE, ranges)",
    "anjian/hazards/tests/test_region_path.py": "path prefixes and their copies on write",
    "anjian/hazards/tests/test_deadlines.py": "deadlines and overdue by date in Beijing time",
    "anjian/hazards/tests/test_escalation.py": "escalation queries by date",
    "anjian/hazards/tests/test_loop_smoke.py": "smoke: the loop through the services",
    "anjian/core/tests/test_imports.py": "the import framework's bulk writes",
    "anjian/units/tests/test_import.py": "bulk inserts of the units import",
    "anjian/units/tests/test_search.py": "text and pinyin search (LIKE is case-insensitive on SQLite)",
    "anjian/stats/": "grouped counts by month in Asia/Shanghai (SQLite truncates in Python)",
    "anjian/dashboards/": "the dashboard's aggregates and time series",
    "anjian/reports/": "the summary and the meeting pack from the statistics",
    "anjian/exchange/": "JSON and CSV exports, the id import, a data migration",
    "anjian/backups/": "SQLite's online backup API and file copy against pg_dump/pg_restore",
    "anjian/audit/tests/test_verify.py": "the hash chain over values as each database returns them",
    "anjian/enforcement/tests/test_numbers.py": "document numbers counted per town, type and year",
    "anjian/demo/": "the demo loader: `make demo` runs on SQLite",
    "anjian/plans/tests/test_queries.py": "query counts of the plan pages",
    "config/": "smoke: settings for either database",
    "tests/test_api_errors.py": "smoke: the API's error envelope",
}


# What depends on today's date, run by `make test-dates` once for each day of a spread (month
# starts and ends, 29 February, year ends, around the Spring Festival and National Day) with the
# suite's clock moved there (ANJIAN_TEST_NOW, ``core.testing.clock``). Mark a single test with
# ``@pytest.mark.dates`` to add it.
DATES_SET = {
    "anjian/core/tests/test_calendar": "working days, holidays and make-up days from today",
    "anjian/hazards/tests/test_deadlines.py": "deadlines in working days, overdue from today",
    "anjian/hazards/tests/test_escalation.py": "reminders and escalation on the day they fall due",
    "anjian/hazards/tests/test_notifications.py": "who hears what, and when",
    "anjian/hazards/tests/test_reports.py": "monthly self-inspection reports: this month and the last",
    "anjian/hazards/tests/test_home.py": "the home page's overdue and due-soon figures",
    "anjian/hazards/tests/test_api.py": "the overdue and due-soon queues of the list",
    "anjian/units/tests/test_expiry.py": "certificates and licences expiring from today",
    "anjian/plans/": "the year's plan, its months, progress and late tasks",
    "anjian/stats/": "statistics periods: this month, quarter and year",
    "anjian/dashboards/": "the dashboard's year and twelve-month trend",
    "anjian/reports/": "the period's summary and the meetings' quarters",
    "anjian/core/tests/test_home": "the home cards of today",
}
# The demo is dated back from the day it is loaded: anjian/demo/tests/test_demo_dates.py checks its
# date arithmetic for every day of a year, and test_load_demo_dates.py loads it on a spread of days
# itself (all of them with ANJIAN_TEST_DATES=1, as `make test-dates` does), so moving the clock under
# the other demo tests would only repeat those loads.


def _in_set(item, paths: dict[str, str]) -> bool:
    path = item.nodeid.split("::", 1)[0]
    return any(path.startswith(key) for key in paths)


def _is_demo_test(item) -> bool:
    path = item.nodeid.split("::", 1)[0]
    return path.endswith(("_demo.py", "/test_demo.py"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _in_set(item, SQLITE_SET) or _is_demo_test(item):
            item.add_marker(pytest.mark.sqlite)
        if _in_set(item, DATES_SET):
            item.add_marker(pytest.mark.dates)
    layers.order_items(items)


@pytest.fixture(scope="module")
def _world_layer(django_db_setup, django_db_blocker):
    with layers.open_layer(django_db_blocker, build_world) as built:
        yield built


@pytest.fixture
@layers.serves_layer("_world_layer")
def world(request, db) -> World:
    return layers.shared_or_fresh(request, "_world_layer", build_world)


@pytest.fixture(scope="module")
def _demo_layer(django_db_setup, django_db_blocker):
    from anjian.demo.loader import load_demo

    with layers.open_layer(django_db_blocker, load_demo) as built:
        yield built


@pytest.fixture
@layers.serves_layer("_demo_layer")
def demo_town(request, db):
    """The demo town 场口镇 (``load_demo``'s report), loaded once per module on the real date
    (about 14 s of CPU a load) and shared by the module's tests like the world."""
    from anjian.demo.loader import load_demo

    return layers.shared_or_fresh(request, "_demo_layer", load_demo)


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


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded files (photos, scans) go to a temporary folder of the test run, never to
    data/media. One folder for the worker's session, so that the files of a shared layer (the
    access walk's scans and photos) are found by every test that reads them. Backup archives
    (the scheduler's tests run the nightly job) go to one too, never to data/backups."""
    from django.test import override_settings

    with override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        ANJIAN_BACKUP_DIR=tmp_path_factory.mktemp("backups"),
        ANJIAN_BACKUP_COPY_DIR="",
    ):
        yield


@pytest.fixture(autouse=True)
def _calendar_caches():
    """The working calendar's process caches start empty: a test's calendar (rolled back or
    flushed after it) must not be read by the next one."""
    from anjian.core.calendar import calendar_cache_clear

    calendar_cache_clear()
