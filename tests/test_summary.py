"""The short report of a store (`eventcoder summary`, what `make run` shows) and the
merge step of `eventcoder code`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from eventcoder.cli import EXIT_OK, main
from eventcoder.model import Actor, Event, Evidence, Modality, Plover, Reports, StoredEvent
from eventcoder.summary import SummaryInput, format_summary

ARTICLES = [
    {
        "id": "warsaw",
        "date": "2024-03-04",
        "text": "Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy "
        "in Kyiv on Monday, and the two presidents discussed air defence and the export of "
        "Ukrainian grain through Polish ports for more than an hour.",
    },
    {
        "id": "kyiv",
        "date": "2024-03-04",
        "text": "Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy "
        "in Kyiv on Monday.",
    },
    {"id": "kharkiv", "date": "2023-06-01", "text": "Russian forces shelled the city of Kharkiv."},
]


@pytest.fixture()
def coded_db(tmp_path: Path) -> tuple[Path, str]:
    news = tmp_path / "news.jsonl"
    news.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    db = tmp_path / "events.db"
    assert main(["code", str(news), "--db", str(db), "--workers", "1"]) == EXIT_OK
    return db, str(news)


def test_code_shows_the_merge_and_counts_mentions_and_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    news = tmp_path / "news.jsonl"
    news.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    db = tmp_path / "events.db"
    assert main(["code", str(news), "--db", str(db), "--workers", "1"]) == EXIT_OK
    err = capsys.readouterr().err.splitlines()
    merging = err.index("merging duplicate reports into events…")
    coded = next(i for i, line in enumerate(err) if line.startswith("coded 3 documents"))
    assert merging < coded
    merged = next(line for line in err if line.startswith("merged duplicate reports"))
    # the same meeting told by two articles is two mentions and one event
    mentions = int(merged.split(" holds ")[1].split()[0])
    events = int(merged.split("merged into ")[1].split()[0])
    assert mentions > events >= 2
    assert any(line.startswith("see them: eventcoder summary --db") for line in err)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_summary_fits_the_width_and_names_the_actors(
    coded_db: tuple[Path, str], capsys: pytest.CaptureFixture[str], width: int
) -> None:
    db, _ = coded_db
    assert main(["summary", "--db", str(db), "--width", str(width)]) == EXIT_OK
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert all(len(line) <= width for line in lines), [x for x in lines if len(x) > width]
    assert lines[0].startswith("3 documents,") and "event mentions merged into" in lines[0]
    assert lines[1].startswith("in ")
    assert "Andrzej Duda POLGOV → Volodymyr Zelenskyy UKRGOV" in out or (
        width < 80 and "Andrzej Duda POLGOV" in out
    )
    assert "    2 articles · “" in out
    assert "By type:" in out and "CONSULT" in out
    assert "By dyad" in out and "POL→UKR" in out
    assert "See them all: eventcoder events --db" in out


def test_summary_puts_the_most_reported_event_first(
    coded_db: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = coded_db
    main(["summary", "--db", str(db), "--top", "1", "--width", "100"])
    lines = capsys.readouterr().out.splitlines()
    top = lines.index("Top 1 of 2 (most reported, then most confident):")
    assert "CONSULT" in lines[top + 1]
    assert lines[top + 2].startswith("    2 articles · “")
    assert "met" in lines[top + 2]  # the words around the trigger


def test_summary_takes_the_event_filters(
    coded_db: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = coded_db
    main(["summary", "--db", str(db), "--country", "RUS"])
    out = capsys.readouterr().out
    assert out.startswith("events matching the filters: 1\n")
    assert "By type: ASSAULT 1\n" in out


def test_summary_of_a_missing_database_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summary", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def _stored(n: int, articles: int) -> StoredEvent:
    sentence = f"Country {n} sent aid to its neighbour after the floods of the spring."
    day = date(2024, 1, n + 1)
    event = Event(
        doc_id=f"d{n}",
        date=day,
        date_precision="day",
        source=Actor(f"Country {n}", "AAA", "AAA", None),
        target=None,
        cameo="070",
        goldstein=7.0,
        quad_class=2,
        plover=Plover("AID"),
        modality=Modality(),
        evidence=Evidence(
            sentence, 0, len(sentence), "sent", sentence.index("sent"), sentence.index("sent") + 4
        ),
        confidence=0.5,
        rule="r",
        coder_version="v",
        event_id=f"e{n}",
    )
    return StoredEvent(event, Reports(articles, articles, articles, day, day, f"m{n}"))


def test_format_summary_ranks_counts_and_handles_no_target() -> None:
    events = [_stored(n, articles=n % 3 + 1) for n in range(9)]
    lines = format_summary(SummaryInput("x.db", 9, 15, events), width=70, top=3)
    assert lines[0] == "9 documents, 15 event mentions merged into 9 events"
    assert lines[1] == "in x.db, event dates 2024-01-01 to 2024-01-09"
    shown = [line for line in lines if line.startswith("2024-")]
    assert len(shown) == 3
    assert sum(line.startswith("    3 articles · ") for line in lines) == 3
    assert all("→ (no target)" in line for line in shown)
    assert "By type: AID 9" in lines
    assert all(len(line) <= 70 for line in lines)


def test_format_summary_of_an_empty_store() -> None:
    assert format_summary(SummaryInput("x.db", 0, 0, []))[-1] == "no events to show"
