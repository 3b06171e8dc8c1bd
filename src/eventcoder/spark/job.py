"""The driver side of the Spark job: ``run_job`` checks the input and output, reads the
input, hands the partitions to ``eventcoder.spark.executor`` and writes the events, the
errors and the summary.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventcoder.errors import EventCoderError, InputError, ModelError
from eventcoder.nlp import DEFAULT_MODEL, MODELS
from eventcoder.pipeline import CoderConfig
from eventcoder.spark.executor import (
    BLOCK_COL,
    ERROR,
    EVENT,
    INPUT_COLUMNS,
    PATH_COL,
    STATS,
    PartitionStats,
    Plan,
    code_partition,
    read_files,
    read_partition,
)
from eventcoder.spark.schema import error_schema, event_schema, require_pyspark

if TYPE_CHECKING:
    from pyspark.core.rdd import RDD
    from pyspark.sql import DataFrame, SparkSession

FORMATS = ("jsonl", "parquet", "html", "warc")
# read a whole file per task with the local readers (``executor.read_files``)
FILE_FORMATS = ("html", "warc")
ERRORS_DIR = "_errors"

_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_PARQUET_SUFFIXES = (".parquet", ".parq")
_HTML_SUFFIXES = (".html", ".htm")
_WARC_SUFFIXES = (".warc", ".warc.gz")
_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".zst", ".lz4", ".snappy", ".deflate", ".xz")
_DETECT_LIMIT = 1000  # files looked at when guessing the format of a directory


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
    skipped_records: int = 0  # WARC records left out: requests, metadata, not HTML, not 200

    @property
    def errors(self) -> int:
        return self.read_errors + self.code_errors

    def describe(self) -> str:
        text = (
            f"coded {self.documents} documents, {self.events} events; skipped {self.errors} "
            f"({self.read_errors} unreadable records, {self.code_errors} coding failures)"
        )
        if self.skipped_records:
            text += f"; {self.skipped_records} WARC records hold no HTML page to code"
        return text


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

    ``input_format`` is ``jsonl``, ``parquet``, ``html`` or ``warc`` (default: from the file
    names); HTML pages and WARC files (``.warc``, ``.warc.gz``) are read a whole file per
    task and must be on a file system the executors mount (``file:`` paths).
    ``partitions`` sets how many tasks code (default: the input splits, at least the
    default parallelism). ``kb_dirs`` (default ``$EVENTCODER_KB`` on the driver) must
    exist on every executor. ``learned`` is ``combined`` (rules and the learned event model)
    or ``rules`` (as ``eventcoder code --no-model``). Bad records go to ``<output>/_errors``.
    """
    require_pyspark()
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
    plan = Plan(fmt, default_date, config)
    _warn_without_worker_reuse(sc)

    offsets = None
    if fmt in FILE_FORMATS:
        files = _input_files(spark, input_path)
        items = sc.parallelize(files, max(1, len(files))).mapPartitions(partial(read_files, plan))
    else:
        frame = _read_input(spark, input_path, fmt)
        offsets = sc.broadcast(block_offsets(frame))
        items = frame.rdd.mapPartitions(partial(read_partition, plan, offsets))
    coded: RDD[tuple[int, Any]] | None = None
    try:
        wanted = partitions or max(items.getNumPartitions(), sc.defaultParallelism)
        if wanted != items.getNumPartitions():
            items = items.repartition(wanted)
        from pyspark import StorageLevel

        coded = items.mapPartitions(partial(code_partition, plan.config)).persist(
            StorageLevel.MEMORY_AND_DISK
        )
        mode = "overwrite" if overwrite else "errorifexists"
        events = spark.createDataFrame(_tagged(coded, EVENT), event_schema())
        events.write.mode(mode).parquet(output_path)
        errors_path = _errors_path(output_path)
        errors = spark.createDataFrame(_tagged(coded, ERROR), error_schema())
        errors.write.mode("overwrite").option("ignoreNullFields", "false").json(errors_path)
        stats: list[PartitionStats] = _tagged(coded, STATS).collect()
        return _summary(input_path, output_path, errors_path, plan, coded, stats)
    finally:
        if coded is not None:
            coded.unpersist()
        if offsets is not None:
            offsets.unpersist()


def _summary(
    input_path: str,
    output_path: str,
    errors_path: str,
    plan: Plan,
    coded: RDD[tuple[int, Any]],
    stats: Sequence[PartitionStats],
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
        skipped_records=sum(s.skipped_records for s in stats),
    )


def _tagged(rdd: RDD[tuple[int, Any]], tag: int) -> RDD[Any]:
    return rdd.filter(partial(_has_tag, tag)).map(itemgetter(1))


def _has_tag(tag: int, item: tuple[int, Any]) -> bool:
    return item[0] == tag


def _errors_path(output_path: str) -> str:
    return f"{output_path.rstrip('/')}/{ERRORS_DIR}"


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
        logging.getLogger("eventcoder.spark").warning(
            "spark.python.worker.reuse is false: every task loads the spaCy model again"
        )


# --------------------------------------------------------------------------- input and output


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
    if lowered.endswith(_WARC_SUFFIXES):
        return "warc"
    if lowered.endswith(_HTML_SUFFIXES):
        return "html"
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
    if found == set(FILE_FORMATS) and not others:
        return "warc"  # pages and archives together: both are read a file per task
    seen = ", ".join(sorted(found) + sorted(set(others))[:5]) or "no data files"
    raise InputError(
        f"cannot tell the input format (found {seen}): name the files *.jsonl, *.parquet, "
        "*.html or *.warc(.gz), or pass --format jsonl|parquet|html|warc",
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


def _input_files(spark: SparkSession, input_path: str) -> list[str]:
    """The HTML and WARC files ``input_path`` names (a file, folder or glob), sorted; hidden
    and ``_`` entries skipped. They must be ``file:`` paths: the executors open them."""
    files: list[str] = []
    for path, is_dir in _glob(spark, input_path):
        if not is_dir:
            files.append(path)
            continue
        fs, hpath = _filesystem(spark, path)
        root = str(fs.makeQualified(hpath).toString()).rstrip("/")
        listing = fs.listFiles(hpath, True)
        while listing.hasNext():
            full = str(listing.next().getPath().toString())
            parts = [p for p in full.split(root, 1)[-1].split("/") if p]
            hidden = any(p.startswith(("_", ".")) for p in parts)
            if parts and not hidden and _format_of_name(parts[-1]) in FILE_FORMATS:
                files.append(full)
    not_local = [f for f in files if not f.startswith("file:") and "://" in f]
    if not_local:
        raise InputError(
            f"HTML and WARC input is read by each executor from its own file system; "
            f"{not_local[0]} is not a file: path (copy the files to a shared mount)",
            input_path,
        )
    if not files:
        raise InputError("no .html, .htm, .warc or .warc.gz files", input_path)
    return sorted(files)


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
        F.col("_metadata.file_path").alias(PATH_COL),
        F.col("_metadata.file_block_start").alias(BLOCK_COL),
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


def block_offsets(frame: DataFrame) -> dict[tuple[str, int], int]:
    """Rows in each file before each split, so every row gets its line number in its file."""
    counts = frame.groupBy(PATH_COL, BLOCK_COL).count().collect()
    by_file: dict[str, list[tuple[int, int]]] = {}
    for row in counts:
        by_file.setdefault(row[PATH_COL], []).append((row[BLOCK_COL], row["count"]))
    offsets: dict[tuple[str, int], int] = {}
    for path, blocks in by_file.items():
        before = 0
        for start, count in sorted(blocks):
            offsets[(path, start)] = before
            before += count
    return offsets
