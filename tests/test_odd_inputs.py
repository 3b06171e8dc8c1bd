"""Odd and extreme values through every field of every input format, then the store read
back by every reader (issue 11, "never brick a database").

Each example writes generated records as ``.txt`` (with and without the ``date`` prefix),
``.jsonl`` (every field, also of the wrong JSON type, escaped NUL and lone surrogates,
unknown fields), ``.csv`` (quoting, embedded line ends, BOM, missing columns) or standard
input, runs ``eventcoder code`` in this process, and checks that:

- no exception escapes, and the status is 0, or 1 when there were bad records;
- every good record is stored exactly once, with its fields as given;
- every bad record is reported once on standard error with its file and line;
- ``eventcoder events`` reads the store in every format, with and without
  ``--mentions``, and a second ``code`` run on the same database stores nothing new.

Which records are good is decided here from the input contract of the README, not by
asking the readers. The store-level test of odd values is in test_store.py.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from eventcoder.cli import main
from eventcoder.export import FORMATS
from eventcoder.ingest import as_read, clean_text
from eventcoder.ingest.clean import latest_document_date
from eventcoder.model import stable_hash

LATEST = latest_document_date()
FIRST = date(1800, 1, 1)
CODE_OPTIONS = ("--workers", "1", "--model", "sm", "--batch-size", "16")
EXAMPLES = int(os.environ.get("ODD_EXAMPLES", "12"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # a failing example is reported as found: shrinking whole corpora takes minutes
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _no_user_kb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENTCODER_KB", raising=False)


def short(value: Any) -> str:
    """``repr(value)`` with long strings and bytes inside cut to their ends, so that a
    failing example stays readable."""
    text = repr(value)
    return re.sub(r"([^'\"]{40})[^'\"]{200,}([^'\"]{20})", r"\1<...>\2", text)


# -- running the command line in this process -------------------------------------------


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str


def run_cli(argv: Sequence[str], stdin: bytes = b"") -> Run:
    """``eventcoder ARGV`` in this process, with standard streams like those of a pipe:
    stdout strict UTF-8 (a lone surrogate written there is an error, as in a shell),
    stderr with backslash escapes. An exception escaping ``main`` fails the test."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", newline="")
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace")
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    saved = sys.stdin
    sys.stdin = fake_stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(list(argv))
    finally:
        sys.stdin = saved
        out.flush()
        err.flush()
    return Run(status, out_bytes.getvalue().decode("utf-8"), err_bytes.getvalue().decode("utf-8"))


def stored_documents(db: Path) -> dict[str, tuple[Any, ...]]:
    """doc_id -> (date, title, url, source, text) of every stored document."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT doc_id, date, title, url, source, text FROM documents")
        found: dict[str, tuple[Any, ...]] = {}
        for doc_id, *rest in rows:
            assert doc_id not in found, f"document {doc_id!r} stored twice"
            found[doc_id] = tuple(rest)
        return found


def count_mentions(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        (n,) = conn.execute("SELECT count(*) FROM mentions").fetchone()
        return int(n)


def check_readers(db: Path, good_ids: set[str]) -> None:
    """Every ``events`` format, deduplicated events and mentions, reads the store."""
    for mentions in (False, True):
        for fmt in FORMATS:
            argv = ["events", "--db", str(db), "--format", fmt]
            run = run_cli(argv + (["--mentions"] if mentions else []))
            assert run.status == 0, (fmt, mentions, run.err)
            assert "Traceback" not in run.err
            lines = run.out.removesuffix("\n").split("\n") if run.out else []
            if fmt in ("jsonl", "plover"):
                records = [json.loads(line) for line in lines]
                assert {r["doc_id"] for r in records} <= good_ids
                if mentions:
                    assert len(records) == count_mentions(db)
            elif fmt == "csv":
                rows = list(csv.reader(io.StringIO(run.out)))
                assert all(len(row) == len(rows[0]) for row in rows)
            elif fmt == "gdelt":
                assert all(line.count("\t") == lines[0].count("\t") for line in lines)
            else:
                assert len(lines) >= 2  # header and rule


# -- what a run must do -----------------------------------------------------------------


@dataclass(frozen=True)
class Good:
    """A record that must be stored: its id and the fields as they must be read back."""

    def __repr__(self) -> str:
        return short(self.__dict__)

    doc_id: str
    day: date
    text: str  # as given; stored as ``as_read(text)``
    title: str | None = None  # compared when not None
    url: str | None = None
    source: str | None = None


@dataclass
class Expect:
    good: dict[str, Good] = field(default_factory=dict)
    bad: list[tuple[str, int | None]] = field(default_factory=list)  # (file label, line)
    blank: int = 0  # records that are silently skipped (blank CSV rows)

    def add_good(self, good: Good) -> None:
        assert good.doc_id not in self.good, "the generator must make unique ids"
        self.good[good.doc_id] = good


def check_run(
    inputs: Sequence[str], db: Path, expect: Expect, *, default: date | None, stdin: bytes = b""
) -> None:
    """Code ``inputs`` into ``db`` twice and check everything the module docstring says."""
    argv = ["code", *inputs, "--db", str(db), *CODE_OPTIONS]
    if default is not None:
        argv += ["--date", default.isoformat()]
    first = run_cli(argv, stdin)
    assert "Traceback" not in first.err
    assert first.status == (1 if expect.bad else 0), short(first.err)
    skipped = [line for line in first.err.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == len(expect.bad), (short(first.err), short(expect.bad))
    for label, line in expect.bad:
        where = f"skipped: {label}:{line}: " if line is not None else f"skipped: {label}: "
        assert any(s.startswith(where) for s in skipped), (where, first.err)
    assert re.search(rf"\bcoded {len(expect.good)} documents?\b", first.err), short(first.err)

    stored = stored_documents(db) if db.exists() else {}
    assert set(stored) == set(expect.good), first.err
    for doc_id, good in expect.good.items():
        day, title, url, source, text = stored[doc_id]
        assert (day, text) == (good.day.isoformat(), as_read(good.text)), doc_id
        want_title = None if good.title is None else " ".join(clean_text(good.title).split())
        assert title == (want_title or None), doc_id
        assert url == good.url, doc_id
        assert source == good.source, doc_id
    if not db.exists():
        return
    check_readers(db, set(expect.good))

    second = run_cli(argv, stdin)
    assert "Traceback" not in second.err
    assert second.status == first.status, second.err
    assert "coded 0 documents" in second.err, second.err
    if expect.good:
        assert f"{len(expect.good)} already stored" in second.err, second.err
    assert stored_documents(db) == stored
    check_readers(db, set(expect.good))


# -- generated values -------------------------------------------------------------------

# characters that have broken text tools: controls, line and paragraph separators, bidi
# marks and overrides, zero widths, soft hyphen, BOM, combining marks, emoji (with skin
# tone and ZWJ), CJK, Arabic and Hebrew, replacement character, the last code points
TROUBLE = (
    "\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9f\r\t\u00a0\u00ad\u034f\u061c\u200b\u200c"
    "\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2028\u2029\u2060\u2066\u2069"
    "\u3000\ufeff\ufffc\ufffd\uffff\U0010ffff\U000e0001e\u0301\u0308"
    "😀👍🏽👨‍👩‍👧🇺🇦漢字ئۇكرائىنאבג’‘“”«»—–…'\"\\,;|"
)
_odd_char = st.sampled_from(TROUBLE) | st.characters(
    blacklist_categories=["Cs"], blacklist_characters="\x00"
)
ODD = st.text(_odd_char, max_size=40)
SENTENCES = (
    "Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy in Kyiv.",
    "Russian forces shelled the city of Kharkiv on Monday.",
    "The European Union condemned the attack.",
    "Turkey offered to mediate between Russia and Ukraine.",
    "Protesters gathered in Tbilisi.",
    "nothing happened",
)


def odd(*, nul: bool = False, surrogates: bool = False) -> st.SearchStrategy[str]:
    """Odd characters; NUL and lone surrogates too when asked (formats that escape them)."""
    extra = ("\x00" if nul else "") + ("\ud800\udc00\udfff\udbff" if surrogates else "")
    if not extra:
        return ODD
    # st.text leaves surrogates out whatever the alphabet: join the characters instead
    return st.lists(_odd_char | st.sampled_from(extra), max_size=40).map("".join)


@st.composite
def texts(draw: st.DrawFn, *, nul: bool = False, surrogates: bool = False) -> str:
    """A text with something visible in it: a sentence between odd characters, a long
    line, many lines; with NUL characters and lone surrogates when the format can hold
    them (JSON escapes)."""
    junk = odd(nul=nul, surrogates=surrogates)
    body = draw(
        st.sampled_from(SENTENCES)
        | st.integers(1, 2_000).map(lambda n: "Kyiv " * n)  # a very long line
        | st.integers(1, 20_000).map(lambda n: "x" * n)  # one very long word
        | st.lists(st.sampled_from(SENTENCES), min_size=2, max_size=30).map("\n\n".join)
        | st.just("\u05e9\u05dc\u05d5\u05dd \u202eRTL\u202c 😀")
        | st.just("Read also: the first line is never junk")
    )
    return draw(junk) + body + draw(junk)


def blank_text() -> st.SearchStrategy[str]:
    # nothing visible is no text: white space, controls, zero widths, a lone BOM
    return st.sampled_from(
        ["", " ", "\n\r\n", "\t \u3000\u2028\u00a0", "\u0085", "\u200b", "\x01\x7f", "\ufeff\u00ad"]
    )


def good_dates() -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            FIRST.isoformat(),
            LATEST.isoformat(),
            "2024-02-29",
            " 2024-03-04 ",
            "2024-03-04T10:20:30",
            "2024-03-04 10:20:30+02:00",
            "2024-03-04T00:00:00Z",
        ]
    ) | st.dates(FIRST, LATEST).map(date.isoformat)


def day_of(value: str) -> date:
    return date.fromisoformat(value.strip()[:10])


BAD_DATES = [
    "9999-12-31",
    "0001-01-01",
    "1799-12-31",
    # two days out, not one: the coder reads the calendar again, and a run may cross midnight
    (LATEST + timedelta(days=2)).isoformat(),
    "2023-02-29",
    "2024-13-01",
    "2024-1-2",
    "02/01/2024",
    "2024/01/02",
    "yesterday",
    "2024-01-02T25:00",
    "2024-01-02Tjunk",
    "\u0662\u0660\u0662\u0664-\u0660\u0661-\u0660\u0662",  # Arabic-Indic digits
    "+2024-01-02",
    "2024-01-02\x00",  # JSON only: a NUL makes a CSV file binary
    "\ud800",  # JSON only
]
# JSON values of a type no field may have, but wrong for a string field too
WRONG_TYPES: list[Any] = [0, -1, 2.5, float("nan"), True, False, [], ["x"], {}, {"a": {"b": [1]}}]


def rt(value: str) -> str:
    """``value`` as read from JSON: two lone surrogates that make a pair are joined, and
    the reader replaces those left alone with U+FFFD (with a warning)."""
    back: str = json.loads(json.dumps(value))
    return re.sub("[\ud800-\udfff]", "\ufffd", back)


def has_surrogate(obj: Any) -> bool:
    if isinstance(obj, str):
        return re.search("[\ud800-\udfff]", obj) is not None
    if isinstance(obj, dict):
        return any(has_surrogate(k) or has_surrogate(v) for k, v in obj.items())
    if isinstance(obj, list):
        return any(has_surrogate(v) for v in obj)
    return False


CSV_COLUMNS = ("id", "date", "text", "title", "url", "source", "extra")


@dataclass
class Record:
    """One generated JSONL object or CSV row and what must become of it."""

    def __repr__(self) -> str:
        return short(self.__dict__)

    fields: dict[str, Any]
    good: Good | None  # None: the record is bad
    named: bool = True  # False: the reader names it by the hash of its words


def finish(record: Record) -> Good | None:
    """The record's ``Good`` with the id the reader gives an id-less record."""
    good = record.good
    if good is None or record.named:
        return good
    doc_id = stable_hash(clean_text(as_read(good.text)))
    return Good(doc_id, good.day, good.text, good.title, good.url, good.source)


@st.composite
def records(
    draw: st.DrawFn,
    index: int,
    default: date | None,
    *,
    json_types: bool,
    present: Sequence[str] = CSV_COLUMNS,
) -> Record:
    """A record whose fields are each good, absent, empty, odd or bad; of a wrong JSON
    type too when ``json_types`` (JSONL), else strings only (CSV: no NUL, no surrogates).
    Fields not in ``present`` (the columns of a CSV file) are absent."""
    fields: dict[str, Any] = {}
    bad = False
    kinds = ["good", "good", "good", "blank", "absent"] + (["wrong"] if json_types else [])

    def pick(name: str, choices: list[str]) -> str:
        return draw(st.sampled_from(choices)) if name in present else "absent"

    kind = pick("text", kinds)
    text = ""
    if kind == "good":
        text = draw(texts(nul=json_types, surrogates=json_types))
        fields["text"] = text
    elif kind == "blank":
        fields["text"] = draw(blank_text())
        bad = True
    elif kind == "absent":
        if json_types and draw(st.booleans()):
            fields["text"] = None
        bad = True
    else:
        fields["text"] = draw(st.sampled_from(WRONG_TYPES))
        bad = True

    kind = pick("date", ["good", "good", "empty", "bad", *kinds[-1:]])
    day: date | None = default
    if kind == "good":
        value = draw(good_dates())
        fields["date"] = value
        day = day_of(value)
    elif kind == "bad" or (kind == "wrong" and not json_types):
        fields["date"] = draw(st.sampled_from(BAD_DATES if json_types else BAD_DATES[:-2]))
        bad = True
    elif kind == "wrong":
        fields["date"] = draw(st.sampled_from([20240102, *WRONG_TYPES]))
        bad = True
    else:
        choice = (
            "absent"
            if kind == "absent"
            else draw(st.sampled_from(["absent", "", "  "] + ([None] if json_types else [])))
        )
        if choice != "absent":
            fields["date"] = choice
        bad = bad or default is None

    kind = pick("id", ["str", "str", "absent", "blank"] + (["int", "wrong"] if json_types else []))
    doc_id = ""
    if kind == "str":
        odd_id = odd(nul=json_types, surrogates=json_types)
        fields["id"] = f" r{index}-{draw(odd_id | st.integers(1, 5_000).map(lambda n: 'i' * n))}"
        doc_id = rt(fields["id"]).strip()
    elif kind == "int":
        number = draw(st.sampled_from([index, -index - 1, 10**40 + index, 10**4000 + index]))
        fields["id"] = number
        doc_id = str(number)
    elif kind == "blank":
        fields["id"] = draw(st.sampled_from(["", " \t "] + ([None] if json_types else [])))
    elif kind == "wrong":
        # a JSON integer is an id (another test's record may hold 0 or -1: not here)
        fields["id"] = draw(st.sampled_from([v for v in WRONG_TYPES if type(v) is not int]))
        bad = True

    kept: dict[str, str | None] = {}
    for name in ("title", "url", "source"):
        kind = pick(name, ["odd", "absent", "long"] + (["null", "wrong"] if json_types else []))
        kept[name] = None
        if kind == "odd":
            value = draw(
                odd(nul=json_types, surrogates=json_types)
                | texts(nul=json_types, surrogates=json_types)
            )
            fields[name] = value
            kept[name] = rt(value) if name == "title" else rt(value).strip() or None
        elif kind == "long":
            fields[name] = "u" * draw(st.integers(10_000, 100_000))
            kept[name] = fields[name]
        elif kind == "null":
            fields[name] = None
        elif kind == "wrong":
            fields[name] = draw(st.sampled_from(WRONG_TYPES))
            bad = True

    # unknown fields are ignored, whatever they hold
    for _ in range(draw(st.integers(0, 3))):
        name = draw(
            st.sampled_from(
                ["extra", "Text", "ID", "", "😀", "date "] + (["\ud800"] if json_types else [])
            )
        )
        values = ["x" * 1000, "", "\n"] + (
            [None, 1, {"nested": [[[]]]}, *WRONG_TYPES] if json_types else []
        )
        fields[name] = draw(st.sampled_from(values))

    if bad or day is None:
        return Record(fields, None)
    named = doc_id != ""
    if not named:  # named by the hash of its words: make them unique
        fields["text"] = text = f"Record {index}. {text}"
    good = Good(doc_id, day, rt(text), kept["title"], kept["url"], kept["source"])
    return Record(fields, good, named)


def json_line(draw: st.DrawFn, obj: Any) -> str:
    """``obj`` as one JSON line: ASCII escapes (always when it holds a lone surrogate,
    which UTF-8 cannot carry) or raw UTF-8."""
    if not has_surrogate(obj) and draw(st.booleans()):
        return json.dumps(obj, ensure_ascii=False)
    return json.dumps(obj)


BAD_LINES = [
    "{broken json",
    '{"text": "unterminated',
    "[1, 2, 3]",
    "null",
    '"just a string"',
    "42",
    '{"text": "raw \x01 control in a string", "date": "2024-01-02"}',
    '{"text": "a", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"id": ' + "9" * 5_000 + ', "text": "an id of 5000 digits", "date": "2024-01-02"}',
    '{"text": "trailing garbage", "date": "2024-01-02"} x',
    '{"text": "NaN is no date", "date": NaN}',
]
# a byte order mark is skipped at the start of a file, not on a later line
BOM_LINE = "\ufeff" + '{"text": "a BOM that is not at the start", "date": "2024-01-02"}'


@dataclass
class Input:
    """One generated input file (or standard input) and its place in the expectation."""

    def __repr__(self) -> str:
        return short(self.__dict__)

    data: bytes
    records: list[tuple[Record, int]]  # each record and the line it starts on
    broken: list[int]  # lines that are no record at all
    blank: int = 0


@st.composite
def jsonl_inputs(draw: st.DrawFn, start: int, default: date | None) -> Input:
    found = Input(b"", [], [])
    out: list[str] = []
    for i in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["record", "record", "record", "broken", "blank"]))
        if kind == "record":
            record = draw(records(start + i, default, json_types=True))
            out.append(json_line(draw, record.fields))
            found.records.append((record, len(out)))
        elif kind == "broken":
            out.append(draw(st.sampled_from(BAD_LINES + ([BOM_LINE] if out else []))))
            found.broken.append(len(out))
        else:
            out.append(draw(st.sampled_from(["", "   ", "\t", "\r", "\u2028"])))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    text = ending.join(out) + draw(st.sampled_from(["", ending]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    found.data = bom + text.encode("utf-8")
    return found


_LINE_BREAK = re.compile("\r\n|\r|\n")


@st.composite
def csv_inputs(draw: st.DrawFn, start: int, default: date | None) -> Input:
    columns = draw(st.permutations(CSV_COLUMNS))
    columns = [c for c in columns if c == "text" or draw(st.integers(0, 4)) > 0]
    header = [draw(st.sampled_from([c, c.upper(), f" {c} "])) for c in columns]
    terminator = draw(st.sampled_from(["\r\n", "\n"]))
    buffer = io.StringIO()
    # with "\n" line ends Python's writer leaves a lone "\r" unquoted, which every reader
    # takes for a line end: such rows are quoted whole
    quoted = csv.writer(buffer, lineterminator=terminator, quoting=csv.QUOTE_ALL)
    minimal = csv.writer(buffer, lineterminator=terminator, quoting=csv.QUOTE_MINIMAL)
    writer = quoted if draw(st.booleans()) else minimal
    writer.writerow(header)
    found = Input(b"", [], [])
    for i in range(draw(st.integers(0, 8))):
        line = len(_LINE_BREAK.findall(buffer.getvalue())) + 1
        record = draw(records(start + i, default, json_types=False, present=columns))
        row = ["" if record.fields.get(c) is None else str(record.fields.get(c)) for c in columns]
        shape = draw(st.sampled_from(["full", "full", "full", "short", "long"]))
        if shape == "short":  # missing cells at the end read like empty ones
            while row and row[-1] == "":
                row.pop()
        if shape == "long":  # more cells than the header: a bad row
            row = [*row, "one too many"]
            record = Record(record.fields, None)
        (quoted if any("\r" in cell for cell in row) else writer).writerow(row)
        if not any(cell.strip() for cell in row):
            found.blank += 1  # a blank row is skipped silently
            continue
        found.records.append((record, line))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    found.data = bom + buffer.getvalue().encode("utf-8")
    return found


@dataclass
class TxtFile:
    def __repr__(self) -> str:
        return short(self.__dict__)

    name: str
    data: bytes
    good: Good | None
    line: int | None = None  # where a bad file is reported (1: its date prefix)
    warned: bool = False  # undecodable bytes: a warning, and the text is coded


GOOD_PREFIXES = [
    "date 2024-03-04\n",
    "  date 2024-03-04 ",
    "\ufeffdate 2024-03-04\n\n",
    "date 2024-03-04\t",
]
BAD_PREFIXES = [
    "date 2024/03/04 ",
    "date 9999-12-31\n",
    "date 0001-01-01\n",
    "date 2024-02-30\n",
    "date 1799-12-31 ",
]
FILE_NAMES = ["", " space", "-ünï😀", "-\u202eRTL", "-x" * 50]


@st.composite
def txt_files(draw: st.DrawFn, index: int, default: date | None) -> TxtFile:
    """A ``.txt`` article with or without a (good or bad) ``date`` prefix."""
    name = f"t{index}{draw(st.sampled_from(FILE_NAMES))}"
    blank = draw(st.booleans())
    body = draw(blank_text() if blank else texts())
    prefix = draw(st.sampled_from(["", "", *GOOD_PREFIXES, *BAD_PREFIXES]))
    data = prefix.encode("utf-8") + body.encode("utf-8")
    warned = False
    kind = draw(st.sampled_from(["plain", "plain", "bom", "bad byte", "nul"]))
    if kind == "bom":
        data = b"\xef\xbb\xbf" + data
    elif kind == "bad byte" and len(body.encode("utf-8")) >= 40 and not blank:
        data += b"\xff"  # one undecodable byte: replaced, with a warning
        body += "\ufffd"
        warned = True
    elif kind == "nul":
        data += b"\x00"  # a binary file
        return TxtFile(name, data, None)
    if prefix in BAD_PREFIXES:
        return TxtFile(name, data, None, 1)
    if blank:
        return TxtFile(name, data, None)
    day = date(2024, 3, 4) if prefix else default
    if day is None:
        return TxtFile(name, data, None)
    return TxtFile(name, data, Good(name, day, body), warned=warned)


def add_records(expect: Expect, label: str, found: Input) -> None:
    for record, line in found.records:
        good = finish(record)
        if good is None:
            expect.bad.append((label, line))
        else:
            expect.add_good(good)
    expect.bad.extend((label, line) for line in found.broken)


DEFAULTS = st.none() | st.just(date(2024, 5, 6))


def _code_generated_files(
    tmp: Path, data: st.DataObject, default: date | None, suffixes: list[str], inputs: Any
) -> None:
    """One or two files of generated records (``inputs(first_line_id, default)``), coded
    in one run and checked against what the input contract says."""
    expect = Expect()
    paths: list[str] = []
    for n in range(data.draw(st.integers(1, 2))):
        path = tmp / f"news{n}.{data.draw(st.sampled_from(suffixes))}"
        found = data.draw(inputs(100 * n, default))
        path.write_bytes(found.data)
        paths.append(str(path))
        add_records(expect, str(path), found)
    check_run(paths, tmp / "events.db", expect, default=default)


@given(data=st.data(), default=DEFAULTS)
@SETTINGS
def test_every_jsonl_field(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, default: date | None
) -> None:
    tmp = tmp_path_factory.mktemp("jsonl")
    _code_generated_files(tmp, data, default, ["jsonl", "ndjson", "JSONL"], jsonl_inputs)


@given(data=st.data(), default=DEFAULTS)
@SETTINGS
def test_every_csv_field(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, default: date | None
) -> None:
    tmp = tmp_path_factory.mktemp("csv")
    _code_generated_files(tmp, data, default, ["csv"], csv_inputs)


@given(data=st.data(), default=DEFAULTS)
@SETTINGS
def test_txt_files_with_and_without_a_date_prefix(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, default: date | None
) -> None:
    tmp = tmp_path_factory.mktemp("txt")
    expect = Expect()
    paths: list[str] = []
    for n in range(data.draw(st.integers(1, 4))):
        article = data.draw(txt_files(n, default))
        path = tmp / f"{article.name}.txt"
        path.write_bytes(article.data)
        paths.append(str(path))
        if article.good is None:
            expect.bad.append((str(path), article.line))
        else:
            expect.add_good(article.good)
    check_run(paths, tmp / "events.db", expect, default=default)


@pytest.mark.slow
@given(data=st.data(), default=DEFAULTS)
@SETTINGS
def test_standard_input_with_the_other_formats(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, default: date | None
) -> None:
    tmp = tmp_path_factory.mktemp("mixed")
    expect = Expect()
    stdin = data.draw(jsonl_inputs(0, default))
    add_records(expect, "<stdin>", stdin)
    jsonl = data.draw(jsonl_inputs(100, default))
    add_records(expect, str(tmp / "a.jsonl"), jsonl)
    (tmp / "a.jsonl").write_bytes(jsonl.data)
    table = data.draw(csv_inputs(200, default))
    add_records(expect, str(tmp / "b.csv"), table)
    (tmp / "b.csv").write_bytes(table.data)
    article = data.draw(txt_files(300, default))
    (tmp / f"{article.name}.txt").write_bytes(article.data)
    if article.good is None:
        expect.bad.append((str(tmp / f"{article.name}.txt"), article.line))
    else:
        expect.add_good(article.good)
    paths = [str(tmp / "a.jsonl"), "-", str(tmp / "b.csv"), str(tmp / f"{article.name}.txt")]
    check_run(paths, tmp / "events.db", expect, default=default, stdin=stdin.data)


def test_a_csv_file_with_an_undecodable_byte_loses_no_row(tmp_path: Path) -> None:
    # it was "not valid UTF-8; skipping the rest of the file", at line 1, for one byte
    path = tmp_path / "news.csv"
    rows = b"id,date,text\na,2024-01-02,Russia attacked Ukraine.\n"
    path.write_bytes(rows + b"b,2024-01-02,Poland met \xff Germany.\nc,2024-01-03,Turkey.\n")
    expect = Expect()
    expect.add_good(Good("a", date(2024, 1, 2), "Russia attacked Ukraine."))
    expect.add_good(Good("b", date(2024, 1, 2), "Poland met \ufffd Germany."))
    expect.add_good(Good("c", date(2024, 1, 3), "Turkey."))
    check_run([str(path)], tmp_path / "events.db", expect, default=None)
    run = run_cli(["code", str(path), "--no-store", "--jsonl", str(tmp_path / "x.jsonl")])
    assert f"warning: {path}: undecodable bytes on line(s) 3 replaced with U+FFFD" in run.err


def test_lone_surrogates_are_replaced_with_a_warning(tmp_path: Path) -> None:
    # they reached the store and crashed the run (UnicodeEncodeError in stable_hash)
    path = tmp_path / "news.jsonl"
    record = {"id": "a\ud800", "date": "2024-01-02", "text": "Russia attacked \udfff Ukraine."}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    expect = Expect()
    expect.add_good(Good("a\ufffd", date(2024, 1, 2), "Russia attacked \ufffd Ukraine."))
    check_run([str(path)], tmp_path / "events.db", expect, default=None)
    run = run_cli(["events", "--db", str(tmp_path / "events.db"), "--format", "jsonl"])
    assert "\ufffd" in run.out
