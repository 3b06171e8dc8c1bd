"""Every field of the event record survives each way out of the coder: JSONL, the
database (SQLite and PostgreSQL), and each export format. (Spark's Parquet round trip
is in test_spark.py, which needs a Spark session.)"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields, replace
from datetime import date

import pytest

from eventcoder.export import write_events
from eventcoder.model import (
    Actor,
    Document,
    Event,
    Evidence,
    Location,
    Modality,
    Plover,
    StoredEvent,
    StoredMention,
)
from eventcoder.store import EventFilter, open_store

TEXT = (
    "Kyiv, 25 January. Valerii Zaluzhnyi, Ukraine's commander, held a telephone call "
    "with Wiesław Kukuła, the Polish chief of staff."
)


def _actor(words: str, code: str, country: str | None, sector: str | None) -> Actor:
    start = TEXT.index(words)
    return Actor(
        text=words,
        code=code,
        country=country,
        sector=sector,
        name=words + " (canonical)",
        kb_id="person:" + words.lower().replace(" ", "-"),
        start=start,
        end=start + len(words),
        why=f"KB people.tsv: {words}",
    )


def full_event() -> Event:
    """An event with every field set to something other than its default."""
    sentence = TEXT[TEXT.index("Valerii") :]
    start = TEXT.index(sentence)
    trigger = "held a telephone call"
    at = TEXT.index(trigger)
    return Event(
        doc_id="doc-1",
        date=date(2024, 1, 25),
        date_precision="month",
        source=_actor("Valerii Zaluzhnyi", "UKRMIL", "UKR", "MIL"),
        target=_actor("Wiesław Kukuła", "POLMIL", "POL", "MIL"),
        cameo="0411",
        goldstein=1.5,
        quad_class=1,
        plover=Plover("CONSULT", "phone", ("military", "diplomatic")),
        modality=Modality(negated=True, intent=True, hypothetical=True, reported=True),
        evidence=Evidence(sentence, start, start + len(sentence), trigger, at, at + len(trigger)),
        confidence=0.875,
        rule="04_consult.tsv:44+model-retype:AGREE>CONSULT",
        coder_version="eventcoder-test+sm",
        location=Location(
            "Kyiv", "UKR", 50.45, 30.52, "city", "dateline", "Kyiv City", 703448, "Kyiv", 3, 7
        ),
    )


def sparse_event() -> Event:
    """The optional parts empty: no target, no mode, no context, an actor with no country."""
    event = full_event()
    assert event.source is not None
    return replace(
        event,
        target=None,
        source=replace(event.source, country=None, sector=None, name=None, kb_id=None),
        plover=Plover("CONSULT"),
        modality=Modality(),
        date_precision="day",
        location=Location(None, None, None, None, "none", "no place in the text"),
        event_id="",
    )


EVENTS = [full_event(), sparse_event()]


def test_the_test_events_set_every_field() -> None:
    full = full_event()
    for f in fields(Event):
        assert getattr(full, f.name) != f.default, f.name
    for part in (full.source, full.plover, full.modality, full.evidence, full.location):
        for f in fields(part):  # type: ignore[arg-type]
            assert getattr(part, f.name) not in (None, "", (), False, -1), f.name


@pytest.mark.parametrize("event", EVENTS, ids=["full", "sparse"])
def test_jsonl(event: Event) -> None:
    line = event.to_json()
    assert Event.from_record(json.loads(line)) == event
    assert TEXT[event.evidence.start : event.evidence.end] == event.evidence.sentence


def test_a_record_of_another_shape_is_refused() -> None:
    record = full_event().to_record()
    del record["evidence"]["trigger_start"]
    with pytest.raises(KeyError, match="trigger_start"):
        Event.from_record(record)
    record = full_event().to_record()
    record["date"] = "25 January 2024"
    with pytest.raises(ValueError):
        Event.from_record(record)


def test_optional_parts_left_out_read_as_their_defaults() -> None:
    record = sparse_event().to_record()
    for key in ("target", "event_id"):
        del record[key]
    del record["plover"]["context"]
    del record["modality"]["negated"]
    assert Event.from_record(record) == sparse_event()


def test_database(db_url: str) -> None:
    doc = Document(doc_id="doc-1", text=TEXT, date=date(2024, 1, 25), url="https://x.test/1")
    with open_store(db_url) as store:
        store.write_document(doc, EVENTS)
        store.refresh_events()
        mentions = list(store.query_mentions())
        events = list(store.query_events())
    assert sorted((m.event for m in mentions), key=lambda e: e.event_id) == sorted(
        EVENTS, key=lambda e: e.event_id
    )
    assert {m.url for m in mentions} == {"https://x.test/1"}
    assert {m.merged_into for m in mentions} == {e.event.event_id for e in events}
    for stored in events:
        (mention,) = [m for m in mentions if m.merged_into == stored.event.event_id]
        # a merged event is its representative mention with the event's id and first date
        assert stored.event == replace(mention.event, event_id=stored.event.event_id)
        assert stored.reports.mention_id == mention.event.event_id
        assert (stored.reports.mentions, stored.reports.articles) == (1, 1)
        assert StoredEvent.from_record(stored.to_record()) == stored
        assert StoredMention.from_record(mention.to_record()) == mention
    with open_store(db_url) as store:
        (only,) = store.query_events(EventFilter(target="POL"))
    assert only.event.target == EVENTS[0].target


def _export(fmt: str) -> str:
    out = io.StringIO()
    write_events([StoredMention(e) for e in EVENTS], out, fmt)
    return out.getvalue()


def test_csv_columns_carry_the_fields() -> None:
    rows = list(csv.DictReader(io.StringIO(_export("csv"))))
    for row, event in zip(rows, EVENTS, strict=True):
        assert row["event_id"] == event.event_id and row["doc_id"] == event.doc_id
        assert row["date"] == event.date.isoformat()
        assert row["date_precision"] == event.date_precision
        assert row["source_code"] == event.source.code  # type: ignore[union-attr]
        assert row["source_text"] == event.source.text  # type: ignore[union-attr]
        assert row["target_code"] == (event.target.code if event.target else "")
        assert row["cameo"] == event.cameo
        assert float(row["goldstein"]) == event.goldstein
        assert int(row["quad_class"]) == event.quad_class
        assert row["plover_event"] == event.plover.event
        assert row["plover_mode"] == (event.plover.mode or "")
        assert row["plover_context"].split(";") == list(event.plover.context or [""])
        assert float(row["confidence"]) == event.confidence
        assert row["sentence"] == event.evidence.sentence
        assert int(row["evidence_start"]) == event.evidence.start
        assert int(row["evidence_end"]) == event.evidence.end
        assert row["trigger"] == event.evidence.trigger


def test_gdelt_columns_carry_the_fields() -> None:
    header, *lines = _export("gdelt").splitlines()
    for line, event in zip(lines, EVENTS, strict=True):
        row = dict(zip(header.split("\t"), line.split("\t"), strict=True))
        assert row["GLOBALEVENTID"] == event.event_id
        assert row["SQLDATE"] == event.date.strftime("%Y%m%d")
        assert row["Actor1Code"] == event.source.code  # type: ignore[union-attr]
        assert row["Actor1Name"] == (event.source.name or event.source.text)  # type: ignore[union-attr]
        assert row["Actor1CountryCode"] == (event.source.country or "")  # type: ignore[union-attr]
        assert row["Actor2Code"] == (event.target.code if event.target else "")
        assert row["EventCode"] == event.cameo and row["EventRootCode"] == event.cameo[:2]
        assert float(row["GoldsteinScale"]) == event.goldstein
        assert int(row["QuadClass"]) == event.quad_class


def test_plover_records_carry_the_fields() -> None:
    for line, event in zip(_export("plover").splitlines(), EVENTS, strict=True):
        record = json.loads(line)
        assert record["id"] == event.event_id and record["doc_id"] == event.doc_id
        assert record["date"] == event.date.isoformat()
        assert record["event_type"] == event.plover.event
        assert record["mode"] == event.plover.mode
        assert record["context"] == list(event.plover.context)
        assert record["source_code"] == event.source.code  # type: ignore[union-attr]
        assert record["target_code"] == (event.target.code if event.target else None)
        assert record["event_text"] == event.evidence.sentence
        assert record["confidence"] == event.confidence
