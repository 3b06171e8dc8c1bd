"""Places in the store: the location columns, the ``location_country`` and ``near``
filters in the store, the command line and the REST API (SQLite and PostgreSQL), the
GDELT ``ActionGeo_*`` columns, and an older database upgraded."""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eventcoder.cli import EXIT_ERROR, EXIT_OK, main
from eventcoder.errors import UsageError
from eventcoder.model import Document, Event
from eventcoder.pipeline import Coder
from eventcoder.store import EventFilter, Near, open_store
from eventcoder.web.app import create_app

DAY = date(2024, 5, 6)
TEXTS = {
    "kharkiv": "Russian forces shelled Kharkiv overnight, the Ukrainian army said.",
    "lviv": "Protesters rallied outside the city council in Lviv against a rise in bus fares.",
    "nairobi": "Police fired tear gas at protesters in Nairobi on Tuesday.",
    "statement": "Iran condemned the new sanctions, its foreign ministry said.",
}
KHARKIV = (49.99, 36.23)
LOCATION_COLUMNS = ("location_country", "location_lat", "location_lon", "location_precision")


@pytest.fixture(scope="module")
def coded(combined_coder: Coder) -> list[tuple[Document, list[Event]]]:
    documents = [Document(doc_id=k, text=t, date=DAY) for k, t in TEXTS.items()]
    found = list(combined_coder.code_documents(documents))
    assert all(events for _, events in found), found
    return found


def stored_at(url: str, coded: list[tuple[Document, list[Event]]]) -> str:
    with open_store(url) as store:
        for document, events in coded:
            store.write_document(document, events)
        store.refresh_events()
    return url


def doc_ids(url: str, flt: EventFilter) -> set[str]:
    with open_store(url) as store:
        return {s.event.doc_id for s in store.query_events(flt)}


def test_filters_by_country_and_distance(
    db_url: str, coded: list[tuple[Document, list[Event]]]
) -> None:
    url = stored_at(db_url, coded)
    assert doc_ids(url, EventFilter(location_country="UKR")) == {"kharkiv", "lviv"}
    assert doc_ids(url, EventFilter(location_country="ken")) == {"nairobi"}
    assert doc_ids(url, EventFilter(near=Near(*KHARKIV, 50))) == {"kharkiv"}
    # Lviv is 880 km from Kharkiv, Nairobi 5,000 km
    assert doc_ids(url, EventFilter(near=Near(*KHARKIV, 1_000))) == {"kharkiv", "lviv"}
    assert doc_ids(url, EventFilter(near=Near(*KHARKIV, 800))) == {"kharkiv"}
    with open_store(url) as store:
        frame = store.events(near="49.99,36.23,1000").to_pandas()
        assert set(frame["location_country"]) == {"UKR"}
        assert {"location_lat", "location_lon", "location_precision"} <= set(frame.columns)
        assert store.count_events(EventFilter(location_country="IRN")) == 1


def test_near_crosses_the_antimeridian_and_reaches_the_poles() -> None:
    from eventcoder.store.queries import near_conditions
    from eventcoder.store.schema import events

    assert (
        len(near_conditions(Near(64.0, 179.5, 300), events.c.location_lat, events.c.location_lon))
        == 2
    )
    assert (
        len(near_conditions(Near(10.0, 20.0, 300), events.c.location_lat, events.c.location_lon))
        == 3
    )
    with pytest.raises(ValueError, match="not a point"):
        Near(91, 0, 10)
    with pytest.raises(ValueError, match="distance"):
        Near(0, 0, 0)


def test_command_line_filters_and_gdelt_columns(
    tmp_path: Path, coded: list[tuple[Document, list[Event]]], capsys: pytest.CaptureFixture[str]
) -> None:
    db = stored_at(str(tmp_path / "e.db"), coded)
    assert main(["events", "--db", db, "--format", "gdelt", "--near", "49.99,36.23,100"]) == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out), delimiter="\t"))
    assert rows and all(r["ActionGeo_CountryCode"] == "UKR" for r in rows)
    assert rows[0]["ActionGeo_Type"] == "4" and rows[0]["ActionGeo_FullName"].startswith("Kharkiv")
    assert abs(float(rows[0]["ActionGeo_Lat"]) - KHARKIV[0]) < 0.2
    assert main(["events", "--db", db, "--location-country", "KEN", "--format", "jsonl"]) == EXIT_OK
    assert '"Nairobi"' in capsys.readouterr().out
    assert main(["events", "--db", db, "--near", "north,30,10"]) == EXIT_ERROR
    assert "--near 'north,30,10' is not LAT,LON,KM" in capsys.readouterr().err
    assert main(["events", "--db", db, "--location-country", "Kenya"]) == EXIT_ERROR
    assert "did you mean KEN" in capsys.readouterr().err


def test_rest_api_filters(tmp_path: Path, coded: list[tuple[Document, list[Event]]]) -> None:
    db = stored_at(str(tmp_path / "e.db"), coded)
    with TestClient(create_app(db)) as client:
        found = client.get("/api/events", params={"near": "49.99,36.23,100"}).json()
        assert {e["doc_id"] for e in found["events"]} == {"kharkiv"}
        place = found["events"][0]["location"]
        assert place["country"] == "UKR" and place["precision"] == "city"
        found = client.get("/api/events", params={"location_country": "KEN"}).json()
        assert {e["doc_id"] for e in found["events"]} == {"nairobi"}
        bad = client.get("/api/events", params={"near": "1,2"})
        assert bad.status_code == 400 and "LAT,LON,KM" in bad.json()["error"]["message"]


def test_python_api_checks_near() -> None:
    from eventcoder.store.event_query import filter_of

    assert filter_of(near="10,20,30").near == Near(10.0, 20.0, 30.0)
    with pytest.raises(UsageError, match="near '10,20' is not LAT,LON,KM"):
        filter_of(near="10,20")


def test_an_older_database_gets_the_location_columns(
    tmp_path: Path, coded: list[tuple[Document, list[Event]]]
) -> None:
    db = tmp_path / "old.db"
    with open_store(str(db)) as store:
        document, events = coded[0]
        store.write_document(document, [replace(e, location=None) for e in events])
    with sqlite3.connect(db) as conn:  # as version 5 left it: no location columns
        for table in ("mentions", "events"):
            for column in (
                "location_country",
                "location_lat",
                "location_lon",
                "location_precision",
            ):
                conn.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}")
                conn.execute(f"DROP INDEX IF EXISTS ix_{table}_location_country_date")
                conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    with open_store(str(db)) as store:
        assert store.count_events(EventFilter(location_country="UKR")) == 0
        document, events = coded[0]
        store.write_document(document, events)
        store.refresh_events()
        assert store.count_events(EventFilter(location_country="UKR")) >= 1


def test_the_map_is_drawn_here(tmp_path: Path, coded: list[tuple[Document, list[Event]]]) -> None:
    db = stored_at(str(tmp_path / "e.db"), coded)
    with TestClient(create_app(db)) as client:
        drawn = client.get(
            "/api/places/map.svg", params={"lat": 49.99, "lon": 36.23, "label": "<b>"}
        )
        assert drawn.status_code == 200 and drawn.headers["content-type"] == "image/svg+xml"
        body = drawn.text
        assert body.startswith("<svg") and body.count("M") > 1_000  # the cities' dots
        assert "&lt;b&gt;" in body and "<b>" not in body
        assert "http" not in body.replace("http://www.w3.org/2000/svg", "")
        assert client.get("/api/places/map.svg", params={"lat": 95, "lon": 0}).status_code == 400
