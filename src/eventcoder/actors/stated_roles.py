"""What the words around a name say about it: a role stated in the text (title,
apposition, "the Polish commander"), the agent nouns and countries in a phrase, and the
Actor a named person or KB entity codes as on the day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Span, Token

from eventcoder.actors.document import COUNTRY_KINDS, UNKNOWN, DocumentIndex, make_code
from eventcoder.actors.kb import Agent, Entry, Spell, normalise_name
from eventcoder.actors.spans import allegiance, conjuncts, phrase_tokens, span_head, words_of
from eventcoder.model import Actor

_TITLE_DEPS = frozenset({"compound", "amod", "nmod", "poss"})


@dataclass(frozen=True)
class Role:
    """What the words of a title or apposition say about a person."""

    country: str | None
    sector: str | None
    words: str


class StatedRoles(DocumentIndex):
    """Reading roles, agents and countries from the words; coding named people and entities."""

    def _stated_role(self, span: Span) -> Role | None:
        """Title words before a name, an apposition after it, or the noun it is apposed to."""
        head = span_head(span)
        role_tokens: list[Token] = []
        for child in head.children:
            if child.i < span.start and child.dep_ in _TITLE_DEPS | {"det"}:
                role_tokens.extend(t for t in child.subtree if t.i < span.start)
            if child.dep_ == "appos" and child.i >= span.end:
                role_tokens.extend(t for t in child.subtree if not self._is_person_token(t))
        # tokens right before the name inside the entity's own phrase ("President Andrzej Duda")
        for tok in span:
            if tok.i < head.i and self.kb.agent(tok.text) is not None:
                role_tokens.append(tok)
        if head.dep_ == "appos" and not self._is_person_token(head.head):
            role_tokens.extend(phrase_tokens(head.head))
        elif head.dep_ == "conj" and head.head.dep_ == "appos":
            role_tokens.extend(phrase_tokens(head.head.head))
        if not role_tokens:
            return None
        role_tokens = sorted({t.i: t for t in role_tokens}.values(), key=lambda t: t.i)
        agent, _ = self._agent_in_tokens(role_tokens)
        country, _ = self._country_in_tokens(role_tokens, exclude=span)
        countries = self._countries_in_tokens(role_tokens, exclude=span)
        if len(countries) > 1:
            # "the Ukrainian and Polish presidents, Zelenskyy and Duda": respectively
            people = conjuncts(head if head.dep_ != "conj" else head.head)
            position = next((i for i, p in enumerate(people) if p.i == head.i), None)
            country = (
                countries[position]
                if position is not None and len(people) == len(countries)
                else None
            )
        if agent is None and country is None:
            return None
        words = " ".join(t.text for t in role_tokens if not t.is_punct or t.text == "-")
        words = words.replace(" - ", "-")
        sector = agent.sector if agent else None
        org = next(
            (
                e
                for t in role_tokens
                if (ent := self.entity_at.get(t.i)) is not None
                and ent.ent_id_
                and (e := self._entry_of(ent)) is not None
                and e.kind == "org"
            ),
            None,
        )
        if org is not None:  # "the Hamas leader in Gaza": the organisation's code
            org_spell = org.spell_on(self.day) or org.first_spell()
            country, sector = org_spell.country, org_spell.sector
        if any(t.lower_ in self.actor_words.former_words for t in role_tokens):
            sector = "ELI"  # "ousted President Askar Akayev", "former minister"
        return Role(country, sector, words)

    def _full_name(self, span: Span) -> Span:
        """Widen a name to the given names the NER left out ("Wiesław Kukuła")."""
        doc = span.doc
        start = span.start
        while (
            start > 0
            and doc[start - 1].pos_ == "PROPN"
            and doc[start - 1].dep_ == "compound"
            and span.start <= doc[start - 1].head.i < span.end
            and normalise_name(doc[start - 1].text) not in self.kb.agent_words
            and doc[start - 1].i not in self.entity_at
        ):
            start -= 1
        return doc[start : span.end] if start != span.start else span

    def _agent_in(self, head: Token) -> tuple[Agent | None, str]:
        """The agent noun of a phrase: one that is or includes its head ("defence
        minister"), or directly modifies it ("army officers"), not one deeper inside."""
        near = [head] + [
            t for c in head.children if c.dep_ in {"compound", "amod", "nmod"} for t in c.subtree
        ]
        agent, words = self._agent_in_tokens(phrase_tokens(head), head)
        if agent is None:
            return None, ""
        return (agent, words) if words_of(words, near) else (None, "")

    def _named_word(self, token: Token) -> bool:
        """A word of a place, people or person name, which no agent noun is: but a common
        noun the NER calls a people ("Jihadists blew up a bridge") and the KB does not
        know is still one."""
        ent = self.entity_at.get(token.i)
        if ent is None or ent.label_ not in {"GPE", "NORP", "PERSON"}:
            return False
        return ent.ent_id_ != "" or token.pos_ != "NOUN"

    def _agent_in_tokens(
        self, tokens: Sequence[Token], head: Token | None = None
    ) -> tuple[Agent | None, str]:
        """The longest agent phrase in the tokens, preferring one that covers the head."""
        words = [t for t in tokens if t.text != "-" and not (t.is_punct and t.text != "-")]
        best: tuple[int, int, Agent, str] | None = None
        for n in range(min(self.kb.max_agent_words, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                gram = words[i : i + n]
                if any(self._named_word(t) for t in gram):
                    continue
                text = " ".join(t.text for t in gram)
                agent = self.kb.agent(text)
                if agent is None and n == 1:
                    agent = self.kb.agent(gram[0].lemma_)
                if agent is None:
                    continue
                covers = 1 if head is not None and any(t.i == head.i for t in gram) else 0
                rank = (covers, n)
                if best is None or rank > (best[0], best[1]):
                    best = (covers, n, agent, text)
            if best is not None and best[0] == 1:
                break
        if best is None:
            return None, ""
        return best[2], best[3]

    def _countries_in_tokens(
        self, tokens: Iterable[Token], exclude: Span | None = None
    ) -> list[str]:
        found: list[str] = []
        for tok in tokens:
            if exclude is not None and exclude.start <= tok.i < exclude.end:
                continue
            entry = self._country_entry(tok)
            if entry is None:
                continue
            code = (entry.spell_on(self.day) or entry.first_spell()).country
            ent = self.entity_at[tok.i]
            if tok.i == ent.start and code not in found:
                found.append(code)
        return found

    def _country_in(self, head: Token) -> tuple[str | None, str]:
        return self._country_in_tokens(phrase_tokens(head))

    def _country_in_tokens(
        self, tokens: Iterable[Token], exclude: Span | None = None
    ) -> tuple[str | None, str]:
        for tok in tokens:
            if exclude is not None and exclude.start <= tok.i < exclude.end:
                continue
            ent = self.entity_at.get(tok.i)
            if ent is None or not ent.ent_id_ or allegiance(ent):
                continue
            entry = self._entry_of(ent)
            if entry is None:
                continue
            if entry.kind in COUNTRY_KINDS or entry.kind == "org":
                spell = entry.spell_on(self.day) or entry.first_spell()
                return spell.country, ent.text
            if entry.kind == "person":  # "the government of Donald Tusk"
                held = entry.spell_on(self.day) or entry.last_spell_before(self.day)
                if held is not None:
                    return held.country, ent.text
        return None, ""

    def _org_in(self, head: Token) -> Entry | None:
        for tok in phrase_tokens(head):
            ent = self.entity_at.get(tok.i)
            if ent is not None and ent.ent_id_ and tok.i == ent.start:
                entry = self._entry_of(ent)
                if entry is not None and entry.kind == "org":
                    return entry
        return None

    def _person_entry_for(self, ent: Span) -> Entry | None:
        found = [e for e in self.kb.lookup(ent.text, self.day) if e.kind == "person"]
        return found[0] if found else None

    def _person(self, span: Span, entry: Entry | None) -> Actor:
        span = self._full_name(span)
        role = self._stated_role(span)
        spell = entry.spell_on(self.day) if entry else None
        name = entry.name if entry else span.text
        kb_id = entry.kb_id if entry else None
        if role is not None and (role.country or role.sector):
            known = spell
            if known is None and entry is not None:
                known = entry.last_spell_before(self.day) or entry.first_spell()
            country = role.country or (known.country if known else None)
            sector = role.sector or (spell.sector if spell and spell.country == country else None)
            why = f"role in text: '{role.words}'"
            if country != role.country and entry is not None:
                why += f"; country from KB {entry.source}"
            return self._actor(span, make_code(country, sector), country, sector, name, kb_id, why)
        if entry is not None and spell is not None:
            return self._actor(
                span,
                make_code(spell.country, spell.sector),
                spell.country,
                spell.sector,
                name,
                kb_id,
                f"KB {entry.source}: {spell.role} {_period(spell)} on {self.day.isoformat()}",
            )
        if entry is not None:
            last = entry.last_spell_before(self.day) or entry.first_spell()
            return self._actor(
                span,
                make_code(last.country, "ELI"),
                last.country,
                "ELI",
                name,
                kb_id,
                f"KB {entry.source}: out of office on {self.day.isoformat()} "
                f"(was {last.role} {_period(last)}), coded as elite",
            )
        return self._actor(span, UNKNOWN, None, None, name, None, "person unknown to the KB")

    def _entity(self, ent: Span, entry: Entry, token: Token) -> Actor:
        spell = entry.spell_on(self.day) or entry.first_spell()
        country = spell.country
        sector = spell.sector
        why = f"KB {entry.source}: {entry.kind} '{entry.name}'"
        if entry.kind == "org" and country not in {"IGO", "NGO"}:
            # "the Brazilian Congress": a national institution's name, another country's
            named = self._country_in_tokens(
                [c for c in span_head(ent).children if c.dep_ in {"amod", "compound"}]
            )
            if named[0] is not None and named[0] != country:
                country = named[0]
                why += f"; country from '{named[1]}'"
        if entry.kind == "adjective" and token.tag_ in {"NNPS", "NNS"}:
            sector = "CVL"  # "the Palestinians": the people of the country
            why += "; people of the country"
        return self._actor(
            ent, make_code(country, sector), country, sector, entry.name, entry.kb_id, why
        )


def _period(spell: Spell) -> str:
    start = spell.start.isoformat() if spell.start else "…"
    end = spell.end.isoformat() if spell.end else "…"
    return f"({start} to {end})"
