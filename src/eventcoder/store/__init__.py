"""The event store (SQLite by default, any SQLAlchemy database by URL).

>>> with open_store("events.db") as store:          # doctest: +SKIP
...     store.write_document(doc, events)
...     store.refresh_events()                     # merge duplicate reports
...     for stored in store.query_events(EventFilter(country="UKR")):
...         ...                                    # a StoredEvent: .event, .reports
...     for stored in store.query_mentions(EventFilter(country="UKR")):
...         ...                                    # a StoredMention, one per article
"""

from __future__ import annotations

from eventcoder.store.queries import Near
from eventcoder.store.schema import SCHEMA_VERSION
from eventcoder.store.store import EventFilter, EventStore, StoreCounts, open_store, resolve_url

__all__ = [
    "SCHEMA_VERSION",
    "EventFilter",
    "EventStore",
    "Near",
    "StoreCounts",
    "open_store",
    "resolve_url",
]
