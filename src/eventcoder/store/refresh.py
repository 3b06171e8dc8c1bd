"""Recomputing the deduplicated events of the groups whose mentions changed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)

from eventcoder.model import Event
from eventcoder.store.dedup import DedupedEvent, MentionRow, recluster, source_identity
from eventcoder.store.engine import IN_CLAUSE_CHUNK, QUERY_YIELD_PER, chunks
from eventcoder.store.rows import event_row
from eventcoder.store.schema import documents as documents_t
from eventcoder.store.schema import events as events_t
from eventcoder.store.schema import mentions as mentions_t


def refresh_groups(conn: Connection, days: dict[str, set[date]]) -> None:
    """Rebuild the events of these groups around their changed days, and no further.

    Per group, events wholly before the earliest change keep their mentions; from the
    event holding it, mentions are clustered again until an event opens, after the
    last change, where an old one opened (see :func:`eventcoder.store.dedup.recluster`).
    A daily feed appending to a group of years of reports reads a few days of it.
    All groups of one call share each statement: a corpus has many small groups.
    """
    m, d, e = mentions_t.c, documents_t.c, events_t.c
    keys = sorted(days)
    anchors: dict[str, list[date]] = {}
    for chunk in chunks(keys, IN_CLAUSE_CHUNK):
        for key, day in conn.execute(
            select(e.group_key, e.date).where(e.group_key.in_(chunk)).order_by(e.date)
        ):
            anchors.setdefault(key, []).append(day)
    starts: dict[str, date | None] = {}
    for key in keys:
        first_changed = min(days[key])
        before = [day for day in anchors.get(key, ()) if day <= first_changed]
        starts[key] = before[-1] if before else None

    columns = (
        m.group_key,
        m.mention_id,
        m.doc_id,
        m.date,
        m.cameo,
        m.confidence,
        m.ev_start,
        m.trigger_start,
        m.event_id,
        d.source,
        d.url,
    )
    linked: dict[str, str | None] = {}
    found: list[DedupedEvent] = []
    replaced: list[dict[str, Any]] = []
    for chunk in chunks(keys, IN_CLAUSE_CHUNK):
        from_start = [key for key in chunk if starts[key] is None]
        conditions: list[ColumnElement[bool]] = [m.group_key.in_(from_start)] if from_start else []
        conditions += [
            and_(m.group_key == key, m.date >= starts[key])
            for key in chunk
            if starts[key] is not None
        ]
        stmt = (
            select(*columns)
            .join(documents_t, d.doc_id == m.doc_id)
            .where(or_(*conditions))
            .order_by(m.group_key, m.date)
        )
        rows_of: dict[str, list[MentionRow]] = {key: [] for key in chunk}
        for r in conn.execute(stmt.execution_options(yield_per=QUERY_YIELD_PER)):
            linked[r.mention_id] = r.event_id
            rows_of[r.group_key].append(
                MentionRow(
                    mention_id=r.mention_id,
                    doc_id=r.doc_id,
                    date=r.date,
                    cameo=r.cameo,
                    confidence=r.confidence,
                    ev_start=r.ev_start,
                    trigger_start=r.trigger_start,
                    outlet=source_identity(r.doc_id, r.source, r.url),
                )
            )
        for key in chunk:
            last_changed = max(days[key])
            old_anchors = {day for day in anchors.get(key, ()) if day > last_changed}
            events, stop = recluster(key, rows_of.pop(key), last_changed, old_anchors)
            found.extend(events)
            replaced.append(
                {
                    "b_group": key,
                    "b_from": starts[key] or date.min,
                    # inclusive, so that an event on date.max is replaced too
                    "b_last": stop - timedelta(days=1) if stop else date.max,
                }
            )
    conn.execute(
        delete(events_t).where(
            e.group_key == bindparam("b_group"),
            e.date >= bindparam("b_from"),
            e.date <= bindparam("b_last"),
        ),
        replaced,
    )
    if not found:
        return
    # only the representatives' records are read: a hot group has many mentions
    representatives = sorted(ev.representative.mention_id for ev in found)
    coded: dict[str, Event] = {}
    for mention_chunk in chunks(representatives, IN_CLAUSE_CHUNK):
        for mention_id, record in conn.execute(
            select(m.mention_id, m.record).where(m.mention_id.in_(mention_chunk))
        ):
            coded[mention_id] = Event.from_record(json.loads(record))
    conn.execute(
        insert(events_t),
        [event_row(ev, coded[ev.representative.mention_id]) for ev in found],
    )
    links = [
        {"b_mention_id": mention.mention_id, "b_event_id": ev.event_id}
        for ev in found
        for mention in ev.mentions
        if linked.get(mention.mention_id) != ev.event_id
    ]
    if links:
        conn.execute(
            update(mentions_t)
            .where(mentions_t.c.mention_id == bindparam("b_mention_id"))
            .values(event_id=bindparam("b_event_id")),
            links,
        )
