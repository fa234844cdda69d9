"""Benchmark of the statistics and dashboard pages (issue 6) on a generated district: 20 towns,
40,000 units, 1,000,000 hazards, on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_stats.py
    .venv/bin/python bench/bench_stats.py --scale 0.01      # a quick look (10,000 hazards)

Steps, once per database (each in a child process with its own fresh database):

1. A fresh database (PostgreSQL: ``--database-url`` or ``BENCH_STATS_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/anjian_bench_stats``, dropped and created; SQLite: a
   temporary file), migrated; the two-town test world, then towns up to ``--towns`` in the same
   district, ten villages each.
2. Units spread evenly over the villages, finished inspections and hazards of the last three years
   in every state, written with ``bulk_create`` (no timeline or audit: the pages read only
   aggregates of these rows). The figures are checked not to be empty.
3. For each page and API operation, the server time of one request in-process (Django test client,
   logged in / bearer token): one warm-up, then the median and the fastest of ``--repeat`` runs;
   and its SQL queries counted once with a small part of the data and once with all of it: the
   count must not grow with the data. Asked as the district officer (every town: each town and the
   sum) and as the office of one town.

Results: ``bench/results.md`` (section "Statistics and dashboard", replaced on each run, the rest
of the file kept) and ``bench/results.json`` (key ``statistics``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_hazards import (  # noqa: E402
    _base_env,
    _hazard,
    _recreate_database,
    write_section,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/anjian_bench_stats"
SECTION = "## Statistics and dashboard"
YEAR = 2026
# (name, kind, path): "page" with a logged-in session, "api" with a bearer token. Entries whose
# URL name does not resolve (a module not built) are skipped and said so.
TARGETS = [
    ("statistics page, year", "page", "stats:statistics", f"?kind=year&year={YEAR}"),
    ("statistics page, month", "page", "stats:statistics", f"?kind=month&year={YEAR}&month=11"),
    ("statistics API, year", "api", "/api/v1/statistics/figures", f"?kind=year&year={YEAR}"),
    ("dashboard page", "page", "dashboards:dashboard", ""),
    ("dashboard API", "api", "/api/v1/dashboard/figures", ""),
]
PERSONAS = {"district": "district_officer", "one town": "town_office_a"}


# --- In the child process (Django set up) ---------------------------------------------------------


def seed_towns(world, towns: int) -> list:
    from anjian.regions.models import RegionLevel
    from anjian.regions.services import region_create

    all_towns = [world.town_a, world.town_b]
    for i in range(len(all_towns), towns):
        all_towns.append(
            region_create(
                actor=None,
                code=f"330111{200 + i:03d}000",
                name=f"基准{i:02d}镇",
                level=RegionLevel.TOWN,
                parent=world.district,
            )
        )
    villages = []
    for town in all_towns:
        existing = list(town.children.order_by("code"))
        villages += existing
        for j in range(len(existing), 10):
            villages.append(
                region_create(
                    actor=None,
                    code=f"{town.code[:9]}{230 + j:03d}",
                    name=f"{town.name}基准{j:02d}村",
                    level=RegionLevel.VILLAGE,
                    parent=town,
                )
            )
    return villages


def seed_units(villages, count: int) -> list[int]:
    from anjian.units.models import Unit, UnitKind

    kinds = [UnitKind.ENTERPRISE, UnitKind.STREET_SHOP, UnitKind.SMALL_VENUE]
    Unit.objects.bulk_create(
        (
            Unit(
                name=f"基准测试{i:06d}号单位",
                kind=kinds[i % len(kinds)],
                region=villages[i % len(villages)],
                address=f"基准路{i}号",
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    return list(Unit.objects.filter(name__startswith="基准测试").values_list("pk", flat=True))


def seed_inspections(unit_ids: list[int], lead_id: int, count: int, seed: int) -> None:
    from django.utils import timezone

    from anjian.inspections.choices import InspectionKind, InspectionStatus
    from anjian.inspections.models import ChecklistVersion, Inspection

    checklist = ChecklistVersion.objects.order_by("pk").first()
    rng = random.Random(seed)
    now = timezone.now()
    kinds = InspectionKind.values
    chunk = []
    for _ in range(count):
        started = now - datetime.timedelta(
            days=rng.randint(0, 3 * 365), minutes=rng.randint(0, 600)
        )
        chunk.append(
            Inspection(
                unit_id=rng.choice(unit_ids),
                checklist=checklist,
                kind=rng.choice(kinds),
                status=InspectionStatus.FINISHED,
                lead_id=lead_id,
                started_at=started,
                finished_at=started + datetime.timedelta(hours=1),
            )
        )
        if len(chunk) == 5000:
            Inspection.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        Inspection.objects.bulk_create(chunk)


def seed_hazards(unit_ids: list[int], user_id: int, count: int, seed: int) -> None:
    from django.utils import timezone

    from anjian.hazards.models import Hazard

    rng = random.Random(seed)
    now = timezone.now()
    done = 0
    while done < count:
        n = min(20000, count - done)
        Hazard.objects.bulk_create(
            [_hazard(rng, rng.choice(unit_ids), user_id, now) for _ in range(n)], batch_size=5000
        )
        done += n


def _resolve(kind: str, target: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    if target.startswith("/"):
        return target
    try:
        return reverse(target)
    except NoReverseMatch:
        return None


def _clients(world) -> dict:
    from django.test import Client

    from anjian.accounts.services import api_token_issue

    out = {}
    for label, persona in PERSONAS.items():
        user = world.users[persona]
        page = Client()
        page.force_login(user)
        raw = api_token_issue(user=user, name="bench", days=1).raw
        out[label] = (page, {"authorization": f"Bearer {raw}"})
    return out


def measure(clients, *, repeat: int, timed: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results: dict = {}
    for name, kind, target, query in TARGETS:
        path = _resolve(kind, target)
        if path is None:
            results[name] = {"skipped": f"{target} does not exist"}
            continue
        for label, (client, headers) in clients.items():

            def get(client=client, headers=headers, url=path + query, api=kind == "api"):
                return client.get(url, headers=headers) if api else client.get(url)

            response = get()  # warm-up
            if response.status_code == 404 and kind == "api":
                results[name] = {"skipped": f"{path} answers 404"}
                break
            assert response.status_code == 200, (name, label, response.status_code)
            with CaptureQueriesContext(connection) as ctx:
                get()
            row = {"queries": len(ctx.captured_queries)}
            if timed:
                times = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    get()
                    times.append((time.perf_counter() - t0) * 1000)
                row["median_ms"] = round(statistics.median(times), 1)
                row["min_ms"] = round(min(times), 1)
            results.setdefault(name, {})[label] = row
    return results


def child(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    # Pages are served as in production (DEBUG off): the hashed static files must exist.
    call_command("collectstatic", interactive=False, verbosity=0)
    from anjian.core.testing.world import build_world
    from anjian.hazards.models import Hazard
    from anjian.stats.figures import figures_compute
    from anjian.stats.periods import PeriodKind, period_make

    t0 = time.perf_counter()
    world = build_world()
    office = world.users["town_office_a"]
    villages = seed_towns(world, args.towns)
    unit_ids = seed_units(villages, args.units)
    small_hazards = max(1000, args.hazards // 100)
    seed_hazards(unit_ids, office.pk, small_hazards, seed=1)
    seed_inspections(unit_ids, world.users["inspector_a"].pk, args.inspections // 100, seed=1)
    clients = _clients(world)
    small = measure(clients, repeat=1, timed=False)
    seed_hazards(unit_ids, office.pk, args.hazards - small_hazards, seed=2)
    seed_inspections(
        unit_ids, world.users["inspector_a"].pk, args.inspections - args.inspections // 100, seed=2
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seeded = time.perf_counter() - t0
    full = measure(clients, repeat=args.repeat, timed=True)
    # The data is really there: the district's figures of the year are not empty.
    result = figures_compute(
        world.users["district_officer"], period_make(PeriodKind.YEAR, year=YEAR)
    )
    found = next(
        row.values["total"]
        for section in result.sections
        for row in section.rows
        if row.key == "hazards.found"
    )
    return {
        "vendor": connection.vendor,
        "towns": args.towns,
        "units": len(unit_ids),
        "hazards": Hazard.objects.count(),
        "inspections": args.inspections,
        "hazards_found_in_year": found,
        "seed_seconds": round(seeded, 1),
        "small": small,
        "full": full,
    }


# --- In the parent process ----------------------------------------------------------------------


def run_child(env: dict, args) -> dict:
    env = {**env, "ANJIAN_STATIC_ROOT": str(Path(env["ANJIAN_DATA_DIR"]) / "static")}
    cmd = [
        sys.executable,
        __file__,
        "--child",
        f"--towns={args.towns}",
        f"--units={args.units}",
        f"--hazards={args.hazards}",
        f"--inspections={args.inspections}",
        f"--repeat={args.repeat}",
    ]
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def markdown(result: dict) -> str:
    info = result["machine"]
    lines = [
        SECTION,
        "",
        f"Run {info['date']} on {info['cpu']} ({info['cpus']} CPUs), Python {info['python']}. "
        f"Load average before the run: {info['load']}. Written by `make bench` "
        "(`bench/bench_stats.py`).",
        "",
        "Server time of one request in-process (Django test client; no HTTP), median and fastest of "
        f"{result['repeat']} runs after a warm-up; SQL queries with 1 % of the data → with all of "
        "it. *district*: the district officer (20 towns, each and the sum); *one town*: the office "
        "of one town.",
        "",
    ]
    for vendor, run in result["runs"].items():
        lines += [
            f"**{vendor}**: {run['towns']} towns, {run['units']:,} units, {run['hazards']:,} "
            f"hazards, {run['inspections']:,} inspections (seeded in {run['seed_seconds']} s; "
            f"{run['hazards_found_in_year']:,} hazards found in {YEAR})."
            + (
                f" Not run this time: the figures of the run of {run['kept_from']}."
                if run.get("kept_from")
                else ""
            ),
            "",
            "| page | asked as | median (ms) | fastest (ms) | queries |",
            "|---|---|---:|---:|---:|",
        ]
        for name, per in run["full"].items():
            if "skipped" in per:
                lines.append(f"| {name} | – | – | – | skipped: {per['skipped']} |")
                continue
            for label, row in per.items():
                small = run["small"].get(name, {}).get(label, {}).get("queries", "?")
                lines.append(
                    f"| {name} | {label} | {row['median_ms']} | {row['min_ms']} "
                    f"| {small} → {row['queries']} |"
                )
        lines.append("")
    return "\n".join(lines)


def write_results(result: dict) -> None:
    write_section("statistics", SECTION, result, markdown(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=20)
    parser.add_argument("--units", type=int, default=40_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--inspections", type=int, default=120_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply units, hazards, visits")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_STATS_DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="a PostgreSQL database to drop and re-create (env BENCH_STATS_DATABASE_URL)",
    )
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child(args), ensure_ascii=False))
        return
    args.units = max(200, int(args.units * args.scale))
    args.hazards = max(2000, int(args.hazards * args.scale))
    args.inspections = max(200, int(args.inspections * args.scale))
    from bench_hazards import machine

    info = machine()
    info["load"] = os.getloadavg()[0]
    runs = {}
    if not args.no_postgresql:
        with tempfile.TemporaryDirectory(prefix="anjian-bench-stats-") as tmp:
            print(f"PostgreSQL: seeding {args.hazards:,} hazards…", flush=True)
            _recreate_database(args.database_url)
            runs["PostgreSQL"] = run_child(
                {**_base_env(tmp), "DATABASE_URL": args.database_url}, args
            )
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="anjian-bench-stats-") as tmp:
            print(f"SQLite: seeding {args.hazards:,} hazards…", flush=True)
            runs["SQLite"] = run_child(_base_env(tmp), args)
    # A database left out this time keeps its figures of the last run (said so in the table).
    previous = {}
    if (ROOT / "bench" / "results.json").exists():
        previous = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    for vendor, run in previous.get("statistics", {}).get("runs", {}).items():
        if vendor not in runs:
            runs[vendor] = {
                **run,
                "kept_from": run.get("kept_from") or previous["statistics"]["machine"]["date"],
            }
    result = {"machine": info, "repeat": args.repeat, "runs": runs}
    print(markdown(result))
    if not args.no_write:
        write_results(result)
        print("wrote bench/results.md and bench/results.json")


if __name__ == "__main__":
    main()
