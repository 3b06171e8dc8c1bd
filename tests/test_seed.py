"""The founding article, coded end to end: the events and actors a user expects."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eventcoder.ingest import iter_documents
from eventcoder.model import Document, Event
from eventcoder.pipeline import Coder


@pytest.fixture(scope="module")
def seed(coder: Coder, seed_path: Path) -> tuple[Document, list[Event]]:
    (document,) = [d for d in iter_documents([seed_path]) if isinstance(d, Document)]
    ((doc, events),) = list(coder.code_documents([document]))
    return doc, events


def _code_ok(wanted: str | None, actor: Any) -> bool:
    if wanted is None:
        return True
    if actor is None:
        return False
    if wanted.endswith("*"):
        return bool(actor.code.startswith(wanted[:-1]))
    return bool(actor.code == wanted)


def _found(
    events: list[Event],
    source: str,
    target: str | None,
    plover: set[str],
    roots: set[str],
    first: date,
    last: date,
    symmetric: bool = False,
) -> bool:
    for ev in events:
        if ev.plover.event not in plover or ev.cameo[:2] not in roots:
            continue
        if not first <= ev.date <= last:
            continue
        if _code_ok(source, ev.source) and _code_ok(target, ev.target):
            return True
        if symmetric and _code_ok(source, ev.target) and _code_ok(target, ev.source):
            return True
    return False


REQUIRED = [
    # what, source, target, PLOVER types, CAMEO roots, date range, symmetric
    (
        "phone call of the commanders",
        "UKRMIL",
        "POLMIL",
        {"CONSULT"},
        {"04"},
        (date(2024, 1, 25), date(2024, 1, 25)),
        True,
    ),
    (
        "invitation to visit Ukraine",
        "UKRMIL",
        "POLMIL",
        {"AGREE", "REQUEST", "CONSULT"},
        {"03", "02", "04"},
        (date(2024, 1, 25), date(2024, 1, 25)),
        False,
    ),
    (
        "thanks to the Polish partners",
        "UKRMIL",
        "POL*",
        {"SUPPORT"},
        {"05"},
        (date(2024, 1, 25), date(2024, 1, 25)),
        False,
    ),
    (
        "weapons and training for Ukraine",
        "POL*",
        "UKR*",
        {"AID", "COOPERATE"},
        {"07", "06"},
        (date(2022, 2, 1), date(2024, 1, 25)),
        False,
    ),
    (
        "refuge for Ukrainian refugees",
        "POL*",
        "UKR*",
        {"AID"},
        {"07"},
        (date(2022, 2, 1), date(2024, 1, 25)),
        False,
    ),
    (
        "the presidents talk",
        "UKRGOV",
        "POLGOV",
        {"CONSULT"},
        {"04"},
        (date(2024, 1, 1), date(2024, 1, 25)),
        True,
    ),
    (
        "Russian missile strikes on Ukraine",
        "RUS*",
        "UKR*",
        {"ASSAULT"},
        {"19", "18"},
        (date(2023, 12, 1), date(2024, 1, 25)),
        False,
    ),
]


EXPECTED_TOO = [
    (
        "full-scale invasion, February 2022",
        "RUS*",
        "UKR*",
        {"ASSAULT"},
        {"19"},
        (date(2022, 2, 1), date(2022, 2, 28)),
        False,
    ),
    (
        "Zelenskyy presses for air defence",
        "UKRGOV",
        None,
        {"REQUEST"},
        {"02"},
        (date(2024, 1, 1), date(2024, 1, 25)),
        False,
    ),
    (
        "Poland champions Ukraine's ambitions",
        "POL*",
        "UKR*",
        {"SUPPORT"},
        {"05"},
        (date(2022, 2, 1), date(2024, 1, 25)),
        False,
    ),
    (
        "Ukrainian forces fight the invaders",
        "UKRMIL",
        "RUSMIL",
        {"ASSAULT"},
        {"19"},
        (date(2024, 1, 1), date(2024, 1, 25)),
        False,
    ),
]


@pytest.mark.parametrize("case", REQUIRED + EXPECTED_TOO)
def test_required_events(seed: tuple[Document, list[Event]], case: tuple[Any, ...]) -> None:
    _, events = seed
    what, source, target, plover, roots, (first, last), symmetric = case
    assert _found(events, source, target, plover, roots, first, last, symmetric), (
        what,
        [
            (
                e.source.code if e.source else None,
                e.target.code if e.target else None,
                e.plover.event,
                e.cameo,
                e.evidence.trigger,
            )
            for e in events
        ],
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Valerii Zaluzhnyi", "UKRMIL"),
        ("Wiesław Kukuła", "POLMIL"),
        ("Volodymyr Zelenskyy", "UKRGOV"),
        ("Andrzej Duda", "POLGOV"),
    ],
)
def test_seed_actors(seed: tuple[Document, list[Event]], text: str, code: str) -> None:
    _, events = seed
    actors = [a for e in events for a in (e.source, e.target) if a is not None and a.text == text]
    assert actors, f"{text} is in no event"
    assert {a.code for a in actors} == {code}
    assert all(a.why for a in actors)


def test_evidence_points_at_the_sentence(seed: tuple[Document, list[Event]]) -> None:
    doc, events = seed
    assert events
    for ev in events:
        assert doc.text[ev.evidence.start : ev.evidence.end] == ev.evidence.sentence
        trig = doc.text[ev.evidence.trigger_start : ev.evidence.trigger_end]
        assert trig == ev.evidence.trigger
        assert ev.evidence.start <= ev.evidence.trigger_start < ev.evidence.end
        for actor in (ev.source, ev.target):
            if actor is not None:
                assert doc.text[actor.start : actor.end] == actor.text


def test_nothing_from_the_read_also_junk(seed: tuple[Document, list[Event]]) -> None:
    doc, events = seed
    assert "Read also" not in doc.text
    assert all("Read also" not in e.evidence.sentence for e in events)


def test_same_input_same_ids(coder: Coder, seed: tuple[Document, list[Event]]) -> None:
    doc, events = seed
    ((_, again),) = list(coder.code_documents([doc]))
    assert [e.event_id for e in again] == [e.event_id for e in events]
