"""Database rows of the event store, made from the typed records (``eventcoder.model``):
a mention row per event coded from an article, an event row per deduplicated event."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from eventcoder.model import Actor, Document, Event, Location
from eventcoder.store.dedup import DedupedEvent, group_key, is_symmetric

# the actor columns of each table (``source_code``, ``target_text``, ...), see schema.py
_MENTION_ACTOR_FIELDS = ("code", "country", "sector", "text")
_EVENT_ACTOR_FIELDS = ("code", "country", "text")


def _actor_columns(side: str, actor: Actor | None, names: Sequence[str]) -> dict[str, Any]:
    return {f"{side}_{name}": getattr(actor, name) if actor else None for name in names}


def _cameo_root(cameo: str) -> str:
    return cameo[:2]


def plover_type_column(event_type: str) -> str:
    """The PLOVER type as the ``plover_event`` columns hold it: upper case, the ontology's
    spelling, so the type filter compares plainly and uses its index."""
    return event_type.strip().upper()


def _group_of(ev: Event) -> str:
    return group_key(
        ev.source.code if ev.source else None,
        ev.target.code if ev.target else None,
        _cameo_root(ev.cameo),
        negated=ev.modality.negated,
        intent=ev.modality.intent,
        hypothetical=ev.modality.hypothetical,
        precision=ev.date_precision,
        mention_id=ev.event_id,
        symmetric=is_symmetric(ev.cameo),
    )


def _location_columns(location: Location | None) -> dict[str, Any]:
    return {
        "location_country": location.country if location else None,
        "location_lat": location.lat if location else None,
        "location_lon": location.lon if location else None,
        "location_precision": location.precision if location else None,
    }


def mention_row(ev: Event) -> dict[str, Any]:
    for name, value in (("goldstein", ev.goldstein), ("confidence", ev.confidence)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"event {ev.event_id}: {name} is {value}, not a finite number")
    record = json.dumps(ev.to_record(), ensure_ascii=False, allow_nan=False)
    return {
        "mention_id": ev.event_id,
        "doc_id": ev.doc_id,
        "group_key": _group_of(ev),
        "event_id": None,
        "date": ev.date,
        "date_precision": ev.date_precision,
        **_actor_columns("source", ev.source, _MENTION_ACTOR_FIELDS),
        **_actor_columns("target", ev.target, _MENTION_ACTOR_FIELDS),
        "cameo": ev.cameo,
        "cameo_root": _cameo_root(ev.cameo),
        "goldstein": ev.goldstein,
        "quad_class": ev.quad_class,
        "plover_event": plover_type_column(ev.plover.event),
        "plover_mode": ev.plover.mode,
        "plover_context": ";".join(ev.plover.context),
        "negated": ev.modality.negated,
        "intent": ev.modality.intent,
        "hypothetical": ev.modality.hypothetical,
        "reported": ev.modality.reported,
        "sentence": ev.evidence.sentence,
        "ev_start": ev.evidence.start,
        "ev_end": ev.evidence.end,
        "trigger": ev.evidence.trigger,
        "trigger_start": ev.evidence.trigger_start,
        "trigger_end": ev.evidence.trigger_end,
        "confidence": ev.confidence,
        "rule": ev.rule,
        "coder_version": ev.coder_version,
        **_location_columns(ev.location),
        "record": record,
    }


def mention_rows(doc: Document, evs: Sequence[Event]) -> list[dict[str, Any]]:
    """Rows for ``evs``, first occurrence of each event_id kept, order preserved."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for ev in evs:
        if ev.doc_id != doc.doc_id:
            raise ValueError(
                f"event {ev.event_id} belongs to document {ev.doc_id!r}, not {doc.doc_id!r}"
            )
        if ev.event_id in seen:
            continue
        seen.add(ev.event_id)
        rows.append(mention_row(ev))
    return rows


def version_of(evs: Sequence[Event], coder_version: str | None) -> str:
    if coder_version is not None:
        return coder_version
    versions = {ev.coder_version for ev in evs}
    return versions.pop() if len(versions) == 1 else ""


def event_row(found: DedupedEvent, representative: Event) -> dict[str, Any]:
    """The row of a deduplicated event whose representative mention is ``representative``."""
    stored = found.stored(representative)
    ev, rep = stored.event, found.representative
    return {
        "event_id": ev.event_id,
        "group_key": found.group_key,
        "mention_id": rep.mention_id,
        "doc_id": rep.doc_id,
        "date": found.first_date,
        "last_date": found.last_date,
        **_actor_columns("source", ev.source, _EVENT_ACTOR_FIELDS),
        **_actor_columns("target", ev.target, _EVENT_ACTOR_FIELDS),
        "cameo": rep.cameo,
        "cameo_root": _cameo_root(rep.cameo),
        "goldstein": ev.goldstein,
        "quad_class": ev.quad_class,
        "plover_event": plover_type_column(ev.plover.event),
        "confidence": found.confidence,
        "n_mentions": found.n_mentions,
        "n_articles": found.n_articles,
        "n_sources": found.n_sources,
        "ev_start": rep.ev_start,
        "trigger_start": rep.trigger_start,
        **_location_columns(ev.location),
        "record": json.dumps(stored.to_record(), ensure_ascii=False, allow_nan=False),
    }
