"""Every filter of ``/api/events`` and the other read queries of the REST API use an index
(SQLite's EXPLAIN QUERY PLAN shows ``SEARCH ... USING INDEX``), never a full scan of
``events`` or ``mentions``: on the 200,000-event store of ``make bench-api`` a scan costs
hundreds of milliseconds a request.

The statements checked are the ones the store really runs (caught as they are sent), so a
change to a query is checked as it is. ``actor`` (words anywhere in an actor's name) reads
the small table of distinct names, ``actor_texts``, then the events by their text indexes.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, select

from eventcoder.model import Actor, Document, Event, Evidence, Modality, Plover
from eventcoder.store import EventFilter, EventStore, open_store
from eventcoder.store.queries import conditions, order_by, select_matching
from eventcoder.store.schema import documents as documents_t
from eventcoder.store.schema import events as events_t

COUNTRIES = ("UKR", "POL", "RUS", "USA", "FRA", "DEU")
SECTORS = ("", "GOV", "MIL")
SOURCE_TEXTS = ("Zaluzhnyi", "the Ukrainian army", "Polish officials", "Kukula", "Straße Police")
TYPES = (("040", "CONSULT"), ("190", "ASSAULT"), ("057", "AGREE"), ("112", "ACCUSE"))
FULL_SCAN = re.compile(r"^SCAN (events|mentions)\b")
# an ordered walk of a sort's index that stops at the page: what SQLite should do for a
# condition most events meet (min_confidence, see eventcoder.store.queries.MostRows)
ORDERED_WALK = re.compile(
    r"^SCAN events USING (COVERING )?INDEX "
    r"ix_events_(date|confidence_date|confidence_desc_date|n_articles_date)$"
)


def _actor(code: str, text: str, start: int) -> Actor:
    return Actor(text=text, code=code, country=code[:3], sector=code[3:] or None, start=start)


def _event(doc_id: str, day: date, i: int, at: int) -> Event:
    cameo, plover = TYPES[i % len(TYPES)]
    source = COUNTRIES[i % len(COUNTRIES)] + SECTORS[(i // len(COUNTRIES)) % len(SECTORS)]
    target = COUNTRIES[(i + 1) % len(COUNTRIES)]
    sentence = "Zaluzhnyi called Kukula."
    return Event(
        doc_id=doc_id,
        date=day,
        date_precision="day",
        source=_actor(source, SOURCE_TEXTS[i % len(SOURCE_TEXTS)], at),
        target=_actor(target, "Kukula", at + 17),
        cameo=cameo,
        goldstein=1.0,
        quad_class=1 + i % 4,
        plover=Plover(
            event=plover.lower() if (i // len(TYPES)) % 2 else plover
        ),  # both spellings stored
        modality=Modality(),
        evidence=Evidence(sentence, at, at + len(sentence), "called", at + 10, at + 16),
        confidence=0.5 + (i % 5) / 10,
        rule="test",
        coder_version="test-1",
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventStore]:
    path: Path = tmp_path_factory.mktemp("plans") / "events.db"
    with open_store(str(path)) as s:
        items = []
        for n in range(120):
            day = date(2024, 1, 1) + timedelta(days=n % 90)
            doc = Document(doc_id=f"d{n}", text="Zaluzhnyi called Kukula. " * 3, date=day)
            items.append((doc, [_event(doc.doc_id, day, n + k, 25 * k) for k in range(3)]))
        s.write_many(items)
        s.refresh_events()
        yield s


@dataclass
class Sent:
    statements: list[tuple[str, Any]]


@pytest.fixture
def sent() -> Iterator[Sent]:
    """The SQL statements (and parameters) sent while the test runs."""
    caught = Sent([])

    def catch(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            caught.statements.append((statement, params))

    event.listen(Engine, "before_cursor_execute", catch)
    yield caught
    event.remove(Engine, "before_cursor_execute", catch)


def plans(store: EventStore, sent: Sent) -> list[tuple[str, list[str]]]:
    """Each statement sent with its EXPLAIN QUERY PLAN lines."""
    path = store.url.removeprefix("sqlite:///")
    found = []
    with sqlite3.connect(path) as conn:
        for statement, params in sent.statements:
            lines = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params)]
            found.append((statement, lines))
    return found


def assert_no_full_scan(store: EventStore, sent: Sent, *, walks_allowed: bool = False) -> None:
    checked = plans(store, sent)
    assert checked, "no statement was caught: the listener saw nothing"
    for statement, lines in checked:
        # a page (LIMIT) may walk its sort's index and stop; a count only when told
        may_walk = walks_allowed or "LIMIT" in statement
        scans = [
            line
            for line in lines
            if FULL_SCAN.match(line) and not (may_walk and ORDERED_WALK.match(line))
        ]
        assert not scans, f"{statement}\nscans: {scans}\nplan: {lines}"


DAY = date(2024, 1, 10)
FILTERS: dict[str, EventFilter] = {
    "date range": EventFilter(since=DAY, until=DAY + timedelta(days=7)),
    "since": EventFilter(since=date(2024, 3, 25)),
    "source country": EventFilter(source="UKR"),
    "source code": EventFilter(source="UKRGOV"),
    "target": EventFilter(target="POL"),
    "dyad": EventFilter(source="UKR", target="POL"),
    "country": EventFilter(country="RUS"),
    "type": EventFilter(event_type="consult"),
    "cameo root": EventFilter(cameo="19"),
    "cameo code": EventFilter(cameo="057"),
    "min_confidence": EventFilter(min_confidence=0.85),
    "doc": EventFilter(doc_id="d7"),
    "actor with dates": EventFilter(actor="zaluz", since=DAY, until=DAY + timedelta(days=3)),
    "actor": EventFilter(actor="zaluz"),
    "actor code": EventFilter(actor="POLMIL"),
    "actor words": EventFilter(actor="Ukrainian army"),
    "type with dates": EventFilter(event_type="ASSAULT", since=DAY),
}
SORTS = ("date", "-date", "confidence", "-confidence", "articles", "-articles")


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_event_filters_use_an_index(store: EventStore, sent: Sent, name: str) -> None:
    flt = FILTERS[name]
    assert store.count_events(flt) > 0  # the filter selects something: its plan is real
    for sort in SORTS:
        assert list(store.query_events(replace(flt, limit=20), sort=sort))
    assert_no_full_scan(store, sent, walks_allowed=flt.min_confidence is not None)


@pytest.mark.parametrize("sort", SORTS)
def test_sorted_pages_walk_the_sort_index(store: EventStore, sent: Sent, sort: str) -> None:
    """An unfiltered page is read in order from the sort's index, never sorted whole."""
    assert len(list(store.query_events(EventFilter(limit=20), sort=sort, offset=10))) == 20
    (statement, lines), *_ = plans(store, sent)
    # the page's keys are read in order from the sort's index (select_matching); the one
    # sort left is of that materialised page, not of every match
    assert any(ORDERED_WALK.match(line) for line in lines), f"{statement}\nplan: {lines}"
    assert lines[0] == "MATERIALIZE page", lines


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("name", ["type", "cameo root"])
def test_pages_of_a_type_are_read_in_sort_order(
    store: EventStore, sent: Sent, name: str, sort: str
) -> None:
    """A type or CAMEO root matches a tenth of a store: its page, in any sort, is read in
    that order from an index (ties sorted in small groups), not by sorting every match."""
    assert list(store.query_events(replace(FILTERS[name], limit=20), sort=sort))
    (statement, lines), *_ = plans(store, sent)
    page = lines[: lines.index("SCAN page")]
    assert "USE TEMP B-TREE FOR ORDER BY" not in page, f"{statement}\nplan: {lines}"


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("name", ["source country", "type", "min_confidence", "date range"])
def test_pages_by_keys_are_the_plain_pages(store: EventStore, name: str, sort: str) -> None:
    """``select_matching`` (the page found on its keys, then joined to its rows) returns
    the rows the plain ORDER BY ... LIMIT ... OFFSET returns."""
    events = events_t
    for limit, offset in ((7, 0), (7, 11), (None, 0), (None, 3)):
        flt = replace(FILTERS[name], limit=limit)
        plain = (
            select(events.c.event_id)
            .where(*conditions(flt, events))
            .order_by(*order_by(events, sort))
            .offset(offset)
        )
        if limit is not None:
            plain = plain.limit(limit)
        paged = select_matching(events, [events.c.event_id], flt, sort, offset, join=documents_t)
        engine = create_engine(store.url)
        with engine.connect() as conn:
            expected = list(conn.execute(plain).scalars())
            assert expected
            assert list(conn.execute(paged).scalars()) == expected
        engine.dispose()


def test_type_filter_finds_both_spellings(store: EventStore) -> None:
    """Rows hold the canonical upper-case type whatever the coder wrote, so the plain
    comparison (which uses the index) finds the events written as "consult" too."""
    consults = list(store.query_events(EventFilter(event_type="Consult")))
    spellings = {stored.event.plover.event for stored in consults}
    assert spellings == {"CONSULT", "consult"}
    assert store.count_events(EventFilter(event_type="CONSULT")) == len(consults)


def _pages(store: EventStore) -> dict[str, Callable[[], object]]:
    analytics = store.analytics
    first = next(iter(store.query_events(EventFilter(limit=1))))
    return {
        "event page": lambda: list(
            store.query_mentions(EventFilter(event_id=first.event.event_id))
        ),
        "document page": lambda: (
            analytics.document("d3"),
            list(store.query_mentions(EventFilter(doc_id="d3"))),
            analytics.document_heads(["d3", "d4"]),
        ),
        "timeline": lambda: analytics.timeline("UKR", "POL", "week"),
        "timeline with dates": lambda: analytics.timeline(
            "UKR", "POL", "day", DAY, DAY + timedelta(days=14)
        ),
        "network with dates": lambda: analytics.network(DAY, DAY + timedelta(days=30)),
    }


@pytest.mark.parametrize(
    "name",
    ["event page", "document page", "timeline", "timeline with dates", "network with dates"],
)
def test_pages_use_an_index(store: EventStore, sent: Sent, name: str) -> None:
    query = _pages(store)[name]
    sent.statements.clear()  # the look-up of an event id above is not the page's
    result = query()
    assert result
    assert_no_full_scan(store, sent)
