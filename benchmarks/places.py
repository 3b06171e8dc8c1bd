"""What placing events costs, measured in one run: ``python -m benchmarks.places``.

``[--docs N] [--model sm|md] [--rounds R] [--json OUT]``

The same generated articles (``benchmarks.generator``, fixed seed) are coded by one loaded
coder ``--rounds`` times after a warm-up. The place stage (``Locator.place``, the
dateline's search ``dateline_of``, and ``Locator.text_places``, read for actors without a
country) is timed inside each run in CPU time, so the share
it takes of the coding is measured on the same work and does not depend on what else the
machine is doing; the best run's share is reported, with the coding's wall time. The
gazetteer's index is built once beforehand, into a fresh folder, and timed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.gating import generated
from eventcoder import pipeline
from eventcoder.model import Document
from eventcoder.pipeline import Coder, CoderConfig
from eventcoder.places.gazetteer import build_index


@dataclass(frozen=True)
class Round:
    wall_s: float
    cpu_s: float  # coding, the place stage included
    stage_cpu_s: float

    @property
    def share(self) -> float:
        """The stage's CPU time over the coding's without it."""
        return self.stage_cpu_s / (self.cpu_s - self.stage_cpu_s)


@dataclass(frozen=True)
class Result:
    docs: int
    events: int
    placed: int  # events with a place finer than "none"
    rounds: list[Round]
    build_s: float

    @property
    def best(self) -> Round:
        return min(self.rounds, key=lambda r: r.share)


class _StageClock:
    """Adds the CPU time of each call of the wrapped functions."""

    def __init__(self) -> None:
        self.cpu_s = 0.0

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu_s += time.process_time() - started

        return timed


def measure(docs: int, model: str, rounds: int) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        build_index(Path(folder) / "gazetteer.sqlite")
        build_s = time.perf_counter() - started
    coder = Coder(CoderConfig(model=model))
    documents: list[Document] = generated(docs, 1).documents
    clock = _StageClock()
    locator = coder.locator
    locator.place = clock.wrap(locator.place)  # type: ignore[method-assign]
    locator.text_places = clock.wrap(locator.text_places)  # type: ignore[method-assign]
    dateline_of = getattr(pipeline, "dateline_of")  # noqa: B009
    setattr(pipeline, "dateline_of", clock.wrap(dateline_of))  # noqa: B010
    done: list[Round] = []
    events = []
    try:
        list(coder.code_documents(documents[:20]))  # warm-up: models, caches, the index
        for _ in range(rounds):
            clock.cpu_s = 0.0
            wall, cpu = time.perf_counter(), time.process_time()
            events = [e for _, found in coder.code_documents(documents) for e in found]
            done.append(Round(time.perf_counter() - wall, time.process_time() - cpu, clock.cpu_s))
    finally:
        setattr(pipeline, "dateline_of", dateline_of)  # noqa: B010
    placed = sum(1 for e in events if e.location is not None and e.location.precision != "none")
    return Result(len(documents), len(events), placed, done, build_s)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.places", description=__doc__)
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--model", choices=("sm", "md"), default="sm")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    result = measure(args.docs, args.model, args.rounds)
    best = result.best
    shares = ", ".join(f"{r.share:.1%}" for r in result.rounds)
    print(
        f"{result.docs} generated articles, model {args.model}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average before {load[0]:.2f}\n"
        f"coding: {best.wall_s:.2f} s wall, {best.cpu_s:.2f} s CPU (best round)\n"
        f"place stage: {best.stage_cpu_s:.2f} s CPU = {best.share:.1%} of the coding's "
        f"CPU without it (rounds: {shares})\n"
        f"{result.placed} of {result.events} events placed finer than 'none'; "
        f"gazetteer index built once in {result.build_s:.1f} s"
    )
    if args.json:
        record = {**asdict(result), "share": best.share}
        Path(args.json).write_text(json.dumps(record, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
