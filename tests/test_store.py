"""Tests of the event store (SQLite files in tmp_path)."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text

from eventcoder.errors import StoreError
from eventcoder.model import Actor, Document, Event, Evidence, Modality, Plover
from eventcoder.store import SCHEMA_VERSION, EventFilter, EventStore, open_store

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
def store(tmp_path: Path) -> Iterator[EventStore]:
    with open_store(str(tmp_path / "events.db")) as s:
        yield s


def ids(records: Iterator[dict[str, Any]]) -> list[str]:
    return [r["event_id"] for r in records]


# -- opening -------------------------------------------------------------------------


def test_open_creates_tables_and_schema_version(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "events.db"
    with open_store(str(db)) as s:
        assert s.counts() == (0, 0)
        assert s.url == f"sqlite:///{db.resolve()}"
        assert s.dialect == "sqlite"
    con = sqlite3.connect(db)
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        assert {"meta", "documents", "events"} <= tables
        version = con.execute("select value from meta where key='schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION),)
        indexes = {r[0] for r in con.execute("select name from sqlite_master where type='index'")}
        assert "ix_events_date" in indexes and "ix_events_cameo_root" in indexes
        assert con.execute("pragma journal_mode").fetchone() == ("wal",)
    finally:
        con.close()


def test_open_by_url_and_reopen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    with open_store(url) as s:
        s.write_document(make_doc(), [make_event()])
    with open_store(url) as s:
        assert s.counts() == (1, 1)


def test_open_memory() -> None:
    with open_store(":memory:") as s:
        s.write_document(make_doc(), [make_event()])
        assert s.counts() == (1, 1)
        assert "memory" in s.url


def test_foreign_keys_on(store: EventStore) -> None:
    store.write_document(make_doc(), [make_event()])
    with store._engine.begin() as conn:
        assert conn.exec_driver_sql("pragma foreign_keys").scalar() == 1
        conn.execute(text("delete from documents where doc_id = 'd1'"))
    assert store.counts() == (0, 0)  # cascaded


def test_open_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match=r"junk\.db"):
        open_store(str(bad))


def test_open_directory(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open database"):
        open_store(str(tmp_path))


def test_open_bad_url_and_missing_driver() -> None:
    with pytest.raises(StoreError, match="nosuchdb"):
        open_store("nosuchdb://x/y")
    if importlib.util.find_spec("psycopg") is None:
        with pytest.raises(StoreError, match="psycopg") as info:
            open_store("postgresql+psycopg://user:secret@localhost/events")
        assert "secret" not in str(info.value)


def test_open_newer_schema_refused(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    open_store(str(db)).close()
    con = sqlite3.connect(db)
    con.execute("update meta set value='999' where key='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="schema version 999"):
        open_store(str(db))


def test_url_hides_password(tmp_path: Path) -> None:
    # sqlite URLs have no password; check the non-sqlite branch of the description
    from sqlalchemy.engine import make_url

    from eventcoder.store.store import _describe

    assert "***" in _describe(make_url("postgresql+psycopg://u:secret@h/db"))
    assert "secret" not in _describe(make_url("postgresql+psycopg://u:secret@h/db"))


# -- writing -------------------------------------------------------------------------


def test_write_is_idempotent(store: EventStore) -> None:
    doc = make_doc()
    evs = [make_event(trigger_start=5), make_event(trigger_start=50)]
    store.write_document(doc, evs)
    store.write_document(doc, evs)
    assert store.counts() == (1, 2)
    assert [r for r in store.query_events(EventFilter())] == [e.to_record() for e in evs]


def test_rewrite_replaces_events(store: EventStore) -> None:
    doc = make_doc()
    store.write_document(doc, [make_event(trigger_start=5), make_event(trigger_start=50)])
    store.write_document(doc, [make_event(trigger_start=70)])
    assert store.counts() == (1, 1)
    (record,) = store.query_events(EventFilter())
    assert record["evidence"]["trigger_start"] == 70
    store.write_document(doc, [])
    assert store.counts() == (1, 0)


def test_duplicate_event_ids_kept_once(store: EventStore) -> None:
    ev = make_event()
    store.write_document(make_doc(), [ev, ev, make_event(trigger_start=9), ev])
    assert store.counts() == (1, 2)
    with store._engine.connect() as conn:
        n = conn.execute(text("select n_events from documents")).scalar()
    assert n == 2


def test_event_of_other_document_rejected(store: EventStore) -> None:
    with pytest.raises(StoreError, match="belongs to document"):
        store.write_document(make_doc("d1"), [make_event("d2")])
    assert store.counts() == (0, 0)


def test_failure_mid_write_leaves_previous_state(store: EventStore) -> None:
    doc = make_doc()
    old = [make_event(trigger_start=5), make_event(trigger_start=50)]
    store.write_document(doc, old)
    changed = make_doc(text_="Changed text.")

    def fail_on_event_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO EVENTS"):
            raise RuntimeError("disk on fire")

    sa_event.listen(store._engine, "before_cursor_execute", fail_on_event_insert)
    try:
        with pytest.raises(RuntimeError, match="disk on fire"):
            store.write_document(changed, [make_event(trigger_start=7)])
    finally:
        sa_event.remove(store._engine, "before_cursor_execute", fail_on_event_insert)
    # the delete of old events and the document update were rolled back
    assert store.counts() == (1, 2)
    assert ids(store.query_events(EventFilter())) == [e.event_id for e in old]
    assert store.is_current(doc, VERSION)
    assert not store.is_current(changed, VERSION)


def test_unserialisable_event_stores_nothing(store: EventStore) -> None:
    with pytest.raises(StoreError, match="d9"):
        store.write_document(
            make_doc("d9"),
            [make_event("d9"), make_event("d9", goldstein=float("nan"), trigger_start=8)],
        )
    assert store.counts() == (0, 0)


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
    assert store.counts() == (7, 7)


def test_write_many_bad_document(store: EventStore) -> None:
    items = [(make_doc(f"d{i}"), [make_event(f"d{i}")]) for i in range(5)]
    items[2] = (make_doc("d2"), [make_event("d2", confidence=float("inf"))])
    failed: list[str] = []
    written = store.write_many(items, batch_size=4, on_error=lambda d, e: failed.append(d.doc_id))
    assert written == 4
    assert failed == ["d2"]
    assert store.counts() == (4, 4)


def test_write_many_raises_without_on_error(store: EventStore) -> None:
    items = [(make_doc(f"d{i}"), [make_event(f"d{i}")]) for i in range(5)]
    items[2] = (make_doc("d2"), [make_event("d1")])
    with pytest.raises(StoreError, match="d2"):
        store.write_many(items, batch_size=10)
    assert store.counts() == (2, 2)  # d0 and d1 stored, nothing of d2


def test_delete_document(store: EventStore) -> None:
    store.write_document(make_doc(), [make_event()])
    assert store.delete_document("d1")
    assert not store.delete_document("d1")
    assert store.counts() == (0, 0)


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
        (r["doc_id"], r["evidence"]["trigger_start"]) for r in store.query_events(EventFilter(**kw))
    ]


def test_query_order(filled: EventStore) -> None:
    assert _q(filled) == [("b", 5), ("b", 5), ("a", 10), ("a", 40), ("c", 5)]
    dates = [r["date"] for r in filled.query_events()]
    assert dates == sorted(dates)


def test_filter_actor(filled: EventStore) -> None:
    assert _q(filled, actor="rus") == [("b", 5)]  # code prefix, case-insensitive input
    assert _q(filled, actor="kremlin") == [("b", 5)]  # text substring
    assert _q(filled, actor="POLMIL") == [("a", 10), ("a", 40)]
    assert _q(filled, actor="_50%") == [("c", 5)]  # LIKE wildcards are literal
    assert _q(filled, actor="50%x") == []


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
    for record in filled.query_events(EventFilter(doc_id="b")):
        assert record["record_version"] == 1
        json.dumps(record)
    (no_target,) = filled.query_events(EventFilter(source="USA"))
    assert no_target["target"] is None
