"""The event vocabulary: verb and noun trigger patterns read from TSV files.

Patterns live in ``coding/data/patterns/``, one file per CAMEO root
(``04_consult.tsv``, ``19_fight.tsv``, ...), with the columns
``pos lemma cameo particle prep object modifier target note``:

* ``pos``: ``verb`` (also matches predicative adjectives: "grateful to") or ``noun``.
* ``lemma``: one or more trigger lemmas separated by ``|`` (each becomes a pattern).
* ``cameo``: the CAMEO code, or ``-`` for "this use is not an event" (e.g. "met resistance").
* ``particle``: a required verb particle ("call *off*"); ``prep``: a required preposition
  attached to the trigger ("meet *with*", "call *for*"); ``object``: required object lemmas
  (``|``-separated; ``*`` means any object); ``modifier``: a required noun modifier
  ("*telephone* call", "*missile* strike").
* ``target``: where the target is found, slots tried in order, ``|``-separated:
  ``dobj``, ``dative``, ``iobj``, ``prep:WORD`` (a preposition on the trigger or its object),
  ``poss`` (nouns: "Ukraine's invasion" is the target when a ``by`` agent exists),
  ``clause_subject`` (the subject of an infinitive: "an invitation for X to visit"),
  ``none``. Empty means the default for the part of speech.

More constraints make a pattern more specific; the most specific match wins.
Users add pattern files of the same format in ``patterns/`` inside a folder named by
``EVENTCODER_KB``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from eventcoder.errors import DataError
from eventcoder.ontology import Ontology, load_ontology
from eventcoder.tsv import tsv_rows

NOT_AN_EVENT = "-"
TARGET_SLOTS = frozenset({"dobj", "dative", "iobj", "poss", "none", "clause_subject"})
VERB_DEFAULT_TARGET = ("dobj", "dative", "prep:to", "prep:against", "prep:with", "prep:on")
NOUN_DEFAULT_TARGET = (
    "prep:with",
    "prep:against",
    "prep:on",
    "prep:to",
    "prep:in",
    "prep:of",
    "prep:for",
    "prep:into",
    "prep:at",
)


@dataclass(frozen=True)
class Pattern:
    pos: str  # "verb" | "noun"
    lemma: str
    cameo: str  # CAMEO code or NOT_AN_EVENT
    particle: str | None
    prep: str | None
    objects: frozenset[str]
    modifiers: frozenset[str]
    target: tuple[str, ...]
    source: str  # file:line, recorded as the rule that fired

    @property
    def specificity(self) -> int:
        return sum(1 for c in (self.particle, self.prep, self.objects, self.modifiers) if c)

    @property
    def is_event(self) -> bool:
        return self.cameo != NOT_AN_EVENT


@dataclass(frozen=True)
class Grammar:
    support_verbs: frozenset[str]
    object_control_verbs: frozenset[str]
    reporting_verbs: frozenset[str]
    intent_verbs: frozenset[str]
    negating_verbs: frozenset[str]
    negation_words: frozenset[str]
    hypothetical_marks: frozenset[str]
    hypothetical_modals: frozenset[str]
    future_modals: frozenset[str]
    background_preps: frozenset[str]
    intent_codes: dict[str, str]
    obligation_modals: frozenset[str]
    demand_codes: dict[str, str]
    condition_marks: frozenset[str]
    threat_codes: dict[str, str]
    mutual_types: frozenset[str]
    mutual_codes: frozenset[str]
    reciprocal_verbs: frozenset[str]
    instrument_nouns: frozenset[str]
    statement_audiences: frozenset[str]
    container_nouns: frozenset[str]
    joint_words: frozenset[str]
    joint_codes: dict[str, str]
    mediation_codes: frozenset[str]
    reporting_nouns: frozenset[str]
    receiving_verbs: frozenset[str]
    agent_frames: frozenset[str]
    giving_types: frozenset[str]
    place_preps: frozenset[str]
    meeting_intents: frozenset[str]
    untargeted_types: frozenset[str]
    participation_verbs: frozenset[str]
    force_roots: frozenset[str]
    content_types: frozenset[str]
    domestic_types: frozenset[str]
    domestic_sectors: frozenset[str]


@dataclass(frozen=True)
class Vocabulary:
    verbs: dict[str, tuple[Pattern, ...]]
    nouns: dict[str, tuple[Pattern, ...]]
    grammar: Grammar

    def __len__(self) -> int:
        return sum(len(p) for p in self.verbs.values()) + sum(len(p) for p in self.nouns.values())


def _split(cell: str) -> list[str]:
    return [v.strip().lower() for v in cell.split("|") if v.strip()]


def parse_patterns(text: str, where: str, ontology: Ontology) -> list[Pattern]:
    """Parse one pattern file; every error names the file and line."""
    patterns: list[Pattern] = []
    for line, row in tsv_rows(text, where, ("pos", "lemma", "cameo")):
        pos = row.get("pos", "").lower()
        if pos not in {"verb", "noun"}:
            raise DataError(f"pos must be 'verb' or 'noun', not '{pos}'", where, line)
        lemmas = _split(row.get("lemma", ""))
        if not lemmas:
            raise DataError("pattern without a lemma", where, line)
        cameo = row.get("cameo", "")
        if cameo != NOT_AN_EVENT and not ontology.has_cameo(cameo):
            raise DataError(f"unknown CAMEO code '{cameo}'", where, line)
        target = tuple(_split(row.get("target", "")))
        for slot in target:
            if slot not in TARGET_SLOTS and not (slot.startswith("prep:") and len(slot) > 5):
                raise DataError(f"unknown target slot '{slot}'", where, line)
        for lemma in lemmas:
            patterns.append(
                Pattern(
                    pos=pos,
                    lemma=lemma,
                    cameo=cameo,
                    particle=row.get("particle", "").lower() or None,
                    prep=row.get("prep", "").lower() or None,
                    objects=frozenset(_split(row.get("object", ""))),
                    modifiers=frozenset(_split(row.get("modifier", ""))),
                    target=target
                    or (VERB_DEFAULT_TARGET if pos == "verb" else NOUN_DEFAULT_TARGET),
                    source=f"{Path(where).name}:{line}",
                )
            )
    return patterns


def parse_grammar(text: str, where: str) -> Grammar:
    try:
        loaded: object = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataError(f"not valid YAML: {exc}", where) from exc
    if not isinstance(loaded, dict):
        raise DataError("expected a mapping of word lists", where)
    data: dict[object, object] = loaded

    def words(key: str) -> frozenset[str]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise DataError(f"'{key}' must be a list", where)
        return frozenset(str(v).lower() for v in value)

    def codes(key: str) -> dict[str, str]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise DataError(f"'{key}' must be a mapping", where)
        return {str(k): str(v) for k, v in value.items()}

    return Grammar(
        support_verbs=words("support_verbs"),
        object_control_verbs=words("object_control_verbs"),
        reporting_verbs=words("reporting_verbs"),
        intent_verbs=words("intent_verbs"),
        negating_verbs=words("negating_verbs"),
        negation_words=words("negation_words"),
        hypothetical_marks=words("hypothetical_marks"),
        hypothetical_modals=words("hypothetical_modals"),
        future_modals=words("future_modals"),
        background_preps=words("background_preps"),
        intent_codes=codes("intent_codes"),
        obligation_modals=words("obligation_modals"),
        demand_codes=codes("demand_codes"),
        condition_marks=words("condition_marks"),
        threat_codes=codes("threat_codes"),
        mutual_types=frozenset(w.upper() for w in words("mutual_types")),
        mutual_codes=words("mutual_codes"),
        reciprocal_verbs=words("reciprocal_verbs"),
        instrument_nouns=words("instrument_nouns"),
        statement_audiences=frozenset(w.upper() for w in words("statement_audiences")),
        container_nouns=words("container_nouns"),
        joint_words=words("joint_words"),
        joint_codes=codes("joint_codes"),
        mediation_codes=words("mediation_codes"),
        reporting_nouns=words("reporting_nouns"),
        receiving_verbs=words("receiving_verbs"),
        agent_frames=words("agent_frames"),
        giving_types=frozenset(w.upper() for w in words("giving_types")),
        place_preps=words("place_preps"),
        meeting_intents=words("meeting_intents"),
        untargeted_types=frozenset(w.upper() for w in words("untargeted_types")),
        participation_verbs=words("participation_verbs"),
        force_roots=words("force_roots"),
        content_types=frozenset(w.upper() for w in words("content_types")),
        domestic_types=frozenset(w.upper() for w in words("domestic_types")),
        domestic_sectors=frozenset(w.upper() for w in words("domestic_sectors")),
    )


def _index(patterns: Sequence[Pattern]) -> dict[str, tuple[Pattern, ...]]:
    grouped: dict[str, list[Pattern]] = defaultdict(list)
    for p in patterns:
        grouped[p.lemma].append(p)
    return {k: tuple(sorted(v, key=lambda p: -p.specificity)) for k, v in grouped.items()}


def build_vocabulary(extra_dirs: Sequence[Path] = ()) -> Vocabulary:
    ontology = load_ontology()
    data = resources.files("eventcoder.coding") / "data"
    patterns: list[Pattern] = []
    folder = data / "patterns"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".tsv"):
            patterns.extend(
                parse_patterns(
                    entry.read_text(encoding="utf-8"),
                    f"coding/data/patterns/{entry.name}",
                    ontology,
                )
            )
    for extra in extra_dirs:
        user_folder = extra / "patterns"
        if user_folder.is_dir():
            for path in sorted(user_folder.glob("*.tsv")):
                patterns.extend(
                    parse_patterns(path.read_text(encoding="utf-8"), str(path), ontology)
                )
    grammar = parse_grammar(
        (data / "grammar.yaml").read_text(encoding="utf-8"), "coding/data/grammar.yaml"
    )
    verbs = [p for p in patterns if p.pos == "verb"]
    nouns = [p for p in patterns if p.pos == "noun"]
    return Vocabulary(_index(verbs), _index(nouns), grammar)


@lru_cache(maxsize=4)
def load_vocabulary(extra_dirs: tuple[Path, ...] = ()) -> Vocabulary:
    return build_vocabulary(extra_dirs)
