"""Database schema of the event store (SQLAlchemy Core, portable SQL types).

Types are chosen to work the same on SQLite and PostgreSQL: ``Date`` for event and
document dates, ``DateTime`` for the coding time, ``Boolean`` for modality flags and
``Text`` for free text and the full JSON record. Nothing here is dialect-specific.

Bump :data:`SCHEMA_VERSION` whenever a table or the rule of stored values such as
``mentions.group_key`` changes; :func:`eventcoder.store.open_store`
migrates older databases (see ``eventcoder.store.migrate``) and refuses a database
written by a newer schema.

Version history: 1, ``documents`` + ``events`` (one row per event in an article);
2, those rows became ``mentions`` and ``events`` holds the deduplicated events;
3, no table changed, but the ``group_key`` of a mutual CAMEO code is the unordered dyad
and a ``publication`` date groups as a day; 4, ``documents.language``, the language the
coder found (documents not in English are stored with it and no events); 5,
``actor_texts``, the distinct actor texts the ``actor`` filter searches, and ``feeds`` and
``web_pages``, what ``eventcoder watch`` has polled and fetched; 6, the ``location_*``
columns of ``mentions`` and ``events`` (where the event happened, ``eventcoder.places``).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 6

# Stable constraint names, so migrations and PostgreSQL error messages are predictable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("doc_id", String, primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("date", Date, nullable=False),
    Column("title", Text),
    Column("url", Text),
    Column("source", Text),
    Column("origin", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("n_events", Integer, nullable=False, default=0),
    Column("coded_at", DateTime(timezone=True), nullable=False),
    Column("coder_version", String(128), nullable=False, default=""),
    # ISO 639-1 code of the text's language (eventcoder.language); only "en" is coded
    Column("language", String(16), nullable=False, default="en", server_default="en"),
)

# One row per event as coded from one article (GDELT's "mentions"); ``record`` is the
# version-1 event record whose ``event_id`` is ``mention_id``.
mentions = Table(
    "mentions",
    metadata,
    Column("mention_id", String(64), primary_key=True),
    Column(
        "doc_id",
        String,
        ForeignKey("documents.doc_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("group_key", Text, nullable=False),  # see eventcoder.store.dedup.group_key
    Column("event_id", String(64)),  # the deduplicated event it was merged into
    Column("date", Date, nullable=False),
    Column("date_precision", String(16), nullable=False),
    Column("source_code", String(64)),
    Column("source_country", String(16)),
    Column("source_sector", String(32)),
    Column("source_text", Text),
    Column("target_code", String(64)),
    Column("target_country", String(16)),
    Column("target_sector", String(32)),
    Column("target_text", Text),
    Column("cameo", String(8), nullable=False),
    Column("cameo_root", String(2), nullable=False),
    Column("goldstein", Float),
    Column("quad_class", Integer),
    Column("plover_event", String(64), nullable=False),
    Column("plover_mode", String(64)),
    Column("plover_context", Text, nullable=False, default=""),  # ';'-joined
    Column("negated", Boolean, nullable=False, default=False),
    Column("intent", Boolean, nullable=False, default=False),
    Column("hypothetical", Boolean, nullable=False, default=False),
    Column("reported", Boolean, nullable=False, default=False),
    Column("sentence", Text, nullable=False),
    Column("ev_start", Integer, nullable=False),
    Column("ev_end", Integer, nullable=False),
    Column("trigger", Text, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("confidence", Float),
    Column("rule", Text, nullable=False, default=""),
    Column("coder_version", String(128), nullable=False, default=""),
    # where it happened (Event.location): filtered by country and by distance
    Column("location_country", String(16)),
    Column("location_lat", Float),
    Column("location_lon", Float),
    Column("location_precision", String(16)),
    Column("record", Text, nullable=False),  # json of Event.to_record()
)

Index("ix_mentions_group_key_date", mentions.c.group_key, mentions.c.date)
Index("ix_mentions_date", mentions.c.date)
Index("ix_mentions_source_country", mentions.c.source_country)
Index("ix_mentions_target_country", mentions.c.target_country)
Index("ix_mentions_plover_event", mentions.c.plover_event)
Index("ix_mentions_cameo_root", mentions.c.cameo_root)
Index("ix_mentions_doc_id", mentions.c.doc_id)
Index("ix_mentions_event_id", mentions.c.event_id)
Index("ix_mentions_location_country", mentions.c.location_country)

# One row per deduplicated event: the mentions of one group (same dyad, unordered for
# mutual CAMEO codes, same CAMEO root and modality) whose dates lie within a day of the
# first. Derived from ``mentions`` by eventcoder.store.dedup; the filterable columns
# mirror those of ``mentions`` and are the representative mention's, ``record`` is that
# mention's record with the event's id, date and report counts.
events = Table(
    "events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("group_key", Text, nullable=False),
    Column("mention_id", String(64), nullable=False),  # the representative mention
    Column("doc_id", String, nullable=False),  # the representative mention's document
    Column("date", Date, nullable=False),  # first date reported
    Column("last_date", Date, nullable=False),
    Column("source_code", String(64)),
    Column("source_country", String(16)),
    Column("source_text", Text),
    Column("target_code", String(64)),
    Column("target_country", String(16)),
    Column("target_text", Text),
    Column("cameo", String(8), nullable=False),
    Column("cameo_root", String(2), nullable=False),
    Column("goldstein", Float),
    Column("quad_class", Integer),
    Column("plover_event", String(64), nullable=False),
    Column("confidence", Float),  # the highest of its mentions
    Column("n_mentions", Integer, nullable=False),
    Column("n_articles", Integer, nullable=False),
    Column("n_sources", Integer, nullable=False),
    Column("ev_start", Integer, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    # where it happened (Event.location): filtered by country and by distance
    Column("location_country", String(16)),
    Column("location_lat", Float),
    Column("location_lon", Float),
    Column("location_precision", String(16)),
    Column("record", Text, nullable=False),
)

Index("ix_events_group_key", events.c.group_key)
Index("ix_events_date", events.c.date)
Index("ix_events_source_country", events.c.source_country)
Index("ix_events_target_country", events.c.target_country)
Index("ix_events_plover_event", events.c.plover_event)
Index("ix_events_cameo_root", events.c.cameo_root)
# a page of one type or CAMEO root in date order is read in that order (see below)
Index("ix_events_plover_event_date", events.c.plover_event, events.c.date)
Index("ix_events_cameo_root_date", events.c.cameo_root, events.c.date)
# places: a country's events in date order; a box of latitudes around a point
Index("ix_events_location_country_date", events.c.location_country, events.c.date)
Index("ix_events_location_lat", events.c.location_lat)
# for the REST API's dyad filters, timelines and sorted pages (added to older databases by
# eventcoder.store.migrate.add_missing_indexes: no schema version change)
Index("ix_events_source_code", events.c.source_code)
Index("ix_events_target_code", events.c.target_code)
# a dyad (source and target prefixes) is counted from the index alone, and a network (the
# dyads of a date range) is read from it without touching the table
Index("ix_events_source_target", events.c.source_code, events.c.target_code)
Index(
    "ix_events_date_dyad",
    events.c.date,
    events.c.source_code,
    events.c.target_code,
    events.c.goldstein,
)
# a CAMEO code filter longer than its root ("040") is a range on the code
Index("ix_events_cameo", events.c.cameo)
# the sorts by confidence and by articles break ties by date: with the date in the index a
# page is read in order (ties sorted in small groups) instead of sorting every event
Index("ix_events_confidence_date", events.c.confidence, events.c.date)
# "-confidence": highest first, ties still by date ascending (a backward walk of the index
# above would give the newest first)
Index("ix_events_confidence_desc_date", events.c.confidence.desc(), events.c.date)
Index("ix_events_n_articles_date", events.c.n_articles, events.c.date)
# the same sorts within one type or CAMEO root (filters that match a tenth of a store):
# without them a page sorts every match of the type (40-50 ms on 200,000 events)
for _column in (events.c.plover_event, events.c.cameo_root):
    Index(f"ix_events_{_column.name}_confidence", _column, events.c.confidence, events.c.date)
    Index(
        f"ix_events_{_column.name}_confidence_desc",
        _column,
        events.c.confidence.desc(),
        events.c.date,
    )
    Index(f"ix_events_{_column.name}_n_articles", _column, events.c.n_articles, events.c.date)

# the ``actor`` filter: the events whose actor text is one of the texts found in
# ``actor_texts`` (hash indexes on PostgreSQL, whose b-trees refuse entries past 2.7 kB)
Index("ix_events_source_text", events.c.source_text, postgresql_using="hash")
Index("ix_events_target_text", events.c.target_text, postgresql_using="hash")

# Every distinct actor text of the stored mentions, written with them, and ``folded``
# (``str.casefold``) for matching. The ``actor`` filter reads this table, one row per name
# (a corpus names the same actors over and over), for the names holding its words, then
# the events of those names by the indexes above, instead of reading every event's text.
# Names no longer used are left: they only cost a row.
actor_texts = Table(
    "actor_texts",
    metadata,
    Column("text_key", String(64), primary_key=True),  # eventcoder.model.stable_hash(text)
    Column("text", Text, nullable=False),
    Column("folded", Text, nullable=False),
)

# ``eventcoder watch``: each feed polled, with what its server sent for conditional GETs
feeds = Table(
    "feeds",
    metadata,
    Column("feed_key", String(64), primary_key=True),  # stable_hash(url)
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("polled_at", DateTime),
    Column("status", Integer),  # the last HTTP status, None when no answer came
    Column("problem", Text),  # why the last poll failed, None when it did not
    Column("items", Integer, nullable=False, default=0),  # items seen over all polls
)

# ``eventcoder watch``: every article URL met in a feed, by its canonical form, and how far
# it got: ``seen`` (to fetch), ``fetched`` (its page extracted and kept in ``page`` until
# coded: a killed run codes it without fetching again), ``coded`` (stored as ``doc_id``),
# ``failed`` (``problem``; tried again after ``retry_at`` until ``attempts`` reach the
# limit) or ``skipped`` (robots.txt, not a page, the same article as another URL).
web_pages = Table(
    "web_pages",
    metadata,
    Column("url_key", String(64), primary_key=True),  # stable_hash(canonical url)
    Column("url", Text, nullable=False),  # canonical
    Column("feed_url", Text),  # the first feed that carried it
    Column("title", Text),
    Column("published", Date),  # the feed item's date
    Column("state", String(16), nullable=False),
    Column("problem", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("seen_at", DateTime, nullable=False),
    Column("tried_at", DateTime),
    Column("retry_at", DateTime),
    Column("doc_id", String),
    Column("page", Text),  # the extracted document (JSON) between fetched and coded
)
Index("ix_web_pages_state_retry_at", web_pages.c.state, web_pages.c.retry_at)

# The days of groups whose events must be recomputed from their mentions: written in
# the same transaction as the mentions (the dates of the mentions removed and added),
# emptied by EventStore.refresh_events. A run killed between the two leaves them here,
# and the next run (or query) finishes the work.
stale_groups = Table(
    "stale_groups",
    metadata,
    Column("group_key", Text, primary_key=True),
    Column("day", Date, primary_key=True),
)
