"""The REST API (``eventcoder serve``) over a store coded from the samples, through
FastAPI's TestClient: every endpoint, paging and sorting, the filters, the JSON errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from eventcoder import __version__
from eventcoder.cli import build_parser
from eventcoder.pipeline import Coder, CoderConfig
from eventcoder.store import open_store
from eventcoder.store.analytics import INTERVALS, period_start
from eventcoder.store.queries import EVENT_SORTS
from eventcoder.web import api
from eventcoder.web.app import MAX_BODY_BYTES, create_app
from sample_store import code_samples

# the configuration of the conftest's `coder` fixture, so POST /api/code shares it
CODER_CONFIG = CoderConfig(model="md", kb_dirs=(), learned="rules")
SEED_PAIR = {"source": "UKRMIL", "target": "POLMIL"}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory, coder: Coder) -> str:
    db = str(tmp_path_factory.mktemp("rest-api") / "events.db")
    assert code_samples(db, coder) > 10
    return db


@pytest.fixture(scope="module")
def client(sample_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(sample_db, coder_config=CODER_CONFIG)) as test_client:
        yield test_client


def _error(response: Any, status: int) -> str:
    """The message of a JSON error response, checked to have the contract's shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    message: str = body["error"]["message"]
    assert message and "Traceback" not in message
    return message


def test_health_and_stats(client: TestClient, sample_db: str) -> None:
    assert client.get("/api/health").json() == {"status": "ok", "version": __version__}
    stats = client.get("/api/stats").json()
    with open_store(sample_db) as store:
        counts = store.counts()
    assert (stats["documents"], stats["mentions"], stats["events"]) == (
        counts.documents,
        counts.mentions,
        counts.events,
    )
    assert set(stats["by_quad_class"]) == {"1", "2", "3", "4"}
    assert sum(stats["by_quad_class"].values()) == stats["events"] == sum(stats["by_type"].values())
    assert stats["first_date"] <= stats["last_date"]


def test_events_page_through_every_event(client: TestClient) -> None:
    first = client.get("/api/events", params={"limit": 5}).json()
    assert first["limit"] == 5 and first["offset"] == 0 and len(first["events"]) == 5
    seen: list[str] = []
    for offset in range(0, first["total"], 5):
        page = client.get("/api/events", params={"limit": 5, "offset": offset}).json()
        seen += [e["event_id"] for e in page["events"]]
    everything = client.get("/api/events", params={"limit": 500}).json()["events"]
    assert seen == [e["event_id"] for e in everything] and len(seen) == first["total"]
    dates = [e["date"] for e in everything]
    assert dates == sorted(dates)
    assert all("reports" in e for e in everything)
    past = client.get("/api/events", params={"offset": first["total"] + 10}).json()
    assert past["events"] == [] and past["total"] == first["total"]


def test_the_count_stops_at_its_cap(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    everything = client.get("/api/events", params={"limit": 500}).json()
    assert everything["total_exact"] is True and everything["total"] == len(everything["events"])
    monkeypatch.setattr(api, "COUNT_CAP", 3)
    first = client.get("/api/events", params={"limit": 2}).json()
    assert (first["total"], first["total_exact"]) == (3, False)
    # pages past the cap are still served, in the same order
    seen: list[str] = []
    for offset in range(0, everything["total"] + 4, 2):
        page = client.get("/api/events", params={"limit": 2, "offset": offset}).json()
        assert page["total"] == 3 and page["total_exact"] is (everything["total"] <= 3)
        seen += [e["event_id"] for e in page["events"]]
    assert seen == [e["event_id"] for e in everything["events"]]
    one = client.get("/api/events", params=SEED_PAIR).json()
    assert one["total_exact"] is True and one["total"] == len(one["events"]) <= 3


@pytest.mark.parametrize("sort", EVENT_SORTS)
def test_events_sort(client: TestClient, sort: str) -> None:
    events = client.get("/api/events", params={"sort": sort, "limit": 500}).json()["events"]
    name = sort.removeprefix("-")
    keys = [
        e["date"]
        if name == "date"
        else e["reports"]["articles"]
        if name == "articles"
        else e["confidence"]
        for e in events
    ]
    assert keys == sorted(keys, reverse=sort.startswith("-"))
    if name == "articles":  # every sample event has one article: ties keep the date order
        by_date = client.get("/api/events", params={"limit": 500}).json()["events"]
        assert set(keys) == {1} and events == by_date
    else:
        assert len(set(keys)) > 1


@pytest.mark.parametrize(
    ("params", "cli"),
    [
        ({"type": "CONSULT"}, ["--type", "CONSULT"]),
        ({"country": "UKR"}, ["--country", "UKR"]),
        ({"source": "UKRMIL", "target": "POL"}, ["--source", "UKRMIL", "--target", "POL"]),
        ({"actor": "zaluzhnyi"}, ["--actor", "zaluzhnyi"]),
        ({"cameo": "04"}, ["--cameo", "04"]),
        (
            {"since": "2022-01-01", "until": "2024-01-31"},
            ["--since", "2022-01-01", "--until", "2024-01-31"],
        ),
        ({"min_confidence": "0.8"}, ["--min-confidence", "0.8"]),
    ],
)
def test_each_filter_selects_what_the_command_line_selects(
    client: TestClient,
    sample_db: str,
    params: dict[str, str],
    cli: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from eventcoder.cli import main

    capsys.readouterr()
    assert main(["events", "--db", sample_db, "--format", "jsonl", *cli]) == 0
    expected = [json.loads(line)["event_id"] for line in capsys.readouterr().out.splitlines()]
    got = client.get("/api/events", params={**params, "limit": 500}).json()
    assert expected and [e["event_id"] for e in got["events"]] == expected
    assert got["total"] == len(expected)


def test_the_doc_filter(client: TestClient) -> None:
    event = client.get("/api/events", params={"limit": 1}).json()["events"][0]
    got = client.get("/api/events", params={"doc": event["doc_id"]}).json()["events"]
    assert event["event_id"] in [e["event_id"] for e in got]


def test_an_event_with_its_mentions_articles_and_document(client: TestClient) -> None:
    listed = client.get("/api/events", params={**SEED_PAIR, "limit": 1}).json()["events"]
    assert listed, "the seed's call between the Ukrainian and Polish commanders is missing"
    detail = client.get(f"/api/events/{listed[0]['event_id']}").json()
    event = detail["event"]
    assert event == listed[0]
    assert detail["labels"]["quad_class"] and detail["labels"]["cameo"]
    assert detail["labels"]["plover"]
    assert detail["mentions"] and all(
        m["merged_into"] == event["event_id"] for m in detail["mentions"]
    )
    assert {a["doc_id"] for a in detail["articles"]} == {m["doc_id"] for m in detail["mentions"]}
    evidence = event["evidence"]
    text = detail["document"]["text"]
    assert text[evidence["start"] : evidence["end"]] == evidence["sentence"]
    assert text[evidence["trigger_start"] : evidence["trigger_end"]] == evidence["trigger"]


def test_a_document_with_its_events(client: TestClient) -> None:
    event = client.get("/api/events", params=SEED_PAIR).json()["events"][0]
    document = client.get(f"/api/documents/{event['doc_id']}").json()
    assert document["doc_id"] == event["doc_id"] and document["language"] == "en"
    assert {"title", "url", "source", "date", "text"} <= set(document)
    assert document["events"] and all(e["doc_id"] == event["doc_id"] for e in document["events"])
    for mention in document["events"]:
        ev = mention["evidence"]
        assert document["text"][ev["start"] : ev["end"]] == ev["sentence"]


def test_actor_lookup(client: TestClient) -> None:
    found = client.get("/api/actors", params={"q": "Zaluzhnyi", "date": "2024-01-25"}).json()
    assert found["query"] == "Zaluzhnyi" and found["date"] == "2024-01-25"
    assert found["actors"] and found["actors"][0]["code"] == "UKRMIL"
    assert "Zaluzhnyi" in (found["actors"][0]["name"] or "") and found["actors"][0]["why"]
    nobody = client.get("/api/actors", params={"q": "Nobody Atall"}).json()
    assert nobody["actors"] == [] and nobody["date"]


@pytest.mark.parametrize("interval", INTERVALS)
def test_timeline_of_the_seed_dyad(client: TestClient, interval: str) -> None:
    got = client.get("/api/timeline", params={**SEED_PAIR, "interval": interval}).json()
    assert got["source"] == "UKRMIL" and got["interval"] == interval
    series = got["series"]
    assert series and {p["direction"] for p in series} <= {"A>B", "B>A"}
    keys = [(p["period"], p["direction"]) for p in series]
    assert keys == sorted(keys)
    for point in series:
        assert sum(point["quad_class"].values()) == point["events"] > 0
        assert point["goldstein_mean"] == pytest.approx(
            point["goldstein_sum"] / point["events"], abs=1e-3
        )
    total = client.get("/api/events", params=SEED_PAIR).json()["total"]
    back = client.get("/api/events", params={"source": "POLMIL", "target": "UKRMIL"}).json()[
        "total"
    ]
    assert sum(p["events"] for p in series) == total + back


def test_period_starts() -> None:
    from datetime import date

    day = date(2024, 1, 25)  # a Thursday
    assert [period_start(day, i) for i in INTERVALS] == [day, date(2024, 1, 22), date(2024, 1, 1)]


def test_network(client: TestClient) -> None:
    got = client.get("/api/network").json()
    assert got["edges"] and got["nodes"]
    ids = {n["id"] for n in got["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in got["edges"])
    assert any(
        e["source"].startswith("UKRMIL") and e["target"].startswith("POL") for e in got["edges"]
    )
    events = sum(e["events"] for e in got["edges"])
    with_both = [
        e
        for e in client.get("/api/events", params={"limit": 500}).json()["events"]
        if e["source"] and e["target"]
    ]
    assert events == len(with_both)
    busy = client.get("/api/network", params={"min_events": 2}).json()
    assert all(e["events"] >= 2 for e in busy["edges"]) and len(busy["edges"]) < len(got["edges"])
    empty = client.get("/api/network", params={"since": "1900-01-01", "until": "1900-12-31"}).json()
    assert empty["nodes"] == [] and empty["edges"] == []


# -- coding a posted text ----------------------------------------------------------------

POSTED = {
    "text": "Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy in Kyiv.",
    "date": "2024-03-04",
    "title": "A visit",
}


def test_code_a_text_without_storing_it(client: TestClient, coder: Coder) -> None:
    before = client.get("/api/stats").json()
    got = client.post("/api/code", json=POSTED)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["stored"] is False and body["doc_id"].startswith("posted-")
    assert [e["plover"]["event"] for e in body["events"]] == ["CONSULT"]
    assert client.get("/api/stats").json() == before
    assert client.get(f"/api/documents/{body['doc_id']}").status_code == 404


def test_code_a_text_and_store_it(sample_db: str, tmp_path: Path, coder: Coder) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(Path(sample_db).read_bytes())
    with TestClient(create_app(str(db), coder_config=CODER_CONFIG)) as fresh:
        before = fresh.get("/api/stats").json()
        body = fresh.post(
            "/api/code", params={"store": "true"}, json={**POSTED, "doc_id": "visit"}
        ).json()
        assert body["stored"] is True and body["doc_id"] == "visit" and body["events"]
        after = fresh.get("/api/stats").json()
        assert after["documents"] == before["documents"] + 1
        assert after["events"] == before["events"] + len(body["events"])
        assert fresh.get("/api/documents/visit").json()["title"] == "A visit"


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/api/events", {"since": "2024-13-01"}, "since '2024-13-01' is not a date"),
        ("/api/events", {"since": "yesterday"}, "use YYYY-MM-DD"),
        ("/api/events", {"type": "CONSLT"}, "did you mean CONSULT?"),
        ("/api/events", {"country": "Ukraine"}, "did you mean UKR?"),
        ("/api/events", {"cameo": "x"}, "cameo 'x' is not a CAMEO code"),
        ("/api/events", {"limit": "501"}, "limit"),
        ("/api/events", {"limit": "0"}, "limit"),
        ("/api/events", {"offset": "-1"}, "offset"),
        ("/api/events", {"sort": "random"}, "sort"),
        ("/api/events", {"min_confidence": "2"}, "min_confidence"),
        ("/api/events", {"min_confidence": "nan"}, "min_confidence"),
        ("/api/events", {"actor": "a\x00b"}, "NUL"),
        ("/api/events", {"since": "2024-02-01", "until": "2024-01-01"}, "is after until"),
        ("/api/timeline", {"source": "UKR"}, "target"),
        ("/api/timeline", {**SEED_PAIR, "interval": "year"}, "interval"),
        ("/api/timeline", {"source": "Ukraine", "target": "POL"}, "did you mean UKR?"),
        ("/api/network", {"min_events": "0"}, "min_events"),
        ("/api/network", {"until": "soon"}, "until 'soon' is not a date"),
        ("/api/actors", {}, "q"),
        ("/api/actors", {"q": "Duda", "date": "2024-1-1"}, "date '2024-1-1' is not a date"),
    ],
)
def test_bad_parameters_are_400_with_a_message(
    client: TestClient, path: str, params: dict[str, str], words: str
) -> None:
    assert words in _error(client.get(path, params=params), 400)


def test_filters_never_refer_to_command_line_options(client: TestClient) -> None:
    message = _error(client.get("/api/events", params={"type": "CONSLT"}), 400)
    assert message.startswith("type 'CONSLT'") and "--" not in message


@pytest.mark.parametrize(
    "path",
    ["/api/events/0000000000000000", "/api/documents/no-such-doc", "/api/nothing", "/nothing/here"],
)
def test_unknown_ids_and_routes_are_404(client: TestClient, path: str) -> None:
    _error(client.get(path), 404)


def test_a_wrong_method_is_405(client: TestClient) -> None:
    _error(client.post("/api/events"), 405)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"date": "2024-01-01"}), "text"),
        (json.dumps({"text": "", "date": "2024-01-01"}), "text"),
        (json.dumps({"text": "x", "date": "01/02/2024"}), "expected YYYY-MM-DD"),
        (json.dumps({"text": "x", "date": "9999-01-01"}), "outside 1800-01-01"),
        (json.dumps({"text": "x" * 200_001, "date": "2024-01-01"}), "text"),
        (json.dumps(["a list"]), "body"),
        ('{"text": "\\ud800", "date": "2024-01-01"}', "unicode"),
    ],
)
def test_bad_bodies_are_400(client: TestClient, body: str, words: str) -> None:
    got = client.post("/api/code", content=body, headers={"content-type": "application/json"})
    assert words in _error(got, 400)


def test_an_oversized_body_is_413(client: TestClient) -> None:
    body = json.dumps({"text": "x" * (MAX_BODY_BYTES + 1), "date": "2024-01-01"})
    _error(
        client.post("/api/code", content=body, headers={"content-type": "application/json"}), 413
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it comes
        for _ in range(3):
            yield b"x" * (MAX_BODY_BYTES // 2)

    _error(
        client.post("/api/code", content=chunks(), headers={"content-type": "application/json"}),
        413,
    )


# -- the OpenAPI page --------------------------------------------------------------------


def test_the_docs_page_loads_everything_from_this_server(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*["']([^"']+)["']""", page.text)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "http://" not in page.text and "https://" not in page.text
    for url in urls:
        assert client.get(url).status_code == 200, url
    schema = client.get("/api/openapi.json").json()
    assert {"/api/events", "/api/events/{event_id}", "/api/timeline", "/api/code"} <= set(
        schema["paths"]
    )
    # the page's Swagger UI (4.15) draws OpenAPI 3.0 only: it gets the same schema so labelled
    assert client.get("/api/docs/openapi.json").json() == {**schema, "openapi": "3.0.3"}
    assert schema["openapi"].startswith("3.1")
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


def test_the_openapi_enums_are_the_library_s() -> None:
    assert get_args(api.SortOrder) == EVENT_SORTS
    assert get_args(api.Interval) == INTERVALS


def test_serve_binds_loopback_unless_told() -> None:
    args = build_parser().parse_args(["serve", "--db", "x.db"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


def test_an_older_database_gets_the_dyad_indexes(tmp_path: Path) -> None:
    from sqlalchemy import inspect, select, text

    from eventcoder.store.queries import EventFilter, conditions
    from eventcoder.store.schema import events

    db = str(tmp_path / "old.db")
    # a database made before the indexes
    with open_store(db) as store, store._engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_events_source_code"))
        assert "ix_events_source_code" not in {
            i["name"] for i in inspect(conn).get_indexes("events")
        }
    with open_store(db) as store, store._engine.connect() as conn:
        stmt = select(events.c.event_id).where(*conditions(EventFilter(source="UKR"), events))
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "USING INDEX ix_events_source_code" in plan, plan
