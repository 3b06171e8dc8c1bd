"""The event store (SQLite by default, any SQLAlchemy database by URL).

>>> with open_store("events.db") as store:          # doctest: +SKIP
...     store.write_document(doc, events)
...     for record in store.query_events(EventFilter(country="UKR")):
...         ...
"""

from __future__ import annotations

from eventcoder.store.schema import SCHEMA_VERSION
from eventcoder.store.store import EventFilter, EventStore, open_store, resolve_url

__all__ = ["SCHEMA_VERSION", "EventFilter", "EventStore", "open_store", "resolve_url"]
