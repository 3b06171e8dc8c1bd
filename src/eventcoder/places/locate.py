"""Placing events: for each event, the place its own clause names ("in Kharkiv", "near the
border town of X", "in the Donetsk region"), else the dateline's place, else the article's
main place, else the country of its target or source.

The stage works on spaCy's parse of the document (the offsets of ``Location.text`` are the
parse's, mapped onto the original text with the other offsets by the pipeline), with the
dateline given apart: the parse leaves datelines out, so its place comes in already in the
original text's offsets.

Which place a name stands for (Paris, France or Paris, Texas; Georgia the country or the
state) is read by ``eventcoder.places.reading`` (its ``choose``): the countries of the
event's actors and of the article's other places and countries, a region word after the
name, the main name over an alternate one, then population.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from eventcoder.model import Event, Location
from eventcoder.places.gazetteer import CITY, COUNTRY, Gazetteer, Place
from eventcoder.places.reading import (
    DocumentPlaces,
    Mention,
    PlaceReader,
    TextPlaces,
    choose,
    named_places,
)
from eventcoder.places.syntax import actor_noun, clause_heads, distance_in_clause
from eventcoder.places.words import place_words

if TYPE_CHECKING:
    from spacy.tokens import Doc

# attacks happen where their target is (the target's words may name the place)
TARGET_FIRST_QUAD = 4
MATERIAL_QUADS = frozenset({2, 4})
DATELINE = "dateline"  # Location.why of a dateline's place
NONE = "none"  # Location.precision when no place and no country was found

# (match() anchors these at the dateline's start)
_DATELINE_PLACE = re.compile(
    r"\s*([A-Za-z][A-Za-z.'\u2019 -]*?[A-Za-z.])\s*(?:,|\(|/|\s[-\u2013\u2014]|$)"
)
_DATELINE_REGION = re.compile(r",\s*([A-Z][A-Za-z.'\u2019 -]+?)\s*(?:,|\(|\s[-\u2013\u2014]|$)")


@dataclass(frozen=True)
class Dateline:
    """A dateline's place words, in the original text's offsets, with the region or
    country that may follow ("LAGOS, Nigeria, March 3 -")."""

    text: str
    start: int
    end: int
    region: str | None = None


def dateline_of(text: str, span: tuple[int, int]) -> Dateline | None:
    """The place words of the dateline ``text[span[0]:span[1]]``."""
    start, end = span
    found = _DATELINE_PLACE.match(text, start, end)
    if found is None or not found.group(1).strip():
        return None
    words = found.group(1).strip()
    lead = found.start(1) + (len(found.group(1)) - len(found.group(1).lstrip()))
    region = _DATELINE_REGION.match(text, found.end(1), end)
    return Dateline(words, lead, lead + len(words), region.group(1).strip() if region else None)


class Locator:
    """``Locator(gazetteer).place(doc, events, dateline)``: the events with their places.
    ``reporting_verbs`` (lemmas: say, tell, announce) mark the places of speakers."""

    def __init__(self, gazetteer: Gazetteer, reporting_verbs: frozenset[str] = frozenset()):
        self.gazetteer = gazetteer
        self.reader = PlaceReader(gazetteer, reporting_verbs)
        # what the document being coded says of places: read for its actors
        # (text_places), then again for its events (place), which lets it go
        self._read: tuple[Doc, DocumentPlaces] | None = None

    def place(
        self,
        doc: Doc,
        events: Sequence[Event],
        dateline: Dateline | None = None,
    ) -> list[Event]:
        if not events:
            return list(events)
        actors = [
            (a.country, a.start, a.end)
            for e in events
            for a in (e.source, e.target)
            if a is not None and a.country
        ]
        reading = self._reading(doc)
        self._read = None
        named = reading.named
        mentions = named_places(reading, actors)
        dateline_place = self._dateline_place(dateline)
        main = _main_place(mentions)
        article_country = self._article_country(mentions, named)
        placed = []
        for event in events:
            location = (
                self._in_clause(doc, event, mentions)
                or _attacked_place(event, mentions)
                or _at_dateline(dateline, dateline_place)
                or _actor_place(event, mentions)
                or _in_article(event, main)
                or self._actor_country(event)
                or article_country
                or _nowhere(event)
            )
            placed.append(replace(event, location=location))
        return placed

    def text_places(self, doc: Doc, dateline: Dateline | None = None) -> TextPlaces:
        """The places ``doc`` names, each chosen without the actors' countries (they are
        what these places are asked for)."""
        mentions = [m for m in named_places(self._reading(doc), ()) if m.place.kind != COUNTRY]
        by_noun: dict[int, Mention] = {}
        for mention in mentions:
            noun = actor_noun(doc[mention.root])
            if noun is not None:
                by_noun.setdefault(noun.i, mention)
        counted = [m for m in mentions if not m.speaker]  # not "a researcher in New York said"
        dateline_place = self._dateline_place(dateline)
        if dateline is not None and dateline_place is not None:
            counted.insert(
                0, Mention(dateline.text, dateline.start, dateline.end, dateline_place, True)
            )
        counts = Counter(m.place.country for m in counted)
        ranked: dict[str, Mention] = {}
        for mention in sorted(counted, key=lambda m: -counts[m.place.country]):
            ranked.setdefault(mention.place.country, mention)
        return TextPlaces(by_noun, tuple(ranked.values()))

    # -- the text's places ------------------------------------------------------------

    def _article_country(self, mentions: Sequence[Mention], named: set[str]) -> Location | None:
        """The country the article names most (its places' and its countries' names),
        for events whose actors have none ("Striking bus drivers blocked roads")."""
        counts = Counter(m.place.country for m in mentions if not m.speaker)
        counts.update(named)
        if not counts:
            return None
        code, _ = counts.most_common(1)[0]
        place = self.gazetteer.country(code)
        return _location(place, f"article's country ({code})") if place else None

    def _reading(self, doc: Doc) -> DocumentPlaces:
        if self._read is None or self._read[0] is not doc:
            read = self.reader.read(doc)
            self._read = (doc, read)
            return read
        return self._read[1]

    def _dateline_place(self, dateline: Dateline | None) -> Place | None:
        """The dateline's city, chosen by its own region ("LAGOS, Nigeria") and size: it
        names where the reporter is, so the actors' countries do not choose it ("LIMA,
        Aug 16 - teachers marched to Congress")."""
        if dateline is None:
            return None
        near: frozenset[str] = frozenset()
        if dateline.region:
            country = choose(self.gazetteer.named(dateline.region))
            if country is not None:
                near = frozenset({country.country})
        return choose(self.gazetteer.named(dateline.text), near=near)

    # -- one event ------------------------------------------------------------------

    def _in_clause(self, doc: Doc, event: Event, mentions: Sequence[Mention]) -> Location | None:
        trigger = doc.char_span(
            event.evidence.trigger_start, event.evidence.trigger_end, alignment_mode="expand"
        )
        if trigger is None or len(trigger) == 0:
            return None
        heads = clause_heads(trigger.root)
        found: list[tuple[int, Mention]] = []
        actors = [(a.start, a.end) for a in (event.source, event.target) if a and a.start >= 0]
        for mention in mentions:
            # a destination places material events that are not about its own people
            # ("sent boats to Rio Grande do Sul"), never a statement to a government
            to_place = (
                mention.destination
                and event.quad_class in MATERIAL_QUADS
                and not any(s < mention.end and mention.start < e for s, e in actors)
            )
            if not (mention.locative or to_place) or mention.speaker:
                continue
            # one in another sentence never reaches the clause's head
            if not event.evidence.start <= mention.start < event.evidence.end:
                continue
            root = doc[mention.root]
            distances = [d for h in heads if (d := distance_in_clause(root, h)) is not None]
            if distances:
                found.append((min(distances), mention))
        if not found:
            return None
        mention = _finest(min(found, key=lambda pair: pair[0])[1], [m for _, m in found])
        return _location(mention.place, f"clause: {mention.text!r}", mention)

    def _actor_country(self, event: Event) -> Location | None:
        """The centre of the target's country for attacks, aid and withdrawals (they land
        there: ``target_country_events`` of ``places/data/words.yaml``), of the source's
        for the others, else the other's."""
        actors = [event.source, event.target]
        if _target_first(event):
            actors.reverse()
        for role, actor in zip(_roles(event), actors, strict=True):
            if actor is None or not actor.country:
                continue
            place = self.gazetteer.country(actor.country)
            if place is not None:
                return _location(place, f"{role} country ({actor.country})")
        return None


def _nowhere(event: Event) -> Location:
    actors = [a.code for a in (event.source, event.target) if a is not None]
    known = f" ({', '.join(actors)})" if actors else ""
    return Location(
        name=None,
        country=None,
        lat=None,
        lon=None,
        precision=NONE,
        why=f"no place in the text and no actor with a country{known}",
    )


def _target_first(event: Event) -> bool:
    return event.plover.event.upper() in place_words().target_country_events


def _roles(event: Event) -> tuple[str, str]:
    return ("target", "source") if _target_first(event) else ("source", "target")


def _location(place: Place, why: str, mention: Mention | Dateline | None = None) -> Location:
    return Location(
        name=place.name,
        country=place.country,
        lat=round(place.lat, 5),
        lon=round(place.lon, 5),
        precision=place.kind,
        why=why,
        admin1=place.admin1 if place.kind == CITY else None,
        geonames_id=place.geonames_id,
        text=mention.text if mention else None,
        start=mention.start if mention else -1,
        end=mention.end if mention else -1,
    )


def _attacked_place(event: Event, mentions: Sequence[Mention]) -> Location | None:
    """An attack on a place ("shelled Kharkiv", "struck Ukraine"): material conflict whose
    target's words name a place happens there. (Other actors' words, "Moscow accused
    Washington", are capitals standing for governments, not places.)"""
    target = event.target
    if event.quad_class != TARGET_FIRST_QUAD or target is None or target.start < 0:
        return None
    for mention in mentions:
        if mention.start < target.end and target.start < mention.end:
            return _location(mention.place, f"target's words: {mention.text!r}", mention)
    return None


def _actor_place(event: Event, mentions: Sequence[Mention]) -> Location | None:
    """A place in an actor's own words ("Houston police arrested", "Kharkiv's mayor
    said"): local actors act where they are."""
    for role, actor in (("source", event.source), ("target", event.target)):
        if actor is None or actor.start < 0:
            continue
        for mention in mentions:
            # a part of the actor's words, not all of them ("Tehran warned" is a government)
            inside = actor.start <= mention.start and mention.end <= actor.end
            part = mention.end - mention.start < actor.end - actor.start
            owned = actor.start <= mention.belongs_to < actor.end
            local = (inside and part) or owned
            if local and not mention.locative and mention.place.kind != COUNTRY:
                return _location(mention.place, f"{role}'s words: {mention.text!r}", mention)
    return None


def _at_dateline(dateline: Dateline | None, place: Place | None) -> Location | None:
    """The dateline's place: where the story was written, for the events that say no
    place of their own (as GDELT and the wires take it)."""
    if dateline is None or place is None:
        return None
    return _location(place, DATELINE, dateline)


def _in_article(event: Event, main: Mention | None) -> Location | None:
    """The article's main place, for events of its country: aid, arrests, protests and
    attacks happen on the ground the story is about, and so do the words of the local
    actors there ("the city council agreed to talks"). A national government speaks from
    its capital: its statements take the article's place only when their own sentence
    names it ("Chile's education minister said he would meet them" says nothing of where)."""
    if main is None:
        return None
    source = event.source
    government = (
        source is not None
        and source.sector == "GOV"
        and not place_words().local_government_words & set(source.text.lower().split())
    )
    if (
        government
        and event.quad_class not in MATERIAL_QUADS
        and not (event.evidence.start <= main.start < event.evidence.end)
    ):
        return None
    countries = _event_countries(event)
    if countries and main.place.country not in countries:
        return None
    return _location(main.place, f"article: {main.text!r}", main)


def _event_countries(event: Event) -> set[str]:
    return {a.country for a in (event.source, event.target) if a is not None and a.country}


def _main_place(mentions: Sequence[Mention]) -> Mention | None:
    """The place finer than a country the article names most often after "in", "at",
    "near" (the first of equals); "the training of our military in Poland" makes no
    country the place of every event of the story."""
    located = [m for m in mentions if m.locative and not m.speaker]
    finer = [m for m in located if m.place.kind != COUNTRY]
    if not finer:
        return None
    counts = Counter(m.place.key for m in finer)
    top = max(counts.values())
    return next(m for m in finer if counts[m.place.key] == top)


def _finest(best: Mention, others: Sequence[Mention]) -> Mention:
    """A city of the clause inside its region or country ("near the town of Palma in
    Cabo Delgado province") says more than the region."""
    if best.place.kind == CITY:
        return best
    inside = [
        m
        for m in others
        if m.place.kind != COUNTRY
        and m.place.country == best.place.country
        and (best.place.kind == COUNTRY or m.place.admin1 == best.place.name)
    ]
    # a city first, then a region ("in Niger's Tillaberi region")
    inside.sort(key=lambda m: m.place.kind != CITY)
    return inside[0] if inside else best
