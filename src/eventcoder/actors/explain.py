"""``eventcoder kb lookup``: how a name codes on a date, and why."""

from __future__ import annotations

from datetime import date

from eventcoder.actors.document import make_code
from eventcoder.actors.kb import Entry, load_kb, user_kb_dirs


def _describe(entry: Entry, day: date) -> str:
    spell = entry.spell_on(day)
    if entry.kind == "person":
        if spell is not None:
            code = make_code(spell.country, spell.sector)
            return f"{code}  {entry.name}: {spell.role} on {day} ({entry.source})"
        last = entry.last_spell_before(day)
        if last is None:
            first = entry.first_spell()
            return (
                f"{make_code(first.country, 'ELI')}  {entry.name}: no role yet on {day} "
                f"(first: {first.role} from {first.start}) ({entry.source})"
            )
        return (
            f"{make_code(last.country, 'ELI')}  {entry.name}: out of office on {day}, "
            f"was {last.role} until {last.end} ({entry.source})"
        )
    chosen = spell or entry.first_spell()
    note = "" if spell is not None else f" (not valid on {day})"
    return (
        f"{make_code(chosen.country, chosen.sector)}  {entry.name}: {entry.kind}{note} "
        f"({entry.source})"
    )


def explain_name(name: str, day: date) -> list[str]:
    """Lines saying what ``name`` codes as on ``day`` and where each answer comes from."""
    kb = load_kb(user_kb_dirs())
    entries = kb.lookup(name, day)
    if not entries:
        entries = [e for e in kb.lookup_surname(name) if e.kind == "person"]
    lines = [_describe(e, day) for e in entries]
    agent = kb.agent(name)
    if agent is not None:
        lines.append(f"---{agent.sector}  sector agent '{agent.phrase}' ({agent.source})")
    if not lines:
        return [f"not found: '{name}' is not in the knowledge base"]
    return lines
