"""The command line of the Spark job: ``python -m eventcoder.spark INPUT OUTPUT [options]``
(installed as ``eventcoder-spark``), the session it starts and how Spark failures read."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eventcoder.argtypes import day, positive
from eventcoder.errors import EventCoderError
from eventcoder.nlp import DEFAULT_MODEL, MODELS
from eventcoder.spark.job import FORMATS, run_job
from eventcoder.spark.schema import require_pyspark

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_PYTHON_ERROR = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt): ")


def _conf_pair(value: str) -> tuple[str, str]:
    key, sep, setting = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"'{value}' is not KEY=VALUE")
    return key.strip(), setting


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eventcoder.spark",
        description="Code documents into events on Spark: JSONL, Parquet, HTML or WARC in, "
        "Parquet out.",
        epilog="Bad records are written to OUTPUT/_errors. Exit status: 0 all coded, "
        "1 some records skipped, 2 the job failed.",
    )
    parser.add_argument(
        "input", metavar="INPUT", help="JSONL, Parquet, HTML or WARC file, folder or glob"
    )
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
        require_pyspark()
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
