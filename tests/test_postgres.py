"""PostgreSQL-only checks of the event store, on the session's throwaway server.

The store suite itself (test_store.py) runs on both SQLite and PostgreSQL; this file
holds what only a server has: authentication and connection errors, concurrent
writers, column length limits and transactions left open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from eventcoder.cli import main
from eventcoder.errors import StoreError
from eventcoder.store import EventStore, open_store
from postgres_server import PASSWORD_ROLE, PostgresServer, free_port
from test_store import VERSION, make_doc, make_event, overlapping, run_in_threads, stored

pytestmark = pytest.mark.postgresql

SECRET = "hunter2-Secret"  # a wrong password that must never be printed


@pytest.fixture
def dbname(postgres_server: PostgresServer) -> Iterator[str]:
    name = postgres_server.create_database()
    yield name
    postgres_server.drop_database(name)


@pytest.fixture
def store(postgres_url: str) -> Iterator[EventStore]:
    with open_store(postgres_url) as s:
        yield s


def test_server_and_database(postgres_server: PostgresServer, dbname: str) -> None:
    (row,) = postgres_server.admin_execute(
        "select pg_encoding_to_char(encoding) from pg_database where datname = %s", [dbname]
    )
    assert row == ("UTF8",)
    with open_store(postgres_server.url(dbname)) as s:
        assert s.dialect == "postgresql"
        assert s.url == f"postgresql+psycopg://postgres@127.0.0.1:{postgres_server.port}/{dbname}"


# -- connection errors: a clear StoreError, never a password or a traceback ------------


def _cli_error(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["events", "--db", url]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert SECRET not in captured.err
    return captured.err


def test_wrong_password(
    postgres_server: PostgresServer, dbname: str, capsys: pytest.CaptureFixture[str]
) -> None:
    postgres_server.admin_execute(f'ALTER DATABASE "{dbname}" OWNER TO {PASSWORD_ROLE}')
    right = postgres_server.url(dbname, user=PASSWORD_ROLE, password="right-password")
    with open_store(right) as s:  # the role can log in: only the password is wrong below
        s.write_document(make_doc(), [make_event()])
    wrong = postgres_server.url(dbname, user=PASSWORD_ROLE, password=SECRET)
    with pytest.raises(StoreError) as info:
        open_store(wrong)
    message = str(info.value)
    assert message.startswith(f"cannot open database postgresql+psycopg://{PASSWORD_ROLE}:***@")
    assert "password authentication failed" in message
    assert SECRET not in message and SECRET not in repr(info.value)
    err = _cli_error(wrong, capsys)
    assert err.startswith("eventcoder: error: cannot open database") and "***" in err


def test_unreachable_server(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("psycopg")
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://someone:{SECRET}@127.0.0.1:{port}/events?connect_timeout=5"
    with pytest.raises(StoreError, match=rf"cannot open database .*127\.0\.0\.1:{port}") as info:
        open_store(url)
    assert re.search("connection refused|connection failed", str(info.value), re.IGNORECASE)
    assert SECRET not in str(info.value)
    assert "127.0.0.1" in _cli_error(url, capsys)


def test_missing_database(postgres_server: PostgresServer) -> None:
    with pytest.raises(StoreError, match='database "no_such_db" does not exist'):
        open_store(postgres_server.url("no_such_db"))


# -- writing ------------------------------------------------------------------------


def test_value_longer_than_its_column(store: EventStore) -> None:
    # SQLite ignores VARCHAR lengths; PostgreSQL refuses the row: a clear StoreError.
    with pytest.raises(StoreError, match=r"document 'long'.*too long"):
        store.write_document(make_doc("long"), [make_event("long")], coder_version="v" * 200)
    assert stored(store) == (0, 0)


def test_concurrent_writers_of_the_same_new_document(store: EventStore) -> None:
    # Two workers code the same article at once: both must succeed (writes are
    # idempotent). Each waits after its first write to `documents` for the other, so
    # that neither sees the other's row.
    evs = [make_event(trigger_start=5), make_event(trigger_start=50)]
    with overlapping(store, r"\s*(INSERT INTO|UPDATE) documents\b"):
        errors = run_in_threads(*[lambda: store.write_document(make_doc(), evs)] * 2)
    assert errors == []
    assert stored(store) == (1, 2)
    assert store.is_current(make_doc(), VERSION)


# -- reading ------------------------------------------------------------------------


def test_abandoned_reader_leaves_no_open_transaction(
    store: EventStore, postgres_server: PostgresServer
) -> None:
    store.write_many([(make_doc(f"d{i}"), [make_event(f"d{i}", day=i + 1)]) for i in range(3)])
    store.refresh_events()
    for reader in (store.query_events(), store.query_mentions()):
        next(reader)
        reader.close()
    dbname = store._engine.url.database
    open_transactions = postgres_server.admin_execute(
        "select state from pg_stat_activity where datname = %s and state like %s",
        [dbname, "%in transaction%"],
    )
    assert open_transactions == []
