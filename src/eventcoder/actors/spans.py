"""Walking the dependency parse: phrases, clauses, subjects and coordinated words.

Nothing here knows the knowledge base; these answer questions about the parse alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from spacy.tokens import Span, Token

from eventcoder.model import Actor

# the "clause" of a token: its nearest verb; people there are the other arguments
_VERB_POS = frozenset({"VERB", "AUX"})
_LOCATION_PREPS = frozenset({"of", "in", "from", "for"})


def conjuncts(token: Token, adjectives: bool = False) -> list[Token]:
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


def clause_head(token: Token) -> Token:
    """The verb whose clause ``token`` is in (the token itself when it is a verb)."""
    node = token
    for _ in range(12):
        if node.pos_ in _VERB_POS or node.head.i == node.i:
            return node
        node = node.head
    return node


def words_in(text: str) -> set[str]:
    """The words of a text, lower case; hyphenated words stay whole."""
    return {w.strip(".,;:'\"()") for w in text.lower().split()}


def is_subject(token: Token) -> bool:
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


def allegiance(ent: Span) -> bool:
    """ "pro-Iranian", "anti-Syria": a stance towards a country, not a nationality."""
    doc, i = ent.doc, ent.start
    if i >= 1 and doc[i - 1].lower_ in {"pro", "anti"}:
        return True
    return bool(i >= 2 and doc[i - 1].text == "-" and doc[i - 2].lower_ in {"pro", "anti"})


def words_of(words: str, tokens: Sequence[Token]) -> list[Token]:
    """Tokens among ``tokens`` whose text is one of ``words``."""
    wanted = set(words.lower().split())
    return [t for t in tokens if t.lower_ in wanted]


def of_object(token: Token) -> Token | None:
    """The object of the token's "of": "dozens of protesters" -> "protesters"."""
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    return None


def span_head(span: Span | Token) -> Token:
    return span.root if isinstance(span, Span) else span


def phrase_tokens(head: Token, depth: int = 0) -> list[Token]:
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
                    tokens.extend(phrase_tokens(obj, depth + 1))
            continue
        tokens.extend(child.subtree)
    return sorted(tokens, key=lambda t: t.i)


def phrase_span(head: Token) -> Span:
    """The words of the head's phrase, from the first after its determiner."""
    tokens = [t for t in phrase_tokens(head) if not (t.is_punct and t.i != head.i)]
    start = min(t.i for t in tokens)
    end = max(t.i for t in tokens) + 1
    doc = head.doc
    while start < head.i and doc[start].dep_ in {"det", "predet"}:
        start += 1
    return doc[start:end]


def text_of(span: Span | Token) -> str:
    return str(span.text)


def char_bounds(span: Span | Token) -> tuple[int, int]:
    if isinstance(span, Span):
        return int(span.start_char), int(span.end_char)
    return int(span.idx), int(span.idx + len(span.text))


def refer_back(earlier: Actor, span: Span | Token) -> Actor:
    """A name that stands for a person named before ("Zaluzhnyi", "Kim"); a surname found
    in the KB on its own keeps the KB's reason."""
    start, _ = char_bounds(span)
    if earlier.start == start:
        return earlier
    return retext(earlier, span, f"refers to {earlier.text} named before")


def retext(actor: Actor, span: Span | Token, why: str) -> Actor:
    """The same actor, named by other words ("he", "Zaluzhnyi", "the two generals")."""
    start, end = char_bounds(span)
    return replace(actor, text=text_of(span), start=start, end=end, why=why)
