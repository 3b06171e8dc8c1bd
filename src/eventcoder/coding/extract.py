"""Events from the dependency parse.

A trigger (a verb or an event noun from the pattern files) gives the event type;
its subject (or the agent of a passive, or the subject of the clause it depends
on) gives the source; its object or a prepositional object gives the target.
Modality (negation, intent, hypothetical, reported speech) and the event date
come from the words around the trigger.

The parts live beside this module: ``triggers`` finds the triggers of a sentence and
drops those that are no event of their own, ``roles`` reads sources and targets from the
parse (with ``parse`` for the small readings both share), ``candidates`` turns a trigger
into candidate events, and ``modality`` gives modality, confidence and dates. The
``Extractor`` here puts them together, sentence by sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from eventcoder.actors.kb import KnowledgeBase
from eventcoder.actors.resolver import DocumentActors
from eventcoder.coding.candidates import Candidate, CandidateFinder
from eventcoder.coding.dates import ResolvedDate
from eventcoder.coding.modality import sentence_day, trigger_dates
from eventcoder.coding.parse import is_agent_noun, trimmed_bounds
from eventcoder.coding.patterns import Vocabulary
from eventcoder.coding.roles import RoleFinder
from eventcoder.coding.triggers import Trigger, TriggerFilter, TriggerFinder
from eventcoder.model import Document, Event, Evidence
from eventcoder.ontology import Ontology

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


class Extractor:
    """Find triggers in one sentence and turn them into events."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        ontology: Ontology,
        coder_version: str,
        kb: KnowledgeBase,
    ) -> None:
        self.vocab = vocabulary
        self.grammar = vocabulary.grammar
        self.ontology = ontology
        self.coder_version = coder_version
        self.kb = kb
        # events dropped because source and target were the same actor and the text named
        # no other side; a running count, read by the corpus run's summary
        self.dropped_self_dyads = 0
        self.trigger_finder = TriggerFinder(vocabulary)
        self.trigger_filter = TriggerFilter(vocabulary.grammar, ontology, kb)
        roles = RoleFinder(vocabulary, ontology, kb, self.trigger_finder)
        self.candidate_finder = CandidateFinder(
            vocabulary.grammar, ontology, roles, self.trigger_finder
        )

    # -- document level ----------------------------------------------------------
    def events(self, document: Document, doc: Doc, actors: DocumentActors) -> list[Event]:
        events: list[Event] = []
        previous: ResolvedDate | None = None
        for sent in doc.sents:
            ents = actors.ents_between(sent.start, sent.end)
            said = [e for e in ents if e.label_ in {"DATE", "TIME"}]
            if sent.start > 0 and "\n\n" in doc[sent.start - 1].text_with_ws:
                previous = None  # a new paragraph
            events.extend(self._sentence_events(document, sent, actors, previous))
            # only the sentence right after may take this one's day
            previous = sentence_day(said, document.date) if said else None
        return events

    def _sentence_events(
        self,
        document: Document,
        sent: Span,
        actors: DocumentActors,
        inherited: ResolvedDate | None = None,
    ) -> Iterator[Event]:
        triggers = list(self.trigger_finder.triggers(sent))
        by_token = {t.token.i: t for t in triggers}
        dates = trigger_dates(actors.ents_between(sent.start, sent.end), triggers, document.date)
        best: dict[tuple[str, str, str], Candidate] = {}
        left_out: set[tuple[int, str]] = set()
        for trig in triggers:
            when = dates.get(trig.token.i)
            if self.trigger_filter.not_its_own_event(trig, by_token, dated=when is not None):
                continue
            when = when or inherited
            for cand in self.candidate_finder.candidates(trig, actors, when):
                if cand.modality.negated or cand.modality.hypothetical:
                    continue
                plover = self.ontology.cameo(cand.cameo).plover
                if plover is None:
                    continue
                if cand.left_out:
                    left_out.add((trig.token.i, cand.source.code if cand.source else ""))
                    continue
                key = (
                    cand.source.code if cand.source else "",
                    cand.target.code if cand.target else "",
                    plover.event,
                )
                old = best.get(key)
                if old is None or cand.confidence > old.confidence:
                    best[key] = cand
        # "met Zelenskyy in Kyiv, on his first trip to Ukraine": one consultation, with the
        # more specific target (UKRGOV, not the bare country UKR)
        specific = {
            (key[0], cand.target.country, key[2])
            for key, cand in best.items()
            if cand.target is not None and cand.target.sector
        }
        best = {
            key: cand
            for key, cand in best.items()
            if cand.target is None
            or cand.target.sector
            or (key[0], cand.target.country, key[2]) not in specific
        }
        targeted = {(key[0], key[2]) for key, cand in best.items() if cand.target is not None}
        for key, cand in sorted(best.items(), key=lambda kc: (kc[1].trigger.token.i, kc[1].cameo)):
            if cand.target is None and (key[0], key[2]) in targeted:
                continue  # "gave in to the protesters and withdrew the bill": one concession
            if cand.target is None and key[2] == "CONSULT":
                continue  # "visited a steel plant": a consultation is with someone
            left_out.discard((cand.trigger.token.i, key[0]))
            yield self._event(document, sent, cand)
        self.dropped_self_dyads += len(left_out)

    def vocab_agent(self, noun: Token) -> bool:
        """Whether a noun names a kind of actor ("rebels", "officials")."""
        return is_agent_noun(self.kb, noun)

    # -- output ----------------------------------------------------------------------
    def _event(self, document: Document, sent: Span, cand: Candidate) -> Event:
        entry = self.ontology.cameo(cand.cameo)
        plover = entry.plover
        assert plover is not None
        trig = cand.trigger
        trigger_span = _trigger_span(trig)
        sent_start, sent_end = trimmed_bounds(sent)
        when = cand.date
        return Event(
            doc_id=document.doc_id,
            date=when.date if when else document.date,
            date_precision=when.precision if when else "publication",
            source=cand.source,
            target=cand.target,
            cameo=entry.code,
            goldstein=entry.goldstein,
            quad_class=entry.quad_class,
            plover=plover,
            modality=cand.modality,
            evidence=Evidence(
                sentence=document.text[sent_start:sent_end],
                start=sent_start,
                end=sent_end,
                trigger=document.text[trigger_span[0] : trigger_span[1]],
                trigger_start=trigger_span[0],
                trigger_end=trigger_span[1],
            ),
            confidence=cand.confidence,
            rule=trig.pattern.source,
            coder_version=self.coder_version,
        )


def _trigger_span(trig: Trigger) -> tuple[int, int]:
    tokens = [trig.token]
    if trig.support is not None and abs(trig.support.i - trig.token.i) <= 4:
        tokens.append(trig.support)
    for child in trig.token.children:
        if child.dep_ == "prt" or (
            child.dep_ in {"compound", "amod"} and child.lemma_.lower() in trig.pattern.modifiers
        ):
            tokens.append(child)
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    return start, end
