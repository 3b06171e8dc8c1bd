"""Small readings of the dependency parse shared by trigger matching and role finding:
prepositions and their objects, passives, infinitive subjects, container nouns, agent nouns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventcoder.actors.kb import KnowledgeBase

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


def shares_passive(verb: Token) -> bool:
    """ "were detained by police and released": a participle coordinated with a passive,
    with no subject, object or agent of its own, has the first one's."""
    return bool(
        verb.dep_ == "conj"
        and verb.tag_ in {"VBN", "VBD"}
        and any(c.dep_ == "auxpass" for c in verb.head.children)
        and not any(c.dep_ in {"nsubj", "nsubjpass", "dobj", "agent"} for c in verb.children)
    )


def has_prep(tok: Token, word: str) -> bool:
    """A preposition ``word`` on ``tok`` whose object is not a date: "called on Japan"
    but not "called Biden on Tuesday"."""
    for c in tok.children:
        if c.dep_ in {"prep", "dative", "agent", "prt"} and c.lower_ == word:
            obj = pobj(c)
            if obj is None or obj.ent_type_ not in {"DATE", "TIME"}:
                return True
    return False


def pobj(prep: Token) -> Token | None:
    for child in prep.children:
        if child.dep_ in {"pobj", "pcomp"}:
            return child
    return None


def infinitive_subject(verb: Token) -> Token | None:
    """ "allowed inspectors to visit", read by the parser as [inspectors to visit]."""
    for child in verb.children:
        if child.dep_ in {"ccomp", "xcomp"} and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in child.children
        ):
            return next((c for c in child.children if c.dep_ == "nsubj"), None)
    return None


def contained(noun: Token, container_nouns: frozenset[str]) -> Token | None:
    """ "a package of sanctions" holds "sanctions"."""
    if noun.lemma_.lower() not in container_nouns:
        return None
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            return pobj(prep)
    return None


def is_agent_noun(kb: KnowledgeBase, noun: Token) -> bool:
    """Whether a noun names a kind of actor ("rebels", "officials")."""
    return kb.agent(noun.text) is not None or kb.agent(noun.lemma_) is not None


def trimmed_bounds(sent: Span) -> tuple[int, int]:
    """Character offsets of a sentence without the whitespace tokens at its ends."""
    tokens = [t for t in sent if not t.is_space]
    if not tokens:
        return sent.start_char, sent.end_char
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
