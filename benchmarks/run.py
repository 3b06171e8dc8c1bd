"""``make bench``: eventcoder's corpus path next to a plain spaCy pass, in one run.

What is measured (``python -m benchmarks --help`` lists the options):

* **eventcoder**: the real command, ``eventcoder code CORPUS.jsonl --db TMP.db --workers N
  --quiet --model M --batch-size B``, run as a subprocess.
* **baseline**: plain spaCy, ``spacy.load(<packaged model>)`` with every packaged component
  and ``nlp.pipe(texts, batch_size=B, n_process=N)`` over the texts of the same JSONL file,
  in its own subprocess (``python -m benchmarks --spacy-child ...``).

For every worker count N (default 1 and 2) both run on the same corpus (default 2,000
articles). Peak memory is the peak of the summed RSS of the measured process and all its
descendants, sampled from this process with psutil every ``--interval`` seconds (0.05).
Throughput leaves start-up out the same way on both sides: each command is also run on a
warm-up corpus (the first ``--warmup`` articles of the same corpus), and
``docs/s = (docs - warmup docs) / (wall time - warm-up wall time)``; the fixed cost this
leaves out (interpreter start, imports, model load, worker start, shutdown),
``warm-up wall time - warmup docs / docs/s``, is reported as start-up.
Memory scaling runs eventcoder on a small and a large corpus (default 1,000 and 10,000
articles, with ``--scale-workers`` workers) and compares the peaks.

The corpus is synthetic but news-like and deterministic (``--seed``): 250–700 words and
8–25 sentences an article, paragraphs, datelines, quotes, numbers and dates; political
event sentences mixed with economy, weather and background filler. Names come from the
actor knowledge base (``actors/data/*.tsv``), sentences from the packaged sample articles
and the team-written templates in ``benchmarks/data/templates.tsv``; new people, towns
and groups keep appearing as the corpus grows (Pitman–Yor draws, names invented by a
character model trained on the KB names), so the vocabulary grows like that of real news.
A corpus of N articles is the first N articles of any larger corpus with the same seed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from benchmarks.generator import DEFAULT_SEED, corpus_stats, generate_corpus, write_corpus
from benchmarks.measure import (
    DEFAULT_INTERVAL,
    OTHER_LOAD_LIMIT,
    ProcessRun,
    cli_supports_workers,
    eventcoder_command,
    run_measured,
    spacy_child,
    spacy_child_env,
    spacy_command,
    wait_until_idle,
)
from benchmarks.report import (
    BenchResult,
    Comparison,
    Measurement,
    Scaling,
    Settings,
    Speedup,
    format_report,
)
from eventcoder import __version__
from eventcoder.nlp import DEFAULT_MODEL, MODELS

DEFAULT_DOCS = 2000
DEFAULT_WORKERS = (1, 2)
DEFAULT_SCALE = (1000, 10000)
DEFAULT_SCALE_WORKERS = 2
DEFAULT_WARMUP = 64
QUICK_DOCS = 160
QUICK_SCALE = (100, 300)
SCALE_TARGET = 1.15  # large-corpus peak within 15 % of the small-corpus peak

_MB = 1024 * 1024


def _rate(amount: int, base: int, wall: float, startup: float) -> float:
    work = wall - startup
    return (amount - base) / work if work > 0 and amount > base else float("nan")


def _count_rows(db: Path) -> tuple[int, int] | None:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
            docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
            events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        return int(docs), int(events)
    except sqlite3.Error:
        return None


@dataclass(frozen=True)
class _Checked:
    run: ProcessRun
    events: int | None  # eventcoder: event rows stored
    model_load_s: float | None  # baseline: spacy.load time inside the child


class _Bench:
    """Runs the measurements of one ``make bench``, logging progress to stderr."""

    def __init__(self, settings: Settings, workdir: Path) -> None:
        self.settings = settings
        self.workdir = workdir
        self.startups: dict[tuple[str, int], _Checked] = {}
        self.warm: tuple[Path, int, int] = (workdir / "warmup.jsonl", 0, 0)
        self.runs = 0

    def log(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def command(self, side: str, corpus: Path, workers: int) -> list[str]:
        s = self.settings
        if side == "spacy":
            return spacy_command(corpus, workers, s.model, s.batch_size)
        self.runs += 1
        db = self.workdir / f"run{self.runs}.db"
        flag = workers if s.workers_flag else None
        return eventcoder_command(corpus, db, flag, s.model, s.batch_size)

    def execute(self, side: str, corpus: Path, docs: int, workers: int, what: str) -> _Checked:
        """Run one command; fail unless every document was parsed (spaCy) or stored."""
        command = self.command(side, corpus, workers)
        if self.settings.wait_idle_s > 0:
            load = wait_until_idle(self.settings.wait_idle_s, OTHER_LOAD_LIMIT / 2)
            if load >= OTHER_LOAD_LIMIT / 2:
                self.log(f"machine still busy ({load:.2f} cores used by other programs)")
        self.log(f"{what}: {' '.join(command[1:])}")
        env = spacy_child_env() if side == "spacy" else None
        run = run_measured(command, self.settings.interval_s, env)
        if run.other_load > OTHER_LOAD_LIMIT:
            self.log(f"{what}: other programs used {run.other_load:.2f} cores meanwhile")
        self.log(
            f"{what}: {run.wall_s:.1f} s, peak {run.peak_rss_bytes / _MB:.0f} MB, "
            f"exit {run.returncode}"
        )

        def fail(problem: str) -> RuntimeError:
            return RuntimeError(f"{what}: {problem} (exit {run.returncode}):\n{run.stderr[-3000:]}")

        if side == "spacy":
            if run.returncode != 0:
                raise fail("the baseline failed")
            inner = json.loads(run.stdout.strip().splitlines()[-1])
            if inner["docs"] != docs:
                raise fail(f"the baseline parsed {inner['docs']} of {docs} documents")
            return _Checked(run, None, float(inner["load_s"]))
        db = Path(command[command.index("--db") + 1])
        counted = _count_rows(db) if db.exists() else None
        for leftover in self.workdir.glob("run*.db*"):  # the databases grow big: 60 kB an article
            leftover.unlink()
        # exit 1 means "some records were skipped", but an uncaught exception exits 1 too
        if run.returncode not in (0, 1) or counted is None:
            raise fail("eventcoder code failed")
        if counted[0] != docs:
            raise fail(f"eventcoder stored {counted[0]} of {docs} documents")
        return _Checked(run, counted[1], None)

    def startup(self, side: str, workers: int) -> _Checked:
        """The warm-up run of a command (tried again, up to 3 times, while the machine is busy)."""
        key = (side, workers)
        if key not in self.startups:
            path, docs, _ = self.warm
            runs: list[_Checked] = []
            while len(runs) < 3 and (not runs or runs[-1].run.other_load > OTHER_LOAD_LIMIT):
                runs.append(self.execute(side, path, docs, workers, f"warm-up {side} x{workers}"))
            self.startups[key] = min(runs, key=lambda c: c.run.other_load)
        return self.startups[key]

    def measure(
        self, side: str, corpus: Path, docs: int, words: int, workers: int, note: str = ""
    ) -> Measurement:
        start = self.startup(side, workers).run
        checked = self.execute(side, corpus, docs, workers, f"{side} x{workers} {docs} docs")
        run = checked.run
        _, warm_docs, warm_words = self.warm
        docs_per_s = _rate(docs, warm_docs, run.wall_s, start.wall_s)
        return Measurement(
            side=side,
            workers=workers,
            docs=docs,
            words=words,
            wall_s=run.wall_s,
            docs_per_s=docs_per_s,
            words_per_s=_rate(words, warm_words, run.wall_s, start.wall_s),
            startup_s=start.wall_s - warm_docs / docs_per_s,
            peak_rss_mb=run.peak_rss_bytes / _MB,
            cpu_s=run.cpu_s,
            other_load=run.other_load,
            sampler_cpu_s=run.sampler_cpu_s,
            warmup_docs=warm_docs,
            warmup_wall_s=start.wall_s,
            warmup_peak_rss_mb=start.peak_rss_bytes / _MB,
            warmup_other_load=start.other_load,
            model_load_s=checked.model_load_s,
            events=checked.events,
            command=" ".join(["python", *run.command[1:]]),
            note=note,
        )


def _machine(model: str) -> dict[str, Any]:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "?"

    cpu_model = "?"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu_model = line.partition(":")[2].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "spacy": version("spacy"),
        "model_package": f"{MODELS[model]} {version(MODELS[model].replace('_', '-'))}",
        "eventcoder": __version__,
    }


def run_bench(settings: Settings, workdir: Path) -> BenchResult:
    """All measurements of one bench run (the corpus is written below ``workdir``)."""
    started_at = datetime.now().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    bench = _Bench(settings, workdir)
    sizes = [settings.docs, settings.warmup, *settings.scale_sizes]
    bench.log(f"generating {max(sizes)} articles (seed {settings.seed})")
    articles = generate_corpus(max(sizes), settings.seed)
    files: dict[int, tuple[Path, int]] = {}
    for size in sorted(set(sizes)):
        path = workdir / f"corpus-{size}.jsonl"
        write_corpus(articles[:size], path)
        files[size] = (path, sum(a.words for a in articles[:size]))
    bench.warm = (files[settings.warmup][0], settings.warmup, files[settings.warmup][1])
    stats = corpus_stats(articles[: settings.docs])
    bench.log(
        f"corpus: {stats.articles} articles, {stats.words:,} words, "
        f"{stats.distinct_words:,} distinct word forms"
    )
    corpus, words = files[settings.docs]
    measurements: list[Measurement] = []
    for n in settings.workers:
        measurements.append(bench.measure("spacy", corpus, settings.docs, words, n))
        if n > 1 and not settings.workers_flag:
            bench.log(f"eventcoder code has no --workers option: x{n} not measured")
            continue
        measurements.append(bench.measure("eventcoder", corpus, settings.docs, words, n))
    by_key = {(m.side, m.workers): m for m in measurements}
    comparisons = tuple(
        Comparison(
            workers=n,
            throughput_ratio=by_key["eventcoder", n].docs_per_s / by_key["spacy", n].docs_per_s,
            memory_ratio=by_key["eventcoder", n].peak_rss_mb / by_key["spacy", n].peak_rss_mb,
        )
        for n in settings.workers
        if ("eventcoder", n) in by_key
    )
    speedups: list[Speedup] = []
    base = min(settings.workers)
    for side in ("spacy", "eventcoder"):
        for n in settings.workers:
            if n != base and (side, n) in by_key and (side, base) in by_key:
                ratio = by_key[side, n].docs_per_s / by_key[side, base].docs_per_s
                speedups.append(Speedup(side, base, n, ratio))
    scaling: Scaling | None = None
    if len(settings.scale_sizes) == 2:
        n = settings.scale_workers if settings.workers_flag else 1
        note = "" if settings.workers_flag else "no --workers option: in-process"
        small_size, large_size = settings.scale_sizes
        small = bench.measure(
            "eventcoder", files[small_size][0], small_size, files[small_size][1], n, note
        )
        large = bench.measure(
            "eventcoder", files[large_size][0], large_size, files[large_size][1], n, note
        )
        ratio = large.peak_rss_mb / small.peak_rss_mb
        scaling = Scaling(n, small, large, ratio, SCALE_TARGET, ratio <= SCALE_TARGET)
    return BenchResult(
        settings=settings,
        machine=_machine(settings.model),
        corpus=stats,
        measurements=tuple(measurements),
        comparisons=comparisons,
        speedups=tuple(speedups),
        scaling=scaling,
        started=started_at,
        duration_s=time.perf_counter() - t0,
    )


def _sizes(value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a list of positive numbers: use 1,2")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--docs", type=int, help=f"articles in the main corpus ({DEFAULT_DOCS})")
    parser.add_argument(
        "--workers",
        type=_sizes,
        help="worker counts compared, e.g. 1,2 (default 1,2)",
    )
    parser.add_argument(
        "--scale",
        type=_sizes,
        help="small,large corpus sizes for memory scaling (default 1000,10000; 0 to skip)",
    )
    parser.add_argument("--no-scale", action="store_true", help="skip the memory scaling runs")
    parser.add_argument(
        "--scale-workers",
        type=int,
        default=DEFAULT_SCALE_WORKERS,
        help=f"workers for the memory scaling runs (default {DEFAULT_SCALE_WORKERS})",
    )
    parser.add_argument("--model", choices=("sm", "md"), default=DEFAULT_MODEL)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--warmup", type=int, help=f"articles in the start-up run (default {DEFAULT_WARMUP})"
    )
    parser.add_argument(
        "--interval", type=float, default=DEFAULT_INTERVAL, help="RSS sampling interval, s"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_DOCS} articles, scaling {QUICK_SCALE[0]} vs {QUICK_SCALE[1]}",
    )
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument(
        "--write-corpus",
        metavar="OUT",
        help="only write the corpus (--docs articles) as JSONL to OUT and exit",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="S",
        help="before each run, wait up to S seconds for other programs to leave the CPUs idle",
    )
    parser.add_argument("--workdir", metavar="DIR", help="keep corpora and databases in DIR")
    parser.add_argument("--spacy-child", metavar="CORPUS", help=argparse.SUPPRESS)
    parser.add_argument("--n-process", type=int, default=1, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.spacy_child:
        inner = spacy_child(Path(args.spacy_child), args.model, args.batch_size, args.n_process)
        print(json.dumps(inner))
        return 0
    # a plain kill stops the measured commands too (run_measured cleans up on SystemExit)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    docs = args.docs or (QUICK_DOCS if args.quick else DEFAULT_DOCS)
    if args.write_corpus:
        count = write_corpus(generate_corpus(docs, args.seed), Path(args.write_corpus))
        print(f"wrote {count} articles to {args.write_corpus}", file=sys.stderr)
        return 0
    scale: tuple[int, ...] = args.scale or (QUICK_SCALE if args.quick else DEFAULT_SCALE)
    if args.no_scale or scale == (0,):
        scale = ()
    elif len(scale) != 2:
        build_parser().error("--scale takes two sizes: SMALL,LARGE")
    workers = tuple(args.workers or DEFAULT_WORKERS)
    # eventcoder codes a corpus of one batch in-process: the warm-up must keep every worker busy
    warmup = args.warmup or max(
        DEFAULT_WARMUP, max((*workers, args.scale_workers)) * args.batch_size
    )
    if warmup >= min((docs, *scale)):
        build_parser().error("--warmup must be smaller than every corpus size")
    settings = Settings(
        docs=docs,
        workers=workers,
        scale_sizes=scale,
        scale_workers=args.scale_workers,
        model=args.model,
        batch_size=args.batch_size,
        seed=args.seed,
        warmup=warmup,
        interval_s=args.interval,
        quick=args.quick,
        workers_flag=cli_supports_workers(),
        wait_idle_s=args.wait_idle,
    )
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        result = run_bench(settings, workdir)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="eventcoder-bench-"))
        try:
            result = run_bench(settings, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(result.to_json() + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
