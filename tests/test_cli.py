"""The command line: bad input is reported and skipped, re-runs add nothing twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventcoder.cli import EXIT_OK, EXIT_SOME_SKIPPED, main

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
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
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
