"""The sentence contract: what a careful human coder writes down for short news sentences.

Cases live in ``tests/data/sentences.yaml`` (format described at the top of that file). For each
sentence the set of predicted ``(source, target, PLOVER type)`` triples must equal the expected
set, where an expected code ending in ``*`` matches any code of that country and CONSULT, AGREE
and COOPERATE match in either direction.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from event_codes import case_params, dyad_matches
from eventcoder.model import Event
from eventcoder.ontology import load_ontology
from eventcoder.pipeline import Coder

DATA = Path(__file__).resolve().parent / "data" / "sentences.yaml"
DEFAULT_DATE = date(2024, 1, 25)

PLOVER_TYPES = tuple(load_ontology().plover_types)
CONSTRUCTIONS = (
    "basic",
    "passive",
    "coordination",
    "apposition",
    "relative-clause",
    "complement-clause",
    "reported-speech",
    "negation",
    "refusal",
    "intent-future",
    "conditional",
    "nominal-event",
    "pronoun",
    "title",
    "no-event",
    "one-event-per-action",
)
KEYS = frozenset({"id", "construction", "date", "text", "events", "xfail"})
CODE = re.compile(r"^[A-Z]{3}(?:[A-Z]{3})?\*?$")

MIN_SENTENCES = 230
MIN_PER_TYPE = 8
MIN_PER_CONSTRUCTION = 6
MIN_NO_EVENT = 20

Triple = tuple[str | None, str | None, str]


def _load() -> list[dict[str, Any]]:
    with DATA.open(encoding="utf-8") as handle:
        cases = yaml.safe_load(handle)
    assert isinstance(cases, list), f"{DATA} must hold a YAML list"
    return cases


CASES = _load()


def _day(case: dict[str, Any]) -> date:
    value = case.get("date")
    if value is None:
        return DEFAULT_DATE
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _expected(case: dict[str, Any]) -> set[Triple]:
    return {(e[0], e[1], e[2]) for e in case["events"]}


def _predicted(events: list[Event]) -> set[Triple]:
    return {
        (
            e.source.code if e.source else None,
            e.target.code if e.target else None,
            e.plover.event,
        )
        for e in events
    }


def _matches(expected: Triple, actual: Triple) -> bool:
    return expected[2] == actual[2] and dyad_matches(expected[2], expected[:2], actual[:2])


def _describe(events: list[Event]) -> str:
    lines = []
    for e in events:
        source = f"{e.source.code} ({e.source.text!r})" if e.source else "None"
        target = f"{e.target.code} ({e.target.text!r})" if e.target else "None"
        lines.append(
            f"    {source} -> {target} {e.plover.event} cameo={e.cameo}"
            f" trigger={e.evidence.trigger!r} rule={e.rule}"
        )
    return "\n".join(lines) or "    (no events)"


@pytest.mark.parametrize("case", case_params(CASES))
def test_sentence(coder: Coder, case: dict[str, Any]) -> None:
    events = coder.code_text(case["text"], _day(case))
    predicted = _predicted(events)
    expected = _expected(case)
    missing = sorted((e for e in expected if not any(_matches(e, p) for p in predicted)), key=str)
    extra = sorted((p for p in predicted if not any(_matches(e, p) for e in expected)), key=str)
    assert not missing and not extra, (
        f"{case['id']} [{case['construction']}]: {case['text']!r} ({_day(case)})\n"
        f"  missing: {missing}\n  extra:   {extra}\n  predicted events:\n{_describe(events)}"
    )


def test_sentence_file_is_well_formed() -> None:
    ids = [str(case.get("id")) for case in CASES]
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert not duplicates, f"duplicate ids: {duplicates}"
    assert len(CASES) >= MIN_SENTENCES, f"only {len(CASES)} sentences"

    problems = []
    for case in CASES:
        where = case.get("id", "?")
        unknown = set(case) - KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if not isinstance(case.get("text"), str) or not case["text"].strip():
            problems.append(f"{where}: empty text")
        if case.get("construction") not in CONSTRUCTIONS:
            problems.append(f"{where}: unknown construction {case.get('construction')!r}")
        try:
            _day(case)
        except ValueError:
            problems.append(f"{where}: bad date {case.get('date')!r}")
        events = case.get("events")
        if not isinstance(events, list):
            problems.append(f"{where}: events must be a list")
            continue
        for event in events:
            if not (isinstance(event, list) and len(event) == 3):
                problems.append(f"{where}: event {event!r} is not [source, target, TYPE]")
                continue
            source, target, kind = event
            if not (isinstance(source, str) and CODE.match(source)):
                problems.append(f"{where}: bad source code {source!r}")
            if target is not None and not (isinstance(target, str) and CODE.match(target)):
                problems.append(f"{where}: bad target code {target!r}")
            if kind not in PLOVER_TYPES:
                problems.append(f"{where}: unknown PLOVER type {kind!r}")
    assert not problems, "\n".join(problems)

    per_type = Counter(kind for case in CASES for kind in {e[2] for e in case["events"]})
    thin_types = {t: per_type[t] for t in PLOVER_TYPES if per_type[t] < MIN_PER_TYPE}
    assert not thin_types, f"PLOVER types with fewer than {MIN_PER_TYPE} sentences: {thin_types}"

    per_construction = Counter(case["construction"] for case in CASES)
    thin = {
        c: per_construction[c] for c in CONSTRUCTIONS if per_construction[c] < MIN_PER_CONSTRUCTION
    }
    assert not thin, f"constructions with fewer than {MIN_PER_CONSTRUCTION} sentences: {thin}"

    no_event = sum(1 for case in CASES if not case["events"])
    assert no_event >= MIN_NO_EVENT, f"only {no_event} no-event sentences"


def test_matching_rules() -> None:
    """The comparison itself: wildcards, symmetric types and null targets."""
    assert _matches(("RUS*", "UKR", "ASSAULT"), ("RUSMIL", "UKR", "ASSAULT"))
    assert _matches(("RUS*", "UKR", "ASSAULT"), ("RUS", "UKR", "ASSAULT"))
    assert not _matches(("RUS*", "UKR", "ASSAULT"), ("UKR", "RUS", "ASSAULT"))
    assert not _matches(("RUSGOV", "UKR", "ASSAULT"), ("RUSMIL", "UKR", "ASSAULT"))
    assert _matches(("POLGOV", "UKRGOV", "CONSULT"), ("UKRGOV", "POLGOV", "CONSULT"))
    assert not _matches(("POLGOV", "UKRGOV", "ACCUSE"), ("UKRGOV", "POLGOV", "ACCUSE"))
    assert _matches(("PRK", None, "MOBILIZE"), ("PRK", None, "MOBILIZE"))
    assert not _matches(("PRK", None, "MOBILIZE"), ("PRK", "KOR", "MOBILIZE"))
    assert not _matches(("PRK", "KOR", "MOBILIZE"), ("PRK", None, "MOBILIZE"))
