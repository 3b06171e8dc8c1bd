"""The command line refuses what cannot be right, before it touches anything."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from eventcoder.cli import EXIT_ERROR, main
from eventcoder.errors import EventCoderError, UsageError
from eventcoder.filters import check_filter
from eventcoder.store.store import EventFilter


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--type", "CONSLT"], "is not a PLOVER event type (did you mean CONSULT?)"),
        (["--country", "Ukraine"], "(did you mean UKR?)"),
        (["--country", "UKRMIL"], "is not an ISO alpha-3 country code"),
        (["--source", "ukr"], "(did you mean UKR?)"),
        (["--target", "Poland"], "(did you mean POL?)"),
        (["--cameo", "4x"], "is not a CAMEO code"),
        (["--cameo", "99"], "is not a CAMEO code"),
        (["--min-confidence", "2"], "is not between 0 and 1"),
        (["--min-confidence", "nan"], "is not between 0 and 1"),
        (["--since", "2024-02-01", "--until", "2024-01-01"], "no event fits"),
    ],
)
def test_nonsense_filters_are_refused_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    # checked before the database: a missing one is not reported instead
    assert main(["events", "--db", str(tmp_path / "none.db"), *options]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err and "no database" not in err


@pytest.mark.parametrize(
    "flt",
    [
        EventFilter(event_type="consult"),
        EventFilter(event_type="CONSULT", cameo="04", country="UKR", source="UKRMIL"),
        EventFilter(target="---", min_confidence=0.0),
        EventFilter(source="IGO", target="NGO", min_confidence=1.0),
    ],
)
def test_good_filters_pass(flt: EventFilter) -> None:
    check_filter(flt)


def test_usage_errors_are_eventcoder_errors() -> None:
    with pytest.raises(EventCoderError):
        check_filter(EventFilter(event_type="NOPE"))
    assert issubclass(UsageError, EventCoderError)


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    """One short article in the seed text format."""
    path = tmp_path / "a.txt"
    path.write_text("date 2024-01-02\nPoland condemned Russia.\n")
    return path


def test_no_store_without_jsonl_is_refused(
    article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["code", str(article), "--no-store", "--workers", "1"]) == EXIT_ERROR
    assert "--no-store without --jsonl" in capsys.readouterr().err


def test_repeated_ids_are_named_with_the_copy_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "news.jsonl"
    corpus.write_text(
        '{"id": "a", "date": "2024-01-02", "text": "Poland condemned Russia."}\n'
        '{"id": "b", "date": "2024-01-02", "text": "Spain condemned Russia."}\n'
        '{"id": "a", "date": "2024-01-03", "text": "Poland praised Ukraine."}\n'
    )
    db = tmp_path / "x.db"
    assert main(["code", str(corpus), "--db", str(db), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "1 document(s) repeat an id of this run, the last copy is kept" in err
    assert f"'a' at {corpus}:3" in err
    assert f"(replaces {corpus}:1)" in err
    assert main(["events", "--db", str(db), "--doc", "a", "--format", "jsonl"]) == 0
    assert "praised" in capsys.readouterr().out


def test_query_dates_may_lie_outside_the_document_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # only documents are held to 1800..next year; a query may ask for any span
    db = tmp_path / "none.db"
    assert main(["events", "--db", str(db), "--since", "1700-01-01", "--until", "2099-01-01"]) == 2
    assert "no database" in capsys.readouterr().err


def test_a_mistyped_path_creates_nothing(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new.db"
    status = main(["code", str(article), str(tmp_path / "nwes"), "--db", str(db), "--workers", "1"])
    assert status == EXIT_ERROR
    assert "no such file or directory: " in capsys.readouterr().err
    assert not db.exists()
    out = tmp_path / "missing" / "events.jsonl"
    assert main(["code", str(article), "--db", str(db), "--jsonl", str(out)]) == EXIT_ERROR
    assert "does not exist" in capsys.readouterr().err
    assert not db.exists()


def test_gdelt_sourceurl_is_the_documents_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "news.jsonl"
    corpus.write_text(
        '{"id": "a", "date": "2024-01-02", "url": "https://example.org/a", '
        '"text": "Poland condemned Russia."}\n'
        '{"id": "b", "date": "2024-01-02", "text": "Spain condemned Russia."}\n'
    )
    db = tmp_path / "x.db"
    assert main(["code", str(corpus), "--db", str(db), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["events", "--db", str(db), "--format", "gdelt"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    header, body = rows[0], rows[1:]
    urls = {row[header.index("SOURCEURL")] for row in body}
    assert urls == {"https://example.org/a", "b"}


def test_bad_bytes_are_a_warning_and_the_article_is_coded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_bytes(
        b"date 2024-01-02\nPoland condemned Russia.\nSpain \xff\xfe praised Ukraine again.\n"
    )
    assert main(["code", str(article), "--no-store", "--jsonl", "-", "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert f"warning: {article}: undecodable bytes on line(s) 3 replaced" in captured.err
    assert len(captured.out.splitlines()) == 2


NOT_ENGLISH = [
    {
        "id": "de-1",
        "date": "2024-03-04",
        "text": "Der polnische Präsident Andrzej Duda hat am Montag in Kiew den ukrainischen "
        "Präsidenten Wolodymyr Selenskyj getroffen und mit ihm über Getreide gesprochen.",
    },
    {
        "id": "en-1",
        "date": "2024-03-04",
        "text": "Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy "
        "in Kyiv on Monday.",
    },
    {
        "id": "ru-1",
        "date": "2024-03-04",
        "text": "Президент Польши Анджей Дуда встретился в понедельник в Киеве с президентом "
        "Украины Владимиром Зеленским и обсудил с ним поставки зерна.",
    },
]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_documents_not_in_english_are_stored_counted_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    news = tmp_path / "news.jsonl"
    news.write_text("".join(json.dumps(r) + "\n" for r in NOT_ENGLISH), encoding="utf-8")
    db = tmp_path / "events.db"
    # one document a batch: with two workers the batches are coded in other processes
    run = ["code", str(news), "--db", str(db), "--workers", workers, "--batch-size", "1"]
    assert main(run) == 0
    err = capsys.readouterr().err
    assert "coded 1 document, " in err
    assert "2 documents not in English (1 de, 1 ru) stored without events: 'de-1' (de), " in err
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT doc_id, language FROM documents").fetchall())
    assert stored == {"de-1": "de", "en-1": "en", "ru-1": "ru"}
    # stored like any document: the next run does not code them again
    assert main(run) == 0
    assert "3 already stored" in capsys.readouterr().err
