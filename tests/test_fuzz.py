"""A fuzz run (issue 11): over 10,000 generated documents through ``eventcoder code`` at once.

The documents are made from a seeded ``random.Random``, so every run codes the same
corpus: news-like sentences assembled from actors, verbs and places, random Unicode junk,
near-empty texts, very long lines and dates across the whole valid range, mixed with bad
records (impossible and out-of-range dates, no text, broken JSON, values of the wrong
type) in JSONL, CSV and ``.txt`` files. The run must raise nothing, store every good
document (checked by id), report every bad one with its file and line, and leave a store
that ``eventcoder events`` reads in every format.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from eventcoder.ingest.clean import latest_document_date
from test_odd_inputs import CODE_OPTIONS, check_readers, run_cli, short, stored_documents

SEED = 20240304
JSONL_FILES = 3
JSONL_RECORDS = 3_000  # per file
CSV_RECORDS = 1_400
TXT_FILES = 120
LATEST = latest_document_date()
FIRST = date(1800, 1, 1)

ACTORS = [
    "Russia",
    "Ukraine",
    "Poland",
    "The European Union",
    "NATO",
    "President Volodymyr Zelenskyy",
    "Polish President Andrzej Duda",
    "Russian forces",
    "The Ukrainian army",
    "Protesters",
    "Turkey",
    "The United Nations",
    "German Chancellor Olaf Scholz",
    "Chinese officials",
    "The minister",
    "Hamas",
    "Israel",
    "Police",
]
VERBS = [
    "met",
    "attacked",
    "condemned",
    "praised",
    "shelled",
    "accused",
    "signed an agreement with",
    "sent aid to",
    "threatened",
    "will visit",
    "did not meet",
    "called on",
    "urged",
    "rejected talks with",
]
PLACES = ["in Kyiv", "in Warsaw", "near Kharkiv", "in Brussels", "in Gaza", "", "", "on Monday"]
JUNK = (
    "\x01\x0b\x0c\x1b\x7f\x85\r\t\u00a0\u00ad\u200b\u200d\u200e\u200f\u202e\u2028\u2029"
    "\u2066\ufeff\ufffd\U0010ffff\u0301😀👨‍👩‍👧🇺🇦漢字ئۇאב’“”«»…"
)


def sentence(rng: random.Random) -> str:
    source, target = rng.sample(ACTORS, 2)
    return f"{source} {rng.choice(VERBS)} {target} {rng.choice(PLACES)}".rstrip() + "."


def junk(rng: random.Random, n: int, *, escapable: bool = False) -> str:
    """``n`` odd characters: from the list above or any code point (no surrogates or
    NUL unless ``escapable``: JSON escapes them)."""
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            out.append(rng.choice(JUNK))
            continue
        code = rng.randrange(0x110000)
        if not escapable and (0xD800 <= code <= 0xDFFF or code == 0):
            code = 0xFFFD
        out.append(chr(code))
    return "".join(out)


def good_text(rng: random.Random, *, escapable: bool = False) -> str:
    kind = rng.random()
    if kind < 0.6:
        return " ".join(sentence(rng) for _ in range(rng.randint(1, 2)))
    if kind < 0.8:
        return junk(rng, 3, escapable=escapable) + sentence(rng) + junk(rng, 3, escapable=escapable)
    if kind < 0.9:
        return "x" + junk(rng, rng.randint(1, 30), escapable=escapable)  # Unicode junk
    if kind < 0.97:
        return rng.choice([".", "-", "…", "a", "😀", " \u200b!"])  # next to empty
    return (sentence(rng) + " ") * rng.randint(10, 40)  # a very long line


def good_date(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice([FIRST, LATEST, date(2024, 2, 29), date(1900, 1, 1)]).isoformat()
    day = FIRST + timedelta(days=rng.randrange((LATEST - FIRST).days + 1))
    return day.isoformat() + rng.choice(["", "", "", "T12:00:00", "T23:59:59+14:00"])


BAD_DATES = [
    "9999-12-31",
    "0001-01-01",
    "1799-12-31",
    # two days out, not one: the coder reads the calendar again, and a run may cross midnight
    (LATEST + timedelta(days=2)).isoformat(),
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "24-01-01",
    "01/02/2024",
    "tomorrow",
    "2024-01-01T99:00",
]


@dataclass
class Corpus:
    paths: list[str] = field(default_factory=list)
    good: set[str] = field(default_factory=set)
    bad: set[str] = field(default_factory=set)  # "file:line" or "file"

    @property
    def documents(self) -> int:
        return len(self.good) + len(self.bad)


def bad_record(rng: random.Random, doc_id: str) -> dict[str, Any] | str:
    """A JSON object that must be refused, or a line that is no JSON object at all."""
    kind = rng.randrange(9)
    text = sentence(rng)
    if kind == 0:
        return {"id": doc_id, "date": rng.choice(BAD_DATES), "text": text}
    if kind == 1:
        return {"id": doc_id, "date": good_date(rng)}  # no text
    if kind == 2:
        # nothing visible: no text at all
        blank = rng.choice(["", " \n\t", None, "\u200b", "\x01\ufeff", "\u2028\u00ad"])
        return {"id": doc_id, "date": good_date(rng), "text": blank}
    if kind == 3:
        return {"id": doc_id, "date": good_date(rng), "text": rng.choice([1, [text], {"t": 1}])}
    if kind == 4:
        return {
            "id": rng.choice([[doc_id], {"id": 1}, 1.5, True]),
            "date": "2024-01-02",
            "text": text,
        }
    if kind == 5:
        return {"id": doc_id, "date": rng.choice([20240102, None, ["2024-01-02"]]), "text": text}
    if kind == 6:
        name = rng.choice(["title", "url", "source"])
        return {"id": doc_id, "date": good_date(rng), "text": text, name: rng.choice([1, [], {}])}
    if kind == 7:
        return rng.choice(["[1, 2]", "null", '"text"', "42", "true"])
    line = json.dumps({"id": doc_id, "date": "2024-01-02", "text": text})
    return line[: rng.randrange(1, len(line))]  # broken JSON


def write_jsonl(path: Path, rng: random.Random, corpus: Corpus, first_id: int) -> None:
    lines: list[str] = []
    for i in range(JSONL_RECORDS):
        doc_id = f"f{first_id + i}"
        where = f"{path}:{len(lines) + 1}"
        if rng.random() < 0.22:
            record = bad_record(rng, doc_id)
            lines.append(record if isinstance(record, str) else json.dumps(record))
            corpus.bad.add(where)
        else:
            obj: dict[str, Any] = {"id": doc_id, "date": good_date(rng)}
            obj["text"] = good_text(rng, escapable=True)
            if rng.random() < 0.3:
                obj["title"] = junk(rng, 5, escapable=True)
                obj["url"] = "https://example.org/" + junk(rng, 5)
                obj["source"] = rng.choice(["Reuters", "", " AP ", junk(rng, 3)])
            if rng.random() < 0.1:
                obj[rng.choice(["extra", "ID", "Text", "😀"])] = rng.choice([None, 1, [{}], "x"])
            line = json.dumps(obj, ensure_ascii=False)
            if rng.random() < 0.5 or re.search("[\ud800-\udfff]", line):
                line = json.dumps(obj)  # UTF-8 cannot carry a lone surrogate: escape it
            lines.append(line)
            corpus.good.add(doc_id)
        if rng.random() < 0.02:
            lines.append(rng.choice(["", "  ", "\t"]))  # blank lines are no records
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus.paths.append(str(path))


def write_csv(path: Path, rng: random.Random, corpus: Corpus, first_id: int) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id", "date", "text", "title", "source"])
    for i in range(CSV_RECORDS):
        doc_id = f"f{first_id + i}"
        line = len(re.findall("\r\n|\r|\n", buffer.getvalue())) + 1
        text = good_text(rng)
        if rng.random() < 0.3:
            text = text + "\n\n" + sentence(rng)  # a quoted field over several lines
        if rng.random() < 0.2:
            kind = rng.randrange(3)
            if kind == 0:
                row = [doc_id, rng.choice(BAD_DATES), text, "", ""]
            elif kind == 1:
                row = [doc_id, good_date(rng), rng.choice(["", "  ", "\u200b\x7f"]), "t", ""]
            else:
                row = [doc_id, good_date(rng), text, "", "", "one cell too many"]
            corpus.bad.add(f"{path}:{line}")
        else:
            row = [doc_id, good_date(rng), text, junk(rng, 4), rng.choice(["", "AFP"])]
            corpus.good.add(doc_id)
        writer.writerow(row)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    corpus.paths.append(str(path))


def write_txt(folder: Path, rng: random.Random, corpus: Corpus) -> None:
    folder.mkdir()
    for i in range(TXT_FILES):
        path = folder / f"t{i}.txt"
        text = good_text(rng)
        kind = rng.random()
        if kind < 0.7:
            path.write_text(f"date {good_date(rng)[:10]}\n\n{text}", encoding="utf-8")
            corpus.good.add(f"t{i}")
        elif kind < 0.85:
            path.write_text(f"date {rng.choice(BAD_DATES[:7])}\n{text}", encoding="utf-8")
            corpus.bad.add(f"{path}:1")
        else:
            path.write_text(text, encoding="utf-8")  # no date, and none given
            corpus.bad.add(str(path))
        corpus.paths.append(str(path))


def make_corpus(tmp_path: Path) -> Corpus:
    rng = random.Random(SEED)
    corpus = Corpus()
    for n in range(JSONL_FILES):
        write_jsonl(tmp_path / f"fuzz{n}.jsonl", rng, corpus, n * JSONL_RECORDS)
    write_csv(tmp_path / "fuzz.csv", rng, corpus, JSONL_FILES * JSONL_RECORDS)
    write_txt(tmp_path / "txt", rng, corpus)
    return corpus


def skipped_at(err: str) -> list[str]:
    """The "file:line" (or "file") of every record reported as skipped."""
    found = []
    for line in err.splitlines():
        if line.startswith("skipped: "):
            match = re.match(r"skipped: (.*?(?:\.jsonl|\.csv|\.txt)(?::\d+)?): ", line)
            assert match, line
            found.append(match.group(1))
    return found


@pytest.fixture(autouse=True)
def _no_user_kb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENTCODER_KB", raising=False)


@pytest.mark.slow
def test_ten_thousand_generated_documents(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    assert corpus.documents >= 10_000
    db = tmp_path / "events.db"
    run = run_cli(["code", *corpus.paths, "--db", str(db), *CODE_OPTIONS, "--quiet"])
    assert "Traceback" not in run.err
    assert run.status == 1, short(run.err)
    reported = skipped_at(run.err)
    assert len(reported) == len(set(reported)), "a bad record reported twice"
    assert set(reported) == corpus.bad, short(set(reported) ^ corpus.bad)
    stored = stored_documents(db)
    assert len(stored) == len(corpus.good)
    assert set(stored) == corpus.good, short(set(stored) ^ corpus.good)
    check_readers(db, corpus.good)
