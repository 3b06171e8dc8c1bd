"""What the corpus generator draws from: the actor knowledge base's tables, the packaged
sample articles' sentences and the team-written templates in ``data/templates.tsv``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

from eventcoder.errors import DataError
from eventcoder.ingest import sample_corpus_paths
from eventcoder.ingest.clean import as_read, normalise, split_seed_date
from eventcoder.tsv import tsv_rows

TEMPLATES = Path(__file__).resolve().parent / "data" / "templates.tsv"

# the templates of one kind: their texts and the weights they are drawn with
WeightedTexts = tuple[tuple[str, ...], tuple[float, ...]]


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    adjective: str
    capital: str


@dataclass(frozen=True)
class KbPerson:
    name: str
    surname: str
    country: str
    role: str
    start: date
    end: date


@dataclass(frozen=True)
class Material:
    countries: tuple[Country, ...]
    kb_people: tuple[KbPerson, ...]
    places_by_country: Mapping[str, tuple[str, ...]]
    organisations: tuple[str, ...]
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    town_names: tuple[str, ...]
    sample_sentences: tuple[str, ...]
    templates: Mapping[str, WeightedTexts]


def _kb_rows(table: str) -> Iterator[dict[str, str]]:
    """The rows of one of the actor knowledge base's packaged tables (``actors/data``)."""
    text = resources.files("eventcoder").joinpath("actors", "data", table).read_text("utf-8")
    for _, row in tsv_rows(text, f"actors/data/{table}"):
        yield row


def load_templates(path: Path = TEMPLATES) -> dict[str, WeightedTexts]:
    """The team-written sentence templates by kind, kinds in sorted order."""
    grouped: dict[str, tuple[list[str], list[float]]] = {}
    text = path.read_text(encoding="utf-8")
    for line, row in tsv_rows(text, str(path), ("kind", "weight", "text"), exact=True):
        try:
            weight = float(row["weight"])
        except ValueError:
            weight = -1.0
        if not weight > 0:
            raise DataError(
                f"weight must be a positive number, not {row['weight']!r}", str(path), line
            )
        texts, weights = grouped.setdefault(row["kind"], ([], []))
        texts.append(row["text"])
        weights.append(weight)
    return {k: (tuple(v[0]), tuple(v[1])) for k, v in sorted(grouped.items())}


def _first(cell: str) -> str:
    return cell.split("|")[0].strip()


_NAME_TOKEN = re.compile(r"^[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?$")
_FULL_STOPS = (".", "!", "?", ".”", "!”", "?”")
_SENTENCE_END = re.compile(r"(?<=[.!?”])\s+(?=[“\"A-Z])")


def _split_sentences(text: str) -> list[str]:
    out: list[str] = []
    for para in text.split("\n"):
        for sentence in _SENTENCE_END.split(para.strip()):
            if 8 <= len(sentence.split()) <= 60 and sentence.endswith(_FULL_STOPS):
                out.append(sentence)
    return out


@lru_cache(maxsize=1)
def load_material() -> Material:
    """The generator's material: KB tables, sample articles, team-written templates."""
    # McCabe 16: one flat pass per table, each with its own row filter; split, it reads worse
    countries: list[Country] = []
    for row in _kb_rows("countries.tsv"):
        if row["valid_to"] or not row["capitals"] or not row["adjectives"]:
            continue
        name = row["name"]
        aliases = [a.strip() for a in row["aliases"].split("|")]
        if f"the {name}" in aliases:
            name = f"the {name}"
        countries.append(
            Country(row["code"], name, _first(row["adjectives"]), _first(row["capitals"]))
        )
    known = {c.code for c in countries}

    people: list[KbPerson] = []
    first_names: set[str] = set()
    surnames: set[str] = set()
    for row in _kb_rows("people.tsv"):
        tokens = row["name"].split()
        if len(tokens) >= 2 and _NAME_TOKEN.match(tokens[0]):
            first_names.add(tokens[0])
        if len(tokens) >= 2 and _NAME_TOKEN.match(tokens[-1]):
            surnames.add(tokens[-1])
        if row["country"] not in known or not row["start"] or len(tokens) < 2:
            continue
        start = date.fromisoformat(row["start"])
        end = date.fromisoformat(row["end"]) if row["end"] else start + timedelta(days=4 * 365)
        end = min(end, start + timedelta(days=6 * 365), date(2025, 12, 31))
        if start.year < 1995 or end <= start:
            continue
        people.append(KbPerson(row["name"], tokens[-1], row["country"], row["role"], start, end))

    places: dict[str, list[str]] = {}
    town_names: set[str] = set()
    for row in _kb_rows("places.tsv"):
        places.setdefault(row["country"], []).append(row["name"])
        if _NAME_TOKEN.match(row["name"]):
            town_names.add(row["name"])
    for country in countries:
        if _NAME_TOKEN.match(country.capital):
            town_names.add(country.capital)

    organisations = tuple(row["name"] for row in _kb_rows("organisations.tsv") if row["name"])

    sentences: list[str] = []
    for path in sample_corpus_paths():
        raw = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            texts = [json.loads(line)["text"] for line in raw.splitlines() if line.strip()]
        else:
            texts = [split_seed_date(raw)[1]]
        for text in texts:
            sentences.extend(_split_sentences(normalise(as_read(text)).text))

    return Material(
        countries=tuple(countries),
        kb_people=tuple(people),
        places_by_country={k: tuple(v) for k, v in sorted(places.items())},
        organisations=organisations,
        first_names=tuple(sorted(first_names)),
        surnames=tuple(sorted(surnames)),
        town_names=tuple(sorted(town_names)),
        sample_sentences=tuple(sentences),
        templates=load_templates(),
    )
