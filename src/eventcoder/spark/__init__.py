"""Code documents on Spark executors: JSONL or Parquet in, event Parquet out.

``run_job`` (``job``) reads records with the input contract columns (``id``, ``date``,
``text``, optional ``title``, ``url``, ``source``), turns each into a ``Document`` as the
local readers do, codes them on the executors (``executor``) with the per-process
``get_coder`` and writes the event records (``Event.to_record``, version 1) as Parquet
with the schema of ``schema.EVENT_COLUMNS``, derived from the record dataclasses. Bad
records and documents that fail to code go to ``<output>/_errors`` (JSON lines,
``ERROR_COLUMNS``). Run it with ``python -m eventcoder.spark INPUT OUTPUT`` (``cli``) or
under ``spark-submit``; see docs/spark.md.

pyspark is imported only when a job runs, so ``import eventcoder.spark`` works without it.
"""

from eventcoder.spark.cli import build_parser, main
from eventcoder.spark.executor import INPUT_COLUMNS, display_path
from eventcoder.spark.job import ERRORS_DIR, FORMATS, JobSummary, run_job
from eventcoder.spark.schema import (
    ERROR_COLUMNS,
    EVENT_COLUMNS,
    INSTALL_HINT,
    Column,
    error_schema,
    event_schema,
    record_to_row,
    row_to_record,
)

__all__ = [
    "ERRORS_DIR",
    "ERROR_COLUMNS",
    "EVENT_COLUMNS",
    "FORMATS",
    "INPUT_COLUMNS",
    "INSTALL_HINT",
    "Column",
    "JobSummary",
    "build_parser",
    "display_path",
    "error_schema",
    "event_schema",
    "main",
    "record_to_row",
    "row_to_record",
    "run_job",
]

if __name__ == "__main__":  # pragma: no cover
    # spark-submit of this file (docs/spark.md): run the command line of the package
    import sys

    sys.exit(main())
