"""Write event records (as made by :meth:`eventcoder.model.Event.to_record`) in other formats.

Formats:

- ``jsonl``: the event record, one per line (the stable public format).
- ``csv``: flat columns, one event a row, with a header.
- ``table``: a plain-text table for reading, fitted to the terminal.
- ``gdelt``: tab-separated, GDELT 2.0 events-like column names, with a header;
  NumMentions, NumSources and NumArticles come from a deduplicated event's ``reports``.
- ``plover``: POLECAT/PLOVER-style JSONL.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable, Iterable
from typing import Any, TextIO

FORMATS: tuple[str, ...] = ("jsonl", "csv", "table", "gdelt", "plover")

CSV_COLUMNS: tuple[str, ...] = (
    "event_id",
    "doc_id",
    "date",
    "date_precision",
    "source_code",
    "source_text",
    "target_code",
    "target_text",
    "cameo",
    "goldstein",
    "quad_class",
    "plover_event",
    "plover_mode",
    "plover_context",
    "confidence",
    "sentence",
    "evidence_start",
    "evidence_end",
    "trigger",
    "n_mentions",
    "n_sources",
    "n_articles",
)

GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "SOURCEURL",
)

# (header, width) of the terminal table; the last column (evidence) takes what the
# terminal has left, at least this width.
TABLE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("date", 10),
    ("source", 9),
    ("target", 9),
    ("cameo", 5),
    ("plover", 18),
    ("trigger", 18),
    ("conf", 4),
    ("arts", 4),
    ("evidence", 50),
)


def _part(record: dict[str, Any], key: str) -> dict[str, Any]:
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    """A value as a single-line string; ``None`` becomes empty."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _context(plover: dict[str, Any]) -> list[str]:
    ctx = plover.get("context")
    if ctx is None:
        return []
    if isinstance(ctx, str):
        return [c for c in ctx.split(";") if c]
    return [str(c) for c in ctx]


def _truncate(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def snippet(record: dict[str, Any], width: int) -> str:
    """The evidence sentence cut to ``width`` characters around its trigger, on one line.

    The trigger is kept whole and centred as far as the sentence allows; cut ends get
    an ellipsis.
    """
    evidence = record.get("evidence")
    if not isinstance(evidence, dict):
        return ""
    sentence = str(evidence.get("sentence") or "")
    try:
        at = int(evidence["trigger_start"]) - int(evidence["start"])
        end = int(evidence["trigger_end"]) - int(evidence["start"])
    except (KeyError, TypeError, ValueError):
        at = end = 0
    if not 0 <= at <= end <= len(sentence):
        at = end = 0
    before = " ".join(sentence[:at].split())
    trigger = " ".join(sentence[at:end].split())
    after = " ".join(sentence[end:].split())
    if sentence[:at][-1:].isspace() and before:
        before += " "
    if sentence[end:][:1].isspace() and after:
        after = " " + after
    room = width - len(trigger) - 2  # the quotes
    if room <= 2:
        return fit(f"“{trigger}”", width)
    left = min(len(before), max(room // 3, room - len(after)))
    right = room - left
    head = before if len(before) <= left else "…" + _word_start(before[len(before) - left + 1 :])
    tail = after if len(after) <= right else _word_end(after[: right - 1]) + "…"
    return f"“{head}{trigger}{tail}”"


def _word_start(text: str) -> str:
    """``text`` from its first whole word (a cut word is dropped unless it is all there is)."""
    space = text.find(" ")
    return text[space:] if 0 <= space < len(text) // 2 else text


def _word_end(text: str) -> str:
    """``text`` up to its last whole word."""
    space = text.rfind(" ")
    return text[:space] if space > len(text) // 2 else text


def report_counts(record: dict[str, Any]) -> tuple[int, int, int]:
    """(mentions, sources, articles) of a deduplicated event; a mention counts (1, 1, 1)."""
    reports = _part(record, "reports")
    return (
        int(reports.get("mentions", 1)),
        int(reports.get("sources", 1)),
        int(reports.get("articles", 1)),
    )


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """The flat CSV row of one event record (``None`` stays ``None``)."""
    src, tgt = _part(record, "source"), _part(record, "target")
    plover, evidence = _part(record, "plover"), _part(record, "evidence")
    return {
        "event_id": record.get("event_id"),
        "doc_id": record.get("doc_id"),
        "date": record.get("date"),
        "date_precision": record.get("date_precision"),
        "source_code": src.get("code"),
        "source_text": src.get("text"),
        "target_code": tgt.get("code"),
        "target_text": tgt.get("text"),
        "cameo": record.get("cameo"),
        "goldstein": record.get("goldstein"),
        "quad_class": record.get("quad_class"),
        "plover_event": plover.get("event"),
        "plover_mode": plover.get("mode"),
        "plover_context": ";".join(_context(plover)),
        "confidence": record.get("confidence"),
        "sentence": evidence.get("sentence"),
        "evidence_start": evidence.get("start"),
        "evidence_end": evidence.get("end"),
        "trigger": evidence.get("trigger"),
        **dict(zip(("n_mentions", "n_sources", "n_articles"), report_counts(record), strict=True)),
    }


def gdelt_row(record: dict[str, Any]) -> list[str]:
    """The GDELT-like columns of one event record, as strings."""
    src, tgt = _part(record, "source"), _part(record, "target")
    cameo = _text(record.get("cameo"))
    return [
        _text(record.get("event_id")),
        _text(record.get("date")).replace("-", ""),
        _text(src.get("code")),
        _text(src.get("name") or src.get("text")),
        _text(src.get("country")),
        _text(tgt.get("code")),
        _text(tgt.get("name") or tgt.get("text")),
        _text(tgt.get("country")),
        cameo,
        cameo[:3],
        cameo[:2],
        _text(record.get("quad_class")),
        _text(record.get("goldstein")),
        *(str(n) for n in report_counts(record)),
        _text(record.get("url") or record.get("doc_id")),  # the doc_id when no URL is known
    ]


def plover_record(record: dict[str, Any]) -> dict[str, Any]:
    """A POLECAT/PLOVER-style record of one event record."""
    src, tgt = _part(record, "source"), _part(record, "target")
    plover, evidence = _part(record, "plover"), _part(record, "evidence")
    return {
        "id": record.get("event_id"),
        "date": record.get("date"),
        "event_type": plover.get("event"),
        "mode": plover.get("mode"),
        "context": _context(plover),
        "source_actor": src.get("text"),
        "source_code": src.get("code"),
        "source_country": src.get("country"),
        "target_actor": tgt.get("text"),
        "target_code": tgt.get("code"),
        "target_country": tgt.get("country"),
        "event_text": evidence.get("sentence"),
        "confidence": record.get("confidence"),
        "doc_id": record.get("doc_id"),
    }


def table_row(record: dict[str, Any], sentence_width: int | None = None) -> str:
    """One line of the terminal table; the evidence is cut to ``sentence_width`` characters
    around the trigger (``None``: the whole sentence)."""
    src, tgt = _part(record, "source"), _part(record, "target")
    plover, evidence = _part(record, "plover"), _part(record, "evidence")
    event = _text(plover.get("event"))
    mode = _text(plover.get("mode"))
    confidence = record.get("confidence")
    sentence = (
        _text(evidence.get("sentence"))
        if sentence_width is None
        else snippet(record, sentence_width)
    )
    cells = [
        _text(record.get("date")),
        _text(src.get("code")) or "-",
        _text(tgt.get("code")) or "-",
        _text(record.get("cameo")),
        f"{event}/{mode}" if mode else event,
        _text(evidence.get("trigger")),
        f"{confidence:.2f}" if isinstance(confidence, int | float) else "",
        str(report_counts(record)[2]),
        sentence,
    ]
    return _table_line(cells)


def _table_line(cells: list[str]) -> str:
    parts = []
    last = len(TABLE_COLUMNS) - 1
    for i, ((_, width), cell) in enumerate(zip(TABLE_COLUMNS, cells, strict=True)):
        parts.append(cell if i == last else _truncate(cell, width).ljust(width))
    return "  ".join(parts).rstrip()


def _write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def _write_plover(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    return _write_jsonl((plover_record(r) for r in records), out)


def _write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    # with "\n" line ends the writer leaves a lone "\r" unquoted: readers split the row there
    quoted = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    n = 0
    for record in records:
        row = csv_row(record)
        cr = any(isinstance(v, str) and "\r" in v for v in row.values())
        (quoted if cr else writer).writerow(row)
        n += 1
    return n


def _write_gdelt(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    out.write("\t".join(GDELT_COLUMNS) + "\n")
    n = 0
    for record in records:
        out.write("\t".join(gdelt_row(record)) + "\n")
        n += 1
    return n


def _write_table(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """The table, fitted to the terminal when ``out`` is one (the evidence column takes
    what is left, cut around the trigger); in a pipe or file each sentence is whole."""
    fixed = sum(w for _, w in TABLE_COLUMNS[:-1]) + 2 * (len(TABLE_COLUMNS) - 1)
    sentence_width: int | None = None
    if out.isatty():
        sentence_width = max(TABLE_COLUMNS[-1][1], shutil.get_terminal_size().columns - fixed)
    header = _table_line([name for name, _ in TABLE_COLUMNS])
    out.write(header + "\n")
    out.write("-" * (fixed + (sentence_width or TABLE_COLUMNS[-1][1])) + "\n")
    n = 0
    for record in records:
        out.write(table_row(record, sentence_width) + "\n")
        n += 1
    return n


_WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], TextIO], int]] = {
    "jsonl": _write_jsonl,
    "csv": _write_csv,
    "table": _write_table,
    "gdelt": _write_gdelt,
    "plover": _write_plover,
}


def write_events(records: Iterable[dict[str, Any]], out: TextIO, fmt: str) -> int:
    """Write event records to ``out`` in format ``fmt``; return how many were written.

    Records are streamed: nothing is held in memory. Raises ``ValueError`` for an
    unknown format, naming the valid ones.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return writer(records, out)
