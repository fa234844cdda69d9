"""``manage.py run_scheduler``: enqueue the periodic jobs when they are due (see
``anjian.core.scheduler``). ``--once`` runs one tick and exits (tests, cron, systemd timers)."""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from anjian.core.scheduler import PERIODIC, tick


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (anjian.core.scheduler.PERIODIC) when their slots are due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between ticks (default: ANJIAN_SCHEDULER_TICK_SECONDS).",
        )

    def handle(self, *args, once: bool = False, interval: float | None = None, **options):
        verbosity = options.get("verbosity", 1)
        if once:
            self._tick(verbosity)
            return
        interval = interval if interval is not None else settings.ANJIAN_SCHEDULER_TICK_SECONDS
        stop = threading.Event()

        def _stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        if verbosity:
            jobs = ", ".join(f"{j.name} ({j.every.describe()})" for j in PERIODIC)
            self.stdout.write(f"scheduler started, tick every {interval:g}s: {jobs}")
        while not stop.is_set():
            try:
                close_old_connections()
                self._tick(verbosity)
            except Exception as exc:  # the loop survives a database hiccup
                self.stderr.write(f"tick failed: {exc!r}")
            stop.wait(interval)
        if verbosity:
            self.stdout.write("scheduler stopped")

    def _tick(self, verbosity: int) -> None:
        result = tick()
        if verbosity and (result.enqueued or result.failed or verbosity > 1):
            self.stdout.write(
                f"enqueued: {', '.join(result.enqueued) or '-'}; "
                f"already done: {', '.join(result.skipped) or '-'}; "
                f"failed: {', '.join(result.failed) or '-'}"
            )
