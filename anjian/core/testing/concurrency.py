"""Run callables at the same moment, each in its own thread and database connection, for tests of
what two people doing the same thing at once leads to (on PostgreSQL; SQLite serialises writers).

Each contender runs in English (``translation.override("en")``) so that messages can be compared,
waits at a barrier so that all start together, and closes its connection when done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import translation


@dataclass
class Race:
    """What each contender returned, and what each raised instead."""

    results: dict[str, Any] = field(default_factory=dict)
    raised: dict[str, Exception] = field(default_factory=dict)


def run_at_once(contenders: dict[str, Callable[[], Any]], *, timeout: float = 60) -> Race:
    """Call every contender in its own thread, released together by a barrier. Fails the test if
    a contender hangs, or dies of something that is not an ``Exception`` (it would be lost)."""
    barrier = threading.Barrier(len(contenders))
    race = Race()
    fatal: list[BaseException] = []

    def run(name: str, call: Callable[[], Any]) -> None:
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                race.results[name] = call()
        except Exception as exc:  # reported to the test
            race.raised[name] = exc
        except BaseException as exc:  # pragma: no cover - reported to the test
            fatal.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in contenders.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if any(t.is_alive() for t in threads):
        raise AssertionError("a contender hung")
    if fatal:
        raise AssertionError(fatal)
    return race
