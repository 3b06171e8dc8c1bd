"""WARC archives as input: HTML responses become documents, other records are counted,
per-record and whole-file gzip both work, a cut file keeps what came before it."""

from __future__ import annotations

import gzip
import io
import shutil
import time
import tracemalloc
import warnings
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eventcoder.cli import EXIT_OK, EXIT_SOME_SKIPPED, main
from eventcoder.errors import InputError
from eventcoder.ingest import iter_documents
from eventcoder.ingest.warc import NO_TEXT, NOT_200, NOT_HTML, SkippedRecords, read_warc
from eventcoder.model import Document
from eventcoder.watch.urls import web_doc_id

PARAGRAPHS = (
    "Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy in Kyiv on "
    "Monday to discuss military aid and the reconstruction of the power grid.",
    "Russian forces shelled the city of Kharkiv overnight, the regional governor said, "
    "damaging several residential buildings and a school.",
)


def html_page(n: int, *, dated: bool = True) -> bytes:
    meta = (
        f'<meta property="article:published_time" content="2024-03-{n % 28 + 1:02d}">'
        if dated
        else ""
    )
    paragraphs = "".join(f"<p>{p} (Story {n}.)</p>" for p in PARAGRAPHS)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Story {n}</title>"
        f"{meta}</head><body><nav><a href='/'>Home</a></nav><article><h1>Story {n}</h1>"
        f"{paragraphs}</article></body></html>"
    ).encode()


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str, status: str = "200 OK"
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2024-05-06T07:08:09Z"},
    )
    writer.write_record(record)


def _request(writer: WARCWriter, url: str) -> None:
    headers = StatusAndHeaders(
        "GET / HTTP/1.1", [("Host", "news.example.com")], is_http_request=True
    )
    writer.write_record(
        writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=headers)
    )


def mixed_warc(gz: bool) -> bytes:
    """warcinfo; 3 HTML pages (one undated) each with its request; a PDF, a 404, an empty
    HTML page, a metadata record."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "tests"}))
    for n in range(3):
        url = f"https://news.example.com/world/story-{n}"
        _request(writer, url)
        _response(writer, url, html_page(n, dated=n != 2), "text/html; charset=utf-8")
    _response(writer, "https://news.example.com/r.pdf", b"%PDF-1.4 ...", "application/pdf")
    _response(writer, "https://news.example.com/gone", html_page(9), "text/html", "404 Not Found")
    _response(writer, "https://news.example.com/empty", b"<html><body></body></html>", "text/html")
    writer.write_record(
        writer.create_warc_record(
            "https://news.example.com/world/story-0",
            "metadata",
            payload=io.BytesIO(b"outlink: https://news.example.com/"),
            warc_content_type="application/warc-fields",
        )
    )
    return buffer.getvalue()


def read(path: Path) -> tuple[list[Document], list[InputError], Counter[str]]:
    counts: Counter[str] = Counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedRecords)
        items = list(read_warc(path, str(path), None, counts=counts))
    documents = [d for d in items if isinstance(d, Document)]
    errors = [e for e in items if isinstance(e, InputError)]
    return documents, errors, counts


EXPECTED_SKIPS = {"warcinfo": 1, "request": 3, NOT_HTML: 1, NOT_200: 1, NO_TEXT: 1, "metadata": 1}


@pytest.mark.parametrize("kind", ["plain", "per-record gzip", "whole-file gzip"])
def test_documents_and_skipped_records(tmp_path: Path, kind: str) -> None:
    data = mixed_warc(gz=kind == "per-record gzip")
    if kind == "whole-file gzip":
        data = gzip.compress(data)
    path = tmp_path / ("test.warc" if kind == "plain" else "test.warc.gz")
    path.write_bytes(data)
    documents, errors, counts = read(path)
    assert errors == []
    assert counts == EXPECTED_SKIPS
    urls = [f"https://news.example.com/world/story-{n}" for n in range(3)]
    assert [d.url for d in documents] == urls
    assert [d.doc_id for d in documents] == [web_doc_id(u) for u in urls]
    # the page's date first, the WARC-Date's day for the undated page
    assert [d.date for d in documents] == [date(2024, 3, 1), date(2024, 3, 2), date(2024, 5, 6)]
    assert [d.title for d in documents] == ["Story 0", "Story 1", "Story 2"]
    assert all(d.text.startswith("Polish President") for d in documents)
    for document in documents:
        label, _, offset = document.origin.rpartition(":")
        assert label == str(path) and int(offset) > 0
    if kind != "whole-file gzip":  # the offset is where the record starts in the file
        for document in documents:
            start = int(document.origin.rpartition(":")[2])
            with path.open("rb") as fh:
                fh.seek(start)
                head = fh.read(1 << 16)
            if kind == "per-record gzip":
                head = gzip.GzipFile(fileobj=io.BytesIO(head)).read(2000)
            assert head.startswith(b"WARC/1.")
            assert document.url is not None and document.url.encode() in head


def test_skipped_records_are_one_warning_per_file(tmp_path: Path) -> None:
    path = tmp_path / "test.warc.gz"
    path.write_bytes(mixed_warc(gz=True))
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        documents = [d for d in iter_documents([path]) if isinstance(d, Document)]
    assert len(documents) == 3
    [warning] = [w.message for w in said if isinstance(w.message, SkippedRecords)]
    assert warning.counts == EXPECTED_SKIPS
    assert str(warning).startswith(f"{path}: 8 WARC records not coded: 1 warcinfo, 3 request")


def test_the_cli_codes_a_warc_and_says_what_it_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(mixed_warc(gz=True))
    status = main(["code", str(path), "--db", str(tmp_path / "e.db"), "--no-model"])
    err = capsys.readouterr().err
    assert status == EXIT_OK, err
    assert "coded 3 documents" in err
    assert f"warning: {path}: 8 WARC records not coded" in err


@pytest.mark.parametrize("kind", ["plain", "per-record gzip", "whole-file gzip"])
@pytest.mark.parametrize("where", [0.55, 0.8, 0.97])
def test_a_cut_file_keeps_what_came_before(tmp_path: Path, kind: str, where: float) -> None:
    whole = mixed_warc(gz=kind == "per-record gzip")
    if kind == "whole-file gzip":
        whole = gzip.compress(whole)
    complete = tmp_path / "complete.warc.gz"
    complete.write_bytes(whole)
    all_documents, _, _ = read(complete)

    path = tmp_path / "cut.warc.gz"
    path.write_bytes(whole[: int(len(whole) * where)])
    documents, errors, _ = read(path)
    assert len(errors) == 1, errors
    [error] = errors
    assert error.path == str(path) and error.line is not None
    assert f"cut short or damaged at byte {error.line}" in error.reason
    assert str(error).startswith(f"{path}:{error.line}: ")

    def same(document: Document) -> Document:
        return replace(document, origin=document.origin.rpartition(":")[2])

    assert [same(d) for d in documents] == [same(d) for d in all_documents[: len(documents)]]
    if kind != "whole-file gzip":
        assert error.line < path.stat().st_size
        assert all(int(d.origin.rpartition(":")[2]) < error.line for d in documents)


def test_a_cut_file_does_not_stop_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = mixed_warc(gz=True)
    (tmp_path / "a-cut.warc.gz").write_bytes(whole[: len(whole) * 2 // 3])
    (tmp_path / "b-whole.warc.gz").write_bytes(whole)
    status = main(["code", str(tmp_path), "--db", str(tmp_path / "e.db"), "--no-model"])
    err = capsys.readouterr().err
    assert status == EXIT_SOME_SKIPPED
    assert f"skipped: {tmp_path / 'a-cut.warc.gz'}:" in err and "cut short" in err
    assert "skipped 1" in err


def test_not_a_warc_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_text("These are my notes, not a web archive.\n", encoding="utf-8")
    documents, errors, _ = read(path)
    assert documents == []
    [error] = errors
    assert error.path == str(path) and "byte 0" in error.reason


@pytest.mark.parametrize("whole_file_gzip", [False, True])
def test_a_large_warc_streams_in_flat_memory(tmp_path: Path, whole_file_gzip: bool) -> None:
    """2,000 records, 20 of them pages, 60 MiB uncompressed: memory stays that of a record,
    also when a whole file compressed in one piece (1:400 here) is inflated as a stream."""
    path = tmp_path / "large.warc"
    padding = b"<!-- " + b"x" * 8000 + b" -->"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        for n in range(2000):
            url = f"https://news.example.com/file-{n}.bin"
            if n % 100 == 0:
                _response(writer, url.replace(".bin", ".html"), html_page(n) + padding, "text/html")
            else:
                _response(writer, url, padding * 4, "application/octet-stream")
    size = path.stat().st_size
    if whole_file_gzip:
        packed = tmp_path / "large.warc.gz"
        with path.open("rb") as plain, gzip.open(packed, "wb") as out:
            shutil.copyfileobj(plain, out)
        path.unlink()
        path = packed
    read(path)  # imports and first-use caches (trafilatura, htmldate) are not the stream's

    started = time.perf_counter()
    tracemalloc.start()
    try:
        counts: Counter[str] = Counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedRecords)
            items = read_warc(path, str(path), None, counts=counts)
            found = sum(1 for d in items if isinstance(d, Document))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    assert found == 20 and counts == {NOT_HTML: 1980}
    assert size > 60_000_000
    assert peak < size / 20, (peak, size)
    print(f"\n{size // 2**20} MiB WARC: peak {peak // 1024} KiB traced, {seconds:.2f} s")
    assert seconds < 5, seconds
