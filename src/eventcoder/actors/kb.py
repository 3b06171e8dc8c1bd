"""The actor knowledge base: countries, places, organisations, sector agents, people.

Everything is read from TSV files in ``actors/data`` (and optional user folders
holding files of the same names), so analysts extend the KB without touching code.
Cells with several values separate them with ``|``; ``#`` lines are comments.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from eventcoder.errors import DataError
from eventcoder.tsv import tsv_rows

KB_FILES = (
    "countries.tsv",
    "places.tsv",
    "organisations.tsv",
    "agents.tsv",
    "people.tsv",
    "genders.tsv",
)
GENDERS = frozenset({"f", "m"})
USER_KB_ENV = "EVENTCODER_KB"

KIND_PRIORITY = ("person", "org", "country", "metonym", "capital", "place", "adjective")

SECTORS = frozenset(
    {
        "GOV", "MIL", "COP", "JUD", "LEG", "PTY", "REB", "SPY", "OPP", "CVL", "MED", "EDU",
        "BUS", "LAB", "REF", "REL", "ELI", "HLH", "NGO", "CRM", "UAF", "AGR", "IGO",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Spell:
    """A period during which an entry holds: a person's role, a state's existence."""

    country: str
    sector: str | None
    role: str
    start: date | None
    end: date | None

    def holds_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Entry:
    """One named thing the KB knows.

    ``kind`` is one of country, adjective, capital, metonym, place, org, person.
    """

    kb_id: str
    kind: str
    name: str
    spells: tuple[Spell, ...]
    source: str  # file:line it came from, for explanations

    def spell_on(self, day: date) -> Spell | None:
        for spell in self.spells:
            if spell.holds_on(day):
                return spell
        return None

    def last_spell_before(self, day: date) -> Spell | None:
        earlier = [s for s in self.spells if s.start is None or s.start <= day]
        if not earlier:
            return None
        return max(earlier, key=lambda s: s.start or date.min)

    def first_spell(self) -> Spell:
        return min(self.spells, key=lambda s: s.start or date.min)


@dataclass(frozen=True)
class Agent:
    phrase: str
    sector: str
    source: str


@dataclass
class KnowledgeBase:
    """Lookup tables built from the TSV files. Treat as read-only once loaded."""

    entries: dict[str, Entry] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    surnames: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    given_names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    genders: dict[str, str] = field(default_factory=dict)  # person kb_id -> "f" | "m"
    agents: dict[str, Agent] = field(default_factory=dict)
    max_agent_words: int = 1
    agent_words: set[str] = field(default_factory=set)  # every word of every agent phrase

    # -- lookups ---------------------------------------------------------------
    def entry(self, kb_id: str) -> Entry | None:
        return self.entries.get(kb_id)

    def lookup(self, text: str, day: date | None = None) -> list[Entry]:
        """Entries named ``text`` (case-insensitive), those valid on ``day`` first."""
        ids = self.names.get(normalise_name(text), [])
        found = [self.entries[i] for i in ids]
        if day is None:
            return found
        valid = [e for e in found if e.kind == "person" or e.spell_on(day) is not None]
        return valid or found

    def entry_for_match(self, match_id: str, day: date) -> Entry | None:
        """The entry an entity-ruler match (id ``name:<normalised name>``) means on ``day``.

        One name can belong to several entries (Moscow: USSR, then Russia); the one
        valid on the day wins, then the kind most specific to the name.
        """
        if not match_id.startswith("name:"):
            return self.entries.get(match_id)
        ids = self.names.get(match_id[5:], [])
        if not ids:
            return None
        found = [self.entries[i] for i in ids]

        def rank(entry: Entry) -> tuple[int, int]:
            valid = entry.kind == "person" or entry.spell_on(day) is not None
            return (0 if valid else 1, KIND_PRIORITY.index(entry.kind))

        return min(found, key=rank)

    def lookup_surname(self, surname: str) -> list[Entry]:
        return [self.entries[i] for i in self.surnames.get(normalise_name(surname), [])]

    def people_named(self, word: str) -> list[Entry]:
        """People whose first or last name is ``word``: "Kim" is Kim Jong Un, Kim Yo Jong,
        Jim Yong Kim... A one-word name shared by several people is ambiguous alone."""
        key = normalise_name(word)
        ids = dict.fromkeys([*self.surnames.get(key, []), *self.given_names.get(key, [])])
        return [self.entries[i] for i in ids]

    def agent(self, phrase: str) -> Agent | None:
        return self.agents.get(normalise_name(phrase))

    def country_name(self, code: str) -> str | None:
        entry = self.entries.get(f"country:{code}")
        return entry.name if entry else None

    # -- spaCy entity-ruler patterns --------------------------------------------
    def ruler_patterns(self) -> list[dict[str, str]]:
        """Case-sensitive phrase patterns for every name, each carrying its KB match id."""
        label_of = {
            "country": "GPE",
            "capital": "GPE",
            "metonym": "GPE",
            "place": "GPE",
            "adjective": "NORP",
            "org": "ORG",
            "person": "PERSON",
        }
        patterns: list[dict[str, str]] = []
        seen: set[str] = set()
        for entry_id in self.entries:
            for surface in self._surfaces.get(entry_id, ()):
                for variant in _case_variants(surface):
                    if variant in seen:
                        continue
                    seen.add(variant)
                    key = normalise_name(variant)
                    kinds = {self.entries[i].kind for i in self.names.get(key, [entry_id])}
                    kind = min(kinds, key=KIND_PRIORITY.index)
                    patterns.append(
                        {
                            "label": label_of[kind],
                            "pattern": variant,
                            "id": f"name:{key}",
                        }
                    )
        return patterns

    _surfaces: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    # -- building --------------------------------------------------------------
    def add_entry(self, entry: Entry, surfaces: Iterable[str]) -> None:
        if entry.kb_id in self.entries:
            old = self.entries[entry.kb_id]
            entry = Entry(
                entry.kb_id,
                entry.kind,
                old.name,
                old.spells + entry.spells,
                old.source,
            )
        self.entries[entry.kb_id] = entry
        for surface in surfaces:
            surface = surface.strip()
            if not surface:
                continue
            key = normalise_name(surface)
            if entry.kb_id not in self.names[key]:
                self.names[key].append(entry.kb_id)
            if surface not in self._surfaces[entry.kb_id]:
                self._surfaces[entry.kb_id].append(surface)
            if entry.kind == "person":
                parts = surface.replace("-", " ").split()
                if len(parts) > 1:
                    last = normalise_name(parts[-1])
                    if entry.kb_id not in self.surnames[last]:
                        self.surnames[last].append(entry.kb_id)
                    first = normalise_name(parts[0])
                    if entry.kb_id not in self.given_names[first]:
                        self.given_names[first].append(entry.kb_id)

    def add_agent(self, agent: Agent, plurals: Iterable[str]) -> None:
        forms = {agent.phrase, *plurals}
        if " " not in agent.phrase and not agent.phrase.endswith("s"):
            forms.add(agent.phrase + "s")
        elif " " in agent.phrase:
            head, _, rest = agent.phrase.partition(" of ")
            forms.add(head + "s" + (" of " + rest if rest else ""))
        for form in forms:
            key = normalise_name(form)
            if key:
                self.agents.setdefault(key, agent)
                self.agent_words.update(key.split())
                self.max_agent_words = max(self.max_agent_words, len(key.split()))


def normalise_name(text: str) -> str:
    """Lower-case, hyphens and dots as in news spellings folded, spaces collapsed."""
    text = text.lower().replace("’", "'").replace("-", " ")
    return " ".join(text.split())


def _case_variants(surface: str) -> list[str]:
    """The spellings to match: as written, plus "The X" for "the X" and "al-Qaeda" for
    "Al-Qaeda" (a lower-case particle before a capitalised name)."""
    variants = [surface]
    if surface.startswith("the "):
        variants.append("The " + surface[4:])
    first, rest = surface[:1], surface[1:]
    if first.isalpha() and any(c.isupper() for c in rest) and rest[:1].islower():
        particle = surface.split("-")[0].split(" ")[0]
        if len(particle) <= 3:  # al-, el-, ad-, an-: Al-Qaeda, al-Shabaab, El-Sisi
            variants.append(first.swapcase() + rest)
    return variants


# ---------------------------------------------------------------------------
# reading the TSV files


def _parse_date(value: str, where: str, line: int) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DataError(f"bad date '{value}' (expected YYYY-MM-DD)", where, line) from exc


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]


def _check_code(value: str, where: str, line: int, what: str) -> str:
    value = value.strip()
    if not value or not value.replace("-", "").isalnum():
        raise DataError(f"bad {what} '{value}'", where, line)
    return value


def _check_sector(value: str, where: str, line: int) -> str | None:
    value = value.strip()
    if not value:
        return None
    if value not in SECTORS:
        raise DataError(
            f"unknown sector '{value}' (known: {' '.join(sorted(SECTORS))})", where, line
        )
    return value


def load_countries(kb: KnowledgeBase, text: str, where: str) -> None:
    cols = ("code", "name", "aliases", "adjectives", "capitals", "metonyms")
    for line, row in tsv_rows(text, where, cols):
        code = _check_code(row["code"], where, line, "country code")
        start = _parse_date(row.get("valid_from", ""), where, line)
        end = _parse_date(row.get("valid_to", ""), where, line)
        src = f"{where}:{line}"
        name = row["name"].strip()
        spell = Spell(code, None, name, start, end)
        kb.add_entry(
            Entry(f"country:{code}", "country", name, (spell,), src),
            [name, *_split(row["aliases"])],
        )
        kb.add_entry(
            Entry(f"adjective:{code}", "adjective", name, (spell,), src), _split(row["adjectives"])
        )
        kb.add_entry(
            Entry(f"capital:{code}", "capital", name, (Spell(code, "GOV", name, start, end),), src),
            _split(row["capitals"]),
        )
        kb.add_entry(
            Entry(f"metonym:{code}", "metonym", name, (Spell(code, "GOV", name, start, end),), src),
            _split(row["metonyms"]),
        )


def load_places(kb: KnowledgeBase, text: str, where: str) -> None:
    for line, row in tsv_rows(text, where, ("name", "aliases", "country")):
        country = _check_code(row["country"], where, line, "country code")
        name = row["name"].strip()
        spell = Spell(
            country,
            None,
            row.get("kind", "").strip() or "place",
            _parse_date(row.get("valid_from", ""), where, line),
            _parse_date(row.get("valid_to", ""), where, line),
        )
        kb.add_entry(
            Entry(f"place:{normalise_name(name)}", "place", name, (spell,), f"{where}:{line}"),
            [name, *_split(row["aliases"])],
        )


def load_organisations(kb: KnowledgeBase, text: str, where: str) -> None:
    for line, row in tsv_rows(text, where, ("org_id", "name", "aliases", "country", "sector")):
        org_id = row["org_id"].strip()
        country = _check_code(row["country"], where, line, "country code")
        name = row["name"].strip()
        spell = Spell(
            country,
            _check_sector(row["sector"], where, line),
            row.get("kind", "").strip() or "organisation",
            _parse_date(row.get("valid_from", ""), where, line),
            _parse_date(row.get("valid_to", ""), where, line),
        )
        kb.add_entry(
            Entry(f"org:{org_id}", "org", name, (spell,), f"{where}:{line}"),
            [name, *_split(row["aliases"])],
        )


def load_people(kb: KnowledgeBase, text: str, where: str) -> None:
    cols = ("person_id", "name", "aliases", "country", "sector", "role", "start", "end")
    for line, row in tsv_rows(text, where, cols):
        person_id = row["person_id"].strip()
        start = _parse_date(row["start"], where, line)
        end = _parse_date(row["end"], where, line)
        if start and end and end < start:
            raise DataError(f"role ends ({end}) before it starts ({start})", where, line)
        spell = Spell(
            _check_code(row["country"], where, line, "country code"),
            _check_sector(row["sector"], where, line),
            row["role"].strip(),
            start,
            end,
        )
        name = row["name"].strip()
        kb.add_entry(
            Entry(f"person:{person_id}", "person", name, (spell,), f"{where}:{line}"),
            [name, *_split(row["aliases"])],
        )


def load_genders(kb: KnowledgeBase, text: str, where: str) -> None:
    """person_id, gender (f or m): for pronoun agreement."""
    for line, row in tsv_rows(text, where, ("person_id", "gender")):
        gender = row["gender"].lower()
        if gender not in GENDERS:
            raise DataError(f"gender must be f or m, not {row['gender']!r}", where, line)
        kb.genders[f"person:{row['person_id']}"] = gender


def load_agents(kb: KnowledgeBase, text: str, where: str) -> None:
    for line, row in tsv_rows(text, where, ("phrase", "sector")):
        sector = _check_sector(row["sector"], where, line)
        if sector is None:
            raise DataError("agent without a sector", where, line)
        phrase = normalise_name(row["phrase"])
        kb.add_agent(Agent(phrase, sector, f"{where}:{line}"), _split(row.get("plural", "")))


_LOADERS = {
    "countries.tsv": load_countries,
    "places.tsv": load_places,
    "organisations.tsv": load_organisations,
    "agents.tsv": load_agents,
    "people.tsv": load_people,
    "genders.tsv": load_genders,
}


def build_kb(extra_dirs: Sequence[Path] = ()) -> KnowledgeBase:
    """Build a KB from the packaged files, then each extra folder's files on top."""
    kb = KnowledgeBase()
    data = resources.files("eventcoder.actors") / "data"
    for name in KB_FILES:
        resource = data / name
        if resource.is_file():
            _LOADERS[name](
                kb, resource.read_text(encoding="utf-8"), f"eventcoder/actors/data/{name}"
            )
    for folder in extra_dirs:
        if not folder.is_dir():
            raise DataError(f"user KB folder not found: {folder}")
        for name in KB_FILES:
            path = folder / name
            if path.is_file():
                _LOADERS[name](kb, path.read_text(encoding="utf-8"), str(path))
    return kb


def user_kb_dirs() -> tuple[Path, ...]:
    """Folders named in $EVENTCODER_KB (path-separator separated)."""
    value = os.environ.get(USER_KB_ENV, "")
    return tuple(Path(p) for p in value.split(os.pathsep) if p)


@lru_cache(maxsize=8)
def load_kb(extra_dirs: tuple[Path, ...] = ()) -> KnowledgeBase:
    """The packaged KB plus user folders, built once per process."""
    return build_kb(extra_dirs)
