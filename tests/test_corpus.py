"""Corpus runs: parallel workers, resuming after kill -9, progress, failures."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from eventcoder.corpus import Failure, code_corpus
from eventcoder.ingest import estimate_count, iter_documents, sample_corpus_paths
from eventcoder.model import Document
from eventcoder.pipeline import CoderConfig, coder_version
from eventcoder.progress import Progress
from eventcoder.store import open_store

SM = CoderConfig(model="sm", batch_size=4)


def _sample_records() -> list[dict[str, Any]]:
    records = []
    for item in iter_documents(sample_corpus_paths()):
        assert isinstance(item, Document)
        records.append({"id": item.doc_id, "date": item.date.isoformat(), "text": item.text})
    return records


def _write_corpus(path: Path, copies: int) -> int:
    """The sample articles ``copies`` times under new ids and outlets, as JSONL."""
    base = _sample_records()
    with path.open("w", encoding="utf-8") as fh:
        for n in range(copies):
            for record in base:
                record = {**record, "id": f"{record['id']}#{n}", "source": f"outlet-{n % 3}"}
                fh.write(json.dumps(record) + "\n")
    return copies * len(base)


def _dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Everything stored, except the time each document was coded."""
    con = sqlite3.connect(db)
    try:
        return {
            "documents": con.execute(
                "SELECT doc_id, content_hash, date, title, url, source, origin, text, "
                "n_events, coder_version FROM documents ORDER BY doc_id"
            ).fetchall(),
            "mentions": con.execute("SELECT * FROM mentions ORDER BY mention_id").fetchall(),
            "events": con.execute("SELECT * FROM events ORDER BY event_id").fetchall(),
            "stale_groups": con.execute("SELECT * FROM stale_groups").fetchall(),
        }
    finally:
        con.close()


def _code_command(corpus: Path, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "eventcoder.cli",
        "code",
        str(corpus),
        "--db",
        str(db),
        "--model",
        "sm",
        "--workers",
        "2",
        "--batch-size",
        "4",
        "--quiet",
    ]


def _stored_documents(db: Path) -> int:
    try:
        con = sqlite3.connect(db, timeout=0.1)
        try:
            return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:  # not created yet, or locked for a moment
        return 0


@dataclass(frozen=True)
class WholeRun:
    corpus: Path
    total: int
    dump: dict[str, list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory: pytest.TempPathFactory) -> WholeRun:
    """A corpus and the database of one uninterrupted run over it."""
    tmp = tmp_path_factory.mktemp("whole")
    corpus = tmp / "corpus.jsonl"
    total = _write_corpus(corpus, copies=12)
    whole = tmp / "whole.db"
    subprocess.run(_code_command(corpus, whole), check=True, timeout=600)
    dump = _dump(whole)
    assert len(dump["documents"]) == total
    return WholeRun(corpus, total, dump)


def _wait_for_documents(run: subprocess.Popen[bytes], db: Path, wanted: int) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and run.poll() is None:
        if _stored_documents(db) >= wanted:
            return
        time.sleep(0.01)


@pytest.mark.slow
def test_a_run_killed_mid_way_and_restarted_equals_an_uninterrupted_run(
    whole_run: WholeRun, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.db"
    run = subprocess.Popen(_code_command(whole_run.corpus, broken), start_new_session=True)
    _wait_for_documents(run, broken, 8)
    os.killpg(run.pid, signal.SIGKILL)  # the run and its workers, no chance to clean up
    run.wait(timeout=60)
    assert run.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    at_kill = _stored_documents(broken)
    assert 0 < at_kill < whole_run.total, at_kill

    subprocess.run(_code_command(whole_run.corpus, broken), check=True, timeout=600)
    assert _dump(broken) == whole_run.dump


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_no_document(whole_run: WholeRun, tmp_path: Path) -> None:
    # what the kernel's out-of-memory killer does to one worker
    db = tmp_path / "worker.db"
    run = subprocess.Popen(_code_command(whole_run.corpus, db), start_new_session=True)
    try:
        _wait_for_documents(run, db, 8)
        workers = [
            p for p in psutil.Process(run.pid).children() if "spawn_main" in " ".join(p.cmdline())
        ]
        assert workers, "no worker process found"
        workers[0].kill()
        assert run.wait(timeout=600) == 0
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert _dump(db) == whole_run.dump


@pytest.mark.slow
def test_workers_end_when_the_run_is_killed(whole_run: WholeRun, tmp_path: Path) -> None:
    """kill -9 of the run alone (not its process group): its workers must not live on."""
    db = tmp_path / "orphans.db"
    run = subprocess.Popen(_code_command(whole_run.corpus, db), start_new_session=True)
    children: list[psutil.Process] = []
    try:
        _wait_for_documents(run, db, 4)
        children = psutil.Process(run.pid).children(recursive=True)
        workers = [p for p in children if "spawn_main" in " ".join(p.cmdline())]
        assert workers, "no worker process found"
        run.kill()
        run.wait(timeout=10)
        _gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"still running after the run was killed: {alive}"
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        for process in children:  # a failed check must not leave them behind either
            if process.is_running():
                process.kill()


@pytest.mark.slow
def test_two_workers_give_the_same_store_as_one(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    total = _write_corpus(corpus, copies=1)
    summaries = []
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        with open_store(str(db)) as store:
            summaries.append(
                code_corpus(iter_documents([corpus]), store=store, config=SM, workers=workers)
            )
    assert [s.workers for s in summaries] == [1, 2]
    assert [s.coded for s in summaries] == [total, total]
    assert summaries[0].events == summaries[1].events > 0
    assert _dump(tmp_path / "w1.db") == _dump(tmp_path / "w2.db")


@pytest.mark.slow
def test_a_second_run_codes_only_what_is_missing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    total = _write_corpus(corpus, copies=1)
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    part = tmp_path / "part.jsonl"
    part.write_text("".join(lines[:5]), encoding="utf-8")
    db = str(tmp_path / "r.db")
    with open_store(db) as store:
        first = code_corpus(iter_documents([part]), store=store, config=SM, workers=1)
        second = code_corpus(iter_documents([corpus]), store=store, config=SM, workers=1)
        again = code_corpus(iter_documents([corpus]), store=store, config=SM, workers=1)
        forced = code_corpus(
            iter_documents([corpus]), store=store, config=SM, workers=1, force=True
        )
    assert (first.coded, first.already_stored) == (5, 0)
    assert (second.coded, second.already_stored) == (total - 5, 5)
    assert (again.coded, again.already_stored) == (0, total)
    assert (forced.coded, forced.already_stored) == (total, 0)


def test_bad_records_are_reported_and_the_rest_is_coded(tmp_path: Path) -> None:
    corpus = tmp_path / "mixed.jsonl"
    good = _sample_records()[:3]
    corpus.write_text(
        json.dumps(good[0]) + "\n{broken\n" + json.dumps(good[1]) + "\n"
        '{"id": "no-text", "date": "2024-01-01"}\n' + json.dumps(good[2]) + "\n",
        encoding="utf-8",
    )
    failures: list[Failure] = []
    with open_store(str(tmp_path / "m.db")) as store:
        summary = code_corpus(
            iter_documents([corpus]), store=store, config=SM, workers=2, on_error=failures.append
        )
        assert store.counts().documents == 3
    assert (summary.coded, summary.skipped) == (3, 2)
    assert [str(f).split(": ")[0] for f in failures] == [f"{corpus}:2", f"{corpus}:4"]


@pytest.mark.slow
def test_events_reach_the_callback_in_input_order(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    _write_corpus(corpus, copies=1)
    seen: list[str] = []
    summary = code_corpus(
        iter_documents([corpus]),
        store=None,
        config=SM,
        workers=2,
        on_events=lambda doc, events: seen.append(doc.doc_id),
    )
    expected = [d.doc_id for d in iter_documents([corpus]) if isinstance(d, Document)]
    assert seen == expected
    assert summary.workers == 2


def test_one_batch_is_coded_in_process(tmp_path: Path) -> None:
    docs = [d for d in iter_documents(sample_corpus_paths()) if isinstance(d, Document)][:2]
    summary = code_corpus(docs, store=None, config=SM, workers=4)
    assert summary.workers == 1 and summary.coded == 2


def test_progress_line_shows_rate_and_time_left() -> None:
    out = io.StringIO()
    progress = Progress(100, stream=out, enabled=True)
    progress.advance(already_done=40)
    time.sleep(0.05)
    progress.advance(coded=10)
    line = progress.line()
    assert "50/100 docs" in line and "docs/s" in line and "left" in line
    progress.close()
    assert out.getvalue().endswith("\n")
    quiet = io.StringIO()
    silent = Progress(10, stream=quiet)  # not a terminal: nothing is drawn
    silent.advance(coded=5)
    silent.close()
    assert quiet.getvalue() == ""


def test_estimate_count(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    total = _write_corpus(corpus, copies=2)
    (tmp_path / "a.txt").write_text("date 2024-01-01 Text.", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,date,text\n1,2024-01-01,x\n2,2024-01-01,y", "utf-8")
    assert estimate_count([tmp_path]) == total + 1 + 2
    assert estimate_count(["-"]) is None


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_workers_must_be_positive(workers: str, capsys: pytest.CaptureFixture[str]) -> None:
    from eventcoder.cli import main

    with pytest.raises(SystemExit):
        main(["code", "x.jsonl", "--workers", workers])
    assert "positive whole number" in capsys.readouterr().err


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_the_last_copy_of_a_document_wins_in_every_run(tmp_path: Path, workers: int) -> None:
    records = _sample_records()
    first, second = dict(records[0]), dict(records[0])
    second["text"] = records[1]["text"]  # same id, new text: a corrected article
    corpus = tmp_path / "twice.jsonl"
    rows = [first, *records[2:8], second, *records[8:12]]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    config = CoderConfig(model="sm", batch_size=2)
    with open_store(str(tmp_path / "t.db")) as store:
        for _ in range(2):  # the first run, then a resumed one
            code_corpus(iter_documents([corpus]), store=store, config=config, workers=workers)
            [stored] = [d for d in iter_documents([corpus]) if isinstance(d, Document)][7:8]
            assert store.current_doc_ids([stored], coder_version(config)) == {stored.doc_id}


def test_a_changed_user_kb_makes_stored_documents_stale(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    assert coder_version(CoderConfig(model="sm", kb_dirs=(kb,))) == coder_version(
        CoderConfig(model="sm", kb_dirs=())
    )
    (kb / "people.tsv").write_text("person_id\tname\n", encoding="utf-8")
    first = coder_version(CoderConfig(model="sm", kb_dirs=(kb,)))
    (kb / "people.tsv").write_text("person_id\tname\nx\tX\n", encoding="utf-8")
    second = coder_version(CoderConfig(model="sm", kb_dirs=(kb,)))
    assert "+kb." in first and first != second
