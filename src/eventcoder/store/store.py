"""The event store: documents, their mentions and the deduplicated events.

Writes are idempotent per document: :meth:`EventStore.write_document` replaces the
document's previous mentions inside one transaction, so recoding the same documents
adds nothing twice, and a failure (or a killed process) leaves the previous state
untouched. The same transaction marks the mentions' groups stale;
:meth:`EventStore.refresh_events` then recomputes the deduplicated events of those
groups (see :mod:`eventcoder.store.dedup`).
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    create_engine,
    delete,
    distinct,
    event,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from eventcoder.errors import StoreError
from eventcoder.model import Document, Event
from eventcoder.store.dedup import (
    DedupedEvent,
    MentionRow,
    group_key,
    is_symmetric,
    recluster,
    source_identity,
)
from eventcoder.store.migrate import migrate
from eventcoder.store.schema import SCHEMA_VERSION, meta, metadata
from eventcoder.store.schema import documents as documents_t
from eventcoder.store.schema import events as events_t
from eventcoder.store.schema import mentions as mentions_t
from eventcoder.store.schema import stale_groups as stale_t

DEFAULT_BATCH_SIZE = 100
_REFRESH_GROUPS_PER_TRANSACTION = 500
_IN_CLAUSE_CHUNK = 500
_SQLITE_BUSY_TIMEOUT_MS = 30_000
_QUERY_YIELD_PER = 500
_SQLITE_BEGIN_OPTION = "eventcoder_sqlite_begin"
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


@dataclass(frozen=True)
class EventFilter:
    """Which events (or mentions) the queries return; ``None`` means any.

    - ``actor``: source or target code starting with it, or actor text containing it
      (case-insensitive).
    - ``country``: source or target country code (e.g. ``"UKR"``).
    - ``source`` / ``target``: actor code prefix (e.g. ``"UKR"`` or ``"UKRMIL"``).
    - ``event_type``: PLOVER event type (case-insensitive, e.g. ``"consult"``).
    - ``cameo``: CAMEO code prefix (``"04"`` matches ``"040"``..``"046"``).
    - ``since`` / ``until``: event date range, both inclusive.
    - ``doc_id``: events reported by (mentions in) one document.
    - ``event_id``: one deduplicated event (with :meth:`EventStore.query_mentions`:
      the mentions merged into it).
    - ``min_confidence``: events whose confidence is at least this (0 to 1).
    - ``limit``: at most this many events.
    """

    actor: str | None = None
    country: str | None = None
    source: str | None = None
    target: str | None = None
    event_type: str | None = None
    cameo: str | None = None
    since: date | None = None
    until: date | None = None
    doc_id: str | None = None
    event_id: str | None = None
    min_confidence: float | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 0:
            raise ValueError(f"limit must be >= 0, got {self.limit}")


def resolve_url(db: str) -> URL:
    """Turn a ``--db`` value into a SQLAlchemy URL.

    A value containing ``://`` is a SQLAlchemy URL; ``:memory:`` is an in-memory
    SQLite database; anything else is a filesystem path to a SQLite file.
    """
    if "://" in db:
        return make_url(db)
    if db == ":memory:":
        return make_url("sqlite://")
    path = Path(db).expanduser().resolve()
    return URL.create("sqlite", database=str(path))


def _describe(url: URL) -> str:
    """A printable form of ``url`` with any password hidden."""
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return "sqlite:// (in memory)"
        return f"sqlite:///{url.database}"
    return url.render_as_string(hide_password=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin
    # (see the SQLAlchemy SQLite docs, "Serializable isolation / Savepoints").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        _set_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _set_wal(cursor: Any) -> None:
    # Switching a new database to WAL needs a moment alone with the file, and SQLite
    # answers "database is locked" at once, without its busy timeout, when several
    # processes open the same new file together: try again for a while.
    deadline = time.monotonic() + _SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_on_begin(conn: Connection) -> None:
    # "IMMEDIATE" takes the write lock at once, for transactions that read before they
    # write and would otherwise fail, not wait, when another writer got there first.
    mode = conn.get_execution_options().get(_SQLITE_BEGIN_OPTION, "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


def _make_engine(url: URL, shown: str) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            memory = url.database in (None, "", ":memory:")
            if not memory and url.database is not None:
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                url,
                poolclass=StaticPool if memory else None,
                connect_args={"check_same_thread": False} if memory else {},
            )
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except ImportError as exc:
        raise StoreError(
            f"cannot open database {shown}: its driver is not installed ({exc}); "
            "for PostgreSQL install psycopg (pip install 'psycopg[binary]') and use a "
            "postgresql+psycopg:// URL"
        ) from exc
    except ArgumentError as exc:
        raise StoreError(
            f"cannot open database {shown}: {exc}; pass a file path (SQLite) or a "
            "SQLAlchemy URL such as postgresql+psycopg://user:password@host/dbname"
        ) from exc
    except OSError as exc:
        raise StoreError(
            f"cannot create the directory for database {shown}: {exc}; "
            "choose a writable location with --db"
        ) from exc


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
    shown = _describe(url)
    engine = _make_engine(url, shown)
    try:
        with (
            engine.connect().execution_options(**{_SQLITE_BEGIN_OPTION: "IMMEDIATE"}) as conn,
            conn.begin(),
        ):
            if engine.dialect.name == "postgresql":  # one process creates or upgrades
                conn.execute(text(f"SELECT pg_advisory_xact_lock({_PG_SCHEMA_LOCK})"))
            migrate(conn)
            metadata.create_all(conn)
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
            f"cannot open database {shown}: {_short(exc)}; check that the path or URL is "
            "right, the file is an eventcoder SQLite database (or does not exist yet) and "
            "you may write to it"
        ) from exc
    return EventStore(engine, url)


def _short(exc: BaseException) -> str:
    """An exception's message on one line, without SQLAlchemy's long trailer."""
    orig = getattr(exc, "orig", None)
    if isinstance(exc, SQLAlchemyError) and orig is not None:
        return "; ".join(line.strip() for line in str(orig).splitlines() if line.strip())
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _cameo_root(cameo: str) -> str:
    return cameo[:2]


def _group_of(ev: Event) -> str:
    return group_key(
        ev.source.code if ev.source else None,
        ev.target.code if ev.target else None,
        _cameo_root(ev.cameo),
        negated=ev.modality.negated,
        intent=ev.modality.intent,
        hypothetical=ev.modality.hypothetical,
        precision=ev.date_precision,
        mention_id=ev.event_id,
        symmetric=is_symmetric(ev.cameo),
    )


def _mention_row(ev: Event) -> dict[str, Any]:
    for name, value in (("goldstein", ev.goldstein), ("confidence", ev.confidence)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"event {ev.event_id}: {name} is {value}, not a finite number")
    record = json.dumps(ev.to_record(), ensure_ascii=False, allow_nan=False)
    src, tgt = ev.source, ev.target
    return {
        "mention_id": ev.event_id,
        "doc_id": ev.doc_id,
        "group_key": _group_of(ev),
        "event_id": None,
        "date": ev.date,
        "date_precision": ev.date_precision,
        "source_code": src.code if src else None,
        "source_country": src.country if src else None,
        "source_sector": src.sector if src else None,
        "source_text": src.text if src else None,
        "target_code": tgt.code if tgt else None,
        "target_country": tgt.country if tgt else None,
        "target_sector": tgt.sector if tgt else None,
        "target_text": tgt.text if tgt else None,
        "cameo": ev.cameo,
        "cameo_root": _cameo_root(ev.cameo),
        "goldstein": ev.goldstein,
        "quad_class": ev.quad_class,
        "plover_event": ev.plover.event,
        "plover_mode": ev.plover.mode,
        "plover_context": ";".join(ev.plover.context),
        "negated": ev.modality.negated,
        "intent": ev.modality.intent,
        "hypothetical": ev.modality.hypothetical,
        "reported": ev.modality.reported,
        "sentence": ev.evidence.sentence,
        "ev_start": ev.evidence.start,
        "ev_end": ev.evidence.end,
        "trigger": ev.evidence.trigger,
        "trigger_start": ev.evidence.trigger_start,
        "trigger_end": ev.evidence.trigger_end,
        "confidence": ev.confidence,
        "rule": ev.rule,
        "coder_version": ev.coder_version,
        "record": record,
    }


def _mention_rows(doc: Document, evs: Sequence[Event]) -> list[dict[str, Any]]:
    """Rows for ``evs``, first occurrence of each event_id kept, order preserved."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for ev in evs:
        if ev.doc_id != doc.doc_id:
            raise ValueError(
                f"event {ev.event_id} belongs to document {ev.doc_id!r}, not {doc.doc_id!r}"
            )
        if ev.event_id in seen:
            continue
        seen.add(ev.event_id)
        rows.append(_mention_row(ev))
    return rows


def _version_of(evs: Sequence[Event], coder_version: str | None) -> str:
    if coder_version is not None:
        return coder_version
    versions = {ev.coder_version for ev in evs}
    return versions.pop() if len(versions) == 1 else ""


class EventStore:
    """Documents and events in a database; use :func:`open_store` to get one."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self._url = url
        self._shown = _describe(url)

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
            latest[doc.doc_id] = (doc, _mention_rows(doc, evs), _version_of(evs, coder_version))
        for doc, rows, version in latest.values():
            self._upsert_document(conn, doc, len(rows), version)
        ids = sorted(latest)
        stale: set[tuple[str, date]] = set()
        for chunk in _chunks(ids, _IN_CLAUSE_CHUNK):
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
        for chunk in _chunks(ids, _IN_CLAUSE_CHUNK):
            conn.execute(delete(mentions_t).where(mentions_t.c.doc_id.in_(chunk)))
        if new_rows:
            conn.execute(insert(mentions_t), new_rows)

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
                f"cannot store document {doc.doc_id!r} in {self._shown}: {_short(exc)}"
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
                    f"cannot write to {self._shown}: {_short(exc)}; the documents stored "
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
                f"cannot delete document {doc_id!r} from {self._shown}: {_short(exc)}"
            ) from exc

    # -- deduplicated events --------------------------------------------------------

    def has_stale_groups(self) -> bool:
        """True when some deduplicated events await :meth:`refresh_events`."""
        try:
            with self._engine.connect() as conn:
                return conn.execute(select(stale_t.c.group_key).limit(1)).first() is not None
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self._shown}: {_short(exc)}") from exc

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
            for chunk in _chunks(keys, _REFRESH_GROUPS_PER_TRANSACTION):
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
                        self._refresh_groups(conn, days)
                refreshed += len(days)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot update the deduplicated events in {self._shown}: {_short(exc)}"
            ) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise StoreError(
                f"cannot update the deduplicated events of group {key!r} in {self._shown}: "
                f"{_short(exc)}"
            ) from exc
        return refreshed

    def _refresh_groups(self, conn: Connection, days: dict[str, set[date]]) -> None:
        """Rebuild the events of these groups around their changed days, and no further.

        Per group, events wholly before the earliest change keep their mentions; from the
        event holding it, mentions are clustered again until an event opens, after the
        last change, where an old one opened (see :func:`eventcoder.store.dedup.recluster`).
        A daily feed appending to a group of years of reports reads a few days of it.
        All groups of one call share each statement: a corpus has many small groups.
        """
        m, d, e = mentions_t.c, documents_t.c, events_t.c
        keys = sorted(days)
        anchors: dict[str, list[date]] = {}
        for chunk in _chunks(keys, _IN_CLAUSE_CHUNK):
            for key, day in conn.execute(
                select(e.group_key, e.date).where(e.group_key.in_(chunk)).order_by(e.date)
            ):
                anchors.setdefault(key, []).append(day)
        starts: dict[str, date | None] = {}
        for key in keys:
            first_changed = min(days[key])
            before = [day for day in anchors.get(key, ()) if day <= first_changed]
            starts[key] = before[-1] if before else None

        columns = (
            m.group_key,
            m.mention_id,
            m.doc_id,
            m.date,
            m.cameo,
            m.confidence,
            m.ev_start,
            m.trigger_start,
            m.event_id,
            d.source,
            d.url,
        )
        linked: dict[str, str | None] = {}
        found: list[DedupedEvent] = []
        replaced: list[dict[str, Any]] = []
        for chunk in _chunks(keys, _IN_CLAUSE_CHUNK):
            from_start = [key for key in chunk if starts[key] is None]
            conditions: list[ColumnElement[bool]] = (
                [m.group_key.in_(from_start)] if from_start else []
            )
            conditions += [
                and_(m.group_key == key, m.date >= starts[key])
                for key in chunk
                if starts[key] is not None
            ]
            stmt = (
                select(*columns)
                .join(documents_t, d.doc_id == m.doc_id)
                .where(or_(*conditions))
                .order_by(m.group_key, m.date)
            )
            rows_of: dict[str, list[MentionRow]] = {key: [] for key in chunk}
            for r in conn.execute(stmt.execution_options(yield_per=_QUERY_YIELD_PER)):
                linked[r.mention_id] = r.event_id
                rows_of[r.group_key].append(
                    MentionRow(
                        mention_id=r.mention_id,
                        doc_id=r.doc_id,
                        date=r.date,
                        cameo=r.cameo,
                        confidence=r.confidence,
                        ev_start=r.ev_start,
                        trigger_start=r.trigger_start,
                        outlet=source_identity(r.doc_id, r.source, r.url),
                    )
                )
            for key in chunk:
                last_changed = max(days[key])
                old_anchors = {day for day in anchors.get(key, ()) if day > last_changed}
                events, stop = recluster(key, rows_of.pop(key), last_changed, old_anchors)
                found.extend(events)
                replaced.append(
                    {
                        "b_group": key,
                        "b_from": starts[key] or date.min,
                        # inclusive, so that an event on date.max is replaced too
                        "b_last": stop - timedelta(days=1) if stop else date.max,
                    }
                )
        conn.execute(
            delete(events_t).where(
                e.group_key == bindparam("b_group"),
                e.date >= bindparam("b_from"),
                e.date <= bindparam("b_last"),
            ),
            replaced,
        )
        if not found:
            return
        # only the representatives' records are read: a hot group has many mentions
        representatives = sorted(ev.representative.mention_id for ev in found)
        records: dict[str, str] = {}
        for mention_chunk in _chunks(representatives, _IN_CLAUSE_CHUNK):
            for mention_id, record in conn.execute(
                select(m.mention_id, m.record).where(m.mention_id.in_(mention_chunk))
            ):
                records[mention_id] = record
        conn.execute(
            insert(events_t),
            [_event_table_row(ev, records[ev.representative.mention_id]) for ev in found],
        )
        links = [
            {"b_mention_id": mention.mention_id, "b_event_id": ev.event_id}
            for ev in found
            for mention in ev.mentions
            if linked.get(mention.mention_id) != ev.event_id
        ]
        if links:
            conn.execute(
                update(mentions_t)
                .where(mentions_t.c.mention_id == bindparam("b_mention_id"))
                .values(event_id=bindparam("b_event_id")),
                links,
            )

    # -- reading ---------------------------------------------------------------------

    def current_doc_ids(self, docs: Iterable[Document], coder_version: str) -> set[str]:
        """The ids of ``docs`` already stored with the same content and coder version."""
        wanted = {doc.doc_id: doc.content_hash for doc in docs}
        current: set[str] = set()
        ids = sorted(wanted)
        c = documents_t.c
        try:
            with self._engine.connect() as conn:
                for i in range(0, len(ids), _IN_CLAUSE_CHUNK):
                    chunk = ids[i : i + _IN_CLAUSE_CHUNK]
                    for row in conn.execute(
                        select(c.doc_id, c.content_hash, c.coder_version).where(c.doc_id.in_(chunk))
                    ):
                        if (
                            row.content_hash == wanted[row.doc_id]
                            and row.coder_version == coder_version
                        ):
                            current.add(row.doc_id)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self._shown}: {_short(exc)}") from exc
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
            raise StoreError(f"cannot read {self._shown}: {_short(exc)}") from exc
        return StoreCounts(*found)

    def query_events(self, filter: EventFilter | None = None) -> Iterator[dict[str, Any]]:
        """Yield the deduplicated events, each an event record with a ``reports`` object.

        Events of groups still stale (see :meth:`refresh_events`) are as they were before
        the last write. Ordered by date, then the representative mention's document and
        position. Results are streamed; consume or close the iterator to release the
        connection.
        """
        yield from self._query(events_t, filter)

    def query_mentions(self, filter: EventFilter | None = None) -> Iterator[dict[str, Any]]:
        """Yield every stored mention: the event records as coded from each article.

        Ordered by date, doc_id, evidence start, trigger start (then id). Each record
        carries ``merged_into``, the id of its deduplicated event (``None`` until
        :meth:`refresh_events` has run).
        """
        yield from self._query(mentions_t, filter)

    def _query(self, table: Table, filter: EventFilter | None) -> Iterator[dict[str, Any]]:
        flt = filter or EventFilter()
        is_mentions = table is mentions_t
        key = table.c.mention_id if is_mentions else table.c.event_id
        # the reporting document's URL goes with each record (GDELT's SOURCEURL)
        stmt = (
            select(table.c.record, table.c.event_id, documents_t.c.url)
            .select_from(table.outerjoin(documents_t, documents_t.c.doc_id == table.c.doc_id))
            .where(*_conditions(flt, table))
            .order_by(table.c.date, table.c.doc_id, table.c.ev_start, table.c.trigger_start, key)
        )
        if flt.limit is not None:
            stmt = stmt.limit(flt.limit)
        try:
            with self._engine.connect() as conn:
                result = conn.execution_options(yield_per=_QUERY_YIELD_PER).execute(stmt)
                for record, event_id, url in result:
                    parsed: dict[str, Any] = json.loads(record)
                    if url:
                        parsed["url"] = url
                    if is_mentions:
                        parsed["merged_into"] = event_id
                    yield parsed
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read events from {self._shown}: {_short(exc)}") from exc


def _event_table_row(ev: DedupedEvent, representative_record: str) -> dict[str, Any]:
    record = ev.record(representative_record)
    source, target = record.get("source") or {}, record.get("target") or {}
    rep = ev.representative
    return {
        "event_id": ev.event_id,
        "group_key": ev.group_key,
        "mention_id": rep.mention_id,
        "doc_id": rep.doc_id,
        "date": ev.first_date,
        "last_date": ev.last_date,
        "source_code": source.get("code"),
        "source_country": source.get("country"),
        "source_text": source.get("text"),
        "target_code": target.get("code"),
        "target_country": target.get("country"),
        "target_text": target.get("text"),
        "cameo": rep.cameo,
        "cameo_root": _cameo_root(rep.cameo),
        "goldstein": record.get("goldstein"),
        "quad_class": record.get("quad_class"),
        "plover_event": (record.get("plover") or {}).get("event", ""),
        "confidence": ev.confidence,
        "n_mentions": ev.n_mentions,
        "n_articles": ev.n_articles,
        "n_sources": ev.n_sources,
        "ev_start": rep.ev_start,
        "trigger_start": rep.trigger_start,
        "record": json.dumps(record, ensure_ascii=False, allow_nan=False),
    }


def _conditions(f: EventFilter, table: Table) -> list[ColumnElement[bool]]:
    c = table.c
    conds: list[ColumnElement[bool]] = []
    if f.actor:
        code = f.actor.upper()
        conds.append(
            or_(
                c.source_code.startswith(code, autoescape=True),
                c.target_code.startswith(code, autoescape=True),
                c.source_text.icontains(f.actor, autoescape=True),
                c.target_text.icontains(f.actor, autoescape=True),
            )
        )
    if f.country:
        country = f.country.upper()
        conds.append(or_(c.source_country == country, c.target_country == country))
    if f.source:
        conds.append(c.source_code.startswith(f.source.upper(), autoescape=True))
    if f.target:
        conds.append(c.target_code.startswith(f.target.upper(), autoescape=True))
    if f.event_type:
        conds.append(func.upper(c.plover_event) == f.event_type.upper())
    if f.cameo:
        prefix = f.cameo.strip()
        if len(prefix) >= 2:  # lets the database use the cameo_root index
            conds.append(c.cameo_root == prefix[:2])
        if len(prefix) != 2:
            conds.append(c.cameo.startswith(prefix, autoescape=True))
    if f.since is not None:
        conds.append(c.date >= f.since)
    if f.until is not None:
        conds.append(c.date <= f.until)
    if f.doc_id is not None:
        if table is mentions_t:
            conds.append(c.doc_id == f.doc_id)
        else:
            reported_by = select(mentions_t.c.event_id).where(mentions_t.c.doc_id == f.doc_id)
            conds.append(c.event_id.in_(reported_by))
    if f.event_id is not None:
        conds.append(c.event_id == f.event_id)
    if f.min_confidence is not None:
        conds.append(c.confidence >= f.min_confidence)
    return [and_(*conds)] if conds else []
