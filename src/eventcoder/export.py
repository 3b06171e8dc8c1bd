"""Write stored events (``eventcoder.model.StoredEvent`` / ``StoredMention``) in other formats.

Formats:

- ``jsonl``: the event record (``to_record``), one per line (the stable public format).
- ``csv``: flat columns, one event a row, with a header.
- ``table``: a plain-text table for reading, fitted to the terminal.
- ``gdelt``: tab-separated, GDELT 2.0 events-like column names, with a header;
  NumMentions, NumSources and NumArticles come from a deduplicated event's ``reports``.
- ``plover``: POLECAT/PLOVER-style JSONL.
- ``parquet``: the flat columns (:data:`FLAT_COLUMNS`, typed) in a Parquet file; the same
  columns ``EventStore.events(...).to_pandas()`` gives (needs ``eventcoder[data]``).
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from eventcoder.errors import EventCoderError
from eventcoder.model import Actor, Evidence, Location, Stored, record_value

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS: tuple[str, ...] = ("jsonl", "csv", "table", "gdelt", "plover")
# written to a file, not a text stream (see write_parquet)
BINARY_FORMATS: tuple[str, ...] = ("parquet",)

# The flat table of events (pandas, Parquet): GDELT-like names, one row per event, and
# each column's kind: "date", "str" (may be null), "int" or "float".
FLAT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "date"),
    ("source_code", "str"),
    ("source_country", "str"),
    ("source_sector", "str"),
    ("source_name", "str"),
    ("target_code", "str"),
    ("target_country", "str"),
    ("target_sector", "str"),
    ("target_name", "str"),
    ("cameo", "str"),
    ("cameo_root", "str"),
    ("goldstein", "float"),
    ("quad_class", "int"),
    ("plover_type", "str"),
    ("plover_mode", "str"),
    ("confidence", "float"),
    ("mentions", "int"),
    ("articles", "int"),
    ("sources", "int"),
    ("evidence", "str"),
    ("doc_id", "str"),
    ("url", "str"),
    ("event_id", "str"),
    ("location_name", "str"),
    ("location_country", "str"),
    ("location_admin1", "str"),
    ("location_lat", "float"),
    ("location_lon", "float"),
    ("location_precision", "str"),
    ("location_geonames_id", "int"),
)

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
    "location_name",
    "location_country",
    "location_lat",
    "location_lon",
    "location_precision",
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
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "SOURCEURL",
)

# GDELT's ActionGeo_Type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state
_GDELT_GEO_TYPES = {("country", False): 1, ("country", True): 1, ("adm1", True): 2,
                    ("city", True): 3, ("city", False): 4, ("adm1", False): 5}  # fmt: skip

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


def _text(value: object) -> str:
    """A value as a single-line string; ``None`` becomes empty."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _truncate(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def snippet(evidence: Evidence, width: int) -> str:
    """The evidence sentence cut to ``width`` characters around its trigger, on one line.

    The trigger is kept whole and centred as far as the sentence allows; cut ends get
    an ellipsis.
    """
    sentence = evidence.sentence
    at = evidence.trigger_start - evidence.start
    end = evidence.trigger_end - evidence.start
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


def csv_row(stored: Stored) -> dict[str, str | int | float | None]:
    """The flat CSV row of one stored event (``None`` stays ``None``)."""
    ev = stored.event
    place = ev.location
    src, tgt = ev.source, ev.target
    return {
        "event_id": ev.event_id,
        "doc_id": ev.doc_id,
        "date": ev.date.isoformat(),
        "date_precision": ev.date_precision,
        "source_code": src.code if src else None,
        "source_text": src.text if src else None,
        "target_code": tgt.code if tgt else None,
        "target_text": tgt.text if tgt else None,
        "cameo": ev.cameo,
        "goldstein": ev.goldstein,
        "quad_class": ev.quad_class,
        "plover_event": ev.plover.event,
        "plover_mode": ev.plover.mode,
        "plover_context": ";".join(ev.plover.context),
        "confidence": ev.confidence,
        "sentence": ev.evidence.sentence,
        "evidence_start": ev.evidence.start,
        "evidence_end": ev.evidence.end,
        "trigger": ev.evidence.trigger,
        **dict(zip(("n_mentions", "n_sources", "n_articles"), stored.counts, strict=True)),
        "location_name": place.name if place else None,
        "location_country": place.country if place else None,
        "location_lat": place.lat if place else None,
        "location_lon": place.lon if place else None,
        "location_precision": place.precision if place else None,
    }


FlatValue = str | int | float | date | None


def flat_row(stored: Stored) -> dict[str, FlatValue]:
    """The flat row of one stored event: the columns of :data:`FLAT_COLUMNS`, in order.

    An actor's name is its canonical name, else the words that name it (as GDELT's).
    """
    ev = stored.event
    mentions, sources, articles = stored.counts
    row: dict[str, FlatValue] = {"date": ev.date}
    for role, actor in (("source", ev.source), ("target", ev.target)):
        row[f"{role}_code"] = actor.code if actor else None
        row[f"{role}_country"] = actor.country if actor else None
        row[f"{role}_sector"] = actor.sector if actor else None
        row[f"{role}_name"] = (actor.name or actor.text) if actor else None
    row.update(
        cameo=ev.cameo,
        cameo_root=ev.cameo[:2],
        goldstein=float(ev.goldstein),
        quad_class=int(ev.quad_class),
        plover_type=ev.plover.event,
        plover_mode=ev.plover.mode,
        confidence=float(ev.confidence),
        mentions=mentions,
        articles=articles,
        sources=sources,
        evidence=ev.evidence.sentence,
        doc_id=ev.doc_id,
        url=stored.url,
        event_id=ev.event_id,
    )
    place = ev.location
    row.update(
        location_name=place.name if place else None,
        location_country=place.country if place else None,
        location_admin1=place.admin1 if place else None,
        location_lat=place.lat if place else None,
        location_lon=place.lon if place else None,
        location_precision=place.precision if place else None,
        location_geonames_id=place.geonames_id if place else None,
    )
    return row


def data_extra_missing(what: str) -> EventCoderError:
    return EventCoderError(
        f"{what} needs pandas and pyarrow, which are not installed: pip install 'eventcoder[data]'"
    )


def flat_table(records: Iterable[Stored]) -> pa.Table:
    """The flat rows of ``records`` as a typed Arrow table (dates as date32, counts as
    int64, scores as float64). Raises :class:`EventCoderError` without pyarrow."""
    try:
        import pyarrow as pa
    except ImportError as exc:
        raise data_extra_missing("a table of events") from exc
    kinds = {"date": pa.date32(), "str": pa.string(), "int": pa.int64(), "float": pa.float64()}
    columns: dict[str, list[FlatValue]] = {name: [] for name, _ in FLAT_COLUMNS}
    for stored in records:
        for name, value in flat_row(stored).items():
            columns[name].append(value)
    schema = pa.schema([pa.field(name, kinds[kind]) for name, kind in FLAT_COLUMNS])
    return pa.table(columns, schema=schema)


def write_parquet(records: Iterable[Stored], path: str | Path) -> int:
    """Write the flat rows of ``records`` to the Parquet file ``path``; return how many."""
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise data_extra_missing("--format parquet") from exc
    table = flat_table(records)
    pq.write_table(table, str(path))
    return int(table.num_rows)


def _actor_cells(actor: Actor | None) -> list[str]:
    """GDELT's code, name and country of an actor."""
    if actor is None:
        return ["", "", ""]
    return [_text(actor.code), _text(actor.name or actor.text), _text(actor.country)]


def gdelt_row(stored: Stored) -> list[str]:
    """The GDELT-like columns of one stored event, as strings."""
    ev = stored.event
    cameo = _text(ev.cameo)
    return [
        _text(ev.event_id),
        ev.date.isoformat().replace("-", ""),
        *_actor_cells(ev.source),
        *_actor_cells(ev.target),
        cameo,
        cameo[:3],
        cameo[:2],
        _text(ev.quad_class),
        _text(ev.goldstein),
        *(str(n) for n in stored.counts),
        *_geo_cells(ev.location),
        _text(stored.url or ev.doc_id),  # the doc_id when no URL is known
    ]


def _geo_cells(place: Location | None) -> list[str]:
    """GDELT's ActionGeo columns; the country is ISO3 (GDELT writes FIPS 10-4 codes)."""
    if place is None or place.lat is None or place.lon is None or place.country is None:
        return ["0", "", "", "", "", "", ""]
    kind = _GDELT_GEO_TYPES.get((place.precision, place.country == "USA"), 4)
    full = ", ".join(n for n in (place.name, place.admin1) if n)
    return [
        str(kind),
        _text(full),
        place.country,
        _text(place.admin1),
        f"{place.lat:.4f}",
        f"{place.lon:.4f}",
        "" if place.geonames_id is None else str(place.geonames_id),
    ]


def plover_record(stored: Stored) -> dict[str, object]:
    """A POLECAT/PLOVER-style record of one stored event."""
    ev = stored.event
    src, tgt = ev.source, ev.target
    return {
        "id": ev.event_id,
        "date": ev.date.isoformat(),
        "event_type": ev.plover.event,
        "mode": ev.plover.mode,
        "context": list(ev.plover.context),
        "source_actor": src.text if src else None,
        "source_code": src.code if src else None,
        "source_country": src.country if src else None,
        "target_actor": tgt.text if tgt else None,
        "target_code": tgt.code if tgt else None,
        "target_country": tgt.country if tgt else None,
        "event_text": ev.evidence.sentence,
        "confidence": ev.confidence,
        "doc_id": ev.doc_id,
        "location": record_value(ev.location) if ev.location else None,
    }


def table_row(stored: Stored, sentence_width: int | None = None) -> str:
    """One line of the terminal table; the evidence is cut to ``sentence_width`` characters
    around the trigger (``None``: the whole sentence)."""
    ev = stored.event
    event, mode = _text(ev.plover.event), _text(ev.plover.mode)
    sentence = (
        _text(ev.evidence.sentence)
        if sentence_width is None
        else snippet(ev.evidence, sentence_width)
    )
    cells = [
        ev.date.isoformat(),
        _text(ev.source.code if ev.source else None) or "-",
        _text(ev.target.code if ev.target else None) or "-",
        _text(ev.cameo),
        f"{event}/{mode}" if mode else event,
        _text(ev.evidence.trigger),
        f"{ev.confidence:.2f}",
        str(stored.counts[2]),
        sentence,
    ]
    return _table_line(cells)


def _table_line(cells: list[str]) -> str:
    parts = []
    last = len(TABLE_COLUMNS) - 1
    for i, ((_, width), cell) in enumerate(zip(TABLE_COLUMNS, cells, strict=True)):
        parts.append(cell if i == last else _truncate(cell, width).ljust(width))
    return "  ".join(parts).rstrip()


def _write_jsonl(records: Iterable[Stored], out: TextIO) -> int:
    n = 0
    for stored in records:
        out.write(json.dumps(stored.to_record(), ensure_ascii=False) + "\n")
        n += 1
    return n


def _write_plover(records: Iterable[Stored], out: TextIO) -> int:
    n = 0
    for stored in records:
        out.write(json.dumps(plover_record(stored), ensure_ascii=False) + "\n")
        n += 1
    return n


def _write_csv(records: Iterable[Stored], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    # with "\n" line ends the writer leaves a lone "\r" unquoted: readers split the row there
    quoted = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    n = 0
    for stored in records:
        row = csv_row(stored)
        cr = any(isinstance(v, str) and "\r" in v for v in row.values())
        (quoted if cr else writer).writerow(row)
        n += 1
    return n


def _write_gdelt(records: Iterable[Stored], out: TextIO) -> int:
    out.write("\t".join(GDELT_COLUMNS) + "\n")
    n = 0
    for stored in records:
        out.write("\t".join(gdelt_row(stored)) + "\n")
        n += 1
    return n


def _write_table(records: Iterable[Stored], out: TextIO) -> int:
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
    for stored in records:
        out.write(table_row(stored, sentence_width) + "\n")
        n += 1
    return n


_WRITERS: dict[str, Callable[[Iterable[Stored], TextIO], int]] = {
    "jsonl": _write_jsonl,
    "csv": _write_csv,
    "table": _write_table,
    "gdelt": _write_gdelt,
    "plover": _write_plover,
}


def write_events(records: Iterable[Stored], out: TextIO, fmt: str) -> int:
    """Write stored events to ``out`` in format ``fmt``; return how many were written.

    Records are streamed: nothing is held in memory. Raises ``ValueError`` for an
    unknown format, naming the valid ones.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return writer(records, out)
