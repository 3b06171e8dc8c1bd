"""Quotations: which tokens are inside quotation marks, and who speaks a quote."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Token

from eventcoder.model import Actor

if TYPE_CHECKING:  # document.py imports quote_depths from here
    from eventcoder.actors.document import DocumentIndex

_OPEN_QUOTES = {"“", "«", "‘"}


def quote_depths(doc: Doc) -> list[int]:
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


def quote_speaker(
    index: DocumentIndex, token: Token, resolve: Callable[[Token], Actor | None]
) -> Actor | None:
    """Who says the quote ``token`` is in: the subject of a verb of speaking outside the
    quote, in the same paragraph, the nearest first ("'We will retaliate,' the minister
    said"). A pronoun of the speaker ("we said") is passed over."""
    words = index.actor_words
    start, end = index.paragraph_of(token.i)
    candidates: list[tuple[int, Token]] = []
    for tok in index.doc[start:end]:
        if tok.lemma_.lower() in words.quote_speaker_verbs and not index.in_quote(tok):
            for child in tok.children:
                if child.dep_ in {"nsubj", "nsubjpass"}:
                    candidates.append((abs(tok.i - token.i), child))
    for _, subject in sorted(candidates, key=lambda c: c[0]):
        if subject.lower_ in words.speaker_pronouns:
            continue
        actor = resolve(subject)
        if actor is not None:
            return actor
    return None
