"""Security of ``eventcoder serve``: SQL injection in every filter, the loopback default,
no write without ``store=true``, no stack trace in a response, escaped HTML and a
restrictive Content-Security-Policy on the pages.

The app runs in-process (FastAPI's TestClient) over a small hand-made store, so these
tests need no model, except the one that codes a posted text (the session's rule coder).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psutil
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from eventcoder.cli import build_parser
from eventcoder.model import Actor, Document, Event, Evidence, Modality, Plover
from eventcoder.pipeline import Coder, CoderConfig
from eventcoder.store import open_store
from eventcoder.web.app import create_app
from web_server import IMG_ONERROR, JAVASCRIPT_URL, SCRIPT, LiveServer

VERSION = "security-test"
PHONE_TEXT = (
    "Zaluzhnyi held a telephone call with Kukula on Thursday. "
    "Poland condemned Russia over the missile strikes."
)
HOSTILE_TEXT = f"Poland condemned Russia {SCRIPT} over the strikes {IMG_ONERROR}."
HOSTILE_ID = "hostile"

INJECTIONS = (
    "' OR 1=1 --",
    '"; DROP TABLE events; --',
    "%' UNION SELECT event_id, record FROM events --",
    "UKR' OR '1'='1",
    "1; DELETE FROM documents WHERE 1=1",
    "') OR ('x'='x",
)
# the free-text parameters of each endpoint (the typed ones are checked too: they give 4xx)
EVENT_FILTERS = (
    "actor",
    "country",
    "source",
    "target",
    "type",
    "cameo",
    "since",
    "until",
    "doc",
    "min_confidence",
    "limit",
    "offset",
    "sort",
)
TIMELINE_FILTERS = ("source", "target", "interval", "since", "until")
NETWORK_FILTERS = ("since", "until", "min_events")
ACTOR_FILTERS = ("q", "date")
HTML_PAGES = (
    "/",
    "/timeline",
    "/network",
    "/code",
    f"/documents/{HOSTILE_ID}",
    "/events/0123456789abcdef",
)
TRACEBACK_SIGNS = ("Traceback", 'File "', "sqlalchemy.", "sqlite3.", "Error:\n")


# -- the store -------------------------------------------------------------------------------


def _actor(text: str, code: str, doc_text: str) -> Actor:
    start = doc_text.index(text)
    return Actor(
        text=text,
        code=code,
        country=code[:3],
        sector=code[3:] or None,
        start=start,
        end=start + len(text),
        why=f"{text}: test actor {code}",
    )


def _event(
    doc: Document,
    sentence: str,
    trigger: str,
    dyad: tuple[tuple[str, str], tuple[str, str]],
    codes: tuple[str, str, float, int],
) -> Event:
    (source_text, source_code), (target_text, target_code) = dyad
    cameo, plover, goldstein, quad_class = codes
    start = doc.text.index(sentence)
    trigger_start = doc.text.index(trigger, start)
    return Event(
        doc_id=doc.doc_id,
        date=doc.date,
        date_precision="day",
        source=_actor(source_text, source_code, doc.text),
        target=_actor(target_text, target_code, doc.text),
        cameo=cameo,
        goldstein=goldstein,
        quad_class=quad_class,
        plover=Plover(event=plover),
        modality=Modality(),
        evidence=Evidence(
            sentence=sentence,
            start=start,
            end=start + len(sentence),
            trigger=trigger,
            trigger_start=trigger_start,
            trigger_end=trigger_start + len(trigger),
        ),
        confidence=0.9,
        rule="test",
        coder_version=VERSION,
    )


def write_test_store(db: Path) -> None:
    """Two documents, three events: a phone call, a condemnation, a hostile article."""
    phone = Document("phone-call", PHONE_TEXT, date(2024, 1, 25), title="Phone call", url=None)
    hostile = Document(
        HOSTILE_ID,
        HOSTILE_TEXT,
        date(2024, 2, 5),
        title=f"Hostile {SCRIPT} {IMG_ONERROR}",
        url=JAVASCRIPT_URL,
        source=f"Wire {IMG_ONERROR}",
    )
    condemn = (("Poland", "POL"), ("Russia", "RUS"))
    disapprove = ("111", "DISAPPROVE", -2.0, 3)
    with open_store(str(db)) as store:
        store.write_document(
            phone,
            [
                _event(
                    phone,
                    PHONE_TEXT.split(" Poland")[0],
                    "telephone call",
                    (("Zaluzhnyi", "UKRMIL"), ("Kukula", "POLMIL")),
                    ("040", "CONSULT", 1.0, 1),
                ),
                _event(
                    phone,
                    "Poland condemned Russia over the missile strikes.",
                    "condemned",
                    condemn,
                    disapprove,
                ),
            ],
        )
        store.write_document(
            hostile, [_event(hostile, HOSTILE_TEXT, "condemned", condemn, disapprove)]
        )
        store.refresh_events()


def checksum(db: Path) -> dict[str, str]:
    """Each table's name with a hash of its rows: any change shows."""
    con = sqlite3.connect(db)
    try:
        tables = [
            row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        sums = {}
        for table in sorted(tables):
            rows = sorted(repr(row) for row in con.execute(f'SELECT * FROM "{table}"'))
            sums[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16] + (
                f" ({len(rows)} rows)"
            )
        return sums
    finally:
        con.close()


@dataclass(frozen=True)
class Site:
    """The app over a test store, and the store's checksum before any request."""

    client: TestClient
    db: Path
    before: dict[str, str]


@contextmanager
def serving(db: Path, coder_config: CoderConfig | None = None) -> Iterator[Site]:
    app = create_app(f"sqlite:///{db}", coder_config=coder_config)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Site(client, db, checksum(db))


@pytest.fixture(scope="module")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("web-security") / "events.db"
    write_test_store(db)
    return db


@pytest.fixture(scope="module")
def site(site_db: Path) -> Iterator[Site]:
    with serving(site_db) as served:
        yield served


def check_response(response: Response) -> None:
    """Not a server error, and no stack trace or SQL error in the body; errors are JSON."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    for sign in TRACEBACK_SIGNS:
        assert sign not in response.text, f"the response shows internals ({sign!r})"
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["status"] == response.status_code and error["message"]


def _no_rows(path: str, body: dict[str, object]) -> bool:
    """Whether a 200 answer of ``path`` holds nothing (the injection matched no row)."""
    if path == "/api/events":
        return body["total"] == 0 and body["events"] == []
    if path == "/api/timeline":
        return body["series"] == []
    if path == "/api/network":
        return body["nodes"] == [] and body["edges"] == []
    return body["actors"] == []


# -- SQL injection ---------------------------------------------------------------------------

BASE_QUERIES = {
    "/api/events": {},
    "/api/timeline": {"source": "UKRMIL", "target": "POLMIL"},
    "/api/network": {},
    "/api/actors": {"q": "Poland"},
}
INJECTED = [
    (path, name, injection)
    for path, names in (
        ("/api/events", EVENT_FILTERS),
        ("/api/timeline", TIMELINE_FILTERS),
        ("/api/network", NETWORK_FILTERS),
        ("/api/actors", ACTOR_FILTERS),
    )
    for name in names
    for injection in INJECTIONS
]


@pytest.mark.parametrize(("path", "name", "injection"), INJECTED)
def test_sql_injection_matches_nothing(site: Site, path: str, name: str, injection: str) -> None:
    params = {**BASE_QUERIES[path], name: injection}
    response = site.client.get(path, params=params)
    check_response(response)
    if response.status_code == 200:
        assert _no_rows(path, response.json()), (
            f"{path}?{name}={injection!r} returned rows: {response.text[:300]}"
        )
    else:
        assert 400 <= response.status_code < 500
    assert checksum(site.db) == site.before


@pytest.mark.parametrize("injection", INJECTIONS)
def test_sql_injection_in_ids_is_not_found(site: Site, injection: str) -> None:
    for path in ("/api/events/", "/api/documents/"):
        response = site.client.get(path + urllib.parse.quote(injection, safe=""))
        check_response(response)
        assert response.status_code == 404
    assert checksum(site.db) == site.before


def test_the_store_answers_unfiltered(site: Site) -> None:
    """The injection tests' empty answers mean something: the same queries find rows."""
    for path, params in BASE_QUERIES.items():
        response = site.client.get(path, params=params)
        check_response(response)
        assert response.status_code == 200
        assert not _no_rows(path, response.json()), f"{path} found nothing in the test store"


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/events", {"since": "2024-13-45"}),
        ("/api/events", {"type": "CONSLT"}),
        ("/api/events", {"limit": "501"}),
        ("/api/events", {"offset": "-1"}),
        ("/api/events", {"sort": "drop"}),
        ("/api/timeline", {"source": "UKR"}),
        ("/api/timeline", {"source": "UKR", "target": "POL", "interval": "decade"}),
        ("/api/network", {"min_events": "many"}),
        ("/api/actors", {"q": "Poland", "date": "yesterday"}),
        ("/api/no-such-route", {}),
        ("/no-such-page", {}),
    ],
)
def test_bad_input_is_a_json_4xx(site: Site, path: str, params: dict[str, str]) -> None:
    response = site.client.get(path, params=params)
    check_response(response)
    assert 400 <= response.status_code < 500


def test_bad_json_and_big_bodies_are_refused_before_coding(site: Site) -> None:
    headers = {"content-type": "application/json"}
    for body in (b"{not json", b'{"text": 1}', b"[]", b'{"date": "2024-01-01"}'):
        response = site.client.post("/api/code", content=body, headers=headers)
        check_response(response)
        assert 400 <= response.status_code < 500, body
    too_long = json.dumps({"text": "a" * 200_001, "date": "2024-01-01"}).encode()
    response = site.client.post("/api/code", content=too_long, headers=headers)
    check_response(response)
    assert 400 <= response.status_code < 500
    too_big = json.dumps({"text": "a" * 1_100_000, "date": "2024-01-01"}).encode()
    response = site.client.post("/api/code", content=too_big, headers=headers)
    check_response(response)
    assert response.status_code == 413
    assert checksum(site.db) == site.before


# -- HTML --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", HTML_PAGES)
def test_pages_escape_and_restrict_scripts(site: Site, path: str) -> None:
    response = site.client.get(path)
    check_response(response)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert SCRIPT not in response.text and "<img src=x" not in response.text
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts is not None, f"{path} sets no Content-Security-Policy for scripts: {policy!r}"
    assert "'self'" in scripts
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(
        scripts
    ), f"{path}: script-src allows more than this server: {policy!r}"


def test_documents_are_served_as_json_not_html(site: Site) -> None:
    response = site.client.get(f"/api/documents/{HOSTILE_ID}")
    check_response(response)
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["text"] == HOSTILE_TEXT and document["url"] == JAVASCRIPT_URL


# -- binding -------------------------------------------------------------------------------------


def test_serve_binds_loopback_by_default() -> None:
    args = build_parser().parse_args(["serve", "--db", "events.db"])
    assert args.host == "127.0.0.1"


def test_serve_listens_on_loopback_only(site_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    shutil.copy(site_db, db)
    with LiveServer.start(db) as server:
        assert f"http://127.0.0.1:{server.port}" in server.output()
        listening = {
            conn.laddr.ip
            for conn in psutil.Process(server.process.pid).net_connections(kind="inet")
            if conn.status == psutil.CONN_LISTEN
        }
        assert listening == {"127.0.0.1"}


# -- writes ----------------------------------------------------------------------------------------


def test_code_stores_only_when_asked(coder: Coder, site_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    shutil.copy(site_db, db)
    # the session's rule coder (tests/conftest.py): the app reuses it through get_coder
    config = CoderConfig(model="md", kb_dirs=(), learned="rules")
    body = {"text": PHONE_TEXT, "date": "2024-01-25", "doc_id": "posted"}
    with serving(db, config) as site:
        for params in ({}, {"store": "false"}):
            response = site.client.post("/api/code", params=params, json=body)
            check_response(response)
            assert response.status_code == 200
            assert response.json()["stored"] is False and response.json()["events"]
            assert checksum(db) == site.before, f"POST /api/code?{params} changed the store"
        response = site.client.post("/api/code", params={"store": "true"}, json=body)
        check_response(response)
        assert response.json()["stored"] is True
        assert checksum(db) != site.before
        assert site.client.get("/api/documents/posted").status_code == 200
