"""How well ``extract_page`` finds the article in the team's saved news pages.

tests/data/html_pages holds 38 pages of invented news sites in seven shapes, with the
text expected from each (expected.yaml, see its README). A page is *clean* when the
extracted text holds every body paragraph and none of the boilerplate phrases (both
compared with whitespace collapsed). The figures are printed (``pytest -s``) and kept in
docs/input.md; the floors sit a little under what was measured, so that a change that
makes extraction worse fails here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventcoder.ingest.html import Page, extract_page

PAGES = Path(__file__).parent / "data" / "html_pages"
FIELDS = ("title", "date", "url", "site")
# measured 2025 (trafilatura 2.3.1): 38/38 clean, every field 38/38
CLEAN_FLOOR = 0.94
FIELD_FLOOR = 0.94
SHAPE_FLOOR = 0.75


def _collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Score:
    pages: int = 0
    clean: int = 0
    fields: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[str] = field(default_factory=list)


@cache
def expected() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(
        (PAGES / "expected.yaml").read_text(encoding="utf-8")
    )
    return entries


@cache
def scores() -> dict[str, Score]:
    """Scores by shape, and over all pages under ``"all"``."""
    by_shape: dict[str, Score] = defaultdict(Score)
    for entry in expected():
        found = extract_page((PAGES / entry["file"]).read_bytes())
        for key in ("all", entry["shape"]):
            _score(by_shape[key], entry, found)
    return dict(by_shape)


def _score(score: Score, entry: dict[str, Any], found: Page | None) -> None:
    score.pages += 1
    if found is None:
        score.misses.append(f"{entry['file']}: nothing extracted")
        return
    text = _collapse(found.text)
    missing = [p for p in entry["body"] if _collapse(p) not in text]
    kept = [p for p in entry["boilerplate"] if _collapse(p) in text]
    if not missing and not kept:
        score.clean += 1
    for paragraph in missing:
        score.misses.append(f"{entry['file']}: body paragraph missing: {paragraph[:60]}...")
    for phrase in kept:
        score.misses.append(f"{entry['file']}: boilerplate kept: {phrase[:60]}")
    got: dict[str, str | date | None] = {
        "title": found.title,
        "date": found.published,
        "url": found.url,
        "site": found.site,
    }
    for name in FIELDS:
        if got[name] == entry[name]:
            score.fields[name] += 1
        else:
            score.misses.append(f"{entry['file']}: {name} {got[name]!r}, expected {entry[name]!r}")


def report() -> str:
    lines = ["shape               pages  clean  " + "  ".join(f"{f:>5}" for f in FIELDS)]
    for shape, score in sorted(scores().items(), key=lambda kv: (kv[0] == "all", kv[0])):
        shares = "  ".join(f"{score.fields[f] / score.pages:5.2f}" for f in FIELDS)
        lines.append(f"{shape:<18} {score.pages:>6} {score.clean / score.pages:6.2f}  {shares}")
        lines.extend(f"    miss: {m}" for m in score.misses if shape != "all")
    return "\n".join(lines)


def test_every_page_in_expected_yaml_exists() -> None:
    files = {entry["file"] for entry in expected()}
    assert files == {p.name for p in PAGES.glob("*.html")}
    assert len(files) == 38


def test_share_of_clean_pages() -> None:
    print("\n" + report())
    overall = scores()["all"]
    assert overall.clean / overall.pages >= CLEAN_FLOOR, report()


@pytest.mark.parametrize("name", FIELDS)
def test_metadata_accuracy(name: str) -> None:
    overall = scores()["all"]
    assert overall.fields[name] / overall.pages >= FIELD_FLOOR, report()


def test_no_shape_falls_far_behind() -> None:
    for shape, score in scores().items():
        assert score.clean / score.pages >= SHAPE_FLOOR, f"{shape}\n{report()}"


def test_paragraphs_are_separated_by_a_blank_line() -> None:
    entry = expected()[0]
    found = extract_page((PAGES / entry["file"]).read_bytes())
    assert found is not None
    assert [_collapse(p) for p in found.text.split("\n\n")] == [_collapse(p) for p in entry["body"]]
