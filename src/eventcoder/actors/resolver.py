"""Turn a mention in the parse (a noun phrase, a name, a pronoun) into a coded Actor.

Resolution order, each step recorded in ``Actor.why``:

1. a role stated in the text (apposition, title, "the Polish commander") for a
   person, filled in from the KB where the text leaves a gap;
2. the knowledge base entry for the name, as it stood on the event date
   (a person out of office codes as ELI of their last country);
3. a country word (adjective, name, capital, place) plus a sector agent noun;
4. within the document, a surname or pronoun refers back to a person already named;
5. otherwise ``---`` with the text kept.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from eventcoder.actors.kb import Entry, KnowledgeBase, Spell, normalise_name
from eventcoder.model import Actor

UNKNOWN = "---"

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "himself": "m"} | {
    "she": "f",
    "her": "f",
    "hers": "f",
    "herself": "f",
}
SPEAKER_PRONOUNS = frozenset({"i", "me", "my", "we", "us", "our"})
THING_PRONOUNS = frozenset({"it", "its", "itself"})
GROUP_PRONOUNS = frozenset({"they", "them", "their", "themselves"})
FORMER_WORDS = frozenset({"former", "ex", "ousted", "deposed", "toppled", "overthrown"})
QUANTITY_NOUNS = frozenset(
    {
        "million",
        "thousand",
        "hundred",
        "dozen",
        "dozens",
        "hundreds",
        "thousands",
        "millions",
        "group",
        "number",
        "team",
        "unit",
        "delegation",
        "band",
        "crowd",
        "contingent",
        "member",
        "members",
        "majority",
        "some",
        "many",
        "most",
        "all",
        "several",
        "one",
        "two",
        "three",
        "four",
        "five",
        "part",
        "rest",
        "body",
        "coalition",
    }
)
REPORTING_VERBS = frozenset(
    {
        "say",
        "note",
        "add",
        "tell",
        "write",
        "state",
        "declare",
        "announce",
        "stress",
        "report",
        "post",
        "tweet",
        "explain",
        "emphasise",
        "emphasize",
        "insist",
        "claim",
        "comment",
        "remark",
        "recall",
        "conclude",
    }
)
COUNTRY_KINDS = frozenset({"country", "adjective", "capital", "metonym", "place"})
_TITLE_DEPS = frozenset({"compound", "amod", "nmod", "poss"})
_LOCATION_PREPS = frozenset({"of", "in", "from", "for"})


@dataclass(frozen=True)
class CoreferenceWords:
    """Nouns that refer back to an actor named before (``actors/data/coreference.yaml``)."""

    person_roles: frozenset[str]
    countries: frozenset[str]
    organisations: frozenset[str]
    described_organisations: frozenset[str]
    feminine: frozenset[str]
    masculine: frozenset[str]


@lru_cache(maxsize=1)
def coreference_words() -> CoreferenceWords:
    text = (resources.files("eventcoder.actors") / "data" / "coreference.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return CoreferenceWords(
        person_roles=frozenset(normalise_name(w) for w in data["person_role_nouns"]),
        countries=frozenset(data["country_nouns"]),
        organisations=frozenset(data["organisation_nouns"]),
        described_organisations=frozenset(data["described_organisation_nouns"]),
        feminine=frozenset(data["feminine_words"]),
        masculine=frozenset(data["masculine_words"]),
    )


# the "clause" of a token: its nearest verb; people there are the other arguments
_VERB_POS = frozenset({"VERB", "AUX"})
# how far back a subject stays the centre of attention for "he" / "she"
_SALIENCE_SENTENCES = 4


@dataclass(frozen=True)
class Role:
    """What the words of a title or apposition say about a person."""

    country: str | None
    sector: str | None
    words: str


def make_code(country: str | None, sector: str | None) -> str:
    if country is None:
        return UNKNOWN + (sector or "")
    if sector == country:  # an NGO is "NGO", not "NGONGO"
        return country
    return country + (sector or "")


class DocumentActors:
    """Actor resolution for one parsed document, with its own memory of who was named."""

    def __init__(self, kb: KnowledgeBase, doc: Any, day: date) -> None:
        self.kb = kb
        self.doc = doc
        self.day = day
        # doc.ents builds new spans on every call, so read it once per document
        self.ents: list[Any] = list(doc.ents)
        self._ent_starts = [ent.start for ent in self.ents]
        self.entity_at: dict[int, Any] = {}
        for ent in self.ents:
            for i in range(ent.start, ent.end):
                self.entity_at[i] = ent
        self._mentions: dict[str, Actor | None] = {}
        self._cache: dict[int, Actor | None] = {}
        self._people: list[tuple[int, Actor]] = []
        self._subject_people: set[int] = set()  # starts of people named as a subject
        self._genders: dict[str, str] | None = None  # person identity -> "f" | "m", from words
        self._words = coreference_words()
        self._quote_depth = _quote_depths(doc)
        self._country_ranking: list[str] | None = None
        self._paragraph_starts: list[int] | None = None
        self._collect_people()

    # -- public ------------------------------------------------------------------
    def resolve(self, token: Any) -> list[Actor]:
        """The actors a mention stands for, one per coordinated conjunct."""
        actors: list[Actor] = []
        for head in conjuncts(token):
            for actor in self._expand(head):
                if all(actor.key != a.key for a in actors):
                    actors.append(actor)
        return actors

    def _expand(self, head: Any) -> list[Actor]:
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
        modifiers: list[tuple[Any, Entry]] = []
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

    def _of_each(self, head: Any, base: Actor) -> list[Actor]:
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

    def _named_pair(self, head: Any) -> list[Actor]:
        """ "The two generals", "both leaders", "the two agreed": the last two people
        named before."""
        alone = (
            head.lower_ in {"two", "both"}
            and head.dep_ in {"nsubj", "nsubjpass"}
            and (head.lower_ == "both" or any(c.lower_ == "the" for c in head.children))
            and not any(c.dep_ == "prep" for c in head.children)  # "two of the soldiers"
        )
        if not alone:
            if head.tag_ != "NNS" or self.kb.agent(head.lemma_) is None:
                return []
            if not any(c.lower_ in {"two", "both"} for c in head.children):
                return []
            if self._country_in(head)[0] is not None:
                return []
        seen: dict[str, Actor] = {}
        for i, actor in reversed(self._people):
            if i < head.i and actor.country and actor.identity not in seen:
                seen[actor.identity] = actor
            if len(seen) == 2:
                break
        if len(seen) < 2:
            return []
        return [
            _retext(a, head, f"one of '{head.text}' named before: {a.text}; {a.why}")
            for a in reversed(list(seen.values()))
        ]

    def _country_entry(self, token: Any) -> Entry | None:
        ent = self.entity_at.get(token.i)
        if ent is None or not ent.ent_id_ or _allegiance(ent):
            return None
        entry = self._entry_of(ent)
        if entry is None or entry.kind not in COUNTRY_KINDS:
            return None
        return entry

    def resolve_one(self, token: Any) -> Actor | None:
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

    def paragraph_of(self, i: int) -> tuple[int, int]:
        """The token span of the paragraph (text between blank lines) that holds token ``i``."""
        if self._paragraph_starts is None:
            self._paragraph_starts = [0] + [
                t.i + 1 for t in self.doc if "\n\n" in t.text and t.i + 1 < len(self.doc)
            ]
        at = bisect_right(self._paragraph_starts, i) - 1
        starts = self._paragraph_starts
        end = starts[at + 1] - 1 if at + 1 < len(starts) else len(self.doc)
        return starts[at], end

    def ents_between(self, start: int, end: int) -> list[Any]:
        """Entities starting at token ``start`` up to (not including) ``end``."""
        low = bisect_left(self._ent_starts, start)
        high = bisect_left(self._ent_starts, end)
        return self.ents[low:high]

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

    def in_quote(self, token: Any) -> bool:
        return bool(self._quote_depth[token.i] > 0)

    # -- resolution steps ------------------------------------------------------
    def _resolve(self, token: Any) -> Actor | None:
        lower = token.lower_
        if token.pos_ == "PRON":
            return self._pronoun(token)
        if lower in QUANTITY_NOUNS or token.pos_ == "NUM":
            inner = _of_object(token)
            if inner is not None:
                return self.resolve_one(inner)
        ent = self.entity_at.get(token.i)
        if ent is not None and token.i == _span_head(ent).i:
            named = self._named(ent, token)
            if named is not None:
                return named
        if token.pos_ == "PROPN" and ent is None:
            named_one = self._unlisted_name(token)
            if named_one is not None:
                return named_one
        return self._noun_phrase(token)

    def _pronoun(self, token: Any) -> Actor | None:
        lower = token.lower_
        if lower in SPEAKER_PRONOUNS and self.in_quote(token):
            speaker = self._quote_speaker(token)
            if speaker is not None:
                return _retext(speaker, token, f"speaker of the quote: {speaker.why}")
            return None
        if lower in PERSON_PRONOUNS:
            last = self._last_person_before(token)
            if last is not None:
                return _retext(last, token, f"pronoun refers to {last.text}: {last.why}")
        if lower in GROUP_PRONOUNS and token.dep_ in {"dobj", "pobj", "dative", "iobj"}:
            # "police detained three men and later released them": not the police
            antecedent = self._group_object_before(token)
            if antecedent is not None:
                return _retext(
                    antecedent, token, f"pronoun refers to {antecedent.text}: {antecedent.why}"
                )
        elif lower in GROUP_PRONOUNS:
            antecedent = self._clause_subject_above(token) or self._previous_group(token)
            if antecedent is not None:
                return _retext(
                    antecedent, token, f"pronoun refers to {antecedent.text}: {antecedent.why}"
                )
        if lower in THING_PRONOUNS:
            antecedent = self._antecedent(token)
            if antecedent is not None:
                return _retext(
                    antecedent, token, f"pronoun refers to {antecedent.text}: {antecedent.why}"
                )
        return None

    def _last_person_before(self, token: Any) -> Actor | None:
        """The person "he" or "she" stands for.

        A subject pronoun continues the centre of attention: the person who was last the
        subject of a clause ("Arlo met the ministers of B and C. He also discussed ..." is
        Arlo, not the minister named last). An object pronoun is the nearest person other
        than its own clause's subject ("Zelenskyy thanked Duda and praised him"), and a
        possessive the subject of its clause when that is a person ("Macron met his
        counterpart"). People in the pronoun's own clause are never its antecedent when
        they are the event's other side.
        """
        wanted = PRONOUN_GENDER.get(token.lower_)
        before = [
            (i, a)
            for i, a in self._people
            if i < token.i and self._gender_of(a, i) in (None, wanted)
        ]
        if not before:
            return self._role_subject_before(token, -1)
        clause = _clause_head(token)
        own_subject = {
            i
            for i, _ in before
            if self._clause_of_person(i).i == clause.i and i in self._subject_people
        }
        if token.dep_ == "poss" and own_subject:
            at = max(own_subject)
            return dict(before)[at]
        if token.dep_ in {"nsubj", "nsubjpass"}:
            earliest = self._sentence_start_back(token, _SALIENCE_SENTENCES)
            for i, actor in reversed(before):
                if i < earliest:
                    break
                if i in self._subject_people and self._clause_of_person(i).i != clause.i:
                    role = self._role_subject_before(token, i)
                    return role if role is not None else actor
        # never the clause's own subject, nor that person named otherwise
        subjects = {a.identity for i, a in before if i in own_subject}
        candidates = [
            (i, a)
            for i, a in before
            if self._clause_of_person(i).i != clause.i and a.identity not in subjects
        ]
        if not candidates:
            candidates = before
        at, actor = candidates[-1]
        role = self._role_subject_before(token, at)
        return role if role is not None else actor

    def _gender_of(self, person: Actor, at: int) -> str | None:
        """What the KB (genders.tsv) or the words before and in the name's role say of this
        person, at any of their mentions: "f", "m" or None when nothing does."""
        if self._genders is None:
            self._genders = {}
            for i, named in self._people:
                said = self._gender_in_words(named, i)
                if said is not None:
                    self._genders.setdefault(named.identity, said)
        known = self.kb.genders.get(person.kb_id or "")
        return known or self._genders.get(person.identity)

    def _gender_in_words(self, person: Actor, at: int) -> str | None:
        words = _words_in(person.why)
        if at > 0:
            words.add(self.doc[at - 1].lower_.rstrip("."))
        if words & self._words.feminine:
            return "f"
        if words & self._words.masculine:
            return "m"
        return None

    def _role_subject_before(self, token: Any, after: int) -> Actor | None:
        """A singular role as subject after the person found, in this or the previous
        sentence: "Brazil's president arrived ... He said"."""
        sent_start = token.sent.start
        window_start = self.doc[sent_start - 1].sent.start if sent_start > 0 else sent_start
        for tok in reversed(self.doc[max(window_start, after + 1) : token.i]):
            if (
                tok.dep_ in {"nsubj", "nsubjpass"}
                and tok.tag_ == "NN"
                and self.kb.agent(tok.lemma_) is not None
            ):
                role = self.resolve_one(tok)
                if role is not None and role.country is not None:
                    return role
        return None

    def _sentence_start_back(self, token: Any, n: int) -> int:
        """The first token of the sentence ``n`` sentences before ``token``'s."""
        start = token.sent.start
        for _ in range(n):
            if start == 0:
                break
            start = self.doc[start - 1].sent.start
        return int(start)

    def _clause_of_person(self, start: int) -> Any:
        ent = self.entity_at.get(start)
        return _clause_head(_span_head(ent) if ent is not None else self.doc[start])

    def _group_object_before(self, token: Any) -> Actor | None:
        """The nearest group before an object "them" that is not its clause's subject."""
        subjects = {
            c.i
            for verb in (_clause_head(token), _clause_head(token).head)
            for c in verb.children
            if c.dep_ in {"nsubj", "nsubjpass"}
        }
        above = {t.i for t in token.ancestors}  # "dozens of them" is not them
        start = self._sentence_start_back(token, 1)
        for tok in reversed(self.doc[start : token.i]):
            if tok.i in above:
                continue
            if tok.tag_ in {"NNS", "NNPS"} and tok.i not in subjects and tok.dep_ != "compound":
                found = self.resolve_one(tok)
                if found is not None:
                    return found
        return None

    def _previous_group(self, token: Any) -> Actor | None:
        """ "Ukrainian troops held ... They shot down": a plural subject just before."""
        sent_start = token.sent.start
        if sent_start == 0:
            return None
        previous = self.doc[sent_start - 1].sent
        for tok in previous:
            if tok.dep_ == "nsubj" and tok.tag_ in {"NNS", "NNPS"}:
                return self.resolve_one(tok)
        return None

    def _clause_subject_above(self, token: Any) -> Actor | None:
        """The subject of the clause above: "rebel leaders said they would meet"."""
        node = token.head
        for _ in range(4):
            if node.dep_ not in {"ccomp", "xcomp", "conj", "advcl"} or node.head.i == node.i:
                break
            node = node.head
            subject = next((c for c in node.children if c.dep_ == "nsubj"), None)
            if subject is not None and subject.i > token.i:
                return None  # "They killed three gunmen, the military said": not the military
            if subject is not None and subject.i != token.i and subject.pos_ != "PRON":
                return self.resolve_one(subject)
        return None

    def _antecedent(self, token: Any) -> Actor | None:
        """What "it" stands for: "Syria says it will ...": the subject of the clause above,
        else the last country or organisation named in this or the previous sentence."""
        found = self._clause_subject_above(token)
        if found is not None and not (found.kb_id or "").startswith("person:"):
            return found  # "it" is never a person: "Chirac reminded Iraq that it must"
        sent_start = token.sent.start
        previous_start = self.doc[sent_start - 1].sent.start if sent_start > 0 else sent_start
        named: list[Any] = []
        for ent in self.ents_between(previous_start, token.i):
            if ent.label_ in {"GPE", "ORG"} and ent.ent_id_:
                entry = self._entry_of(ent)
                if entry is not None and entry.kind in {"country", "org", "metonym", "capital"}:
                    named.append(ent)
        if not named:
            return None
        # the one last in the centre of attention: "The IAEA said Iran had ... It urged"
        subjects = [e for e in named if _is_subject(_span_head(e))]
        main = [e for e in subjects if _span_head(e).head.dep_ == "ROOT"]
        chosen = named[-1]
        if token.dep_ in {"nsubj", "nsubjpass"} and subjects:
            chosen = (main or subjects)[-1]
        return self.resolve_one(_span_head(chosen))

    def _named(self, ent: Any, token: Any) -> Actor | None:
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
                return _refer_back(earlier, ent)
            if ent.label_ == "ORG":
                return self._noun_phrase(token, fallback_text=ent)
        return None

    def _unlisted_name(self, token: Any) -> Actor | None:
        earlier = self._earlier_person(self.doc[token.i : token.i + 1])
        if earlier is not None:
            return _refer_back(earlier, token)
        return None

    def _earlier_person(self, span: Any) -> Actor | None:
        """The person named before whose surname (or, for names written family name first,
        whose first name: "Kim" after "Kim Jong Un") is the last word of ``span``; else the
        one person of that surname in office on the day, unless the name alone is ambiguous."""
        last_word = normalise_name(span[-1].text)
        first_word_match: Actor | None = None
        for i, actor in reversed(self._people):
            if i >= span.start:
                continue
            for name in (actor.name, actor.text):
                words = normalise_name(name).split() if name else []
                if words[-1:] == [last_word]:
                    return actor
                if len(span) == 1 and len(words) > 1 and words[0] == last_word:
                    first_word_match = first_word_match or actor
        if first_word_match is not None:
            return first_word_match
        if len(span) == 1 and self._ambiguous_alone(span):
            return None
        candidates = [e for e in self.kb.lookup_surname(span[-1].text) if e.kind == "person"]
        holding = [e for e in candidates if e.spell_on(self.day) is not None]
        if len(holding) == 1:
            return self._person(span, holding[0])
        return None

    def _ambiguous_alone(self, span: Any) -> bool:
        """A one-word name that is short or several people's name, with no title: "Kim",
        "Lee". It is never coded from the KB alone."""
        word = span[-1].text
        people = [e for e in self.kb.people_named(word) if e.kind == "person"]
        if len(word) > 3 and len(people) <= 1:
            return False
        return self._stated_role(span) is None

    def _former_holder(self, span: Any) -> Entry | None:
        """ "President Bush" on a day no Bush held office: the KB people of that surname,
        if they all belong to one country (the most recent before the day)."""
        if len(span) == 1 and self._ambiguous_alone(span):
            return None
        candidates = [e for e in self.kb.lookup_surname(span[-1].text) if e.kind == "person"]
        if not candidates:
            return None
        countries = {spell.country for e in candidates for spell in e.spells}
        if len(countries) != 1:
            return None

        def latest(entry: Entry) -> date:
            spell = entry.last_spell_before(self.day)
            return spell.start or date.min if spell is not None else date.min

        return max(candidates, key=latest)

    def _person_entry_for(self, ent: Any) -> Entry | None:
        found = [e for e in self.kb.lookup(ent.text, self.day) if e.kind == "person"]
        return found[0] if found else None

    def _person(self, span: Any, entry: Entry | None) -> Actor:
        span = self._full_name(span)
        role = self._stated_role(span)
        spell = entry.spell_on(self.day) if entry else None
        name = entry.name if entry else span.text
        kb_id = entry.kb_id if entry else None
        if role is not None and (role.country or role.sector):
            known = spell
            if known is None and entry is not None:
                known = entry.last_spell_before(self.day) or entry.first_spell()
            country = role.country or (known.country if known else None)
            sector = role.sector or (spell.sector if spell and spell.country == country else None)
            why = f"role in text: '{role.words}'"
            if country != role.country and entry is not None:
                why += f"; country from KB {entry.source}"
            return self._actor(span, make_code(country, sector), country, sector, name, kb_id, why)
        if entry is not None and spell is not None:
            return self._actor(
                span,
                make_code(spell.country, spell.sector),
                spell.country,
                spell.sector,
                name,
                kb_id,
                f"KB {entry.source}: {spell.role} {_period(spell)} on {self.day.isoformat()}",
            )
        if entry is not None:
            last = entry.last_spell_before(self.day) or entry.first_spell()
            return self._actor(
                span,
                make_code(last.country, "ELI"),
                last.country,
                "ELI",
                name,
                kb_id,
                f"KB {entry.source}: out of office on {self.day.isoformat()} "
                f"(was {last.role} {_period(last)}), coded as elite",
            )
        return self._actor(span, UNKNOWN, None, None, name, None, "person unknown to the KB")

    def _entity(self, ent: Any, entry: Entry, token: Any) -> Actor:
        spell = entry.spell_on(self.day) or entry.first_spell()
        country = spell.country
        sector = spell.sector
        why = f"KB {entry.source}: {entry.kind} '{entry.name}'"
        if entry.kind == "org" and country not in {"IGO", "NGO"}:
            # "the Brazilian Congress": a national institution's name, another country's
            named = self._country_in_tokens(
                [c for c in _span_head(ent).children if c.dep_ in {"amod", "compound"}]
            )
            if named[0] is not None and named[0] != country:
                country = named[0]
                why += f"; country from '{named[1]}'"
        if entry.kind == "adjective" and token.tag_ in {"NNPS", "NNS"}:
            sector = "CVL"  # "the Palestinians": the people of the country
            why += "; people of the country"
        return self._actor(
            ent, make_code(country, sector), country, sector, entry.name, entry.kb_id, why
        )

    def _noun_phrase(self, head: Any, fallback_text: Any | None = None) -> Actor | None:
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
        span = _phrase_span(head)
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

    def _definite_antecedent(self, head: Any, agent_words: str) -> Actor | None:
        """ "the minister", "the country", "the alliance": the actor named before.

        Only a singular noun with "the"/"this" and no country of its own refers back; a
        person role goes to the person last in the centre of attention whose role fits,
        a country or organisation noun to the last one named, never one in its own clause.
        """
        # "the minister", and the capitalised "The Head of State" of press releases
        if head.tag_ not in {"NN", "NNP"} or not any(
            c.dep_ == "det" and c.lower_ in {"the", "this"} for c in head.children
        ):
            return None
        lemma = head.lemma_.lower()
        if lemma in self._words.described_organisations and any(
            c.dep_ in {"amod", "compound", "nmod"} for c in head.children
        ):
            lemma = "organisation"  # "the regional body", "the UN agency"
        if lemma in self._words.countries or lemma in self._words.organisations:
            kinds = COUNTRY_KINDS if lemma in self._words.countries else frozenset({"org"})
            clause = _clause_head(head)
            earliest = self._sentence_start_back(head, _SALIENCE_SENTENCES)
            named: list[tuple[bool, Any, Entry]] = []
            for ent in self.ents_between(earliest, head.i):
                if not ent.ent_id_ or _clause_head(_span_head(ent)).i == clause.i:
                    continue
                entry = self._entry_of(ent)
                if entry is not None and entry.kind in kinds and not _allegiance(ent):
                    named.append((_is_subject(_span_head(ent)), ent, entry))
            if not named:
                return None
            _, ent, entry = next((n for n in reversed(named) if n[0]), named[-1])
            found = self._entity(ent, entry, _span_head(ent))
            return _retext(found, _phrase_span(head), f"refers to {found.text}: {found.why}")
        role = normalise_name(agent_words)
        if not role or role not in self._words.person_roles:
            return None
        person = self._role_holder_before(head, role)
        if person is None:
            return None
        return _retext(person, _phrase_span(head), f"refers to {person.text}: {person.why}")

    def _role_holder_before(self, head: Any, role: str) -> Actor | None:
        """The person ``the <role>`` stands for: one whose role has the word, last in the
        centre of attention (a subject) in the last few sentences, else the last named."""
        agent = self.kb.agent(role)
        clause = _clause_head(head)
        earliest = self._sentence_start_back(head, _SALIENCE_SENTENCES)
        before = [
            (i, a)
            for i, a in self._people
            if earliest <= i < head.i
            and self._clause_of_person(i).i != clause.i
            and a.country is not None
        ]
        words = [w for w in role.split() if w not in {"of", "the"}]
        # "The prince then spoke ...": a role named in the person's title or KB role, word
        # for word ("general" is not in "Secretary-General")
        named = [(i, a) for i, a in before if set(words) <= _words_in(f"{a.why} {a.text}")]
        fitting = [(i, a) for i, a in before if agent is None or a.sector == agent.sector]
        if not fitting and not named:
            return None
        for group in (named, fitting):
            subjects = [(i, a) for i, a in group if i in self._subject_people]
            if subjects:
                return subjects[-1][1]
        return (named or fitting)[-1][1]

    def _org_in(self, head: Any) -> Entry | None:
        for tok in _phrase_tokens(head):
            ent = self.entity_at.get(tok.i)
            if ent is not None and ent.ent_id_ and tok.i == ent.start:
                entry = self._entry_of(ent)
                if entry is not None and entry.kind == "org":
                    return entry
        return None

    # -- roles, agents and countries in the words -------------------------------------
    def _stated_role(self, span: Any) -> Role | None:
        """Title words before a name, an apposition after it, or the noun it is apposed to."""
        head = _span_head(span)
        role_tokens: list[Any] = []
        for child in head.children:
            if child.i < span.start and child.dep_ in _TITLE_DEPS | {"det"}:
                role_tokens.extend(t for t in child.subtree if t.i < span.start)
            if child.dep_ == "appos" and child.i >= span.end:
                role_tokens.extend(t for t in child.subtree if not self._is_person_token(t))
        # tokens right before the name inside the entity's own phrase ("President Andrzej Duda")
        for tok in span:
            if tok.i < head.i and self.kb.agent(tok.text) is not None:
                role_tokens.append(tok)
        if head.dep_ == "appos" and not self._is_person_token(head.head):
            role_tokens.extend(_phrase_tokens(head.head))
        elif head.dep_ == "conj" and head.head.dep_ == "appos":
            role_tokens.extend(_phrase_tokens(head.head.head))
        if not role_tokens:
            return None
        role_tokens = sorted({t.i: t for t in role_tokens}.values(), key=lambda t: t.i)
        agent, _ = self._agent_in_tokens(role_tokens)
        country, _ = self._country_in_tokens(role_tokens, exclude=span)
        countries = self._countries_in_tokens(role_tokens, exclude=span)
        if len(countries) > 1:
            # "the Ukrainian and Polish presidents, Zelenskyy and Duda": respectively
            people = conjuncts(head if head.dep_ != "conj" else head.head)
            position = next((i for i, p in enumerate(people) if p.i == head.i), None)
            country = (
                countries[position]
                if position is not None and len(people) == len(countries)
                else None
            )
        if agent is None and country is None:
            return None
        words = " ".join(t.text for t in role_tokens if not t.is_punct or t.text == "-")
        words = words.replace(" - ", "-")
        sector = agent.sector if agent else None
        org = next(
            (
                e
                for t in role_tokens
                if (ent := self.entity_at.get(t.i)) is not None
                and ent.ent_id_
                and (e := self._entry_of(ent)) is not None
                and e.kind == "org"
            ),
            None,
        )
        if org is not None:  # "the Hamas leader in Gaza": the organisation's code
            org_spell = org.spell_on(self.day) or org.first_spell()
            country, sector = org_spell.country, org_spell.sector
        if any(t.lower_ in FORMER_WORDS for t in role_tokens):
            sector = "ELI"  # "ousted President Askar Akayev", "former minister"
        return Role(country, sector, words)

    def _full_name(self, span: Any) -> Any:
        """Widen a name to the given names the NER left out ("Wiesław Kukuła")."""
        doc = span.doc
        start = span.start
        while (
            start > 0
            and doc[start - 1].pos_ == "PROPN"
            and doc[start - 1].dep_ == "compound"
            and span.start <= doc[start - 1].head.i < span.end
            and normalise_name(doc[start - 1].text) not in self.kb.agent_words
            and doc[start - 1].i not in self.entity_at
        ):
            start -= 1
        return doc[start : span.end] if start != span.start else span

    def _entry_of(self, ent: Any) -> Entry | None:
        return self.kb.entry_for_match(ent.ent_id_, self.day)

    def _is_person_token(self, token: Any) -> bool:
        ent = self.entity_at.get(token.i)
        return ent is not None and ent.label_ == "PERSON"

    def _agent_in(self, head: Any) -> tuple[Any, str]:
        """The agent noun of a phrase: one that is or includes its head ("defence
        minister"), or directly modifies it ("army officers"), not one deeper inside."""
        near = [head] + [
            t for c in head.children if c.dep_ in {"compound", "amod", "nmod"} for t in c.subtree
        ]
        agent, words = self._agent_in_tokens(_phrase_tokens(head), head)
        if agent is None:
            return None, ""
        return (agent, words) if _words_of(words, near) else (None, "")

    def _agent_in_tokens(self, tokens: Sequence[Any], head: Any | None = None) -> tuple[Any, str]:
        """The longest agent phrase in the tokens, preferring one that covers the head."""
        words = [t for t in tokens if t.text != "-" and not (t.is_punct and t.text != "-")]
        best: tuple[int, int, Any, str] | None = None
        for n in range(min(self.kb.max_agent_words, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                gram = words[i : i + n]
                if any(
                    self.entity_at.get(t.i) is not None
                    and self.entity_at[t.i].label_ in {"GPE", "NORP", "PERSON"}
                    for t in gram
                ):
                    continue
                text = " ".join(t.text for t in gram)
                agent = self.kb.agent(text)
                if agent is None and n == 1:
                    agent = self.kb.agent(gram[0].lemma_)
                if agent is None:
                    continue
                covers = 1 if head is not None and any(t.i == head.i for t in gram) else 0
                rank = (covers, n)
                if best is None or rank > (best[0], best[1]):
                    best = (covers, n, agent, text)
            if best is not None and best[0] == 1:
                break
        if best is None:
            return None, ""
        return best[2], best[3]

    def _countries_in_tokens(self, tokens: Iterable[Any], exclude: Any | None = None) -> list[str]:
        found: list[str] = []
        for tok in tokens:
            if exclude is not None and exclude.start <= tok.i < exclude.end:
                continue
            entry = self._country_entry(tok)
            if entry is None:
                continue
            code = (entry.spell_on(self.day) or entry.first_spell()).country
            ent = self.entity_at[tok.i]
            if tok.i == ent.start and code not in found:
                found.append(code)
        return found

    def _country_in(self, head: Any) -> tuple[str | None, str]:
        return self._country_in_tokens(_phrase_tokens(head))

    def _country_in_tokens(
        self, tokens: Iterable[Any], exclude: Any | None = None
    ) -> tuple[str | None, str]:
        for tok in tokens:
            if exclude is not None and exclude.start <= tok.i < exclude.end:
                continue
            ent = self.entity_at.get(tok.i)
            if ent is None or not ent.ent_id_ or _allegiance(ent):
                continue
            entry = self._entry_of(ent)
            if entry is None:
                continue
            if entry.kind in COUNTRY_KINDS or entry.kind == "org":
                spell = entry.spell_on(self.day) or entry.first_spell()
                return spell.country, ent.text
            if entry.kind == "person":  # "the government of Donald Tusk"
                held = entry.spell_on(self.day) or entry.last_spell_before(self.day)
                if held is not None:
                    return held.country, ent.text
        return None, ""

    # -- quotes -----------------------------------------------------------------
    def _quote_speaker(self, token: Any) -> Actor | None:
        """The subject of a reporting verb outside the quote, in the same paragraph."""
        start, end = self.paragraph_of(token.i)
        candidates: list[tuple[int, Any]] = []
        for tok in self.doc[start:end]:
            if tok.lemma_.lower() in REPORTING_VERBS and not self.in_quote(tok):
                for child in tok.children:
                    if child.dep_ in {"nsubj", "nsubjpass"}:
                        candidates.append((abs(tok.i - token.i), child))
        for _, subject in sorted(candidates, key=lambda c: c[0]):
            if subject.lower_ in SPEAKER_PRONOUNS:
                continue
            actor = self.resolve_one(subject)
            if actor is not None:
                return actor
        return None

    # -- bookkeeping -------------------------------------------------------------
    def _collect_people(self) -> None:
        for ent in self.ents:
            if ent.label_ != "PERSON":
                continue
            entry = self._entry_of(ent) if ent.ent_id_ else self._person_entry_for(ent)
            if entry is not None and entry.kind != "person":
                continue
            # one word ("Kim", "Erdogan") is the person named before, if there was one
            one_word = len(self._full_name(ent)) == 1
            earlier = self._earlier_person(ent) if entry is None or one_word else None
            if earlier is None and one_word and entry is not None and self._ambiguous_alone(ent):
                entry = None  # "Kim" alone: which Kim?
            if entry is None and earlier is None:
                entry = self._former_holder(ent)
            actor = _refer_back(earlier, ent) if earlier is not None else self._person(ent, entry)
            self._people.append((ent.start, actor))
            if _is_subject(_span_head(ent)):
                self._subject_people.add(ent.start)
            self._cache[_span_head(ent).i] = actor
        # surnames used alone and titles refer back ("Zaluzhnyi", "General Kukuła")
        for ent in self.ents:
            if ent.label_ == "PERSON":
                continue
            head = _span_head(ent)
            if head.pos_ != "PROPN":
                continue
            entry = self._entry_of(ent) if ent.ent_id_ else None
            if entry is not None and entry.kind != "person":
                continue
            earlier = self._earlier_person(ent)
            if earlier is not None:
                actor = _refer_back(earlier, ent)
                self._cache[head.i] = actor
                self._people.append((ent.start, actor))
                if _is_subject(head):
                    self._subject_people.add(ent.start)
        self._people.sort(key=lambda person: person[0])
        # a surname the NER did not mark at all: "will join Macron", "Macron said"
        for tok in self.doc:
            if tok.pos_ != "PROPN" or tok.i in self.entity_at or tok.dep_ == "compound":
                continue
            named = self._unlisted_name(tok)
            if named is not None:
                self._cache[tok.i] = named
                self._people.append((tok.i, named))
                if _is_subject(tok):
                    self._subject_people.add(tok.i)
        self._people.sort(key=lambda person: person[0])

    def _actor(
        self,
        span: Any,
        code: str,
        country: str | None,
        sector: str | None,
        name: str | None,
        kb_id: str | None,
        why: str,
    ) -> Actor:
        start, end = _char_bounds(span)
        return Actor(
            text=_text_of(span),
            code=code,
            country=country,
            sector=sector,
            name=name,
            kb_id=kb_id,
            start=start,
            end=end,
            why=why,
        )


# ---------------------------------------------------------------------------
# parse-tree helpers


def conjuncts(token: Any, adjectives: bool = False) -> list[Any]:
    """The token and the heads coordinated with it ("Poland and Ukraine")."""
    kinds = {"NOUN", "PROPN", "PRON", "ADJ"} if adjectives else {"NOUN", "PROPN", "PRON"}
    out = [token]
    stack = [token]
    while stack:
        current = stack.pop()
        for child in current.children:
            if child.dep_ == "conj" and child.pos_ in kinds:
                out.append(child)
                stack.append(child)
    return sorted(out, key=lambda t: t.i)


def _clause_head(token: Any) -> Any:
    """The verb whose clause ``token`` is in (the token itself when it is a verb)."""
    node = token
    for _ in range(12):
        if node.pos_ in _VERB_POS or node.head.i == node.i:
            return node
        node = node.head
    return node


def _words_in(text: str) -> set[str]:
    """The words of a text, lower case; hyphenated words stay whole."""
    return {w.strip(".,;:'\"()") for w in text.lower().split()}


def _is_subject(token: Any) -> bool:
    """The subject of a main or reported clause, or a name apposed or coordinated with one;
    not of an infinitive ("an invitation for General Kukuła to visit")."""
    node = token
    for _ in range(3):
        if node.dep_ in {"nsubj", "nsubjpass"}:
            verb = node.head
            return verb.dep_ in {"ROOT", "conj", "ccomp"} and not any(
                c.dep_ in {"aux", "mark"} and c.lower_ in {"to", "for"} for c in verb.children
            )
        if node.dep_ not in {"appos", "conj", "compound"} or node.head.i == node.i:
            return False
        node = node.head
    return False


def _allegiance(ent: Any) -> bool:
    """ "pro-Iranian", "anti-Syria": a stance towards a country, not a nationality."""
    doc, i = ent.doc, ent.start
    if i >= 1 and doc[i - 1].lower_ in {"pro", "anti"}:
        return True
    return bool(i >= 2 and doc[i - 1].text == "-" and doc[i - 2].lower_ in {"pro", "anti"})


def _words_of(words: str, tokens: Sequence[Any]) -> list[Any]:
    """Tokens among ``tokens`` whose text is one of ``words``."""
    wanted = set(words.lower().split())
    return [t for t in tokens if t.lower_ in wanted]


def _of_object(token: Any) -> Any | None:
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    return None


def _span_head(span: Any) -> Any:
    return span.root if hasattr(span, "root") else span


def _phrase_tokens(head: Any, depth: int = 0) -> list[Any]:
    """The head and its modifiers, plus "of/in/from" phrases; no clauses or appositions.

    "the Chief of the General Staff of Poland" keeps "of Poland"; "the urgency of
    enhancing Ukraine's air defence" stops at the verb "enhancing".
    """
    tokens = [head]
    for child in head.children:
        if child.dep_ in {"relcl", "acl", "appos", "conj", "cc", "punct", "advcl", "pcomp"}:
            continue
        if child.dep_ == "prep":
            if child.lower_ not in _LOCATION_PREPS or depth >= 2:
                continue
            objects = [
                o
                for o in child.children
                if o.dep_ == "pobj" and o.pos_ in {"NOUN", "PROPN", "PRON"}
            ]
            if objects:
                tokens.append(child)
                for obj in objects:
                    tokens.extend(_phrase_tokens(obj, depth + 1))
            continue
        tokens.extend(child.subtree)
    return sorted(tokens, key=lambda t: t.i)


def _phrase_span(head: Any) -> Any:
    tokens = [t for t in _phrase_tokens(head) if not (t.is_punct and t.i != head.i)]
    start = min(t.i for t in tokens)
    end = max(t.i for t in tokens) + 1
    doc = head.doc
    while start < head.i and doc[start].dep_ in {"det", "predet"}:
        start += 1
    return doc[start:end]


def _text_of(span: Any) -> str:
    return str(span.text)


def _char_bounds(span: Any) -> tuple[int, int]:
    if hasattr(span, "start_char"):
        return int(span.start_char), int(span.end_char)
    return int(span.idx), int(span.idx + len(span.text))


def _refer_back(earlier: Actor, span: Any) -> Actor:
    """A name that stands for a person named before ("Zaluzhnyi", "Kim"); a surname found
    in the KB on its own keeps the KB's reason."""
    start, _ = _char_bounds(span)
    if earlier.start == start:
        return earlier
    return _retext(earlier, span, f"refers to {earlier.text} named before")


def _retext(actor: Actor, span: Any, why: str) -> Actor:
    """The same actor, named by other words ("he", "Zaluzhnyi", "the two generals")."""
    start, end = _char_bounds(span)
    return replace(actor, text=_text_of(span), start=start, end=end, why=why)


def _period(spell: Spell) -> str:
    start = spell.start.isoformat() if spell.start else "…"
    end = spell.end.isoformat() if spell.end else "…"
    return f"({start} to {end})"


_OPEN_QUOTES = {"“", "«", "‘"}
_CLOSE_QUOTES = {"”", "»", "’"}


def _quote_depths(doc: Any) -> list[int]:
    """1 for tokens inside quotation marks, else 0; straight quotes toggle."""
    depths: list[int] = []
    inside = False
    for tok in doc:
        text = tok.text
        if text in _OPEN_QUOTES and not (text == "’" and tok.i > 0):
            inside = True
            depths.append(0)
            continue
        if text in {"”", "»"}:
            inside = False
            depths.append(0)
            continue
        if text == '"' or text == "``" or text == "''":
            inside = not inside
            depths.append(0)
            continue
        if "\n\n" in text:
            inside = False
        depths.append(1 if inside else 0)
    return depths
