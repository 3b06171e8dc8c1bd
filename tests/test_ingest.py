"""Tests for eventcoder.ingest: the text as read, its normalised copy, the seed date prefix
and the readers. The offset map of ``normalise`` is tested in test_offsets.py."""

from __future__ import annotations

import io
import itertools
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from eventcoder.errors import InputError, InputWarning
from eventcoder.ingest import (
    as_read,
    clean_text,
    iter_documents,
    normalise,
    sample_corpus_paths,
    split_seed_date,
)
from eventcoder.ingest.clean import (
    EARLIEST_DOCUMENT_DATE,
    check_document_date,
    latest_document_date,
    parse_day,
)
from eventcoder.ingest.readers import NO_DATE, _jsonl_records
from eventcoder.model import Document, stable_hash

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def split(items: list[Document | InputError]) -> tuple[list[Document], list[InputError]]:
    docs = [item for item in items if isinstance(item, Document)]
    errors = [item for item in items if isinstance(item, InputError)]
    return docs, errors


def read(*paths: str | Path, default_date: date | None = None) -> list[Document | InputError]:
    return list(iter_documents(list(paths), default_date=default_date))


# --------------------------------------------------------------------------- as_read, clean_text
# clean_text(raw) is normalise(as_read(raw)).text: what the coder parses.


@pytest.mark.parametrize(
    "trailer",
    [
        "Read also: Zelenskyy meets Duda",
        "READ ALSO:",
        "Read more: https://example.org/more",
        "Related: Poland sends tanks",
        "Also read - Kyiv under fire",
        "See also:",
        "Subscribe to our newsletter",
        "Follow us on Telegram",
        "Share this article",
    ],
)
def test_trailing_junk_is_cut(trailer: str) -> None:
    raw = f"The ministers met in Warsaw.\n\nThey discussed air defence.\n\n{trailer}\nMore junk"
    assert clean_text(raw) == "The ministers met in Warsaw.\n\nThey discussed air defence."
    assert as_read(raw) == "The ministers met in Warsaw.\n\nThey discussed air defence."


def test_as_read_cuts_the_junk_tail_and_changes_nothing_else() -> None:
    body = "  Russia\u2019s\u00a0troops  withdrew.\r\n\r\n\u200bKyiv said so.\t\r\n"
    raw = f"{body}\r\nRead also: Poland sends tanks\r\nRussia shells Kharkiv\r\n"
    assert as_read(raw) == body.strip()
    assert as_read(as_read(raw)) == as_read(raw)
    assert clean_text(raw) == "Russia's troops withdrew.\n\nKyiv said so."


def test_as_read_keeps_inline_links_that_normalise_drops() -> None:
    body = "\n".join(f"Sentence number {i} of the report." for i in range(40))
    raw = f"Intro line.\n\nRead also: Poland sends tanks to Ukraine\n\n{body}"
    assert as_read(raw) == raw
    assert normalise(raw).text == f"Intro line.\n\n{body}"


def test_as_read_of_blank_is_empty() -> None:
    assert as_read(" \n\u200b\t\r\n ") == ""
    assert as_read("\u200b\nRead also: x") == "\u200b\nRead also: x"  # the first line is kept


def test_junk_marker_needs_content_before_it_and_ordinary_sentences_stay() -> None:
    assert clean_text("Related talks will be held in Geneva.") == (
        "Related talks will be held in Geneva."
    )
    text = "Read more about the talks below.\n\nThe ministers met in Warsaw."
    assert clean_text(text) == text


def test_junk_marker_early_in_a_long_article_is_kept() -> None:
    body = "\n".join(f"Sentence number {i} of the report." for i in range(40))
    raw = "Intro line.\nSee also:\n" + body
    assert clean_text(raw) == raw


def test_inline_read_also_link_is_dropped_but_the_body_stays() -> None:
    body = "\n".join(f"Sentence number {i} of the report." for i in range(40))
    raw = f"Intro line.\n\nRead also: Poland sends tanks to Ukraine\n\n{body}"
    assert clean_text(raw) == f"Intro line.\n\n{body}"


def test_trailer_listing_headlines_is_cut_whole() -> None:
    raw = "Leaders met in Kyiv.\n\nRead also: Poland sends tanks\nRussia shells Kharkiv"
    assert clean_text(raw) == "Leaders met in Kyiv."


def test_whitespace_is_normalised() -> None:
    raw = (
        "  Troops\u00a0withdrew\t\tfrom   the  town.  \r\n"
        "Second line.\u2003 \r\r\n\n\n\nNew para.  "
    )
    assert clean_text(raw) == "Troops withdrew from the town.\nSecond line.\n\nNew para."


def test_invisible_and_control_characters_are_removed() -> None:
    raw = "Kyiv\u200b and\u2060 Warsaw\ufeff signed\x07 a deal.\x0b\u00adDone."
    assert clean_text(raw) == "Kyiv and Warsaw signed a deal.\nDone."


def test_nfc_and_curly_quotes_are_kept() -> None:
    raw = "Kuku\u0142a said \u201cwe will win\u201d at Russia\u2019s border. Cafe\u0301."
    cleaned = clean_text(raw)
    assert "Caf\u00e9." in cleaned
    assert "\u201cwe will win\u201d" in cleaned
    assert '"' not in cleaned


def test_typographic_apostrophes_become_plain_but_single_quotes_stay() -> None:
    raw = (
        "Russia\u2019s troops and Ukraine\u2019s forces\u2019 efforts. "
        "The \u2018bad guys\u2019 left."
    )
    cleaned = clean_text(raw)
    assert "Russia's troops and Ukraine's forces' efforts." in cleaned
    assert "The \u2018bad guys\u2019 left." in cleaned


def test_clean_text_is_idempotent() -> None:
    raw = (FIXTURES / "seed_style.txt").read_text(encoding="utf-8")
    once = clean_text(raw)
    assert clean_text(once) == once


def test_clean_text_of_blank_is_empty() -> None:
    assert clean_text(" \n\u200b\t\r\n ") == ""


# --------------------------------------------------------------------------- seed date


def test_split_seed_date() -> None:
    day, rest = split_seed_date(" date 2024-01-25 On 25 January, ...")
    assert day == date(2024, 1, 25)
    assert rest == " On 25 January, ..."


def test_split_seed_date_after_bom_and_newline() -> None:
    day, rest = split_seed_date("\ufeff\n date 2023-06-30\nRioters set fire to cars.")
    assert day == date(2023, 6, 30)
    assert clean_text(rest) == "Rioters set fire to cars."


@pytest.mark.parametrize(
    "raw", ["Dates are hard.", "date palms grew.", "The date 2024-01-25 was set.", ""]
)
def test_no_seed_date(raw: str) -> None:
    assert split_seed_date(raw) == (None, raw)


@pytest.mark.parametrize(
    "raw", ["date 2024-13-45 text", "date 2024/01/25 text", "date 2023-2-29 x"]
)
def test_invalid_seed_date_raises(raw: str) -> None:
    with pytest.raises(InputError, match="invalid date"):
        split_seed_date(raw)


# --------------------------------------------------------------------------- .txt


def test_txt_seed_format() -> None:
    path = FIXTURES / "seed_style.txt"
    (doc,) = read(path)
    assert isinstance(doc, Document)
    assert doc.doc_id == "seed_style"
    assert doc.date == date(2024, 2, 16)
    assert doc.origin == str(path)
    assert doc.text == (  # as read: CRLF and the blank lines stay, the junk tail goes
        "German Chancellor Olaf Scholz and Ukrainian President Volodymyr Zelenskyy signed a "
        "security agreement in Berlin on Friday.\r\n\r\n\r\n\r\n"
        "Germany pledged new military aid."
    )
    assert doc.title is None


def test_txt_without_date_uses_default_or_fails(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("Police arrested ten protesters in Minsk.", encoding="utf-8")
    (doc,) = read(path, default_date=date(2020, 8, 10))
    assert isinstance(doc, Document) and doc.date == date(2020, 8, 10)
    (err,) = read(path)
    assert isinstance(err, InputError)
    assert err.path == str(path) and "no date" in err.reason and "--date" in err.reason


def test_txt_seed_date_wins_over_default(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("date 2019-10-22 Erdogan met Putin in Sochi.", encoding="utf-8")
    (doc,) = read(path, default_date=date(2000, 1, 1))
    assert isinstance(doc, Document) and doc.date == date(2019, 10, 22)


def test_txt_invalid_seed_date_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("date 2024-13-45 Text.", encoding="utf-8")
    (err,) = read(path, default_date=date(2024, 1, 1))
    assert isinstance(err, InputError)
    assert (err.path, err.line) == (str(path), 1)
    assert str(err).startswith(f"{path}:1: invalid date")


def test_txt_empty_after_cleaning(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("date 2024-01-01 \u200b\n\n  \t", encoding="utf-8")
    (err,) = read(path)
    assert isinstance(err, InputError) and err.reason == "empty text"


# --------------------------------------------------------------------------- .jsonl


def test_jsonl_good_and_bad_lines() -> None:
    path = FIXTURES / "mixed.jsonl"
    items = read(path)
    outcome = [
        (item.line, item.reason) if isinstance(item, InputError) else item.doc_id for item in items
    ]
    assert outcome[0] == "good-1"
    assert outcome[1][0] == 3 and outcome[1][1].startswith("broken JSON")
    assert outcome[2] == (4, "missing or empty 'text'")
    assert outcome[3] == (5, NO_DATE)
    assert outcome[4] == (6, "expected a JSON object, got an array")
    assert outcome[5][0] == 7 and "invalid date '2024-13-45'" in outcome[5][1]
    assert outcome[6] == stable_hash("Israeli warplanes struck targets in Gaza.")
    assert len(outcome) == 7
    for item in items:
        if isinstance(item, InputError):
            assert item.path == str(path)
            assert str(item).startswith(f"{path}:{item.line}: ")


def test_jsonl_fields_and_unknown_fields_ignored() -> None:
    docs, _ = split(read(FIXTURES / "mixed.jsonl"))
    good = docs[0]
    assert good.date == date(2022, 3, 1)
    assert good.title == "Talks in Geneva"
    assert good.source == "Example Wire"
    assert good.url == "https://example.org/1"
    assert good.origin == f"{FIXTURES / 'mixed.jsonl'}:1"
    assert good.text == (
        "French President Emmanuel Macron met German Chancellor Olaf Scholz in Paris on Tuesday."
    )
    assert not hasattr(good, "lang")


def test_jsonl_iso_datetime_takes_date_part() -> None:
    docs, _ = split(read(FIXTURES / "mixed.jsonl"))
    assert docs[-1].date == date(2023, 10, 9)
    assert docs[-1].origin.endswith("mixed.jsonl:8")


def test_jsonl_missing_date_uses_default() -> None:
    docs, errors = split(read(FIXTURES / "mixed.jsonl", default_date=date(2023, 3, 8)))
    by_id = {doc.doc_id: doc for doc in docs}
    assert by_id["no-date"].date == date(2023, 3, 8)
    assert by_id["good-1"].date == date(2022, 3, 1)  # own date wins over the default
    assert all(err.reason != NO_DATE for err in errors)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"id": 1, "date": "2024-01-01", "text": " "}, "missing or empty 'text'"),
        ({"id": 1, "date": "2024-01-01", "text": 5}, "'text' must be a string, got a number"),
        ({"id": [1], "date": "2024-01-01", "text": "x"}, "'id' must be a string, got an array"),
        ({"id": "a", "date": 20240101, "text": "x"}, "'date' must be a string"),
        ({"id": "a", "date": "2024-01-01Tnoon", "text": "x"}, "invalid date"),
        ({"id": "a", "date": "2024-01-01", "text": "x", "title": {}}, "'title' must be a string"),
        ({"id": "a", "date": "2024-01-01", "text": "\u200b\n"}, "empty text"),
    ],
)
def test_jsonl_record_errors(tmp_path: Path, record: dict[str, object], reason: str) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (err,) = read(path)
    assert isinstance(err, InputError)
    assert err.line == 1 and err.reason.startswith(reason)


def test_jsonl_numeric_id_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": 7, "date": "2024-01-01", "text": "A \\u00a0b."}\r\n')
    (doc,) = read(path)
    assert isinstance(doc, Document)
    assert (doc.doc_id, doc.text) == ("7", "A \u00a0b.")


def test_jsonl_is_streamed() -> None:
    line = b'{"id": "x", "date": "2024-01-01", "text": "Kyiv."}\n'
    items = list(itertools.islice(_jsonl_records(itertools.repeat(line), "inf", None), 3))
    assert [item.origin for item in items if isinstance(item, Document)] == [
        "inf:1",
        "inf:2",
        "inf:3",
    ]


def test_stdin_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b'{"id": "s1", "date": "2024-01-01", "text": "Kyiv."}\nnot json\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    doc, err = read("-")
    assert isinstance(doc, Document) and doc.origin == "<stdin>:1"
    assert isinstance(err, InputError) and (err.path, err.line) == ("<stdin>", 2)


# --------------------------------------------------------------------------- .csv


def test_csv_records_and_physical_line_numbers() -> None:
    path = FIXTURES / "articles.csv"
    items = read(path)
    docs, errors = split(items)
    assert [doc.doc_id for doc in docs] == ["c1", "c2"]
    assert docs[0].origin == f"{path}:2"
    assert docs[0].title == "Expulsions" and docs[0].source == "Example Wire"
    assert docs[1].origin == f"{path}:3"
    assert docs[1].text == (
        "Russia launched missiles at Kyiv on Monday.\n\n"
        "Ukrainian President Volodymyr Zelenskyy accused Russia of terror."
    )
    assert [(err.line, err.reason.split(":")[0]) for err in errors] == [
        (6, "invalid date '2022-02-30'"),
        (8, "no date"),
    ]


def test_csv_default_date_and_empty_source(tmp_path: Path) -> None:
    docs, errors = split(read(FIXTURES / "articles.csv", default_date=date(2023, 3, 8)))
    assert len(errors) == 1
    assert docs[-1].doc_id == "c4" and docs[-1].date == date(2023, 3, 8)
    assert docs[-1].source is None


def test_csv_needs_text_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,date,body\n1,2024-01-01,Hello\n", encoding="utf-8")
    (err,) = read(path)
    assert isinstance(err, InputError) and err.line == 1 and "'text' column" in err.reason


def test_csv_empty_file_and_extra_fields(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    (err,) = read(empty)
    assert isinstance(err, InputError) and "header row is required" in err.reason
    extra = tmp_path / "extra.csv"
    extra.write_text("id,date,text\n1,2024-01-01,Kyiv, Warsaw\n2,2024-01-01,Fine\n", "utf-8")
    err, doc = read(extra)
    assert isinstance(err, InputError) and err.line == 2 and "4 fields" in err.reason
    assert isinstance(doc, Document) and doc.doc_id == "2"


# --------------------------------------------------------------------------- paths


def test_directory_with_binary_file(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"date 2024-01-01 \x00\x01\x02binary")
    (tmp_path / "b.txt").write_text("date 2024-01-02 Troops withdrew.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jsonl").write_text(
        '{"id": "j", "date": "2024-01-03", "text": "Leaders met."}\n', encoding="utf-8"
    )
    (tmp_path / "sub" / "z.bin.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "latin1.txt").write_bytes(
        "date 2024-01-04 Caf\u00e9 \u00e9\u00e8".encode("latin-1")
    )
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00\x00")
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("date 2024-01-01 Hidden.", encoding="utf-8")
    items = read(tmp_path)
    docs, errors = split(items)
    assert [doc.doc_id for doc in docs] == ["b", "j"]
    assert sorted((Path(err.path).name, err.reason.split(" ")[0]) for err in errors) == [
        ("latin1.txt", "not"),  # 3 bad bytes in 22: no text
        ("x.txt", "binary"),
        ("z.bin.jsonl", "binary"),
    ]


def test_a_few_bad_bytes_are_replaced_and_the_rest_is_read(tmp_path: Path) -> None:
    good = "date 2024-01-04\nPoland condemned Russia on Monday, officials said.\n"
    (tmp_path / "a.txt").write_bytes(
        good.encode() + b"Spain \xff\xfe praised Ukraine for its courage and resolve.\n"
    )
    (tmp_path / "b.jsonl").write_bytes(
        b'{"id": "j1", "date": "2024-01-03", "text": "Leaders met in Caf\xe9 Rouge."}\n'
        b'{"id": "j2", "date": "2024-01-03", "text": "\xff\xfe\xfd\xfc"}\n'
    )
    with pytest.warns(InputWarning) as caught:
        docs, errors = split(read(tmp_path))
    assert [str(w.message) for w in caught] == [
        f"{tmp_path / 'a.txt'}: undecodable bytes on line(s) 3 replaced with U+FFFD; "
        "the rest is coded",
        f"{tmp_path / 'b.jsonl'}: undecodable bytes on line(s) 1 replaced with U+FFFD; "
        "the rest is coded",
    ]
    texts = {doc.doc_id: doc.text for doc in docs}
    assert "Spain \ufffd\ufffd praised Ukraine" in texts["a"]
    assert texts["j1"] == "Leaders met in Caf\ufffd Rouge."
    assert [(Path(e.path).name, e.line, e.reason) for e in errors] == [
        ("b.jsonl", 2, "not valid UTF-8")
    ]


def test_directory_order_is_deterministic(tmp_path: Path) -> None:
    for name in ["c.txt", "a.txt", "b/d.txt", "b/a.txt", "B.txt"]:
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("date 2024-01-01 Text.", encoding="utf-8")
    first = [item.origin for item in read(tmp_path) if isinstance(item, Document)]
    second = [item.origin for item in read(tmp_path) if isinstance(item, Document)]
    assert first == second
    assert [Path(o).relative_to(tmp_path).as_posix() for o in first] == [
        "B.txt",
        "a.txt",
        "c.txt",
        "b/a.txt",
        "b/d.txt",
    ]


def test_nonexistent_path_is_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    good = tmp_path / "good.txt"
    good.write_text("date 2024-01-01 Leaders met.", encoding="utf-8")
    err, doc = read(missing, good)
    assert isinstance(err, InputError)
    assert err.path == str(missing) and "no such file" in err.reason
    assert isinstance(doc, Document) and doc.doc_id == "good"


def test_explicit_unsupported_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "article.pdf"
    path.write_bytes(b"%PDF-1.4")
    (err,) = read(path)
    assert isinstance(err, InputError) and "unsupported file type '.pdf'" in err.reason


# --------------------------------------------------------------------------- samples


def test_sample_corpus_loads_without_errors() -> None:
    paths = sample_corpus_paths()
    assert [p.name for p in paths] == ["articles.jsonl", "seed_article.txt"]
    docs, errors = split(list(iter_documents(paths)))
    assert errors == []
    assert len(docs) >= 13
    assert len({doc.doc_id for doc in docs}) == len(docs)
    assert all(2019 <= doc.date.year <= 2025 for doc in docs)
    assert all(doc.title and doc.source and doc.url for doc in docs[:-1])
    assert all("Read also" not in doc.text and "Subscribe" not in doc.text for doc in docs)


def test_sample_seed_article() -> None:
    docs, _ = split(list(iter_documents(sample_corpus_paths())))
    seed = docs[-1]
    assert seed.doc_id == "seed_article"
    assert seed.date == date(2024, 1, 25)
    assert seed.text.startswith("On 25 January, Valerii Zaluzhnyi")
    assert seed.text.endswith("air defense capabilities.")
    assert "Wiesław Kukuła" in seed.text and "Russia\u2019s" in seed.text


# --------------------------------------------------------------------------- the date range

OUT_OF_RANGE = ["9999-12-31", "0001-01-01", "2999-01-01", "1066-10-14", "1799-12-31"]


def _range_message(day: str) -> str:
    return f"date {day} is outside 1800-01-01..{latest_document_date().isoformat()}"


def test_the_document_date_range() -> None:
    assert date(1800, 1, 1) == EARLIEST_DOCUMENT_DATE
    assert latest_document_date(date(2026, 12, 4)) == date(2027, 12, 4)
    assert latest_document_date(date(2024, 2, 29)) == date(2025, 2, 28)
    assert check_document_date(EARLIEST_DOCUMENT_DATE) == EARLIEST_DOCUMENT_DATE
    with pytest.raises(InputError, match="is outside 1800-01-01"):
        check_document_date(date.max)
    with pytest.raises(InputError, match="is outside"):
        parse_day("9999-12-31")
    assert parse_day("9999-12-31", document=False) == date.max


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_date_outside_the_range_is_refused_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, day: str
) -> None:
    good = {"id": "ok", "date": "2024-01-02", "text": "Poland met Germany."}
    (tmp_path / "seed.txt").write_text(f"date {day}\nPoland met Germany.\n", encoding="utf-8")
    lines = [json.dumps(good), json.dumps({**good, "id": "far", "date": day})]
    (tmp_path / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    stamp = json.dumps({**good, "id": "stamp", "date": f"{day}T12:00:00Z"})
    (tmp_path / "stamp.jsonl").write_text(stamp + "\n", encoding="utf-8")
    csv_text = f"id,date,text\nok,2024-01-02,Poland met Germany.\nfar,{day},Poland met Germany.\n"
    (tmp_path / "news.csv").write_text(csv_text, encoding="utf-8")
    docs, errors = split(read(tmp_path))
    assert [d.origin for d in docs] == [
        f"{tmp_path / 'news.csv'}:2",
        f"{tmp_path / 'news.jsonl'}:1",
    ]
    message = _range_message(day)
    assert [(e.path, e.line, e.reason) for e in errors] == [
        (str(tmp_path / "news.csv"), 3, message),
        (str(tmp_path / "news.jsonl"), 2, message),
        (str(tmp_path / "seed.txt"), 1, message),
        (str(tmp_path / "stamp.jsonl"), 1, message),
    ]
    assert str(errors[0]) == f"{tmp_path / 'news.csv'}:3: {message}"

    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO("\n".join(lines).encode()), encoding="utf-8")
    )
    docs, errors = split(read("-"))
    assert [d.doc_id for d in docs] == ["ok"]
    assert [(e.path, e.line, e.reason) for e in errors] == [("<stdin>", 2, message)]


def test_a_default_date_outside_the_range_is_refused(tmp_path: Path) -> None:
    """``--date`` is checked by the command line; a default given through the API too."""
    (tmp_path / "undated.txt").write_text("Poland met Germany.", encoding="utf-8")
    (tmp_path / "undated.jsonl").write_text('{"id": "u", "text": "Hi."}\n', encoding="utf-8")
    docs, errors = split(read(tmp_path, default_date=date.max))
    assert not docs
    assert [(e.line, e.reason) for e in errors] == [(1, _range_message("9999-12-31"))] * 2


def test_the_ends_of_the_range_are_accepted(tmp_path: Path) -> None:
    last = latest_document_date().isoformat()
    (tmp_path / "first.txt").write_text("date 1800-01-01 Poland met Germany.", encoding="utf-8")
    (tmp_path / "last.txt").write_text(f"date {last} Poland met Germany.", encoding="utf-8")
    rows = [
        {"id": "a", "date": "1800-01-01", "text": "Hi."},
        {"id": "b", "date": last, "text": "Hi."},
    ]
    (tmp_path / "n.jsonl").write_text("\n".join(map(json.dumps, rows)), encoding="utf-8")
    (tmp_path / "n.csv").write_text(
        f"id,date,text\nc,1800-01-01,Hi.\nd,{last},Hi.\n", encoding="utf-8"
    )
    docs, errors = split(read(tmp_path))
    assert not errors
    assert sorted(d.date.isoformat() for d in docs) == sorted(["1800-01-01", last] * 3)
    docs, errors = split(read(tmp_path / "first.txt", default_date=latest_document_date()))
    assert not errors and docs[0].date == date(1800, 1, 1)


def test_a_jsonl_line_with_nul_bytes_costs_that_line_only() -> None:
    good = json.dumps({"id": "x", "date": "2024-01-02", "text": "Poland met Germany."})
    lines = [
        good.encode(),
        b'{"id": "y", "date": "2024-01-02", "text": "dam\x00aged"}',
        good.replace('"x"', '"z"').encode(),
    ]
    items = list(_jsonl_records(lines, "news.jsonl", None))
    assert [d.doc_id for d in items if isinstance(d, Document)] == ["x", "z"]
    (error,) = [e for e in items if isinstance(e, InputError)]
    assert "news.jsonl:2" in str(error) and "NUL" in str(error)


def test_a_binary_tail_of_a_jsonl_file_stops_it() -> None:
    good = json.dumps({"id": "x", "date": "2024-01-02", "text": "Poland met Germany."})
    lines = [good.encode(), *[b"\x00\x01\x02" for _ in range(20)], good.encode()]
    items = list(_jsonl_records(lines, "news.jsonl", None))
    errors = [e for e in items if isinstance(e, InputError)]
    assert len(errors) == 5 and "skipping the rest of the file" in str(errors[-1])
    assert [d.doc_id for d in items if isinstance(d, Document)] == ["x"]


def test_an_empty_file_or_folder_is_said_not_ignored(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "notes.md").write_text("not an article", encoding="utf-8")
    paths = [tmp_path / "empty.jsonl", tmp_path / "nothing"]
    with pytest.warns(InputWarning) as caught:
        assert list(iter_documents(paths)) == []
    said = [str(w.message) for w in caught]
    assert said[0] == f"{tmp_path / 'empty.jsonl'}: no documents in it (empty)"
    assert said[1].startswith(f"{tmp_path / 'nothing'}: no .txt, .jsonl")
