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
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date
from functools import cache
from types import UnionType
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

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
        return read_record(cls, record)

    def to_record(self) -> dict[str, Any]:
        return record_value(self)


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
class Location:
    """Where an event happened: a place of the gazetteer (``eventcoder.places``).

    ``precision`` is ``city`` (a populated place), ``adm1`` (a first-level region),
    ``country`` (the country's centre point: the text gave no finer place) or ``none``
    (no place and no country: ``why`` says why, the other fields are empty). ``text``,
    ``start`` and ``end`` are the words naming it (``document.text[start:end] == text``)
    when they are in the text, else ``None``, -1, -1. ``why`` says how it was chosen:
    the event's clause, the dateline, the article's main place, or an actor's country.
    """

    name: str | None
    country: str | None  # ISO 3166-1 alpha-3
    lat: float | None
    lon: float | None
    precision: str
    why: str
    admin1: str | None = None
    geonames_id: int | None = None
    text: str | None = None
    start: int = -1
    end: int = -1


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
    location: Location | None = None

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
        flat = record_value(self)
        record: dict[str, Any] = {}
        for entry in EVENT_RECORD_LAYOUT:
            if entry.members:
                record[entry.key] = {key: flat[name] for key, name in entry.members}
            elif entry.attribute:
                record[entry.key] = flat[entry.attribute]
            else:
                record[entry.key] = entry.constant
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Event:
        """The event of a version-1 record (``to_record``, a JSONL line, a Spark row as
        ``eventcoder.spark.row_to_record`` gives it): ``Event.from_record(e.to_record()) == e``.
        Raises ``KeyError`` or ``ValueError`` when the record is not of that shape."""
        flat: dict[str, Any] = {}
        for entry in EVENT_RECORD_LAYOUT:
            if entry.members:
                flat.update((name, record[entry.key][key]) for key, name in entry.members)
            elif entry.attribute and entry.key in record:
                flat[entry.attribute] = record[entry.key]
        return read_record(cls, flat)

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


_RecordT = TypeVar("_RecordT")


def record_value(value: object) -> dict[str, Any]:
    """A dataclass as its record: an object of its fields in order, dates as ISO strings,
    tuples as lists, nested dataclasses as objects."""
    return _writer(cast(type, type(value)))(value)


def read_record(cls: type[_RecordT], record: Mapping[str, Any]) -> _RecordT:
    """The dataclass ``cls`` from its record (what ``record_value`` gives), read by its
    field types. A field left out or ``None`` takes its default (``None`` if it is
    optional; an optional dataclass may also be ``{}``); without one, ``KeyError``."""
    return cast(_RecordT, _reader(cast(type, cls))(record))


# Each dataclass gets a writer and a reader made once from its field types, so that
# reading and writing millions of records does not inspect types per value.


@dataclass(frozen=True)
class _FieldKind:
    name: str
    kind: Any  # the field's resolved type, ``None`` taken out of ``X | None``
    optional: bool
    default: Any  # ``MISSING`` when the field has none


@cache
def _field_kinds(cls: type) -> tuple[_FieldKind, ...]:
    hints = get_type_hints(cls)
    kinds = []
    for f in fields(cls):
        kind = hints[f.name]
        args = get_args(kind)
        optional = get_origin(kind) in (Union, UnionType) and type(None) in args
        if optional:
            (kind,) = [a for a in args if a is not type(None)]
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        kinds.append(_FieldKind(f.name, kind, optional, default))
    return tuple(kinds)


def _tuple_item(kind: Any) -> Any:
    (item,) = [a for a in get_args(kind) if a is not Ellipsis]
    return item


def _encoder(kind: Any) -> Callable[[Any], Any] | None:
    """How a field's value becomes JSON-ready (``None``: as it is)."""
    if is_dataclass(kind):
        return _writer(cast(type, kind))
    if kind is date:
        return date.isoformat
    if get_origin(kind) is tuple:
        item = _encoder(_tuple_item(kind))
        return list if item is None else lambda values: [item(v) for v in values]
    return None


@cache
def _writer(cls: type) -> Callable[[Any], dict[str, Any]]:
    steps = [(k.name, _encoder(k.kind)) for k in _field_kinds(cls)]

    def write(obj: Any) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for name, encode in steps:
            value = getattr(obj, name)
            record[name] = value if encode is None or value is None else encode(value)
        return record

    return write


def _decoder(kind: Any) -> Callable[[Any], Any]:
    if is_dataclass(kind):
        return _reader(cast(type, kind))
    if kind is date:
        return lambda value: date.fromisoformat(str(value))
    if get_origin(kind) is tuple:
        item = _decoder(_tuple_item(kind))
        return lambda values: tuple(item(v) for v in values)
    return cast(Callable[[Any], Any], kind)


@cache
def _reader(cls: type) -> Callable[[Mapping[str, Any]], Any]:
    steps = [(k, _decoder(k.kind)) for k in _field_kinds(cls)]

    def read(record: Mapping[str, Any]) -> Any:
        values: dict[str, Any] = {}
        for kind, decode in steps:
            value = record.get(kind.name)
            if value is None or (kind.optional and value == {}):
                if kind.default is not MISSING:
                    value = kind.default
                elif not kind.optional:
                    raise KeyError(kind.name)
            else:
                value = decode(value)
            values[kind.name] = value
        return cls(**values)

    return read


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
        return record_value(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Reports:
        return read_record(cls, record)


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
