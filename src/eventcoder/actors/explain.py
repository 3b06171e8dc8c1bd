"""``eventcoder kb lookup``: how a name codes on a date, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eventcoder.actors.document import make_code
from eventcoder.actors.kb import Entry, load_kb, user_kb_dirs


@dataclass(frozen=True)
class KbAnswer:
    """One way a name codes on a day: the code, the KB entry (none for a sector agent)
    and why, as ``eventcoder kb lookup`` prints it."""

    code: str
    why: str
    name: str | None = None
    kb_id: str | None = None

    @property
    def line(self) -> str:
        return f"{self.code}  {self.why}"


def _describe(entry: Entry, day: date) -> KbAnswer:
    spell = entry.spell_on(day)
    if entry.kind == "person":
        if spell is not None:
            code = make_code(spell.country, spell.sector)
            why = f"{entry.name}: {spell.role} on {day} ({entry.source})"
        elif (last := entry.last_spell_before(day)) is None:
            first = entry.first_spell()
            code = make_code(first.country, "ELI")
            why = (
                f"{entry.name}: no role yet on {day} "
                f"(first: {first.role} from {first.start}) ({entry.source})"
            )
        else:
            code = make_code(last.country, "ELI")
            why = (
                f"{entry.name}: out of office on {day}, "
                f"was {last.role} until {last.end} ({entry.source})"
            )
    else:
        chosen = spell or entry.first_spell()
        note = "" if spell is not None else f" (not valid on {day})"
        code = make_code(chosen.country, chosen.sector)
        why = f"{entry.name}: {entry.kind}{note} ({entry.source})"
    return KbAnswer(code, why, name=entry.name, kb_id=entry.kb_id)


def look_up(name: str, day: date) -> list[KbAnswer]:
    """What ``name`` codes as on ``day`` and where each answer comes from (empty when the
    knowledge base does not know it)."""
    kb = load_kb(user_kb_dirs())
    entries = kb.lookup(name, day)
    if not entries:
        entries = [e for e in kb.lookup_surname(name) if e.kind == "person"]
    answers = [_describe(e, day) for e in entries]
    agent = kb.agent(name)
    if agent is not None:
        answers.append(
            KbAnswer(f"---{agent.sector}", f"sector agent '{agent.phrase}' ({agent.source})")
        )
    return answers


def explain_name(name: str, day: date) -> list[str]:
    """Lines saying what ``name`` codes as on ``day`` and where each answer comes from."""
    answers = look_up(name, day)
    if not answers:
        return [f"not found: '{name}' is not in the knowledge base"]
    return [answer.line for answer in answers]
