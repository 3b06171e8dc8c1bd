"""The team-written training corpus: reading, validating, splitting, describing.

``corpus/README.md`` defines the record. ``python -m training.corpus check [FILE...]``
validates (every problem named by file and line); ``stats`` prints the figures that
show the corpus is varied enough to learn events from rather than names or templates;
``require`` also fails when the corpus is below the sizes the learned model needs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from eventcoder.ontology import load_ontology
from eventcoder.tsv import tsv_rows

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus" / "sentences"

STYLES = ("verb", "paraphrase", "nominal", "passive", "headline", "quote", "dateline")
NO_EVENT_KINDS = (
    "disaster",
    "accident",
    "crime",
    "sports",
    "markets",
    "weather",
    "health",
    "science",
    "culture",
    "background",
    "opinion",
    "future",
    "negated",
    "hypothetical",
    "statement",
    "caption",
    "stock",
)
INTERNATIONAL = frozenset({"IGO", "NGO"})
UNKNOWN_COUNTRY = "---"
EARLIEST, LATEST = date(1990, 1, 1), date(2026, 12, 31)
TEST_SHARE = 5  # one family in five is in the test split

# what the learned model needs (issue 12); ``require`` checks them
MIN_SENTENCES = 4000
MIN_PER_TYPE = 120
MIN_NO_EVENT = 1200
MIN_COUNTRIES = 60

_ID = re.compile(r"^[a-z0-9]+-[0-9]{4,}$")
_FAMILY = re.compile(r"^[a-z0-9]+-[A-Za-z0-9_-]+$")


class CorpusError(Exception):
    """The corpus has invalid records; ``problems`` lists each as ``file:line: message``."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        shown = "\n".join(self.problems[:50])
        more = f"\n… and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the corpus:\n{shown}{more}")


@dataclass(frozen=True)
class CorpusEvent:
    code: str
    source: str | None
    target: str | None
    cameo: str
    mode: str | None = None
    reciprocal: bool = False
    intent: bool = False


@dataclass(frozen=True)
class CorpusSentence:
    id: str
    family: str
    date: date
    text: str
    style: str
    events: tuple[CorpusEvent, ...]
    kind: str | None
    origin: str  # "file:line"

    @property
    def types(self) -> frozenset[str]:
        return frozenset(e.code for e in self.events)

    @property
    def split(self) -> str:
        return split_of(self.family)


def split_of(family: str) -> str:
    """``test`` for one family in five, chosen by a hash so it never moves."""
    digest = int(hashlib.sha1(family.encode("utf-8")).hexdigest(), 16)
    return "test" if digest % TEST_SHARE == 0 else "train"


@dataclass(frozen=True)
class _Tables:
    types: frozenset[str]
    modes: dict[str, frozenset[str]]
    cameo_type: dict[str, str]
    countries: frozenset[str]
    sectors: frozenset[str]


def _tables() -> _Tables:
    ontology = load_ontology()
    types = frozenset(ontology.plover_types)
    modes = {name: frozenset(t.modes) for name, t in ontology.plover_types.items()}
    cameo_type = {code: c.plover.event for code, c in ontology.cameo_codes.items() if c.plover}
    path = resources.files("eventcoder.actors") / "data" / "countries.tsv"
    text = path.read_text(encoding="utf-8")
    countries = frozenset(
        row["code"].strip() for _, row in tsv_rows(text, "countries.tsv", ("code", "name"))
    )
    agents = (resources.files("eventcoder.actors") / "data" / "agents.tsv").read_text("utf-8")
    sectors = frozenset(
        row["sector"].strip() for _, row in tsv_rows(agents, "agents.tsv", ("phrase", "sector"))
    )
    return _Tables(types, modes, cameo_type, countries, sectors | INTERNATIONAL)


def corpus_files(paths: Sequence[Path] = ()) -> list[Path]:
    """The given files and the ``*.jsonl`` files of the given folders (default: the corpus)."""
    found: list[Path] = []
    for path in paths or (CORPUS_DIR,):
        found.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return found


def read_corpus(paths: Sequence[Path] = ()) -> list[CorpusSentence]:
    """Every sentence of the corpus; raises :class:`CorpusError` naming each bad line."""
    tables = _tables()
    sentences: list[CorpusSentence] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    texts: dict[str, str] = {}
    for path in corpus_files(paths):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("//"):
                continue
            where = f"{path.name}:{lineno}"
            try:
                sentence = _parse(json.loads(line), where, tables)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not JSON ({exc.msg} at column {exc.colno})")
                continue
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
                continue
            if sentence.id in seen:
                problems.append(f"{where}: id {sentence.id!r} also at {seen[sentence.id]}")
            seen[sentence.id] = where
            key = " ".join(sentence.text.lower().split())
            if key in texts:
                problems.append(f"{where}: same text as {texts[key]}")
            texts[key] = where
            sentences.append(sentence)
    if problems:
        raise CorpusError(problems)
    return sentences


def _parse(obj: Any, where: str, tables: _Tables) -> CorpusSentence:
    if not isinstance(obj, dict):
        raise ValueError("a record must be a JSON object")
    for key in ("id", "family", "date", "text", "style", "gold_events"):
        if key not in obj:
            raise ValueError(f"missing field {key!r}")
    ident, family, text, style = (str(obj[k]) for k in ("id", "family", "text", "style"))
    if not _ID.match(ident):
        raise ValueError(f"id {ident!r} is not PREFIX-NNNN")
    if not _FAMILY.match(family):
        raise ValueError(f"family {family!r} is not PREFIX-NAME")
    try:
        day = date.fromisoformat(str(obj["date"]))
    except ValueError:
        raise ValueError(f"date {obj['date']!r} is not YYYY-MM-DD") from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"date {day} is outside {EARLIEST.year}-{LATEST.year}")
    if len(text.split()) < 4 or text != text.strip():
        raise ValueError("text must be a trimmed sentence of at least four words")
    raw_events = obj["gold_events"]
    if not isinstance(raw_events, list):
        raise ValueError("gold_events must be a list")
    events = tuple(_parse_event(e, i, tables) for i, e in enumerate(raw_events))
    kind = obj.get("kind")
    if events:
        if style not in STYLES:
            raise ValueError(f"style {style!r} is not one of {', '.join(STYLES)}")
        if kind is not None:
            raise ValueError("kind is for no-event sentences only")
    else:
        if style != "none":
            raise ValueError("a sentence with no event has style 'none'")
        if kind not in NO_EVENT_KINDS:
            raise ValueError(f"kind {kind!r} is not one of {', '.join(NO_EVENT_KINDS)}")
    return CorpusSentence(ident, family, day, text, style, events, kind, where)


def _parse_event(obj: Any, index: int, tables: _Tables) -> CorpusEvent:
    at = f"gold_events[{index}]"
    if not isinstance(obj, dict):
        raise ValueError(f"{at} must be an object")
    code = str(obj.get("code", ""))
    if code not in tables.types:
        raise ValueError(f"{at}: code {code!r} is not a PLOVER 0.8 type")
    if obj.get("negated") or obj.get("hypothetical"):
        raise ValueError(f"{at}: negated or hypothetical events are not coded (use kind)")
    cameo = str(obj.get("cameo", ""))
    if tables.cameo_type.get(cameo) != code:
        wanted = tables.cameo_type.get(cameo)
        why = f"maps to {wanted}" if wanted else "is not a CAMEO code of cameo.tsv"
        raise ValueError(f"{at}: cameo {cameo!r} {why}, not {code}")
    mode = obj.get("mode")
    if mode is not None and mode not in tables.modes[code]:
        raise ValueError(f"{at}: mode {mode!r} is not a mode of {code}")
    reciprocal = bool(obj.get("reciprocal", False))
    source = _actor(obj.get("source"), f"{at}.source", tables)
    target = _actor(obj.get("target"), f"{at}.target", tables)
    if reciprocal and target is not None:
        raise ValueError(f"{at}: a reciprocal event has no target")
    return CorpusEvent(code, source, target, cameo, mode, reciprocal, bool(obj.get("intent")))


def _actor(value: Any, at: str, tables: _Tables) -> str | None:
    if value is None:
        return None
    code = str(value)
    country, sector = code[:3], code[3:]
    if country != UNKNOWN_COUNTRY and country not in INTERNATIONAL | tables.countries:
        raise ValueError(f"{at}: {code!r} does not start with a country code, IGO, NGO or ---")
    if sector and sector not in tables.sectors:
        raise ValueError(f"{at}: sector {sector!r} of {code!r} is not one of agents.tsv's")
    return code


# ---- figures -------------------------------------------------------------------------

_NAME = re.compile(r"\b[A-Z][a-z]{2,}(?: [A-Z][a-z]+)*")
_NOT_NAMES = frozenset(
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "The",
    ]
)


@dataclass(frozen=True)
class CorpusStats:
    sentences: int
    train: int
    test: int
    positives_by_type: dict[str, int]
    reworded_by_type: dict[str, int]  # positives whose style is not "verb"
    no_event: int
    no_event_by_kind: dict[str, int]
    countries: int
    decades: dict[str, int]
    families: int
    largest_family: int
    top_names: list[tuple[str, int]]
    top_openings: list[tuple[str, int]]

    def shortfalls(self) -> list[str]:
        """What the corpus lacks against the model's needs; empty when it has enough."""
        short = []
        if self.sentences < MIN_SENTENCES:
            short.append(f"{self.sentences} sentences, need {MIN_SENTENCES}")
        for name, count in self.positives_by_type.items():
            if count < MIN_PER_TYPE:
                short.append(f"{name}: {count} positives, need {MIN_PER_TYPE}")
            if self.reworded_by_type[name] * 2 < count:
                short.append(
                    f"{name}: {self.reworded_by_type[name]} of {count} reworded, need half"
                )
        if self.no_event < MIN_NO_EVENT:
            short.append(f"{self.no_event} no-event sentences, need {MIN_NO_EVENT}")
        if self.countries < MIN_COUNTRIES:
            short.append(f"{self.countries} countries, need {MIN_COUNTRIES}")
        return short


def corpus_stats(sentences: Sequence[CorpusSentence]) -> CorpusStats:
    types = sorted(load_ontology().plover_types)
    positives: Counter[str] = Counter()
    reworded: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    countries: set[str] = set()
    decades: Counter[str] = Counter()
    families: Counter[str] = Counter()
    names: Counter[str] = Counter()
    openings: Counter[str] = Counter()
    for s in sentences:
        for code in s.types:
            positives[code] += 1
            reworded[code] += s.style != "verb"
        if not s.events:
            kinds[str(s.kind)] += 1
        for e in s.events:
            for actor in (e.source, e.target):
                if actor and actor[:3] not in INTERNATIONAL | {UNKNOWN_COUNTRY}:
                    countries.add(actor[:3])
        decades[f"{s.date.year // 10 * 10}s"] += 1
        families[s.family] += 1
        _first, _, rest = s.text.partition(" ")
        names.update(set(_NAME.findall(rest)) - _NOT_NAMES)
        openings[" ".join(s.text.lower().split()[:4])] += 1
    return CorpusStats(
        sentences=len(sentences),
        train=sum(s.split == "train" for s in sentences),
        test=sum(s.split == "test" for s in sentences),
        positives_by_type={t: positives[t] for t in types},
        reworded_by_type={t: reworded[t] for t in types},
        no_event=sum(kinds.values()),
        no_event_by_kind=dict(sorted(kinds.items())),
        countries=len(countries),
        decades=dict(sorted(decades.items())),
        families=len(families),
        largest_family=max(families.values(), default=0),
        top_names=names.most_common(10),
        top_openings=openings.most_common(5),
    )


def format_stats(stats: CorpusStats) -> list[str]:
    lines = [
        f"{stats.sentences} sentences ({stats.train} train, {stats.test} test) in "
        f"{stats.families} families (largest {stats.largest_family})",
        f"{stats.no_event} with no event: "
        + ", ".join(f"{k} {v}" for k, v in stats.no_event_by_kind.items()),
        f"{stats.countries} countries; by decade: "
        + ", ".join(f"{k} {v}" for k, v in stats.decades.items()),
        "positives by type (reworded = not the obvious verb):",
    ]
    for name, count in stats.positives_by_type.items():
        share = stats.reworded_by_type[name] / count if count else 0.0
        lines.append(f"  {name:<10} {count:>5}  reworded {share:.0%}")
    total = max(stats.sentences, 1)
    lines.append(
        "most repeated names (share of sentences): "
        + ", ".join(f"{n} {c / total:.1%}" for n, c in stats.top_names)
    )
    lines.append(
        "most repeated openings: " + "; ".join(f"{o!r} {c}" for o, c in stats.top_openings)
    )
    return lines


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.corpus", description=__doc__)
    parser.add_argument("action", choices=("check", "stats", "require"))
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: corpus)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        sentences = read_corpus(args.paths)
    except CorpusError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.action == "check":
        print(f"{len(sentences)} sentences, no problems")
        return 0
    stats = corpus_stats(sentences)
    print("\n".join(format_stats(stats)))
    short = stats.shortfalls() if args.action == "require" else []
    for line in short:
        print(f"short: {line}", file=sys.stderr)
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
