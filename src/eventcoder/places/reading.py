"""What a document's words say of places, whatever its events: the words that may name
a place, the places each may name, and which one it is in the light of the actors'
countries (:func:`choose`).

``PlaceReader.read(doc)`` reads a parsed document once (``DocumentPlaces``);
``named_places(reading, actors)`` then chooses each name's place for a set of events' actors,
and ``TextPlaces`` gives actors without a country the countries of the places the text
names. ``eventcoder.places.locate`` places the events with them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventcoder.places.gazetteer import ADM1, CITY, COUNTRY, Gazetteer, Place
from eventcoder.places.syntax import (
    bare,
    described_countries,
    destination,
    in_name,
    locative,
    named_countries,
    of_speaker,
    owner,
    place_spans,
    region_cue,
)
from eventcoder.places.words import place_words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


@dataclass(frozen=True)
class Mention:
    """Words of the text that name a place, with the place chosen for them."""

    text: str
    start: int
    end: int
    place: Place
    locative: bool  # after "in", "near", "at", ...
    speaker: bool = False  # where the one who said it is ("officials in Rabat said")
    belongs_to: int = -1  # where the noun it belongs to starts ("residents of Maracaibo")
    destination: bool = False  # after "to": "sent troops to Alice Springs"
    root: int = -1  # the token index of the words' head in the parse


@dataclass(frozen=True)
class PlaceName:
    """Words of the text that may name a place: where they are, the places they may name
    (those in a country their sentence gives a place noun, if any), and what the parse
    says of them (see ``Mention``)."""

    text: str
    start: int
    end: int
    root: int
    candidates: list[tuple[Place, bool]]
    region_cue: bool
    locative: bool
    speaker: bool
    belongs_to: int
    destination: bool


@dataclass(frozen=True)
class DocumentPlaces:
    """What a document's words say of places, whatever its events: its place words, the
    countries it names, and the countries of its unambiguous place names ("Atlanta")."""

    names: list[PlaceName]
    named: set[str]
    unambiguous: set[str]


@dataclass(frozen=True)
class TextPlaces:
    """The places a text names, for actors the knowledge base gives no country: "Police
    in Birmingham", "Alexandria police", "residents of Pacaraima" act in the country of
    their place, and "police" in a story about Port Moresby are Papua New Guinea's.

    ``by_noun`` maps the token index of a noun to the place hung on it; ``ranked`` holds
    one place per country, the most named country first (the dateline counts once)."""

    by_noun: dict[int, Mention]
    ranked: tuple[Mention, ...]

    def of_noun(self, index: int) -> tuple[str, str] | None:
        """(country, why) of the place the words of the noun at ``index`` name."""
        mention = self.by_noun.get(index)
        if mention is None:
            return None
        return mention.place.country, f"of the place in its words {_named(mention)}"

    def most_named(self) -> tuple[str, str] | None:
        """(country, why) of the place the story is about."""
        if not self.ranked:
            return None
        top = self.ranked[0]
        return top.place.country, f"of the place the story names {_named(top)}"


def _named(mention: Mention) -> str:
    place = mention.place
    region = f", {place.admin1}" if place.kind == CITY and place.admin1 else ""
    return f"{mention.text!r} ({place.name}{region}, gazetteer)"


def _score(
    place: Place, main: bool, context: frozenset[str], near: frozenset[str], region_cue: bool
) -> float:
    score = math.log10(place.population + 10) * 0.5
    if place.kind == COUNTRY:
        score += 2.5
    if region_cue:
        score += 4.0 if place.kind == ADM1 else -1.0
    elif place.kind == ADM1:
        score -= 0.5  # a bare name is more often the city than the region it names
    if place.country in near:
        score += 3.5
    elif place.country in context:
        score += 2.0
    if main:
        score += 0.5
    return score


def choose(
    candidates: Sequence[tuple[Place, bool]],
    context: frozenset[str] = frozenset(),
    near: frozenset[str] = frozenset(),
    region_cue: bool = False,
) -> Place | None:
    """The place a name stands for among ``candidates`` (place, is its main name):
    ``near`` are the event's actors' countries, ``context`` the article's."""
    if not candidates:
        return None
    return max(candidates, key=lambda c: _score(c[0], c[1], context, near, region_cue))[0]


class PlaceReader:
    """Reads the places of parsed documents with ``gazetteer``; ``reporting_verbs``
    (lemmas: say, tell) mark the places of speakers."""

    def __init__(self, gazetteer: Gazetteer, reporting_verbs: frozenset[str]) -> None:
        self.gazetteer = gazetteer
        self.reporting_verbs = reporting_verbs

    def read(self, doc: Doc) -> DocumentPlaces:
        """What ``doc``'s words say of places."""
        spans = _qualified(_merged([self._widened(s) for s in place_spans(doc)]))
        unambiguous: set[str] = set()
        for _span, candidates in spans:
            # one country among the candidates of any size ("Ukraine" also names a village)
            largest = max((place.population for place, _main in candidates), default=0)
            countries = {p.country for p, _m in candidates if p.population * 10 >= largest}
            if len(countries) == 1:
                unambiguous |= countries
        described = described_countries(doc)
        names: list[PlaceName] = []
        for span, candidates in spans:
            said = [c for start, end, c in described if start <= span.start < end]
            inside = [(p, m) for p, m in candidates if said and p.country in said[0]]
            noun = owner(span.root)
            names.append(
                PlaceName(
                    span.text,
                    span.start_char,
                    span.end_char,
                    span.root.i,
                    inside or candidates,
                    region_cue(span),
                    locative=locative(span.root),
                    speaker=of_speaker(span.root, self.reporting_verbs),
                    belongs_to=noun.idx if noun is not None else -1,
                    destination=destination(span.root),
                )
            )
        return DocumentPlaces(names, named_countries(doc), unambiguous)

    def _widened(self, span: Span) -> tuple[Span, list[tuple[Place, bool]]]:
        """``span`` with its candidates, or a longer name it starts that the gazetteer
        knows ("Santiago" of "Santiago de Compostela", "San José" of "San José del Cabo")."""
        doc = span.doc
        end = span.end
        while end < len(doc) and end - span.end < 4 and in_name(doc, end):
            end += 1
        for stop in range(end, span.end, -1):
            longer = doc[span.start : stop]
            if longer[-1].pos_ == "PROPN":
                found = self._candidates(longer)
                if found:
                    return longer, found
        return span, self._candidates(span)

    def _candidates(self, span: Span) -> list[tuple[Place, bool]]:
        """The places the words of ``span`` may name; "the Donetsk region" is looked up
        as written, then as "Donetsk"."""
        name = bare(span.text)
        found = self.gazetteer.named(name)
        words = name.split()
        if len(words) > 1 and words[-1].lower() in place_words().region_words:
            found += [
                (p, m) for p, m in self.gazetteer.named(" ".join(words[:-1])) if p.kind != CITY
            ]
        return found


def named_places(reading: DocumentPlaces, actors: Sequence[tuple[str, int, int]]) -> list[Mention]:
    """The places the text names, each with the place chosen for its words: in the
    light of the events' actors' countries (``actors``: country, start, end), then of
    the countries the article names and those its unambiguous places are in ("Atlanta"
    makes "Georgia" the state). An actor whose words are the place's ("Tripoli" taken
    for Libya's government) says nothing of which place it is."""
    article = reading.named | reading.unambiguous
    found: list[Mention] = []
    for words in reading.names:
        near = frozenset(
            country
            for country, start, end in actors
            if not (start < words.end and words.start < end)
        )
        context = frozenset(article | near)
        place = choose(words.candidates, context, near, words.region_cue)
        if place is not None:
            found.append(
                Mention(
                    words.text,
                    words.start,
                    words.end,
                    place,
                    locative=words.locative,
                    speaker=words.speaker,
                    belongs_to=words.belongs_to,
                    destination=words.destination,
                    root=words.root,
                )
            )
    return found


def _merged(
    spans: list[tuple[Span, list[tuple[Place, bool]]]],
) -> list[tuple[Span, list[tuple[Place, bool]]]]:
    """``spans`` without those inside a longer one before them (a widened name may reach
    over the next span: "Santiago" + "de Compostela")."""
    kept: list[tuple[Span, list[tuple[Place, bool]]]] = []
    for span, candidates in spans:
        if kept and span.start < kept[-1][0].end:
            continue
        kept.append((span, candidates))
    return kept


def _qualified(
    spans: list[tuple[Span, list[tuple[Place, bool]]]],
) -> list[tuple[Span, list[tuple[Place, bool]]]]:
    """ "Paris, Texas", "Lagos, Nigeria": a place followed by a comma and a region or
    country keeps only the candidates in it."""
    kept = list(spans)
    for index in range(len(spans) - 1):
        (span, candidates), (after, qualifiers) = spans[index], spans[index + 1]
        # only a comma between them (``Doc.text`` would join the whole text each time)
        if after.start != span.end + 1 or span.doc[span.end].text != ",":
            continue
        wider = [(p, m) for p, m in qualifiers if p.kind in (ADM1, COUNTRY)]
        qualifier = choose(wider)
        if qualifier is None:
            continue
        inside = [
            (p, m)
            for p, m in candidates
            if p.country == qualifier.country
            and (qualifier.kind == COUNTRY or p.admin1 == qualifier.name)
            and p.kind != qualifier.kind
        ]
        if inside:
            kept[index] = (span, inside)
    return kept
