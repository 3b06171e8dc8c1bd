"""The event store: documents, their mentions and the deduplicated events.

Writes are idempotent per document: :meth:`EventStore.write_document` replaces the
document's previous mentions inside one transaction, so recoding the same documents
adds nothing twice, and a failure (or a killed process) leaves the previous state
untouched. The same transaction marks the mentions' groups stale;
:meth:`EventStore.refresh_events` then recomputes the deduplicated events of those
groups (see :mod:`eventcoder.store.dedup`).

This module is the store's public face; the work is done beside it: ``engine`` (opening
the database), ``rows`` (the rows written), ``refresh`` (the deduplicated events),
``queries`` (the filters).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    delete,
    distinct,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError

from eventcoder.errors import StoreError
from eventcoder.model import Document, Event, Reports, StoredEvent, StoredMention
from eventcoder.store.actor_texts import add_actor_texts
from eventcoder.store.engine import (
    IN_CLAUSE_CHUNK,
    QUERY_YIELD_PER,
    SQLITE_BEGIN_OPTION,
    chunks,
    describe_url,
    make_engine,
    resolve_url,
    short_error,
)
from eventcoder.store.migrate import add_missing_indexes, migrate
from eventcoder.store.queries import EventFilter, Near, conditions, select_matching
from eventcoder.store.refresh import refresh_groups
from eventcoder.store.rows import mention_rows, version_of
from eventcoder.store.schema import SCHEMA_VERSION, meta, metadata
from eventcoder.store.schema import documents as documents_t
from eventcoder.store.schema import events as events_t
from eventcoder.store.schema import mentions as mentions_t
from eventcoder.store.schema import stale_groups as stale_t

if TYPE_CHECKING:
    from eventcoder.store.analytics import StoreAnalytics
    from eventcoder.store.crawl import CrawlState
    from eventcoder.store.event_query import EventQuery

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "EventFilter",
    "EventStore",
    "StoreCounts",
    "open_store",
    "resolve_url",
]

DEFAULT_BATCH_SIZE = 100
_REFRESH_GROUPS_PER_TRANSACTION = 500
# Any fixed number: serialises schema creation and upgrades on PostgreSQL.
_PG_SCHEMA_LOCK = 0x6576_636F

# Exceptions that mean "this write failed"; all are turned into StoreError.
_WRITE_ERRORS = (SQLAlchemyError, ValueError, TypeError, OverflowError)
# ... and those that mean the database itself is gone, full or locked, whatever the data.
_UNAVAILABLE = (OperationalError, InterfaceError)


@dataclass(frozen=True)
class StoreCounts:
    """How much a store holds."""

    documents: int
    mentions: int
    events: int
    stale_groups: int  # groups whose events await EventStore.refresh_events


def open_store(db: str) -> EventStore:
    """Open (and create if needed) the event store at ``db``.

    ``db`` is a filesystem path (SQLite) or a SQLAlchemy URL containing ``://``.
    Raises :class:`StoreError` naming the database if it cannot be opened.
    """
    try:
        url = resolve_url(db)
    except ArgumentError as exc:
        raise StoreError(
            f"cannot open database {db!r}: not a valid SQLAlchemy URL ({exc}); "
            "pass a file path (SQLite) or a URL such as postgresql+psycopg://user@host/dbname"
        ) from exc
    shown = describe_url(url)
    engine = make_engine(url, shown)
    try:
        with (
            engine.connect().execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"}) as conn,
            conn.begin(),
        ):
            if engine.dialect.name == "postgresql":  # one process creates or upgrades
                conn.execute(text(f"SELECT pg_advisory_xact_lock({_PG_SCHEMA_LOCK})"))
            migrate(conn)
            metadata.create_all(conn)
            add_missing_indexes(conn)
            found = conn.execute(
                select(meta.c.value).where(meta.c.key == "schema_version")
            ).scalar_one_or_none()
            if found is None:
                conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif not found.isdigit() or int(found) > SCHEMA_VERSION:
                raise StoreError(
                    f"database {shown} has schema version {found}, but this eventcoder "
                    f"understands version {SCHEMA_VERSION}; upgrade eventcoder or use "
                    "another --db"
                )
    except StoreError:
        engine.dispose()
        raise
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot open database {shown}: {short_error(exc)}; check that the path or URL is "
            "right, the file is an eventcoder SQLite database (or does not exist yet) and "
            "you may write to it"
        ) from exc
    return EventStore(engine, url)


_ACTOR_TEXTS = ("source_text", "target_text")


class EventStore:
    """Documents and events in a database; use :func:`open_store` to get one."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self._url = url
        self._shown = describe_url(url)

    # -- lifecycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Where the database is, printable (passwords hidden)."""
        return self._shown

    @property
    def dialect(self) -> str:
        """Backend name, e.g. ``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventStore({self._shown!r})"

    # -- writing ---------------------------------------------------------------------

    def _write_batch(
        self,
        conn: Connection,
        items: Sequence[tuple[Document, Sequence[Event]]],
        coder_version: str | None,
    ) -> None:
        """Store ``items`` in the transaction of ``conn`` (a doc_id given twice: the last wins).

        The order matters for concurrent writers and refreshers: documents first (their
        upsert is a write, so SQLite takes its lock before anything is read), then the
        stale marks of every group touched, in sorted order and as writes that lock the
        rows (so a PostgreSQL refresher skips these groups until this commits), and only
        then the mentions.
        """
        latest: dict[str, tuple[Document, list[dict[str, Any]], str]] = {}
        for doc, evs in items:
            latest[doc.doc_id] = (doc, mention_rows(doc, evs), version_of(evs, coder_version))
        for doc, rows, version in latest.values():
            self._upsert_document(conn, doc, len(rows), version)
        ids = sorted(latest)
        stale: set[tuple[str, date]] = set()
        for chunk in chunks(ids, IN_CLAUSE_CHUNK):
            stale.update(
                (key, day)
                for key, day in conn.execute(
                    select(mentions_t.c.group_key, mentions_t.c.date)
                    .where(mentions_t.c.doc_id.in_(chunk))
                    .distinct()
                )
            )
        new_rows = [row for _, rows, _ in latest.values() for row in rows]
        stale.update((row["group_key"], row["date"]) for row in new_rows)
        self._mark_stale(conn, stale)
        for chunk in chunks(ids, IN_CLAUSE_CHUNK):
            conn.execute(delete(mentions_t).where(mentions_t.c.doc_id.in_(chunk)))
        if new_rows:
            conn.execute(insert(mentions_t), new_rows)
            add_actor_texts(conn, (row[side] for row in new_rows for side in _ACTOR_TEXTS))

    def _upsert_document(
        self, conn: Connection, doc: Document, n_events: int, version: str
    ) -> None:
        doc_row: dict[str, Any] = {
            "content_hash": doc.content_hash,
            "date": doc.date,
            "title": doc.title,
            "url": doc.url,
            "source": doc.source,
            "origin": doc.origin,
            "text": doc.text,
            "n_events": n_events,
            "coded_at": datetime.now(UTC),
            "coder_version": version,
            "language": doc.language,
        }
        upsert = self._upsert(documents_t)
        if upsert is not None:
            stmt = upsert.values(doc_id=doc.doc_id, **doc_row)
            conn.execute(
                stmt.on_conflict_do_update(index_elements=[documents_t.c.doc_id], set_=doc_row)
            )
        else:
            updated = conn.execute(
                update(documents_t).where(documents_t.c.doc_id == doc.doc_id).values(**doc_row)
            )
            if updated.rowcount == 0:
                conn.execute(insert(documents_t).values(doc_id=doc.doc_id, **doc_row))

    def _upsert(self, table: Table) -> pg_dialect.Insert | sqlite_dialect.Insert | None:
        """An INSERT that takes ON CONFLICT clauses, where the database has one."""
        if self.dialect == "postgresql":
            return pg_dialect.insert(table)
        if self.dialect == "sqlite":
            return sqlite_dialect.insert(table)
        return None

    def _mark_stale(self, conn: Connection, keys: set[tuple[str, date]]) -> None:
        if not keys:
            return
        rows = [{"group_key": key, "day": day} for key, day in sorted(keys)]
        stmt = self._upsert(stale_t)
        if stmt is not None:
            # DO UPDATE, not DO NOTHING: it locks an existing row until this commits
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[stale_t.c.group_key, stale_t.c.day],
                    set_={"group_key": stmt.excluded.group_key},
                ),
                rows,
            )
        else:  # any other database: look first, then insert what is missing
            for row in rows:
                present = conn.execute(
                    select(stale_t.c.group_key).where(
                        stale_t.c.group_key == row["group_key"], stale_t.c.day == row["day"]
                    )
                ).first()
                if present is None:
                    conn.execute(insert(stale_t), row)

    def write_document(
        self, doc: Document, events: Sequence[Event], *, coder_version: str | None = None
    ) -> None:
        """Store ``doc`` and its events, replacing what was stored for it before.

        One transaction: either the document and all its events are stored, or
        nothing changes. Events sharing an event_id are stored once. The document's
        coder version is ``coder_version`` if given, else the events' common version
        (empty when there are no events or they disagree).
        """
        try:
            with self._engine.begin() as conn:
                self._write_batch(conn, [(doc, events)], coder_version)
        except _WRITE_ERRORS as exc:
            raise StoreError(
                f"cannot store document {doc.doc_id!r} in {self._shown}: {short_error(exc)}"
            ) from exc

    def write_many(
        self,
        items: Iterable[tuple[Document, Sequence[Event]]],
        *,
        coder_version: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_error: Callable[[Document, StoreError], None] | None = None,
    ) -> int:
        """Store many documents, ``batch_size`` per transaction; return how many were stored.

        Each document is all-or-nothing. If a batch fails, its documents are retried one
        transaction each, so one bad document does not lose the others: the failure is
        passed to ``on_error`` (and writing goes on) or, without ``on_error``, raised
        after the documents before it have been stored. A database that cannot be
        reached, is full or stays locked raises :class:`StoreError` at once.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        written = 0
        iterator = iter(items)
        while batch := list(islice(iterator, batch_size)):
            try:
                with self._engine.begin() as conn:
                    self._write_batch(conn, batch, coder_version)
            except _UNAVAILABLE as exc:  # no document is to blame: stop, do not skip
                raise StoreError(
                    f"cannot write to {self._shown}: {short_error(exc)}; the documents stored "
                    "so far are kept, run again to go on"
                ) from exc
            except (*_WRITE_ERRORS, StoreError):
                for doc, evs in batch:
                    try:
                        self.write_document(doc, evs, coder_version=coder_version)
                    except StoreError as exc:
                        if on_error is None:
                            raise
                        on_error(doc, exc)
                    else:
                        written += 1
            else:
                written += len(batch)
        return written

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its events; return whether it was stored."""
        try:
            with self._engine.begin() as conn:
                stale = {
                    (key, day)
                    for key, day in conn.execute(
                        select(mentions_t.c.group_key, mentions_t.c.date)
                        .where(mentions_t.c.doc_id == doc_id)
                        .distinct()
                    )
                }
                conn.execute(delete(mentions_t).where(mentions_t.c.doc_id == doc_id))
                gone = conn.execute(delete(documents_t).where(documents_t.c.doc_id == doc_id))
                self._mark_stale(conn, stale)
                return bool(gone.rowcount)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot delete document {doc_id!r} from {self._shown}: {short_error(exc)}"
            ) from exc

    # -- deduplicated events --------------------------------------------------------

    def has_stale_groups(self) -> bool:
        """True when some deduplicated events await :meth:`refresh_events`."""
        try:
            with self._engine.connect() as conn:
                return conn.execute(select(stale_t.c.group_key).limit(1)).first() is not None
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self._shown}: {short_error(exc)}") from exc

    def refresh_events(self) -> int:
        """Recompute the deduplicated events of the stale groups; return how many groups.

        Only the groups stale when the call starts are done (a coder writing at the same
        time does not keep it going), a few hundred per transaction: a refresh killed
        half-way leaves the groups it had not finished stale for the next call. Each
        transaction first claims its groups by deleting their stale marks, so on
        PostgreSQL two refreshers share the work and skip groups a writer holds.
        """
        refreshed = 0
        key = ""
        try:
            with self._engine.connect() as conn:
                keys = sorted(conn.execute(select(stale_t.c.group_key).distinct()).scalars())
            for chunk in chunks(keys, _REFRESH_GROUPS_PER_TRANSACTION):
                with self._engine.begin() as conn:
                    claim = (
                        select(stale_t.c.group_key, stale_t.c.day)
                        .where(stale_t.c.group_key.in_(chunk))
                        .with_for_update(skip_locked=True)
                    )
                    days: dict[str, set[date]] = {}
                    for key, day in conn.execute(
                        delete(stale_t)
                        .where(tuple_(stale_t.c.group_key, stale_t.c.day).in_(claim))
                        .returning(stale_t.c.group_key, stale_t.c.day)
                    ):
                        days.setdefault(key, set()).add(day)
                    if days:
                        refresh_groups(conn, days)
                refreshed += len(days)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot update the deduplicated events in {self._shown}: {short_error(exc)}"
            ) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise StoreError(
                f"cannot update the deduplicated events of group {key!r} in {self._shown}: "
                f"{short_error(exc)}"
            ) from exc
        return refreshed

    # -- reading ---------------------------------------------------------------------

    def current_doc_ids(self, docs: Iterable[Document], coder_version: str) -> set[str]:
        """The ids of ``docs`` already stored with the same content and coder version."""
        wanted = {doc.doc_id: doc.content_hash for doc in docs}
        current: set[str] = set()
        ids = sorted(wanted)
        c = documents_t.c
        try:
            with self._engine.connect() as conn:
                for i in range(0, len(ids), IN_CLAUSE_CHUNK):
                    chunk = ids[i : i + IN_CLAUSE_CHUNK]
                    for row in conn.execute(
                        select(c.doc_id, c.content_hash, c.coder_version).where(c.doc_id.in_(chunk))
                    ):
                        if (
                            row.content_hash == wanted[row.doc_id]
                            and row.coder_version == coder_version
                        ):
                            current.add(row.doc_id)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self._shown}: {short_error(exc)}") from exc
        return current

    def is_current(self, doc: Document, coder_version: str) -> bool:
        """True if ``doc`` is stored with the same content and coder version."""
        return doc.doc_id in self.current_doc_ids([doc], coder_version)

    def counts(self) -> StoreCounts:
        """How many documents, mentions, events and stale groups are stored."""
        try:
            with self._engine.connect() as conn:
                found = [
                    int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                    for table in (documents_t, mentions_t, events_t)
                ]
                found.append(
                    int(
                        conn.execute(select(func.count(distinct(stale_t.c.group_key)))).scalar_one()
                    )
                )
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self._shown}: {short_error(exc)}") from exc
        return StoreCounts(*found)

    def query_events(
        self, filter: EventFilter | None = None, *, sort: str = "date", offset: int = 0
    ) -> Generator[StoredEvent, None, None]:
        """Yield the deduplicated events, each with its ``reports``.

        Events of groups still stale (see :meth:`refresh_events`) are as they were before
        the last write. Ordered by date, then the representative mention's document and
        position (``sort``: one of ``EVENT_SORTS``, e.g. ``"-articles"``, the default order
        breaking ties), the first ``offset`` left out. Results are streamed; consume or
        ``close()`` the generator to release the connection.
        """
        for record, _event_id, url in self._query(events_t, filter, sort, offset):
            reports = Reports.from_record(record["reports"])
            yield StoredEvent(Event.from_record(record), reports, url=url or None)

    def query_mentions(
        self, filter: EventFilter | None = None
    ) -> Generator[StoredMention, None, None]:
        """Yield every stored mention: the events as coded from each article.

        Ordered by date, doc_id, evidence start, trigger start (then id). Each carries
        ``merged_into``, the id of its deduplicated event (``None`` until
        :meth:`refresh_events` has run).
        """
        for record, event_id, url in self._query(mentions_t, filter):
            yield StoredMention(Event.from_record(record), merged_into=event_id, url=url or None)

    def count_events(self, filter: EventFilter | None = None, *, at_most: int | None = None) -> int:
        """How many deduplicated events match ``filter`` (its ``limit`` left aside).

        With ``at_most``, counting stops past it: the answer is ``at_most + 1`` when more
        match. A search page shows "more than 10,000" at the cost of reading 10,001 index
        entries, where the exact count of a common filter reads every match."""
        where = conditions(filter or EventFilter(), events_t)
        if at_most is None:
            stmt = select(func.count()).select_from(events_t).where(*where)
        else:
            if at_most < 0:
                raise ValueError(f"at_most must be >= 0, got {at_most}")
            matches = select(events_t.c.event_id).where(*where).limit(at_most + 1).subquery()
            stmt = select(func.count()).select_from(matches)
        try:
            with self._engine.connect() as conn:
                return int(conn.execute(stmt).scalar_one())
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot count events in {self._shown}: {short_error(exc)}") from exc

    def events(
        self,
        *,
        actor: str | None = None,
        country: str | None = None,
        source: str | None = None,
        target: str | None = None,
        type: str | None = None,  # the command line's --type
        cameo: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        doc: str | None = None,
        event: str | None = None,
        min_confidence: float | None = None,
        location_country: str | None = None,
        near: Near | str | None = None,
        limit: int | None = None,
    ) -> EventQuery:
        """The deduplicated events that match, filtered as ``eventcoder events`` filters.

        Values are checked as the command line checks them: a value that cannot match
        (``type="CONSLT"``, ``country="Ukraine"``, ``min_confidence=2``) raises
        :class:`~eventcoder.errors.UsageError` saying what was probably meant. ``since`` and
        ``until`` are dates or ``"YYYY-MM-DD"`` strings; ``near`` is a :class:`Near` or
        ``"LAT,LON,KM"``. The result is iterated (each a
        ``StoredEvent``) or turned into a table: ``.to_pandas()``, ``.to_parquet(path)``.
        """
        from eventcoder.store.event_query import EventQuery, filter_of

        flt = filter_of(
            actor=actor,
            country=country,
            source=source,
            target=target,
            event_type=type,
            cameo=cameo,
            since=since,
            until=until,
            doc_id=doc,
            event_id=event,
            min_confidence=min_confidence,
            location_country=location_country,
            near=near,
            limit=limit,
        )
        return EventQuery(self, flt)

    @property
    def crawl(self) -> CrawlState:
        """What ``eventcoder watch`` keeps here: the feeds polled and the article URLs met."""
        from eventcoder.store.crawl import CrawlState

        return CrawlState(self._engine, self._shown)

    @property
    def analytics(self) -> StoreAnalytics:
        """The read queries behind the REST API: pages, timelines, networks, statistics."""
        from eventcoder.store.analytics import StoreAnalytics

        return StoreAnalytics(self._engine, self._shown)

    def _query(
        self, table: Table, filter: EventFilter | None, sort: str = "date", offset: int = 0
    ) -> Iterator[tuple[dict[str, Any], str | None, str | None]]:
        """(stored record, merged event id, the document's URL) of each matching row."""
        flt = filter or EventFilter()
        # the reporting document's URL goes with each record (GDELT's SOURCEURL)
        columns = (table.c.record, table.c.event_id, documents_t.c.url)
        stmt = select_matching(table, columns, flt, sort, offset, join=documents_t)
        try:
            with self._engine.connect() as conn:
                result = conn.execution_options(yield_per=QUERY_YIELD_PER).execute(stmt)
                for record, event_id, url in result:
                    yield json.loads(record), event_id, url
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read events from {self._shown}: {short_error(exc)}") from exc
