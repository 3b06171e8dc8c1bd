"""Tests of the event store.

Every test that takes ``store`` or ``db_url`` runs twice: on an SQLite file in tmp_path
and on a fresh database of the session's throwaway PostgreSQL server (see conftest.py;
skipped without server binaries, except in CI). Tests without them are SQLite-only by
nature (file paths, WAL, ``:memory:``, a broken file) or need no database at all.
PostgreSQL-only checks (connection errors, one document written by two workers at
once, column limits, upgrading a version-1 database) are in test_postgres.py, the
deduplicated events in test_dedup.py. Here, the events as coded from each article (the
store's "mentions") are checked.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy import event as sa_event

from eventcoder.errors import StoreError
from eventcoder.ingest.clean import clean_text, latest_document_date
from eventcoder.model import Actor, Document, Event, Evidence, Modality, Plover
from eventcoder.store import SCHEMA_VERSION, EventFilter, EventStore, open_store
from eventcoder.store.schema import documents as documents_t
from store_records import records

VERSION = "test-1"


def make_doc(doc_id: str = "d1", text_: str = "Some text.", day: int = 1) -> Document:
    return Document(doc_id=doc_id, text=text_, date=date(2024, 1, day), title="T", origin="x")


def make_actor(code: str, text_: str, start: int = 0) -> Actor:
    country = code[:3] if code != "---" else None
    sector = code[3:] or None if code != "---" else None
    return Actor(text=text_, code=code, country=country, sector=sector, start=start)


def make_event(
    doc_id: str = "d1",
    *,
    day: int = 1,
    source: tuple[str, str] | None = ("UKRMIL", "Zaluzhnyi"),
    target: tuple[str, str] | None = ("POLMIL", "Kukula"),
    cameo: str = "041",
    plover: str = "CONSULT",
    mode: str | None = "phone",
    context: tuple[str, ...] = ("military",),
    start: int = 0,
    trigger_start: int = 5,
    goldstein: float = 1.0,
    confidence: float = 0.9,
    version: str = VERSION,
) -> Event:
    return Event(
        doc_id=doc_id,
        date=date(2024, 1, day),
        date_precision="day",
        source=make_actor(*source, start=start) if source else None,
        target=make_actor(*target, start=start + 1) if target else None,
        cameo=cameo,
        goldstein=goldstein,
        quad_class=1,
        plover=Plover(event=plover, mode=mode, context=context),
        modality=Modality(),
        evidence=Evidence(
            sentence="Zaluzhnyi called Kukula.",
            start=start,
            end=start + 24,
            trigger="called",
            trigger_start=trigger_start,
            trigger_end=trigger_start + 6,
        ),
        confidence=confidence,
        rule="test-rule",
        coder_version=version,
    )


@pytest.fixture
def store(db_url: str) -> Iterator[EventStore]:
    with open_store(db_url) as s:
        yield s


def sql(store: EventStore, statement: str, **params: Any) -> list[Any]:
    """Run raw SQL on the store's database (committed); return the rows, if any."""
    with store._engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return list(result) if result.returns_rows else []


def ids(records: Iterable[dict[str, Any]]) -> list[str]:
    return [r["event_id"] for r in records]


def stored(store: EventStore) -> tuple[int, int]:
    """(documents, mentions): the documents and their events as coded, one per article."""
    counts = store.counts()
    return counts.documents, counts.mentions


def mentions(store: EventStore, flt: EventFilter | None = None) -> list[dict[str, Any]]:
    """The stored mentions as Event.to_record() made them (without what a query adds:
    ``merged_into`` and the document's ``url``)."""
    added = {"merged_into", "url"}
    return [
        {k: v for k, v in r.items() if k not in added} for r in records(store.query_mentions(flt))
    ]


# -- opening -------------------------------------------------------------------------


def test_open_creates_tables_and_schema_version(db_url: str) -> None:
    with open_store(db_url) as s:
        assert stored(s) == (0, 0)
        assert s.dialect == db_url.split(":")[0].split("+")[0]
        found = inspect(s._engine)
        assert {"meta", "documents", "mentions", "events"} <= set(found.get_table_names())
        indexes = {ix["name"] for ix in found.get_indexes("events")}
        assert {"ix_events_date", "ix_events_cameo_root"} <= indexes
        assert sql(s, "select value from meta where key = 'schema_version'") == [
            (str(SCHEMA_VERSION),)
        ]


def test_open_sqlite_file_in_new_directory_with_wal(tmp_path: Path) -> None:  # SQLite-only
    db = tmp_path / "sub" / "events.db"
    with open_store(str(db)) as s:
        assert stored(s) == (0, 0)
        assert s.url == f"sqlite:///{db.resolve()}"
        assert s.dialect == "sqlite"
    con = sqlite3.connect(db)
    try:
        assert con.execute("pragma journal_mode").fetchone() == ("wal",)
    finally:
        con.close()


def test_open_by_url_and_reopen(db_url: str) -> None:
    with open_store(db_url) as s:
        s.write_document(make_doc(), [make_event()])
    with open_store(db_url) as s:
        assert stored(s) == (1, 1)
        assert ids(mentions(s)) == [make_event().event_id]


def test_open_memory() -> None:  # SQLite-only
    with open_store(":memory:") as s:
        s.write_document(make_doc(), [make_event()])
        assert stored(s) == (1, 1)
        assert "memory" in s.url


def test_foreign_keys_on(store: EventStore) -> None:
    store.write_document(make_doc(), [make_event()])
    if store.dialect == "sqlite":  # PostgreSQL always enforces them
        assert sql(store, "pragma foreign_keys") == [(1,)]
    sql(store, "delete from documents where doc_id = 'd1'")
    assert stored(store) == (0, 0)  # cascaded


def test_open_not_a_database(tmp_path: Path) -> None:  # SQLite-only
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match=r"junk\.db"):
        open_store(str(bad))


def test_open_directory(tmp_path: Path) -> None:  # SQLite-only
    with pytest.raises(StoreError, match="cannot open database"):
        open_store(str(tmp_path))


def test_open_bad_url_and_missing_driver() -> None:
    with pytest.raises(StoreError, match="nosuchdb"):
        open_store("nosuchdb://x/y")
    if importlib.util.find_spec("psycopg") is None:
        with pytest.raises(StoreError, match="psycopg") as info:
            open_store("postgresql+psycopg://user:secret@localhost/events")
        assert "secret" not in str(info.value)


def test_open_newer_schema_refused(db_url: str) -> None:
    open_store(db_url).close()
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("update meta set value = '999' where key = 'schema_version'"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="schema version 999"):
        open_store(db_url)


def test_url_hides_password(tmp_path: Path) -> None:
    # sqlite URLs have no password; check the non-sqlite branch of the description
    from sqlalchemy.engine import make_url

    from eventcoder.store.engine import describe_url

    assert "***" in describe_url(make_url("postgresql+psycopg://u:secret@h/db"))
    assert "secret" not in describe_url(make_url("postgresql+psycopg://u:secret@h/db"))


# -- writing -------------------------------------------------------------------------


def test_write_is_idempotent(store: EventStore) -> None:
    doc = make_doc()
    evs = [make_event(trigger_start=5), make_event(trigger_start=50)]
    store.write_document(doc, evs)
    store.write_document(doc, evs)
    assert stored(store) == (1, 2)
    assert mentions(store) == [e.to_record() for e in evs]


def test_rewrite_replaces_events(store: EventStore) -> None:
    doc = make_doc()
    store.write_document(doc, [make_event(trigger_start=5), make_event(trigger_start=50)])
    store.write_document(doc, [make_event(trigger_start=70)])
    assert stored(store) == (1, 1)
    (record,) = mentions(store)
    assert record["evidence"]["trigger_start"] == 70
    store.write_document(doc, [])
    assert stored(store) == (1, 0)


def test_rewrite_from_another_connection_and_store(db_url: str) -> None:
    doc, evs = make_doc(), [make_event(trigger_start=5), make_event(trigger_start=50)]
    with open_store(db_url) as first, open_store(db_url) as second:
        first.write_many([(doc, evs)] * 3, batch_size=2)
        second.write_document(doc, evs)
        first.write_document(doc, evs)
        assert stored(first) == stored(second) == (1, 2)
        assert mentions(second) == [e.to_record() for e in evs]


def test_duplicate_event_ids_kept_once(store: EventStore) -> None:
    ev = make_event()
    store.write_document(make_doc(), [ev, ev, make_event(trigger_start=9), ev])
    assert stored(store) == (1, 2)
    assert sql(store, "select n_events from documents") == [(2,)]


def test_event_of_other_document_rejected(store: EventStore) -> None:
    with pytest.raises(StoreError, match="belongs to document"):
        store.write_document(make_doc("d1"), [make_event("d2")])
    assert stored(store) == (0, 0)


def test_failure_mid_write_leaves_previous_state(store: EventStore) -> None:
    doc = make_doc()
    old = [make_event(trigger_start=5), make_event(trigger_start=50)]
    store.write_document(doc, old)
    changed = make_doc(text_="Changed text.")

    def fail_on_event_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO MENTIONS"):
            raise RuntimeError("disk on fire")

    sa_event.listen(store._engine, "before_cursor_execute", fail_on_event_insert)
    try:
        with pytest.raises(RuntimeError, match="disk on fire"):
            store.write_document(changed, [make_event(trigger_start=7)])
    finally:
        sa_event.remove(store._engine, "before_cursor_execute", fail_on_event_insert)
    # the delete of old events and the document update were rolled back
    assert stored(store) == (1, 2)
    assert ids(mentions(store)) == [e.event_id for e in old]
    assert store.is_current(doc, VERSION)
    assert not store.is_current(changed, VERSION)


def test_unserialisable_event_stores_nothing(store: EventStore) -> None:
    with pytest.raises(StoreError, match="d9"):
        store.write_document(
            make_doc("d9"),
            [make_event("d9"), make_event("d9", goldstein=float("nan"), trigger_start=8)],
        )
    assert stored(store) == (0, 0)


def test_is_current(store: EventStore) -> None:
    doc = make_doc()
    assert not store.is_current(doc, VERSION)
    store.write_document(doc, [make_event()])
    assert store.is_current(doc, VERSION)
    assert not store.is_current(doc, "test-2")
    assert not store.is_current(make_doc(text_="Other text."), VERSION)
    # a document without events records the version given explicitly
    empty = make_doc("d2")
    store.write_document(empty, [], coder_version=VERSION)
    assert store.is_current(empty, VERSION)
    store.write_document(empty, [])
    assert not store.is_current(empty, VERSION)


def test_write_many_batches(store: EventStore) -> None:
    items = [(make_doc(f"d{i}"), [make_event(f"d{i}")]) for i in range(7)]
    assert store.write_many(items, batch_size=3) == 7
    assert store.write_many(iter(items), batch_size=3) == 7
    assert stored(store) == (7, 7)


def test_write_many_bad_document(store: EventStore) -> None:
    items = [(make_doc(f"d{i}"), [make_event(f"d{i}")]) for i in range(5)]
    items[2] = (make_doc("d2"), [make_event("d2", confidence=float("inf"))])
    failed: list[str] = []
    written = store.write_many(items, batch_size=4, on_error=lambda d, e: failed.append(d.doc_id))
    assert written == 4
    assert failed == ["d2"]
    assert stored(store) == (4, 4)


def test_write_many_raises_without_on_error(store: EventStore) -> None:
    items = [(make_doc(f"d{i}"), [make_event(f"d{i}")]) for i in range(5)]
    items[2] = (make_doc("d2"), [make_event("d1")])
    with pytest.raises(StoreError, match="d2"):
        store.write_many(items, batch_size=10)
    assert stored(store) == (2, 2)  # d0 and d1 stored, nothing of d2


def test_delete_document(store: EventStore) -> None:
    store.write_document(make_doc(), [make_event()])
    assert store.delete_document("d1")
    assert not store.delete_document("d1")
    assert stored(store) == (0, 0)


def test_unicode_and_emoji_round_trip(store: EventStore) -> None:
    text_ = "Залужний 🇺🇦 and Wiesław Kukuła 🇵🇱 spoke (電話) — “naïve” café 👍🏽."
    doc = Document(doc_id="doc-ü-🇺🇦", text=text_, date=date(2024, 1, 25), title="Łódź ✓")
    ev = make_event(
        "doc-ü-🇺🇦",
        day=25,
        source=("UKRMIL", "Залужний 🇺🇦"),
        target=("POLMIL", "Wiesław Kukuła 🇵🇱"),
    )
    store.write_document(doc, [ev])
    assert mentions(store) == [ev.to_record()]
    assert ids(mentions(store, EventFilter(actor="kukuła 🇵🇱"))) == [ev.event_id]
    assert ids(mentions(store, EventFilter(actor="Залужний"))) == [ev.event_id]
    assert ids(mentions(store, EventFilter(doc_id="doc-ü-🇺🇦"))) == [ev.event_id]
    assert sql(store, "select text, title from documents") == [(text_, "Łódź ✓")]
    assert store.is_current(doc, VERSION)


def test_nul_character(store: EventStore) -> None:
    # Ingest cleans control characters away, so coded documents never carry a NUL ...
    assert clean_text("Kyiv\x00 said\x00.") == "Kyiv said."
    # ... but the Python API takes any Document: PostgreSQL text cannot hold U+0000.
    store.write_document(make_doc("good"), [make_event("good")])
    bad = make_doc("bad", text_="Zaluzhnyi\x00 called.")
    bad_events = [make_event("bad", source=("UKRMIL", "Zalu\x00zhnyi"))]
    if store.dialect == "sqlite":
        store.write_document(bad, bad_events)
        assert sql(store, "select text from documents where doc_id = 'bad'") == [(bad.text,)]
        return
    with pytest.raises(StoreError, match=r"document 'bad'.*NUL") as info:
        store.write_document(bad, bad_events)
    assert "\n" not in str(info.value)  # one line, no driver traceback
    assert stored(store) == (1, 1)
    failed: list[str] = []
    items = [(bad, bad_events), (make_doc("next"), [make_event("next")])]
    assert store.write_many(items, on_error=lambda d, e: failed.append(d.doc_id)) == 1
    assert failed == ["bad"]
    assert stored(store) == (2, 2)


def test_concurrent_reader_while_writing(store: EventStore) -> None:
    # More events than the store fetches per round trip, in distinct dyads, so that the
    # reader is still fetching from the database while the writer commits.
    many = [
        make_event("a", source=(f"X{i:04d}", f"actor {i}"), trigger_start=i) for i in range(1200)
    ]
    store.write_document(make_doc("a"), many)
    before = list(records(store.query_mentions()))
    assert len(before) == 1200
    errors: list[BaseException] = []

    def write() -> None:
        try:
            store.write_document(make_doc("a"), [make_event("a", trigger_start=7)])
            store.write_document(make_doc("b", day=2), [make_event("b", day=2)])
        except BaseException as exc:
            errors.append(exc)

    reader = store.query_mentions()
    first = next(reader).to_record()
    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    writer.join(timeout=30)
    assert not writer.is_alive(), "the writer is blocked by an open reader"
    assert errors == []
    assert [first, *records(reader)] == before  # the reader kept its snapshot
    assert stored(store) == (2, 2)
    assert len(mentions(store)) == 2


@contextlib.contextmanager
def overlapping(store: EventStore, statement: str, timeout: float = 1) -> Iterator[None]:
    """Make two threads overlap: each waits for the other after its first statement
    matching the regular expression ``statement`` (if the store makes one thread wait
    for the other's lock instead, the pause just times out)."""
    both_there = threading.Barrier(2, timeout=timeout)
    paused = threading.local()

    def pause(conn: Any, cursor: Any, executed: str, *args: Any) -> None:
        if not getattr(paused, "done", False) and re.match(statement, executed, re.I):
            paused.done = True
            with contextlib.suppress(threading.BrokenBarrierError):
                both_there.wait()

    sa_event.listen(store._engine, "after_cursor_execute", pause)
    try:
        yield
    finally:
        sa_event.remove(store._engine, "after_cursor_execute", pause)


def run_in_threads(*jobs: Callable[[], object]) -> list[str]:
    """Run the jobs at the same time; return the errors they raised."""
    errors: list[str] = []

    def run(job: Callable[[], object]) -> None:
        try:
            job()
        except BaseException as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=run, args=(job,), daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a writer is stuck"
    return errors


def test_concurrent_writers_of_different_documents(store: EventStore) -> None:
    with overlapping(store, r"\s*(SELECT|INSERT|UPDATE|DELETE)\b"):  # any but BEGIN
        errors = run_in_threads(
            lambda: store.write_document(make_doc("a"), [make_event("a")]),
            lambda: store.write_document(make_doc("b"), [make_event("b", trigger_start=9)]),
        )
    assert errors == []
    assert stored(store) == (2, 2)


def test_concurrent_refreshes(store: EventStore) -> None:
    # e.g. `eventcoder events` refreshes while a coding run refreshes at its end
    store.write_many([(make_doc(f"d{i}"), [make_event(f"d{i}")]) for i in range(3)])
    with overlapping(store, r"\s*DELETE FROM events\b"):
        errors = run_in_threads(store.refresh_events, store.refresh_events)
    assert errors == []
    assert store.counts().stale_groups == 0
    assert [r["reports"]["articles"] for r in records(store.query_events())] == [3]


def test_a_refresh_next_to_a_writer_loses_no_merge(store: EventStore) -> None:
    # The group is already stale (a run in progress has not refreshed yet); a writer
    # adds a mention to it while `eventcoder events` refreshes. Whatever the timing, once
    # both are done and the group refreshed, every mention is merged.
    store.write_document(make_doc("a"), [make_event("a")])
    with overlapping(store, r"\s*(INSERT INTO stale_groups|DELETE FROM stale_groups)\b"):
        errors = run_in_threads(
            lambda: store.write_document(make_doc("b"), [make_event("b")]),
            store.refresh_events,
        )
    assert errors == []
    store.refresh_events()
    assert [r["reports"]["articles"] for r in records(store.query_events())] == [2]
    assert None not in {m["merged_into"] for m in records(store.query_mentions())}


def test_mutual_mentions_keep_their_direction_and_share_a_group(store: EventStore) -> None:
    # three outlets on one call; dw's "Macron and Scholz spoke" is a mention each way
    fra, deu = ("FRAGOV", "Macron"), ("DEUGOV", "Scholz")
    coded = {
        ("lemonde", 1): [
            make_event("lemonde", day=1, source=fra, target=deu, cameo="041", confidence=0.95)
        ],
        ("dw", 1): [
            make_event("dw", day=1, source=deu, target=fra, cameo="040", mode=None),
            make_event("dw", day=1, source=fra, target=deu, cameo="040", mode=None, start=40),
        ],
        ("afp", 2): [make_event("afp", day=2, source=fra, target=deu, cameo="041")],
    }
    for (doc_id, day), evs in coded.items():
        doc = Document(doc_id=doc_id, text="Some text.", date=date(2024, 1, day), source=doc_id)
        store.write_document(doc, evs)
    assert mentions(store) == sorted(
        (ev.to_record() for evs in coded.values() for ev in evs),
        key=lambda r: (r["date"], r["doc_id"], r["evidence"]["start"]),
    )
    keys = sql(store, "select distinct group_key from mentions")
    assert keys == [("sym:DEUGOV|FRAGOV|04|",)]
    # a visit is directed: each way is a group of its own
    for doc_id, source, target in [("v1", fra, deu), ("v2", deu, fra)]:
        visit = make_event(doc_id, source=source, target=target, cameo="042", mode="visit")
        store.write_document(make_doc(doc_id), [visit])
    visits = sql(store, "select group_key from mentions where cameo = '042' order by doc_id")
    assert visits == [("FRAGOV|DEUGOV|04|",), ("DEUGOV|FRAGOV|04|",)]
    store.refresh_events()
    # the event is told as its most confident mention told it: lemonde's FRA->DEU call
    events = {e["cameo"] + e["source"]["code"]: e for e in records(store.query_events())}
    assert sorted(events) == ["041FRAGOV", "042DEUGOV", "042FRAGOV"]
    assert events["041FRAGOV"]["reports"]["articles"] == 3
    assert events["041FRAGOV"]["reports"]["mentions"] == 4
    merged = {
        m["event_id"]: m["merged_into"]
        for m in records(store.query_mentions(EventFilter(cameo="04")))
    }
    assert len(set(merged.values())) == 3


# -- reading -------------------------------------------------------------------------


@pytest.fixture
def filled(store: EventStore) -> EventStore:
    store.write_document(
        make_doc("a", day=3),
        [
            make_event("a", day=3, trigger_start=40),
            make_event("a", day=3, trigger_start=10, cameo="0431", plover="consult"),
        ],
    )
    store.write_document(
        make_doc("b", day=1),
        [
            make_event(
                "b",
                day=1,
                source=("RUSGOV", "the Kremlin"),
                target=("UKR", "Ukraine"),
                cameo="190",
                plover="ASSAULT",
                mode=None,
                context=(),
            ),
            make_event(
                "b",
                day=2,
                source=("USA", "Washington"),
                target=None,
                cameo="010",
                plover="STATEMENT",
            ),
        ],
    )
    store.write_document(
        make_doc("c", day=3),
        [make_event("c", day=3, source=("---", "protesters"), target=("FRA", "France_50%"))],
    )
    return store


def _q(store: EventStore, **kw: Any) -> list[tuple[str, int]]:
    return [
        (r["doc_id"], r["evidence"]["trigger_start"])
        for r in records(store.query_mentions(EventFilter(**kw)))
    ]


def test_query_order(filled: EventStore) -> None:
    assert _q(filled) == [("b", 5), ("b", 5), ("a", 10), ("a", 40), ("c", 5)]
    dates = [r["date"] for r in records(filled.query_mentions())]
    assert dates == sorted(dates)


def test_filter_actor(filled: EventStore) -> None:
    assert _q(filled, actor="rus") == [("b", 5)]  # code prefix, case-insensitive input
    assert _q(filled, actor="kremlin") == [("b", 5)]  # text substring
    assert _q(filled, actor="POLMIL") == [("a", 10), ("a", 40)]
    assert _q(filled, actor="_50%") == [("c", 5)]  # LIKE wildcards are literal
    assert _q(filled, actor="50%x") == []


def test_filter_actor_on_events_as_on_mentions(filled: EventStore) -> None:
    filled.refresh_events()
    for words in ("rus", "kremlin", "KREMLIN", "POLMIL", "_50%", "50%x", "e", "Washington"):
        on_events = {r["doc_id"] for r in records(filled.query_events(EventFilter(actor=words)))}
        assert on_events == {doc for doc, _ in _q(filled, actor=words)}, words
        assert filled.count_events(EventFilter(actor=words)) == len(
            list(filled.query_events(EventFilter(actor=words)))
        )


def test_filter_actor_folds_case_beyond_ascii(store: EventStore) -> None:
    ev = make_event(source=("DEUGOV", "Die Straße-Polizei"), target=("UKR", "ÖSTERREICH Ünd Ω"))
    store.write_document(make_doc(), [ev])
    store.refresh_events()
    for words in ("STRASSE", "straße", "österreich", "ünd ω"):
        assert ids(mentions(store, EventFilter(actor=words))) == [ev.event_id], words
        assert len(list(store.query_events(EventFilter(actor=words)))) == 1, words


def test_a_version_4_database_gets_its_actor_texts(db_url: str) -> None:
    with open_store(db_url) as store:
        store.write_document(make_doc(), [make_event(source=("RUS", "the Kremlin"))])
        store.refresh_events()
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:  # what schema 4 was: no actor_texts
            conn.execute(text("DROP TABLE actor_texts"))
            conn.execute(text("UPDATE meta SET value = '4' WHERE key = 'schema_version'"))
    finally:
        engine.dispose()
    with open_store(db_url) as store:
        assert [r["doc_id"] for r in records(store.query_events(EventFilter(actor="kreml")))] == [
            "d1"
        ]
        assert sql(store, "select value from meta where key = 'schema_version'") == [
            (str(SCHEMA_VERSION),)
        ]


def test_filter_country_source_target(filled: EventStore) -> None:
    assert _q(filled, country="ukr") == [("b", 5), ("a", 10), ("a", 40)]
    assert _q(filled, source="UKR") == [("a", 10), ("a", 40)]
    assert _q(filled, source="UKRGOV") == []
    assert _q(filled, target="UKR") == [("b", 5)]
    assert _q(filled, target="FRA") == [("c", 5)]


def test_filter_event_type_and_cameo(filled: EventStore) -> None:
    assert _q(filled, event_type="Consult") == [("a", 10), ("a", 40), ("c", 5)]
    assert _q(filled, event_type="assault") == [("b", 5)]
    assert _q(filled, cameo="04") == [("a", 10), ("a", 40), ("c", 5)]
    assert _q(filled, cameo="043") == [("a", 10)]
    assert _q(filled, cameo="0") == [("b", 5), ("a", 10), ("a", 40), ("c", 5)]
    assert _q(filled, cameo="19") == [("b", 5)]


def test_filter_dates_doc_limit(filled: EventStore) -> None:
    assert _q(filled, since=date(2024, 1, 2)) == [("b", 5), ("a", 10), ("a", 40), ("c", 5)]
    assert _q(filled, until=date(2024, 1, 2)) == [("b", 5), ("b", 5)]
    assert _q(filled, since=date(2024, 1, 2), until=date(2024, 1, 2)) == [("b", 5)]
    assert _q(filled, doc_id="a") == [("a", 10), ("a", 40)]
    assert _q(filled, limit=2) == [("b", 5), ("b", 5)]
    assert _q(filled, limit=0) == []
    assert _q(filled, doc_id="a", source="UKR", cameo="041") == [("a", 40)]
    with pytest.raises(ValueError):
        EventFilter(limit=-1)


def test_query_returns_full_records(filled: EventStore) -> None:
    for record in records(filled.query_mentions(EventFilter(doc_id="b"))):
        assert record["record_version"] == 1
        json.dumps(record)
    (no_target,) = records(filled.query_mentions(EventFilter(source="USA")))
    assert no_target["target"] is None


def test_several_processes_may_create_the_same_new_database(db_url: str) -> None:
    # e.g. `eventcoder code` started twice on an empty database, or Spark drivers
    def open_and_count() -> None:
        with open_store(db_url) as s:
            assert s.counts().documents == 0

    assert run_in_threads(*[open_and_count] * 6) == []


# -- odd but valid values go in and come out unchanged ---------------------------------

# no NUL (PostgreSQL text refuses it) and no lone surrogates (not encodable)
_ODD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=30,
)
_ODD_IDS = st.sampled_from(
    [
        "'; DROP TABLE documents; --",
        'say "hi"',
        "O'Brien",
        "100%_done\\",
        "Київ—Warszawa ✓",
        "😀 \u200b\u00ad",
        " leading and trailing ",
        "x" * 300,
    ]
) | _ODD_TEXT.filter(lambda s: s != "")
_ODD_DATES = (
    st.sampled_from(
        [date(1800, 1, 1), latest_document_date(), date.min, date.max, date(2024, 2, 29)]
    )
    | st.dates()
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    doc_id=_ODD_IDS,
    day=_ODD_DATES,
    title=st.none() | st.just("") | _ODD_TEXT,
    url=st.none() | st.just("") | st.integers(0, 20_000).map(lambda n: "https://x.org/" + "a" * n),
    source=st.none() | _ODD_TEXT,
    body=_ODD_TEXT.filter(lambda s: s.strip() != ""),
)
def test_odd_values_are_stored_and_read_back_unchanged(
    store: EventStore,
    doc_id: str,
    day: date,
    title: str | None,
    url: str | None,
    source: str | None,
    body: str,
) -> None:
    doc = Document(doc_id, body, day, title=title, url=url, source=source, origin=doc_id)
    ev = make_event(doc_id)
    ev = replace(
        ev, date=day, source=replace(ev.source, text=body) if ev.source else None, rule=doc_id
    )
    store.write_document(doc, [ev], coder_version=VERSION)
    store.refresh_events()
    d = documents_t.c
    with store._engine.connect() as conn:
        row = conn.execute(
            select(d.doc_id, d.date, d.title, d.url, d.source, d.origin, d.text).where(
                d.doc_id == doc_id
            )
        ).one()
    assert tuple(row) == (doc_id, day, title, url, source, doc_id, body)
    assert store.is_current(doc, VERSION)
    assert mentions(store, EventFilter(doc_id=doc_id)) == [ev.to_record()]
    (event,) = records(store.query_events(EventFilter(doc_id=doc_id)))
    assert (event["doc_id"], event["date"]) == (doc_id, day.isoformat())
    assert store.delete_document(doc_id)
    store.refresh_events()
    assert not list(records(store.query_events(EventFilter(doc_id=doc_id))))
