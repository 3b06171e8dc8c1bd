"""Triggers: the verbs and event nouns of a sentence that match a pattern, and the tests
that tell a trigger that is no event of its own (background, a description, an event
referred to, one covered by an outer trigger, one action told twice).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventcoder.actors.kb import KnowledgeBase
from eventcoder.coding.parse import (
    contained,
    has_prep,
    infinitive_subject,
    is_agent_noun,
    shares_passive,
)
from eventcoder.coding.patterns import Grammar, Pattern, Vocabulary
from eventcoder.ontology import Ontology

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

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


@dataclass(frozen=True)
class Trigger:
    token: Token
    pattern: Pattern
    anchor: Token  # the verb that carries tense/negation (the trigger itself or its support verb)
    support: Token | None  # the support verb of a nominal event ("held" in "held talks")


def plover_event(ontology: Ontology, cameo: str) -> str | None:
    """The PLOVER event type of a CAMEO code, None when it has none."""
    plover = ontology.cameo(cameo).plover
    return plover.event if plover is not None else None


class TriggerFinder:
    """Match the verb and noun patterns of the vocabulary against the parse."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocab = vocabulary
        self.grammar = vocabulary.grammar

    def triggers(self, sent: Span) -> Iterator[Trigger]:
        for tok in sent:
            if tok.ent_type_ in _NON_EVENT_ENTITIES:
                continue  # "March 2023" is a date, not a march
            lemma = tok.lemma_.lower()
            if tok.pos_ in {"VERB", "AUX"} or (tok.pos_ == "ADJ" and tok.dep_ == "acomp"):
                pattern = self.match_verb(tok, self.vocab.verbs.get(lemma, ()))
                if pattern is None and lemma.startswith("re") and lemma[2:] in self.vocab.verbs:
                    # "reimposed blockades", "reopened talks": the action again
                    pattern = self.match_verb(tok, self.vocab.verbs[lemma[2:]])
                if pattern is None and tok.pos_ == "ADJ":
                    pattern = self.match_verb(tok, self.vocab.verbs.get(tok.lower_, ()))
                if pattern is not None and pattern.is_event:
                    yield Trigger(tok, pattern, tok, None)
            elif tok.pos_ == "NOUN":  # not PROPN: "the Warsaw Uprising" is a name
                pattern = self.match_noun(tok, self.vocab.nouns.get(lemma, ()))
                if pattern is None and lemma != tok.lower_:
                    pattern = self.match_noun(tok, self.vocab.nouns.get(tok.lower_, ()))
                if pattern is not None and pattern.is_event:
                    support = self._support_verb(tok)
                    anchor = support if support is not None else tok
                    yield Trigger(tok, pattern, anchor, support)

    def verb_pattern(self, verb: Token) -> Pattern | None:
        """The pattern a verb matches by its lemma, if any."""
        return self.match_verb(verb, self.vocab.verbs.get(verb.lemma_.lower(), ()))

    def noun_pattern(self, noun: Token) -> Pattern | None:
        """The pattern a noun matches by its lemma, if any."""
        return self.match_noun(noun, self.vocab.nouns.get(noun.lemma_.lower(), ()))

    def is_trigger_verb(self, tok: Token) -> bool:
        if tok.pos_ != "VERB":
            return False
        pattern = self.verb_pattern(tok)
        return pattern is not None and pattern.is_event

    def match_verb(self, tok: Token, patterns: Sequence[Pattern]) -> Pattern | None:
        for p in patterns:  # most specific first
            if p.particle and not any(
                # the parser often labels "down", "back", "out" as adverbs or prepositions
                c.dep_ in {"prt", "advmod", "prep"} and c.lower_ == p.particle and c.i > tok.i
                for c in tok.children
            ):
                continue
            if p.prep and not (has_prep(tok, p.prep) or self._object_has_prep(tok, p.prep)):
                continue
            if p.objects and not self._object_matches(tok, p.objects):
                continue
            return p
        return None

    def _object_has_prep(self, verb: Token, word: str) -> bool:
        """ "launched a barrage of missiles and drones at Israel": "at" sits in the object."""
        for child in verb.children:
            if child.dep_ == "dobj":
                return any(has_prep(t, word) for t in child.subtree if t.pos_ in {"NOUN", "PROPN"})
        return False

    def _object_matches(self, tok: Token, objects: frozenset[str]) -> bool:
        subject = infinitive_subject(tok)
        if subject is not None and (
            "*" in objects or subject.lemma_.lower() in objects or subject.lower_ in objects
        ):
            return True  # "allowed IAEA inspectors to visit"
        owner = tok.head if shares_passive(tok) else tok  # "were detained and released"
        for child in [*tok.children, *(owner.children if owner is not tok else ())]:
            if child.dep_ in {"dobj", "attr", "nsubjpass", "oprd"} or (
                child.dep_ == "xcomp" and child.pos_ in {"NOUN", "ADJ"}
            ):
                inner = contained(child, self.grammar.container_nouns)
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

    def match_noun(self, tok: Token, patterns: Sequence[Pattern]) -> Pattern | None:
        for p in patterns:
            if p.modifiers and not any(
                c.dep_ in {"compound", "amod", "nmod"}
                and (c.lemma_.lower() in p.modifiers or c.lower_ in p.modifiers)
                for c in tok.children
            ):
                continue
            if p.prep and not has_prep(tok, p.prep):
                continue
            return p
        return None

    def _support_verb(self, noun: Token) -> Token | None:
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
            if verb.lemma_.lower() in self.grammar.participation_verbs:
                return verb
        return None


class TriggerFilter:
    """Tell the triggers of a sentence that are no event of its own."""

    def __init__(self, grammar: Grammar, ontology: Ontology, kb: KnowledgeBase) -> None:
        self.grammar = grammar
        self.ontology = ontology
        self.kb = kb

    def not_its_own_event(self, trig: Trigger, by_token: dict[int, Trigger], dated: bool) -> bool:
        """Whether a trigger is part of another one, or background to the sentence's news.

        ``by_token`` holds the sentence's triggers by token index; ``dated`` says whether a
        date expression of the sentence modifies this trigger.
        """
        return (
            self.covered_by_outer_trigger(trig, by_token)
            or self.same_action(trig, by_token)
            or (not dated and self.is_referred_to(trig, by_token))
            or self.is_meeting_place(trig, by_token)
            or (not dated and self.is_background(trig))
            or self.is_description(trig)
        )

    def _plover_event(self, cameo: str) -> str | None:
        return plover_event(self.ontology, cameo)

    def is_background(self, trig: Trigger) -> bool:
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

    def same_action(self, trig: Trigger, by_token: dict[int, Trigger]) -> bool:
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

    def covered_by_outer_trigger(self, trig: Trigger, by_token: dict[int, Trigger]) -> bool:
        """'agreed to provide aid' is one AGREE event, not AGREE plus AID.

        An infinitive ("to visit") under another trigger ("an invitation ... to visit",
        "urged ... to withdraw") is the content of that event, not an event of its own.
        """
        tok = trig.anchor
        if tok.dep_ in {"xcomp"} and tok.head.i in by_token:
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
                if node.i in by_token or any(t.anchor.i == node.i for t in by_token.values()):
                    return True
        # "provided aid": the verb pattern already covers the noun, unless the noun names
        # its own parties ("hosted talks between A and B")
        if (
            trig.support is not None
            and trig.support.i in by_token
            and not any(c.dep_ == "prep" and c.lower_ == "between" for c in trig.token.children)
        ):
            return True
        return self._in_content_of(tok, by_token)

    def _in_content_of(self, tok: Token, by_token: dict[int, Trigger]) -> bool:
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
                return self._plover_event(outer.pattern.cameo) in self.grammar.content_types
        return False

    def is_description(self, trig: Trigger) -> bool:
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
        if tok.dep_ == "acl" and tok.tag_ == "VBG" and is_agent_noun(self.kb, tok.head):
            return True  # "rebels fighting to topple the government"
        # "protesting farmers", "the Israeli-occupied West Bank": participles describing a
        # thing, unless the parser slip "Zelenskyy [briefed Duda]" (a name before the verb)
        if (
            tok.dep_ == "pcomp"
            and tok.tag_ == "VBG"
            and tok.head.lower_ in {"to", "with", "for", "among"}
            and not any(c.dep_ == "nsubj" for c in tok.children)
            and any(c.dep_ == "dobj" and is_agent_noun(self.kb, c) for c in tok.children)
        ):
            return True  # the parser's "bowed to [protesting farmers]" as a gerund clause
        hyphenated = tok.i > 0 and tok.doc[tok.i - 1].text == "-"  # "Israeli-occupied"
        return bool(
            tok.dep_ in {"amod", "compound"}
            and tok.tag_ in {"VBG", "VBN"}
            and (hyphenated or not any(c.i < tok.i and c.pos_ == "PROPN" for c in tok.children))
        )

    def is_referred_to(self, trig: Trigger, by_token: dict[int, Trigger]) -> bool:
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

    def is_meeting_place(self, trig: Trigger, by_token: dict[int, Trigger]) -> bool:
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
