"""A store coded from the shipped samples (``src/eventcoder/samples``), for the tests of the
Python API and the REST API."""

from __future__ import annotations

from pathlib import Path

from eventcoder.errors import InputError
from eventcoder.ingest import iter_documents
from eventcoder.model import Document
from eventcoder.pipeline import Coder
from eventcoder.store import open_store

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "eventcoder" / "samples"


def code_samples(db: str, coder: Coder) -> int:
    """Code every sample article into the store at ``db``; return how many events."""
    documents = [d for d in iter_documents([SAMPLES]) if not isinstance(d, InputError)]
    assert all(isinstance(d, Document) for d in documents) and len(documents) > 10
    with open_store(db) as store:
        for document, events in coder.code_documents(documents):
            store.write_document(document, events)
        store.refresh_events()
        return store.counts().events
