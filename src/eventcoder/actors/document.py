"""What one parsed document holds for actor resolution: its entities, paragraphs and
quotes, each entity's KB entry on the day, and how a coded Actor is built from words.

``DocumentIndex`` is the base of ``DocumentActors`` (actors/resolver.py); the layers in
between (stated_roles.py, coreference.py) add the steps of resolution.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date

from spacy.tokens import Doc, Span, Token

from eventcoder.actors.kb import Entry, KnowledgeBase
from eventcoder.actors.quotes import quote_depths
from eventcoder.actors.spans import allegiance, char_bounds, clause_head, span_head, text_of
from eventcoder.actors.words import actor_words
from eventcoder.model import Actor
from eventcoder.places.words import place_words

UNKNOWN = "---"
COUNTRY_KINDS = frozenset({"country", "adjective", "capital", "metonym", "place"})


def make_code(country: str | None, sector: str | None) -> str:
    if country is None:
        return UNKNOWN + (sector or "")
    if sector == country:  # an NGO is "NGO", not "NGONGO"
        return country
    return country + (sector or "")


class DocumentIndex:
    """Lookups over one parsed document, read once: entities by token, paragraphs, quotes."""

    def __init__(self, kb: KnowledgeBase, doc: Doc, day: date) -> None:
        self.kb = kb
        self.doc = doc
        self.day = day
        # doc.ents builds new spans on every call, so read it once per document
        self.ents: list[Span] = list(doc.ents)
        self._ent_starts = [ent.start for ent in self.ents]
        self.entity_at: dict[int, Span] = {}
        for ent in self.ents:
            for i in range(ent.start, ent.end):
                self.entity_at[i] = ent
        self.actor_words = actor_words()
        self._quote_depth = quote_depths(doc)
        self._paragraph_starts: list[int] | None = None

    def paragraph_of(self, i: int) -> tuple[int, int]:
        """The token span of the paragraph (text between blank lines) that holds token ``i``."""
        if self._paragraph_starts is None:
            self._paragraph_starts = [0] + [
                t.i + 1 for t in self.doc if "\n\n" in t.text and t.i + 1 < len(self.doc)
            ]
        at = bisect_right(self._paragraph_starts, i) - 1
        starts = self._paragraph_starts
        end = starts[at + 1] - 1 if at + 1 < len(starts) else len(self.doc)
        return starts[at], end

    def ents_between(self, start: int, end: int) -> list[Span]:
        """Entities starting at token ``start`` up to (not including) ``end``."""
        low = bisect_left(self._ent_starts, start)
        high = bisect_left(self._ent_starts, end)
        return self.ents[low:high]

    def in_quote(self, token: Token) -> bool:
        return bool(self._quote_depth[token.i] > 0)

    def _entry_of(self, ent: Span) -> Entry | None:
        return self.kb.entry_for_match(ent.ent_id_, self.day)

    def _country_entry(self, token: Token) -> Entry | None:
        ent = self.entity_at.get(token.i)
        if ent is None or not ent.ent_id_ or allegiance(ent):
            return None
        entry = self._entry_of(ent)
        if entry is None or entry.kind not in COUNTRY_KINDS:
            return None
        following = self.doc[ent.end] if ent.end < len(self.doc) else None
        if following is not None and following.lower_ in place_words().street_words:
            return None  # "Wellington Street", "Tahrir Square" name no country
        return entry

    def _is_person_token(self, token: Token) -> bool:
        ent = self.entity_at.get(token.i)
        return ent is not None and ent.label_ == "PERSON"

    def _sentence_start_back(self, token: Token, n: int) -> int:
        """The first token of the sentence ``n`` sentences before ``token``'s."""
        start = token.sent.start
        for _ in range(n):
            if start == 0:
                break
            start = self.doc[start - 1].sent.start
        return int(start)

    def _clause_of_person(self, start: int) -> Token:
        ent = self.entity_at.get(start)
        return clause_head(span_head(ent) if ent is not None else self.doc[start])

    def _actor(
        self,
        span: Span | Token,
        code: str,
        country: str | None,
        sector: str | None,
        name: str | None,
        kb_id: str | None,
        why: str,
    ) -> Actor:
        start, end = char_bounds(span)
        return Actor(
            text=text_of(span),
            code=code,
            country=country,
            sector=sector,
            name=name,
            kb_id=kb_id,
            start=start,
            end=end,
            why=why,
        )
