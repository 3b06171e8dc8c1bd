"""``make bench-api``: the REST API under load, from concurrent loopback clients.

What is measured (``python -m benchmarks.api_load --help`` lists the options):

* **the store**: at least ``--events`` (200,000) deduplicated events, made as
  ``benchmarks.api_store`` says (copies of really coded events written through the store's
  write path, then deduplicated); the SQLite file is kept in ``--workdir`` and reused by a
  run with the same size and seed. ``--postgres`` writes the same documents into a
  throwaway PostgreSQL server (``benchmarks.postgres_server``) instead.
* **the server**: the real command, ``eventcoder serve --db URL --port 0``, a subprocess
  on a free loopback port.
* **the clients**: ``--clients`` (32) concurrent connections from this process (asyncio and
  one ``httpx.AsyncClient``), each sending its next request as soon as the last answered,
  for ``--duration`` seconds after a ``--warmup``. The requests are a weighted mix drawn
  from the store (its events, documents, actor codes, types and dates): filtered searches
  of ``/api/events`` (date ranges, source, target, dyad, country, type, CAMEO,
  min_confidence, actor words within a date range, a document; every sort; pages past the
  first), event pages, document pages, dyad timelines and networks over bounded ranges.

Reported per kind of request and overall: requests/s, latency p50/p95/p99/max as seen by
the client (loopback, so network time is nil), errors (any status other than 200 or a
failed connection: the requests are all valid, so 0 is expected) and the CPU the server
and the client used. The client's CPU is reported because both share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

import httpx
import psutil

from benchmarks.api_mix import MIX, RequestMix, StoreSample, sample_store
from benchmarks.api_store import StoreBuild, build_store, sqlite_store
from benchmarks.measure import stop_process

DEFAULT_EVENTS = 200_000
DEFAULT_SEED = 1
DEFAULT_CLIENTS = 32
DEFAULT_DURATION_S = 60.0
DEFAULT_WARMUP_S = 10.0
QUICK_EVENTS = 5_000
QUICK_DURATION_S = 5.0
QUICK_WARMUP_S = 2.0
TARGET_P95_MS = 100.0
TARGET_KINDS = ("search", "event")  # the kinds the p95 target is about
DEFAULT_WORKDIR = Path(__file__).resolve().parents[1] / "build" / "bench-api"
REQUEST_TIMEOUT_S = 60.0
SERVER_START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Settings:
    events: int
    seed: int
    clients: int
    duration_s: float
    warmup_s: float
    rate: float | None  # requests/s offered in the paced phase; None: half the saturation rate
    postgres: bool
    quick: bool
    workdir: str


@dataclass(frozen=True)
class LatencyStats:
    """The requests of one kind (or one search variant, or all) in the measured window."""

    name: str
    requests: int
    errors: int
    per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


@dataclass(frozen=True)
class Phase:
    """One measured window against the server."""

    name: str  # "saturation" or "paced"
    offered_per_s: float | None  # paced: the requests/s the clients offered together
    measured_s: float
    kinds: tuple[LatencyStats, ...]
    overall: LatencyStats
    searches: tuple[LatencyStats, ...]  # each search variant, slowest p95 first
    server_cpu_cores: float  # CPU time of the server process ÷ measured time
    client_cpu_cores: float  # the same for this (client) process
    error_examples: tuple[str, ...]
    server_log_errors: tuple[str, ...]  # error lines of the server log (whole run so far)
    target_met: bool


@dataclass(frozen=True)
class LoadRun:
    backend: str  # "sqlite" or "postgresql"
    store: StoreBuild
    server_command: str
    phases: tuple[Phase, ...]


@dataclass(frozen=True)
class ApiLoadResult:
    settings: Settings
    machine: dict[str, Any]
    runs: tuple[LoadRun, ...]
    started: str
    duration_s: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


# -- the server ------------------------------------------------------------------------


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path  # what the server wrote (stdout and stderr)
    command: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """The lines of its log that report an error (none expected)."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if re.search(r"error|traceback", line, re.I)]


@contextmanager
def served(db_url: str, workdir: Path) -> Iterator[RunningServer]:
    """``eventcoder serve`` on a free loopback port, stopped at the end. Its output goes to
    a file, not a pipe: a pipe nobody reads would stall the server once full."""
    command = [sys.executable, "-m", "eventcoder.cli", "serve", "--db", db_url, "--port", "0"]
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        base_url = ""
        while not base_url:
            text = log.read_text(encoding="utf-8", errors="replace")
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", text)
            if found:
                base_url = f"http://127.0.0.1:{found.group(1)}"
            elif process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(command)} did not start:\n{text[-3000:]}")
            else:
                time.sleep(0.1)
        _wait_healthy(base_url, deadline)
        yield RunningServer(process, base_url, log, command)
    finally:
        stop_process(process)


def _wait_healthy(base_url: str, deadline: float) -> None:
    while True:
        try:
            if httpx.get(base_url + "/api/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server at {base_url} never answered /api/health")
        time.sleep(0.2)


# -- the clients -----------------------------------------------------------------------


@dataclass
class _Tally:
    latencies: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    error_examples: list[str] = field(default_factory=list)


async def _drive(
    base_url: str,
    sample: StoreSample,
    settings: Settings,
    rate: float | None,
    on_measure: Callable[[], None],
) -> _Tally:
    """Run the clients; return what the measured window saw. With a ``rate``, each client
    sends at random (Poisson) moments so that together they offer ``rate`` requests/s (a
    client whose last answer is late sends at once); without, each sends its next request
    as soon as the last is answered (the server saturated)."""
    tally = _Tally()
    # uvicorn closes a connection idle for 5 s; forgetting them sooner here avoids sending
    # on one it is closing (httpx's default, 5 s, races it)
    limits = httpx.Limits(
        max_connections=settings.clients, max_keepalive_connections=None, keepalive_expiry=2.0
    )
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from = start + settings.warmup_s
    stop_at = measure_from + settings.duration_s

    async def client(index: int, http: httpx.AsyncClient) -> None:
        rng = Random(settings.seed * 1000 + index)
        mix = RequestMix(sample, rng)
        due = start
        while loop.time() < stop_at:
            if rate is not None:
                due += rng.expovariate(rate / settings.clients)
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
            planned = mix.next()
            began = loop.time()
            problem = ""
            try:
                response = await http.get(planned.path)
                if response.status_code != 200:
                    problem = f"{response.status_code} {planned.path}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                cause = exc.__cause__ or exc.__context__
                problem = f"{type(exc).__name__} ({cause!r}) {planned.path}: {exc}"
            ended = loop.time()
            if began < measure_from or ended > stop_at:
                continue
            key = (planned.kind, planned.variant)
            tally.latencies[key].append(ended - began)
            if problem:
                tally.errors[key] += 1
                if len(tally.error_examples) < 10:
                    tally.error_examples.append(problem)

    async def start_measuring() -> None:
        await asyncio.sleep(settings.warmup_s)
        on_measure()

    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=REQUEST_TIMEOUT_S
    ) as http:
        await asyncio.gather(start_measuring(), *(client(i, http) for i in range(settings.clients)))
    return tally


def _percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of sorted values, in milliseconds."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return round(ordered[rank - 1] * 1000, 1)


def _stats(name: str, latencies: list[float], errors: int, seconds: float) -> LatencyStats:
    ordered = sorted(latencies)
    return LatencyStats(
        name=name,
        requests=len(ordered),
        errors=errors,
        per_s=round(len(ordered) / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=_percentile(ordered, 0.50),
        p95_ms=_percentile(ordered, 0.95),
        p99_ms=_percentile(ordered, 0.99),
        max_ms=round(ordered[-1] * 1000, 1) if ordered else 0.0,
    )


def _cpu_s(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _phase(
    name: str,
    server: RunningServer,
    sample: StoreSample,
    settings: Settings,
    rate: float | None,
) -> Phase:
    """One measured window (after its warm-up) against the running server."""
    server_process = psutil.Process(server.process.pid)
    me = psutil.Process()
    marks: dict[str, float] = {}

    def on_measure() -> None:
        marks["server"] = _cpu_s(server_process)
        marks["client"] = _cpu_s(me)

    tally = asyncio.run(_drive(server.base_url, sample, settings, rate, on_measure))
    server_cpu = _cpu_s(server_process) - marks["server"]
    client_cpu = _cpu_s(me) - marks["client"]
    seconds = settings.duration_s
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors_by_kind: dict[str, int] = defaultdict(int)
    for (kind, _), values in tally.latencies.items():
        by_kind[kind].extend(values)
    for (kind, _), count in tally.errors.items():
        errors_by_kind[kind] += count
    kinds = tuple(_stats(kind, by_kind[kind], errors_by_kind[kind], seconds) for kind, _ in MIX)
    everything = [value for values in tally.latencies.values() for value in values]
    overall = _stats("all", everything, sum(tally.errors.values()), seconds)
    searches = sorted(
        (
            _stats(variant, values, tally.errors[(kind, variant)], seconds)
            for (kind, variant), values in tally.latencies.items()
            if kind == "search"
        ),
        key=lambda s: -s.p95_ms,
    )
    logged = tuple(server.problems())
    target_met = (
        overall.errors == 0
        and not logged
        and all(k.p95_ms < TARGET_P95_MS for k in kinds if k.name in TARGET_KINDS)
    )
    return Phase(
        name=name,
        offered_per_s=rate,
        measured_s=seconds,
        kinds=kinds,
        overall=overall,
        searches=tuple(searches),
        server_cpu_cores=round(server_cpu / seconds, 2),
        client_cpu_cores=round(client_cpu / seconds, 2),
        error_examples=tuple(tally.error_examples),
        server_log_errors=logged[:10],
        target_met=target_met,
    )


def measure(backend: str, store: StoreBuild, settings: Settings) -> LoadRun:
    """Serve ``store`` and drive it twice: saturated (no pause between a client's requests),
    then paced at ``settings.rate`` (default: half the saturated throughput)."""
    sample = sample_store(store.url)
    with served(store.url, Path(settings.workdir)) as server:
        print(f"  saturation: {settings.clients} clients, no pause ...", flush=True)
        saturated = _phase("saturation", server, sample, settings, None)
        rate = settings.rate or max(1.0, round(saturated.overall.per_s / 2))
        print(f"  paced: {settings.clients} clients offering {rate:.0f} requests/s ...", flush=True)
        paced = _phase("paced", server, sample, settings, rate)
        command = " ".join(server.command)
    return LoadRun(backend=backend, store=store, server_command=command, phases=(saturated, paced))


# -- the report ------------------------------------------------------------------------


def _row(s: LatencyStats) -> str:
    return (
        f"{s.name:26} {s.requests:>8,} {s.per_s:>7.1f} {s.p50_ms:>7.1f} {s.p95_ms:>7.1f} "
        f"{s.p99_ms:>7.1f} {s.max_ms:>8.1f} {s.errors:>6}"
    )


def format_report(result: ApiLoadResult) -> str:
    """The table ``make bench-api`` prints."""
    s, m = result.settings, result.machine
    lines = [
        f"machine: {m['cpus']} CPUs, {m['platform']}, Python {m['python']}, "
        f"SQLite {m['sqlite']}; load average before: {m['load_before']}",
        f"{s.clients} concurrent clients (one asyncio process, httpx); each phase "
        f"{s.duration_s:.0f} s measured after {s.warmup_s:.0f} s of warm-up",
    ]
    header = (
        f"{'requests':26} {'count':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>8} {'errors':>6}"
    )
    for run in result.runs:
        st = run.store
        made = "reused from the work dir" if st.reused else f"built in {st.build_s:.0f} s"
        lines += [
            "",
            f"{run.backend}: {st.events:,} events, {st.mentions:,} mentions, "
            f"{st.documents:,} documents (seed {st.seed}; {made})",
            f"  store: {st.method}",
            f"  server: {run.server_command}",
        ]
        for phase in run.phases:
            title = (
                "saturation (each client sends again as soon as it is answered)"
                if phase.offered_per_s is None
                else f"paced: the clients offer {phase.offered_per_s:.0f} requests/s together"
            )
            lines += [
                "",
                f"{run.backend}, {title}",
                header,
                *(_row(k) for k in phase.kinds),
                _row(phase.overall),
                f"server CPU {phase.server_cpu_cores:.2f} cores, client CPU "
                f"{phase.client_cpu_cores:.2f} cores",
                "search variants, slowest p95 first:",
                *("  " + _row(v) for v in phase.searches),
                f"target p95 < {TARGET_P95_MS:.0f} ms for {' and '.join(TARGET_KINDS)} "
                f"with no errors: {'met' if phase.target_met else 'NOT met'}",
            ]
            lines += [f"  error: {example}" for example in phase.error_examples]
            lines += [f"  server log: {line}" for line in phase.server_log_errors]
    lines.append(
        "\nlatency: from sending a request to its whole answer, as the client saw it; "
        "req/s: answers per second of the measured window;\nerrors: any status but 200 or "
        "a failed request (every request asks for something that exists)"
    )
    lines.append(f"bench took {result.duration_s / 60:.1f} min (started {result.started})")
    return "\n".join(lines)


def _machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }


# -- running it ------------------------------------------------------------------------


def run(settings: Settings) -> ApiLoadResult:
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    machine = _machine()
    workdir = Path(settings.workdir)
    print(f"making the store of {settings.events:,} events ...", flush=True)
    if settings.postgres:
        from benchmarks.postgres_server import PostgresServer

        with PostgresServer.start() as pg:
            machine["postgresql"] = pg.version
            url = pg.url(pg.create_database())
            store = build_store(url, events=settings.events, seed=settings.seed, workdir=workdir)
            print("serving it and sending requests ...", flush=True)
            runs = (measure("postgresql", store, settings),)
    else:
        store = sqlite_store(workdir, events=settings.events, seed=settings.seed)
        print("serving it and sending requests ...", flush=True)
        runs = (measure("sqlite", store, settings),)
    return ApiLoadResult(
        settings=settings,
        machine=machine,
        runs=runs,
        started=started_at,
        duration_s=round(time.perf_counter() - started, 1),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.api_load",
        description="Serve a large synthetic store with `eventcoder serve` and measure the "
        "REST API under concurrent load (make bench-api).",
    )
    parser.add_argument("--events", type=int, help=f"store size (default {DEFAULT_EVENTS:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    parser.add_argument("--duration", type=float, help=f"seconds (default {DEFAULT_DURATION_S})")
    parser.add_argument("--warmup", type=float, help=f"seconds (default {DEFAULT_WARMUP_S})")
    parser.add_argument(
        "--rate",
        type=float,
        help="requests/s the clients offer together in the paced phase "
        "(default: half the saturated throughput)",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="on a throwaway PostgreSQL server instead of SQLite (needs Debian's postgresql)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_EVENTS:,} events, {QUICK_DURATION_S:.0f} s",
    )
    parser.add_argument("--workdir", default=str(DEFAULT_WORKDIR), help="where stores are kept")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    quick = bool(args.quick)
    settings = Settings(
        events=args.events or (QUICK_EVENTS if quick else DEFAULT_EVENTS),
        seed=args.seed,
        clients=args.clients,
        duration_s=args.duration or (QUICK_DURATION_S if quick else DEFAULT_DURATION_S),
        warmup_s=args.warmup
        if args.warmup is not None
        else (QUICK_WARMUP_S if quick else DEFAULT_WARMUP_S),
        rate=args.rate,
        postgres=bool(args.postgres),
        quick=quick,
        workdir=args.workdir,
    )
    if settings.events < 1 or settings.clients < 1 or settings.duration_s <= 0:
        print("--events, --clients and --duration must be positive", file=sys.stderr)
        return 2
    result = run(settings)
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(result.to_json() + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    failed = any(
        phase.overall.errors or phase.server_log_errors for r in result.runs for phase in r.phases
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
