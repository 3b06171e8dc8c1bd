"""Words that refer back to an actor named before: a surname used alone ("Zaluzhnyi"),
a pronoun ("he", "they", "it"), a role noun ("the minister", "the country"), "the two".

``Coreference`` keeps the document's memory of the people named, in order, and which of
them were the subject of their clause (the centre of attention a pronoun continues).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date

from spacy.tokens import Doc, Span, Token

from eventcoder.actors.document import COUNTRY_KINDS
from eventcoder.actors.kb import Entry, KnowledgeBase, normalise_name
from eventcoder.actors.spans import (
    allegiance,
    clause_head,
    is_subject,
    phrase_span,
    refer_back,
    retext,
    span_head,
    words_in,
)
from eventcoder.actors.stated_roles import StatedRoles
from eventcoder.actors.words import coreference_words
from eventcoder.model import Actor

# how far back a subject stays the centre of attention for "he" / "she"
_SALIENCE_SENTENCES = 4


class Coreference(StatedRoles, ABC):
    """Finding the actor named before that a mention refers back to."""

    def __init__(self, kb: KnowledgeBase, doc: Doc, day: date) -> None:
        super().__init__(kb, doc, day)
        self._cache: dict[int, Actor | None] = {}  # token index -> the actor resolved there
        self._people: list[tuple[int, Actor]] = []
        self._subject_people: set[int] = set()  # starts of people named as a subject
        self._genders: dict[str, str] | None = None  # person identity -> "f" | "m", from words
        self._coreference_words = coreference_words()

    @abstractmethod
    def resolve_one(self, token: Token) -> Actor | None:
        """The actor a mention stands for (DocumentActors); looking back resolves others."""

    def _collect_people(self) -> None:
        """Remember every person named, in order: the names first, then the surnames and
        titles used alone that refer back to them."""
        self._collect_named_people()
        self._collect_surnames_alone()
        self._people.sort(key=lambda person: person[0])
        self._collect_unmarked_surnames()
        self._people.sort(key=lambda person: person[0])

    def _collect_named_people(self) -> None:
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
            actor = refer_back(earlier, ent) if earlier is not None else self._person(ent, entry)
            self._people.append((ent.start, actor))
            if is_subject(span_head(ent)):
                self._subject_people.add(ent.start)
            self._cache[span_head(ent).i] = actor

    def _collect_surnames_alone(self) -> None:
        """Surnames used alone and titles refer back ("Zaluzhnyi", "General Kukuła")."""
        for ent in self.ents:
            if ent.label_ == "PERSON":
                continue
            head = span_head(ent)
            if head.pos_ != "PROPN":
                continue
            entry = self._entry_of(ent) if ent.ent_id_ else None
            if entry is not None and entry.kind != "person":
                continue
            earlier = self._earlier_person(ent)
            if earlier is not None:
                actor = refer_back(earlier, ent)
                self._cache[head.i] = actor
                self._people.append((ent.start, actor))
                if is_subject(head):
                    self._subject_people.add(ent.start)

    def _collect_unmarked_surnames(self) -> None:
        """A surname the NER did not mark at all: "will join Macron", "Macron said"."""
        for tok in self.doc:
            if tok.pos_ != "PROPN" or tok.i in self.entity_at or tok.dep_ == "compound":
                continue
            named = self._unlisted_name(tok)
            if named is not None:
                self._cache[tok.i] = named
                self._people.append((tok.i, named))
                if is_subject(tok):
                    self._subject_people.add(tok.i)

    def _unlisted_name(self, token: Token) -> Actor | None:
        earlier = self._earlier_person(self.doc[token.i : token.i + 1])
        if earlier is not None:
            return refer_back(earlier, token)
        return None

    def _earlier_person(self, span: Span) -> Actor | None:
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

    def _ambiguous_alone(self, span: Span) -> bool:
        """A one-word name that is short or several people's name, with no title: "Kim",
        "Lee". It is never coded from the KB alone."""
        word = span[-1].text
        people = [e for e in self.kb.people_named(word) if e.kind == "person"]
        if len(word) > 3 and len(people) <= 1:
            return False
        return self._stated_role(span) is None

    def _former_holder(self, span: Span) -> Entry | None:
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

    def _named_pair(self, head: Token) -> list[Actor]:
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
            retext(a, head, f"one of '{head.text}' named before: {a.text}; {a.why}")
            for a in reversed(list(seen.values()))
        ]

    def _last_person_before(self, token: Token) -> Actor | None:
        """The person "he" or "she" stands for.

        A subject pronoun continues the centre of attention: the person who was last the
        subject of a clause ("Arlo met the ministers of B and C. He also discussed ..." is
        Arlo, not the minister named last). An object pronoun is the nearest person other
        than its own clause's subject ("Zelenskyy thanked Duda and praised him"), and a
        possessive the subject of its clause when that is a person ("Macron met his
        counterpart"). People in the pronoun's own clause are never its antecedent when
        they are the event's other side.
        """
        wanted = self.actor_words.pronoun_gender(token.lower_)
        before = [
            (i, a)
            for i, a in self._people
            if i < token.i and self._gender_of(a, i) in (None, wanted)
        ]
        if not before:
            return self._role_subject_before(token, -1)
        clause = clause_head(token)
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
        words = words_in(person.why)
        if at > 0:
            words.add(self.doc[at - 1].lower_.rstrip("."))
        if words & self._coreference_words.feminine:
            return "f"
        if words & self._coreference_words.masculine:
            return "m"
        return None

    def _role_subject_before(self, token: Token, after: int) -> Actor | None:
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

    def _group_object_before(self, token: Token) -> Actor | None:
        """The nearest group before an object "them" that is not its clause's subject."""
        subjects = {
            c.i
            for verb in (clause_head(token), clause_head(token).head)
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

    def _previous_group(self, token: Token) -> Actor | None:
        """ "Ukrainian troops held ... They shot down": a plural subject just before."""
        sent_start = token.sent.start
        if sent_start == 0:
            return None
        previous = self.doc[sent_start - 1].sent
        for tok in previous:
            if tok.dep_ == "nsubj" and tok.tag_ in {"NNS", "NNPS"}:
                return self.resolve_one(tok)
        return None

    def _clause_subject_above(self, token: Token) -> Actor | None:
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

    def _antecedent(self, token: Token) -> Actor | None:
        """What "it" stands for: "Syria says it will ...": the subject of the clause above,
        else the last country or organisation named in this or the previous sentence."""
        found = self._clause_subject_above(token)
        if found is not None and not (found.kb_id or "").startswith("person:"):
            return found  # "it" is never a person: "Chirac reminded Iraq that it must"
        sent_start = token.sent.start
        previous_start = self.doc[sent_start - 1].sent.start if sent_start > 0 else sent_start
        named: list[Span] = []
        for ent in self.ents_between(previous_start, token.i):
            if ent.label_ in {"GPE", "ORG"} and ent.ent_id_:
                entry = self._entry_of(ent)
                if entry is not None and entry.kind in {"country", "org", "metonym", "capital"}:
                    named.append(ent)
        if not named:
            return None
        # the one last in the centre of attention: "The IAEA said Iran had ... It urged"
        subjects = [e for e in named if is_subject(span_head(e))]
        main = [e for e in subjects if span_head(e).head.dep_ == "ROOT"]
        chosen = named[-1]
        if token.dep_ in {"nsubj", "nsubjpass"} and subjects:
            chosen = (main or subjects)[-1]
        return self.resolve_one(span_head(chosen))

    def _definite_antecedent(self, head: Token, agent_words: str) -> Actor | None:
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
        nouns = self._coreference_words
        lemma = head.lemma_.lower()
        if lemma in nouns.described_organisations and any(
            c.dep_ in {"amod", "compound", "nmod"} for c in head.children
        ):
            lemma = "organisation"  # "the regional body", "the UN agency"
        if lemma in nouns.countries or lemma in nouns.organisations:
            kinds = COUNTRY_KINDS if lemma in nouns.countries else frozenset({"org"})
            clause = clause_head(head)
            earliest = self._sentence_start_back(head, _SALIENCE_SENTENCES)
            named: list[tuple[bool, Span, Entry]] = []
            for ent in self.ents_between(earliest, head.i):
                if not ent.ent_id_ or clause_head(span_head(ent)).i == clause.i:
                    continue
                entry = self._entry_of(ent)
                if entry is not None and entry.kind in kinds and not allegiance(ent):
                    named.append((is_subject(span_head(ent)), ent, entry))
            if not named:
                return None
            _, ent, entry = next((n for n in reversed(named) if n[0]), named[-1])
            found = self._entity(ent, entry, span_head(ent))
            return retext(found, phrase_span(head), f"refers to {found.text}: {found.why}")
        role = normalise_name(agent_words)
        if not role or role not in nouns.person_roles:
            return None
        person = self._role_holder_before(head, role)
        if person is None:
            return None
        return retext(person, phrase_span(head), f"refers to {person.text}: {person.why}")

    def _role_holder_before(self, head: Token, role: str) -> Actor | None:
        """The person ``the <role>`` stands for: one whose role has the word, last in the
        centre of attention (a subject) in the last few sentences, else the last named."""
        agent = self.kb.agent(role)
        clause = clause_head(head)
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
        named = [(i, a) for i, a in before if set(words) <= words_in(f"{a.why} {a.text}")]
        fitting = [(i, a) for i, a in before if agent is None or a.sector == agent.sector]
        if not fitting and not named:
            return None
        for group in (named, fitting):
            subjects = [(i, a) for i, a in group if i in self._subject_people]
            if subjects:
                return subjects[-1][1]
        return (named or fitting)[-1][1]
