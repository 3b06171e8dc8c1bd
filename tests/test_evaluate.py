from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from eventcoder.errors import EvalError
from eventcoder.evaluate import (
    PRF,
    GoldEvent,
    GoldRecord,
    Scores,
    format_by_type,
    format_scores,
    group_by_doc,
    normalise_event_type,
    read_gold,
    score,
    source_code_matches,
)
from eventcoder.model import Actor, Event, Evidence, Modality, Plover

DAY = datetime.date(2000, 1, 1)


def actor(code: str | None) -> Actor | None:
    if code is None:
        return None
    return Actor(text=code, code=code, country=code[:3], sector=code[3:6] or None)


def ev(doc: str, kind: str, source: str | None, target: str | None = None, at: int = 0) -> Event:
    return Event(
        doc_id=doc,
        date=DAY,
        date_precision="day",
        source=actor(source),
        target=actor(target),
        cameo="010",
        goldstein=0.0,
        quad_class=1,
        plover=Plover(event=kind),
        modality=Modality(),
        evidence=Evidence("s", 0, 1, "t", at, at + 1),
        confidence=1.0,
        rule="test",
        coder_version="test",
    )


def gold(
    kind: str, source: str | None, target: str | None = None, reciprocal: bool = False
) -> GoldEvent:
    return GoldEvent(source=source, target=target, event=kind, mode=None, reciprocal=reciprocal)


def doc(doc_id: str, *events: GoldEvent) -> GoldRecord:
    return GoldRecord(doc_id=doc_id, date=DAY, text="text", events=events)


def one(record: GoldRecord, *events: Event) -> Scores:
    return score([record], {record.doc_id: list(events)})


# ---------------------------------------------------------------- PRF


def test_prf_undefined_is_zero() -> None:
    empty = PRF(0, 0, 0)
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)
    prf = PRF(tp=2, fp=2, fn=0)
    assert prf.precision == 0.5
    assert prf.recall == 1.0
    assert prf.f1 == pytest.approx(2 / 3)


# ---------------------------------------------------------------- type


def test_type_is_a_set_per_document() -> None:
    record = doc("d", gold("ASSAULT", "ISR", "PSE"), gold("ASSAULT", "ISR", "LBN"))
    scores = one(record, ev("d", "ASSAULT", "ISR", "PSE"), ev("d", "THREATEN", "ISR", "SYR"))
    assert scores.type == PRF(tp=1, fp=1, fn=0)
    assert scores.per_type["ASSAULT"] == PRF(1, 0, 0)
    assert scores.per_type["THREATEN"] == PRF(0, 1, 0)


def test_type_micro_average_over_documents() -> None:
    records = [doc("a", gold("AGREE", "USA")), doc("b", gold("REJECT", "USA"))]
    predicted = {"a": [ev("a", "AGREE", "USA")], "b": [ev("b", "PROTEST", "USA")]}
    scores = score(records, predicted)
    assert scores.type == PRF(tp=1, fp=1, fn=1)
    assert scores.confusions == {("REJECT", "PROTEST"): 1}
    assert scores.documents == 2


# ---------------------------------------------------------------- dyad


def test_dyad_compares_countries_only() -> None:
    record = doc("d", gold("COERCE", "ISRMIL", "PSECVL"))
    assert one(record, ev("d", "COERCE", "ISRGOV", "PSEREB")).dyad == PRF(1, 0, 0)
    assert one(record, ev("d", "COERCE", "ISRGOV", "LBNREB")).dyad == PRF(0, 1, 1)


def test_dyad_needs_the_same_type() -> None:
    record = doc("d", gold("COERCE", "ISR", "PSE"))
    assert one(record, ev("d", "ASSAULT", "ISR", "PSE")).dyad == PRF(0, 1, 1)


def test_dyad_directed_types_must_keep_direction() -> None:
    record = doc("d", gold("ACCUSE", "USA", "IRQ"))
    assert one(record, ev("d", "ACCUSE", "IRQ", "USA")).dyad == PRF(0, 1, 1)


@pytest.mark.parametrize("kind", ["CONSULT", "AGREE", "COOPERATE"])
def test_dyad_symmetric_types_match_either_direction(kind: str) -> None:
    record = doc("d", gold(kind, "USAGOV", "JORGOV"))
    scores = one(record, ev("d", kind, "JORGOV", "USAGOV"))
    assert scores.dyad == PRF(1, 0, 0)
    # the predicted actor in the gold source's role is the predicted target
    assert (scores.actor_correct, scores.actor_total) == (1, 1)


@pytest.mark.parametrize("wildcard", [None, "---"])
def test_dyad_gold_wildcard_actor(wildcard: str | None) -> None:
    record = doc("d", gold("PROTEST", wildcard, "SRBGOV"))
    scores = one(record, ev("d", "PROTEST", "SRBCVL", "SRBGOV"))
    assert scores.dyad == PRF(1, 0, 0)
    # a wildcard gold source is not scored for the actor metric
    assert scores.actor_total == 0
    target_wild = doc("d", gold("REQUEST", "USAGOV", wildcard))
    assert one(target_wild, ev("d", "REQUEST", "USAGOV", None)).dyad == PRF(1, 0, 0)
    assert one(target_wild, ev("d", "REQUEST", "USAGOV", "IRQ")).dyad == PRF(1, 0, 0)


def test_dyad_known_gold_target_needs_a_predicted_target() -> None:
    record = doc("d", gold("REQUEST", "USAGOV", "IRQGOV"))
    assert one(record, ev("d", "REQUEST", "USAGOV", None)).dyad == PRF(0, 1, 1)


def test_dyad_reciprocal_gold_matches_any_target() -> None:
    record = doc(
        "d",
        gold("AGREE", "HUNGOV", None, reciprocal=True),
        gold("AGREE", "ROUGOV", None, reciprocal=True),
    )
    scores = one(record, ev("d", "AGREE", "HUNGOV", "ROUGOV"), ev("d", "AGREE", "ROUGOV", "HUNGOV"))
    assert scores.dyad == PRF(2, 0, 0)
    assert (scores.actor_correct, scores.actor_total) == (2, 2)
    # a reciprocal gold event with a target still matches any predicted target
    directed = doc("e", gold("REJECT", "USA", "IRQ", reciprocal=True))
    assert one(directed, ev("e", "REJECT", "USA", "CHN")).dyad == PRF(1, 0, 0)


def test_over_generation_lowers_precision() -> None:
    record = doc("d", gold("ASSAULT", "ISRMIL", "LBN"))
    exact = one(record, ev("d", "ASSAULT", "ISRMIL", "LBN"))
    twice = one(
        record, ev("d", "ASSAULT", "ISRMIL", "LBN"), ev("d", "ASSAULT", "ISRMIL", "LBN", at=5)
    )
    assert exact.dyad == PRF(1, 0, 0)
    assert twice.dyad == PRF(1, 1, 0)
    assert twice.dyad.precision == 0.5
    # type is a set, so a duplicate does not cost there
    assert twice.type == PRF(1, 0, 0)


def test_matching_is_one_to_one_and_maximal() -> None:
    # predicted ISR->PSE can match either gold; the wildcard-target prediction can only
    # match the first gold event: the best matching pairs both.
    record = doc("d", gold("ASSAULT", "ISR", None), gold("ASSAULT", "---", "PSE"))
    scores = one(record, ev("d", "ASSAULT", "ISR", "PSE"), ev("d", "ASSAULT", "LBN", "PSE"))
    assert scores.dyad == PRF(2, 0, 0)


def test_matching_prefers_correct_source_codes() -> None:
    record = doc("d", gold("ASSAULT", "ISRMIL", "PSE"), gold("ASSAULT", "ISRGOV", "PSE"))
    scores = one(record, ev("d", "ASSAULT", "ISRGOV", "PSE"), ev("d", "ASSAULT", "ISRMIL", "PSE"))
    assert scores.dyad == PRF(2, 0, 0)
    assert (scores.actor_correct, scores.actor_total) == (2, 2)


def test_unmatched_dyad_costs_recall() -> None:
    record = doc("d", gold("ASSAULT", "ISR", "PSE"), gold("ASSAULT", "ISR", "LBN"))
    assert one(record, ev("d", "ASSAULT", "ISR", "PSE")).dyad == PRF(1, 0, 1)


# ---------------------------------------------------------------- actor


def test_actor_accuracy_over_matched_dyads() -> None:
    record = doc("d", gold("THREATEN", "PRKGOV", "USA"), gold("ACCUSE", "USAGOV", "PRK"))
    scores = one(record, ev("d", "THREATEN", "PRKMIL", "USA"), ev("d", "ACCUSE", "USAGOV", "PRK"))
    assert scores.dyad == PRF(2, 0, 0)
    assert (scores.actor_correct, scores.actor_total) == (1, 2)
    assert scores.actor_accuracy == 0.5


def test_source_code_comparison() -> None:
    assert source_code_matches("HUNGOV", "HUNGOV")
    assert not source_code_matches("HUNGOV", "HUNMIL")
    assert source_code_matches("ISR***", "ISRMIL")
    assert source_code_matches("ISR***", "ISRGOV")
    assert source_code_matches("IRQCVLkur", "IRQCVL")
    assert source_code_matches("PHLREBMOS", "PHLREB")
    assert source_code_matches("USA", "USA")
    assert not source_code_matches("USA", "USAGOV")
    assert not source_code_matches("USAGOV", "USA")
    assert not source_code_matches("USAGOV", None)


# ---------------------------------------------------------------- empty


def test_empty_documents() -> None:
    records = [doc("quiet"), doc("noisy"), doc("busy", gold("AID", "USA", "HTI"))]
    predicted = {"noisy": [ev("noisy", "ASSAULT", "USA", "IRQ")]}
    scores = score(records, predicted)
    assert (scores.empty_correct, scores.empty_total) == (1, 2)
    assert scores.empty_rate == 0.5
    # the missing "busy" entry counts as predicting nothing
    assert scores.type == PRF(0, 1, 1)
    assert scores.dyad == PRF(0, 1, 1)


def test_predictions_for_unknown_documents_are_ignored() -> None:
    scores = score([doc("a")], {"zzz": [ev("zzz", "AID", "USA")]})
    assert scores.type == PRF(0, 0, 0)
    assert (scores.empty_correct, scores.empty_total) == (1, 1)


# ---------------------------------------------------------------- legacy names


def test_legacy_names_normalised() -> None:
    assert normalise_event_type("DEMAND") == "REQUEST"
    assert normalise_event_type("disapprove") == "ACCUSE"
    assert normalise_event_type("FIGHT") == "ASSAULT"
    assert normalise_event_type("INVESTIGATE") == "ACCUSE"
    assert normalise_event_type(" consult ") == "CONSULT"
    record = doc("d", gold("REQUEST", "USA", "IRQ"), gold("ASSAULT", "IRQ", "USA"))
    scores = one(record, ev("d", "DEMAND", "USA", "IRQ"), ev("d", "fight", "IRQ", "USA"))
    assert scores.type == PRF(2, 0, 0)
    assert scores.dyad == PRF(2, 0, 0)


# ---------------------------------------------------------------- read_gold


def write_lines(path: Path, rows: list[Any]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record_json(doc_id: str = "x1", **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": doc_id,
        "date": "2000-01-01",
        "text": "Jordan and Britain agreed.",
        "gold_events": [
            {"source": "JOR", "target": None, "code": "AGREE", "reciprocal": True},
            {"source": "IRQCVLkur", "target": "---", "code": "DISAPPROVE", "mode": "x"},
        ],
        "category": "AGREE",
    }
    base.update(over)
    return base


def test_read_gold(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.jsonl", [record_json(), "", record_json("x2", gold_events=[])])
    records = read_gold(path)
    assert [r.doc_id for r in records] == ["x1", "x2"]
    first = records[0]
    assert first.date == DAY
    assert first.events == (
        GoldEvent("JOR", None, "AGREE", None, True),
        GoldEvent("IRQCVLkur", "---", "ACCUSE", "x", False),
    )
    assert records[1].events == ()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "JSON object"),
        (record_json(id=""), "'id'"),
        (record_json(date="01/01/2000"), "'date'"),
        (record_json(text=None), "'text'"),
        (record_json(gold_events=None), "'gold_events'"),
        (record_json(gold_events=[{"source": "USA"}]), "'code'"),
        (record_json(gold_events=[{"code": "DANCE"}]), "unknown PLOVER event type"),
        (record_json(gold_events=[{"code": "AID", "source": 5}]), "'source'"),
        (record_json(gold_events=[{"code": "AID", "reciprocal": "yes"}]), "'reciprocal'"),
        (record_json("x1"), "duplicate id"),
    ],
)
def test_read_gold_errors_name_file_and_line(tmp_path: Path, bad: Any, message: str) -> None:
    path = write_lines(tmp_path / "g.jsonl", [record_json("x1"), "", bad])
    with pytest.raises(EvalError, match=message) as info:
        read_gold(path)
    assert f"{path}:3:" in str(info.value)


def test_read_gold_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="cannot read"):
        read_gold(tmp_path / "nope.jsonl")


# ---------------------------------------------------------------- report


def test_format_scores_and_by_type() -> None:
    records = [
        doc("a", gold("CONSULT", "UKRMIL", "POLMIL")),
        doc("b", gold("SUPPORT", "UKRMIL", "POL")),
        doc("c"),
    ]
    predicted = group_by_doc(
        [ev("a", "CONSULT", "POLMIL", "UKRMIL"), ev("b", "AID", "UKRMIL", "POL")]
    )
    scores = score(records, predicted)
    lines = format_scores(scores)
    assert lines == [
        "type   P=0.500 R=0.500 F1=0.500 (tp=1 fp=1 fn=1)",
        "dyad   P=0.500 R=0.500 F1=0.500 (tp=1 fp=1 fn=1)",
        "actor  accuracy=1.000 (1/1 matched dyads)",
        "empty  1.000 (1/1 documents with no gold event coded empty)",
    ]
    table = format_by_type(scores)
    assert table[0].split() == ["type", "P", "R", "F1", "tp", "fp", "fn"]
    assert [line.split()[0] for line in table[1:4]] == ["CONSULT", "SUPPORT", "AID"]
    assert table[1].split()[1:] == ["1.000", "1.000", "1.000", "1", "0", "0"]
    assert table[-1].split() == ["SUPPORT", "->", "AID", "1"]
    assert format_by_type(scores, top_confusions=0)[-1].startswith("AID")


def test_format_scores_undefined_rates() -> None:
    lines = format_scores(score([doc("a", gold("AID", "USA"))], {}))
    assert lines[2] == "actor  accuracy=n/a (0/0 matched dyads)"
    assert lines[3] == "empty  n/a (0/0 documents with no gold event coded empty)"
