"""The shared data model: frozen dataclasses passed between pipeline stages.

Stages exchange these types only. ``Event.to_record`` produces the public event
record (version 1) documented in the README and ``Event.from_record`` reads it back;
nothing else defines that shape. What the store gives back is typed too:
``StoredEvent`` (a deduplicated event with its ``Reports``) and ``StoredMention`` (an
event as coded from one article), whose ``to_record`` adds their fields to the record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from functools import cache
from typing import Any

RECORD_VERSION = 1


def stable_hash(*parts: str, length: int = 16) -> str:
    """A short, deterministic content hash used for document and event ids."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


@dataclass(frozen=True)
class Document:
    """One article after ingest; ``text`` is the text as read.

    Only the seed format's ``date`` prefix and the trailing scraper junk block are cut
    and the whole is trimmed; no character is replaced, so every offset of an event
    (evidence, trigger, actors) points at the article's own words. The coder parses a
    normalised copy and maps offsets back (``eventcoder.ingest.normalise``).
    """

    doc_id: str
    text: str
    date: date
    title: str | None = None
    url: str | None = None
    source: str | None = None
    origin: str = ""  # where it came from, "path" or "path:line"
    # ISO 639-1 code the coder found (``eventcoder.language``); only "en" is parsed.
    # Worked out from the text, so not part of ``content_hash``.
    language: str = "en"

    @property
    def content_hash(self) -> str:
        return stable_hash(self.doc_id, self.date.isoformat(), self.text)


@dataclass(frozen=True)
class Actor:
    """A resolved actor mention: the words in the text and the code they get."""

    text: str
    code: str  # country + sector, e.g. "UKRMIL"; "---" when unknown
    country: str | None
    sector: str | None
    name: str | None = None  # canonical name (person, organisation, country)
    kb_id: str | None = None
    start: int = -1  # character offsets of ``text`` in the document
    end: int = -1
    why: str = ""  # how the code was reached: KB entry, role in text, words

    @property
    def identity(self) -> str:
        """Who this is, whatever words name them: the KB entry, else the name, else the words."""
        return self.kb_id or self.name or self.text

    @property
    def key(self) -> tuple[int, str, str | None]:
        """Identity of a mention: where it is and whom it codes."""
        return (self.start, self.code, self.name)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Actor:
        """The actor of an event record's ``source`` or ``target`` object."""
        return cls(
            text=str(record["text"]),
            code=str(record["code"]),
            country=record.get("country"),
            sector=record.get("sector"),
            name=record.get("name"),
            kb_id=record.get("kb_id"),
            start=int(record.get("start", -1)),
            end=int(record.get("end", -1)),
            why=str(record.get("why") or ""),
        )

    def to_record(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "code": self.code,
            "country": self.country,
            "sector": self.sector,
            "name": self.name,
            "kb_id": self.kb_id,
            "start": self.start,
            "end": self.end,
            "why": self.why,
        }


@dataclass(frozen=True)
class Plover:
    event: str
    mode: str | None = None
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Modality:
    negated: bool = False
    intent: bool = False
    hypothetical: bool = False
    reported: bool = False


_MODALITY_FLAGS = ("negated", "intent", "hypothetical", "reported")


@dataclass(frozen=True)
class Evidence:
    """The words an event rests on: ``document.text[start:end] == sentence`` and
    ``document.text[trigger_start:trigger_end] == trigger``."""

    sentence: str
    start: int
    end: int
    trigger: str
    trigger_start: int
    trigger_end: int


@dataclass(frozen=True)
class Event:
    doc_id: str
    date: date
    date_precision: str  # "day" | "week" | "month" | "year" | "publication" (no date in text)
    source: Actor | None
    target: Actor | None
    cameo: str
    goldstein: float
    quad_class: int
    plover: Plover
    modality: Modality
    evidence: Evidence
    confidence: float
    rule: str
    coder_version: str
    event_id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.event_id:
            object.__setattr__(self, "event_id", self.compute_id())

    def compute_id(self) -> str:
        return stable_hash(
            self.doc_id,
            str(self.evidence.trigger_start),
            self.cameo,
            self.source.code if self.source else "",
            str(self.source.start) if self.source else "",
            self.target.code if self.target else "",
            str(self.target.start) if self.target else "",
        )

    def to_record(self) -> dict[str, Any]:
        """The event record (version 1), laid out as ``EVENT_RECORD_LAYOUT`` says."""
        record: dict[str, Any] = {}
        for entry in EVENT_RECORD_LAYOUT:
            if entry.members:
                value: Any = {key: record_value(getattr(self, name)) for key, name in entry.members}
            elif entry.attribute:
                value = record_value(getattr(self, entry.attribute))
            else:
                value = entry.constant
            record[entry.key] = value
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Event:
        """The event of a version-1 record (``to_record``, a JSONL line, a Spark row as
        ``eventcoder.spark.row_to_record`` gives it): ``Event.from_record(e.to_record()) == e``.
        Raises ``KeyError`` or ``ValueError`` when the record is not of that shape."""
        evidence = record["evidence"]
        plover = record["plover"]
        modality = record["modality"]
        coder = record["coder"]
        source, target = record.get("source"), record.get("target")
        return cls(
            doc_id=str(record["doc_id"]),
            date=date.fromisoformat(str(record["date"])),
            date_precision=str(record["date_precision"]),
            source=Actor.from_record(source) if source else None,
            target=Actor.from_record(target) if target else None,
            cameo=str(record["cameo"]),
            goldstein=float(record["goldstein"]),
            quad_class=int(record["quad_class"]),
            plover=Plover(
                event=str(plover["event"]),
                mode=plover.get("mode"),
                context=tuple(plover.get("context") or ()),
            ),
            modality=Modality(**{k: bool(modality[k]) for k in _MODALITY_FLAGS}),
            evidence=Evidence(
                sentence=str(evidence["sentence"]),
                start=int(evidence["start"]),
                end=int(evidence["end"]),
                trigger=str(evidence["trigger"]),
                trigger_start=int(evidence["trigger_start"]),
                trigger_end=int(evidence["trigger_end"]),
            ),
            confidence=float(record["confidence"]),
            rule=str(coder["rule"]),
            coder_version=str(coder["version"]),
            event_id=str(record.get("event_id") or ""),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_record(), ensure_ascii=False, sort_keys=False)


@dataclass(frozen=True)
class RecordEntry:
    """A top-level entry of the event record and where its value comes from: the ``Event``
    field ``attribute``, an object of ``Event`` fields (``members``: key, field) or
    ``constant``."""

    key: str
    attribute: str = ""
    members: tuple[tuple[str, str], ...] = ()
    constant: int | None = None


def _event_record_layout() -> tuple[RecordEntry, ...]:
    # Event's fields in their order, except that event_id leads, coder_version and rule
    # are gathered in the "coder" object and record_version ends the record.
    coder = RecordEntry("coder", members=(("version", "coder_version"), ("rule", "rule")))
    grouped = {"event_id", *(name for _, name in coder.members)}
    middle = [RecordEntry(f.name, f.name) for f in fields(Event) if f.name not in grouped]
    return (
        RecordEntry("event_id", "event_id"),
        *middle,
        coder,
        RecordEntry("record_version", constant=RECORD_VERSION),
    )


EVENT_RECORD_LAYOUT = _event_record_layout()
"""The event record's layout: ``Event.to_record`` and the Spark schema both follow it."""


def record_value(value: Any) -> Any:
    """A field's value as the record holds it: dates as ISO strings, tuples as lists,
    dataclasses as objects of their fields in order."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [record_value(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {name: record_value(getattr(value, name)) for name in _field_names(type(value))}
    return value


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class Reports:
    """How often a deduplicated event was reported: the ``reports`` object of its record."""

    mentions: int
    articles: int
    sources: int  # distinct outlets (see ``eventcoder.store.dedup.source_identity``)
    first_date: date
    last_date: date
    mention_id: str  # the representative mention, whose words the event shows

    def to_record(self) -> dict[str, Any]:
        return {
            "mentions": self.mentions,
            "articles": self.articles,
            "sources": self.sources,
            "first_date": self.first_date.isoformat(),
            "last_date": self.last_date.isoformat(),
            "mention_id": self.mention_id,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Reports:
        return cls(
            mentions=int(record["mentions"]),
            articles=int(record["articles"]),
            sources=int(record["sources"]),
            first_date=date.fromisoformat(str(record["first_date"])),
            last_date=date.fromisoformat(str(record["last_date"])),
            mention_id=str(record["mention_id"]),
        )


@dataclass(frozen=True)
class StoredEvent:
    """A deduplicated event as the store gives it: the representative mention's event
    (with the event's own id, first date and highest confidence), its reports and the
    representative article's URL."""

    event: Event
    reports: Reports
    url: str | None = None

    @property
    def counts(self) -> tuple[int, int, int]:
        """(mentions, sources, articles), the order of GDELT's columns."""
        return (self.reports.mentions, self.reports.sources, self.reports.articles)

    def to_record(self) -> dict[str, Any]:
        record = self.event.to_record()
        record["reports"] = self.reports.to_record()
        if self.url:
            record["url"] = self.url
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> StoredEvent:
        return cls(
            event=Event.from_record(record),
            reports=Reports.from_record(record["reports"]),
            url=record.get("url") or None,
        )


@dataclass(frozen=True)
class StoredMention:
    """An event as coded from one article, as the store gives it: ``merged_into`` is the
    id of the deduplicated event it belongs to (``None`` until the merge has run)."""

    event: Event
    merged_into: str | None = None
    url: str | None = None

    @property
    def counts(self) -> tuple[int, int, int]:
        """(mentions, sources, articles): one report."""
        return (1, 1, 1)

    def to_record(self) -> dict[str, Any]:
        record = self.event.to_record()
        if self.url:
            record["url"] = self.url
        record["merged_into"] = self.merged_into
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> StoredMention:
        return cls(
            event=Event.from_record(record),
            merged_into=record.get("merged_into"),
            url=record.get("url") or None,
        )


Stored = StoredEvent | StoredMention
"""What the store's queries yield: deduplicated events or mentions."""
