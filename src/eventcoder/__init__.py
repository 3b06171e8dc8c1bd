"""eventcoder: news articles in, CAMEO/PLOVER political events out.

The library face (docs/python-api.md)::

    import eventcoder
    events = eventcoder.code_text("Poland's president met Ukraine's president.", "2024-01-25")
    with eventcoder.open_store("eventcoder.db") as store:
        frame = store.events(country="UKR", type="CONSULT").to_pandas()

The names that load the coder or the database (``code_text``, ``open_store``, ...) are
imported on first use, so ``import eventcoder`` stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from eventcoder.errors import (
    DataError,
    EvalError,
    EventCoderError,
    InputError,
    ModelError,
    StoreError,
    UsageError,
)
from eventcoder.model import (
    Actor,
    Document,
    Event,
    Evidence,
    Location,
    Modality,
    Plover,
    Reports,
    StoredEvent,
    StoredMention,
)

if TYPE_CHECKING:
    from eventcoder.library import code_documents, code_text
    from eventcoder.store import EventFilter, EventStore, Near, open_store
    from eventcoder.store.event_query import EventQuery

__version__ = "0.2.0"

# name -> the module it is imported from on first use
_LAZY = {
    "code_text": "eventcoder.library",
    "code_documents": "eventcoder.library",
    "open_store": "eventcoder.store",
    "EventStore": "eventcoder.store",
    "EventFilter": "eventcoder.store",
    "Near": "eventcoder.store",
    "EventQuery": "eventcoder.store.event_query",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eventcoder' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Actor",
    "DataError",
    "Document",
    "EvalError",
    "Event",
    "EventCoderError",
    "EventFilter",
    "EventQuery",
    "EventStore",
    "Evidence",
    "InputError",
    "Location",
    "Modality",
    "ModelError",
    "Near",
    "Plover",
    "Reports",
    "StoreError",
    "StoredEvent",
    "StoredMention",
    "UsageError",
    "__version__",
    "code_documents",
    "code_text",
    "open_store",
]
