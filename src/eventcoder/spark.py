"""Code documents on Spark executors: JSONL or Parquet in, event Parquet out.

``run_job`` reads records with the input contract columns (``id``, ``date``, ``text``,
optional ``title``, ``url``, ``source``), turns each into a ``Document`` with
``build_document`` (as the local readers do), codes them on the executors with the
per-process ``get_coder`` and writes the event records (``Event.to_record``, version 1)
as Parquet with ``EVENT_COLUMNS`` as schema. Bad records and documents that fail to code
go to ``<output>/_errors`` (JSON lines, ``ERROR_COLUMNS``). Run it with
``python -m eventcoder.spark INPUT OUTPUT`` or under ``spark-submit``; see docs/spark.md.

pyspark is imported only when a job runs, so ``import eventcoder.spark`` works without it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import socket
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from eventcoder.argtypes import day, positive
from eventcoder.errors import EventCoderError, InputError, ModelError
from eventcoder.ingest import build_document
from eventcoder.ingest.readers import json_type_name
from eventcoder.model import Document, Event
from eventcoder.nlp import DEFAULT_MODEL, MODELS
from eventcoder.pipeline import CoderConfig, get_coder

if TYPE_CHECKING:
    from pyspark.core.broadcast import Broadcast
    from pyspark.core.rdd import RDD
    from pyspark.sql import DataFrame, Row, SparkSession
    from pyspark.sql.types import DataType, StructType

INSTALL_HINT = "pyspark is not installed: run pip install 'eventcoder[spark]'"
FORMATS = ("jsonl", "parquet")
ERRORS_DIR = "_errors"
INPUT_COLUMNS = ("id", "date", "text", "title", "url", "source")

_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_PARQUET_SUFFIXES = (".parquet", ".parq")
_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".zst", ".lz4", ".snappy", ".deflate", ".xz")
_PATH_COL = "_eventcoder_path"
_BLOCK_COL = "_eventcoder_block"
_PYTHON_ERROR = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt): ")
_DETECT_LIMIT = 1000  # files looked at when guessing the format of a directory

# tags of the items passed between the stages of the job
_DOC, _EVENT, _ERROR, _STATS = 0, 1, 2, 3


# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class Column:
    """One field of an output record: the single description the Spark schemas come from.

    ``kind`` is ``string``, ``int``, ``long``, ``double``, ``boolean``, ``strings``
    (array of strings) or ``struct`` (with ``fields``).
    """

    name: str
    kind: str
    nullable: bool = False
    fields: tuple[Column, ...] = ()


def _struct(name: str, *fields: Column, nullable: bool = False) -> Column:
    return Column(name, "struct", nullable, fields)


_ACTOR_FIELDS = (
    Column("text", "string"),
    Column("code", "string"),
    Column("country", "string", nullable=True),
    Column("sector", "string", nullable=True),
    Column("name", "string", nullable=True),
    Column("kb_id", "string", nullable=True),
    Column("start", "int"),
    Column("end", "int"),
    Column("why", "string"),
)

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("event_id", "string"),
    Column("doc_id", "string"),
    Column("date", "string"),
    Column("date_precision", "string"),
    _struct("source", *_ACTOR_FIELDS, nullable=True),
    _struct("target", *_ACTOR_FIELDS, nullable=True),
    Column("cameo", "string"),
    Column("goldstein", "double"),
    Column("quad_class", "int"),
    _struct(
        "plover",
        Column("event", "string"),
        Column("mode", "string", nullable=True),
        Column("context", "strings"),
    ),
    _struct(
        "modality",
        Column("negated", "boolean"),
        Column("intent", "boolean"),
        Column("hypothetical", "boolean"),
        Column("reported", "boolean"),
    ),
    _struct(
        "evidence",
        Column("sentence", "string"),
        Column("start", "int"),
        Column("end", "int"),
        Column("trigger", "string"),
        Column("trigger_start", "int"),
        Column("trigger_end", "int"),
    ),
    Column("confidence", "double"),
    _struct("coder", Column("version", "string"), Column("rule", "string")),
    Column("record_version", "int"),
)
"""The event record of ``Event.to_record`` (version 1), field by field, in order."""

ERROR_COLUMNS: tuple[Column, ...] = (
    Column("origin", "string"),  # "path:line" (JSONL) or "path:row" (Parquet), 1-based
    Column("path", "string"),
    Column("line", "long"),
    Column("stage", "string"),  # "read" (bad record) or "code" (failed while coding)
    Column("doc_id", "string", nullable=True),
    Column("reason", "string"),
)
"""A record of ``<output>/_errors``: one bad input record or document."""


def _spark_type(column: Column) -> DataType:
    from pyspark.sql import types as T

    if column.kind == "struct":
        return _spark_struct(column.fields)
    if column.kind == "strings":
        return T.ArrayType(T.StringType(), containsNull=False)
    simple: dict[str, DataType] = {
        "string": T.StringType(),
        "int": T.IntegerType(),
        "long": T.LongType(),
        "double": T.DoubleType(),
        "boolean": T.BooleanType(),
    }
    return simple[column.kind]


def _spark_struct(columns: Sequence[Column]) -> StructType:
    from pyspark.sql.types import StructField, StructType

    return StructType([StructField(c.name, _spark_type(c), c.nullable) for c in columns])


@lru_cache(maxsize=1)
def event_schema() -> StructType:
    """The Spark schema of the event Parquet output, built from ``EVENT_COLUMNS``."""
    _require_pyspark()
    return _spark_struct(EVENT_COLUMNS)


@lru_cache(maxsize=1)
def error_schema() -> StructType:
    """The Spark schema of the ``_errors`` output, built from ``ERROR_COLUMNS``."""
    _require_pyspark()
    return _spark_struct(ERROR_COLUMNS)


def record_to_row(record: Mapping[str, Any]) -> tuple[Any, ...]:
    """An event record as a row tuple in ``event_schema()`` order; refuses any other shape."""
    return _to_row(EVENT_COLUMNS, record, "event record")


def row_to_record(row: Row) -> dict[str, Any]:
    """A row read back from the event Parquet as the event record dict."""
    return _to_record(EVENT_COLUMNS, row)


def _to_row(columns: Sequence[Column], record: Mapping[str, Any], where: str) -> tuple[Any, ...]:
    names = [c.name for c in columns]
    if list(record) != names:
        raise EventCoderError(
            f"{where} has fields {list(record)}, the Spark schema expects {names}; "
            "update EVENT_COLUMNS in eventcoder/spark.py together with Event.to_record"
        )
    return tuple(_to_value(c, record[c.name], where) for c in columns)


def _to_value(column: Column, value: Any, where: str) -> Any:
    if value is None:
        return None
    if column.kind == "struct":
        return _to_row(column.fields, value, f"{where}.{column.name}")
    if column.kind == "double" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _to_record(columns: Sequence[Column], row: Any) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column in columns:
        value = row[column.name]
        if value is not None and column.kind == "struct":
            value = _to_record(column.fields, value)
        elif value is not None and column.kind == "strings":
            value = list(value)
        record[column.name] = value
    return record


# --------------------------------------------------------------------------- job


@dataclass(frozen=True)
class JobSummary:
    """What a job read, coded and wrote."""

    input_path: str
    output_path: str
    errors_path: str
    input_format: str
    model: str
    partitions: int  # partitions coded in
    records: int  # input records (blank JSONL lines are not records)
    documents: int  # documents coded
    events: int
    read_errors: int  # records that could not become a document
    code_errors: int  # documents that failed while being coded
    model_loads: int  # coders built by the Python workers during the job
    python_workers: int  # distinct Python worker processes that coded documents

    @property
    def errors(self) -> int:
        return self.read_errors + self.code_errors

    def describe(self) -> str:
        return (
            f"coded {self.documents} documents, {self.events} events; skipped {self.errors} "
            f"({self.read_errors} unreadable records, {self.code_errors} coding failures)"
        )


@dataclass(frozen=True)
class _Stats:
    host: str
    pid: int
    records: int = 0
    documents: int = 0
    events: int = 0
    read_errors: int = 0
    code_errors: int = 0
    model_loads: int = 0
    used_coder: bool = False


@dataclass(frozen=True)
class _Plan:
    """Driver-side settings shipped to the executors with the partition functions."""

    input_format: str
    default_date: date | None
    config: CoderConfig


def run_job(
    spark: SparkSession,
    input_path: str,
    output_path: str,
    *,
    model: str = DEFAULT_MODEL,
    input_format: str | None = None,
    partitions: int | None = None,
    default_date: date | None = None,
    batch_size: int = 32,
    kb_dirs: Sequence[str | Path] | None = None,
    overwrite: bool = False,
    learned: str = "combined",
) -> JobSummary:
    """Code the documents at ``input_path`` and write events Parquet to ``output_path``.

    ``input_format`` is ``jsonl`` or ``parquet`` (default: from the file names).
    ``partitions`` sets how many tasks code (default: the input splits, at least the
    default parallelism). ``kb_dirs`` (default ``$EVENTCODER_KB`` on the driver) must
    exist on every executor. ``learned`` is ``combined`` (rules and the learned event model)
    or ``rules`` (as ``eventcoder code --no-model``). Bad records go to ``<output>/_errors``.
    """
    _require_pyspark()
    if model not in MODELS:
        raise ModelError(
            f"unknown model '{model}': choose one of {', '.join(sorted(MODELS))} "
            "(md is more accurate, sm is faster)"
        )
    if partitions is not None and partitions < 1:
        raise EventCoderError(f"partitions must be a positive whole number, got {partitions}")
    if batch_size < 1:
        raise EventCoderError(f"batch_size must be a positive whole number, got {batch_size}")
    sc = _classic_context(spark)
    fmt = _resolve_format(spark, input_path, input_format)
    _check_output(spark, input_path, output_path, overwrite)
    dirs = tuple(Path(d) for d in kb_dirs) if kb_dirs is not None else CoderConfig().kb_dirs
    config = CoderConfig(model=model, batch_size=batch_size, kb_dirs=dirs, learned=learned)
    plan = _Plan(fmt, default_date, config)
    _warn_without_worker_reuse(sc)

    frame = _read_input(spark, input_path, fmt)
    offsets = sc.broadcast(_block_offsets(frame))
    coded: RDD[tuple[int, Any]] | None = None
    try:
        items = frame.rdd.mapPartitions(partial(_read_partition, plan, offsets))
        wanted = partitions or max(items.getNumPartitions(), sc.defaultParallelism)
        if wanted != items.getNumPartitions():
            items = items.repartition(wanted)
        from pyspark import StorageLevel

        coded = items.mapPartitions(partial(_code_partition, plan.config)).persist(
            StorageLevel.MEMORY_AND_DISK
        )
        mode = "overwrite" if overwrite else "errorifexists"
        events = spark.createDataFrame(_tagged(coded, _EVENT), event_schema())
        events.write.mode(mode).parquet(output_path)
        errors_path = _errors_path(output_path)
        errors = spark.createDataFrame(_tagged(coded, _ERROR), error_schema())
        errors.write.mode("overwrite").option("ignoreNullFields", "false").json(errors_path)
        stats: list[_Stats] = _tagged(coded, _STATS).collect()
        return _summary(input_path, output_path, errors_path, plan, coded, stats)
    finally:
        if coded is not None:
            coded.unpersist()
        offsets.unpersist()


def _summary(
    input_path: str,
    output_path: str,
    errors_path: str,
    plan: _Plan,
    coded: RDD[tuple[int, Any]],
    stats: Sequence[_Stats],
) -> JobSummary:
    return JobSummary(
        input_path=input_path,
        output_path=output_path,
        errors_path=errors_path,
        input_format=plan.input_format,
        model=plan.config.model,
        partitions=coded.getNumPartitions(),
        records=sum(s.records for s in stats),
        documents=sum(s.documents for s in stats),
        events=sum(s.events for s in stats),
        read_errors=sum(s.read_errors for s in stats),
        code_errors=sum(s.code_errors for s in stats),
        model_loads=sum(s.model_loads for s in stats),
        python_workers=len({(s.host, s.pid) for s in stats if s.used_coder}),
    )


def _tagged(rdd: RDD[tuple[int, Any]], tag: int) -> RDD[Any]:
    return rdd.filter(partial(_has_tag, tag)).map(itemgetter(1))


def _has_tag(tag: int, item: tuple[int, Any]) -> bool:
    return item[0] == tag


def _errors_path(output_path: str) -> str:
    return f"{output_path.rstrip('/')}/{ERRORS_DIR}"


# --------------------------------------------------------------------------- driver side


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise EventCoderError(INSTALL_HINT) from exc


def _classic_context(spark: SparkSession) -> Any:
    try:
        return spark.sparkContext
    except Exception as exc:  # Spark Connect sessions have no SparkContext
        raise EventCoderError(
            "the Spark job needs a classic SparkSession (it uses RDDs); "
            "Spark Connect sessions are not supported"
        ) from exc


def _warn_without_worker_reuse(sc: Any) -> None:
    if sc.getConf().get("spark.python.worker.reuse", "true").lower() == "false":
        logging.getLogger(__name__).warning(
            "spark.python.worker.reuse is false: every task loads the spaCy model again"
        )


def _filesystem(spark: SparkSession, path: str) -> tuple[Any, Any]:
    """The Hadoop FileSystem and Path object for ``path`` (any scheme Spark can read)."""
    sc = spark.sparkContext
    jvm: Any = sc._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(sc._jsc.hadoopConfiguration()), hpath


def _glob(spark: SparkSession, path: str) -> list[tuple[str, bool]]:
    """``(path, is_directory)`` for what ``path`` (maybe a glob) names; empty if nothing."""
    fs, hpath = _filesystem(spark, path)
    statuses = fs.globStatus(hpath)
    if statuses is None:
        return []
    return [(str(s.getPath().toString()), bool(s.isDirectory())) for s in statuses]


def _format_of_name(name: str) -> str | None:
    lowered = name.lower()
    for suffix in _COMPRESSION_SUFFIXES:
        if lowered.endswith(suffix) and not lowered.endswith(".snappy.parquet"):
            lowered = lowered[: -len(suffix)]
            break
    if lowered.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if lowered.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    return None


def _resolve_format(spark: SparkSession, input_path: str, given: str | None) -> str:
    if given is not None and given not in FORMATS:
        raise InputError(f"unknown input format '{given}': choose jsonl or parquet", input_path)
    matches = _glob(spark, input_path)
    if not matches:
        raise InputError("no such file or directory", input_path)
    if given is not None:
        return given
    found: set[str] = set()
    others: list[str] = []
    for path, is_dir in matches:
        for name in _data_files(spark, path) if is_dir else [path.rsplit("/", 1)[-1]]:
            fmt = _format_of_name(name)
            if fmt is None:
                others.append(name)
            else:
                found.add(fmt)
    if len(found) == 1 and not others:
        return found.pop()
    seen = ", ".join(sorted(found) + sorted(set(others))[:5]) or "no data files"
    raise InputError(
        f"cannot tell the input format (found {seen}): name the files *.jsonl or "
        "*.parquet, or pass --format jsonl|parquet",
        input_path,
    )


def _data_files(spark: SparkSession, directory: str) -> list[str]:
    """Names of the files Spark would read under ``directory`` (hidden ones skipped)."""
    fs, hpath = _filesystem(spark, directory)
    root = str(fs.makeQualified(hpath).toString()).rstrip("/")
    names: list[str] = []
    files = fs.listFiles(hpath, True)
    while files.hasNext() and len(names) < _DETECT_LIMIT:
        full = str(files.next().getPath().toString())
        relative = full.split(root, 1)[-1] if root in full else full.rsplit("/", 1)[-1]
        parts = [p for p in relative.split("/") if p]
        if parts and not any(p.startswith(("_", ".")) for p in parts):
            names.append(parts[-1])
    return names


def _check_output(spark: SparkSession, input_path: str, output_path: str, overwrite: bool) -> None:
    fs, out = _filesystem(spark, output_path)
    out_q = str(fs.makeQualified(out).toString()).rstrip("/")
    for path, _ in _glob(spark, input_path):
        if path.rstrip("/") == out_q or path.startswith(out_q + "/"):
            raise EventCoderError(f"the output '{output_path}' holds the input: choose another")
    if not overwrite and fs.exists(out):
        raise EventCoderError(
            f"the output '{output_path}' already exists: remove it or pass --overwrite"
        )


def _read_input(spark: SparkSession, input_path: str, fmt: str) -> DataFrame:
    """The input rows with the contract columns and where each row comes from."""
    from pyspark.sql import functions as F

    where = [
        F.col("_metadata.file_path").alias(_PATH_COL),
        F.col("_metadata.file_block_start").alias(_BLOCK_COL),
    ]
    if fmt == "jsonl":
        # split on "\n" only, as the local reader does; nested folders are read too
        reader = spark.read.option("lineSep", "\n").option("recursiveFileLookup", "true")
        return reader.text(input_path).select(F.col("value"), *where)
    frame = spark.read.parquet(input_path)
    present = [c for c in INPUT_COLUMNS if c in frame.columns]
    if "text" not in present:
        found = ", ".join(frame.columns) or "none"
        raise InputError(f"the input has no 'text' column (columns: {found})", input_path)
    return frame.select(*[F.col(c) for c in present], *where)


def _block_offsets(frame: DataFrame) -> dict[tuple[str, int], int]:
    """Rows in each file before each split, so every row gets its line number in its file."""
    counts = frame.groupBy(_PATH_COL, _BLOCK_COL).count().collect()
    by_file: dict[str, list[tuple[int, int]]] = {}
    for row in counts:
        by_file.setdefault(row[_PATH_COL], []).append((row[_BLOCK_COL], row["count"]))
    offsets: dict[tuple[str, int], int] = {}
    for path, blocks in by_file.items():
        before = 0
        for start, count in sorted(blocks):
            offsets[(path, start)] = before
            before += count
    return offsets


# --------------------------------------------------------------------------- executor side


def _read_partition(
    plan: _Plan, offsets: Broadcast[dict[tuple[str, int], int]], rows: Iterable[Row]
) -> Iterator[tuple[int, Any]]:
    """Input rows to ``(_DOC, Document)`` or ``(_ERROR, error row)`` items."""
    table = offsets.value
    seen: dict[tuple[str, int], int] = {}
    for row in rows:
        key = (row[_PATH_COL], row[_BLOCK_COL])
        index = seen.get(key, 0)
        seen[key] = index + 1
        label = display_path(key[0])
        line = table.get(key, 0) + index + 1
        try:
            if plan.input_format == "jsonl":
                document = _jsonl_document(row["value"], label, line, plan.default_date)
            else:
                given = row.asDict()
                fields = {name: _plain(given[name]) for name in INPUT_COLUMNS if name in given}
                document = build_document(
                    fields, label=label, line=line, default_date=plan.default_date
                )
        except InputError as exc:
            yield _ERROR, _error_row(label, line, "read", None, exc.reason)
            continue
        if document is not None:
            yield _DOC, document


def _plain(value: Any) -> Any:
    """Parquet dates and timestamps as ISO strings, as they would be written in JSONL."""
    return value.isoformat() if isinstance(value, date) else value


def _jsonl_document(
    line: str, label: str, lineno: int, default_date: date | None
) -> Document | None:
    """One JSONL line as the local reader reads it; None for a blank line."""
    if "\x00" in line:
        raise InputError("binary data (NUL bytes)", label, lineno)
    if lineno == 1:
        line = line.lstrip("\ufeff")
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"broken JSON: {exc.msg} (column {exc.colno})", label, lineno) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"broken JSON: {exc}", label, lineno) from None
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object, got {json_type_name(obj)}", label, lineno)
    return build_document(obj, label=label, line=lineno, default_date=default_date)


def _code_partition(
    config: CoderConfig, items: Iterable[tuple[int, Any]]
) -> Iterator[tuple[int, Any]]:
    """Documents to ``(_EVENT, row)`` and ``(_ERROR, row)`` items, then one ``(_STATS, ..)``.

    The coder comes from the per-process ``get_coder`` cache, so a reused Python worker
    loads the model once; a partition without documents never loads it.
    """
    pending: list[tuple[Any, ...]] = []  # error rows not yet passed on
    tally: Counter[str] = Counter()

    def documents() -> Iterator[Document]:
        for tag, value in items:
            tally["records"] += 1
            if tag == _DOC:
                yield value
            else:
                tally["read_errors"] += 1
                pending.append(value)

    def on_error(document: Document, exc: Exception) -> None:
        tally["code_errors"] += 1
        path, _, line = document.origin.rpartition(":")
        reason = str(exc) or type(exc).__name__
        pending.append(_error_row(path, int(line), "code", document.doc_id, reason))

    stream = documents()
    first = next(stream, None)
    if first is not None:
        misses = get_coder.cache_info().misses
        coder = get_coder(config)
        tally["model_loads"] = get_coder.cache_info().misses - misses
        for _document, events in coder.code_documents(_chain(first, stream), on_error):
            tally["documents"] += 1
            tally["events"] += len(events)
            yield from ((_ERROR, item) for item in pending)
            pending.clear()
            yield from ((_EVENT, _event_row(event)) for event in events)
    yield from ((_ERROR, item) for item in pending)
    yield (
        _STATS,
        _Stats(
            host=socket.gethostname(),
            pid=os.getpid(),
            records=tally["records"],
            documents=tally["documents"],
            events=tally["events"],
            read_errors=tally["read_errors"],
            code_errors=tally["code_errors"],
            model_loads=tally["model_loads"],
            used_coder=first is not None,
        ),
    )


def _chain(first: Document, rest: Iterator[Document]) -> Iterator[Document]:
    yield first
    yield from rest


def _event_row(event: Event) -> tuple[Any, ...]:
    return record_to_row(event.to_record())


def _error_row(
    path: str, line: int, stage: str, doc_id: str | None, reason: str
) -> tuple[Any, ...]:
    return (f"{path}:{line}", path, line, stage, doc_id, reason)


def display_path(uri: str) -> str:
    """A file URI from Spark as a user writes it: ``file:/a%20b.jsonl`` → ``/a b.jsonl``."""
    text = unquote(uri)
    if text.startswith("file://"):
        return text[len("file://") :]
    if text.startswith("file:"):
        return text[len("file:") :]
    return text


# --------------------------------------------------------------------------- command line


def _conf_pair(value: str) -> tuple[str, str]:
    key, sep, setting = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"'{value}' is not KEY=VALUE")
    return key.strip(), setting


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eventcoder.spark",
        description="Code documents into events on Spark: JSONL or Parquet in, Parquet out.",
        epilog="Bad records are written to OUTPUT/_errors. Exit status: 0 all coded, "
        "1 some records skipped, 2 the job failed.",
    )
    parser.add_argument("input", metavar="INPUT", help="JSONL or Parquet file, folder or glob")
    parser.add_argument("output", metavar="OUTPUT", help="folder for the events Parquet")
    parser.add_argument(
        "--model",
        choices=sorted(MODELS),
        default=DEFAULT_MODEL,
        help="spaCy model: sm (default) or md (optional, a little more accurate)",
    )
    parser.add_argument(
        "--no-model",
        action="store_true",
        help="code with the rules alone, without the learned event model",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default=None, help="input format (default: from names)"
    )
    parser.add_argument(
        "--partitions",
        type=positive,
        default=None,
        metavar="N",
        help="coding tasks (default: input splits, at least the parallelism)",
    )
    parser.add_argument(
        "--date", type=day, default=None, metavar="YYYY-MM-DD", help="date for undated records"
    )
    parser.add_argument(
        "--batch-size", type=positive, default=32, metavar="N", help="documents per nlp.pipe"
    )
    parser.add_argument(
        "--master", default=None, metavar="URL", help="Spark master (default: spark-submit's)"
    )
    parser.add_argument(
        "--conf",
        type=_conf_pair,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Spark setting (repeatable)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m eventcoder.spark INPUT OUTPUT [options]``."""
    args = build_parser().parse_args(argv)
    try:
        _require_pyspark()
        from pyspark.sql import SparkSession

        existing = SparkSession.getActiveSession()
        spark = _session(args) if existing is None else existing
        try:
            summary = run_job(
                spark,
                args.input,
                args.output,
                model=args.model,
                input_format=args.format,
                partitions=args.partitions,
                default_date=args.date,
                batch_size=args.batch_size,
                overwrite=args.overwrite,
                learned="rules" if args.no_model else "combined",
            )
        finally:
            if existing is None:
                spark.stop()
    except EventCoderError as exc:
        print(f"eventcoder: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not _is_spark_error(exc):
            raise
        print(f"eventcoder: error: the Spark job failed: {_spark_reason(exc)}", file=sys.stderr)
        return 2
    print(summary.describe(), file=sys.stderr)
    print(f"events: {summary.output_path}", file=sys.stderr)
    if summary.errors:
        print(f"skipped records: {summary.errors_path}", file=sys.stderr)
    return 1 if summary.errors else 0


def _session(args: argparse.Namespace) -> SparkSession:
    from pyspark.sql import SparkSession

    local = args.master is None or str(args.master).startswith("local")
    if local and "PYSPARK_GATEWAY_PORT" not in os.environ:
        # started with plain python: executors must run this interpreter, not "python3"
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder: Any = SparkSession.builder.appName("eventcoder")
    if args.master:
        builder = builder.master(args.master)
    for key, value in args.conf:
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()  # type: ignore[no-any-return]
    except Exception as exc:
        if not _is_spark_error(exc):
            raise
        raise EventCoderError(
            f"cannot start Spark ({_spark_reason(exc)}); is Java 17 or later installed "
            "and JAVA_HOME set?"
        ) from exc


def _is_spark_error(exc: BaseException) -> bool:
    from pyspark.errors import PySparkException

    if isinstance(exc, PySparkException):
        return True
    try:
        from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - py4j comes with pyspark
        return False
    return isinstance(exc, Py4JError)


def _spark_reason(exc: BaseException) -> str:
    """The most useful line of a Spark failure, with a hint for the common ones."""
    lines = [line.strip().removeprefix(": ") for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if line.startswith("eventcoder.errors."):
            return line.removeprefix("eventcoder.errors.")
    python_errors = [line for line in lines if _PYTHON_ERROR.match(line)]
    reason = python_errors[-1] if python_errors else (lines[0] if lines else type(exc).__name__)
    if "No module named 'eventcoder'" in reason or "No module named 'spacy'" in reason:
        reason += (
            "; the executors' Python lacks eventcoder: set PYSPARK_PYTHON to a Python that "
            "has it, or ship a packed environment (see docs/spark.md)"
        )
    return reason


if __name__ == "__main__":  # pragma: no cover
    # import the module by name so executors unpickle functions from eventcoder.spark
    from eventcoder.spark import main as _main

    sys.exit(_main())
