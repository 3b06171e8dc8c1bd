"""What runs in the Python workers: input rows to documents, documents to event rows.

The driver (``eventcoder.spark.job``) ships these functions, with a ``Plan``, to the
executors; each partition yields tagged items: ``(DOC, Document)``, ``(EVENT, row)``,
``(ERROR, row)``, ``(SKIPPED, count)`` (WARC records that are no HTML page) and, last, one
``(STATS, PartitionStats)``.

HTML pages and WARC archives are read a whole file per task (``read_files``) with the local
readers, so a WARC file streams through one executor and its documents, errors and skipped
records are those of ``eventcoder code``.
"""

from __future__ import annotations

import os
import socket
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from eventcoder.errors import InputError
from eventcoder.ingest import build_document, iter_documents
from eventcoder.ingest.readers import parse_jsonl_line
from eventcoder.ingest.warc import SkippedRecords
from eventcoder.model import Document, Event
from eventcoder.pipeline import CoderConfig, get_coder
from eventcoder.spark.schema import record_to_row

if TYPE_CHECKING:
    from pyspark.core.broadcast import Broadcast
    from pyspark.sql import Row

INPUT_COLUMNS = ("id", "date", "text", "title", "url", "source")
PATH_COL = "_eventcoder_path"
BLOCK_COL = "_eventcoder_block"

# tags of the items passed between the stages of the job
DOC, EVENT, ERROR, STATS, SKIPPED = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Plan:
    """Driver-side settings shipped to the executors with the partition functions."""

    input_format: str
    default_date: date | None
    config: CoderConfig


@dataclass(frozen=True)
class PartitionStats:
    """What one partition read and coded, and in which Python worker."""

    host: str
    pid: int
    records: int = 0
    documents: int = 0
    events: int = 0
    read_errors: int = 0
    code_errors: int = 0
    model_loads: int = 0
    used_coder: bool = False
    skipped_records: int = 0  # WARC records that hold no HTML page (not errors)


def read_partition(
    plan: Plan, offsets: Broadcast[dict[tuple[str, int], int]], rows: Iterable[Row]
) -> Iterator[tuple[int, Any]]:
    """Input rows to ``(DOC, Document)`` or ``(ERROR, error row)`` items.

    ``offsets`` holds the rows in each file before each split (``job.block_offsets``),
    so every row gets its line number in its file.
    """
    table = offsets.value
    seen: dict[tuple[str, int], int] = {}
    for row in rows:
        key = (row[PATH_COL], row[BLOCK_COL])
        index = seen.get(key, 0)
        seen[key] = index + 1
        label = display_path(key[0])
        line = table.get(key, 0) + index + 1
        try:
            document = _row_document(plan, row, label, line)
        except InputError as exc:
            yield ERROR, error_row(label, line, "read", None, exc.reason)
            continue
        if document is not None:
            yield DOC, document


def read_files(plan: Plan, paths: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """Whole HTML and WARC files (``file:`` URIs or local paths) to ``(DOC, Document)`` and
    ``(ERROR, row)`` items, as ``eventcoder code`` reads them, then ``(SKIPPED, n)``: the
    WARC records that were counted and left out."""
    for uri in paths:
        path = display_path(uri)
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            for item in iter_documents([path], default_date=plan.default_date):
                if isinstance(item, InputError):
                    yield (
                        ERROR,
                        error_row(item.path or path, item.line or 0, "read", None, item.reason),
                    )
                else:
                    yield DOC, item
        skipped = sum(
            sum(w.message.counts.values()) for w in said if isinstance(w.message, SkippedRecords)
        )
        if skipped:
            yield SKIPPED, skipped


def _row_document(plan: Plan, row: Row, label: str, line: int) -> Document | None:
    """One input row as the local reader would read it; None for a blank JSONL line."""
    if plan.input_format == "jsonl":
        text: str = row["value"]
        if "\x00" in text:
            raise InputError("binary data (NUL bytes)", label, line)
        return parse_jsonl_line(text, label, line, plan.default_date)
    given = row.asDict()
    fields = {name: _plain(given[name]) for name in INPUT_COLUMNS if name in given}
    return build_document(fields, label=label, line=line, default_date=plan.default_date)


def _plain(value: Any) -> Any:
    """Parquet dates and timestamps as ISO strings, as they would be written in JSONL."""
    return value.isoformat() if isinstance(value, date) else value


def code_partition(
    config: CoderConfig, items: Iterable[tuple[int, Any]]
) -> Iterator[tuple[int, Any]]:
    """Documents to ``(EVENT, row)`` and ``(ERROR, row)`` items, then one ``(STATS, ..)``.

    The coder comes from the per-process ``get_coder`` cache, so a reused Python worker
    loads the model once; a partition without documents never loads it.
    """
    pending: list[tuple[Any, ...]] = []  # error rows not yet passed on
    tally: Counter[str] = Counter()

    def documents() -> Iterator[Document]:
        for tag, value in items:
            if tag == SKIPPED:
                tally["skipped_records"] += value
                continue
            tally["records"] += 1
            if tag == DOC:
                yield value
            else:
                tally["read_errors"] += 1
                pending.append(value)

    def on_error(document: Document, exc: Exception) -> None:
        tally["code_errors"] += 1
        path, _, line = document.origin.rpartition(":")
        if not (path and line.isdigit()):  # an HTML file: its origin is the path alone
            path, line = document.origin, "0"
        reason = str(exc) or type(exc).__name__
        pending.append(error_row(path, int(line), "code", document.doc_id, reason))

    stream = documents()
    first = next(stream, None)
    if first is not None:
        misses = get_coder.cache_info().misses
        coder = get_coder(config)
        tally["model_loads"] = get_coder.cache_info().misses - misses
        for _document, events in coder.code_documents(_chain(first, stream), on_error):
            tally["documents"] += 1
            tally["events"] += len(events)
            yield from ((ERROR, item) for item in pending)
            pending.clear()
            yield from ((EVENT, _event_row(event)) for event in events)
    yield from ((ERROR, item) for item in pending)
    yield (
        STATS,
        PartitionStats(
            host=socket.gethostname(),
            pid=os.getpid(),
            records=tally["records"],
            documents=tally["documents"],
            events=tally["events"],
            read_errors=tally["read_errors"],
            code_errors=tally["code_errors"],
            model_loads=tally["model_loads"],
            used_coder=first is not None,
            skipped_records=tally["skipped_records"],
        ),
    )


def _chain(first: Document, rest: Iterator[Document]) -> Iterator[Document]:
    yield first
    yield from rest


def _event_row(event: Event) -> tuple[Any, ...]:
    return record_to_row(event.to_record())


def error_row(path: str, line: int, stage: str, doc_id: str | None, reason: str) -> tuple[Any, ...]:
    """A row of ``ERROR_COLUMNS``."""
    return (f"{path}:{line}", path, line, stage, doc_id, reason)


def display_path(uri: str) -> str:
    """A file URI from Spark as a user writes it: ``file:/a%20b.jsonl`` → ``/a b.jsonl``."""
    text = unquote(uri)
    if text.startswith("file://"):
        return text[len("file://") :]
    if text.startswith("file:"):
        return text[len("file:") :]
    return text
