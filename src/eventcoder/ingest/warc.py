"""WARC archives in, one ``Document`` per archived HTML page out, streamed record by record.

``read_warc`` reads ``.warc`` and ``.warc.gz`` files with warcio's ``ArchiveIterator``:
one record at a time, so memory stays flat on a file of many gigabytes. Both kinds of
gzip work: one gzip member per record (the standard ``.warc.gz``) and a whole file
compressed in one piece (``gzip file.warc``), which is decompressed as a stream.

* Every ``response`` record with HTTP status 200 and an HTML content type (``text/html``,
  ``application/xhtml+xml``) becomes a document (``eventcoder.ingest.html``): ``doc_id``
  from its ``WARC-Target-URI`` as ``eventcoder watch`` makes it (``web_doc_id``: host and a
  hash of the canonical URL), so a page archived twice or also fetched by ``watch`` is one
  document; ``url`` is the target URI; the date is the page's own (metadata, then URL),
  else the day of ``WARC-Date``, else ``--date``; ``origin`` is ``path:offset``, the byte
  offset of the record in the file (of the decompressed stream for a whole-file gzip),
  which is where ``warcio`` or ``dd`` finds it.
* Every other record (``warcinfo``, ``request``, ``metadata``, ``revisit``, responses that
  are not HTML, not status 200 or have no article text) is skipped and counted. The counts
  fit the readers' contract of saying what was not read without stopping the corpus: at
  the end of each file that skipped any, ``read_warc`` issues one ``SkippedRecords``
  warning (an ``InputWarning``, which ``eventcoder code`` prints on stderr as
  ``warning: FILE: N WARC records not coded: ...``); the warning carries the counts as a
  dict (``.counts``) for code that catches it, and a caller may pass its own ``Counter``
  to have them added up there too.
* A file cut short (mid-record or mid-gzip-member) or damaged: the records before the
  break are coded, then an ``InputError`` names the file and the byte offset of the
  record where it broke, and the rest of that file is left; the run goes on.
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, Any

from eventcoder.errors import InputError, InputWarning
from eventcoder.ingest.html import extract_page, page_document
from eventcoder.model import Document

HTML_TYPES = ("text/html", "application/xhtml+xml")
WARC_SUFFIXES = (".warc", ".warc.gz")
# A bigger HTML body is no news article; it is skipped without being held in memory.
MAX_PAGE_BYTES = 10 * 1024 * 1024

NOT_HTML = "not HTML"
NOT_200 = "HTTP status not 200"
NO_TEXT = "no article text"
TOO_BIG = "page over 10 MiB"

_GZIP_MAGIC = b"\x1f\x8b"
_NEXT_RECORD = re.compile(rb"\r?\n\r?\nWARC/\d")
_SNIFF_LIMIT = 1 << 26  # decompressed bytes looked at to tell whole-file from per-record gzip


class SkippedRecords(InputWarning):
    """Records of one WARC file that were not coded, counted by kind (``counts``)."""

    def __init__(self, path: str, counts: Mapping[str, int]) -> None:
        self.path = path
        self.counts = dict(counts)
        total = sum(self.counts.values())
        parts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        noun = "record" if total == 1 else "records"
        super().__init__(f"{path}: {total} WARC {noun} not coded: {parts}")


def read_warc(
    path: Path,
    label: str,
    default_date: date | None,
    *,
    counts: Counter[str] | None = None,
) -> Iterator[Document | InputError]:
    """The documents of the WARC file at ``path`` (module docstring); ``label`` names it in
    messages and origins. Skipped records are counted into ``counts`` when given."""
    skipped: Counter[str] = Counter()
    try:
        with path.open("rb") as raw:
            whole = _whole_file_gzip(raw)
            raw.seek(0)
            if whole:
                yield from _records(_Inflating(raw), None, label, default_date, skipped)
            else:
                size = path.stat().st_size
                yield from _records(raw, size, label, default_date, skipped)
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", label)
    finally:
        if counts is not None:
            counts.update(skipped)
    if skipped:
        warnings.warn(SkippedRecords(label, skipped), stacklevel=2)


def _records(
    fh: IO[bytes] | _Inflating,
    size: int | None,
    label: str,
    default_date: date | None,
    skipped: Counter[str],
) -> Iterator[Document | InputError]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    archive = ArchiveIterator(fh)
    try:
        for record in archive:
            item = _record_document(archive, record, label, default_date, skipped)
            if isinstance(item, _Cut):
                yield _broken(label, item.offset, "the record is cut short")
                return
            if item is not None:
                yield item
    except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, zlib.error) as exc:
        yield _broken(label, archive.offset, _reason(exc))
        return
    except (ValueError, AttributeError, IndexError, KeyError) as exc:
        # warcio on a header it cannot read: a bad Content-Length, headers cut off
        # (AttributeError: no WARC-Target-URI yet), a status line without a code
        yield _broken(label, archive.offset, f"unreadable record headers: {_reason(exc)}")
        return
    if isinstance(fh, _Inflating) and fh.broken is not None:
        yield _broken(label, archive.offset, fh.broken)
    elif size is not None and archive.offset < size and _has_data_after(fh, archive.offset):
        yield _broken(label, archive.offset, "an incomplete record")


class _Cut:
    """Internal: the record at ``offset`` ends before its Content-Length says."""

    def __init__(self, offset: int) -> None:
        self.offset = offset


def _record_document(
    archive: Any, record: Any, label: str, default_date: date | None, skipped: Counter[str]
) -> Document | InputError | _Cut | None:
    """The document of one record; None (and counted) if it is skipped."""
    kind = str(record.rec_type)
    reason: str | None = None
    body = b""
    content_type = ""
    if kind != "response":
        reason = kind
    elif record.http_headers is None:
        reason = NOT_HTML
    else:
        content_type = record.http_headers.get_header("Content-Type") or ""
        if str(record.http_headers.get_statuscode()) != "200":
            reason = NOT_200
        elif content_type.split(";", 1)[0].strip().lower() not in HTML_TYPES:
            reason = NOT_HTML
        else:
            body = record.content_stream().read(MAX_PAGE_BYTES + 1)
            if len(body) > MAX_PAGE_BYTES:
                reason, body = TOO_BIG, b""
    offset: int = archive.get_record_offset()  # reads the rest of the record
    headers = record.rec_headers
    if getattr(record.raw_stream, "limit", 0) > 0 or not (
        headers.get_header("WARC-Type") and headers.get_header("Content-Length")
    ):
        return _Cut(offset)
    if reason is None:
        uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ")
        document = _page(body, uri, content_type, record, label, offset, default_date)
        if document is not None:
            return document
        reason = NO_TEXT
    skipped[reason] += 1
    return None


def _page(
    body: bytes,
    uri: str,
    content_type: str,
    record: Any,
    label: str,
    offset: int,
    default_date: date | None,
) -> Document | InputError | None:
    from eventcoder.watch.urls import web_doc_id

    page = extract_page(body, url=uri or None, content_type=content_type)
    if page is None:
        return None
    origin = f"{label}:{offset}"
    try:
        document = page_document(
            page,
            doc_id=web_doc_id(uri) if uri else f"{label}:{offset}",
            origin=origin,
            default_date=default_date,
            fallback_date=_warc_day(record.rec_headers.get_header("WARC-Date")),
        )
    except InputError as exc:
        return InputError(exc.reason, label, offset)
    return replace(document, url=uri or document.url)


def _warc_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _broken(label: str, offset: int, why: str) -> InputError:
    return InputError(
        f"WARC file cut short or damaged at byte {offset} ({why}); the records before it "
        "were read, the rest of the file is skipped",
        label,
        offset,
    )


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


def _has_data_after(fh: IO[bytes] | _Inflating, offset: int) -> bool:
    """Whether anything but blank lines follows ``offset`` in a seekable file."""
    if isinstance(fh, _Inflating):
        return False
    fh.seek(offset)
    while chunk := fh.read(1 << 16):
        if chunk.strip(b"\r\n\t \x00"):
            return True
    return False


def _whole_file_gzip(fh: IO[bytes]) -> bool:
    """Whether ``fh`` is gzip whose first member holds more than one WARC record (a file
    compressed in one piece) rather than one member per record. Reads the first member
    as a stream (at most ``_SNIFF_LIMIT`` decompressed bytes); the caller rewinds."""
    if fh.read(2) != _GZIP_MAGIC:
        return False
    fh.seek(0)
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    tail = b""
    seen = 0
    data = b""
    try:
        while not inflate.eof and seen < _SNIFF_LIMIT:
            data = data or fh.read(1 << 16)
            if not data:
                return False
            out = inflate.decompress(data, 1 << 16)
            data = inflate.unconsumed_tail
            seen += len(out)
            if _NEXT_RECORD.search(tail + out, 1):
                return True
            tail = (tail + out)[-16:]
    except zlib.error:
        return False
    return not inflate.eof


class _Inflating:
    """A gzip file (one or more members) decompressed as a stream, for a WARC compressed
    in one piece. Unlike ``gzip.GzipFile`` it hands over every byte it could decompress
    before a cut and keeps the cut in ``broken``; ``tell`` counts decompressed bytes.
    At most what is asked for is decompressed at a time, so memory stays flat however
    well the data compresses."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.pending = b""  # compressed bytes read but not yet inflated
        self.buffer = b""
        self.position = 0
        self.broken: str | None = None
        self.done = False

    def read(self, size: int = -1) -> bytes:
        wanted = size if size >= 0 else 1 << 62
        while not self.done and len(self.buffer) < wanted:
            self._fill(min(wanted - len(self.buffer), 1 << 20))
        out, self.buffer = self.buffer[:wanted], self.buffer[wanted:]
        self.position += len(out)
        return out

    def _fill(self, most: int) -> None:
        data = self.pending or self.raw.read(1 << 16)
        try:
            if not data:
                self.buffer += self.inflate.flush()
                if not self.inflate.eof:
                    self.broken = "the compressed stream ends in the middle"
                self.done = True
                return
            self.buffer += self.inflate.decompress(data, most)
            self.pending = self.inflate.unconsumed_tail
            if self.inflate.eof and self.inflate.unused_data:  # the next gzip member
                self.pending = self.inflate.unused_data
                self.inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        except zlib.error as exc:
            self.broken = f"bad gzip data: {exc}"
            self.done = True

    def tell(self) -> int:
        return self.position
