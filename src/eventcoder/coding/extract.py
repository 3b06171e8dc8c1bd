"""Events from the dependency parse.

A trigger (a verb or an event noun from the pattern files) gives the event type;
its subject (or the agent of a passive, or the subject of the clause it depends
on) gives the source; its object or a prepositional object gives the target.
Modality (negation, intent, hypothetical, reported speech) and the event date
come from the words around the trigger.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from eventcoder.actors.kb import KnowledgeBase
from eventcoder.actors.resolver import DocumentActors
from eventcoder.coding.dates import ResolvedDate, resolve_date
from eventcoder.coding.patterns import Pattern, Vocabulary
from eventcoder.model import Actor, Document, Event, Evidence, Modality
from eventcoder.ontology import Ontology

# CAMEO roots of force: promising them is threatening
FORCE_ROOTS = frozenset({"17", "18", "19", "20"})
# events whose content clause is what they are about, not a separate event
CONTENT_TYPES = frozenset({"REQUEST", "AGREE", "THREATEN", "REJECT"})
# event types that often stay inside one country: protests, demands, crackdowns
DOMESTIC_TYPES = frozenset(
    {"PROTEST", "REQUEST", "THREATEN", "COERCE", "ACCUSE", "REJECT", "ASSAULT", "MOBILIZE"}
)
DOMESTIC_SECTORS = frozenset(
    {
        "CVL",
        "OPP",
        "REB",
        "LAB",
        "EDU",
        "MED",
        "BUS",
        "REL",
        "REF",
        "PTY",
        "CRM",
        "AGR",
        "NGO",
        "ELI",
        "UAF",
        "JUD",
        "COP",
        "LEG",
    }
)
_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
# where an implied target is looked for, nearest first
_IMPLIED_FIRST = frozenset({"dobj", "prep", "xcomp", "dative", "attr", "oprd", "npadvmod"})
_IMPLIED_INNER = frozenset(
    {"pobj", "prep", "poss", "amod", "compound", "nmod", "dobj", "xcomp", "conj", "acl", "pcomp"}
)
_IMPLIED_LAST = frozenset({"advcl"})
_NON_EVENT_ENTITIES = frozenset(
    {
        "DATE",
        "TIME",
        "CARDINAL",
        "ORDINAL",
        "MONEY",
        "PERCENT",
        "QUANTITY",
        "WORK_OF_ART",
        "LAW",
        "EVENT",
    }
)
_CLAUSE_DEPS = frozenset({"xcomp", "ccomp", "advcl", "conj", "pcomp", "relcl", "acl", "csubj"})


@dataclass(frozen=True)
class Trigger:
    token: Any
    pattern: Pattern
    anchor: Any  # the verb that carries tense/negation (the trigger itself or its support verb)
    support: Any | None  # the support verb of a nominal event ("held" in "held talks")


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

    # -- document level ----------------------------------------------------------
    def events(self, document: Document, doc: Any, actors: DocumentActors) -> list[Event]:
        events: list[Event] = []
        previous: ResolvedDate | None = None
        for sent in doc.sents:
            ents = actors.ents_between(sent.start, sent.end)
            said = [e for e in ents if e.label_ in {"DATE", "TIME"}]
            if sent.start > 0 and "\n\n" in doc[sent.start - 1].text_with_ws:
                previous = None  # a new paragraph
            events.extend(self._sentence_events(document, sent, actors, previous))
            # only the sentence right after may take this one's day
            previous = self._sentence_day(said, document.date) if said else None
        return events

    def _sentence_day(self, ents: Sequence[Any], doc_date: date) -> ResolvedDate | None:
        """The one day a sentence names, which the next sentence's events may take:
        "The summit opened on March 12. Scholz met Macron on its sidelines." """
        days = {
            (resolved.date, resolved.precision): resolved
            for ent in ents
            if (resolved := resolve_date(_with_preposition(ent), doc_date)) is not None
        }
        if len(days) != 1:
            return None
        day = next(iter(days.values()))
        return day if day.precision == "day" else None

    def _sentence_events(
        self,
        document: Document,
        sent: Any,
        actors: DocumentActors,
        inherited: ResolvedDate | None = None,
    ) -> Iterator[Event]:
        triggers = list(self._triggers(sent))
        trigger_ids = {t.token.i for t in triggers}
        by_token = {t.token.i: t for t in triggers}
        dates = self._dates(actors.ents_between(sent.start, sent.end), triggers, document.date)
        best: dict[tuple[str, str, str], Candidate] = {}
        left_out: set[tuple[int, str]] = set()
        for trig in triggers:
            if (
                self._covered_by_outer_trigger(trig, trigger_ids, by_token)
                or self._same_action(trig, by_token)
                or (trig.token.i not in dates and self._is_referred_to(trig, by_token))
                or self._is_meeting_place(trig, by_token)
            ):
                continue
            when = dates.get(trig.token.i)
            if (when is None and self._is_background(trig)) or self._is_description(trig):
                continue
            when = when or inherited
            for cand in self._candidates(trig, actors, when):
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

    # -- triggers ---------------------------------------------------------------
    def _triggers(self, sent: Any) -> Iterator[Trigger]:
        for tok in sent:
            if tok.ent_type_ in _NON_EVENT_ENTITIES:
                continue  # "March 2023" is a date, not a march
            lemma = tok.lemma_.lower()
            if tok.pos_ in {"VERB", "AUX"} or (tok.pos_ == "ADJ" and tok.dep_ == "acomp"):
                pattern = self._match_verb(tok, self.vocab.verbs.get(lemma, ()))
                if pattern is None and lemma.startswith("re") and lemma[2:] in self.vocab.verbs:
                    # "reimposed blockades", "reopened talks": the action again
                    pattern = self._match_verb(tok, self.vocab.verbs[lemma[2:]])
                if pattern is None and tok.pos_ == "ADJ":
                    pattern = self._match_verb(tok, self.vocab.verbs.get(tok.lower_, ()))
                if pattern is not None and pattern.is_event:
                    yield Trigger(tok, pattern, tok, None)
            elif tok.pos_ == "NOUN":  # not PROPN: "the Warsaw Uprising" is a name
                pattern = self._match_noun(tok, self.vocab.nouns.get(lemma, ()))
                if pattern is None and lemma != tok.lower_:
                    pattern = self._match_noun(tok, self.vocab.nouns.get(tok.lower_, ()))
                if pattern is not None and pattern.is_event:
                    support = self._support_verb(tok)
                    anchor = support if support is not None else tok
                    yield Trigger(tok, pattern, anchor, support)

    def _match_verb(self, tok: Any, patterns: Sequence[Pattern]) -> Pattern | None:
        for p in patterns:  # most specific first
            if p.particle and not any(
                # the parser often labels "down", "back", "out" as adverbs or prepositions
                c.dep_ in {"prt", "advmod", "prep"} and c.lower_ == p.particle and c.i > tok.i
                for c in tok.children
            ):
                continue
            if p.prep and not (_has_prep(tok, p.prep) or self._object_has_prep(tok, p.prep)):
                continue
            if p.objects and not self._object_matches(tok, p.objects):
                continue
            return p
        return None

    def _object_has_prep(self, verb: Any, word: str) -> bool:
        """ "launched a barrage of missiles and drones at Israel": "at" sits in the object."""
        for child in verb.children:
            if child.dep_ == "dobj":
                return any(_has_prep(t, word) for t in child.subtree if t.pos_ in {"NOUN", "PROPN"})
        return False

    def _object_matches(self, tok: Any, objects: frozenset[str]) -> bool:
        infinitive_subject = self._infinitive_subject(tok)
        if infinitive_subject is not None and (
            "*" in objects
            or infinitive_subject.lemma_.lower() in objects
            or infinitive_subject.lower_ in objects
        ):
            return True  # "allowed IAEA inspectors to visit"
        owner = tok.head if _shares_passive(tok) else tok  # "were detained and released"
        for child in [*tok.children, *(owner.children if owner is not tok else ())]:
            if child.dep_ in {"dobj", "attr", "nsubjpass", "oprd"} or (
                child.dep_ == "xcomp" and child.pos_ in {"NOUN", "ADJ"}
            ):
                inner = self._contained(child)
                holder = inner or child
                compounds = (
                    [c for c in holder.children if c.dep_ == "compound"]
                    if holder.lemma_.lower() in self.grammar.container_nouns
                    else []
                )
                for obj in (child, inner, *compounds):
                    if obj is not None and (
                        "*" in objects or obj.lemma_.lower() in objects or obj.lower_ in objects
                    ):
                        return True  # "suspended aid deliveries", "a package of sanctions"
        return False

    def _infinitive_subject(self, verb: Any) -> Any | None:
        """ "allowed inspectors to visit", read by the parser as [inspectors to visit]."""
        for child in verb.children:
            if child.dep_ in {"ccomp", "xcomp"} and any(
                c.dep_ == "aux" and c.lower_ == "to" for c in child.children
            ):
                return next((c for c in child.children if c.dep_ == "nsubj"), None)
        return None

    def _contained(self, noun: Any) -> Any | None:
        """ "a package of sanctions" holds "sanctions"."""
        if noun.lemma_.lower() not in self.grammar.container_nouns:
            return None
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                return _pobj(prep)
        return None

    def _match_noun(self, tok: Any, patterns: Sequence[Pattern]) -> Pattern | None:
        for p in patterns:
            if p.modifiers and not any(
                c.dep_ in {"compound", "amod", "nmod"}
                and (c.lemma_.lower() in p.modifiers or c.lower_ in p.modifiers)
                for c in tok.children
            ):
                continue
            if p.prep and not _has_prep(tok, p.prep):
                continue
            return p
        return None

    def _support_verb(self, noun: Any) -> Any | None:
        """The verb that carries a nominal event: "held talks", "talks were held"."""
        if (
            noun.dep_ == "pobj"
            and noun.head.lower_ == "of"
            and noun.head.head.lemma_.lower() in self.grammar.container_nouns
        ):
            noun = noun.head.head  # "imposed a new package of sanctions"
        elif noun.dep_ == "compound" and noun.head.lemma_.lower() in self.grammar.container_nouns:
            noun = noun.head  # "launched a mediation effort"
        head = noun.head
        if (
            noun.dep_ in {"dobj", "nsubjpass", "attr"}
            and head.pos_ in {"VERB", "AUX"}
            and head.lemma_.lower() in self.grammar.support_verbs
        ):
            return head
        if noun.dep_ == "pobj" and head.head.pos_ == "VERB" and head.lower_ in {"in", "into"}:
            verb = head.head
            if verb.lemma_.lower() in {"engage", "take", "participate", "join"}:
                return verb
        return None

    def _is_background(self, trig: Trigger) -> bool:
        """An event noun under "after", "since", "amid"... retells an earlier event.

        "after the shooting" is background, not news; a dated one ("since the invasion in
        February 2022") is kept, because the text says when it happened.
        """
        if trig.support is not None:
            return False
        node = trig.token
        for _ in range(4):
            if node.dep_ not in {"pobj", "poss", "compound"} or node.head.i == node.i:
                return False
            node = node.head
            if node.dep_ == "prep" and node.lower_ in self.grammar.background_preps:
                return True
            if node.pos_ == "ADP" and node.lower_ != "of":
                return False
        return False

    def _same_action(self, trig: Trigger, by_token: dict[int, Trigger]) -> bool:
        """One action told twice: "attacked the camp, killing 156 people" (a participle),
        "missile strikes on Kyiv injured dozens" (the verb tells what the strikes did)."""
        tok = trig.token
        if trig.pattern.pos == "verb":
            subject = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            cause = by_token.get(subject.i) if subject is not None else None
            if cause is not None and cause.pattern.pos == "noun":
                return self._plover_event(cause.pattern.cameo) == self._plover_event(
                    trig.pattern.cameo
                )
        outer = by_token.get(tok.head.i) or next(
            (t for t in by_token.values() if t.anchor.i == tok.head.i), None
        )  # "launched a missile attack on Kyiv, killing dozens": the attack's support verb
        if tok.dep_ != "advcl" or tok.tag_ != "VBG" or outer is None:
            return False
        # "rioted, setting fire to mattresses": a participle with no subject of its own
        # tells how the outer action went
        return not any(c.dep_ in {"nsubj", "nsubjpass", "mark"} for c in tok.children)

    def _covered_by_outer_trigger(
        self, trig: Trigger, trigger_ids: set[int], by_token: dict[int, Trigger]
    ) -> bool:
        """'agreed to provide aid' is one AGREE event, not AGREE plus AID.

        An infinitive ("to visit") under another trigger ("an invitation ... to visit",
        "urged ... to withdraw") is the content of that event, not an event of its own.
        """
        tok = trig.anchor
        if tok.dep_ in {"xcomp"} and tok.head.i in trigger_ids:
            return True
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
            node = tok
            for _ in range(4):
                if node.dep_ not in {
                    "xcomp",
                    "pcomp",
                    "acl",
                    "relcl",
                    "advcl",
                    "pobj",
                    "prep",
                    "conj",
                }:
                    break
                node = node.head
                # "started a hunger strike to protest": "started" carries the strike
                if node.i in trigger_ids or any(t.anchor.i == node.i for t in by_token.values()):
                    return True
        # "provided aid": the verb pattern already covers the noun, unless the noun names
        # its own parties ("hosted talks between A and B")
        if (
            trig.support is not None
            and trig.support.i in trigger_ids
            and not any(c.dep_ == "prep" and c.lower_ == "between" for c in trig.token.children)
        ):
            return True
        return self._in_content_of(tok, by_token)

    def _in_content_of(self, tok: Any, by_token: dict[int, Trigger]) -> bool:
        """Inside what another event asks, offers, threatens or refuses.

        "demanded that Turkey provide information", "a U.N. appeal for deploying troops",
        "its demand that Israel ease restrictions": the inner action is what the outer
        event is about, not an event of its own.
        """
        node = tok
        for _ in range(4):
            if node.dep_ not in {
                "ccomp",
                "acl",
                "pcomp",
                "pobj",
                "prep",
                "xcomp",
                "conj",
                "dobj",
                "acomp",
            }:
                return False
            node = node.head
            outer = by_token.get(node.i)
            if outer is not None:
                return self._plover_event(outer.pattern.cameo) in CONTENT_TYPES
        return False

    def _is_description(self, trig: Trigger) -> bool:
        """A relative clause describes someone or something; its events are background:
        "a man who had taken part in the protests", "a helicopter that was captured last
        week", "Hamas, which advocates Israel's destruction"."""
        anchor = trig.anchor
        clause = trig.token.head if trig.pattern.pos == "noun" and trig.support is None else anchor
        if anchor.dep_ == "relcl" or clause.dep_ == "relcl":
            return True
        tok = trig.token
        if trig.pattern.pos != "verb":
            return False
        if tok.dep_ == "acl" and tok.tag_ == "VBN":
            return True  # "equipment seized last year", "a letter handed over on Monday"
        if tok.dep_ == "acl" and tok.tag_ == "VBG" and self.vocab_agent(tok.head):
            return True  # "rebels fighting to topple the government"
        # "protesting farmers", "the Israeli-occupied West Bank": participles describing a
        # thing, unless the parser slip "Zelenskyy [briefed Duda]" (a name before the verb)
        if (
            tok.dep_ == "pcomp"
            and tok.tag_ == "VBG"
            and tok.head.lower_ in {"to", "with", "for", "among"}
            and not any(c.dep_ == "nsubj" for c in tok.children)
            and any(c.dep_ == "dobj" and self.vocab_agent(c) for c in tok.children)
        ):
            return True  # the parser's "bowed to [protesting farmers]" as a gerund clause
        hyphenated = tok.i > 0 and tok.doc[tok.i - 1].text == "-"  # "Israeli-occupied"
        return bool(
            tok.dep_ in {"amod", "compound"}
            and tok.tag_ in {"VBG", "VBN"}
            and (hyphenated or not any(c.i < tok.i and c.pos_ == "PROPN" for c in tok.children))
        )

    def _is_referred_to(self, trig: Trigger, by_token: dict[int, Trigger]) -> bool:
        """An event noun that another event acts on is an earlier event being referred to.

        "rejected a U.S. request", "condemned the attack": the request and the attack are
        not news of this sentence. So are participles describing a thing: "equipment
        seized last year", "the curfew imposed in Sudan".
        """
        tok = trig.token
        anchor = trig.anchor
        if any(
            c.dep_ == "mark" and c.lower_ in self.grammar.background_preps for c in anchor.children
        ):
            return True  # "one day after a Serbian jet shot down a helicopter"
        if trig.pattern.pos == "verb":
            return False
        if trig.support is not None:
            return False
        if tok.dep_ == "pobj" and tok.head.head.pos_ in {"NOUN", "PROPN"}:
            return True  # "the anniversary of the invasion", "a week of unrest"
        node = tok
        for _ in range(3):
            if node.dep_ not in {"dobj", "nsubjpass", "pobj", "prep"}:
                return False
            node = node.head
            outer = by_token.get(node.i)
            if outer is not None and outer.pattern.pos == "verb":
                # "hosted talks between A and B": the talks are news too; "met ... at the
                # summit" is where the meeting was
                return tok.dep_ != "dobj" or self._plover_event(outer.pattern.cameo) != "CONSULT"
        return False

    def _is_meeting_place(self, trig: Trigger, by_token: dict[int, Trigger]) -> bool:
        """ "met the leaders at the G7 summit on Friday": the summit is where they met."""
        tok = trig.token
        if trig.pattern.pos != "noun" or trig.support is not None or tok.dep_ != "pobj":
            return False
        prep = tok.head
        outer = by_token.get(prep.head.i)
        return (
            prep.lower_ in self.grammar.place_preps
            and outer is not None
            and self._plover_event(outer.pattern.cameo) == "CONSULT"
        )

    # -- actors -------------------------------------------------------------------
    def _candidates(
        self, trig: Trigger, actors: DocumentActors, when: ResolvedDate | None
    ) -> Iterator[Candidate]:
        tok = trig.token
        modality = self._modality(trig)
        if trig.pattern.pos == "verb":
            sources, targets, passive = self._verb_roles(tok, trig.pattern, actors)
        else:
            sources, targets, passive = self._noun_roles(trig, actors)
        if trig.pattern.pos == "noun" and not sources:
            return
        # "Carney met Ramaphosa, and the two agreed": neither is the other's target again
        same = {a.identity for a in sources if a.name or a.kb_id}
        targets = [t for t in targets if t.identity not in same]
        mutual = self._mutual(trig)
        if mutual and len(sources) > 1 and not any(t.country for t in targets):
            targets = []  # "A and B discussed ... with the presidents delving": A and B
        cameo = self._intended_force(trig) or self._joint(trig) or trig.pattern.cameo
        if cameo != trig.pattern.cameo:
            mutual = self._mutual_cameo(cameo, trig.anchor)
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
        implied = False
        meeting = self._plover_event(cameo) == "CONSULT" or cameo in self.grammar.meeting_intents
        if not targets and sources and not (mutual and len(sources) > 1) and not meeting:
            targets = self._story_target(sources, actors, self._plover_event(cameo))
            if self._plover_event(cameo) in self.grammar.untargeted_types:
                # a show of force is aimed at a country only if its sentence names it
                named = self._countries_in_sentence(trig, actors)
                targets = [t for t in targets if t.country in named]
            implied = bool(targets)
        g_audience = self.grammar.statement_audiences
        confidence = self._confidence(trig.pattern, sources, targets, passive)
        if implied:
            confidence = round(max(0.05, confidence - 0.15), 2)
        pairs: list[tuple[Actor | None, Actor | None]] = []
        if not targets and mutual and len(sources) > 1:
            for i, a in enumerate(sources):
                for b in sources[i + 1 :]:
                    pairs.append((a, b))
                    pairs.append((b, a))
        elif not sources:
            return  # the record has a source; "reservists would be called up" names none
        elif not targets:
            pairs.extend((s, None) for s in sources)
        else:
            pairs.extend((s, t) for s in sources for t in targets if s.key != t.key)
        if self._plover_event(cameo) == "CONSULT":
            # "spoke to reporters": a statement, not a consultation
            pairs = [(a, b) for a, b in pairs if b is None or b.sector not in g_audience]
        for source, target in pairs[:12]:
            score = confidence
            if (
                source is not None
                and target is not None
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
            if child.dep_ in _SUBJECT_DEPS | {"nsubjpass"}:
                skip.update(t.i for t in child.subtree)
        clause = sorted(
            (t for t in anchor.subtree if t.i not in skip and t.pos_ in {"NOUN", "PROPN"}),
            key=lambda t: abs(t.i - trig.token.i),
        )
        sent = trig.token.sent
        para_start, para_end = actors.paragraph_of(anchor.i)
        before = [e.root for e in reversed(actors.ents_between(para_start, sent.start))]
        after = [e.root for e in actors.ents_between(sent.end, para_end)]
        previous: list[Any] = []
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
            inner = self._match_verb(child, self.vocab.verbs.get(child.lemma_.lower(), ()))
            if inner is not None and inner.is_event and inner.cameo[:2] in FORCE_ROOTS:
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
            speaker = self._subject(speaker_verb)
            speakers = self._actors(speaker, actors) if speaker is not None else []
            obliged = sources
            if clause is not anchor:
                subject = next((c for c in clause.children if c.dep_ == "nsubj"), None)
                obliged = self._actors(subject, actors) if subject is not None else sources
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
            threatened = self._actors(subject, actors) if subject is not None else []
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
        if plover_event in DOMESTIC_TYPES and len(own) == 1 and all(a.sector for a in sources):
            # "Nigerians rallied to protest ...": a group's action inside its own country
            home = next(iter(own))
            if home is not None and (mention := actors.country_mention(home)):
                return [actors.with_country(mention, home, "implied: a domestic event")]
        return []

    def _speaker_verb(self, clause: Any) -> Any | None:
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
                other_countries = [o.country for o in other if o.country]
                if other_countries and all(o.sector in DOMESTIC_SECTORS for o in other):
                    out.append(
                        actors.with_country(actor, other_countries[0], "from the other side")
                    )
                    continue
                ranked = [c for c in actors.countries_by_mentions() if c not in other_countries]
                if ranked:
                    out.append(actors.with_country(actor, ranked[0], "from the story"))
                elif other_countries and actor.sector in DOMESTIC_SECTORS:
                    # "Egyptian police arrested 12 demonstrators": the only country named
                    out.append(actors.with_country(actor, other_countries[0], "the only one"))
                else:
                    out.append(actor)
            return out

        return place(sources, targets), place(targets, sources)

    def _verb_roles(
        self, tok: Any, pattern: Pattern, actors: DocumentActors
    ) -> tuple[list[Actor], list[Actor], bool]:
        passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in tok.children)
        # "were detained by police and released hours later": the second participle has
        # the first one's patient and doer
        borrowed = not passive and _shares_passive(tok)
        if passive or borrowed:
            holder = tok.head if borrowed else tok
            agent = next((c for c in holder.children if c.dep_ == "agent"), None)
            by_obj = _pobj(agent) if agent is not None else self._framed_agent(holder)
            if by_obj is not None and self._is_force_of_nature(by_obj):
                return [], [], True  # "killed by a landslide in the Indian state of Kerala"
            sources = actors.resolve(by_obj) if by_obj is not None else []
            subj = next((c for c in holder.children if c.dep_ == "nsubjpass"), None)
            targets = self._actors(subj, actors) if subj is not None else []
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
                return self._actors(left, actors), self._actors(tok.head, actors), False
        subject = self._subject(tok)
        sources = self._actors(subject, actors) if subject is not None else []
        if subject is not None and not sources and self._is_inanimate(subject):
            return [], [], False  # "the hurricane struck Jamaica", "the yen hit a low"
        targets = self._targets(tok, pattern.target, actors)
        # "supplying weapons and providing training for Ukrainian soldiers": a shared target,
        # but only between coordinated actions ("hold positions and eliminate" share nothing)
        if not targets and tok.dep_ == "conj":
            shared = next((c for c in tok.head.children if c.dep_ == "dobj"), None)
            # "pardoned and freed 18 prisoners": the object after both verbs is both's
            after_both = shared is not None and shared.i > tok.i
            if after_both or self._is_trigger_verb(tok.head):
                targets = self._targets(tok.head, pattern.target, actors)
        if not targets:
            for child in tok.children:
                if child.dep_ == "conj" and self._is_trigger_verb(child):
                    targets = self._targets(child, pattern.target, actors)
                    if targets:
                        break
        mutual = self._mutual_cameo(pattern.cameo, tok) and len(sources) > 1
        if not targets and pattern.target != ("none",) and not mutual:
            targets = self._implied_targets(tok, sources, actors, pattern.cameo)
        return sources, targets, False

    def _framed_agent(self, verb: Any) -> Any | None:
        """The doer of an agentless passive named in an event noun around it: "were killed
        in strikes by Russian aircraft", "died in an attack by Houthi rebels"."""
        verbs = [verb] + [c for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB"]
        for node in verbs:
            for prep in node.children:
                if prep.dep_ != "prep" or prep.lower_ not in self.grammar.agent_frames:
                    continue
                noun = _pobj(prep)  # "in strikes by", or a gerund: "in shelling by"
                if noun is None or noun.lemma_.lower() not in (
                    self.vocab.verbs if noun.pos_ == "VERB" else self.vocab.nouns
                ):
                    continue
                by = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "by"), None)
                if by is not None and (doer := _pobj(by)) is not None:
                    return doer
        return None

    def _mutual(self, trig: Trigger) -> bool:
        """Coordinated sources of this event act on each other when no target is named."""
        return self._mutual_cameo(trig.pattern.cameo, trig.anchor)

    def _mutual_cameo(self, cameo: str, verb: Any) -> bool:
        g = self.grammar
        return (
            self._plover_event(cameo) in g.mutual_types
            or cameo in g.mutual_codes
            or verb.lemma_.lower() in g.reciprocal_verbs
        )

    def _plover_event(self, cameo: str) -> str | None:
        plover = self.ontology.cameo(cameo).plover
        return plover.event if plover is not None else None

    def vocab_agent(self, noun: Any) -> bool:
        """Whether a noun names a kind of actor ("rebels", "officials")."""
        return self.kb.agent(noun.text) is not None or self.kb.agent(noun.lemma_) is not None

    def _is_inanimate(self, subject: Any) -> bool:
        """A subject that is a thing, not an actor nor the instrument of one."""
        if subject.pos_ not in {"NOUN", "PROPN"} or subject.ent_type_ in {"PERSON", "NORP"}:
            return False
        if subject.tag_ in {"NNS", "NNPS"}:
            return False  # plural subjects are mostly groups of people: "mourners", "Kurds"
        lemma = subject.lemma_.lower()
        return lemma not in self.grammar.instrument_nouns and lemma not in self.vocab.nouns

    def _is_force_of_nature(self, doer: Any) -> bool:
        """A "by" agent that is no actor: a thing that is neither an agent noun, a name,
        an instrument of force nor an event ("by a landslide", "by the storm")."""
        return (
            doer.pos_ == "NOUN"
            and not doer.ent_type_
            and not self.vocab_agent(doer)
            and self._is_inanimate(doer)
        )

    def _is_trigger_verb(self, tok: Any) -> bool:
        if tok.pos_ != "VERB":
            return False
        pattern = self._match_verb(tok, self.vocab.verbs.get(tok.lemma_.lower(), ()))
        return pattern is not None and pattern.is_event

    def _implied_targets(
        self,
        tok: Any,
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
                    found = [a for a in self._actors(subject, actors) if a.key not in taken]
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
            next_frontier: list[Any] = []
            for node in sorted(frontier, key=lambda t: t.i):
                if node.i in exclude:
                    continue
                if node.pos_ in {"NOUN", "PROPN", "ADJ"}:
                    found = [
                        a
                        for a in self._actors(node, actors)
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

    def _noun_roles(
        self, trig: Trigger, actors: DocumentActors
    ) -> tuple[list[Actor], list[Actor], bool]:
        tok = trig.token
        sources: list[Actor] = []
        targets: list[Actor] = []
        if self._mutual(trig):
            # "talks between US and Russian officials", "clashes between A and B"
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
            partner = _pobj(between) if between is not None else None
            parties = self._actors(partner, actors) if partner is not None else []
            if len(parties) > 1 and trig.pattern.cameo in self.grammar.mediation_codes:
                mediator = self._subject(trig.support) if trig.support is not None else None
                mediators = self._actors(mediator, actors) if mediator is not None else []
                if mediators:
                    return mediators, parties, False  # "Qatar's emir launched a mediation"
            elif len(parties) > 1:
                return parties, [], False
        by_agent = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "by"), None)
        if by_agent is not None and (obj := _pobj(by_agent)) is not None:
            sources = actors.resolve(obj)
        giving = self._plover_event(trig.pattern.cameo) in self.grammar.giving_types
        giver = self._giver(tok) if giving else None
        if not sources and giver is not None:
            # "aid from Japan, South Korea and the Red Cross": every giver listed
            sources = actors.resolve(giver)
            receiver = self._subject(tok.head) if self._is_received(tok) else None
            if sources and receiver is not None:
                return sources, self._actors(receiver, actors), False
        if not sources:
            for child in tok.children:
                if child.dep_ in {"poss", "amod", "compound", "nmod"} and child.i < tok.i:
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
        if not sources and trig.support is not None:
            subject = self._subject(trig.support)
            if subject is not None:
                sources = actors.resolve(subject)
        targets = self._targets(tok, trig.pattern.target, actors, noun=True) or (
            self._told_targets(trig, actors)
        )
        if not targets and trig.support is not None:
            targets = self._targets(trig.support, trig.pattern.target, actors, noun=True)
        if by_agent is not None and not targets:
            poss = next((c for c in tok.children if c.dep_ == "poss"), None)
            if poss is not None:
                targets = actors.resolve(poss)
        mutual = self._mutual(trig) and len(sources) > 1
        if not targets and trig.pattern.target != ("none",) and not mutual:
            givers = frozenset(t.i for t in giver.subtree) if giver is not None else frozenset()
            targets = self._implied_targets(tok, sources, actors, trig.pattern.cameo, givers)
            if not targets and tok.dep_ == "nsubj" and trig.support is None:
                # "aid from Japan arrived in southern Turkey": where the aid went
                own = frozenset(t.i for t in tok.subtree)
                targets = self._implied_targets(tok.head, sources, actors, trig.pattern.cameo, own)
        targets = [t for t in targets if all(t.key != s.key for s in sources)]
        return sources, targets, False

    def _told_targets(self, trig: Trigger, actors: DocumentActors) -> list[Actor]:
        """ "An Israeli drone strike on a car ... killed two Hezbollah members": the verb
        that tells what the strike did names its target."""
        tok = trig.token
        if tok.dep_ != "nsubj" or trig.support is not None or not self._is_trigger_verb(tok.head):
            return []
        verb = tok.head
        told = self._match_verb(verb, self.vocab.verbs.get(verb.lemma_.lower(), ()))
        if told is None or self._plover_event(told.cameo) != self._plover_event(trig.pattern.cameo):
            return []
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        return self._actors(obj, actors) if obj is not None else []

    def _is_received(self, noun: Any) -> bool:
        return noun.dep_ == "dobj" and noun.head.lemma_.lower() in self.grammar.receiving_verbs

    def _giver(self, noun: Any) -> Any | None:
        """ "aid from X" or "received aid from X": who the thing comes from."""
        holders = [noun] + ([noun.head] if self._is_received(noun) else [])
        for holder in holders:
            for prep in holder.children:
                if prep.dep_ == "prep" and prep.lower_ == "from":
                    return _pobj(prep)
        return None

    def _subject(self, verb: Any, depth: int = 0, from_xcomp: bool = False) -> Any | None:
        """The verb's subject, or that of the clause it depends on."""
        for child in verb.children:
            if child.dep_ in _SUBJECT_DEPS:
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
            return _pobj(agent) if agent is not None else None
        if depth > 4:
            return None
        dep = verb.dep_
        head = verb.head
        if head.i == verb.i or dep == "ccomp":
            return None  # "X said (that) ... attacked": X is not the attacker
        if dep == "relcl":
            return head
        if dep == "acomp":  # "X is grateful to Y"
            return self._subject(head, depth + 1)
        if dep == "pcomp" and head.dep_ == "prep" and head.head.pos_ == "VERB":
            # "X accused Y of shelling Z": Y shelled
            obj = next((c for c in head.head.children if c.dep_ == "dobj"), None)
            if obj is not None:
                return obj
            return self._subject(head.head, depth + 1)
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
            poss = next((c for c in head.children if c.dep_ in {"poss"}), None)
            if poss is not None:
                return poss
            if verb.tag_ == "VBG" and not self.vocab_agent(head) and head.dep_ == "dobj":
                # "issued a declaration demanding that ...": who issued it
                return self._subject(head.head, depth + 1)
            if verb.tag_ == "VBG" and head.dep_ == "attr":
                # the predicate noun is its subject: "Poland has been a major supporter,
                # supplying weapons": Poland supplies
                return self._subject(head.head, depth + 1)
            if verb.tag_ == "VBG":
                return head
            return None
        if dep in _CLAUSE_DEPS or dep in {"advcl", "conj"}:
            if head.pos_ in {"VERB", "AUX", "ADJ"}:  # ADJ: "is willing to withdraw"
                return self._subject(head, depth + 1, from_xcomp=dep == "xcomp")
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
                return self._subject(head, depth + 1)
        return None

    def _targets(
        self, tok: Any, slots: Sequence[str], actors: DocumentActors, noun: bool = False
    ) -> list[Actor]:
        for slot in slots:
            found = self._slot(tok, slot, actors)
            if found:
                return found
        return []

    def _actors(self, token: Any, actors: DocumentActors) -> list[Actor]:
        """Actors of an argument; an event noun ("the strikes") is not an actor."""
        if token.pos_ == "VERB":
            subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
            if subject is None and token.tag_ == "VBG":
                # "bowed to [protesting farmers]": the participle's people
                subject = next(
                    (c for c in token.children if c.dep_ == "dobj" and self.vocab_agent(c)), None
                )
            if subject is None:
                return []
            token = subject
        if (
            token.pos_ == "NOUN"
            and actors.kb.agent(token.text) is None
            and self._match_noun(token, self.vocab.nouns.get(token.lemma_.lower(), ()))
        ):
            # "praised Lithuania's support": not the support, but whose it is
            owner = next((c for c in token.children if c.dep_ == "poss"), None)
            return actors.resolve(owner) if owner is not None else []
        return actors.resolve(token)

    def _slot(self, tok: Any, slot: str, actors: DocumentActors) -> list[Actor]:
        if slot == "none":
            return []
        if slot in {"dobj", "iobj"}:
            for child in tok.children:
                if child.dep_ == slot:
                    found = self._actors(child, actors)
                    if found:
                        return found
            subject = self._infinitive_subject(tok) if slot == "dobj" else None
            return self._actors(subject, actors) if subject is not None else []
        if slot == "dative":
            for child in tok.children:
                if child.dep_ == "dative":
                    inner = _pobj(child) if child.pos_ == "ADP" else child
                    if inner is not None and (found := self._actors(inner, actors)):
                        return found
            return []
        if slot == "clause_subject":
            # "an invitation for General Kukuła to visit": the subject of the infinitive
            for child in tok.children:
                if child.dep_ in {"relcl", "acl"} and child.pos_ == "VERB":
                    subject = next((c for c in child.children if c.dep_ == "nsubj"), None)
                    if subject is not None and (found := self._actors(subject, actors)):
                        return found
            return []
        if slot == "poss":
            for child in tok.children:
                if child.dep_ == "poss":
                    return self._actors(child, actors)
            return []
        if slot.startswith("prep:"):
            word = slot[5:]
            holders = [tok] + [c for c in tok.children if c.dep_ in {"dobj", "attr"}]
            # "adopted a package of sanctions against Russia": "against" sits on the sanctions
            holders += [inner for h in holders[1:] if (inner := self._contained(h)) is not None]
            for holder in holders:
                for child in holder.children:
                    if child.dep_ in {"prep", "dative", "agent"} and child.lower_ == word:
                        obj = _pobj(child)
                        if obj is not None and (found := self._actors(obj, actors)):
                            return found
        return []

    # -- modality, confidence ---------------------------------------------------------
    def _modality(self, trig: Trigger) -> Modality:
        anchor = trig.anchor
        g = self.grammar
        negated = any(
            c.dep_ == "neg" or (c.lower_ in g.negation_words and c.dep_ in {"advmod", "det"})
            for c in anchor.children
        )
        intent = False
        hypothetical = False
        reported = False
        reported_clause = anchor.dep_ == "ccomp" and anchor.head.lemma_.lower() in (
            g.reporting_verbs
        )
        for c in anchor.children:
            if c.dep_ == "aux" and c.lower_ in g.future_modals:
                intent = True
            if c.dep_ == "aux" and c.lower_ in g.hypothetical_modals:
                if c.lower_ == "would" and reported_clause:
                    intent = True  # "Iraq said it would allow": future in reported speech
                else:
                    hypothetical = True
            if c.dep_ == "mark" and c.lower_ in g.hypothetical_marks:
                hypothetical = True
        # walk up the clause chain
        node = anchor
        for _ in range(4):
            if node.dep_ not in {"xcomp", "ccomp", "advcl", "conj"} or node.head.i == node.i:
                break
            head = node.head
            lemma = head.lemma_.lower()
            if node.dep_ == "xcomp" and lemma in g.intent_verbs:
                intent = True
            if node.dep_ in {"xcomp", "ccomp"} and lemma in g.negating_verbs:
                negated = True  # "failed to agree", "denied that its drones struck"
            if node.dep_ == "ccomp" and lemma in g.reporting_verbs:
                reported = True
            if node.dep_ == "advcl" and any(
                c.dep_ == "mark" and c.lower_ in g.hypothetical_marks for c in node.children
            ):
                hypothetical = True
            if any(c.dep_ == "neg" for c in head.children) and node.dep_ == "xcomp":
                negated = True
            if node.dep_ == "conj":
                node = head
                continue
            if any(c.dep_ == "aux" and c.lower_ in g.future_modals for c in head.children):
                intent = True
            node = head
        return Modality(
            negated=negated, intent=intent, hypothetical=hypothetical, reported=reported
        )

    def _confidence(
        self, pattern: Pattern, sources: Sequence[Actor], targets: Sequence[Actor], passive: bool
    ) -> float:
        score = 0.55 + 0.1 * min(pattern.specificity, 2)
        if sources and all(s.country for s in sources):
            score += 0.15
        if targets and all(t.country for t in targets):
            score += 0.1
        if pattern.pos == "noun":
            score -= 0.05
        if passive:
            score -= 0.05
        return round(max(0.05, min(score, 0.95)), 2)

    # -- dates ------------------------------------------------------------------------
    def _dates(
        self, ents: Sequence[Any], triggers: Sequence[Trigger], doc_date: date
    ) -> dict[int, ResolvedDate]:
        """Attach each date expression to the trigger whose clause it modifies."""
        by_anchor: dict[int, list[Trigger]] = {}
        for trig in triggers:
            by_anchor.setdefault(trig.anchor.i, []).append(trig)
            by_anchor.setdefault(trig.token.i, []).append(trig)
        out: dict[int, ResolvedDate] = {}
        for ent in ents:
            if ent.label_ not in {"DATE", "TIME"}:
                continue
            resolved = resolve_date(_with_preposition(ent), doc_date)
            if resolved is None:
                continue
            node = ent.root
            for _ in range(8):
                node = node.head
                hits = by_anchor.get(node.i)
                if hits:
                    for trig in hits:
                        out.setdefault(trig.token.i, resolved)
                    break
                if node.pos_ in {"NOUN", "PROPN"}:
                    inside = [
                        t
                        for t in triggers
                        if t.support is None
                        and t.token.i != node.i
                        and node.left_edge.i <= t.token.i <= node.right_edge.i
                    ]
                    if inside:
                        for trig in inside:
                            out.setdefault(trig.token.i, resolved)
                        # "met the leaders ... at the summit on Friday": the meeting too
                        verb = node
                        while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
                            verb = verb.head
                        for trig in by_anchor.get(verb.i, []):
                            out.setdefault(trig.token.i, resolved)
                        break
                if node.pos_ in {"VERB", "AUX"} or node.head.i == node.i:
                    for trig in by_anchor.get(node.i, []):
                        out.setdefault(trig.token.i, resolved)
                    break
        for trig in sorted(triggers, key=lambda t: t.anchor.i):
            # "On Thursday, the US expelled ten diplomats and imposed sanctions": both
            head = trig.anchor.head
            if trig.anchor.dep_ == "conj" and trig.token.i not in out:
                dated = next((t for t in by_anchor.get(head.i, []) if t.token.i in out), None)
                if dated is not None:
                    out[trig.token.i] = out[dated.token.i]
        for trig in triggers:
            # "air strikes hit Rafah on Thursday": the strikes are what the verb tells
            if trig.pattern.pos == "noun" and trig.token.dep_ == "nsubj":
                told = next(
                    (t for t in by_anchor.get(trig.token.head.i, []) if t.token.i in out), None
                )
                if told is not None:
                    out.setdefault(trig.token.i, out[told.token.i])
        return out

    # -- output ----------------------------------------------------------------------
    def _event(self, document: Document, sent: Any, cand: Candidate) -> Event:
        entry = self.ontology.cameo(cand.cameo)
        plover = entry.plover
        assert plover is not None
        trig = cand.trigger
        trigger_span = _trigger_span(trig)
        sent_start, sent_end = _trimmed_bounds(sent)
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


def _shares_passive(verb: Any) -> bool:
    """ "were detained by police and released": a participle coordinated with a passive,
    with no subject, object or agent of its own, has the first one's."""
    return bool(
        verb.dep_ == "conj"
        and verb.tag_ in {"VBN", "VBD"}
        and any(c.dep_ == "auxpass" for c in verb.head.children)
        and not any(c.dep_ in {"nsubj", "nsubjpass", "dobj", "agent"} for c in verb.children)
    )


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


def _has_prep(tok: Any, word: str) -> bool:
    """A preposition ``word`` on ``tok`` whose object is not a date: "called on Japan"
    but not "called Biden on Tuesday"."""
    for c in tok.children:
        if c.dep_ in {"prep", "dative", "agent", "prt"} and c.lower_ == word:
            obj = _pobj(c)
            if obj is None or obj.ent_type_ not in {"DATE", "TIME"}:
                return True
    return False


def _pobj(prep: Any) -> Any | None:
    for child in prep.children:
        if child.dep_ in {"pobj", "pcomp"}:
            return child
    return None


def _with_preposition(ent: Any) -> str:
    start = ent.start
    if start > 0 and ent.doc[start - 1].pos_ == "ADP":
        return f"{ent.doc[start - 1].text} {ent.text}"
    return str(ent.text)


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


def _trimmed_bounds(sent: Any) -> tuple[int, int]:
    tokens = [t for t in sent if not t.is_space]
    if not tokens:
        return int(sent.start_char), int(sent.end_char)
    return int(tokens[0].idx), int(tokens[-1].idx + len(tokens[-1].text))
