"""The bench's results (one frozen record per run, comparison and scaling study) and the
table ``make bench`` prints."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks.generator import CorpusStats
from benchmarks.measure import OTHER_LOAD_LIMIT


@dataclass(frozen=True)
class Measurement:
    """One side at one worker count on one corpus, start-up taken out (see ``benchmarks.run``).

    ``docs_per_s = (docs - warmup_docs) / (wall_s - warmup_wall_s)``; ``startup_s`` is the
    fixed cost this implies, ``warmup_wall_s - warmup_docs / docs_per_s``.
    """

    side: str  # "spacy" or "eventcoder"
    workers: int
    docs: int
    words: int
    wall_s: float
    docs_per_s: float
    words_per_s: float
    startup_s: float
    peak_rss_mb: float
    cpu_s: float  # CPU time of the whole process tree
    other_load: float  # cores busy with other programs during the run (should be ~0)
    sampler_cpu_s: float  # CPU time the RSS sampler took meanwhile
    warmup_docs: int
    warmup_wall_s: float
    warmup_peak_rss_mb: float
    warmup_other_load: float
    model_load_s: float | None  # baseline only: spacy.load as timed inside the child
    events: int | None  # eventcoder only: event rows stored
    command: str
    note: str = ""


@dataclass(frozen=True)
class Comparison:
    workers: int
    throughput_ratio: float  # eventcoder docs/s ÷ spaCy docs/s (= words/s ratio)
    memory_ratio: float  # eventcoder peak ÷ spaCy peak


@dataclass(frozen=True)
class Speedup:
    side: str
    base_workers: int
    workers: int
    speedup: float


@dataclass(frozen=True)
class Scaling:
    workers: int
    small: Measurement
    large: Measurement
    ratio: float  # large peak ÷ small peak
    target: float
    met: bool


@dataclass(frozen=True)
class Settings:
    docs: int
    workers: tuple[int, ...]
    scale_sizes: tuple[int, ...]
    scale_workers: int
    model: str
    batch_size: int
    seed: int
    warmup: int
    interval_s: float
    quick: bool
    workers_flag: bool
    wait_idle_s: float = 0.0


@dataclass(frozen=True)
class BenchResult:
    settings: Settings
    machine: dict[str, Any]
    corpus: CorpusStats
    measurements: tuple[Measurement, ...]
    comparisons: tuple[Comparison, ...]
    speedups: tuple[Speedup, ...]
    scaling: Scaling | None
    started: str
    duration_s: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


def format_report(result: BenchResult) -> str:
    """The human-readable table printed by ``make bench``."""
    s, c = result.settings, result.corpus
    names = {"spacy": "spaCy nlp.pipe (baseline)", "eventcoder": "eventcoder code"}
    lines = [
        f"corpus: {c.articles:,} articles (seed {s.seed}), {c.words:,} words, "
        f"{c.min_words}–{c.max_words} words (mean {c.mean_words:.0f}), "
        f"{c.min_sentences}–{c.max_sentences} sentences, {c.distinct_words:,} distinct word forms",
        f"model {s.model} ({result.machine['model_package']}), batch size {s.batch_size}, "
        f"{result.machine['cpus']} CPUs, warm-up runs on the first {s.warmup} articles",
        "",
        f"{'run':28} {'workers':>7} {'docs/s':>7} {'words/s':>8} {'start-up':>8} "
        f"{'wall':>7} {'peak RSS':>9} {'CPU':>7} {'other':>6}",
    ]
    flagged = False

    def row(name: str, m: Measurement) -> str:
        nonlocal flagged
        busy = max(m.other_load, m.warmup_other_load) > OTHER_LOAD_LIMIT
        flagged = flagged or busy
        return (
            f"{name:28} {m.workers:>7} {m.docs_per_s:>7.1f} {m.words_per_s:>8,.0f} "
            f"{m.startup_s:>7.1f}s {m.wall_s:>6.1f}s {m.peak_rss_mb:>6,.0f} MB "
            f"{m.cpu_s:>6.0f}s {m.other_load:>6.2f}"
            + (" *" if busy else "")
            + (f"  ({m.note})" if m.note else "")
        )

    for m in result.measurements:
        lines.append(row(names[m.side], m))
    lines.append("")
    for cmp in result.comparisons:
        lines.append(
            f"eventcoder / spaCy, {cmp.workers} worker(s): throughput {cmp.throughput_ratio:.2f}, "
            f"peak memory {cmp.memory_ratio:.2f}"
        )
    for sp in result.speedups:
        lines.append(
            f"{names[sp.side]}: {sp.workers} / {sp.base_workers} worker speed-up {sp.speedup:.2f}"
        )
    events = [m for m in result.measurements if m.events is not None]
    if events:
        lines.append(f"events coded: {events[0].events:,} in {events[0].docs:,} articles")
    if not s.workers_flag:
        lines.append("NOTE: eventcoder code has no --workers option yet; ran in-process only")
    sc = result.scaling
    if sc is not None:
        lines += [
            "",
            f"memory scaling, eventcoder code with {sc.workers} worker(s):",
            row(f"  {sc.small.docs:,} articles", sc.small),
            row(f"  {sc.large.docs:,} articles", sc.large),
            f"  peak ratio {sc.large.docs:,} / {sc.small.docs:,}: {sc.ratio:.3f} "
            f"(target ≤ {sc.target:.2f}: {'met' if sc.met else 'NOT met'})",
        ]
    lines.append(
        "\ndocs/s, words/s: start-up left out (runs minus warm-up runs); start-up: the fixed "
        "cost (interpreter, imports, model, workers);\nCPU: CPU time of the measured process "
        "tree; other: cores used by other programs during the run"
    )
    if flagged:
        lines.append(
            f"* other programs used more than {OTHER_LOAD_LIMIT} cores during this run or its "
            "warm-up: its figures are not reliable (run again on an idle machine, or with "
            "--wait-idle)"
        )
    lines.append(f"bench took {result.duration_s / 60:.1f} min (started {result.started})")
    return "\n".join(lines)
