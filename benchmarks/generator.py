"""The benchmark corpus: a deterministic stream of synthetic, news-like articles.

250–700 words and 8–25 sentences an article, paragraphs, datelines, quotes, numbers and
dates; political event sentences mixed with economy, weather and background filler. Names
come from the actor knowledge base, sentences from the packaged sample articles and the
team-written templates in ``benchmarks/data/templates.tsv`` (see ``material``); new
people, towns and groups keep appearing as the corpus grows (Pitman–Yor draws, names
invented by a character model trained on the KB names), so the vocabulary grows like that
of real news. A corpus of N articles is the first N articles of any larger corpus with the
same seed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Generic, TypeVar

from benchmarks.material import Country, KbPerson, load_material

DEFAULT_SEED = 20240125

MIN_WORDS = 250
MAX_WORDS = 700
MIN_SENTENCES = 8
MAX_SENTENCES = 25

T = TypeVar("T")


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
class _Person:
    """A person as written: first mention in full, later mentions by surname."""

    full: str
    short: str
    country: str


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

    def __init__(self, gen: CorpusGenerator, day: date, sides: Sequence[tuple[Country, _Person]]):
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
        # McCabe 17: a flat dispatch over the template slot names, one return per slot
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
        self.countries: _Pool[Country] = _Pool(0.3, 4.0)
        self.kb_people: _Pool[KbPerson] = _Pool(0.5, 8.0)
        self.people: _Pool[_Person] = _Pool(0.65, 10.0)
        self.others: _Pool[_Person] = _Pool(0.7, 10.0)
        self.towns: _Pool[str] = _Pool(0.65, 10.0)
        self.groups: _Pool[str] = _Pool(0.6, 5.0)
        self.orgs: _Pool[str] = _Pool(0.4, 8.0)

    # ---------------------------------------------------------------- material
    def pick(self, kind: str) -> str:
        texts, weights = self.material.templates[kind]
        return self.rng.choices(texts, weights)[0]

    def country(self, rng: Random, avoid: Sequence[Country] = ()) -> Country:
        while True:
            found = self.countries.draw(rng, lambda: rng.choice(self.material.countries))
            if found not in avoid:
                return found

    def new_name(self, rng: Random) -> str:
        m = self.material
        surname = self.surname_maker.make(rng) if rng.random() < 0.55 else rng.choice(m.surnames)
        return f"{rng.choice(m.first_names)} {surname}"

    def synthetic_person(self, country: Country, rng: Random) -> _Person:
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

    def group(self, rng: Random, country: Country) -> str:
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

    def _cast(self) -> tuple[date, list[tuple[Country, _Person]]]:
        rng, m = self.rng, self.material
        by_code = {c.code: c for c in m.countries}
        sides: list[tuple[Country, _Person]] = []
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
