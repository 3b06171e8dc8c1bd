"""Opening a database engine (SQLite by path, anything else by SQLAlchemy URL), and the
small SQL helpers the store's modules share."""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from eventcoder.errors import StoreError

IN_CLAUSE_CHUNK = 500  # values per IN (...) clause
QUERY_YIELD_PER = 500  # rows fetched at a time by streaming queries
SQLITE_BEGIN_OPTION = "eventcoder_sqlite_begin"  # execution option: "IMMEDIATE" or ""
_SQLITE_BUSY_TIMEOUT_MS = 30_000


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


def describe_url(url: URL) -> str:
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
        _add_math_functions(dbapi_connection, cursor)
    finally:
        cursor.close()


def _add_math_functions(connection: Any, cursor: Any) -> None:
    """The functions of the ``near`` filter's distance, for SQLite builds without their
    math functions (they came with 3.35, as a compile-time option)."""
    try:
        cursor.execute("SELECT sin(0), cos(0), radians(0)")
    except sqlite3.OperationalError:
        for name, function in (("sin", math.sin), ("cos", math.cos), ("radians", math.radians)):
            connection.create_function(name, 1, function, deterministic=True)


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
    mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


def make_engine(url: URL, shown: str) -> Engine:
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


def short_error(exc: BaseException) -> str:
    """An exception's message on one line, without SQLAlchemy's long trailer."""
    orig = getattr(exc, "orig", None)
    if isinstance(exc, SQLAlchemyError) and orig is not None:
        return "; ".join(line.strip() for line in str(orig).splitlines() if line.strip())
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
