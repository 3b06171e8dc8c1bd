"""How the learned model and the rules make one set of events.

The rules find triggers and read actors, direction and modality off the parse; the model
reads each sentence whole and says whether it reports an event and of which type. Per
sentence (``Combiner.combine``), the stacker (``stack.py``) weighs both and decides:

* **veto**: the model is sure the sentence reports no event at all: its rule events are
  dropped;
* **re-type**: the sentence has one rule type, the stacker doubts it and is sure of
  another: the rule events keep their trigger and actors and take the new type, its
  CAMEO code the model's root for that type, else the type's broadest code;
  ``coder.rule`` ends in ``+model-retype:OLD>NEW``, ``confidence`` is the stacker's;
* **add**: the stacker is sure of a type no rule event carries: an event is made from the
  parse, the sentence's main predicate as trigger (else, if it has no actor, a word
  that triggers that type in the rule patterns), its subject (or a passive's agent)
  as source and its object (or a passive's subject) as target, an actor with no country
  placed by the one country the sentence names; ``coder.rule`` is ``model:TYPE`` and
  ``confidence`` the stacker's probability;
* every other rule event is kept as the rules made it: a sentence-level model cannot
  judge a second event in a sentence, so it never drops one type among several.

``model_only`` codes from the model's own types (``EventModel.predicted_types``), with
the same parse roles, so the three ways can be compared on one gold file (``eventcoder
eval``). The stacker and its thresholds were fitted by cross-validation on the corpus'
training part (``training/train.py``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from eventcoder.actors.resolver import DocumentActors
from eventcoder.coding.dates import resolve_date
from eventcoder.coding.learned.features import Lexicon
from eventcoder.coding.learned.model import EventModel, SentenceScores
from eventcoder.coding.parse import trimmed_bounds
from eventcoder.errors import DataError
from eventcoder.model import Actor, Document, Event, Evidence, Modality
from eventcoder.ontology import CameoCode, Ontology

_SUBJECTS = frozenset({"nsubj", "csubj"})
_PASSIVE_SUBJECTS = frozenset({"nsubjpass", "csubjpass"})
_OBJECTS = frozenset({"dobj", "dative", "obj"})
_TARGET_PREPOSITIONS = frozenset(
    {"on", "against", "at", "into", "to", "with", "from", "toward", "towards", "in", "upon"}
)
_DATE_LABELS = frozenset({"DATE", "TIME"})
_REPORTED = frozenset({"ccomp", "parataxis"})


class Combiner:
    def __init__(
        self,
        model: EventModel,
        ontology: Ontology,
        coder_version: str,
        reporting_verbs: frozenset[str] = frozenset(),
    ) -> None:
        self.model = model
        self.reporting_verbs = reporting_verbs
        self.ontology = ontology
        self.coder_version = coder_version
        if model.stacker is None:
            raise DataError(
                "the learned model has no stacker (an old model.json): rebuild it with "
                "`make model`, or code with rules only (`--no-model`)",
                str(model.folder),
            )
        self.stacker = model.stacker
        self._codes_by_type: dict[str, list[CameoCode]] = {}
        for entry in ontology.cameo_codes.values():
            if entry.plover is not None:
                self._codes_by_type.setdefault(entry.plover.event, []).append(entry)

    def scores(self, doc: Doc) -> tuple[list[Span], list[SentenceScores]]:
        sents = list(doc.sents)
        lemmas = [[t.lemma_.lower() for t in s if not t.is_space] for s in sents]
        return sents, self.model.score([s.text for s in sents], lemmas)

    def combine(
        self, document: Document, doc: Doc, actors: DocumentActors, rule_events: Sequence[Event]
    ) -> list[Event]:
        sents, scores = self.scores(doc)
        by_sentence = _events_by_sentence(sents, rule_events)
        events: list[Event] = []
        for index, (sent, score) in enumerate(zip(sents, scores, strict=True)):
            found = by_sentence.get(index, [])
            rule_types: dict[str, float] = {}
            for event in found:
                name = event.plover.event
                rule_types[name] = max(rule_types.get(name, 0.0), event.confidence)
            decision = self.stacker.decide(score, rule_types)
            if decision.vetoed:
                continue
            for event in found:
                new = decision.retyped.get(event.plover.event)
                if new is None:
                    events.append(event)
                else:
                    p = decision.probabilities[new]
                    events.append(self._retyped(event, new, p, score))
            for name, p in decision.added.items():
                events.extend(self._made(document, sent, actors, name, p, score))
        return events

    def model_only(self, document: Document, doc: Doc, actors: DocumentActors) -> list[Event]:
        sents, scores = self.scores(doc)
        events: list[Event] = []
        for sent, score in zip(sents, scores, strict=True):
            for name in sorted(self.model.predicted_types(score)):
                events.extend(self._made(document, sent, actors, name, score.types[name], score))
        return events

    # -- rule events -------------------------------------------------------------
    def _retyped(self, event: Event, name: str, p: float, score: SentenceScores) -> Event:
        entry = self._cameo_for(name, score)
        assert entry.plover is not None
        return replace(
            event,
            cameo=entry.code,
            goldstein=entry.goldstein,
            quad_class=entry.quad_class,
            plover=entry.plover,
            confidence=round(p, 3),
            rule=f"{event.rule}+model-retype:{event.plover.event}>{name}",
            event_id="",
        )

    def _cameo_for(self, name: str, score: SentenceScores) -> CameoCode:
        """The model's CAMEO root if it is of type ``name``, else the type's broadest code."""
        codes = self._codes_by_type[name]
        for entry in codes:
            if entry.code == score.root:
                return entry
        return min(codes, key=lambda e: (len(e.code), e.code))

    # -- events from the model -----------------------------------------------------
    def _made(
        self,
        document: Document,
        sent: Span,
        actors: DocumentActors,
        name: str,
        p: float,
        score: SentenceScores,
    ) -> Iterator[Event]:
        found = None
        for predicate in event_predicates(sent, name, self.model.lexicon, self.reporting_verbs):
            source, target = parse_roles(predicate, actors)
            source, target = (
                _placed(source, target, sent, actors),
                _placed(target, source, sent, actors),
            )
            if source is not None and target is not None and source.identity == target.identity:
                target = None
            if source is not None or target is not None:
                found = predicate, source, target
                break
        if found is None:
            return
        predicate, source, target = found
        entry = self._cameo_for(name, score)
        assert entry.plover is not None
        start, end = trimmed_bounds(sent)
        day, precision = _event_day(sent, predicate, actors, document.date)
        trigger_end = predicate.idx + len(predicate.text)
        yield Event(
            doc_id=document.doc_id,
            date=day,
            date_precision=precision,
            source=source,
            target=target,
            cameo=entry.code,
            goldstein=entry.goldstein,
            quad_class=entry.quad_class,
            plover=entry.plover,
            modality=Modality(reported=False),
            evidence=Evidence(
                sentence=document.text[start:end],
                start=start,
                end=end,
                trigger=document.text[predicate.idx : trigger_end],
                trigger_start=predicate.idx,
                trigger_end=trigger_end,
            ),
            confidence=round(p, 3),
            rule=f"model:{name}",
            coder_version=self.coder_version,
        )


def _events_by_sentence(sents: Sequence[Span], events: Sequence[Event]) -> dict[int, list[Event]]:
    starts = [s.start_char for s in sents]
    grouped: dict[int, list[Event]] = {}
    for event in events:
        index = max(bisect_right(starts, event.evidence.trigger_start) - 1, 0)
        grouped.setdefault(index, []).append(event)
    return grouped


def event_predicates(
    sent: Span, name: str, lexicon: Lexicon, reporting_verbs: frozenset[str] = frozenset()
) -> Iterator[Token]:
    """Words that may carry an event of type ``name``: the sentence's main predicate, then
    the verbs and nouns that trigger that type in the rule patterns, nearest the root
    first ("Forty people were treated after militia fighters *fired* gas shells")."""
    main = main_predicate(sent, reporting_verbs)
    if main is not None:
        yield main
    triggers = [
        t
        for t in sent
        if t.pos_ in {"VERB", "NOUN"}
        and t != main
        and name in lexicon.get(t.lemma_.lower(), frozenset())
    ]
    yield from sorted(triggers, key=lambda t: (_depth(t, sent.root), t.i))


def main_predicate(sent: Span, reporting_verbs: frozenset[str] = frozenset()) -> Token | None:
    """The verb the sentence is about: its root if a verb, else the root's first verb;
    past a reporting verb ("..., officials said") to the clause it reports."""
    root = sent.root
    predicate = root if root.pos_ in {"VERB", "AUX"} else None
    if predicate is None:
        predicate = next((t for t in root.subtree if t.pos_ == "VERB"), None)
    if predicate is None:
        return root if root.pos_ == "NOUN" else None
    while predicate.lemma_.lower() in reporting_verbs:
        reported = [
            c for c in predicate.children if c.dep_ in _REPORTED and c.pos_ in {"VERB", "AUX"}
        ]
        if not reported:
            break
        predicate = reported[0]
    return predicate


def parse_roles(predicate: Token, actors: DocumentActors) -> tuple[Actor | None, Actor | None]:
    """Source and target of ``predicate``: who does it (subject, or the agent of a
    passive) and to whom (object, a target preposition's object, or a passive's subject)."""
    children = list(predicate.children)
    doers = [c for c in children if c.dep_ in _SUBJECTS]
    done_to = [c for c in children if c.dep_ in _OBJECTS]
    passive = [c for c in children if c.dep_ in _PASSIVE_SUBJECTS]
    for child in children:
        if child.dep_ == "agent":
            doers.extend(g for g in child.children if g.dep_ == "pobj")
        elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPOSITIONS:
            done_to.extend(g for g in child.children if g.dep_ == "pobj")
    if passive:
        done_to = passive + done_to
    if predicate.pos_ == "NOUN":  # "Protests by teachers": the noun's own phrase
        doers.append(predicate)
    return _first_actor(doers, actors), _first_actor(done_to, actors)


def _first_actor(heads: Sequence[Token], actors: DocumentActors) -> Actor | None:
    for head in heads:
        # the head's own words first, then nearer words before farther ones
        for token in sorted(head.subtree, key=lambda t: (_depth(t, head), t.i)):
            found = actors.resolve(token)
            if found:
                return found[0]
    return None


def _depth(token: Token, head: Token) -> int:
    depth = 0
    while token.i != head.i and token.head.i != token.i:
        token = token.head
        depth += 1
    return depth


def _placed(
    actor: Actor | None, other: Actor | None, sent: Span, actors: DocumentActors
) -> Actor | None:
    """An actor with no country takes the country of a place in its own words ("police in
    Birmingham"), else the one country the sentence's places give, else, in a story that
    names no country, that of the place it names most unless it is the ``other`` side's
    (as the rules do: ``CandidateFinder._place_in_context``)."""
    if actor is None or actor.country:
        return actor
    local = actors.place_country(actor, story=False)
    if local is not None:
        return actors.with_country(actor, *local)
    countries: dict[str, str] = {}
    for ent in actors.ents_between(sent.start, sent.end):
        if ent.label_ in {"GPE", "LOC", "NORP"}:
            for found in actors.resolve(ent.root):
                if found.country and found.country not in {"IGO", "NGO"}:
                    countries.setdefault(found.country, ent.text)
    if not countries and not actors.countries_by_mentions():
        others = [other.country] if other is not None and other.country else []
        story = actors.place_country(actor, story=True, others=others)
        if story is not None:
            return actors.with_country(actor, *story)
    if len(countries) != 1:
        return actor
    country, place = next(iter(countries.items()))
    return actors.with_country(actor, country, f"from {place!r} in the sentence")


def _event_day(
    sent: Span, predicate: Token, actors: DocumentActors, published: date
) -> tuple[date, str]:
    """The day the sentence gives nearest the predicate, else the publication date."""
    dated = [
        (abs(ent.root.i - predicate.i), resolved)
        for ent in actors.ents_between(sent.start, sent.end)
        if ent.label_ in _DATE_LABELS and (resolved := resolve_date(ent.text, published))
    ]
    if not dated:
        return published, "publication"
    resolved = min(dated, key=lambda pair: pair[0])[1]
    return resolved.date, resolved.precision
