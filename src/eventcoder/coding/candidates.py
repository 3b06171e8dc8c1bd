"""Candidate events of a trigger: its sources and targets, the CAMEO code the construction
gives it ("vowed to retaliate" is a threat, "held joint drills" cooperation), and the
actors the story supplies when the sentence leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from eventcoder.actors.resolver import DocumentActors
from eventcoder.coding.dates import ResolvedDate
from eventcoder.coding.modality import confidence_of, modality_of
from eventcoder.coding.patterns import Grammar
from eventcoder.coding.roles import SUBJECT_DEPS, RoleFinder
from eventcoder.coding.triggers import Trigger, TriggerFinder, plover_event
from eventcoder.model import Actor, Modality
from eventcoder.ontology import Ontology

if TYPE_CHECKING:
    from spacy.tokens import Token


@dataclass(frozen=True)
class Candidate:
    trigger: Trigger
    source: Actor | None
    target: Actor | None
    cameo: str
    modality: Modality
    date: ResolvedDate | None
    confidence: float
    left_out: bool = False  # source and target the same actor, and no other side named


class CandidateFinder:
    """Turn a trigger into candidate events: who did it to whom, coded how."""

    def __init__(
        self,
        grammar: Grammar,
        ontology: Ontology,
        roles: RoleFinder,
        finder: TriggerFinder,
    ) -> None:
        self.grammar = grammar
        self.ontology = ontology
        self.roles = roles
        self.finder = finder

    def _plover_event(self, cameo: str) -> str | None:
        return plover_event(self.ontology, cameo)

    def candidates(
        self, trig: Trigger, actors: DocumentActors, when: ResolvedDate | None
    ) -> Iterator[Candidate]:
        modality = modality_of(trig, self.grammar)
        roles = self._roles(trig, actors)
        if roles is None:
            return
        sources, targets, passive = roles
        mutual = self.roles.mutual(trig)
        if mutual and len(sources) > 1 and not any(t.country for t in targets):
            targets = []  # "A and B discussed ... with the presidents delving": A and B
        cameo = self._construction_code(trig)
        if cameo != trig.pattern.cameo:
            mutual = self.roles.mutual_cameo(cameo, trig.anchor)
            if mutual and len(sources) > 1:
                targets = []  # "China and Russia held joint drills in the Sea of Japan"
        reframed = self._reframe(trig, cameo, sources, targets, actors)
        if reframed is not None:
            cameo, sources, targets = reframed
            modality = Modality(negated=modality.negated, intent=True)  # the speaker's own words
            mutual = False
        elif modality.intent:
            remapped = self.grammar.intent_codes.get(cameo[:2])
            if remapped is not None:
                cameo = remapped
        sources, targets = self._place_in_context(sources, targets, actors)
        if not any(a.country for a in [*sources, *targets]):
            return  # nobody to code: "two generals discussed", "the talks resumed"
        implied = self._implied_targets(trig, cameo, sources, targets, mutual, actors)
        targets = implied or targets
        confidence = confidence_of(trig.pattern, sources, targets, passive)
        if implied:
            confidence = round(max(0.05, confidence - 0.15), 2)
        if not sources:
            return  # the record has a source; "reservists would be called up" names none
        for source, target in self._pairs(cameo, sources, targets, mutual)[:12]:
            score = confidence
            if (
                target is not None
                and source.code == target.code
                and not _distinct_named(source, target)
            ):
                if source.text == target.text:
                    continue  # one phrase read twice
                # "Yoon warned that Seoul would respond": KOR->KOR is not what the text says
                other = self._other_side(trig, source, actors)
                if other is None:
                    yield Candidate(trig, source, target, cameo, modality, when, score, True)
                    continue
                target = other
                score = round(max(0.05, confidence - 0.15), 2)
            yield Candidate(trig, source, target, cameo, modality, when, score)

    def _roles(
        self, trig: Trigger, actors: DocumentActors
    ) -> tuple[list[Actor], list[Actor], bool] | None:
        """Sources, targets and whether the trigger is passive; None for an event noun
        that names no one who did it."""
        if trig.pattern.pos == "verb":
            sources, targets, passive = self.roles.verb_roles(trig.token, trig.pattern, actors)
        else:
            sources, targets, passive = self.roles.noun_roles(trig, actors)
        if trig.pattern.pos == "noun" and not sources:
            return None
        # "Carney met Ramaphosa, and the two agreed": neither is the other's target again
        same = {a.identity for a in sources if a.name or a.kb_id}
        return sources, [t for t in targets if t.identity not in same], passive

    def _implied_targets(
        self,
        trig: Trigger,
        cameo: str,
        sources: list[Actor],
        targets: list[Actor],
        mutual: bool,
        actors: DocumentActors,
    ) -> list[Actor]:
        """The target the story implies when the sentence names none (``_story_target``);
        empty when it names one, when the sources act on each other, or for a meeting."""
        meeting = self._plover_event(cameo) == "CONSULT" or cameo in self.grammar.meeting_intents
        if targets or not sources or (mutual and len(sources) > 1) or meeting:
            return []
        implied = self._story_target(sources, actors, self._plover_event(cameo))
        if self._plover_event(cameo) in self.grammar.untargeted_types:
            # a show of force is aimed at a country only if its sentence names it
            named = self._countries_in_sentence(trig, actors)
            implied = [t for t in implied if t.country in named]
        return implied

    def _pairs(
        self, cameo: str, sources: list[Actor], targets: list[Actor], mutual: bool
    ) -> list[tuple[Actor, Actor | None]]:
        """Who did it to whom: each source to each target, each source alone when there is
        no target, or coordinated sources to each other when their event is mutual."""
        pairs: list[tuple[Actor, Actor | None]] = []
        if not targets and mutual and len(sources) > 1:
            for i, a in enumerate(sources):
                for b in sources[i + 1 :]:
                    pairs.append((a, b))
                    pairs.append((b, a))
        elif not targets:
            pairs.extend((s, None) for s in sources)
        else:
            pairs.extend((s, t) for s in sources for t in targets if s.key != t.key)
        if self._plover_event(cameo) == "CONSULT":
            # "spoke to reporters": a statement, not a consultation
            audiences = self.grammar.statement_audiences
            pairs = [(a, b) for a, b in pairs if b is None or b.sector not in audiences]
        return pairs

    def _other_side(self, trig: Trigger, source: Actor, actors: DocumentActors) -> Actor | None:
        """The target of an event whose words gave the source's own code.

        The nearest actor of another country in the event's clause (not in its subject),
        else the paragraph's other actor (before the sentence, then after it), else one in
        the sentence before.
        """
        own = source.country
        anchor = trig.anchor
        skip: set[int] = set()
        for child in anchor.children:
            if child.dep_ in SUBJECT_DEPS | {"nsubjpass"}:
                skip.update(t.i for t in child.subtree)
        clause = sorted(
            (t for t in anchor.subtree if t.i not in skip and t.pos_ in {"NOUN", "PROPN"}),
            key=lambda t: abs(t.i - trig.token.i),
        )
        sent = trig.token.sent
        para_start, para_end = actors.paragraph_of(anchor.i)
        before = [e.root for e in reversed(actors.ents_between(para_start, sent.start))]
        after = [e.root for e in actors.ents_between(sent.end, para_end)]
        previous: list[Token] = []
        if para_start == sent.start and sent.start > 0:
            prior = anchor.doc[sent.start - 1].sent
            previous = [e.root for e in reversed(actors.ents_between(prior.start, prior.end))]
        for place, tokens in (
            ("in the event's clause", clause),
            ("named before in the paragraph", before),
            ("named later in the paragraph", after),
            ("named in the sentence before", previous),
        ):
            for tok in tokens:
                found = actors.resolve_one(tok)
                if found is not None and found.country not in (None, own):
                    why = f"{found.why}; the other side ({place}), not the source's own country"
                    return replace(found, why=why)
        return None

    def _countries_in_sentence(self, trig: Trigger, actors: DocumentActors) -> set[str]:
        sent = trig.token.sent
        found = (actors.resolve_one(ent.root) for ent in actors.ents_between(sent.start, sent.end))
        return {a.country for a in found if a is not None and a.country is not None}

    def _construction_code(self, trig: Trigger) -> str:
        """The trigger's CAMEO code, or the one its construction gives it: "vowed to
        retaliate" is a threat, "held joint drills" cooperation."""
        return self._intended_force(trig) or self._joint(trig) or trig.pattern.cameo

    def _joint(self, trig: Trigger) -> str | None:
        """ "China and Russia held joint naval drills": done together, it is cooperation."""
        code = self.grammar.joint_codes.get(trig.pattern.cameo[:2])
        if code is None:
            return None
        nouns = [trig.token] + [c for c in trig.token.children if c.dep_ in {"dobj", "attr"}]
        for noun in nouns:
            if any(
                c.dep_ in {"amod", "compound"} and c.lower_ in self.grammar.joint_words
                for c in noun.children
            ):
                return code
        return None

    def _intended_force(self, trig: Trigger) -> str | None:
        """A promise of force is a threat: "vowed to retaliate", "pledged to destroy"."""
        if self._plover_event(trig.pattern.cameo) != "AGREE" or trig.pattern.pos != "verb":
            return None
        for child in trig.token.children:
            if child.dep_ != "xcomp" or child.pos_ != "VERB":
                continue
            inner = self.finder.verb_pattern(child)
            if inner is not None and inner.is_event and inner.cameo[:2] in self.grammar.force_roots:
                return self.grammar.threat_codes.get(inner.cameo[:2])
        return None

    def _reframe(
        self,
        trig: Trigger,
        cameo: str,
        sources: list[Actor],
        targets: list[Actor],
        actors: DocumentActors,
    ) -> tuple[str, list[Actor], list[Actor]] | None:
        """Constructions that change who does what.

        - "Russia said that Sudan must return the helicopter": Russia demands of Sudan.
        - "Nigeria will withdraw its force unless Chad agrees": Nigeria threatens Chad.
        """
        g = self.grammar
        anchor = trig.anchor
        root = cameo[:2]
        aux = {c.lower_ for c in anchor.children if c.dep_ == "aux"}
        clause = anchor
        while clause.dep_ in {"xcomp", "acomp"} and clause.head.i != clause.i:
            clause = clause.head  # "the US must be ready to mediate"
        clause_aux = {c.lower_ for c in clause.children if c.dep_ == "aux"}
        speaker_verb = self._speaker_verb(clause)
        if clause_aux & g.obligation_modals and speaker_verb is not None and root in g.demand_codes:
            speaker = self.roles.subject_of(speaker_verb)
            speakers = self.roles.actors_of(speaker, actors) if speaker is not None else []
            obliged = sources
            if clause is not anchor:
                subject = next((c for c in clause.children if c.dep_ == "nsubj"), None)
                obliged = self.roles.actors_of(subject, actors) if subject is not None else sources
            if speakers and obliged:
                return g.demand_codes[root], speakers, obliged
        if any(c.dep_ == "mark" and c.lower_ in g.condition_marks for c in anchor.children):
            return None  # the trigger is itself the condition: "if Iran attacks"
        condition = next(
            (
                c
                for c in anchor.children
                if c.dep_ == "advcl"
                and any(m.dep_ == "mark" and m.lower_ in g.condition_marks for m in c.children)
            ),
            None,
        )
        future = aux & (g.future_modals | g.hypothetical_modals)
        speculation = (
            not aux & g.future_modals
            and anchor.dep_ == "ccomp"
            and anchor.head.lemma_.lower() in g.reporting_verbs
        )  # "Israel could strike ... if talks collapse, analysts said"
        if (
            condition is not None
            and future
            and not speculation
            and root in g.threat_codes
            and sources
        ):
            subject = next((c for c in condition.children if c.dep_ == "nsubj"), None)
            threatened = self.roles.actors_of(subject, actors) if subject is not None else []
            return g.threat_codes[root], sources, threatened or targets
        return None

    def _story_target(
        self, sources: list[Actor], actors: DocumentActors, plover_event: str | None
    ) -> list[Actor]:
        """No target in the clause: the country the story is about, if not the source's.

        "Russia's full-scale invasion" in an article about Ukraine is an invasion of
        Ukraine. The actor's ``why`` says the target was implied, and confidence drops.
        """
        own = {a.country for a in sources}
        for country in actors.countries_by_mentions():
            if country in own:
                continue
            mention = actors.country_mention(country)
            if mention is None:
                return []
            return [actors.with_country(mention, country, "implied: the story's main country")]
        if (
            plover_event in self.grammar.domestic_types
            and len(own) == 1
            and all(a.sector for a in sources)
        ):
            # "Nigerians rallied to protest ...": a group's action inside its own country
            home = next(iter(own))
            if home is not None and (mention := actors.country_mention(home)):
                return [actors.with_country(mention, home, "implied: a domestic event")]
        return []

    def _speaker_verb(self, clause: Token) -> Token | None:
        """The verb of saying a "that" clause depends on: "Russia said that ...", "issued a
        stern reminder to Iraq that ...". None when the clause is not reported."""
        g = self.grammar
        head = clause.head
        if clause.dep_ == "ccomp" and head.lemma_.lower() in g.reporting_verbs:
            return head
        if clause.dep_ in {"acl", "ccomp"} and head.lemma_.lower() in g.reporting_nouns:
            return head.head if head.head.pos_ in {"VERB", "AUX"} else None
        if clause.dep_ == "ccomp" and any(
            c.dep_ == "dobj" and c.lemma_.lower() in g.reporting_nouns for c in head.children
        ):
            return head
        return None

    def _place_in_context(
        self, sources: list[Actor], targets: list[Actor], actors: DocumentActors
    ) -> tuple[list[Actor], list[Actor]]:
        """Give "the government", "police", "protesters" the country the story is about.

        Facing a domestic actor (civilians, opposition, rebels...) of a known country, it is
        that country; otherwise the most mentioned country of the document other than the
        other side's.
        """

        def place(group: list[Actor], other: list[Actor]) -> list[Actor]:
            out = []
            for actor in group:
                if actor.sector is None and (
                    actor.text.lower().endswith(("counterpart", "counterparts"))
                    or "counterpart" in actor.text.lower()
                    or "'counterparts'" in actor.why
                ):
                    # "the Egyptian foreign minister met his Jordanian counterpart"
                    peer = next((o.sector for o in other if o.sector), None)
                    if peer is not None:
                        actor = actors.with_sector(actor, peer, "a counterpart")
                if actor.country is not None or actor.sector is None:
                    out.append(actor)
                    continue
                local = actors.place_country(actor, story=False)
                if local is not None:
                    out.append(actors.with_country(actor, *local))  # "police in Birmingham"
                    continue
                other_countries = [o.country for o in other if o.country]
                if other_countries and all(
                    o.sector in self.grammar.domestic_sectors for o in other
                ):
                    out.append(
                        actors.with_country(actor, other_countries[0], "from the other side")
                    )
                    continue
                ranked = [c for c in actors.countries_by_mentions() if c not in other_countries]
                if ranked:
                    out.append(actors.with_country(actor, ranked[0], "from the story"))
                elif (
                    story := actors.place_country(actor, story=True, others=other_countries)
                ) is not None:
                    out.append(actors.with_country(actor, *story))
                elif other_countries and actor.sector in self.grammar.domestic_sectors:
                    # "Egyptian police arrested 12 demonstrators": the only country named
                    out.append(actors.with_country(actor, other_countries[0], "the only one"))
                else:
                    out.append(actor)
            return out

        return place(sources, targets), place(targets, sources)


def _distinct_named(source: Actor, target: Actor) -> bool:
    """Two actors of one code that the text names apart, so the event may stand: "Guterres
    appealed to the Security Council", "Putin dismissed Defence Minister Shoigu". A
    country's own name, capital or people ("warned that Seoul would respond") is not."""
    named = ("person:", "org:")
    return (
        (target.kb_id or "").startswith(named)
        and (source.kb_id or "").startswith(named)
        and source.identity != target.identity
    )
