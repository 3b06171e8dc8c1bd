"""Tests of the export formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from eventcoder.export import CSV_COLUMNS, FORMATS, GDELT_COLUMNS, snippet, write_events
from eventcoder.model import (
    Actor,
    Event,
    Evidence,
    Modality,
    Plover,
    Reports,
    Stored,
    StoredEvent,
    StoredMention,
)

SENTENCE = "Valerii Zaluzhnyi held a telephone call with Wiesław Kukuła, the Polish chief."


def make_event(
    target: bool = True, trigger_start: int = 18, sentence: str = SENTENCE, start: int = 0
) -> Event:
    return Event(
        doc_id="doc-1",
        date=date(2024, 1, 25),
        date_precision="day",
        source=Actor("Valerii Zaluzhnyi", "UKRMIL", "UKR", "MIL", name="Valerii Zaluzhnyi"),
        target=Actor("Wiesław Kukuła", "POLMIL", "POL", "MIL") if target else None,
        cameo="0411",
        goldstein=1.0,
        quad_class=1,
        plover=Plover("CONSULT", "phone", ("military", "diplomatic")),
        modality=Modality(),
        evidence=Evidence(
            sentence, start, start + len(sentence), "held a telephone call", trigger_start, 39
        ),
        confidence=0.9,
        rule="r1",
        coder_version="v",
    )


REPORTS = Reports(3, 2, 2, date(2024, 1, 25), date(2024, 1, 26), "m1")
EVENTS: list[Stored] = [
    StoredEvent(make_event(), REPORTS, url="https://example.org/a"),
    StoredMention(make_event(target=False, trigger_start=20), merged_into="e9"),
]


def export(fmt: str, events: list[Stored] = EVENTS) -> tuple[int, str]:
    out = io.StringIO()
    n = write_events(iter(events), out, fmt)
    return n, out.getvalue()


def test_formats_listed() -> None:
    assert set(FORMATS) == {"jsonl", "csv", "table", "gdelt", "plover"}


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="jsonl, csv, table, gdelt, plover"):
        write_events([], io.StringIO(), "xml")


def test_jsonl_round_trip() -> None:
    n, text = export("jsonl")
    assert n == 2
    assert "Wiesław" in text  # not ascii-escaped
    first, second = (json.loads(line) for line in text.splitlines())
    assert first == EVENTS[0].to_record() and second == EVENTS[1].to_record()
    assert first["reports"]["articles"] == 2 and first["url"] == "https://example.org/a"
    assert second["merged_into"] == "e9" and "reports" not in second
    assert StoredEvent.from_record(first) == EVENTS[0]
    assert StoredMention.from_record(second) == EVENTS[1]


def test_csv() -> None:
    n, text = export("csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert n == len(rows) == 2
    assert tuple(rows[0]) == CSV_COLUMNS
    first, second = rows
    assert first["source_code"] == "UKRMIL" and first["target_code"] == "POLMIL"
    assert first["plover_context"] == "military;diplomatic"
    assert first["sentence"] == SENTENCE  # comma inside is quoted correctly
    assert first["evidence_end"] == str(len(SENTENCE))
    assert float(first["goldstein"]) == 1.0
    assert second["target_code"] == "" and second["target_text"] == ""
    assert (first["n_mentions"], first["n_sources"], first["n_articles"]) == ("3", "2", "2")
    assert (second["n_mentions"], second["n_sources"], second["n_articles"]) == ("1", "1", "1")


def test_gdelt() -> None:
    n, text = export("gdelt")
    lines = text.splitlines()
    assert n == 2 and len(lines) == 3
    header = lines[0].split("\t")
    assert tuple(header) == GDELT_COLUMNS
    row = dict(zip(header, lines[1].split("\t"), strict=True))
    assert row["SQLDATE"] == "20240125"
    assert row["EventCode"] == "0411"
    assert row["EventBaseCode"] == "041"
    assert row["EventRootCode"] == "04"
    assert row["Actor1CountryCode"] == "UKR"
    assert row["Actor2Name"] == "Wiesław Kukuła"
    assert row["QuadClass"] == "1"
    assert (row["NumMentions"], row["NumSources"], row["NumArticles"]) == ("3", "2", "2")
    assert row["SOURCEURL"] == "https://example.org/a"
    row2 = dict(zip(header, lines[2].split("\t"), strict=True))
    assert row2["Actor2Code"] == ""
    assert row2["SOURCEURL"] == "doc-1"  # no URL known: the document id


def test_plover() -> None:
    n, text = export("plover")
    first, second = (json.loads(line) for line in text.splitlines())
    assert n == 2
    assert first["id"] == EVENTS[0].event.event_id
    assert first["event_type"] == "CONSULT" and first["mode"] == "phone"
    assert first["context"] == ["military", "diplomatic"]
    assert first["source_actor"] == "Valerii Zaluzhnyi" and first["source_code"] == "UKRMIL"
    assert first["target_code"] == "POLMIL"
    assert first["event_text"] == SENTENCE
    assert first["date"] == "2024-01-25" and first["confidence"] == 0.9
    assert second["target_actor"] is None


def test_table() -> None:
    n, text = export("table")
    lines = text.splitlines()
    assert n == 2 and len(lines) == 4
    assert lines[0].split()[:4] == ["date", "source", "target", "cameo"]
    assert set(lines[1]) == {"-"}
    assert lines[2].startswith("2024-01-25  UKRMIL")
    assert "CONSULT/phone" in lines[2] and "0.90" in lines[2]
    assert "POLMIL" not in lines[3]
    assert lines[2].endswith(SENTENCE)  # in a pipe or file the sentence is whole


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("columns", [100, 143, 220])
def test_table_on_a_terminal_fits_it(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    preamble = "In a long preamble, " * 20
    long = StoredEvent(make_event(sentence=preamble + SENTENCE, start=-len(preamble)), REPORTS)
    out = _Terminal()
    write_events(iter([long]), out, "table")
    lines = out.getvalue().splitlines()
    assert all(len(line) <= max(columns, 143) for line in lines)
    # the evidence is cut around the trigger, so the verb is always shown
    assert "held a telephone call" in lines[2]


@pytest.mark.parametrize("width", [24, 40, 80, 200])
def test_snippet_keeps_the_trigger(width: int) -> None:
    before = "Before that, " * 10
    event = make_event(sentence=before + SENTENCE + " And after." * 10, start=-len(before))
    cut = snippet(event.evidence, width)
    assert len(cut) <= width
    assert "held a telephone call" in cut
    assert cut.startswith("“") and cut.endswith("”")


def test_snippet_of_a_short_sentence_is_the_sentence() -> None:
    assert snippet(make_event().evidence, 200) == f"“{SENTENCE}”"


def test_empty_input() -> None:
    for fmt in FORMATS:
        n, _ = export(fmt, [])
        assert n == 0
    assert export("jsonl", [])[1] == ""
