"""Duplicate reports: mentions in several articles merge into one event (both databases)."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from eventcoder.cli import main
from eventcoder.ingest import clean_text
from eventcoder.model import Actor, Document, Event, Evidence, Modality, Plover
from eventcoder.pipeline import Coder
from eventcoder.store import SCHEMA_VERSION, EventFilter, EventStore, open_store
from eventcoder.store.dedup import MentionRow, cluster, group_key, source_identity
from schema_v1 import write_v1_database

THREE_REPORTS = [
    (
        "reuters-1",
        date(2024, 1, 25),
        "Reuters",
        "Polish President Andrzej Duda spoke by phone with Ukrainian President Volodymyr "
        "Zelenskyy on Thursday. The call lasted an hour, according to a statement from Warsaw.",
    ),
    (
        "ap-7",
        date(2024, 1, 25),
        "Associated Press",
        "WARSAW (AP) — Andrzej Duda held a telephone conversation with Volodymyr Zelenskyy, "
        "the Polish president's office said.",
    ),
    (
        "kyivindependent-3",
        date(2024, 1, 26),
        "Kyiv Independent",
        "On Thursday, Polish President Andrzej Duda held a phone call with President "
        "Volodymyr Zelenskyy. The call came amid a dispute over grain imports.",
    ),
]


def _documents() -> list[Document]:
    return [
        Document(doc_id=i, text=clean_text(t), date=d, source=src, origin=f"{i}.txt")
        for i, d, src, t in THREE_REPORTS
    ]


def test_three_articles_about_one_call_give_one_event(coder: Coder, db_url: str) -> None:
    with open_store(db_url) as store:
        store.write_many(coder.code_documents(_documents()), coder_version=coder.version)
        assert store.refresh_events() > 0
        calls = list(store.query_events(EventFilter(source="POLGOV", target="UKRGOV")))
        assert len(calls) == 1, calls
        call = calls[0]
        assert call["reports"]["articles"] == 3
        assert call["reports"]["mentions"] == 3
        assert call["reports"]["sources"] == 3
        assert call["plover"]["event"] == "CONSULT"
        assert call["date"] == "2024-01-25"
        mentions = list(store.query_mentions(EventFilter(event_id=call["event_id"])))
        assert sorted(m["doc_id"] for m in mentions) == ["ap-7", "kyivindependent-3", "reuters-1"]
        for mention, doc in zip(
            sorted(mentions, key=lambda m: m["doc_id"]),
            sorted(_documents(), key=lambda d: d.doc_id),
            strict=True,
        ):
            evidence = mention["evidence"]
            assert doc.text[evidence["start"] : evidence["end"]] == evidence["sentence"]
            assert mention["merged_into"] == call["event_id"]
        # every article's events can still be reached from the article
        assert [e["event_id"] for e in store.query_events(EventFilter(doc_id="ap-7"))] == [
            call["event_id"]
        ]


def test_events_command_shows_events_by_default_and_mentions_on_request(
    coder: Coder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "e.db")
    with open_store(db) as store:
        store.write_many(coder.code_documents(_documents()), coder_version=coder.version)
        # no refresh: as if the run had been killed just after writing
    assert main(["events", "--db", db, "--source", "POLGOV", "--format", "jsonl"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["reports"]["articles"] for e in events] == [3]
    argv = ["events", "--db", db, "--source", "POLGOV", "--mentions", "--format", "jsonl"]
    assert main(argv) == 0
    mentions = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(mentions) == 3
    assert {m["merged_into"] for m in mentions} == {events[0]["event_id"]}
    assert main(["events", "--db", db, "--source", "POLGOV", "--format", "gdelt"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    fields = dict(zip(header.split("\t"), row.split("\t"), strict=True))
    assert (fields["NumMentions"], fields["NumSources"], fields["NumArticles"]) == ("3", "3", "3")


# -- the rule, on stored mentions made by hand ---------------------------------------------


def _event(
    doc_id: str,
    day: date,
    cameo: str = "041",
    *,
    start: int = 0,
    source: str = "POLGOV",
    precision: str = "day",
) -> Event:
    return Event(
        doc_id=doc_id,
        date=day,
        date_precision=precision,
        source=Actor(text="Duda", code=source, country="POL", sector="GOV", start=start),
        target=Actor(text="Zelenskyy", code="UKRGOV", country="UKR", sector="GOV", start=9),
        cameo=cameo,
        goldstein=1.0,
        quad_class=1,
        plover=Plover(event="CONSULT", mode="phone"),
        modality=Modality(),
        evidence=Evidence("Duda called Zelenskyy.", 0, 22, "called", 5, 11),
        confidence=0.8,
        rule="test",
        coder_version="test",
    )


def _write(store: EventStore, doc_id: str, day: date, *events: Event, source: str = "") -> None:
    doc = Document(doc_id=doc_id, text="Duda called Zelenskyy.", date=day, source=source or None)
    store.write_document(doc, list(events), coder_version="test")


def _events_table(store: EventStore) -> list[dict[str, object]]:
    store.refresh_events()
    return sorted(store.query_events(), key=lambda e: e["event_id"])


def test_dates_within_a_day_of_the_first_report_merge(db_url: str) -> None:
    d0 = date(2024, 1, 25)
    with open_store(db_url) as store:
        for i, offset in enumerate([0, 1, 1, 2, 3, 7]):
            day = d0 + timedelta(days=offset)
            _write(store, f"d{i}", day, _event(f"d{i}", day), source=f"outlet{i % 2}")
        events = _events_table(store)
    spans = sorted((e["reports"]["first_date"], e["reports"]["mentions"]) for e in events)
    # 25+26+26 | 27+28 | 1 Feb
    assert spans == [("2024-01-25", 3), ("2024-01-27", 2), ("2024-02-01", 1)]
    assert {e["reports"]["sources"] for e in events if e["reports"]["mentions"] > 1} == {2}


def test_merge_does_not_depend_on_the_order_of_coding(tmp_path: Path) -> None:
    d0 = date(2024, 3, 1)
    docs = [(f"d{i}", d0 + timedelta(days=i % 5)) for i in range(12)]
    results = []
    for seed in (1, 2):
        order = docs[:]
        random.Random(seed).shuffle(order)
        with open_store(str(tmp_path / f"{seed}.db")) as store:
            for doc_id, day in order:
                _write(store, doc_id, day, _event(doc_id, day))
                store.refresh_events()  # refresh after every write, in a different order
            results.append(_events_table(store))
    assert results[0] == results[1]


def test_recoding_a_document_updates_its_events(db_url: str) -> None:
    day = date(2024, 1, 25)
    with open_store(db_url) as store:
        _write(store, "a", day, _event("a", day))
        _write(store, "b", day, _event("b", day))
        assert [e["reports"]["articles"] for e in _events_table(store)] == [2]
        _write(store, "b", day)  # recoded: the event is gone from "b"
        assert [e["reports"]["articles"] for e in _events_table(store)] == [1]
        store.delete_document("a")
        assert _events_table(store) == []
        assert store.counts().stale_groups == 0


def test_unknown_actors_and_coarse_dates_do_not_merge(db_url: str) -> None:
    day = date(2024, 1, 1)
    with open_store(db_url) as store:
        _write(store, "a", day, _event("a", day, source="---"))
        _write(store, "b", day, _event("b", day, source="---"))
        _write(store, "c", day, _event("c", day, precision="year"))  # "in 2024"
        _write(store, "d", day, _event("d", day))
        events = _events_table(store)
    assert sorted(e["reports"]["mentions"] for e in events) == [1, 1, 1, 1]


def test_a_recoded_mention_moves_between_events(db_url: str) -> None:
    day = date(2024, 1, 25)
    with open_store(db_url) as store:
        _write(store, "a", day, _event("a", day, "041"))
        _write(store, "b", day, _event("b", day, "041"))
        _write(store, "c", day, _event("c", day, "112"))
        assert sorted(e["reports"]["articles"] for e in _events_table(store)) == [1, 2]
        _write(store, "b", day, _event("b", day, "111"))  # b now reads as a criticism
        by_root = {e["cameo"][:2]: e["reports"]["articles"] for e in _events_table(store)}
        assert by_root == {"04": 1, "11": 2}
        merged = {m["doc_id"]: m["merged_into"] for m in store.query_mentions()}
        assert merged["b"] == merged["c"] != merged["a"]


def test_the_most_confident_mention_represents_the_event() -> None:
    def row(mid: str, day: int, cameo: str, confidence: float = 0.5) -> MentionRow:
        return MentionRow(mid, mid, date(2024, 1, day), cameo, confidence, 0, 0, "doc:" + mid)

    # equal confidence: the code most mentions share, then the earliest
    [event] = cluster("g", [row("c", 2, "042"), row("a", 1, "040"), row("b", 2, "042")])
    assert event.representative.mention_id == "b"
    assert event.first_date == date(2024, 1, 1) and event.last_date == date(2024, 1, 2)
    assert [m.mention_id for m in event.mentions] == ["a", "b", "c"]
    # "held a telephone call" (041, 0.9) over two vaguer "consulted" (040, 0.8)
    rows = [row("a", 1, "040", 0.8), row("b", 1, "041", 0.9), row("c", 1, "040", 0.8)]
    [event] = cluster("g", rows)
    assert event.representative.mention_id == "b"
    assert event.confidence == 0.9


def test_group_key_and_source_identity() -> None:
    assert group_key("UKRMIL", "POLMIL", "04") == "UKRMIL|POLMIL|04|"
    assert group_key("UKRMIL", None, "03", intent=True) == "UKRMIL||03|i"
    assert group_key("UKR", "RUS", "19", precision="month") == "UKR|RUS|19|m"
    assert group_key("---", "RUS", "14", mention_id="m1") == "mention:m1"
    assert group_key("UKR", "---", "14", mention_id="m2") == "mention:m2"
    assert source_identity("d", None, "http://[::1") == "doc:d"  # not a URL: never raises
    assert source_identity("d", " Reuters ", None) == source_identity("e", "reuters", None)
    assert source_identity("d", None, "https://www.bbc.co.uk/news/1") == "host:bbc.co.uk"
    assert source_identity("d", None, None) == "doc:d"


def test_a_version_1_database_is_upgraded(db_url: str) -> None:
    day = date(2024, 1, 25)
    old = [_event("old", day), _event("old", day, start=5)]
    doc = Document(doc_id="old", text="Duda called Zelenskyy.", date=day, origin="x")
    write_v1_database(db_url, doc, old)
    with open_store(db_url) as store:
        assert store.counts().mentions == 2
        assert sorted(m["event_id"] for m in store.query_mentions()) == sorted(
            e.event_id for e in old
        )
        [event] = _events_table(store)
        assert event["reports"]["mentions"] == 2
        store.write_document(doc, old, coder_version="test")  # and it is written as usual
        assert (store.counts().documents, store.counts().mentions) == (1, 2)
    with open_store(db_url) as store:  # reopening changes nothing
        assert store.counts().events == 1
        with store._engine.connect() as conn:
            version = conn.execute(text("SELECT value FROM meta")).scalar_one()
    assert version == str(SCHEMA_VERSION) == "2"


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_refreshing_around_each_change_equals_merging_from_scratch(
    tmp_path: Path, seed: int
) -> None:
    # a hot group: reports on most days, coded in random order, some recoded or deleted,
    # the events refreshed (around the changed days only) after every write
    rng = random.Random(seed)
    d0 = date(2024, 1, 1)
    docs = {f"d{i:03d}": d0 + timedelta(days=rng.randrange(40)) for i in range(90)}
    with open_store(str(tmp_path / "steps.db")) as steps:
        for doc_id in rng.sample(sorted(docs), len(docs)):
            day = docs[doc_id]
            cameo = rng.choice(["040", "041", "042"])
            _write(steps, doc_id, day, _event(doc_id, day, cameo), source=f"o{rng.randrange(4)}")
            steps.refresh_events()
            if rng.random() < 0.15:
                gone = rng.choice(sorted(docs))
                steps.delete_document(gone)
                steps.refresh_events()
        final = {m["doc_id"]: m for m in steps.query_mentions()}
        stepwise = _events_table(steps)
        links = {m["event_id"]: m["merged_into"] for m in steps.query_mentions()}
    with open_store(str(tmp_path / "once.db")) as once:
        for doc_id in sorted(final):
            day = docs[doc_id]
            event = _event(doc_id, day, final[doc_id]["cameo"])
            _write(once, doc_id, day, event, source=_outlet_of(tmp_path / "steps.db", doc_id))
        assert _events_table(once) == stepwise
        assert {m["event_id"]: m["merged_into"] for m in once.query_mentions()} == links
    assert len(stepwise) > 5


def _outlet_of(db: Path, doc_id: str) -> str:
    con = sqlite3.connect(db)
    try:
        return str(
            con.execute("SELECT source FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        )
    finally:
        con.close()
