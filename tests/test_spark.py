"""Tests for eventcoder.spark: the Spark job gives the same events as the local path.

The Spark tests use a local[2] session. Without pyspark or Java they are skipped, except
under CI (the CI environment variable set), where they fail instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, make_dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ci import in_ci
from eventcoder.errors import EventCoderError, InputError
from eventcoder.ingest import iter_documents, split_seed_date
from eventcoder.model import (
    EVENT_RECORD_LAYOUT,
    Actor,
    Document,
    Event,
    Evidence,
    Location,
    Modality,
    Plover,
)
from eventcoder.pipeline import CoderConfig, get_coder
from eventcoder.spark import (
    EVENT_COLUMNS,
    INSTALL_HINT,
    Column,
    JobSummary,
    display_path,
    main,
    record_to_row,
    row_to_record,
    run_job,
)
from eventcoder.spark.executor import DOC, ERROR, code_partition
from eventcoder.spark.schema import columns_of
from store_records import records

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "eventcoder" / "samples"
ARTICLES = SAMPLES / "articles.jsonl"
SEED = SAMPLES / "seed_article.txt"
MODEL = "md"
CONFIG = CoderConfig(model=MODEL, kb_dirs=())


# --------------------------------------------------------------------------- helpers


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'eventcoder[spark]')"
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        return "java is not installed (Spark needs Java 17 or later)"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local[2] SparkSession for the whole test session."""
    missing = _spark_missing()
    if missing is not None:
        if in_ci():
            pytest.fail(f"{missing}: the Spark tests must run under CI")
        pytest.skip(missing)
    from pyspark.sql import SparkSession

    previous = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("eventcoder-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if previous is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = previous


def _key(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def local_records(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """The event records of the local path, sorted."""
    documents = [d for d in iter_documents(paths) if isinstance(d, Document)]
    coded = get_coder(CONFIG).code_documents(documents)
    return sorted((e.to_record() for _, events in coded for e in events), key=_key)


def spark_records(spark: Any, output: Path) -> list[dict[str, Any]]:
    return sorted((row_to_record(r) for r in spark.read.parquet(str(output)).collect()), key=_key)


def spark_errors(spark: Any, summary: JobSummary) -> list[dict[str, Any]]:
    from eventcoder.spark import error_schema

    rows = spark.read.schema(error_schema()).json(summary.errors_path).collect()
    return sorted((r.asDict() for r in rows), key=lambda r: (r["path"], r["line"]))


def seed_row() -> dict[str, Any]:
    """The seed article as an input-contract record."""
    day, body = split_seed_date(SEED.read_text(encoding="utf-8-sig"))
    assert day is not None
    return {"id": SEED.stem, "date": day.isoformat(), "text": body}


def article_rows() -> list[dict[str, Any]]:
    lines = ARTICLES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def expected() -> list[dict[str, Any]]:
    """Events of the sample corpus (20 articles and the seed article) coded locally."""
    records = local_records([ARTICLES, SEED])
    assert len(records) > 100
    return records


@pytest.fixture(scope="session")
def jsonl_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("jsonl") / "corpus"
    folder.mkdir()
    shutil.copy(ARTICLES, folder / "articles.jsonl")
    (folder / "seed.jsonl").write_text(json.dumps(seed_row(), ensure_ascii=False) + "\n")
    return folder


# --------------------------------------------------------------------------- schema


def _sample_event(target: bool) -> Event:
    source = Actor("Valerii Zaluzhnyi", "UKRMIL", "UKR", "MIL", "Valerii Zaluzhnyi", "p:1", 15, 32)
    other = Actor("Wiesław Kukuła", "POLMIL", "POL", "MIL", None, None, 40, 54, "role in text")
    return Event(
        doc_id="seed_article",
        date=date(2024, 1, 25),
        date_precision="day",
        source=source,
        target=other if target else None,
        cameo="041",
        goldstein=1.0,
        quad_class=1,
        plover=Plover("CONSULT", "phone" if target else None, ("a", "b") if target else ()),
        modality=Modality(intent=not target),
        evidence=Evidence("On 25 January, … Kukuła", 0, 165, "held a call", 85, 96),
        confidence=0.85,
        rule="04_consult.tsv:24",
        coder_version="eventcoder-0.1.0+md",
        location=Location("Kyiv", "UKR", 50.45, 30.52, "city", "dateline", text="KYIV"),
    )


def _names(columns: Sequence[Column]) -> list[Any]:
    return [(c.name, _names(c.fields)) if c.fields else c.name for c in columns]


def _record_names(record: dict[str, Any], columns: Sequence[Column]) -> list[Any]:
    out: list[Any] = []
    for column in columns:
        value = record[column.name]
        out.append(
            (column.name, _record_names(value, column.fields)) if column.fields else column.name
        )
    return out


def test_event_columns_follow_the_event_record() -> None:
    record = _sample_event(target=True).to_record()
    assert list(record) == [c.name for c in EVENT_COLUMNS]
    assert _record_names(record, EVENT_COLUMNS) == _names(EVENT_COLUMNS)


def test_record_to_row_refuses_another_shape() -> None:
    record = _sample_event(target=True).to_record()
    assert record_to_row(record)[0] == record["event_id"]
    with pytest.raises(EventCoderError, match="Spark schema"):
        record_to_row({**record, "extra": 1})
    broken = {**record, "coder": {"version": "x"}}
    with pytest.raises(EventCoderError, match=r"event record\.coder"):
        record_to_row(broken)


def test_display_path() -> None:
    assert display_path("file:/tmp/a%20b/x%25.jsonl") == "/tmp/a b/x%.jsonl"
    assert display_path("file:///tmp/x.jsonl") == "/tmp/x.jsonl"
    assert display_path("hdfs://nn:8020/data/x.jsonl") == "hdfs://nn:8020/data/x.jsonl"


@dataclass(frozen=True)
class _EveryKind:
    name: str
    count: int
    score: float
    flag: bool
    day: date
    tags: tuple[str, ...]
    maybe: int | None
    actor: Actor | None


def test_columns_are_derived_from_the_field_types() -> None:
    assert columns_of(_EveryKind) == (
        Column("name", "string"),
        Column("count", "int"),
        Column("score", "double"),
        Column("flag", "boolean"),
        Column("day", "string"),
        Column("tags", "strings"),
        Column("maybe", "int", nullable=True),
        Column("actor", "struct", nullable=True, fields=columns_of(Actor)),
    )
    unmapped = make_dataclass("Unmapped", [("counts", list[int])], frozen=True)
    with pytest.raises(EventCoderError, match="'counts' has type"):
        columns_of(unmapped)


def test_a_field_added_to_a_record_dataclass_is_in_the_schema() -> None:
    alias = ("alias", str | None, None)
    longer = make_dataclass("LongerActor", [alias], bases=(Actor,), frozen=True)
    assert columns_of(longer) == (*columns_of(Actor), Column("alias", "string", nullable=True))
    by_name = {c.name: c for c in EVENT_COLUMNS}
    assert by_name["source"].fields == by_name["target"].fields == columns_of(Actor)
    assert by_name["evidence"].fields == columns_of(Evidence)


def test_the_record_layout_holds_every_event_field_once() -> None:
    used = [e.attribute for e in EVENT_RECORD_LAYOUT if e.attribute]
    used += [name for e in EVENT_RECORD_LAYOUT for _, name in e.members]
    assert sorted(used) == sorted(f.name for f in fields(Event))


def _full_events() -> list[Event]:
    """Events with every field set, one with both actors, one with none."""
    full = _sample_event(target=True)
    both = replace(
        full,
        source=Actor(
            "Valerii Zaluzhnyi", "UKRMIL", "UKR", "MIL", "V. Zaluzhnyi", "p:1", 15, 32, "kb"
        ),
        target=Actor("Wiesław Kukuła", "POLMIL", "POL", "MIL", "W. Kukuła", "p:2", 40, 54, "role"),
        goldstein=-2.5,
        plover=Plover("CONSULT", "phone", ("a", "b")),
        modality=Modality(negated=True, intent=True, hypothetical=True, reported=True),
        event_id="",
    )
    return [both, replace(full, source=None, target=None, plover=Plover("CONSULT"), event_id="")]


@pytest.mark.slow
def test_events_round_trip_through_parquet(spark: Any, tmp_path: Path) -> None:
    from eventcoder.spark import event_schema

    events = _full_events()
    rows = [record_to_row(e.to_record()) for e in events]
    spark.createDataFrame(rows, event_schema()).write.parquet(str(tmp_path / "events"))
    back = spark.read.parquet(str(tmp_path / "events")).collect()
    by_id = {e.event_id: e for e in (Event.from_record(row_to_record(r)) for r in back)}
    assert by_id == {e.event_id: e for e in events}


# --------------------------------------------------------------------------- the job


@pytest.mark.slow
def test_jsonl_job_gives_the_local_events(
    spark: Any, jsonl_input: Path, expected: list[dict[str, Any]], tmp_path: Path
) -> None:
    output = tmp_path / "events"
    summary = run_job(spark, str(jsonl_input), str(output), model=MODEL, kb_dirs=())
    assert spark_records(spark, output) == expected
    assert summary.input_format == "jsonl"
    assert (summary.records, summary.documents, summary.errors) == (21, 21, 0)
    assert summary.events == len(expected)
    assert spark_errors(spark, summary) == []
    assert spark.read.parquet(str(output)).schema.simpleString() == (
        "struct<" + ",".join(f.simpleString() for f in _event_fields()) + ">"
    )


def _event_fields() -> Any:
    from eventcoder.spark import event_schema

    return event_schema().fields


@pytest.mark.slow
def test_parquet_job_gives_the_local_events(
    spark: Any, expected: list[dict[str, Any]], tmp_path: Path
) -> None:
    from pyspark.sql.types import DateType, StringType, StructField, StructType

    # a Parquet date column is read as its YYYY-MM-DD string; other columns are ignored
    names = ["id", "date", "title", "url", "source", "text", "extra"]
    types = {"date": DateType()}
    schema = StructType([StructField(n, types.get(n, StringType())) for n in names])
    rows = [
        {**r, "date": date.fromisoformat(r["date"]), "extra": "ignored"}
        for r in [*article_rows(), seed_row()]
    ]
    source = tmp_path / "input.parquet"
    frame = spark.createDataFrame([tuple(r.get(n) for n in names) for r in rows], schema)
    frame.repartition(3).write.parquet(str(source))

    output = tmp_path / "events"
    summary = run_job(spark, str(source), str(output), model=MODEL, kb_dirs=(), partitions=3)
    assert spark_records(spark, output) == expected
    assert (summary.input_format, summary.partitions) == ("parquet", 3)
    assert (summary.documents, summary.events, summary.errors) == (21, len(expected), 0)


BAD_LINES = {
    3: "{broken",
    6: "[1, 2]",
    9: '{"id": "bad-date", "date": "2024-02-30", "text": "Poland met Ukraine."}',
    12: "",  # blank: skipped, not an error
    14: '{"id": "no-text", "date": "2024-01-01"}',
    17: '{"id": true, "date": "2024-01-01", "text": "Poland met Ukraine."}',
    23: '{"id": "undated", "text": "Poland met Ukraine."}',
}


@pytest.mark.slow
def test_bad_rows_go_to_the_errors_output(spark: Any, tmp_path: Path) -> None:
    good = iter(ARTICLES.read_text(encoding="utf-8").splitlines())
    lines = [BAD_LINES[n] if n in BAD_LINES else next(good) for n in range(1, 28)]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    local = list(iter_documents([path]))
    local_errors = sorted((e.line, e.reason) for e in local if isinstance(e, InputError))
    assert len(local_errors) == 6

    output = tmp_path / "events"
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")  # several splits per file
    try:
        summary = run_job(spark, str(path), str(output), model=MODEL, kb_dirs=(), partitions=3)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")

    errors = spark_errors(spark, summary)
    assert [(e["line"], e["reason"]) for e in errors] == local_errors
    assert {e["origin"] for e in errors} == {f"{path}:{line}" for line, _ in local_errors}
    assert {(e["path"], e["stage"], e["doc_id"]) for e in errors} == {(str(path), "read", None)}
    assert spark_records(spark, output) == local_records([path])
    assert (summary.records, summary.read_errors, summary.code_errors) == (26, 6, 0)
    assert summary.documents == 20


@pytest.mark.slow
def test_model_loads_once_per_python_worker(spark: Any, jsonl_input: Path, tmp_path: Path) -> None:
    # a config no earlier test used, so every worker that codes has to load it once
    summary = run_job(
        spark,
        str(jsonl_input),
        str(tmp_path / "events"),
        model=MODEL,
        kb_dirs=(),
        batch_size=5,
        partitions=6,
    )
    assert summary.partitions == 6
    assert 1 <= summary.python_workers <= 2  # local[2]: reused workers
    assert summary.model_loads == summary.python_workers


def test_a_document_that_fails_to_code_is_reported() -> None:
    good = next(d for d in iter_documents([ARTICLES]) if isinstance(d, Document))
    bad = replace(good, doc_id="bad", date="2024-01-25", origin="/data/x.jsonl:7")  # type: ignore[arg-type]
    unreadable = ("/data/x.jsonl:8", "/data/x.jsonl", 8, "read", None, "broken JSON")
    items = [(DOC, bad), (ERROR, unreadable), (DOC, good)]
    out = list(code_partition(CONFIG, items))
    errors = [value for tag, value in out if tag == ERROR]
    assert errors[0] == unreadable
    assert errors[1][:5] == ("/data/x.jsonl:7", "/data/x.jsonl", 7, "code", "bad")
    stats = out[-1][1]
    assert (stats.records, stats.documents, stats.read_errors, stats.code_errors) == (3, 1, 1, 1)
    assert stats.events == len(out) - 3 > 0


# --------------------------------------------------------------------------- driver checks


@pytest.mark.slow
def test_input_and_output_are_checked(spark: Any, tmp_path: Path, jsonl_input: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        run_job(spark, str(tmp_path / "missing.jsonl"), str(tmp_path / "out"), kb_dirs=())
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.jsonl").write_text("{}\n")
    (mixed / "b.csv").write_text("text\n")
    with pytest.raises(InputError, match="--format jsonl"):
        run_job(spark, str(mixed), str(tmp_path / "out"), kb_dirs=())
    taken = tmp_path / "taken"
    taken.mkdir()
    with pytest.raises(EventCoderError, match="already exists"):
        run_job(spark, str(jsonl_input), str(taken), kb_dirs=())
    with pytest.raises(EventCoderError, match="holds the input"):
        run_job(spark, str(jsonl_input / "seed.jsonl"), str(jsonl_input), overwrite=True)
    with pytest.raises(EventCoderError, match="unknown model"):
        run_job(spark, str(jsonl_input), str(tmp_path / "out"), model="xl")


@pytest.mark.slow
def test_command_line_runs_the_job(
    spark: Any, jsonl_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    undated = tmp_path / "undated.jsonl"
    undated.write_text(
        '{"id": "u", "text": "Poland\'s president met Ukraine\'s president in Kyiv."}\nnot json\n',
        encoding="utf-8",
    )
    output = tmp_path / "events"
    assert main([str(undated), str(output), "--date", "2024-01-25", "--model", MODEL]) == 1
    err = capsys.readouterr().err
    assert "coded 1 documents" in err and "skipped 1" in err
    assert [r["date"] for r in spark_records(spark, output)] == ["2024-01-25"]
    versions = {r["coder"]["version"] for r in spark_records(spark, output)}
    assert all("+combined." in v for v in versions)
    assert main([str(undated), str(output)]) == 2
    assert "already exists" in capsys.readouterr().err
    rules = tmp_path / "rules"
    argv = [str(undated), str(rules), "--date", "2024-01-25", "--model", MODEL, "--no-model"]
    assert main(argv) == 1
    capsys.readouterr()
    versions = {r["coder"]["version"] for r in spark_records(spark, rules)}
    assert versions and not any("+combined." in v for v in versions)
    assert spark.sparkContext._jsc is not None  # the shared session is still running


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--partitions", "0"], "not a positive whole number"),
        (["--date", "2024-13-40"], "is not a date"),
        (["--format", "csv"], "invalid choice"),
        (["--model", "xl"], "invalid choice"),
        (["--conf", "novalue"], "KEY=VALUE"),
    ],
)
def test_bad_arguments_are_refused(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["in.jsonl", "out", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_pyspark_is_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    assert main(["in.jsonl", "out"]) == 2
    assert INSTALL_HINT in capsys.readouterr().err
    assert "pip install 'eventcoder[spark]'" in INSTALL_HINT


def test_importing_eventcoder_does_not_import_pyspark() -> None:
    code = "import sys, eventcoder, eventcoder.spark; print('pyspark' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


@pytest.mark.slow
def test_spark_output_merges_in_a_store_like_local_coding(spark: Any, tmp_path: Path) -> None:
    """Three reports of one call, coded on Spark and loaded into a store with the Python
    API (``Event.from_record``), merge into one event on the unordered dyad."""
    from eventcoder.store import open_store

    texts = [
        "French President Emmanuel Macron held a call with German Chancellor Olaf Scholz.",
        "Emmanuel Macron and Olaf Scholz spoke by phone on Tuesday.",
        "German Chancellor Olaf Scholz took a phone call from French President Emmanuel Macron.",
    ]
    corpus = tmp_path / "calls.jsonl"
    corpus.write_text(
        "".join(
            json.dumps(
                {"id": f"call-{i}", "date": "2024-05-14", "text": t, "source": f"outlet {i}"}
            )
            + "\n"
            for i, t in enumerate(texts)
        )
    )
    output = tmp_path / "events"
    run_job(spark, str(corpus), str(output), model=MODEL, kb_dirs=())
    events = [Event.from_record(r) for r in spark_records(spark, output)]
    assert [e.to_record() for e in events] == [
        Event.from_record(e.to_record()).to_record() for e in events
    ]
    documents = [d for d in iter_documents([corpus]) if isinstance(d, Document)]
    with open_store(str(tmp_path / "events.db")) as store:
        store.write_many((doc, [e for e in events if e.doc_id == doc.doc_id]) for doc in documents)
        store.refresh_events()
        merged = [r for r in records(store.query_events()) if r["plover"]["event"] == "CONSULT"]
    assert len(merged) == 1, merged
    assert merged[0]["reports"]["articles"] == 3
    assert {merged[0]["source"]["country"], merged[0]["target"]["country"]} == {"FRA", "DEU"}


# --------------------------------------------------------------------------- HTML and WARC


def _web_input(folder: Path) -> Path:
    """Two saved pages, a per-record gzip WARC of pages (with a request and a PDF) and a cut
    WARC: read a whole file per task."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder.mkdir()
    rows = article_rows()
    pages = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<meta property='article:published_time' content='{row['date']}'>"
        f"<title>{row.get('title') or row['id']}</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in row["text"].split("\n\n") if p.strip())
        + "</article></body></html>"
        for row in rows[:6]
    ]
    (folder / "one.html").write_text(pages[0], encoding="utf-8")
    (folder / "two.htm").write_text(pages[1], encoding="utf-8")
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for n, html in enumerate(pages[2:]):
        url = f"https://news.example.com/story-{n}"
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request)
        )
        kind = "text/html" if n != 3 else "application/pdf"
        headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
        payload = io.BytesIO(html.encode())
        writer.write_record(
            writer.create_warc_record(url, "response", payload=payload, http_headers=headers)
        )
    data = buffer.getvalue()
    (folder / "crawl.warc.gz").write_bytes(data)
    (folder / "cut.warc.gz").write_bytes(data[: len(data) // 2])
    return folder


@pytest.mark.slow
def test_html_and_warc_job_gives_the_local_events(spark: Any, tmp_path: Path) -> None:
    folder = _web_input(tmp_path / "web")
    local = list(iter_documents([folder]))
    local_errors = [e for e in local if isinstance(e, InputError)]
    assert len(local_errors) == 1 and "cut short" in local_errors[0].reason
    documents = [d for d in local if isinstance(d, Document)]
    output = tmp_path / "events"
    summary = run_job(spark, str(folder), str(output), model=MODEL, kb_dirs=())
    assert summary.input_format == "warc"
    assert summary.documents == len(documents) > 5
    assert summary.read_errors == 1
    # crawl: 4 requests and the PDF; cut: the requests before the cut
    assert summary.skipped_records >= 5
    assert spark_records(spark, output) == local_records([folder])
    [error] = spark_errors(spark, summary)
    assert error["path"] == str(folder / "cut.warc.gz")
    assert error["line"] == local_errors[0].line and "cut short" in error["reason"]
