"""The library face: ``eventcoder.code_text``, ``EventStore.events(...)``, ``to_pandas``,
Parquet, and every Python example of docs/python-api.md run as written."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import eventcoder
from eventcoder.cli import main
from eventcoder.errors import EventCoderError, UsageError
from eventcoder.export import FLAT_COLUMNS, flat_row
from eventcoder.pipeline import Coder
from eventcoder.store import EventStore, open_store
from sample_store import code_samples

ROOT = Path(__file__).resolve().parents[1]
DOCS_PAGE = ROOT / "docs" / "python-api.md"
# the coder of the conftest's `coder` fixture (loaded once for the session): model and way
MD, RULES = "md", "rules"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory, coder: Coder) -> str:
    db = str(tmp_path_factory.mktemp("python-api") / "eventcoder.db")
    assert code_samples(db, coder) > 10
    return db


@pytest.fixture
def store(sample_db: str) -> Iterator[EventStore]:
    with open_store(sample_db) as opened:
        yield opened


def _cli_ids(capsys: pytest.CaptureFixture[str], db: str, *options: str) -> list[str]:
    capsys.readouterr()
    assert main(["events", "--db", db, "--format", "jsonl", *options]) == 0
    return [json.loads(line)["event_id"] for line in capsys.readouterr().out.splitlines()]


# -- the public names ------------------------------------------------------------------


def test_every_public_name_is_importable() -> None:
    for name in eventcoder.__all__:
        assert getattr(eventcoder, name) is not None, name
    assert eventcoder.open_store is open_store
    with pytest.raises(AttributeError, match="no attribute"):
        eventcoder.no_such_name  # noqa: B018


# -- code_text -------------------------------------------------------------------------


def test_code_text_codes_with_the_shared_coder(coder: Coder) -> None:
    text = "Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy in Kyiv."
    events = eventcoder.code_text(text, "2024-03-04", model=MD, learned=RULES)
    assert [e.plover.event for e in events] == ["CONSULT"]
    assert events[0].date_precision == "publication" and events[0].date == date(2024, 3, 4)
    # the same configuration reuses the coder; a date object gives the same events
    assert eventcoder.code_text(text, date(2024, 3, 4), model=MD, learned=RULES) == events
    shared = eventcoder.library.coder_for(model=MD, learned=RULES)
    assert shared is eventcoder.library.coder_for(model=MD, learned=RULES)
    assert shared.config == coder.config


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("25/01/2024", "expected YYYY-MM-DD"),
        ("2024-02-30", "invalid date"),
        (datetime(2024, 1, 25, 12), "use its .date()"),
        (None, "must be a datetime.date"),
        ("9999-01-01", "outside 1800-01-01"),
    ],
)
def test_code_text_refuses_a_bad_date_before_loading_anything(day: Any, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        eventcoder.code_text("Russia shelled Kharkiv.", day, model="md", learned="rules")


def test_code_documents_yields_each_document(coder: Coder) -> None:
    docs = [
        eventcoder.Document("a", "Russian forces shelled Kharkiv.", date(2023, 6, 1)),
        eventcoder.Document("b", "Ukraine's president met Poland's president.", date(2024, 1, 2)),
    ]
    coded = list(eventcoder.code_documents(docs, model=MD, learned=RULES))
    assert [d.doc_id for d, _ in coded] == ["a", "b"]
    assert all(events for _, events in coded)


# -- EventStore.events -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "kwargs"),
    [
        ((), {}),
        (("--type", "CONSULT"), {"type": "CONSULT"}),
        (("--country", "UKR"), {"country": "UKR"}),
        (("--source", "UKRMIL", "--target", "POL"), {"source": "UKRMIL", "target": "POL"}),
        (("--actor", "zaluzhnyi"), {"actor": "zaluzhnyi"}),
        (("--cameo", "04"), {"cameo": "04"}),
        (
            ("--since", "2022-01-01", "--until", "2024-01-31"),
            {"since": "2022-01-01", "until": date(2024, 1, 31)},
        ),
        (("--min-confidence", "0.8", "--limit", "3"), {"min_confidence": 0.8, "limit": 3}),
    ],
)
def test_events_are_those_of_the_command_line(
    capsys: pytest.CaptureFixture[str],
    sample_db: str,
    store: EventStore,
    options: tuple[str, ...],
    kwargs: dict[str, Any],
) -> None:
    expected = _cli_ids(capsys, sample_db, *options)
    assert expected, f"no sample event for {options}: the comparison would prove nothing"
    assert [s.event.event_id for s in store.events(**kwargs)] == expected


def test_events_by_document_match_the_command_line(
    capsys: pytest.CaptureFixture[str], sample_db: str, store: EventStore
) -> None:
    doc_id = next(iter(store.events())).event.doc_id
    expected = _cli_ids(capsys, sample_db, "--doc", doc_id)
    assert expected and [s.event.event_id for s in store.events(doc=doc_id)] == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "CONSLT"}, "type 'CONSLT' is not a PLOVER event type (did you mean CONSULT?)"),
        ({"country": "Ukraine"}, "country 'Ukraine' is not an ISO alpha-3 country code"),
        ({"min_confidence": 2}, "min_confidence 2.0 is not between 0 and 1"),
        ({"since": "2024-02-01", "until": "2024-01-01"}, "since 2024-02-01 is after until"),
        ({"since": "yesterday"}, "since 'yesterday' is not a date: use YYYY-MM-DD"),
        ({"cameo": "4x"}, "cameo '4x' is not a CAMEO code"),
        ({"limit": 0}, "limit 0 is not a positive whole number"),
    ],
)
def test_events_check_values_as_the_command_line_does(
    store: EventStore, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        store.events(**kwargs)
    assert message in str(caught.value)
    assert "--" not in str(caught.value)  # named as the parameters, not the options


def test_the_command_line_still_names_its_options(
    capsys: pytest.CaptureFixture[str], sample_db: str
) -> None:
    assert main(["events", "--db", sample_db, "--type", "CONSLT"]) == 2
    assert "--type 'CONSLT' is not a PLOVER event type" in capsys.readouterr().err


# -- tables ----------------------------------------------------------------------------


def test_to_pandas_has_one_flat_row_per_event(store: EventStore) -> None:
    query = store.events(country="UKR")
    frame = query.to_pandas()
    events = list(query)
    assert len(frame) == len(events) == query.count() > 0
    assert list(frame.columns) == [name for name, _ in FLAT_COLUMNS]
    for (_, row), stored in zip(frame.iterrows(), events, strict=True):
        ev = stored.event
        assert row["event_id"] == ev.event_id and row["doc_id"] == ev.doc_id
        assert row["date"].date() == ev.date
        assert row["cameo"] == ev.cameo and row["cameo_root"] == ev.cameo[:2]
        assert row["plover_type"] == ev.plover.event
        assert row["goldstein"] == pytest.approx(ev.goldstein)
        assert row["articles"] == stored.reports.articles
        assert row["evidence"] == ev.evidence.sentence
        assert ev.source is not None and row["source_code"] == ev.source.code
    assert str(frame["date"].dtype).startswith("datetime64")
    assert str(frame["articles"].dtype) == "int64" and str(frame["goldstein"].dtype) == "float64"


def test_flat_row_follows_the_declared_columns(store: EventStore) -> None:
    stored = next(iter(store.events(type="CONSULT")))
    row = flat_row(stored)
    assert list(row) == [name for name, _ in FLAT_COLUMNS]
    assert row["source_name"] and row["url"] == stored.url


def test_parquet_reads_back_as_to_pandas(
    tmp_path: Path, sample_db: str, store: EventStore, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "ukr.parquet"
    assert (
        main(
            [
                "events",
                "--db",
                sample_db,
                "--country",
                "UKR",
                "--format",
                "parquet",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pq.read_table(out)
    assert table.schema.field("date").type == pa.date32()
    assert table.schema.field("mentions").type == pa.int64()
    assert table.schema.field("goldstein").type == pa.float64()
    expected = store.events(country="UKR").to_pandas()
    assert table.num_rows == len(expected) > 0
    assert table.to_pandas(date_as_object=False).equals(expected)
    # the method writes the same file
    again = tmp_path / "again.parquet"
    assert store.events(country="UKR").to_parquet(again) == len(expected)
    assert pq.read_table(again).equals(table)


def test_parquet_needs_a_file(sample_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--db", sample_db, "--format", "parquet"]) == 2
    assert "add --out FILE" in capsys.readouterr().err


def test_out_writes_a_text_format_to_a_file(
    tmp_path: Path, sample_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.csv"
    capsys.readouterr()
    assert main(["events", "--db", sample_db, "--format", "csv", "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert main(["events", "--db", sample_db, "--format", "csv"]) == 0
    assert out.read_text(encoding="utf-8") == capsys.readouterr().out != ""


def test_to_pandas_without_pandas_says_what_to_install(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(EventCoderError, match=re.escape("pip install 'eventcoder[data]'")):
        store.events().to_pandas()


# -- the docs page ---------------------------------------------------------------------


def _python_blocks(page: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S)


def test_the_docs_page_examples_run(
    tmp_path: Path,
    sample_db: str,
    coder: Coder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocks = _python_blocks(DOCS_PAGE)
    assert len(blocks) >= 4
    (tmp_path / "eventcoder.db").write_bytes(Path(sample_db).read_bytes())
    monkeypatch.chdir(tmp_path)
    # the page codes with the default coder; the session's rule coder, loaded already,
    # stands in for it (loading another model would take the test seconds)
    monkeypatch.setattr(eventcoder.library, "coder_for", lambda *_, **__: coder)
    namespace: dict[str, Any] = {"__name__": "docs"}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{DOCS_PAGE}:block {i + 1}", "exec"), namespace)
    assert capsys.readouterr().out.strip()
    assert os.path.exists(tmp_path / "ukraine.parquet")
