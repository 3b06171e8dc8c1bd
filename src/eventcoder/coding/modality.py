"""What the words around a trigger say about its event: modality (negation, intent,
hypothetical, reported speech), the coder's confidence, and the event's date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from eventcoder.coding.dates import ResolvedDate, resolve_date
from eventcoder.coding.patterns import Grammar, Pattern
from eventcoder.coding.triggers import Trigger
from eventcoder.model import Actor, Modality

if TYPE_CHECKING:
    from spacy.tokens import Span


def modality_of(trig: Trigger, grammar: Grammar) -> Modality:
    """Negation, intent, hypothetical and reported speech from the words around the trigger."""
    anchor = trig.anchor
    g = grammar
    negated = any(
        c.dep_ == "neg" or (c.lower_ in g.negation_words and c.dep_ in {"advmod", "det"})
        for c in anchor.children
    )
    intent = False
    hypothetical = False
    reported = False
    reported_clause = anchor.dep_ == "ccomp" and anchor.head.lemma_.lower() in g.reporting_verbs
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
    return Modality(negated=negated, intent=intent, hypothetical=hypothetical, reported=reported)


def confidence_of(
    pattern: Pattern, sources: Sequence[Actor], targets: Sequence[Actor], passive: bool
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


def trigger_dates(
    ents: Sequence[Span], triggers: Sequence[Trigger], doc_date: date
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
        for trig in _dated_by(ent, triggers, by_anchor):
            out.setdefault(trig.token.i, resolved)
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
            told = next((t for t in by_anchor.get(trig.token.head.i, []) if t.token.i in out), None)
            if told is not None:
                out.setdefault(trig.token.i, out[told.token.i])
    return out


def _dated_by(
    ent: Span, triggers: Sequence[Trigger], by_anchor: dict[int, list[Trigger]]
) -> list[Trigger]:
    """The triggers a date expression modifies: those of the first trigger, event noun or
    verb up the parse from it, in the order they take the date."""
    node = ent.root
    for _ in range(8):
        node = node.head
        hits = by_anchor.get(node.i)
        if hits:
            return hits
        if node.pos_ in {"NOUN", "PROPN"}:
            inside = [
                t
                for t in triggers
                if t.support is None
                and t.token.i != node.i
                and node.left_edge.i <= t.token.i <= node.right_edge.i
            ]
            if inside:
                # "met the leaders ... at the summit on Friday": the meeting too
                verb = node
                while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
                    verb = verb.head
                return inside + by_anchor.get(verb.i, [])
        if node.pos_ in {"VERB", "AUX"} or node.head.i == node.i:
            return by_anchor.get(node.i, [])
    return []


def sentence_day(ents: Sequence[Span], doc_date: date) -> ResolvedDate | None:
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


def _with_preposition(ent: Span) -> str:
    start = ent.start
    if start > 0 and ent.doc[start - 1].pos_ == "ADP":
        return f"{ent.doc[start - 1].text} {ent.text}"
    return ent.text
