"""Benchmark of the hazard list API (issue 4): 25,000 hazards in one town's scope, served by
gunicorn (2 workers) on loopback against PostgreSQL, loaded by wrk.

    .venv/bin/python bench/bench_hazards.py
    .venv/bin/python bench/bench_hazards.py --hazards 25000 --units 2000 --duration 15

Steps:

1. A fresh PostgreSQL database (``--database-url`` or ``BENCH_HAZARDS_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/anjian_bench_hazards``: dropped and created), migrated.
2. The two-town test world, ~2,000 units in ten villages of town A and 25,000 hazards of the
   last three years in every state. Bench data is written with ``bulk_create`` straight into the
   tables (no timeline, photos or audit): the list reads only the hazard, unit, village and
   sub-grade rows, and the services would take minutes for data the list cannot tell apart.
3. The town office's API token (``api_token_issue``); the SQL queries of one request of each URL
   counted in-process (Django test client with the bearer token, ``CaptureQueriesContext``), once
   with 1,000 hazards and once with all of them: the count must not grow with the data.
4. ``gunicorn -c config/gunicorn.conf.py -w 2`` (the production settings: threaded workers that keep
   connections alive) on a free loopback port (ANJIAN_DEBUG=false), warmed up, then
   ``wrk -t2 -c4 -d15s`` three times per URL (the run with the median requests/s is reported):
   requests per second and the latency percentiles (p50 and p95
   printed by a small Lua ``done()``; ``--latency`` gives only 50/75/90/99).
5. The same in-process query count on SQLite (a temporary database file).

Results go to ``bench/results.md`` (section "Hazard list API", replaced on each run, the rest of
the file kept) and ``bench/results.json`` (key ``hazard_list``). Targets on the 2-core machines:
at most 6 queries per request whatever the data size, at least 300 requests/s, p95 at most 35 ms.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from postgres_admin import admin_connection

ROOT = Path(__file__).resolve().parent.parent
RESULTS_MD = ROOT / "bench" / "results.md"
RESULTS_JSON = ROOT / "bench" / "results.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/anjian_bench_hazards"
SECTION = "## Hazard list API"
URLS = {
    "first page": "/api/v1/hazards?limit=25",
    "filtered page": "/api/v1/hazards?queue=overdue&level=general&limit=25",
}
TARGETS = {"max_queries": 6, "min_rps": 300, "max_p95_ms": 35}
SMALL = 1000  # hazards when the queries are first counted

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d mean_us=%.1f "
    .. "max_us=%d non2xx=%d socket_errors=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""

LOCATIONS = ["一号车间", "二号车间", "仓库", "配电房", "喷涂车间", "后厨", "办公楼", "厂区道路"]
DESCRIPTIONS = [
    "配电箱箱门缺失，接线端子裸露",
    "灭火器压力不足，已过期未检",
    "安全出口被货物堵塞",
    "粉尘未及时清扫，积尘厚度超过1毫米",
    "有限空间未设置警示标识",
    "叉车驾驶员无证驾驶",
    "危化品与普通物品混放",
    "喷涂车间排风不良",
    "砂轮机防护罩缺失",
    "液化气钢瓶软管老化",
]


# --- In the child process (Django set up) ---------------------------------------------------------


def _villages(world, n: int = 10):
    from anjian.regions.models import Region, RegionLevel
    from anjian.regions.services import region_create

    villages = [world.village_a1, world.village_a2]
    for i in range(len(villages), n):
        code = f"330111112{210 + i}"
        villages.append(
            Region.objects.filter(code=code).first()
            or region_create(
                actor=None,
                code=code,
                name=f"基准村{i:02d}",
                level=RegionLevel.VILLAGE,
                parent=world.town_a,
            )
        )
    return villages


def seed_units(world, count: int) -> list[int]:
    from anjian.units.models import Unit, UnitKind

    villages = _villages(world)
    committees = [world.committee_a_industry, world.committee_a_fire]
    kinds = [UnitKind.ENTERPRISE, UnitKind.STREET_SHOP, UnitKind.SMALL_VENUE]
    units = [
        Unit(
            name=f"基准测试{i:05d}号单位",
            kind=kinds[i % len(kinds)],
            region=villages[i % len(villages)],
            committee=committees[i % len(committees)],
            address=f"场口镇基准路{i}号",
        )
        for i in range(count)
    ]
    Unit.objects.bulk_create(units, batch_size=1000)
    return list(Unit.objects.filter(region__parent=world.town_a).values_list("pk", flat=True))


def _hazard(rng: random.Random, unit_id: int, user_id: int, now: datetime.datetime):
    from anjian.hazards.choices import (
        HazardCategory,
        HazardLevel,
        HazardSource,
        HazardStatus,
        HazardType,
    )
    from anjian.hazards.models import Hazard

    age = rng.randint(0, 3 * 365)
    found_at = now - datetime.timedelta(days=age, minutes=rng.randint(0, 600))
    deadline = (found_at + datetime.timedelta(days=rng.randint(3, 30))).date()
    roll = rng.random()
    if age > 60:
        status = (
            HazardStatus.CLOSED
            if roll < 0.85
            else HazardStatus.CANCELLED
            if roll < 0.90
            else HazardStatus.RECTIFYING
            if roll < 0.97
            else HazardStatus.SUBMITTED
        )
    else:
        status = (
            HazardStatus.FOUND
            if roll < 0.15
            else HazardStatus.RECTIFYING
            if roll < 0.60
            else HazardStatus.SUBMITTED
            if roll < 0.80
            else HazardStatus.CLOSED
        )
    closed = status == HazardStatus.CLOSED
    return Hazard(
        unit_id=unit_id,
        location=rng.choice(LOCATIONS),
        description=rng.choice(DESCRIPTIONS),
        hazard_type=rng.choice(HazardType.values),
        category=rng.choice(HazardCategory.values),
        level=HazardLevel.MAJOR if rng.random() < 0.02 else HazardLevel.GENERAL,
        source=rng.choice(HazardSource.values),
        found_at=found_at,
        found_by_id=user_id,
        reported_by_id=user_id,
        status=status,
        status_changed_at=found_at,
        deadline=None if status == HazardStatus.FOUND else deadline,
        original_deadline=None if status == HazardStatus.FOUND else deadline,
        ordered_at=None if status == HazardStatus.FOUND else found_at,
        closed_at=found_at + datetime.timedelta(days=rng.randint(1, 30)) if closed else None,
    )


def seed_hazards(unit_ids: list[int], user_id: int, count: int, seed: int) -> None:
    from django.utils import timezone

    from anjian.hazards.models import Hazard

    rng = random.Random(seed)
    now = timezone.now()
    batch = [_hazard(rng, rng.choice(unit_ids), user_id, now) for _ in range(count)]
    Hazard.objects.bulk_create(batch, batch_size=2000)


def count_queries(client, headers: dict) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = {}
    for name, url in URLS.items():
        response = client.get(url, headers=headers)  # warm-up: token's last use, caches
        assert response.status_code == 200, (url, response.status_code, response.content[:500])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        result[name] = len(ctx.captured_queries)
        result[f"{name} sql"] = [q["sql"] for q in ctx.captured_queries]
        result[f"{name} count"] = response.json()["count"]
    return result


def time_requests(client, headers: dict, repeat: int = 200) -> dict[str, dict]:
    """Per URL, the CPU time this process spends on one request (Django test client, same settings
    as gunicorn; PostgreSQL's own work is not in it): median and minimum of ``repeat`` requests.
    Less sensitive than wrk's throughput to a shared machine's other tenants."""
    import statistics

    result = {}
    for name, url in URLS.items():
        for _ in range(20):
            client.get(url, headers=headers)
        times = []
        for _ in range(repeat):
            start = time.thread_time()
            client.get(url, headers=headers)
            times.append(time.thread_time() - start)
        result[name] = {
            "cpu_median_ms": round(statistics.median(times) * 1000, 2),
            "cpu_min_ms": round(min(times) * 1000, 2),
        }
    return result


def child(hazards: int, units: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from anjian.accounts.services import api_token_issue
    from anjian.core.testing.world import build_world

    t0 = time.perf_counter()
    world = build_world()
    office = world.town_office_a
    unit_ids = seed_units(world, units)
    seed_hazards(unit_ids, office.pk, min(SMALL, hazards), seed=1)
    issued = api_token_issue(user=office, name="bench", days=1)
    headers = {"authorization": f"Bearer {issued.raw}"}
    client = Client()
    small = count_queries(client, headers)
    seed_hazards(unit_ids, office.pk, max(0, hazards - SMALL), seed=2)
    if connection.vendor == "postgresql":
        # What autovacuum does to a table that has been written: statistics for the planner and
        # the visibility map that lets a count read the index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    seeded = time.perf_counter() - t0
    full = count_queries(client, headers)
    cpu = time_requests(client, headers)
    return {
        "vendor": connection.vendor,
        "db_version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else connection.cursor().connection.info.server_version,
        "hazards": hazards,
        "units": len(unit_ids),
        "seed_seconds": round(seeded, 1),
        "token": issued.raw,
        "queries_small": {k: v for k, v in small.items() if k in URLS},
        "queries": {k: v for k, v in full.items() if k in URLS},
        "rows": {name: full[f"{name} count"] for name in URLS},
        "sql": {name: full[f"{name} sql"] for name in URLS},
        "app_cpu": cpu,
    }


# --- In the parent process ----------------------------------------------------------------------


def _base_env(data_dir: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ANJIAN_DATA_DIR": data_dir,
        "ANJIAN_DEBUG": "false",
        "ANJIAN_SECRET_KEY": "bench-" + "x" * 40,
        "ANJIAN_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "ANJIAN_TASK_BACKEND": "immediate",
        "ANJIAN_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    return env


def _recreate_database(url: str) -> None:
    cfg, admin = admin_connection(url)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def run_child(env: dict, hazards: int, units: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--hazards", str(hazards), "--units", str(units)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, headers: dict, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout} s")


def run_wrk(url: str, token: str, *, threads: int, connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT)
        script = fh.name
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration}s",
                "--latency",
                "-s",
                script,
                "-H",
                f"Authorization: Bearer {token}",
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(script).unlink()
    match = re.search(r"^BENCH (.*)$", out, re.MULTILINE)
    if match is None:
        raise SystemExit(f"wrk printed no figures:\n{out}")
    figures = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": int(figures["requests"]),
        "seconds": round(seconds, 1),
        "rps": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "mean_ms": round(figures["mean_us"] / 1000, 1),
        "max_ms": round(figures["max_us"] / 1000, 1),
        "non_2xx": int(figures["non2xx"]),
        "socket_errors": int(figures["socket_errors"]),
    }


def median_run(runs: list[dict]) -> dict:
    """The run with the median requests/s (the lower middle of an even number), with every run's
    requests/s beside it: a shared machine's other tenants move one run by a quarter, seldom the
    middle of three."""
    ordered = sorted(runs, key=lambda run: run["rps"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["runs_rps"] = [run["rps"] for run in runs]
    return middle


def _cpu_seconds(pids: set[int]) -> dict[int, float]:
    """User + system CPU seconds of each process still running."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _group(pgid: int) -> set[int]:
    """The processes of a process group (gunicorn's arbiter and workers)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[2]) == pgid:
                pids.add(int(entry.name))
    return pids


def _backends(database_url: str) -> set[int]:
    """The PostgreSQL server processes serving the bench database (gunicorn's kept connections)."""
    cfg, admin = admin_connection(database_url)
    with admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [cfg["NAME"]]
        ).fetchall()
    return {pid for (pid,) in rows}


class ServerCpu:
    """CPU spent by gunicorn and by its PostgreSQL connections over a span of load: what a
    request costs the server, which other tenants of a shared machine change less than they
    change the throughput. Sampled every quarter second, so that a worker gunicorn recycles
    (``max_requests``) and the connections it closes are counted up to their last sample."""

    INTERVAL = 0.25

    def __init__(self, pgid: int, database_url: str):
        self.pgid, self.database_url = pgid, database_url
        self.first: dict[str, dict[int, float]] = {"app": {}, "db": {}}
        self.last: dict[str, dict[int, float]] = {"app": {}, "db": {}}
        self._stop = threading.Event()

    def _sample(self, *, initial: bool = False) -> None:
        for kind, pids in (("app", _group(self.pgid)), ("db", _backends(self.database_url))):
            for pid, seconds in _cpu_seconds(pids).items():
                if initial:
                    self.first[kind][pid] = seconds
                self.last[kind][pid] = seconds

    def _run(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            self._sample()

    def __enter__(self):
        self._sample(initial=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    def seconds(self, kind: str) -> float:
        first, last = self.first[kind], self.last[kind]
        return sum(value - first.get(pid, 0.0) for pid, value in last.items())

    def per_request(self, requests: int) -> dict[str, float]:
        return {
            "server_cpu_app_ms": round(self.seconds("app") * 1000 / requests, 2),
            "server_cpu_db_ms": round(self.seconds("db") * 1000 / requests, 2),
        }


def serve_and_load(env: dict, token: str, args) -> dict[str, dict]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        [
            gunicorn,
            "-c",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    results = {}
    try:
        headers = {"Authorization": f"Bearer {token}"}
        for path in URLS.values():
            _wait_until_up(base + path, headers)
        for name, path in URLS.items():
            run_wrk(base + path, token, threads=2, connections=args.connections, duration=3)
            runs = []
            for _ in range(args.runs):
                with ServerCpu(server.pid, env["DATABASE_URL"]) as cpu:
                    run = run_wrk(
                        base + path,
                        token,
                        threads=2,
                        connections=args.connections,
                        duration=args.duration,
                    )
                run.update(cpu.per_request(run["requests"]))
                runs.append(run)
                print(f"  {name}: {json.dumps(run)}", flush=True)
            results[name] = median_run(runs)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.seek(0)
        errors = [
            line for line in log.read().splitlines() if "Traceback" in line or "ERROR" in line
        ]
        log.close()
        Path(log.name).unlink()
        if errors:
            print("gunicorn logged errors:\n" + "\n".join(errors[:20]), file=sys.stderr)
    return results


def machine() -> dict:
    import django

    mem = ""
    cpu = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    gunicorn_version = subprocess.run(
        [sys.executable, "-c", "import gunicorn; print(gunicorn.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    import platform

    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn_version,
        "wrk": (wrk.stdout or wrk.stderr).split("[")[0].strip(),
        "load_average_before": os.getloadavg()[0],
    }


def verdict(result: dict) -> dict[str, bool]:
    served = result["served"]
    return {
        "queries": all(
            n <= TARGETS["max_queries"]
            for db in result["query_counts"].values()
            for n in list(db["queries"].values()) + list(db["queries_small"].values())
        ),
        "rps": all(s["rps"] >= TARGETS["min_rps"] for s in served.values()),
        "p95": all(s["p95_ms"] <= TARGETS["max_p95_ms"] for s in served.values()),
        "no_errors": all(s["non_2xx"] == 0 and s["socket_errors"] == 0 for s in served.values()),
    }


def runs_text(served: dict) -> str:
    runs = served.get("runs_rps", [])
    return f" ({', '.join(str(rps) for rps in runs)})" if len(runs) > 1 else ""


def markdown(result: dict) -> str:
    info, served, counts = result["machine"], result["served"], result["query_counts"]
    pg = counts["postgresql"]
    ok = result["verdict"]
    lines = [
        SECTION,
        "",
        f"Run {info['date']} on {info['host']}: {info['cpu']} ({info['cpus']} CPUs, "
        f"{info['memory']}), Python {info['python']}, Django {info['django']}, gunicorn "
        f"{info['gunicorn']} ({result['workers']} gthread workers × 4 threads, keep-alive, loopback), {info['wrk']}; "
        f"PostgreSQL {pg['db_version']}. Load average before the run: "
        f"{info['load_average_before']:.2f}. Written by `make bench` (`bench/bench_hazards.py`).",
        "",
        f"{pg['hazards']:,} hazards at {pg['units']:,} units of one town, all in the town "
        "office's scope (bulk-created bench data); requests with the office's bearer token; "
        f"wrk {result['connections']} connections, 2 threads, {result['runs']} runs of "
        f"{result['duration']} s per URL after a 3 s warm-up; the figures are those of the run "
        "with the median requests/s (every run's requests/s in brackets). Queries per request counted in-process (Django test client, "
        f"`CaptureQueriesContext`) with {SMALL:,} and with {pg['hazards']:,} hazards. App CPU: "
        "the CPU time of this process for one request through the same middleware and settings "
        "(Django test client, 200 requests after 20; PostgreSQL's own work not included): on a "
        "shared machine it moves less than wrk's throughput does. Server CPU: the CPU time "
        "gunicorn's processes and their PostgreSQL connections spent during wrk's run, divided "
        "by the requests served; with wrk on the same 2 cores, 300 requests/s leaves about "
        "6.7 ms for all three.",
        "",
        "| URL | rows matching | requests/s | p50 (ms) | p95 (ms) | p99 (ms) | non-2xx "
        "| queries PostgreSQL | queries SQLite | app CPU per request, median (min) "
        "| server CPU per request under load: gunicorn + PostgreSQL |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    sqlite = counts.get("sqlite")
    for name, path in URLS.items():
        s = served[name]
        pg_q = f"{pg['queries_small'][name]} → {pg['queries'][name]}"
        sq_q = f"{sqlite['queries_small'][name]} → {sqlite['queries'][name]}" if sqlite else "–"
        cpu = pg.get("app_cpu", {}).get(name)
        cpu_text = f"{cpu['cpu_median_ms']} ms ({cpu['cpu_min_ms']} ms)" if cpu else "–"
        server = (
            f"{s['server_cpu_app_ms']} + {s['server_cpu_db_ms']} = "
            f"{s['server_cpu_app_ms'] + s['server_cpu_db_ms']:.2f} ms"
            if "server_cpu_app_ms" in s
            else "–"
        )
        lines.append(
            f"| `{path}` ({name}) | {pg['rows'][name]:,} | {s['rps']}{runs_text(s)} | {s['p50_ms']} "
            f"| {s['p95_ms']} | {s['p99_ms']} | {s['non_2xx']} | {pg_q} | {sq_q} | {cpu_text} "
            f"| {server} |"
        )
    mark = {True: "met", False: "**missed**"}
    lines += [
        "",
        f"Targets: ≤ {TARGETS['max_queries']} queries per request whatever the data size "
        f"({mark[ok['queries']]}), ≥ {TARGETS['min_rps']} requests/s ({mark[ok['rps']]}), "
        f"p95 ≤ {TARGETS['max_p95_ms']} ms ({mark[ok['p95']]}).",
        "",
    ]
    return "\n".join(lines)


def write_section(json_key: str, section: str, result: dict, text: str) -> None:
    """Put ``result`` under ``json_key`` in results.json and ``text`` (starting with the heading
    ``section``) in results.md in place of that section; the rest of both files is kept."""
    data = {}
    if RESULTS_JSON.exists():
        data = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
    data[json_key] = result
    RESULTS_JSON.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    old = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    before, _sep, rest = old.partition(section)
    after = ""
    if _sep and (next_section := re.search(r"^## ", rest[1:], re.MULTILINE)):
        after = rest[next_section.start() + 1 :]
    RESULTS_MD.write_text(
        before.rstrip("\n") + "\n\n" + text + ("\n" + after if after else ""),
        encoding="utf-8",
    )


def write_results(result: dict) -> None:
    write_section("hazard_list", SECTION, result, markdown(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=25000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk load per URL")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--runs", type=int, default=3, help="wrk runs per URL; the median run is reported"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_HAZARDS_DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="a PostgreSQL database to drop and re-create (env BENCH_HAZARDS_DATABASE_URL)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite query count")
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child(args.hazards, args.units), ensure_ascii=False))
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make system-packages)")
    info = machine()
    counts = {}
    with tempfile.TemporaryDirectory(prefix="anjian-bench-hazards-") as tmp:
        env = {**_base_env(tmp), "DATABASE_URL": args.database_url}
        print(f"PostgreSQL: seeding {args.hazards:,} hazards…", flush=True)
        _recreate_database(args.database_url)
        pg = run_child(env, args.hazards, args.units)
        counts["postgresql"] = pg
        print(f"  queries per request: {pg['queries_small']} → {pg['queries']}", flush=True)
        served = serve_and_load(env, pg.pop("token"), args)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="anjian-bench-hazards-") as tmp:
            print(f"SQLite: seeding {args.hazards:,} hazards…", flush=True)
            sqlite = run_child(_base_env(tmp), args.hazards, args.units)
            sqlite.pop("token")
            counts["sqlite"] = sqlite
            print(f"  queries per request: {sqlite['queries_small']} → {sqlite['queries']}")
    result = {
        "machine": info,
        "workers": args.workers,
        "connections": args.connections,
        "duration": args.duration,
        "runs": args.runs,
        "targets": TARGETS,
        "served": served,
        "query_counts": counts,
    }
    result["verdict"] = verdict(result)
    print(markdown(result))
    if not args.no_write:
        write_results(result)
        print(f"wrote {RESULTS_MD.relative_to(ROOT)} and {RESULTS_JSON.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
