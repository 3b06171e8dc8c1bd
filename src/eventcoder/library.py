"""The library face for notebooks: code a text or documents with a coder loaded once.

>>> import eventcoder                                              # doctest: +SKIP
>>> events = eventcoder.code_text("Poland's president met Ukraine's president.", "2024-01-25")
>>> events[0].plover.event
'CONSULT'

The coder (spaCy pipeline, knowledge base, learned model: seconds to load) is made on the
first call of a configuration and reused by every later call with the same ``model`` and
``learned`` (``eventcoder.pipeline.get_coder`` keeps it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from eventcoder.errors import InputError, UsageError
from eventcoder.ingest.clean import as_read, parse_day
from eventcoder.model import Document, Event, stable_hash
from eventcoder.nlp import DEFAULT_MODEL
from eventcoder.pipeline import Coder, CoderConfig, ErrorHandler, get_coder

__all__ = ["code_documents", "code_text", "coder_for"]


def coder_for(model: str = DEFAULT_MODEL, learned: str = "combined") -> Coder:
    """The shared coder of this configuration, loaded on first use.

    ``model`` is the spaCy model (``"sm"`` or ``"md"``), ``learned`` the way of coding
    (``"combined"``: rules and the learned model; ``"rules"``; ``"model"``).
    """
    if model not in ("sm", "md"):
        raise UsageError(f"model {model!r} is not a spaCy model eventcoder knows: use 'sm' or 'md'")
    return get_coder(CoderConfig(model=model, learned=learned))


def code_text(
    text: str,
    date: date | str,
    *,
    title: str | None = None,
    doc_id: str | None = None,
    model: str = DEFAULT_MODEL,
    learned: str = "combined",
) -> list[Event]:
    """The events of one article.

    ``date`` is the article's date, a ``datetime.date`` or a ``"YYYY-MM-DD"`` string (a
    ``datetime`` is refused: its time of day would reach the event ids). Offsets point into
    the text as read (``eventcoder.ingest.as_read(text)``: junk tail cut, trimmed). The
    ``doc_id`` defaults to a hash of the text and date. Text that is not English gives no
    events.
    """
    if not isinstance(text, str):
        raise UsageError(f"text must be a str, got {type(text).__name__}")
    day = document_date(date)
    body = as_read(text)
    document = Document(
        doc_id=doc_id or "text-" + stable_hash(day.isoformat(), body),
        text=body,
        date=day,
        title=title,
    )
    coded = list(coder_for(model, learned).code_documents([document]))
    return coded[0][1] if coded else []


def code_documents(
    documents: Iterable[Document],
    *,
    model: str = DEFAULT_MODEL,
    learned: str = "combined",
    on_error: ErrorHandler | None = None,
) -> Iterator[tuple[Document, list[Event]]]:
    """Each document with its events, in input order (see ``Coder.code_documents``).

    A document that fails (a bad date, say) raises, or with ``on_error`` is passed to it
    and left out.
    """
    return coder_for(model, learned).code_documents(documents, on_error=on_error)


def document_date(value: date | str) -> date:
    """An article's date: a ``datetime.date`` or ``"YYYY-MM-DD"``, from 1800-01-01 to one
    year after today; anything else raises a :class:`UsageError` that says what to pass."""
    from eventcoder.ingest.clean import check_document_date
    from eventcoder.pipeline import date_problem

    try:
        if isinstance(value, str):
            return parse_day(value)
        problem = date_problem(value)
        if problem is not None:
            raise UsageError(f"date {problem}, or a 'YYYY-MM-DD' string")
        return check_document_date(value)
    except InputError as exc:
        raise UsageError(exc.reason) from exc
