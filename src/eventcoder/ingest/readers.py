"""Readers: files and directories in, ``Document`` objects out.

A document's text is the article as read (``as_read``): the seed format's date prefix and
the trailing scraper junk block are cut, nothing inside is changed, so event evidence
quotes the article word for word. Titles are normalised onto one line.

Supported inputs (see the README's input contract):

* ``.txt``: one article; an optional first token ``date YYYY-MM-DD`` gives its date;
  every document date must lie from 1800-01-01 to a year after today
  (``check_document_date``), else the record is refused with its location;
  ``doc_id`` is the file stem, ``origin`` the path.
* ``.jsonl`` (or ``.ndjson``): one JSON object a line with ``id``, ``date``, ``text`` and
  optional ``title``, ``url``, ``source``; other fields are ignored; ``origin`` is ``path:line``.
* ``.csv``: the same columns, a header row is required; ``origin`` is ``path:line``.
* ``.html`` / ``.htm``: one saved web page, one document: the article's main text, title,
  URL and site (``eventcoder.ingest.html``); its date is the page's own (metadata, then a
  date in its URL), else ``--date``; ``doc_id`` is the file stem, ``origin`` the path. A
  page without article text (empty, not HTML) is refused with its path.
* ``.warc`` / ``.warc.gz``: web archives, streamed; every HTML response with status 200 is
  a document (``eventcoder.ingest.warc``), ``origin`` is ``path:byte offset``; other
  records are counted and said in one ``SkippedRecords`` warning per file; a file cut
  short yields what came before and an ``InputError`` at the offset where it broke.
* a directory: read recursively in sorted order; hidden entries and other file types are
  skipped.
* ``-``: JSONL read from standard input.

A bad record or file does not stop the corpus: ``iter_documents`` yields an ``InputError``
(which names the file and line) in its place and goes on. Files are streamed line by line.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from eventcoder.errors import DataError, InputError, InputWarning
from eventcoder.ingest.clean import (
    as_read,
    check_document_date,
    clean_text,
    parse_day,
    split_seed_date,
)
from eventcoder.ingest.html import extract_page, page_document
from eventcoder.ingest.warc import read_warc
from eventcoder.model import Document, stable_hash

STDIN = "-"
STDIN_LABEL = "<stdin>"
NO_DATE = "no date: give the document a 'date' field or pass --date YYYY-MM-DD"
NO_DATE_TXT = "no date: start the file with 'date YYYY-MM-DD' or pass --date YYYY-MM-DD"
_SNIFF_BYTES = 8192
# More undecodable bytes than this share of a file (or a JSONL line) make it binary, not text
# with a few bad bytes: those are replaced with U+FFFD and the rest is coded.
_MAX_BAD_BYTE_SHARE = 0.05
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
# A UTF-16 surrogate on its own: JSON may escape one ("\ud800"), but it is no character,
# and no UTF-8 text (the database, the output) can hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_RECORD_FIELDS = ("id", "date", "text", "title", "url", "source")
_NOT_UTF8 = "not UTF-8 text; is it a binary file?"
# JSONL lines with NUL bytes in a row after which the rest of the file is taken as binary
_BINARY_LINES_TO_STOP = 5

DocOrError = Document | InputError
# (path, label shown in messages, document key for one-article files, default date)
_Reader = Callable[[Path, str, str, date | None], Iterator[DocOrError]]


class _BinaryData(Exception):
    """Internal: a NUL byte was met while streaming a text file."""


def iter_documents(
    paths: Iterable[str | Path], default_date: date | None = None
) -> Iterator[Document | InputError]:
    """Yield a ``Document`` for every good record and an ``InputError`` for every bad one.

    Paths are read in the order given; directories recursively, in sorted order.
    ``default_date`` is used for documents that carry no date of their own.
    """
    for given in paths:
        if str(given) == STDIN:
            yield from _noticed_if_empty(_read_stdin(default_date), STDIN_LABEL)
            continue
        files = 0
        for item in _expand(Path(given), str(given)):
            if isinstance(item, InputError):
                yield item
            else:
                files += 1
                path, label, key = item
                reader = _READERS[suffix_of(path)](path, label, key, default_date)
                yield from _noticed_if_empty(reader, label)
        if files == 0 and Path(given).is_dir():
            wanted = ", ".join(SUPPORTED_SUFFIXES)
            warnings.warn(f"{given}: no {wanted} files in this folder", InputWarning, stacklevel=2)


def _noticed_if_empty(items: Iterator[DocOrError], label: str) -> Iterator[DocOrError]:
    """``items``, with a warning when there are none: an empty file is said, not ignored."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        warnings.warn(f"{label}: no documents in it (empty)", InputWarning, stacklevel=2)


def check_paths(paths: Iterable[str | Path]) -> None:
    """Raise :class:`InputError` naming every path that does not exist (``-`` is standard
    input), so that a mistyped path stops a run before anything is created."""
    missing = [str(p) for p in paths if str(p) != STDIN and not Path(p).exists()]
    if missing:
        raise InputError(
            "no such file or directory: "
            + ", ".join(repr(m) for m in missing)
            + " (nothing was coded or stored)"
        )


def sample_corpus_paths() -> list[Path]:
    """The files of the sample corpus shipped inside the package, in sorted order."""
    root = resources.files("eventcoder").joinpath("samples")
    base = Path(str(root))
    if not base.is_dir():
        raise DataError("the packaged sample corpus is missing", str(base))
    return sorted(p for p in base.iterdir() if p.is_file() and suffix_of(p) in SUPPORTED_SUFFIXES)


def estimate_count(paths: Iterable[str | Path]) -> int | None:
    """Roughly how many documents ``paths`` hold, for a progress bar; None if unknown.

    One per ``.txt`` or HTML file, one per line of JSONL, one per line of CSV after the
    header (blank lines and quoted fields spanning lines make it an overestimate). Reads the files
    once, in constant memory; standard input and WARC files cannot be counted.
    """
    total = 0
    for given in paths:
        if str(given) == STDIN:
            return None
        for item in _expand(Path(given), str(given)):
            if isinstance(item, InputError):
                continue
            path = item[0]
            suffix = suffix_of(path)
            if suffix in _WARC:
                return None
            if suffix in _ONE_DOCUMENT:
                total += 1
                continue
            try:
                lines = _count_lines(path)
            except OSError:
                continue
            total += max(0, lines - 1) if suffix == ".csv" else lines
    return total


def _count_lines(path: Path) -> int:
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (0 if last == b"\n" else 1)


# --------------------------------------------------------------------------- paths


def _expand(path: Path, label: str) -> Iterator[tuple[Path, str, str] | InputError]:
    """The readable files under ``path`` with their display labels, or errors."""
    try:
        if path.is_dir():
            yield from _walk(path)
            return
        if not path.exists():
            yield InputError("no such file or directory", label)
            return
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", label)
        return
    if suffix_of(path) not in SUPPORTED_SUFFIXES:
        wanted = ", ".join(SUPPORTED_SUFFIXES)
        yield InputError(
            f"unsupported file type {path.suffix or '(none)'!r}: expected {wanted}", label
        )
        return
    yield path, label, path.stem


def _walk(top: Path) -> Iterator[tuple[Path, str, str] | InputError]:
    """Files with a supported suffix under ``top``; sorted, hidden entries skipped.

    The key of a file is its path below ``top`` without the suffix ("deeper/x"), so two
    articles named ``x.txt`` in different folders stay two documents.
    """
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(top, onerror=errors.append):
        for exc in errors:
            yield InputError(f"cannot read directory: {exc.strerror or exc}", str(exc.filename))
        errors.clear()
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            child = Path(dirpath, name)
            if suffix_of(child) in SUPPORTED_SUFFIXES:
                yield child, str(child), child.relative_to(top).with_suffix("").as_posix()
    for exc in errors:
        yield InputError(f"cannot read directory: {exc.strerror or exc}", str(exc.filename))


def _sniff(path: Path) -> str | None:
    """A reason why ``path`` looks binary (NUL bytes, not UTF-8 at the start), else None."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if b"\x00" in head:
        return "binary file (contains NUL bytes), expected UTF-8 text"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        # a multi-byte character cut at the end of the sample is not a bad byte
        decoded = _decode(head[: head.rfind(b"\n") + 1] or head)
        if decoded is None:
            return _NOT_UTF8
    return None


def _decode(data: bytes) -> tuple[str, list[int]] | None:
    """UTF-8 text with each undecodable byte replaced by U+FFFD, and the lines (1-based)
    that had one; None when they are so many that it is no text at all."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", errors="surrogateescape")
    bad = _ESCAPED_BYTE.findall(escaped)
    if len(bad) > _MAX_BAD_BYTE_SHARE * len(data):
        return None
    lines = sorted({escaped.count("\n", 0, m.start()) + 1 for m in _ESCAPED_BYTE.finditer(escaped)})
    return _ESCAPED_BYTE.sub("\ufffd", escaped), lines


def _warn_replaced(label: str, lines: list[int], first_line: int = 1) -> None:
    where = ", ".join(str(first_line - 1 + n) for n in lines[:10])
    more = "" if len(lines) <= 10 else f" and {len(lines) - 10} more"
    warnings.warn(
        f"{label}: undecodable bytes on line(s) {where}{more} replaced with U+FFFD; "
        "the rest is coded",
        InputWarning,
        stacklevel=3,
    )


# --------------------------------------------------------------------------- .txt


def _read_txt(path: Path, label: str, key: str, default_date: date | None) -> Iterator[DocOrError]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", label)
        return
    if b"\x00" in data:
        yield InputError("binary file (contains NUL bytes), expected UTF-8 text", label)
        return
    decoded = _decode(data.removeprefix(codecs.BOM_UTF8))
    if decoded is None:
        yield InputError(_NOT_UTF8, label)
        return
    raw, bad_lines = decoded
    if bad_lines:
        _warn_replaced(label, bad_lines)
    try:
        seed_date, body = split_seed_date(raw)
    except InputError as exc:
        yield InputError(exc.reason, label, 1)
        return
    text = as_read(body)
    if not text:
        yield InputError("empty text", label)
        return
    day = seed_date or default_date
    if day is None:
        yield InputError(NO_DATE_TXT, label)
        return
    try:
        check_document_date(day)  # a default date given through the API
    except InputError as exc:
        yield InputError(exc.reason, label, 1)
        return
    yield Document(doc_id=key, text=text, date=day, origin=label)


# --------------------------------------------------------------------------- .html


def _read_html(path: Path, label: str, key: str, default_date: date | None) -> Iterator[DocOrError]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", label)
        return
    if not data.strip():
        yield InputError("empty file, expected an HTML page", label)
        return
    page = extract_page(data)
    if page is None:
        yield InputError(
            "no article text found: not an HTML page, or a page without an article", label
        )
        return
    try:
        yield page_document(page, doc_id=key, origin=label, default_date=default_date)
    except InputError as exc:
        yield InputError(exc.reason, label)


def _read_warc(path: Path, label: str, key: str, default_date: date | None) -> Iterator[DocOrError]:
    return read_warc(path, label, default_date)


# --------------------------------------------------------------------------- .jsonl


def _read_jsonl(
    path: Path, label: str, key: str, default_date: date | None
) -> Iterator[DocOrError]:
    try:
        reason = _sniff(path)
        if reason is not None:
            yield InputError(reason, label)
            return
        with path.open("rb") as fh:
            yield from _jsonl_records(fh, label, default_date)
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", label)


def _read_stdin(default_date: date | None) -> Iterator[DocOrError]:
    buffer = getattr(sys.stdin, "buffer", None)
    lines: Iterable[bytes] = (
        buffer if buffer is not None else (line.encode("utf-8") for line in sys.stdin)
    )
    yield from _jsonl_records(lines, STDIN_LABEL, default_date)


def _jsonl_records(
    lines: Iterable[bytes], label: str, default_date: date | None
) -> Iterator[DocOrError]:
    binary_in_a_row = 0
    for lineno, raw in enumerate(lines, start=1):
        if b"\x00" in raw:
            # one damaged line costs that line; a run of them is a binary tail
            binary_in_a_row += 1
            if binary_in_a_row >= _BINARY_LINES_TO_STOP:
                yield InputError(
                    "binary data (NUL bytes); skipping the rest of the file", label, lineno
                )
                return
            yield InputError("binary data (NUL bytes) in this line", label, lineno)
            continue
        binary_in_a_row = 0
        decoded = _decode(raw)
        if decoded is None:
            yield InputError("not valid UTF-8", label, lineno)
            continue
        line, bad_lines = decoded
        if bad_lines:
            _warn_replaced(label, bad_lines, lineno)
        try:
            document = parse_jsonl_line(line, label, lineno, default_date)
        except InputError as exc:
            yield exc
            continue
        if document is not None:
            yield document


def parse_jsonl_line(
    line: str, label: str, lineno: int, default_date: date | None
) -> Document | None:
    """One decoded JSONL line as a document, None if blank; ``InputError`` if unreadable.
    The local reader and the Spark executors both read lines with it."""
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


def json_type_name(value: object) -> str:
    """How a JSON value is named in messages: null, a boolean, a number, a list..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


# --------------------------------------------------------------------------- .csv


def _guard_nul(lines: Iterable[str], replaced: list[int]) -> Iterator[str]:
    """The lines of a CSV file read with ``surrogateescape``: each undecodable byte
    replaced by U+FFFD (the line numbers are added to ``replaced``); NUL stops the file."""
    for lineno, line in enumerate(lines, start=1):
        if "\x00" in line:
            raise _BinaryData
        if _ESCAPED_BYTE.search(line):
            replaced.append(lineno)
            line = _ESCAPED_BYTE.sub("\ufffd", line)
        yield line


def _read_csv(path: Path, label: str, key: str, default_date: date | None) -> Iterator[DocOrError]:
    try:
        reason = _sniff(path)
        if reason is not None:
            yield InputError(reason, label)
            return
        # undecodable bytes are replaced line by line (_guard_nul), as in the other formats
        with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
            yield from _csv_records(fh, label, default_date)
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", label)


# Python's csv module refuses fields over 128 KiB by default; articles can be longer. An
# over-long text is then refused by the parser's own limit, one record at a time.
_CSV_FIELD_LIMIT = 2**31 - 1


def _csv_records(fh: Iterable[str], label: str, default_date: date | None) -> Iterator[DocOrError]:
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    replaced: list[int] = []
    try:
        yield from _csv_rows(fh, label, default_date, replaced)
    finally:
        if replaced:
            _warn_replaced(label, replaced)


def _csv_rows(
    fh: Iterable[str], label: str, default_date: date | None, replaced: list[int]
) -> Iterator[DocOrError]:
    reader = csv.reader(_guard_nul(fh, replaced))
    header: list[str] | None = None
    next_line = 1  # physical line where the next record starts
    while True:
        start = next_line
        try:
            row = next(reader)
        except StopIteration:
            break
        except _BinaryData:
            yield InputError("binary data (NUL bytes); skipping the rest of the file", label, start)
            return
        except UnicodeDecodeError:
            yield InputError("not valid UTF-8; skipping the rest of the file", label, start)
            return
        except csv.Error as exc:
            yield InputError(f"bad CSV: {exc}; skipping the rest of the file", label, start)
            return
        next_line = reader.line_num + 1
        if header is None:
            header = [name.strip().lower() for name in row]
            if "text" not in header:
                found = ", ".join(repr(h) for h in header) or "nothing"
                yield InputError(
                    f"the CSV header row needs a 'text' column (found {found})", label, start
                )
                return
            continue
        if not any(value.strip() for value in row):
            continue
        if len(row) > len(header):
            yield InputError(
                f"row has {len(row)} fields but the header has {len(header)}; "
                "quote fields that contain commas",
                label,
                start,
            )
            continue
        fields = dict(zip(header, row, strict=False))
        try:
            yield build_document(fields, label=label, line=start, default_date=default_date)
        except InputError as exc:
            yield exc
    if header is None:
        yield InputError("empty CSV file: a header row is required", label)


# --------------------------------------------------------------------------- records


def build_document(
    fields: Mapping[str, Any], *, label: str, line: int, default_date: date | None
) -> Document:
    """One ``Document`` from a JSONL object or CSV row; raises a located ``InputError``.

    The fields are those of the input contract (``id``, ``date``, ``text``, ``title``,
    ``url``, ``source``); the text is taken as read here (``as_read``), so every reader
    (files, standard input, the Spark job) makes the same document, with the same id, from
    the same record.
    """

    def fail(message: str) -> InputError:
        return InputError(message, label, line)

    fields = _without_lone_surrogates(fields, label, line)
    raw_text = fields.get("text")
    if raw_text is None or (isinstance(raw_text, str) and not raw_text.strip()):
        raise fail("missing or empty 'text'")
    if not isinstance(raw_text, str):
        raise fail(f"'text' must be a string, got {json_type_name(raw_text)}")
    text = as_read(raw_text)
    if not text:
        raise fail("empty text")

    try:
        day = _field_date(fields.get("date"))
    except InputError as exc:
        raise fail(exc.reason) from None
    day = day or default_date
    if day is None:
        raise fail(NO_DATE)
    try:
        check_document_date(day)  # a default date given through the API
    except InputError as exc:
        raise fail(exc.reason) from None

    raw_id = fields.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int | None):
        raise fail(f"'id' must be a string, got {json_type_name(raw_id)}")
    doc_id = str(raw_id).strip() if raw_id is not None else ""

    title = _field_str(fields, "title", fail)
    return Document(
        # the id of a record without one hashes the normalised words, as before texts were
        # kept verbatim, so a re-run over an older database replaces its documents
        doc_id=doc_id or stable_hash(clean_text(text)),
        text=text,
        date=day,
        title=_one_line(title),
        url=_field_str(fields, "url", fail),
        source=_field_str(fields, "source", fail),
        origin=f"{label}:{line}",
    )


def _without_lone_surrogates(fields: Mapping[str, Any], label: str, line: int) -> Mapping[str, Any]:
    """``fields`` with each lone surrogate (a JSON escape such as ``\ud800`` that is half
    of no pair) replaced by U+FFFD, and a warning naming the record and the fields."""
    spoilt = [
        name
        for name in _RECORD_FIELDS
        if isinstance(value := fields.get(name), str) and _LONE_SURROGATE.search(value)
    ]
    if not spoilt:
        return fields
    warnings.warn(
        f"{label}:{line}: lone surrogates (JSON escapes such as \\ud800 that are no "
        f"character) in {', '.join(repr(n) for n in spoilt)} replaced with U+FFFD; "
        "the rest is coded",
        InputWarning,
        stacklevel=3,
    )
    return {**fields, **{name: _LONE_SURROGATE.sub("\ufffd", fields[name]) for name in spoilt}}


def _field_str(
    fields: Mapping[str, Any], name: str, fail: Callable[[str], InputError]
) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(f"'{name}' must be a string, got {json_type_name(value)}")
    return value.strip() or None


def _one_line(value: str | None) -> str | None:
    """A title normalised like the parsed text and folded onto one line."""
    if value is None:
        return None
    return " ".join(clean_text(value).split()) or None


def _field_date(value: object) -> date | None:
    """``YYYY-MM-DD`` or a full ISO datetime (its date part); None when absent or empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"'date' must be a string YYYY-MM-DD, got {json_type_name(value)}")
    text = value.strip()
    if not text:
        return None
    if len(text) > 10 and text[10] in "T t":
        try:
            datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"invalid date {value!r}: expected YYYY-MM-DD or an ISO datetime"
            ) from None
        return parse_day(text[:10])
    return parse_day(text)


_READERS: dict[str, _Reader] = {
    ".txt": _read_txt,
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
    ".csv": _read_csv,
    ".html": _read_html,
    ".htm": _read_html,
    ".warc": _read_warc,
    ".warc.gz": _read_warc,
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_READERS)
_ONE_DOCUMENT = (".txt", ".html", ".htm")
_WARC = (".warc", ".warc.gz")


def suffix_of(path: Path) -> str:
    """The suffix that picks a file's reader: ``.warc.gz`` for a compressed web archive,
    else the last suffix, lower-cased."""
    name = path.name.lower()
    return ".warc.gz" if name.endswith(".warc.gz") else path.suffix.lower()
