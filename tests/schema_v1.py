"""A database as eventcoder 0.1 (schema version 1) left it, to test the upgrade.

Version 1 had ``meta``, ``documents`` and ``events``: today's ``mentions`` columns
without ``mention_id``, ``group_key`` and ``event_id``, keyed by ``event_id`` (the
mention's id). Built from the current tables so the types match on every database.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Column, MetaData, String, Table, Text, create_engine, insert

from eventcoder.model import Document, Event
from eventcoder.store.schema import documents, mentions

_NEW_IN_V2 = ("mention_id", "group_key", "event_id")


def write_v1_database(url: str, doc: Document, events: Sequence[Event]) -> None:
    md = MetaData()
    meta_v1 = Table(
        "meta",
        md,
        Column("key", String(64), primary_key=True),
        Column("value", Text, nullable=False),
    )
    documents_v1 = Table("documents", md, *[c._copy() for c in documents.columns])
    events_v1 = Table(
        "events",
        md,
        Column("event_id", String(64), primary_key=True),
        *[c._copy() for c in mentions.columns if c.name not in _NEW_IN_V2],
    )
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            md.create_all(conn)
            conn.execute(insert(meta_v1).values(key="schema_version", value="1"))
            conn.execute(
                insert(documents_v1).values(
                    doc_id=doc.doc_id,
                    content_hash=doc.content_hash,
                    date=doc.date,
                    origin=doc.origin,
                    text=doc.text,
                    n_events=len(events),
                    coded_at=datetime.now(UTC),
                    coder_version="test",
                )
            )
            for ev in events:
                src, tgt = ev.source, ev.target
                assert src is not None and tgt is not None
                conn.execute(
                    insert(events_v1).values(
                        event_id=ev.event_id,
                        doc_id=ev.doc_id,
                        date=ev.date,
                        date_precision=ev.date_precision,
                        source_code=src.code,
                        source_country=src.country,
                        source_text=src.text,
                        target_code=tgt.code,
                        target_country=tgt.country,
                        target_text=tgt.text,
                        cameo=ev.cameo,
                        cameo_root=ev.cameo[:2],
                        goldstein=ev.goldstein,
                        quad_class=ev.quad_class,
                        plover_event=ev.plover.event,
                        plover_context="",
                        negated=False,
                        intent=False,
                        hypothetical=False,
                        reported=False,
                        sentence=ev.evidence.sentence,
                        ev_start=ev.evidence.start,
                        ev_end=ev.evidence.end,
                        trigger=ev.evidence.trigger,
                        trigger_start=ev.evidence.trigger_start,
                        trigger_end=ev.evidence.trigger_end,
                        confidence=ev.confidence,
                        rule=ev.rule,
                        coder_version=ev.coder_version,
                        record=json.dumps(ev.to_record()),
                    )
                )
    finally:
        engine.dispose()
