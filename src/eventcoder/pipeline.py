"""The one place the stages are wired: documents in, events out.

``Coder`` holds the loaded parts (spaCy pipeline, actor KB, patterns, ontology)
and codes documents in batches. A document that fails in any stage is reported
through ``on_error`` and skipped; the rest of the batch goes on.

spaCy parses the normalised shadow copy of each document's text (``parse_copy``) and the
stages code against it; ``_to_original`` then maps every event back onto the text as
read, so evidence and actor offsets and words are the article's own.

Two kinds of document take another way. One that is not in English
(``eventcoder.language``) is not parsed: it comes out with its language and no events,
so that it is stored, counted and not coded again on the next run. One whose shadow is
longer than ``PART_CHARS`` is parsed in parts, one at a time (``split_parts``): spaCy
refuses texts over a million characters and needs about a gigabyte per hundred thousand
of them, so a part-by-part parse keeps a long document's memory that of one part.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from eventcoder import __version__
from eventcoder.actors.kb import KnowledgeBase, load_kb, user_kb_dirs
from eventcoder.actors.resolver import DocumentActors
from eventcoder.actors.words import water_patterns
from eventcoder.coding.extract import Extractor
from eventcoder.coding.learned.combine import Combiner
from eventcoder.coding.learned.model import learned_model_version, load_event_model
from eventcoder.coding.learned.ways import LEARNED_WAYS
from eventcoder.coding.patterns import Vocabulary, load_vocabulary
from eventcoder.errors import InputError, UsageError
from eventcoder.ingest.clean import Normalised, as_read, parse_copy
from eventcoder.language import ENGLISH, detect_language
from eventcoder.model import Actor, Document, Event, Location
from eventcoder.nlp import DEFAULT_MODEL, load_pipeline
from eventcoder.ontology import load_ontology
from eventcoder.places.gazetteer import Gazetteer
from eventcoder.places.locate import DATELINE, Dateline, Locator, dateline_of

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

CODER_VERSION = f"eventcoder-{__version__}"

ErrorHandler = Callable[[Document, Exception], None]

# The longest text spaCy parses at once. Longer documents are coded in parts of at most
# this many characters, one part at a time, so a long document's peak memory is that of
# one part's parse, whatever its length: about 250 MB over the loaded md model, as much
# as a batch of 32 news articles (100,000 characters took 400 MB, for no gain in speed).
# News articles are a few thousand characters and never take this way; a part is long
# enough that few sentences referring back to an actor lose it at a cut.
PART_CHARS = 50_000

# Where a sentence ends: ". " before a capital (an opening quote or bracket may come
# between), or a full stop at the end of a line.
_SENTENCE_END = re.compile(r"""[.!?]["'”’)\]]*(?: +(?=["'“‘(\[]?[A-Z])|\n)""")


@dataclass(frozen=True)
class CoderConfig:
    model: str = DEFAULT_MODEL
    batch_size: int = 32
    kb_dirs: tuple[Path, ...] = field(default_factory=user_kb_dirs)
    learned: str = "combined"

    def __post_init__(self) -> None:
        if self.learned not in LEARNED_WAYS:
            raise UsageError(
                f"unknown way of coding {self.learned!r}: use one of {', '.join(LEARNED_WAYS)}"
            )


def coder_version(config: CoderConfig) -> str:
    """The version stamped on events coded with ``config`` (without loading anything).

    ``eventcoder-0.2.0+md``, with ``+kb.<hash>`` when user knowledge-base folders are in
    use: a run after the KB changed (``kb import-wikidata``, an edited people.tsv) then
    recodes the stored documents instead of taking them as current.
    """
    version = f"{CODER_VERSION}+{config.model}"
    if config.learned != "rules":
        version += f"+{config.learned}.{learned_model_version()}"
    digest = _user_data_digest(config.kb_dirs)
    return f"{version}+kb.{digest}" if digest else version


def _user_data_digest(kb_dirs: tuple[Path, ...]) -> str:
    """A short hash of every data file in the user's KB folders; empty when there are none."""
    h = hashlib.sha1()
    found = False
    for top in kb_dirs:
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*")):
            if path.is_file() and path.suffix in (".tsv", ".yaml", ".yml"):
                found = True
                h.update(str(path.relative_to(top)).encode("utf-8") + b"\0")
                h.update(path.read_bytes())
    return h.hexdigest()[:12] if found else ""


class Coder:
    """Codes documents into events. Load once, call many times."""

    def __init__(self, config: CoderConfig | None = None) -> None:
        self.config = config or CoderConfig()
        self.kb: KnowledgeBase = load_kb(self.config.kb_dirs)
        self.vocabulary: Vocabulary = load_vocabulary(self.config.kb_dirs)
        self.ontology = load_ontology()
        self.nlp: Language = load_pipeline(
            self.config.model, [*self.kb.ruler_patterns(), *water_patterns()]
        )
        self.extractor = Extractor(self.vocabulary, self.ontology, self.version, self.kb)
        self._locator: Locator | None = None
        self.combiner: Combiner | None = None
        if self.config.learned != "rules":
            self.combiner = Combiner(
                load_event_model(),
                self.ontology,
                self.version,
                self.vocabulary.grammar.reporting_verbs,
            )

    @property
    def version(self) -> str:
        return coder_version(self.config)

    @property
    def locator(self) -> Locator:
        """The placing stage; its gazetteer is opened (built, the first time on a machine)
        when the first event is placed."""
        if self._locator is None:
            self._locator = Locator(
                Gazetteer.open(), frozenset(self.vocabulary.grammar.reporting_verbs)
            )
        return self._locator

    def code_in_parts(self, document: Document, part_chars: int = PART_CHARS) -> list[Event]:
        """The events of ``document``, its shadow parsed in parts of at most ``part_chars``
        characters (see ``split_parts``); offsets point into ``document.text``.

        ``code_documents`` takes this way for documents longer than ``PART_CHARS``; a
        smaller ``part_chars`` shows what a cut changes without a million characters.
        """
        _check_document_date(document)
        return self._code_parts(document, parse_copy(document.text), part_chars)

    def code_parsed(
        self, document: Document, doc: Doc, dateline: Dateline | None = None
    ) -> list[Event]:
        """Events of ``doc``, spaCy's parse of ``document.text``; offsets point into it,
        but for a ``dateline`` place, which is given in the offsets of the text as read.

        The stage below ``code_documents``: that one parses the copy ``parse_copy`` makes
        (normalised, datelines left out) and maps the offsets back to the text as read.
        """
        _check_document_date(document)
        actors = DocumentActors(
            self.kb, doc, document.date, lambda: self.locator.text_places(doc, dateline)
        )
        if self.combiner is not None and self.config.learned == "model":
            events = self.combiner.model_only(document, doc, actors)
        else:
            events = self.extractor.events(document, doc, actors)
            if self.combiner is not None:
                events = self.combiner.combine(document, doc, actors, events)
        return self.locator.place(doc, events, dateline)

    def code_documents(
        self, documents: Iterable[Document], on_error: ErrorHandler | None = None
    ) -> Iterator[tuple[Document, list[Event]]]:
        """Yield each document with its events, in input order; failures go to ``on_error``.

        The yielded document tells its language: an English one is the input object
        itself (``language == "en"``; a copy with ``"en"`` if it came in with another),
        one in another language is ``replace(input, language=code)`` with no events
        (never parsed). A document that failed is passed, as the input object, to
        ``on_error`` and not yielded; by the time a document is yielded, every failure
        of the documents before it has been reported, so callers can tell positions.
        A document whose ``date`` is not a ``datetime.date`` fails with an ``InputError``.
        """
        batch: list[Document] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= self.config.batch_size:
                yield from self._code_batch(batch, on_error)
                batch = []
        if batch:
            yield from self._code_batch(batch, on_error)

    def code_text(self, text: str, day: date, doc_id: str = "text") -> list[Event]:
        """Convenience for one string: ``coder.code_text("...", date(2024, 1, 25))``.

        Offsets point into ``as_read(text)``, the text with its junk tail cut and trimmed.
        A ``day`` that is not a ``datetime.date`` raises a ``UsageError``.
        """
        problem = date_problem(day)
        if problem is not None:
            raise UsageError(f"day {problem}")
        document = Document(doc_id=doc_id, text=as_read(text), date=day)
        return next(iter(self.code_documents([document])))[1]

    def _code_batch(
        self, batch: Sequence[Document], on_error: ErrorHandler | None
    ) -> Iterator[tuple[Document, list[Event]]]:
        languages, shadows = _read_batch(batch, on_error)
        parsed = self._parse_batch(batch, shadows, on_error)
        for document, language, shadow, doc in zip(batch, languages, shadows, parsed, strict=True):
            if language is None:
                continue
            if language != ENGLISH:
                yield replace(document, language=language), []
                continue
            if shadow is None or doc is None:
                continue
            try:
                if len(shadow.text) > PART_CHARS:
                    events = self._code_parts(document, shadow, PART_CHARS)
                else:
                    dateline = _dateline(document.text, shadow)
                    coded = self.code_parsed(replace(document, text=shadow.text), doc, dateline)
                    events = [_to_original(e, document.text, shadow) for e in coded]
            except Exception as exc:  # one bad document never stops a corpus
                if on_error is None:
                    raise
                on_error(document, exc)
                continue
            if document.language != ENGLISH:
                document = replace(document, language=ENGLISH)
            yield document, events

    def _parse_batch(
        self,
        batch: Sequence[Document],
        shadows: Sequence[Normalised | None],
        on_error: ErrorHandler | None,
    ) -> list[Doc | None]:
        """The parse of each shadow, None where it failed. A document without a shadow (it
        failed or is not in English) or with a long one (parsed part by part later, in its
        turn) is given the parse of ""."""
        texts = [s.text if s is not None and len(s.text) <= PART_CHARS else "" for s in shadows]
        try:
            return list(self.nlp.pipe(texts, batch_size=len(batch)))
        except Exception:
            # one bad text spoils the batch: parse one by one to find it
            parsed: list[Doc | None] = []
            for document, text in zip(batch, texts, strict=True):
                try:
                    parsed.append(self.nlp(text))
                except Exception as exc:
                    if on_error is None:
                        raise
                    on_error(document, exc)
                    parsed.append(None)
            return parsed

    def _code_parts(self, document: Document, shadow: Normalised, part_chars: int) -> list[Event]:
        """Parse and code ``shadow`` part by part; offsets mapped onto ``document.text``.

        Each part is coded as a document of its own (so an actor named only in an
        earlier part is not referred back to), then its events are moved by the part's
        place in the shadow and mapped to the original like those of a whole parse.
        Only one part's parse is alive at a time.
        """
        events: list[Event] = []
        dateline = _dateline(document.text, shadow)
        for start, end in split_parts(shadow.text, part_chars):
            part = shadow.text[start:end]
            coded = self.code_parsed(replace(document, text=part), self.nlp(part), dateline)
            events.extend(_to_original(_shifted(e, start), document.text, shadow) for e in coded)
        return events


def _read_batch(
    batch: Sequence[Document], on_error: ErrorHandler | None
) -> tuple[list[str | None], list[Normalised | None]]:
    """Per document: its language (None when it failed) and, if English, its shadow."""
    languages: list[str | None] = []
    shadows: list[Normalised | None] = []
    for document in batch:
        try:
            _check_document_date(document)
            found = detect_language(document.text)
            shadows.append(parse_copy(document.text) if found == ENGLISH else None)
            languages.append(found)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(document, exc)
            languages.append(None)
            shadows.append(None)
    return languages, shadows


def date_problem(value: object) -> str | None:
    """What is wrong with ``value`` as the date of a document; None when it is a date.

    A ``datetime`` is refused although it is a ``date``: the coder compares it with plain
    dates (a TypeError deep inside) and its time of day would reach event ids and exports.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return None
    got = "None" if value is None else f"{type(value).__name__} {value!r}"
    hint = {str: " (use date.fromisoformat)", datetime: " (use its .date())"}.get(type(value), "")
    return f"must be a datetime.date, e.g. date(2024, 1, 25); got {got}{hint}"


def _check_document_date(document: Document) -> None:
    problem = date_problem(document.date)
    if problem is not None:
        raise InputError(f"document {document.doc_id!r}: date {problem}", document.origin)


def split_parts(text: str, limit: int = PART_CHARS) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` cutting ``text`` into consecutive parts of at most ``limit``
    characters that together are the whole text (``""`` is one empty part).

    Each cut is made, by preference, after a blank line (a paragraph end) in the second
    half of the part, else after a sentence end there, else after the last space or
    line break in the part, else (one "word" longer than ``limit``) at ``limit``: parts
    are whole paragraphs or sentences wherever the text has them, and a part never ends
    far short of the limit, so a text splits into few parts.
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        end = _cut(text, start, start + limit)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def _cut(text: str, start: int, stop: int) -> int:
    """Where the part from ``start`` ends: a position in ``(start, stop]``."""
    half = start + (stop - start) // 2
    paragraph = text.rfind("\n\n", half, stop)
    if paragraph >= 0:
        return paragraph + 2
    sentence = -1
    for found in _SENTENCE_END.finditer(text, half, stop):
        sentence = found.end()
    if sentence > start:
        return sentence
    space = max(text.rfind(" ", start, stop), text.rfind("\n", start, stop))
    if space >= 0:
        return space + 1
    return stop


def _shifted(event: Event, by: int) -> Event:
    """``event``, coded on a part of a text, with its offsets moved to where the part
    starts in that text (``by``); the id is left for ``_to_original`` to compute."""
    if by == 0:
        return event
    evidence = event.evidence
    return replace(
        event,
        source=_actor_shifted(event.source, by),
        target=_actor_shifted(event.target, by),
        location=_location_shifted(event.location, by),
        evidence=replace(
            evidence,
            start=evidence.start + by,
            end=evidence.end + by,
            trigger_start=evidence.trigger_start + by,
            trigger_end=evidence.trigger_end + by,
        ),
    )


def _location_shifted(location: Location | None, by: int) -> Location | None:
    if location is None or location.start < 0 or location.why == DATELINE:
        return location
    return replace(location, start=location.start + by, end=location.end + by)


def _actor_shifted(actor: Actor | None, by: int) -> Actor | None:
    if actor is None or actor.start < 0:  # no place in the text
        return actor
    return replace(actor, start=actor.start + by, end=actor.end + by)


def _to_original(event: Event, text: str, shadow: Normalised) -> Event:
    """``event``, coded on the shadow copy of ``text``, with its offsets and words taken
    from ``text`` itself; the id is computed again from the new offsets."""
    evidence = event.evidence
    start, end = shadow.original_span(evidence.start, evidence.end)
    trigger_start, trigger_end = shadow.original_span(evidence.trigger_start, evidence.trigger_end)
    return replace(
        event,
        source=_actor_to_original(event.source, text, shadow),
        target=_actor_to_original(event.target, text, shadow),
        location=_location_to_original(event.location, text, shadow),
        evidence=replace(
            evidence,
            sentence=text[start:end],
            start=start,
            end=end,
            trigger=text[trigger_start:trigger_end],
            trigger_start=trigger_start,
            trigger_end=trigger_end,
        ),
        event_id="",
    )


def _dateline(text: str, shadow: Normalised) -> Dateline | None:
    """The place words of the dateline ``parse_copy`` left out of the shadow."""
    return dateline_of(text, shadow.dateline) if shadow.dateline else None


def _location_to_original(
    location: Location | None, text: str, shadow: Normalised
) -> Location | None:
    # a dateline's place is found in the text as read (the shadow leaves datelines out)
    if location is None or location.start < 0 or location.why == DATELINE:
        return location
    start, end = shadow.original_span(location.start, location.end)
    return replace(location, text=text[start:end], start=start, end=end)


def _actor_to_original(actor: Actor | None, text: str, shadow: Normalised) -> Actor | None:
    if actor is None or actor.start < 0:  # no place in the text
        return actor
    start, end = shadow.original_span(actor.start, actor.end)
    return replace(actor, text=text[start:end], start=start, end=end)


@lru_cache(maxsize=2)
def get_coder(config: CoderConfig | None = None) -> Coder:
    """A coder shared within the process: loading the model and KB takes seconds."""
    return Coder(config)
