"""Duplicate reports: mentions in several articles merge into one event (both databases)."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from eventcoder.cli import main
from eventcoder.ingest import clean_text
from eventcoder.model import Actor, Document, Event, Evidence, Modality, Plover
from eventcoder.pipeline import Coder
from eventcoder.store import SCHEMA_VERSION, EventFilter, EventStore, open_store
from eventcoder.store.dedup import MentionRow, cluster, group_key, is_symmetric, source_identity
from schema_v1 import write_v1_database
from store_records import records

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


# One call, told three ways: the mutual sentence gives FRA->DEU and DEU->FRA mentions.
MUTUAL_CALL = [
    (
        "lemonde-1",
        date(2024, 1, 23),
        "Le Monde",
        "Emmanuel Macron held a call with Olaf Scholz on Tuesday.",
    ),
    (
        "dw-2",
        date(2024, 1, 23),
        "Deutsche Welle",
        "Emmanuel Macron and Olaf Scholz spoke by phone on Tuesday.",
    ),
    (
        "afp-3",
        date(2024, 1, 24),
        "AFP",
        "French President Emmanuel Macron phoned German Chancellor Olaf Scholz on Tuesday.",
    ),
]


def _documents(reports: list[tuple[str, date, str, str]] = THREE_REPORTS) -> list[Document]:
    return [
        Document(doc_id=i, text=clean_text(t), date=d, source=src, origin=f"{i}.txt")
        for i, d, src, t in reports
    ]


def test_three_articles_about_one_call_give_one_event(coder: Coder, db_url: str) -> None:
    with open_store(db_url) as store:
        store.write_many(coder.code_documents(_documents()), coder_version=coder.version)
        assert store.refresh_events() > 0
        calls = list(records(store.query_events(EventFilter(source="POLGOV", target="UKRGOV"))))
        assert len(calls) == 1, calls
        call = calls[0]
        assert call["reports"]["articles"] == 3
        assert call["reports"]["mentions"] == 3
        assert call["reports"]["sources"] == 3
        assert call["plover"]["event"] == "CONSULT"
        assert call["date"] == "2024-01-25"
        mentions = list(records(store.query_mentions(EventFilter(event_id=call["event_id"]))))
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
        assert [e["event_id"] for e in records(store.query_events(EventFilter(doc_id="ap-7")))] == [
            call["event_id"]
        ]


def test_a_mutual_call_told_both_ways_gives_one_event(coder: Coder, db_url: str) -> None:
    with open_store(db_url) as store:
        docs = _documents(MUTUAL_CALL)
        store.write_many(coder.code_documents(docs), coder_version=coder.version)
        store.refresh_events()
        mentions = list(records(store.query_mentions()))
        dyads = {(m["source"]["code"], m["target"]["code"]) for m in mentions}
        assert dyads == {("FRAGOV", "DEUGOV"), ("DEUGOV", "FRAGOV")}, mentions
        [call] = list(records(store.query_events()))
        assert call["plover"]["event"] == "CONSULT"
        assert call["date"] == "2024-01-23"
        assert call["reports"]["articles"] == 3
        assert call["reports"]["sources"] == 3
        assert call["reports"]["mentions"] == len(mentions) == 4  # dw-2: both directions
        assert {m["merged_into"] for m in mentions} == {call["event_id"]}
        [representative] = [m for m in mentions if m["event_id"] == call["reports"]["mention_id"]]
        assert call["source"] == representative["source"]
        assert call["target"] == representative["target"]


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
    target: str = "UKRGOV",
    precision: str = "day",
    confidence: float = 0.8,
) -> Event:
    return Event(
        doc_id=doc_id,
        date=day,
        date_precision=precision,
        source=Actor(text="Duda", code=source, country=source[:3], sector="GOV", start=start),
        target=Actor(text="Zelenskyy", code=target, country=target[:3], sector="GOV", start=9),
        cameo=cameo,
        goldstein=1.0,
        quad_class=1,
        plover=Plover(event="CONSULT", mode="phone"),
        modality=Modality(),
        evidence=Evidence("Duda called Zelenskyy.", 0, 22, "called", 5, 11),
        confidence=confidence,
        rule="test",
        coder_version="test",
    )


def _write(store: EventStore, doc_id: str, day: date, *events: Event, source: str = "") -> None:
    doc = Document(doc_id=doc_id, text="Duda called Zelenskyy.", date=day, source=source or None)
    store.write_document(doc, list(events), coder_version="test")


def _events_table(store: EventStore) -> list[dict[str, Any]]:
    store.refresh_events()
    return sorted(records(store.query_events()), key=lambda e: e["event_id"])


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
        merged = {m["doc_id"]: m["merged_into"] for m in records(store.query_mentions())}
        assert merged["b"] == merged["c"] != merged["a"]


def _mutual_call(store: EventStore) -> None:
    """Three outlets on one call: FRA->DEU 041, DEU->FRA 040, FRA->DEU 041 (a day later)."""
    day = date(2024, 1, 23)
    for doc_id, when, source, target, cameo in [
        ("lemonde", day, "FRAGOV", "DEUGOV", "041"),
        ("dw", day, "DEUGOV", "FRAGOV", "040"),
        ("afp", day + timedelta(days=1), "FRAGOV", "DEUGOV", "041"),
    ]:
        event = _event(doc_id, when, cameo, source=source, target=target)
        _write(store, doc_id, when, event, source=doc_id)


def test_a_mutual_event_merges_whichever_way_round_it_was_coded(db_url: str) -> None:
    with open_store(db_url) as store:
        _mutual_call(store)
        [event] = _events_table(store)
        assert (event["reports"]["articles"], event["reports"]["sources"]) == (3, 3)
        # the representative (equal confidence: the code most articles give, then the
        # earliest) keeps its own direction, and so does each mention
        assert (event["source"]["code"], event["target"]["code"], event["cameo"]) == (
            "FRAGOV",
            "DEUGOV",
            "041",
        )
        dyads = {
            m["doc_id"]: (m["source"]["code"], m["cameo"]) for m in records(store.query_mentions())
        }
        assert dyads == {
            "lemonde": ("FRAGOV", "041"),
            "dw": ("DEUGOV", "040"),
            "afp": ("FRAGOV", "041"),
        }


def test_a_directed_event_keeps_its_direction(db_url: str) -> None:
    day = date(2024, 1, 23)
    with open_store(db_url) as store:
        _write(store, "a", day, _event("a", day, "042", source="FRAGOV", target="DEUGOV"))
        _write(store, "b", day, _event("b", day, "042", source="DEUGOV", target="FRAGOV"))
        # a call and a visit of the same dyad and day: the same root, never one event
        _write(store, "c", day, _event("c", day, "041", source="FRAGOV", target="DEUGOV"))
        events = _events_table(store)
    assert sorted((e["source"]["code"], e["cameo"]) for e in events) == [
        ("DEUGOV", "042"),
        ("FRAGOV", "041"),
        ("FRAGOV", "042"),
    ]
    assert [e["reports"]["mentions"] for e in events] == [1, 1, 1]


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
    # "Duda held a call" with no date in the sentence: the article's day stands in
    assert group_key("UKR", "RUS", "19", precision="publication") == "UKR|RUS|19|"
    assert group_key("---", "RUS", "14", mention_id="m1") == "mention:m1"
    assert group_key("UKR", "---", "14", mention_id="m2") == "mention:m2"
    # mutual codes: the sorted dyad, marked apart from the directed groups of the root
    mutual = group_key("FRAGOV", "DEUGOV", "04", symmetric=True)
    assert mutual == group_key("DEUGOV", "FRAGOV", "04", symmetric=True) == "sym:DEUGOV|FRAGOV|04|"
    assert mutual != group_key("DEUGOV", "FRAGOV", "04") != group_key("FRAGOV", "DEUGOV", "04")
    assert group_key("FRA", "DEU", "06", symmetric=True, intent=True, precision="month") == (
        "sym:DEU|FRA|06|im"
    )
    assert group_key("---", "DEU", "04", symmetric=True, mention_id="m3") == "mention:m3"
    assert group_key("FRA", "---", "04", symmetric=True, mention_id="m4") == "mention:m4"
    assert group_key("FRA", None, "04", symmetric=True) == "FRA||04|"  # no dyad to order
    assert [is_symmetric(c) for c in ("041", "040", "057", "0871", "042", "045", "999")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
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
        assert sorted(m["event_id"] for m in records(store.query_mentions())) == sorted(
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
    assert version == str(SCHEMA_VERSION) == "6"


def _with_schema_2_keys(store: EventStore) -> None:
    """Make ``store`` what schema 2 left: every group key by the directed rule (and a
    publication date as a flag of its own), its events refreshed, one stale mark of a
    killed run left over, and version 2."""
    with store._engine.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT mention_id, source_code, target_code, cameo_root, date_precision, "
                "negated, intent, hypothetical FROM mentions"
            )
        ).all()
        for row in rows:
            old = group_key(
                row.source_code,
                row.target_code,
                row.cameo_root,
                negated=bool(row.negated),
                intent=bool(row.intent),
                hypothetical=bool(row.hypothetical),
                precision="p" if row.date_precision == "publication" else row.date_precision,
                mention_id=row.mention_id,
            )
            conn.execute(
                text("UPDATE mentions SET group_key = :key WHERE mention_id = :id"),
                {"key": old, "id": row.mention_id},
            )
        conn.execute(text("DELETE FROM events"))
        conn.execute(text("DELETE FROM stale_groups"))
        conn.execute(
            text(
                "INSERT INTO stale_groups (group_key, day) "
                "SELECT DISTINCT group_key, date FROM mentions"
            )
        )
    store.refresh_events()
    with store._engine.begin() as conn:
        conn.execute(
            text("INSERT INTO stale_groups (group_key, day) VALUES ('FRAGOV|DEUGOV|04|', :day)"),
            {"day": date(2024, 1, 23)},
        )
        conn.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))


def test_a_version_2_database_is_regrouped(db_url: str, tmp_path: Path) -> None:
    day = date(2024, 1, 23)

    def fill(store: EventStore) -> None:
        _mutual_call(store)
        # dw also reports a visit (directed, DEU->FRA); reuters one FRA->DEU that shared
        # the call's old group: it stays there when the call's mentions move out
        dw = [
            _event("dw", day, "040", source="DEUGOV", target="FRAGOV"),
            _event("dw", day, "042", source="DEUGOV", target="FRAGOV", start=30),
        ]
        _write(store, "dw", day, *dw, source="dw")
        visit = _event("reuters", day, "042", source="FRAGOV", target="DEUGOV", confidence=0.9)
        _write(store, "reuters", day, visit, source="reuters")
        # tass's call has no date in its sentence: the article's date stood in
        call = _event("tass", day, "041", source="DEUGOV", target="FRAGOV", precision="publication")
        _write(store, "tass", day, call, source="tass")

    with open_store(db_url) as store:
        fill(store)
        _with_schema_2_keys(store)
        before = sorted(
            (e["source"]["code"], e["reports"]["articles"]) for e in records(store.query_events())
        )
        assert before == [("DEUGOV", 1), ("DEUGOV", 1), ("FRAGOV", 3)]  # the call in three
    with open_store(db_url) as store:
        with store._engine.connect() as conn:
            version = conn.execute(text("SELECT value FROM meta")).scalar_one()
            found = conn.execute(text("SELECT cameo, group_key FROM mentions WHERE doc_id = 'dw'"))
            keys = {cameo: key for cameo, key in found}
        assert version == str(SCHEMA_VERSION)
        assert keys == {"040": "sym:DEUGOV|FRAGOV|04|", "042": "DEUGOV|FRAGOV|04|"}
        assert store.counts().stale_groups == 4
        regrouped = _events_table(store)
        assert store.counts().stale_groups == 0
        links = {m["event_id"]: m["merged_into"] for m in records(store.query_mentions())}
    with open_store(str(tmp_path / "fresh.db")) as fresh:  # as if written by this version
        fill(fresh)
        assert regrouped == _events_table(fresh)
        assert {m["event_id"]: m["merged_into"] for m in records(fresh.query_mentions())} == links
    summary = sorted((e["cameo"], e["source"]["code"], e["reports"]["articles"]) for e in regrouped)
    assert summary == [("041", "FRAGOV", 4), ("042", "DEUGOV", 1), ("042", "FRAGOV", 1)]


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
        final = {m["doc_id"]: m for m in records(steps.query_mentions())}
        stepwise = _events_table(steps)
        links = {m["event_id"]: m["merged_into"] for m in records(steps.query_mentions())}
    with open_store(str(tmp_path / "once.db")) as once:
        for doc_id in sorted(final):
            day = docs[doc_id]
            event = _event(doc_id, day, final[doc_id]["cameo"])
            _write(once, doc_id, day, event, source=_outlet_of(tmp_path / "steps.db", doc_id))
        assert _events_table(once) == stepwise
        assert {m["event_id"]: m["merged_into"] for m in records(once.query_mentions())} == links
    assert len(stepwise) > 5


def _outlet_of(db: Path, doc_id: str) -> str:
    con = sqlite3.connect(db)
    try:
        return str(
            con.execute("SELECT source FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        )
    finally:
        con.close()


# -- dates at the ends of the calendar: one record never makes the store unreadable --------


def test_merge_window_is_capped_at_the_ends_of_the_calendar() -> None:
    def row(mention_id: str, day: date) -> MentionRow:
        return MentionRow(mention_id, mention_id, day, "041", 0.5, 0, 0, "doc:" + mention_id)

    near_end = [row("a", date.max - timedelta(days=1)), row("b", date.max), row("c", date.max)]
    (event,) = cluster("G", near_end)
    assert (event.first_date, event.last_date, event.n_mentions) == (
        date.max - timedelta(1),
        date.max,
        3,
    )
    first, second = cluster("G", [row("x", date.min), row("y", date.min + timedelta(days=2))])
    assert (first.first_date, second.first_date) == (date.min, date.min + timedelta(days=2))


@pytest.mark.parametrize("day", [date.max, date.min], ids=["9999-12-31", "0001-01-01"])
def test_a_stored_mention_at_a_calendar_end_keeps_the_store_readable(
    db_url: str, day: date
) -> None:
    """Dates the readers refuse can still reach the store (the API, an older version, SQL):
    refreshing and reading must go on working, also when the group changes again."""
    ordinary = date(2024, 1, 25)
    with open_store(db_url) as store:
        _write(store, "ok", ordinary, _event("ok", ordinary))
        _write(store, "far1", day, _event("far1", day))
        assert store.refresh_events() == 1
        _write(store, "far2", day, _event("far2", day, start=3))
        assert store.refresh_events() == 1
        _write(store, "far3", day, _event("far3", day, start=5))  # the event on `day` is replaced
        assert store.refresh_events() == 1
        events = sorted(records(store.query_events()), key=lambda e: e["date"])
        assert [(e["date"], e["reports"]["mentions"]) for e in events] == sorted(
            [(ordinary.isoformat(), 1), (day.isoformat(), 3)]
        )
        assert len(list(records(store.query_mentions(EventFilter(since=day, until=day))))) == 3
        assert store.delete_document("far3")
        store.refresh_events()
        assert sorted(e["reports"]["mentions"] for e in records(store.query_events())) == [1, 2]


def test_events_command_lists_a_database_holding_a_9999_12_31_mention(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "far.db")
    with open_store(db) as store:
        _write(store, "far", date.max, _event("far", date.max))
        _write(store, "old", date.min, _event("old", date.min, start=2))
        # no refresh: `eventcoder events` finds the groups stale
    for argv in (["events", "--db", db, "--format", "jsonl"], ["events", "--db", db]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "9999-12-31" in out and "0001-01-01" in out
    assert main(["events", "--db", db, "--mentions", "--format", "jsonl"]) == 0
    dates = [json.loads(line)["date"] for line in capsys.readouterr().out.splitlines()]
    assert dates == ["0001-01-01", "9999-12-31"]
