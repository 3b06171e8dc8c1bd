"""Turn a mention in the parse (a noun phrase, a name, a pronoun) into a coded Actor.

Resolution order, each step recorded in ``Actor.why``:

1. a role stated in the text (apposition, title, "the Polish commander") for a
   person, filled in from the KB where the text leaves a gap;
2. the knowledge base entry for the name, as it stood on the event date
   (a person out of office codes as ELI of their last country);
3. a country word (adjective, name, capital, place) plus a sector agent noun;
4. within the document, a surname or pronoun refers back to a person already named;
5. otherwise ``---`` with the text kept.

``DocumentActors`` is built in layers, one module each: document.py (the document's
entities, paragraphs and quotes), stated_roles.py (steps 1-3: what the words say),
coreference.py (step 4), and this module, which puts the steps in order. Parse-walking
helpers are in spans.py, word lists in words.py (read from actors/data/).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date
from typing import Protocol

from spacy.tokens import Doc, Span, Token

from eventcoder.actors.coreference import Coreference
from eventcoder.actors.document import COUNTRY_KINDS, UNKNOWN, make_code
from eventcoder.actors.kb import Entry, KnowledgeBase
from eventcoder.actors.quotes import quote_speaker
from eventcoder.actors.spans import (
    conjuncts,
    of_object,
    phrase_span,
    refer_back,
    retext,
    span_head,
)
from eventcoder.model import Actor

__all__ = ["DocumentActors", "PlaceCountries", "make_code"]  # make_code: for older importers


class PlaceCountries(Protocol):
    """The countries of the places a text names (``eventcoder.places.reading.TextPlaces``),
    each as (country, why)."""

    def of_noun(self, index: int) -> tuple[str, str] | None: ...

    def most_named(self) -> tuple[str, str] | None: ...


class DocumentActors(Coreference):
    """Actor resolution for one parsed document, with its own memory of who was named.

    ``places``, when given, reads the places of the text the first time an actor with a
    sector but no country needs one (see :meth:`place_country`)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        doc: Doc,
        day: date,
        places: Callable[[], PlaceCountries] | None = None,
    ) -> None:
        super().__init__(kb, doc, day)
        self._mentions: dict[str, Actor | None] = {}
        self._country_ranking: list[str] | None = None
        self._places_reader = places
        self._places: PlaceCountries | None = None
        self._collect_people()

    # -- public ------------------------------------------------------------------
    def resolve(self, token: Token) -> list[Actor]:
        """The actors a mention stands for, one per coordinated conjunct."""
        actors: list[Actor] = []
        for head in conjuncts(token):
            for actor in self._expand(head):
                if all(actor.key != a.key for a in actors):
                    actors.append(actor)
        return actors

    def _expand(self, head: Token) -> list[Actor]:
        """One phrase, several actors: "the Ukrainian and Polish presidents"."""
        for child in head.children:
            if child.dep_ == "appos" and self._is_person_token(child):
                people = [self.resolve_one(c) for c in conjuncts(child)]
                return [p for p in people if p is not None]
        pair = self._named_pair(head)
        if pair:
            return pair
        base = self.resolve_one(head)
        if base is None or head.pos_ not in {"NOUN", "PROPN"}:
            return [base] if base is not None else []
        head_ent = self.entity_at.get(head.i)
        modifiers: list[tuple[Token, Entry]] = []
        seen_ents: set[int] = set()
        for child in head.children:
            if child.dep_ not in {"amod", "compound", "nmod"}:
                continue
            for word in conjuncts(child, adjectives=True):
                ent = self.entity_at.get(word.i)
                if ent is None or ent.start in seen_ents or not ent.ent_id_:
                    continue
                if head_ent is not None and ent.start == head_ent.start:
                    continue
                entry = self._entry_of(ent)
                if entry is not None and (entry.kind in COUNTRY_KINDS or entry.kind == "org"):
                    seen_ents.add(ent.start)
                    modifiers.append((word, entry))
        if len(modifiers) < 2:
            return self._of_each(head, base) or [base]
        out = []
        head_agent = self._agent_in(head)[0]
        head_sector = head_agent.sector if head_agent is not None else base.sector
        for word, entry in modifiers:
            # "Polish and German diplomats", "Israeli and Hezbollah forces"
            spell = entry.spell_on(self.day) or entry.first_spell()
            sector = spell.sector if entry.kind == "org" else head_sector
            out.append(
                self._actor(
                    word,
                    make_code(spell.country, sector),
                    spell.country,
                    sector,
                    entry.name if entry.kind == "org" else None,
                    None,
                    f"one of '{head.text}': {entry.kind} '{word.text}' ({entry.source}); "
                    f"{base.why}",
                )
            )
        return out

    def _of_each(self, head: Token, base: Actor) -> list[Actor]:
        """ "the foreign ministers of Lithuania, Latvia and Estonia", "counterparts from
        Poland and Hungary": one actor per country listed."""
        if head.tag_ not in {"NNS", "NNPS"}:
            return []
        prep = next(
            (c for c in head.children if c.dep_ == "prep" and c.lower_ in {"of", "from"}), None
        )
        if prep is None:
            return []
        obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if obj is None:
            return []
        listed = [(word, entry) for word in conjuncts(obj) if (entry := self._country_entry(word))]
        if len(listed) < 2 or len(listed) != len(conjuncts(obj)):
            return []
        out = []
        for word, entry in listed:
            country = (entry.spell_on(self.day) or entry.first_spell()).country
            words = f"{entry.kind} '{word.text}' ({entry.source})"
            out.append(
                self._actor(
                    word,
                    make_code(country, base.sector),
                    country,
                    base.sector,
                    None,
                    None,
                    f"one of '{head.text}' {prep.text} a list: {words}; "
                    f"sector {base.sector} as '{head.text}'",
                )
            )
        return out

    def resolve_one(self, token: Token) -> Actor | None:
        if token.i not in self._cache:
            # a mention met again while it is being resolved ("dozens of them": "them"
            # looks back at "dozens") stands for nobody
            self._cache[token.i] = None
            self._cache[token.i] = self._resolve(token)
        return self._cache[token.i]

    def countries_by_mentions(self) -> list[str]:
        """Countries named in the document, most mentioned first (ties: first named)."""
        if self._country_ranking is None:
            counts: dict[str, int] = {}
            first: dict[str, int] = {}
            for ent in self.ents:
                entry = self._country_entry(ent[0]) if ent.ent_id_ else None
                if entry is None:
                    continue
                code = (entry.spell_on(self.day) or entry.first_spell()).country
                counts[code] = counts.get(code, 0) + 1
                first.setdefault(code, ent.start)
            self._country_ranking = sorted(counts, key=lambda c: (-counts[c], first[c]))
        return self._country_ranking

    def country_mention(self, country: str) -> Actor | None:
        """The first words in the document that name ``country`` ("Ukraine", "Ukrainian")."""
        if country not in self._mentions:
            self._mentions[country] = None
            for ent in self.ents:
                entry = self._country_entry(ent[0]) if ent.ent_id_ else None
                if entry is None:
                    continue
                if (entry.spell_on(self.day) or entry.first_spell()).country == country:
                    actor = self._entity(ent, entry, ent.root)
                    self._mentions[country] = replace(
                        actor, code=country, country=country, sector=None
                    )
                    break
        return self._mentions[country]

    def place_country(
        self, actor: Actor, *, story: bool, others: Collection[str] = ()
    ) -> tuple[str, str] | None:
        """(country, why) from the place in the actor's own words ("police in Birmingham"),
        else, with ``story``, from the place the story names most unless it is in one of
        the ``others`` (the other side's countries: "Syrskyi visited troops near Pokrovsk"
        leaves the troops' country unsaid); None without places."""
        if self._places_reader is None:
            return None
        if self._places is None:
            self._places = self._places_reader()
        if actor.start >= 0:
            span = self.doc.char_span(actor.start, actor.end, alignment_mode="expand")
            if span is not None:
                found = self._places.of_noun(span.root.i)
                if found is not None:
                    return found
        found = self._places.most_named() if story else None
        return found if found is not None and found[0] not in others else None

    def with_sector(self, actor: Actor, sector: str, why: str) -> Actor:
        """The actor given ``sector`` ("his Jordanian counterpart" of a minister)."""
        return replace(
            actor,
            code=make_code(actor.country, sector),
            sector=sector,
            why=f"{actor.why}; sector {sector} as {why}",
        )

    def with_country(self, actor: Actor, country: str, why: str) -> Actor:
        """The actor placed in ``country`` ("the government" of the country in question)."""
        return replace(
            actor,
            code=make_code(country, actor.sector),
            country=country,
            why=f"{actor.why}; country {country} {why}",
        )

    # -- resolution steps ------------------------------------------------------
    def _resolve(self, token: Token) -> Actor | None:
        lower = token.lower_
        words = self.actor_words
        if token.pos_ == "PRON":
            return self._pronoun(token)
        if lower in words.quantity_nouns or token.pos_ == "NUM":
            inner = of_object(token)
            if inner is not None:
                return self.resolve_one(inner)
        ent = self.entity_at.get(token.i)
        if ent is not None and token.i == span_head(ent).i:
            named = self._named(ent, token)
            if named is not None:
                return named
        if token.pos_ == "PROPN" and ent is None:
            named_one = self._unlisted_name(token)
            if named_one is not None:
                return named_one
        return self._noun_phrase(token)

    def _pronoun(self, token: Token) -> Actor | None:
        lower = token.lower_
        words = self.actor_words
        if lower in words.speaker_pronouns and self.in_quote(token):
            speaker = quote_speaker(self, token, self.resolve_one)
            if speaker is not None:
                return retext(speaker, token, f"speaker of the quote: {speaker.why}")
            return None
        if lower in words.person_pronouns:
            last = self._last_person_before(token)
            if last is not None:
                return retext(last, token, f"pronoun refers to {last.text}: {last.why}")
        if lower in words.group_pronouns and token.dep_ in {"dobj", "pobj", "dative", "iobj"}:
            # "police detained three men and later released them": not the police
            antecedent = self._group_object_before(token)
            if antecedent is not None:
                return retext(
                    antecedent, token, f"pronoun refers to {antecedent.text}: {antecedent.why}"
                )
        elif lower in words.group_pronouns:
            antecedent = self._clause_subject_above(token) or self._previous_group(token)
            if antecedent is not None:
                return retext(
                    antecedent, token, f"pronoun refers to {antecedent.text}: {antecedent.why}"
                )
        if lower in words.thing_pronouns:
            antecedent = self._antecedent(token)
            if antecedent is not None:
                return retext(
                    antecedent, token, f"pronoun refers to {antecedent.text}: {antecedent.why}"
                )
        return None

    def _named(self, ent: Span, token: Token) -> Actor | None:
        if ent.ent_id_:
            entry = self._entry_of(ent)
            if entry is not None:
                if entry.kind == "person":
                    return self._person(ent, entry)
                return self._entity(ent, entry, token)
        if ent.label_ == "PERSON":
            return self._person(ent, self._person_entry_for(ent))
        if ent.label_ in {"ORG", "GPE", "NORP", "FAC"}:
            earlier = self._earlier_person(ent)
            if earlier is not None:
                return refer_back(earlier, ent)
            if ent.label_ == "ORG":
                return self._noun_phrase(token, fallback_text=ent)
        return None

    def _noun_phrase(self, head: Token, fallback_text: Span | None = None) -> Actor | None:
        """A common-noun phrase: sector from the agent noun, country from its modifiers."""
        agent, agent_words = self._agent_in(head)
        owner = next((c for c in head.children if c.dep_ == "poss"), None)
        if agent is None and owner is not None and owner.pos_ in {"NOUN", "PROPN"}:
            # "Emmanuel Macron's pension reform", "the government's tax plan": the owner
            found = self.resolve_one(owner)
            if found is not None:
                return found
        country, country_words = self._country_in(head)
        if country is None and owner is None and fallback_text is None:
            referred = self._definite_antecedent(head, agent_words)
            if referred is not None:
                return referred
        if agent is None and country is None:
            if fallback_text is not None:
                return self._actor(
                    fallback_text, UNKNOWN, None, None, None, None, "organisation unknown to the KB"
                )
            return None
        if agent is None and head.pos_ not in {"NOUN", "PROPN"}:
            return None
        span = phrase_span(head)
        sector = agent.sector if agent else None
        parts = []
        if agent is None and head.tag_ in {"NNPS", "NNS"} and head.ent_type_ == "NORP":
            sector = "CVL"  # "Iraqi Kurds": a people of the country
            parts.append(f"sector CVL: '{head.text}' are a people")
        org = self._org_in(head)
        owner = next((c for c in head.children if c.dep_ == "poss"), None)
        owner_entry = self._country_entry(owner) if owner is not None else None
        if org is not None and owner_entry is None:
            # "the al-Qaeda network", "a Hamas spokesman's group": the organisation's code
            spell = org.spell_on(self.day) or org.first_spell()
            country, sector = spell.country, spell.sector
            parts.append(f"organisation {org.name} ({org.source})")
        elif country_words:
            parts.append(f"country from '{country_words}'")
        if agent is not None:
            parts.append(f"sector {agent.sector} from '{agent_words}' ({agent.source})")
        return self._actor(
            span, make_code(country, sector), country, sector, None, None, "; ".join(parts)
        )
