"""Who plays which part in an event, read from the parse: the source is the subject of the
trigger (or the agent of a passive, or the subject of the clause it depends on); the
target is its object, a prepositional object or another slot of its pattern, else an
actor implied below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from eventcoder.actors.kb import KnowledgeBase
from eventcoder.actors.resolver import DocumentActors
from eventcoder.coding.parse import (
    contained,
    infinitive_subject,
    is_agent_noun,
    pobj,
    shares_passive,
)
from eventcoder.coding.patterns import Pattern, Vocabulary
from eventcoder.coding.triggers import Trigger, TriggerFinder, plover_event
from eventcoder.model import Actor
from eventcoder.ontology import Ontology

if TYPE_CHECKING:
    from spacy.tokens import Token

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
# where an implied target is looked for, nearest first
_IMPLIED_FIRST = frozenset({"dobj", "prep", "xcomp", "dative", "attr", "oprd", "npadvmod"})
_IMPLIED_INNER = frozenset(
    {"pobj", "prep", "poss", "amod", "compound", "nmod", "dobj", "xcomp", "conj", "acl", "pcomp"}
)
_IMPLIED_LAST = frozenset({"advcl"})
_CLAUSE_DEPS = frozenset({"xcomp", "ccomp", "advcl", "conj", "pcomp", "relcl", "acl", "csubj"})


class RoleFinder:
    """Find the sources and targets of a trigger in the parse."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        ontology: Ontology,
        kb: KnowledgeBase,
        finder: TriggerFinder,
    ) -> None:
        self.vocab = vocabulary
        self.grammar = vocabulary.grammar
        self.ontology = ontology
        self.kb = kb
        self.finder = finder

    def _plover_event(self, cameo: str) -> str | None:
        return plover_event(self.ontology, cameo)

    def verb_roles(
        self, tok: Token, pattern: Pattern, actors: DocumentActors
    ) -> tuple[list[Actor], list[Actor], bool]:
        """The sources and targets of a verb trigger, and whether it is passive."""
        passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in tok.children)
        # "were detained by police and released hours later": the second participle has
        # the first one's patient and doer
        borrowed = not passive and shares_passive(tok)
        if passive or borrowed:
            holder = tok.head if borrowed else tok
            agent = next((c for c in holder.children if c.dep_ == "agent"), None)
            by_obj = pobj(agent) if agent is not None else self._framed_agent(holder)
            if by_obj is not None and self._is_force_of_nature(by_obj):
                return [], [], True  # "killed by a landslide in the Indian state of Kerala"
            sources = actors.resolve(by_obj) if by_obj is not None else []
            subj = next((c for c in holder.children if c.dep_ == "nsubjpass"), None)
            targets = self.actors_of(subj, actors) if subj is not None else []
            if not targets:  # "Sanctions were imposed on Iranian drone makers"
                targets = self._targets(
                    tok, [t for t in pattern.target if t.startswith("prep:")], actors
                )
            return sources, targets, True
        if (
            tok.dep_ == "amod"
            and tok.tag_ in {"VBD", "VBZ", "VBN"}
            and tok.head.i > tok.i
            and (tok.i == 0 or tok.doc[tok.i - 1].text != "-")
        ):
            # a parser slip: "Zelenskyy briefed Duda" read as "Zelenskyy [briefed Duda]",
            # the finite verb an adjective of its object
            left = next((c for c in tok.children if c.i < tok.i and c.pos_ == "PROPN"), None)
            if left is not None:
                return self.actors_of(left, actors), self.actors_of(tok.head, actors), False
        subject = self.subject_of(tok)
        sources = self.actors_of(subject, actors) if subject is not None else []
        if subject is not None and not sources and self._is_inanimate(subject):
            return [], [], False  # "the hurricane struck Jamaica", "the yen hit a low"
        targets = self._targets(tok, pattern.target, actors)
        # "supplying weapons and providing training for Ukrainian soldiers": a shared target,
        # but only between coordinated actions ("hold positions and eliminate" share nothing)
        if not targets and tok.dep_ == "conj":
            shared = next((c for c in tok.head.children if c.dep_ == "dobj"), None)
            # "pardoned and freed 18 prisoners": the object after both verbs is both's
            after_both = shared is not None and shared.i > tok.i
            if after_both or self.finder.is_trigger_verb(tok.head):
                targets = self._targets(tok.head, pattern.target, actors)
        if not targets:
            for child in tok.children:
                if child.dep_ == "conj" and self.finder.is_trigger_verb(child):
                    targets = self._targets(child, pattern.target, actors)
                    if targets:
                        break
        mutual = self.mutual_cameo(pattern.cameo, tok) and len(sources) > 1
        if not targets and pattern.target != ("none",) and not mutual:
            targets = self._implied_targets(tok, sources, actors, pattern.cameo)
        return sources, targets, False

    def _framed_agent(self, verb: Token) -> Token | None:
        """The doer of an agentless passive named in an event noun around it: "were killed
        in strikes by Russian aircraft", "died in an attack by Houthi rebels"."""
        verbs = [verb] + [c for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB"]
        for node in verbs:
            for prep in node.children:
                if prep.dep_ != "prep" or prep.lower_ not in self.grammar.agent_frames:
                    continue
                noun = pobj(prep)  # "in strikes by", or a gerund: "in shelling by"
                if noun is None or noun.lemma_.lower() not in (
                    self.vocab.verbs if noun.pos_ == "VERB" else self.vocab.nouns
                ):
                    continue
                by = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "by"), None)
                if by is not None and (doer := pobj(by)) is not None:
                    return doer
        return None

    def mutual(self, trig: Trigger) -> bool:
        """Coordinated sources of this event act on each other when no target is named."""
        return self.mutual_cameo(trig.pattern.cameo, trig.anchor)

    def mutual_cameo(self, cameo: str, verb: Token) -> bool:
        g = self.grammar
        return (
            self._plover_event(cameo) in g.mutual_types
            or cameo in g.mutual_codes
            or verb.lemma_.lower() in g.reciprocal_verbs
        )

    def _is_inanimate(self, subject: Token) -> bool:
        """A subject that is a thing, not an actor nor the instrument of one."""
        if subject.pos_ not in {"NOUN", "PROPN"} or subject.ent_type_ in {"PERSON", "NORP"}:
            return False
        if subject.tag_ in {"NNS", "NNPS"}:
            return False  # plural subjects are mostly groups of people: "mourners", "Kurds"
        lemma = subject.lemma_.lower()
        return lemma not in self.grammar.instrument_nouns and lemma not in self.vocab.nouns

    def _is_force_of_nature(self, doer: Token) -> bool:
        """A "by" agent that is no actor: a thing that is neither an agent noun, a name,
        an instrument of force nor an event ("by a landslide", "by the storm")."""
        return (
            doer.pos_ == "NOUN"
            and not doer.ent_type_
            and not is_agent_noun(self.kb, doer)
            and self._is_inanimate(doer)
        )

    def _implied_targets(
        self,
        tok: Token,
        sources: Sequence[Actor],
        actors: DocumentActors,
        cameo: str = "",
        exclude: frozenset[int] = frozenset(),
    ) -> list[Actor]:
        """The actor the action is about when no slot names one.

        "rejected a U.S. request" (the object's owner), "threatened to ban voting in East
        Jerusalem" (inside the infinitive), "demonstrated in Kirkuk" (where it happened).
        Searched breadth-first below the trigger, nearest first, never in the subject.
        """
        taken = {a.key for a in sources}
        for child in tok.children:
            if child.dep_ == "ccomp":  # "demanded that the US cancel": the US
                subject = next((c for c in child.children if c.dep_ == "nsubj"), None)
                if subject is not None:
                    found = [a for a in self.actors_of(subject, actors) if a.key not in taken]
                    if found and found[0].country is not None:
                        return found
        # "will meet in Vienna": where people meet is not whom they meet
        meeting = self._plover_event(cameo) == "CONSULT" or cameo in self.grammar.meeting_intents
        frontier = [
            c
            for c in tok.children
            if c.dep_ in _IMPLIED_FIRST
            and c.i not in exclude
            and not (meeting and c.dep_ == "prep" and c.lower_ in self.grammar.place_preps)
        ]
        later = [c for c in tok.children if c.dep_ in _IMPLIED_LAST]
        for _ in range(4):
            next_frontier: list[Token] = []
            for node in sorted(frontier, key=lambda t: t.i):
                if node.i in exclude:
                    continue
                if node.pos_ in {"NOUN", "PROPN", "ADJ"}:
                    found = [
                        a
                        for a in self.actors_of(node, actors)
                        if a.key not in taken and a.country is not None
                    ]
                    if found:
                        return found
                next_frontier.extend(c for c in node.children if c.dep_ in _IMPLIED_INNER)
            frontier = next_frontier or later
            later = []
            if not frontier:
                break
        return []

    def noun_roles(
        self, trig: Trigger, actors: DocumentActors
    ) -> tuple[list[Actor], list[Actor], bool]:
        """The sources and targets of an event noun ("Russia's invasion of Ukraine"); the
        third item, passive, is always False."""
        tok = trig.token
        sources: list[Actor] = []
        if self.mutual(trig) and (between := self._between_roles(trig, actors)) is not None:
            return between
        by_agent = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "by"), None)
        if by_agent is not None and (obj := pobj(by_agent)) is not None:
            sources = actors.resolve(obj)
        giving = self._plover_event(trig.pattern.cameo) in self.grammar.giving_types
        giver = self._giver(tok) if giving else None
        if not sources and giver is not None:
            # "aid from Japan, South Korea and the Red Cross": every giver listed
            sources = actors.resolve(giver)
            receiver = self.subject_of(tok.head) if self._is_received(tok) else None
            if sources and receiver is not None:
                return sources, self.actors_of(receiver, actors), False
        if not sources:
            sources = self._modifier_sources(tok, actors)
        if not sources and trig.support is not None:
            subject = self.subject_of(trig.support)
            if subject is not None:
                sources = actors.resolve(subject)
        targets = self._targets(tok, trig.pattern.target, actors) or (
            self._told_targets(trig, actors)
        )
        if not targets and trig.support is not None:
            targets = self._targets(trig.support, trig.pattern.target, actors)
        if by_agent is not None and not targets:
            poss = next((c for c in tok.children if c.dep_ == "poss"), None)
            if poss is not None:
                targets = actors.resolve(poss)
        mutual = self.mutual(trig) and len(sources) > 1
        if not targets and trig.pattern.target != ("none",) and not mutual:
            givers = frozenset(t.i for t in giver.subtree) if giver is not None else frozenset()
            targets = self._implied_targets(tok, sources, actors, trig.pattern.cameo, givers)
            if not targets and tok.dep_ == "nsubj" and trig.support is None:
                # "aid from Japan arrived in southern Turkey": where the aid went
                own = frozenset(t.i for t in tok.subtree)
                targets = self._implied_targets(tok.head, sources, actors, trig.pattern.cameo, own)
        targets = [t for t in targets if all(t.key != s.key for s in sources)]
        return sources, targets, False

    def _between_roles(
        self, trig: Trigger, actors: DocumentActors
    ) -> tuple[list[Actor], list[Actor], bool] | None:
        """ "talks between US and Russian officials", "clashes between A and B": the parties
        act on each other, or a mediator on both; None when fewer than two are named."""
        tok = trig.token
        holders = [tok] + ([tok.head] if tok.dep_ == "compound" else [])
        between = next(
            (
                c
                for holder in holders
                for c in holder.children
                if c.dep_ == "prep" and c.lower_ == "between"
            ),
            None,
        )
        partner = pobj(between) if between is not None else None
        parties = self.actors_of(partner, actors) if partner is not None else []
        if len(parties) > 1 and trig.pattern.cameo in self.grammar.mediation_codes:
            mediator = self.subject_of(trig.support) if trig.support is not None else None
            mediators = self.actors_of(mediator, actors) if mediator is not None else []
            if mediators:
                return mediators, parties, False  # "Qatar's emir launched a mediation"
        elif len(parties) > 1:
            return parties, [], False
        return None

    def _modifier_sources(self, noun: Token, actors: DocumentActors) -> list[Actor]:
        """The doers named before an event noun: "Russia's invasion", "a US strike"."""
        sources: list[Actor] = []
        for child in noun.children:
            if child.dep_ in {"poss", "amod", "compound", "nmod"} and child.i < noun.i:
                for word in child.subtree:
                    ent = actors.entity_at.get(word.i)
                    if ent is not None and ent.root.i != word.i:
                        continue  # "Narendra" of "Narendra Modi's visit"
                    if word.dep_ in {"poss", "amod", "compound", "nmod", "conj"}:
                        found = actors.resolve_one(word)
                        # "military aid": a kind of aid, not a giver; a giver is named
                        if found is None:
                            continue
                        named = found.country is not None or word.dep_ == "poss"
                        if named and all(found.key != s.key for s in sources):
                            sources.append(found)
        return sources

    def _told_targets(self, trig: Trigger, actors: DocumentActors) -> list[Actor]:
        """ "An Israeli drone strike on a car ... killed two Hezbollah members": the verb
        that tells what the strike did names its target."""
        tok = trig.token
        if (
            tok.dep_ != "nsubj"
            or trig.support is not None
            or not self.finder.is_trigger_verb(tok.head)
        ):
            return []
        verb = tok.head
        told = self.finder.verb_pattern(verb)
        if told is None or self._plover_event(told.cameo) != self._plover_event(trig.pattern.cameo):
            return []
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        return self.actors_of(obj, actors) if obj is not None else []

    def _is_received(self, noun: Token) -> bool:
        return noun.dep_ == "dobj" and noun.head.lemma_.lower() in self.grammar.receiving_verbs

    def _giver(self, noun: Token) -> Token | None:
        """ "aid from X" or "received aid from X": who the thing comes from."""
        holders = [noun] + ([noun.head] if self._is_received(noun) else [])
        for holder in holders:
            for prep in holder.children:
                if prep.dep_ == "prep" and prep.lower_ == "from":
                    return pobj(prep)
        return None

    def subject_of(self, verb: Token, depth: int = 0, from_xcomp: bool = False) -> Token | None:
        """The verb's subject, or that of the clause it depends on."""
        for child in verb.children:
            if child.dep_ in SUBJECT_DEPS:
                relative = child.lower_ in {"who", "which", "that"}
                if child.dep_ == "nsubj" and relative and verb.dep_ == "relcl":
                    return verb.head
                return child
        if depth > 0 and any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children):
            raised = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
            if from_xcomp and raised is not None:
                return raised  # "the prime minister is expected to meet"
            # the doer of a passive clause is its "by" agent: "X was attacked by Y, killing"
            agent = next((c for c in verb.children if c.dep_ == "agent"), None)
            return pobj(agent) if agent is not None else None
        if depth > 4:
            return None
        return self._subject_by_place(verb, depth)

    def _subject_by_place(self, verb: Token, depth: int) -> Token | None:
        """The subject of a verb without one of its own, from where the verb hangs."""
        dep = verb.dep_
        head = verb.head
        if head.i == verb.i or dep == "ccomp":
            return None  # "X said (that) ... attacked": X is not the attacker
        if dep == "relcl":
            return head
        if dep == "acomp":  # "X is grateful to Y"
            return self.subject_of(head, depth + 1)
        if dep == "pcomp" and head.dep_ == "prep" and head.head.pos_ == "VERB":
            # "X accused Y of shelling Z": Y shelled
            obj = next((c for c in head.head.children if c.dep_ == "dobj"), None)
            if obj is not None:
                return obj
            return self.subject_of(head.head, depth + 1)
        if (
            dep == "pcomp"
            and head.dep_ == "prep"
            and head.head.dep_ == "dobj"
            and head.head.pos_ in {"NOUN", "PROPN"}
        ):
            # the parser's other reading: "accused [Armenian forces of shelling]"
            return head.head
        if dep == "xcomp" and head.lemma_.lower() in self.grammar.object_control_verbs:
            obj = next((c for c in head.children if c.dep_ == "dobj"), None)
            if obj is not None:
                return obj
        if dep == "acl" and head.pos_ in {"NOUN", "PROPN"}:
            return self._participle_subject(verb, depth)
        if dep in _CLAUSE_DEPS or dep in {"advcl", "conj"}:
            return self._clause_subject(verb, depth)
        return None

    def _participle_subject(self, verb: Token, depth: int) -> Token | None:
        """The subject of a clause that modifies a noun: "the declaration demanding"."""
        head = verb.head
        poss = next((c for c in head.children if c.dep_ in {"poss"}), None)
        if poss is not None:
            return poss
        if verb.tag_ == "VBG" and not is_agent_noun(self.kb, head) and head.dep_ == "dobj":
            # "issued a declaration demanding that ...": who issued it
            return self.subject_of(head.head, depth + 1)
        if verb.tag_ == "VBG" and head.dep_ == "attr":
            # the predicate noun is its subject: "Poland has been a major supporter,
            # supplying weapons": Poland supplies
            return self.subject_of(head.head, depth + 1)
        if verb.tag_ == "VBG":
            return head
        return None

    def _clause_subject(self, verb: Token, depth: int) -> Token | None:
        """The subject of a clause under another clause or a coordinated verb."""
        dep = verb.dep_
        head = verb.head
        if head.pos_ in {"VERB", "AUX", "ADJ"}:  # ADJ: "is willing to withdraw"
            return self.subject_of(head, depth + 1, from_xcomp=dep == "xcomp")
        if head.dep_ == "ROOT" and head.pos_ in {"NOUN", "PROPN"}:
            # the parser slip "Zelenskyy [briefed Duda] ..., and stressed": the subject
            # of the misread verb is the subject of the sentence
            slipped = next(
                (
                    c
                    for c in head.children
                    if c.dep_ == "amod" and c.tag_ in {"VBD", "VBZ", "VBN"} and c.i < head.i
                ),
                None,
            )
            if slipped is not None:
                return next(
                    (c for c in slipped.children if c.i < slipped.i and c.pos_ == "PROPN"),
                    None,
                )
        if dep == "conj":
            return self.subject_of(head, depth + 1)
        return None

    def _targets(self, tok: Token, slots: Sequence[str], actors: DocumentActors) -> list[Actor]:
        for slot in slots:
            found = self._slot(tok, slot, actors)
            if found:
                return found
        return []

    def actors_of(self, token: Token, actors: DocumentActors) -> list[Actor]:
        """Actors of an argument; an event noun ("the strikes") is not an actor."""
        if token.pos_ == "VERB":
            subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
            if subject is None and token.tag_ == "VBG":
                # "bowed to [protesting farmers]": the participle's people
                subject = next(
                    (c for c in token.children if c.dep_ == "dobj" and is_agent_noun(self.kb, c)),
                    None,
                )
            if subject is None:
                return []
            token = subject
        if (
            token.pos_ == "NOUN"
            and actors.kb.agent(token.text) is None
            and self.finder.noun_pattern(token)
        ):
            # "praised Lithuania's support": not the support, but whose it is
            owner = next((c for c in token.children if c.dep_ == "poss"), None)
            return actors.resolve(owner) if owner is not None else []
        return actors.resolve(token)

    def _slot(self, tok: Token, slot: str, actors: DocumentActors) -> list[Actor]:
        """The actors in one target slot of a pattern (the slots are listed in
        ``coding.patterns``); empty for ``none`` and when the slot holds no actor."""
        if slot in {"dobj", "iobj"}:
            return self._object_slot(tok, slot, actors)
        if slot == "dative":
            return self._dative_slot(tok, actors)
        if slot == "clause_subject":
            return self._clause_subject_slot(tok, actors)
        if slot == "poss":
            return next((self.actors_of(c, actors) for c in tok.children if c.dep_ == "poss"), [])
        if slot.startswith("prep:"):
            return self._prep_slot(tok, slot[5:], actors)
        return []

    def _object_slot(self, tok: Token, slot: str, actors: DocumentActors) -> list[Actor]:
        for child in tok.children:
            if child.dep_ == slot:
                found = self.actors_of(child, actors)
                if found:
                    return found
        subject = infinitive_subject(tok) if slot == "dobj" else None
        return self.actors_of(subject, actors) if subject is not None else []

    def _dative_slot(self, tok: Token, actors: DocumentActors) -> list[Actor]:
        for child in tok.children:
            if child.dep_ == "dative":
                inner = pobj(child) if child.pos_ == "ADP" else child
                if inner is not None and (found := self.actors_of(inner, actors)):
                    return found
        return []

    def _clause_subject_slot(self, tok: Token, actors: DocumentActors) -> list[Actor]:
        """ "an invitation for General Kukuła to visit": the subject of the infinitive."""
        for child in tok.children:
            if child.dep_ in {"relcl", "acl"} and child.pos_ == "VERB":
                subject = next((c for c in child.children if c.dep_ == "nsubj"), None)
                if subject is not None and (found := self.actors_of(subject, actors)):
                    return found
        return []

    def _prep_slot(self, tok: Token, word: str, actors: DocumentActors) -> list[Actor]:
        holders = [tok] + [c for c in tok.children if c.dep_ in {"dobj", "attr"}]
        # "adopted a package of sanctions against Russia": "against" sits on the sanctions
        holders += [
            inner
            for h in holders[1:]
            if (inner := contained(h, self.grammar.container_nouns)) is not None
        ]
        for holder in holders:
            for child in holder.children:
                if child.dep_ in {"prep", "dative", "agent"} and child.lower_ == word:
                    obj = pobj(child)
                    if obj is not None and (found := self.actors_of(obj, actors)):
                        return found
        return []
