"""The command line: bad input is reported and skipped, re-runs add nothing twice."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pytest

from eventcoder.cli import EXIT_OK, EXIT_SOME_SKIPPED, main
from eventcoder.pipeline import Coder

GOOD = [
    {
        "id": "a1",
        "date": "2024-03-04",
        "text": "Polish President Andrzej Duda met Ukrainian "
        "President Volodymyr Zelenskyy in Kyiv on Monday.",
    },
    {"id": "a2", "date": "2023-06-01", "text": "Russian forces shelled the city of Kharkiv."},
]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = [
        json.dumps(GOOD[0]),
        "{broken json",
        json.dumps({"id": "x", "date": "2024-01-01"}),
        json.dumps(GOOD[1]),
    ]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "scan.txt").write_bytes(b"date 2024-01-01 \x00\x01\x02binary")
    return folder


def test_bad_records_are_reported_and_skipped(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "events.db"
    out = tmp_path / "events.jsonl"
    status = main(["code", str(corpus), "--db", str(db), "--jsonl", str(out)])
    err = capsys.readouterr().err
    assert status == EXIT_SOME_SKIPPED
    assert "news.jsonl:2:" in err
    assert "news.jsonl:3:" in err and "text" in err
    assert "scan.txt" in err
    assert "coded 2 documents" in err and "skipped 3" in err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["doc_id"] for r in records} == {"a1", "a2"}

    main(["events", "--db", str(db), "--format", "jsonl"])
    first = capsys.readouterr().out.splitlines()
    main(["code", str(corpus), "--db", str(db), "--quiet"])
    capsys.readouterr()
    main(["events", "--db", str(db), "--format", "jsonl"])
    second = capsys.readouterr().out.splitlines()
    assert len(first) == len(records) > 0
    assert second == first


def test_events_filters_and_formats(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "events.db"
    main(["code", str(corpus), "--db", str(db), "--quiet"])
    capsys.readouterr()
    assert main(["events", "--db", str(db), "--type", "CONSULT", "--format", "jsonl"]) == EXIT_OK
    consult = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert consult and all(r["plover"]["event"] == "CONSULT" for r in consult)
    main(["events", "--db", str(db), "--since", "2024-01-01", "--format", "csv"])
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("event_id")
    assert all("2023-06-01" not in row for row in rows[1:])


def test_missing_date_is_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "undated.txt"
    article.write_text("Israel and Egypt held talks in Cairo.", encoding="utf-8")
    assert main(["code", str(article), "--no-store", "--jsonl", "-"]) == EXIT_SOME_SKIPPED
    assert "--date" in capsys.readouterr().err
    assert main(["code", str(article), "--no-store", "--date", "2024-02-02", "--jsonl", "-"]) == 0
    assert '"date": "2024-02-02"' in capsys.readouterr().out


def test_events_without_database_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["events", "--db", str(tmp_path / "none.db")]) == 2
    assert "eventcoder code" in capsys.readouterr().err


def test_every_cli_option_is_documented_in_the_readme() -> None:
    from eventcoder.cli import build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    missing = []
    commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert commands
    for action in commands:
        for name, sub in action.choices.items():
            readme_has_command = f"eventcoder {name}" in readme
            assert readme_has_command, name
            for opt in sub._actions:
                for flag in opt.option_strings:
                    if flag.startswith("--") and flag != "--help" and flag not in readme:
                        missing.append(f"{name} {flag}")
    assert not missing, missing


def test_min_confidence_filter(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "events.db"
    main(["code", str(corpus), "--db", str(db), "--quiet"])
    capsys.readouterr()
    main(["events", "--db", str(db), "--format", "jsonl"])
    every = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    cut = sorted(r["confidence"] for r in every)[-1]
    main(["events", "--db", str(db), "--format", "jsonl", "--min-confidence", str(cut)])
    kept = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert kept and all(r["confidence"] >= cut for r in kept)
    assert len(kept) == sum(1 for r in every if r["confidence"] >= cut)


def test_same_file_name_in_two_folders_gives_two_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "deeper").mkdir()
    (tmp_path / "a" / "x.txt").write_text("date 2024-01-02 Poland met Germany.", encoding="utf-8")
    (tmp_path / "a" / "deeper" / "x.txt").write_text(
        "date 2024-01-03 France criticized Iran.", encoding="utf-8"
    )
    out = tmp_path / "events.jsonl"
    assert main(["code", str(tmp_path / "a"), "--no-store", "--jsonl", str(out)]) == EXIT_OK
    doc_ids = {json.loads(line)["doc_id"] for line in out.read_text().splitlines()}
    assert doc_ids == {"x", "deeper/x"}


@pytest.mark.parametrize(
    "argv",
    [
        ["events", "--limit", "-1"],
        ["code", "x.txt", "--batch-size", "0"],
        ["code", "x.txt", "--date", "20240101"],
    ],
)
def test_bad_option_values_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_unwritable_output_is_a_fatal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("date 2024-01-02 Poland met Germany.", encoding="utf-8")
    status = main(["code", str(article), "--no-store", "--jsonl", str(tmp_path / "no" / "x.jsonl")])
    assert status == 2
    assert "does not exist" in capsys.readouterr().err


def test_every_event_has_a_source(coder: Coder) -> None:
    text = "Reservists would be called up. Attacked Ukraine. Poland condemned Russia."
    events = coder.code_text(text, date(2024, 1, 2))
    # the first two sentences name no one who acts: only the third gives an event
    coded = [
        (e.source.code if e.source else None, e.target.code if e.target else None, e.plover.event)
        for e in events
    ]
    assert coded == [("POL", "RUS", "ACCUSE")]
    assert events[0].evidence.sentence == "Poland condemned Russia."


def test_summary_counts_events_left_out_as_self_dyads(
    coder: Coder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "houthi.txt"
    article.write_text("date 2024-03-04\nAn attack by Houthi rebels hit the port.\n")
    argv = ["code", str(article), "--no-store", "--jsonl", "-", "--workers", "1"]
    assert main([*argv, "--no-model"]) == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "1 events left out whose source and target were the same actor" in captured.err
    # the learned model reads the attack all the same, and adds it with no target
    assert main(argv) == EXIT_OK
    captured = capsys.readouterr()
    (added,) = [json.loads(line) for line in captured.out.splitlines()]
    assert (added["plover"]["event"], added["source"]["code"], added["target"]) == (
        "ASSAULT",
        "YEMREB",
        None,
    )
    assert added["coder"]["rule"] == "model:ASSAULT"
    assert "1 events left out whose source and target were the same actor" in captured.err


def test_a_far_future_date_option_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["code", "x.txt", "--date", "9999-12-31"])
    assert exc.value.code == 2
    assert "argument --date: date 9999-12-31 is outside 1800-01-01.." in capsys.readouterr().err


def test_a_record_dated_9999_12_31_is_skipped_and_the_rest_coded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    news = tmp_path / "news.jsonl"
    far = {**GOOD[1], "id": "far", "date": "9999-12-31"}
    news.write_text("\n".join(json.dumps(r) for r in [GOOD[0], far, GOOD[1]]) + "\n")
    db = str(tmp_path / "events.db")
    assert main(["code", str(news), "--db", db, "--workers", "1"]) == EXIT_SOME_SKIPPED
    err = capsys.readouterr().err
    assert f"{news}:2: date 9999-12-31 is outside 1800-01-01.." in err
    assert "coded 2 documents" in err and "skipped 1" in err
    # the database stays readable, and a second run adds nothing
    assert main(["events", "--db", db, "--format", "jsonl"]) == EXIT_OK
    first = capsys.readouterr().out.splitlines()
    assert first and {json.loads(line)["doc_id"] for line in first} == {"a1", "a2"}
    assert main(["code", str(news), "--db", db, "--quiet", "--workers", "1"]) == EXIT_SOME_SKIPPED
    capsys.readouterr()
    assert main(["events", "--db", db, "--format", "jsonl"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == first
