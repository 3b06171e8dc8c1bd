"""What placing events costs, measured in one run: ``python -m benchmarks.places``.

``[--docs N] [--model sm|md] [--rounds R] [--json OUT]``

The same generated articles (``benchmarks.generator``, fixed seed) are coded by one loaded
coder, alternately with the place stage (``eventcoder.places``) and without it (its
``Locator.place`` replaced by one that returns the events as they are), ``--rounds``
times each, in one process after a warm-up; the stage's cost is the difference of the
best times, as a share of the coding time without it. The gazetteer's index is built
beforehand (its one-off build is timed apart, into a fresh cache folder).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.gating import generated
from eventcoder.model import Document, Event
from eventcoder.pipeline import Coder, CoderConfig
from eventcoder.places.gazetteer import build_index
from eventcoder.places.locate import Dateline, Locator

if TYPE_CHECKING:
    from spacy.tokens import Doc


class _NoPlaces(Locator):
    def place(
        self, doc: Doc, events: Sequence[Event], dateline: Dateline | None = None
    ) -> list[Event]:
        return list(events)


@dataclass(frozen=True)
class Result:
    docs: int
    events: int
    placed: int  # events with a place finer than "none"
    with_s: list[float]
    without_s: list[float]
    build_s: float

    @property
    def cost(self) -> float:
        return min(self.with_s) / min(self.without_s) - 1.0


def _code(coder: Coder, documents: Sequence[Document]) -> tuple[float, list[Event]]:
    started = time.perf_counter()
    events = [e for _, found in coder.code_documents(documents) for e in found]
    return time.perf_counter() - started, events


def measure(docs: int, model: str, rounds: int) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        build_index(Path(folder) / "gazetteer.sqlite")
        build_s = time.perf_counter() - started
    coder = Coder(CoderConfig(model=model))
    placing = coder.locator
    skipping = _NoPlaces(placing.gazetteer)
    documents = generated(docs, 1).documents
    _code(coder, documents[:20])  # warm-up: models, caches, the gazetteer's pages
    with_s: list[float] = []
    without_s: list[float] = []
    events: list[Event] = []
    for _ in range(rounds):
        coder._locator = skipping
        without_s.append(_code(coder, documents)[0])
        coder._locator = placing
        seconds, events = _code(coder, documents)
        with_s.append(seconds)
    placed = sum(1 for e in events if e.location is not None and e.location.precision != "none")
    return Result(len(documents), len(events), placed, with_s, without_s, build_s)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.places", description=__doc__)
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--model", choices=("sm", "md"), default="sm")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    result = measure(args.docs, args.model, args.rounds)
    print(
        f"{result.docs} generated articles, model {args.model}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average before {load[0]:.2f}\n"
        f"coding without places: best {min(result.without_s):.2f} s of {result.without_s}\n"
        f"coding with places:    best {min(result.with_s):.2f} s of {result.with_s}\n"
        f"place stage: {result.cost:+.1%} of the coding time; {result.placed} of "
        f"{result.events} events placed finer than 'none'\n"
        f"gazetteer index built once in {result.build_s:.1f} s",
        file=sys.stdout,
    )
    if args.json:
        Path(args.json).write_text(json.dumps({**asdict(result), "cost": result.cost}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
