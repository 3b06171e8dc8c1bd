"""Faithfulness contract: whole short articles in the shapes where coders go wrong.

Cases live in ``tests/data/faithful.yaml`` (format at the top of that file): round-ups that
refer back to the first actor, datelines and bylines, passive agents, lists, event dates near
the event, coreference, same-country dyads and officials of international organisations.
For each article the predicted ``(source, target, PLOVER type)`` triples, with the event date
where the case gives one, must equal the expected set (wildcards and symmetric types as in
``test_sentences.py``). Cases the coder does not get right yet are strict xfails with a reason,
so a fix shows up as an unexpected pass.
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

DATA = Path(__file__).resolve().parent / "data" / "faithful.yaml"
# Written by another hand in the same shapes and kept apart: the coder is not tuned to it,
# only measured. Its pass count may rise; it must not fall.
HELDOUT = Path(__file__).resolve().parent / "data" / "faithful_heldout.yaml"
HELDOUT_PASSING_COMBINED = 36
HELDOUT_PASSING = 37
SHAPES = ("roundup", "dateline", "passive", "list", "date", "coref", "selfdyad", "igo")
KEYS = frozenset({"id", "shape", "date", "text", "events", "xfail"})
CODE = re.compile(r"^[A-Z]{3}(?:[A-Z]{3})?\*?$")
PLOVER_TYPES = frozenset(load_ontology().plover_types)
MIN_PER_SHAPE = 10
MIN_PER_SHAPE_HELDOUT = 7

Expected = tuple[str | None, str | None, str, str | None]  # source, target, type, date
Predicted = tuple[str | None, str | None, str, str]


def _load(path: Path = DATA) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        cases = yaml.safe_load(handle)
    assert isinstance(cases, list), f"{path} must hold a YAML list"
    return cases


CASES = _load()


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _expected(case: dict[str, Any]) -> list[Expected]:
    return [
        (e[0], e[1], e[2], _day(e[3]).isoformat() if len(e) > 3 else None) for e in case["events"]
    ]


def _predicted(events: list[Event]) -> list[Predicted]:
    return [
        (
            e.source.code if e.source else None,
            e.target.code if e.target else None,
            e.plover.event,
            e.date.isoformat(),
        )
        for e in events
    ]


def _matches(expected: Expected, actual: Predicted) -> bool:
    source, target, kind, day = expected
    if kind != actual[2] or (day is not None and day != actual[3]):
        return False
    return dyad_matches(kind, (source, target), actual[:2])


def _describe(events: list[Event]) -> str:
    lines = [
        f"    {e.source.code if e.source else None} ({e.source.text if e.source else ''!r})"
        f" -> {e.target.code if e.target else None} ({e.target.text if e.target else ''!r})"
        f" {e.plover.event} {e.date} trigger={e.evidence.trigger!r}"
        for e in events
    ]
    return "\n".join(lines) or "    (no events)"


def _difference(coder: Coder, case: dict[str, Any]) -> str:
    """What the coder gets wrong on one case; empty when it gets it right."""
    events = coder.code_text(case["text"], _day(case["date"]))
    predicted = _predicted(events)
    expected = _expected(case)
    missing = [e for e in expected if not any(_matches(e, p) for p in predicted)]
    extra = [p for p in predicted if not any(_matches(e, p) for e in expected)]
    if not missing and not extra:
        return ""
    return (
        f"{case['id']}: {case['text']!r} ({case['date']})\n"
        f"  missing: {missing}\n  extra:   {extra}\n  predicted:\n{_describe(events)}"
    )


@pytest.mark.parametrize("case", case_params(CASES))
def test_article(coder: Coder, case: dict[str, Any]) -> None:
    difference = _difference(coder, case)
    assert not difference, difference


def test_held_out_articles_do_not_regress(coder: Coder) -> None:
    cases = _load(HELDOUT)
    wrong = [d for case in cases if (d := _difference(coder, case))]
    passing = len(cases) - len(wrong)
    assert passing >= HELDOUT_PASSING, (
        f"{passing} of {len(cases)} held-out articles right, {HELDOUT_PASSING} before:\n"
        + "\n".join(wrong)
    )


def test_held_out_articles_with_the_learned_model(combined_coder: Coder) -> None:
    """The default coder (rules and the learned model) on the same held-out articles:
    36 of 60 right when the model was trained (the rules alone: 37)."""
    cases = _load(HELDOUT)
    wrong = [d for case in cases if (d := _difference(combined_coder, case))]
    assert len(cases) - len(wrong) >= HELDOUT_PASSING_COMBINED, "\n".join(wrong)


@pytest.mark.parametrize("path", [DATA, HELDOUT], ids=["faithful", "held-out"])
def test_faithful_file_is_well_formed(path: Path) -> None:
    cases = _load(path)
    ids = [str(case.get("id")) for case in cases]
    assert not [i for i, n in Counter(ids).items() if n > 1], "duplicate ids"
    problems = []
    for case in cases:
        where = str(case.get("id", "?")).removeprefix("ho-")
        if set(case) - KEYS:
            problems.append(f"{where}: unknown keys {sorted(set(case) - KEYS)}")
        if case.get("shape") not in SHAPES or not str(where).startswith(str(case.get("shape"))):
            problems.append(f"{where}: shape {case.get('shape')!r} unknown or not the id's prefix")
        for event in case.get("events") or []:
            source, target, kind = event[:3]
            if not CODE.match(str(source)) or not (target is None or CODE.match(str(target))):
                problems.append(f"{where}: bad codes in {event!r}")
            if kind not in PLOVER_TYPES:
                problems.append(f"{where}: unknown type {kind!r}")
            if case["shape"] == "date" and len(event) != 4:
                problems.append(f"{where}: a date case gives every event's date")
    assert not problems, "\n".join(problems)
    per_shape = Counter(case["shape"] for case in cases)
    least = MIN_PER_SHAPE if path == DATA else MIN_PER_SHAPE_HELDOUT
    assert all(per_shape[s] >= least for s in SHAPES), per_shape


def test_matching_rules() -> None:
    """The comparison itself: dates, wildcards and symmetric types."""
    assert _matches(("FRAGOV", "DEUGOV", "CONSULT", None), ("DEUGOV", "FRAGOV", "CONSULT", "x"))
    assert _matches(
        ("RUS*", "UKR", "ASSAULT", "2024-01-02"), ("RUSMIL", "UKR", "ASSAULT", "2024-01-02")
    )
    assert not _matches(
        ("RUS*", "UKR", "ASSAULT", "2024-01-02"), ("RUS", "UKR", "ASSAULT", "2024-01-03")
    )
    assert not _matches(("RUS", "UKR", "ASSAULT", None), ("UKR", "RUS", "ASSAULT", "2024-01-03"))
