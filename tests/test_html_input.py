"""Saved web pages as input: ``eventcoder code page.html``, folders of pages, dates, charsets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from eventcoder.cli import EXIT_OK, EXIT_SOME_SKIPPED, main
from eventcoder.errors import InputError
from eventcoder.ingest import iter_documents
from eventcoder.ingest.html import decode_html, extract_page, page_document, url_date
from eventcoder.model import Document

BODY = (
    "<p>Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy in Kyiv on "
    "Monday to discuss military aid and the reconstruction of the country's power grid.</p>"
    "<p>Russian forces shelled the city of Kharkiv overnight, the regional governor said, "
    "damaging several residential buildings and a school in the north of the city.</p>"
    "<p>The two presidents signed an agreement on the joint production of artillery shells "
    "and said their governments would meet again in Warsaw next month.</p>"
)


def page(
    *,
    meta_date: str | None = "2024-03-04",
    canonical: str | None = "https://news.example.com/world/duda-in-kyiv",
    charset: str = "utf-8",
    body: str = BODY,
) -> str:
    head = [f'<meta charset="{charset}">', "<title>Duda visits Kyiv | Example News</title>"]
    if meta_date:
        head.append(f'<meta property="article:published_time" content="{meta_date}T09:30:00Z">')
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    head.append('<meta property="og:site_name" content="Example News">')
    return (
        '<!DOCTYPE html><html lang="en"><head>' + "".join(head) + "</head><body>"
        '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
        "<article><h1>Duda visits Kyiv</h1>" + body + "</article>"
        '<aside class="related"><h2>Related</h2><ul><li><a href="/x">Another story about '
        "Kyiv and Warsaw</a></li></ul></aside>"
        '<div class="cookie-banner"><p>We use cookies to improve your experience.</p></div>'
        "</body></html>"
    )


def test_code_one_page_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "duda-kyiv.html"
    path.write_text(page(), encoding="utf-8")
    db = tmp_path / "events.db"
    out = tmp_path / "events.jsonl"
    status = main(["code", str(path), "--db", str(db), "--jsonl", str(out)])
    err = capsys.readouterr().err
    assert status == EXIT_OK, err
    assert "coded 1 document" in err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and {r["doc_id"] for r in records} == {"duda-kyiv"}
    assert {r["date"] for r in records} == {"2024-03-04"}

    document = next(d for d in iter_documents([path]) if isinstance(d, Document))
    assert "cookies" not in document.text and "Another story" not in document.text
    assert document.title == "Duda visits Kyiv"
    assert document.url == "https://news.example.com/world/duda-in-kyiv"
    assert document.source == "Example News"
    assert document.origin == str(path)
    for record in records:  # evidence offsets slice the document text
        evidence = record["evidence"]
        assert document.text[evidence["start"] : evidence["end"]] == evidence["sentence"]
        trigger = document.text[evidence["trigger_start"] : evidence["trigger_end"]]
        assert trigger == evidence["trigger"]


def test_a_folder_of_pages(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    (folder / "deeper").mkdir(parents=True)
    (folder / "a.html").write_text(page(), encoding="utf-8")
    (folder / "deeper" / "b.htm").write_text(page(meta_date="2023-05-06"), encoding="utf-8")
    (folder / "notes.md").write_text("not read", encoding="utf-8")
    items = list(iter_documents([folder]))
    assert [(d.doc_id, d.date) for d in items if isinstance(d, Document)] == [
        ("a", date(2024, 3, 4)),
        ("deeper/b", date(2023, 5, 6)),
    ]
    assert all(d.text.count("\n\n") == 2 for d in items if isinstance(d, Document))


def test_the_date_comes_from_metadata_then_the_url_then_the_option(tmp_path: Path) -> None:
    from_meta = extract_page(page(canonical="https://news.example.com/2020/01/02/duda"))
    assert from_meta is not None
    assert (from_meta.published, from_meta.date_from) == (date(2024, 3, 4), "metadata")

    from_url = extract_page(page(meta_date=None, canonical="https://x.example.com/2020/01/02/s"))
    assert from_url is not None
    assert (from_url.published, from_url.date_from) == (date(2020, 1, 2), "url")
    given_url = extract_page(
        page(meta_date=None, canonical=None), url="https://x.example.com/a-20210908"
    )
    assert given_url is not None and given_url.published == date(2021, 9, 8)

    undated = extract_page(page(meta_date=None, canonical=None))
    assert undated is not None and undated.published is None and undated.date_from is None
    document = page_document(undated, doc_id="x", origin="x.html", default_date=date(2022, 2, 2))
    assert document.date == date(2022, 2, 2)
    fallback = page_document(
        undated,
        doc_id="x",
        origin="x.html",
        default_date=date(2022, 2, 2),
        fallback_date=date(2021, 1, 1),
    )
    assert fallback.date == date(2021, 1, 1)
    dated = page_document(from_url, doc_id="x", origin="x.html", default_date=date(2022, 2, 2))
    assert dated.date == date(2020, 1, 2)

    path = tmp_path / "undated.html"
    path.write_text(page(meta_date=None, canonical=None), encoding="utf-8")
    [error] = list(iter_documents([path]))
    assert isinstance(error, InputError)
    assert error.path == str(path) and "--date" in str(error) and str(path) in str(error)
    [item] = list(iter_documents([path], default_date=date(2022, 2, 2)))
    assert isinstance(item, Document) and item.date == date(2022, 2, 2)


def test_no_date_and_no_option_is_a_clear_cli_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "undated.html"
    path.write_text(page(meta_date=None, canonical=None), encoding="utf-8")
    status = main(["code", str(path), "--db", str(tmp_path / "e.db")])
    err = capsys.readouterr().err
    assert status == EXIT_SOME_SKIPPED
    assert f"{path}: no date" in err and "--date YYYY-MM-DD" in err


@pytest.mark.parametrize(
    ("encoding", "declared", "content_type"),
    [
        ("cp1252", "windows-1252", None),
        ("latin-1", "iso-8859-1", None),
        ("cp1252", None, None),  # no declaration: UTF-8 fails, windows-1252 is tried
        ("latin-1", "utf-8", "text/html; charset=ISO-8859-1"),  # the HTTP header wins
        ("utf-8-sig", "iso-8859-1", None),  # a BOM wins over <meta>
    ],
)
def test_charsets(encoding: str, declared: str | None, content_type: str | None) -> None:
    body = "<p>" + "Zürich’s “mayor” met Genève officials in the Älpli café. " * 4 + "</p>"
    if encoding != "cp1252":
        body = body.replace("’", "'").replace("“", '"').replace("”", '"')
    html = page(body=body * 2)
    if declared is None:
        html = html.replace('<meta charset="utf-8">', "")
    else:
        html = html.replace('charset="utf-8"', f'charset="{declared}"')
    data = html.encode(encoding)
    found = extract_page(data, content_type=content_type)
    assert found is not None
    assert "Zürich" in found.text and "Genève" in found.text and "Älpli café" in found.text
    assert decode_html(data, content_type).count("Zürich") == 8


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file"),
        (b"   \n", "empty file"),
        (b"Just some plain text, no markup at all.\n" * 20, "no article text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "no article text"),
        (
            b"<html><head><title>Menu</title></head><body><nav>Home</nav></body></html>",
            "no article",
        ),
    ],
)
def test_not_a_page_is_a_located_error(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    [error] = list(iter_documents([path], default_date=date(2024, 1, 1)))
    assert isinstance(error, InputError)
    assert error.path == str(path) and expected in error.reason


def test_a_bad_page_does_not_stop_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.html").write_text(page(), encoding="utf-8")
    (tmp_path / "b.html").write_bytes(b"")
    status = main(["code", str(tmp_path), "--db", str(tmp_path / "e.db"), "--no-model"])
    err = capsys.readouterr().err
    assert status == EXIT_SOME_SKIPPED
    assert f"skipped: {tmp_path / 'b.html'}: empty file" in err
    assert "coded 1 document" in err


def test_url_date() -> None:
    assert url_date("https://a.example.com/2024/03/17/talks") == date(2024, 3, 17)
    assert url_date("https://a.example.com/world/story-20191105") == date(2019, 11, 5)
    assert url_date("https://a.example.com/2024/13/40/x") is None
    assert url_date("https://a.example.com/story?id=20240101") is None
    assert url_date(None) is None
