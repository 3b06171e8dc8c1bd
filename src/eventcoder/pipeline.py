"""The one place the stages are wired: documents in, events out.

``Coder`` holds the loaded parts (spaCy pipeline, actor KB, patterns, ontology)
and codes documents in batches. A document that fails in any stage is reported
through ``on_error`` and skipped; the rest of the batch goes on.

spaCy parses the normalised shadow copy of each document's text (``parse_copy``) and the
stages code against it; ``_to_original`` then maps every event back onto the text as
read, so evidence and actor offsets and words are the article's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from eventcoder import __version__
from eventcoder.actors.kb import KnowledgeBase, load_kb, user_kb_dirs
from eventcoder.actors.resolver import DocumentActors
from eventcoder.coding.extract import Extractor
from eventcoder.coding.patterns import Vocabulary, load_vocabulary
from eventcoder.ingest.clean import Normalised, as_read, parse_copy
from eventcoder.model import Actor, Document, Event
from eventcoder.nlp import DEFAULT_MODEL, load_pipeline
from eventcoder.ontology import load_ontology

CODER_VERSION = f"eventcoder-{__version__}"

ErrorHandler = Callable[[Document, Exception], None]


@dataclass(frozen=True)
class CoderConfig:
    model: str = DEFAULT_MODEL
    batch_size: int = 32
    kb_dirs: tuple[Path, ...] = field(default_factory=user_kb_dirs)


def coder_version(config: CoderConfig) -> str:
    """The version stamped on events coded with ``config`` (without loading anything).

    ``eventcoder-0.1.0+md``, with ``+kb.<hash>`` when user knowledge-base folders are in
    use: a run after the KB changed (``kb import-wikidata``, an edited people.tsv) then
    recodes the stored documents instead of taking them as current.
    """
    version = f"{CODER_VERSION}+{config.model}"
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
        self.nlp = load_pipeline(self.config.model, self.kb.ruler_patterns())
        self.extractor = Extractor(self.vocabulary, self.ontology, self.version, self.kb)

    @property
    def version(self) -> str:
        return coder_version(self.config)

    def code_parsed(self, document: Document, doc: Any) -> list[Event]:
        """Events of ``doc``, spaCy's parse of ``document.text``; offsets point into it.

        The stage below ``code_documents``: that one parses the copy ``parse_copy`` makes
        (normalised, datelines left out) and maps the offsets back to the text as read.
        """
        actors = DocumentActors(self.kb, doc, document.date)
        return self.extractor.events(document, doc, actors)

    def code_documents(
        self, documents: Iterable[Document], on_error: ErrorHandler | None = None
    ) -> Iterator[tuple[Document, list[Event]]]:
        """Yield each document with its events, in input order; failures go to ``on_error``."""
        batch: list[Document] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= self.config.batch_size:
                yield from self._code_batch(batch, on_error)
                batch = []
        if batch:
            yield from self._code_batch(batch, on_error)

    def code_text(self, text: str, day: Any, doc_id: str = "text") -> list[Event]:
        """Convenience for one string: ``coder.code_text("...", date(2024, 1, 25))``.

        Offsets point into ``as_read(text)``, the text with its junk tail cut and trimmed.
        """
        document = Document(doc_id=doc_id, text=as_read(text), date=day)
        return next(iter(self.code_documents([document])))[1]

    def _code_batch(
        self, batch: Sequence[Document], on_error: ErrorHandler | None
    ) -> Iterator[tuple[Document, list[Event]]]:
        shadows: list[Normalised | None] = []
        for document in batch:
            try:
                shadows.append(parse_copy(document.text))
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(document, exc)
                shadows.append(None)
        texts = [s.text if s is not None else "" for s in shadows]
        try:
            parsed = list(self.nlp.pipe(texts, batch_size=len(batch)))
        except Exception:
            # one bad text spoils the batch: parse one by one to find it
            parsed = []
            for document, text in zip(batch, texts, strict=True):
                try:
                    parsed.append(self.nlp(text))
                except Exception as exc:
                    if on_error is None:
                        raise
                    on_error(document, exc)
                    parsed.append(None)
        for document, shadow, doc in zip(batch, shadows, parsed, strict=True):
            if shadow is None or doc is None:
                continue
            try:
                coded = self.code_parsed(replace(document, text=shadow.text), doc)
                events = [_to_original(e, document.text, shadow) for e in coded]
            except Exception as exc:  # one bad document never stops a corpus
                if on_error is None:
                    raise
                on_error(document, exc)
                continue
            yield document, events


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


def _actor_to_original(actor: Actor | None, text: str, shadow: Normalised) -> Actor | None:
    if actor is None or actor.start < 0:  # no place in the text
        return actor
    start, end = shadow.original_span(actor.start, actor.end)
    return replace(actor, text=text[start:end], start=start, end=end)


@lru_cache(maxsize=2)
def get_coder(config: CoderConfig | None = None) -> Coder:
    """A coder shared within the process: loading the model and KB takes seconds."""
    return Coder(config)
