"""Duplicate reports: mentions of the same event in several articles become one event.

The rule, GDELT-style: mentions with the same *group* (source actor code, target actor
code, CAMEO root code and modality) whose dates lie within one day of each other are
one event. For a CAMEO code that is mutual by nature (``symmetric`` in ``cameo.tsv``: a
call, a meeting, negotiations, an agreement) the dyad is unordered, so "Macron phoned
Scholz" and "Scholz spoke with Macron" are one group, never mixed with the directed
codes of the same root (a visit of A to B is not one of B to A); each mention keeps its
own direction, and the event its representative's. Within a group, mentions are taken
in date order; the first one opens an event, and every later mention dated at most one
day after that event's first date joins it; the next mention opens a new event. The
result depends only on the set of mentions, never on the order in which articles were
coded, so a resumed or parallel run gives the same events as a single uninterrupted one.

Each event counts its mentions, its articles (distinct documents) and its sources
(distinct outlets: the document's ``source``, else the host of its ``url``, else the
document itself). Its representative mention is the most confident one (confidence
grows with the pattern's specificity), among equals the one whose CAMEO code most
mentions share, then the earliest; the event's record is that mention's record with the
event's id, first date and a ``reports`` object.

Mentions whose source or target actor is unknown, and mentions dated only to the week,
month or year, are kept apart (see :func:`group_key`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlsplit

from eventcoder.model import Event, Reports, StoredEvent, stable_hash
from eventcoder.ontology import load_ontology

MAX_DAYS_APART = 1


UNKNOWN_CODE = "---"
SYMMETRIC_PREFIX = "sym:"  # actor codes hold no ":", so no directed key starts so
# "publication": an undated event took its article's date, a day (as GDELT dates events)
_PRECISION_FLAGS = {"day": "", "publication": "", "week": "w", "month": "m", "year": "y"}


def group_key(
    source_code: str | None,
    target_code: str | None,
    cameo_root: str,
    *,
    negated: bool = False,
    intent: bool = False,
    hypothetical: bool = False,
    precision: str = "day",
    mention_id: str = "",
    symmetric: bool = False,
) -> str:
    """The group of a mention, e.g. ``"UKRMIL|POLMIL|04|"``; flags as ``n``, ``i``, ``h``.

    A negated, intended or hypothetical statement never merges with a factual report,
    nor a date known only to the week, month or year (flag ``w``, ``m``, ``y``) with one
    known to the day. A mention whose source or target is unknown (``---``) is a group of
    its own (``mention:<id>``): two unknown actors are not the same actor. A ``symmetric``
    code (see :func:`is_symmetric`) with a target groups by the sorted dyad, marked apart
    from the directed groups of its root: ``"sym:DEUGOV|FRAGOV|04|"``.
    """
    if source_code in (None, "", UNKNOWN_CODE) or target_code == UNKNOWN_CODE:
        return f"mention:{mention_id}"
    flags = ("n" if negated else "") + ("i" if intent else "") + ("h" if hypothetical else "")
    flags += _PRECISION_FLAGS.get(precision, precision[:1])
    if symmetric and target_code:
        first, second = sorted((source_code, target_code))
        return f"{SYMMETRIC_PREFIX}{first}|{second}|{cameo_root}|{flags}"
    return f"{source_code}|{target_code or ''}|{cameo_root}|{flags}"


def is_symmetric(cameo: str) -> bool:
    """Whether ``cameo`` is mutual by nature (the bundled ``cameo.tsv``); unknown codes are not.

    Stored group keys follow this table: changing its ``symmetric`` column needs a schema
    migration that regroups the stored mentions (see ``eventcoder.store.migrate``).
    """
    return load_ontology().is_symmetric(cameo)


def source_identity(doc_id: str, source: str | None, url: str | None) -> str:
    """Which outlet a document counts as, for an event's number of sources."""
    if source and source.strip():
        return "source:" + " ".join(source.split()).casefold()
    if url:
        try:
            host = urlsplit(url.strip()).hostname
        except ValueError:  # "http://[::1": not a URL after all
            host = None
        if host:
            return "host:" + host.removeprefix("www.")
    return "doc:" + doc_id


@dataclass(frozen=True)
class MentionRow:
    """What clustering needs of one stored mention."""

    mention_id: str
    doc_id: str
    date: date
    cameo: str
    confidence: float | None
    ev_start: int
    trigger_start: int
    outlet: str  # see source_identity

    @property
    def order(self) -> tuple[dt.date, str, int, int, str]:
        return (self.date, self.doc_id, self.ev_start, self.trigger_start, self.mention_id)


@dataclass(frozen=True)
class DedupedEvent:
    """One event and the mentions that report it."""

    event_id: str
    group_key: str
    first_date: date
    last_date: date
    mentions: tuple[MentionRow, ...]
    representative: MentionRow

    @property
    def n_mentions(self) -> int:
        return len(self.mentions)

    @property
    def n_articles(self) -> int:
        return len({m.doc_id for m in self.mentions})

    @property
    def n_sources(self) -> int:
        return len({m.outlet for m in self.mentions})

    @property
    def confidence(self) -> float | None:
        known = [m.confidence for m in self.mentions if m.confidence is not None]
        return max(known) if known else None

    def stored(self, representative: Event) -> StoredEvent:
        """The event as stored: the representative mention's event with this event's id,
        first date and highest confidence, and the counts of its reports."""
        confidence = self.confidence
        return StoredEvent(
            event=replace(
                representative,
                event_id=self.event_id,
                date=self.first_date,
                confidence=representative.confidence if confidence is None else confidence,
            ),
            reports=Reports(
                mentions=self.n_mentions,
                articles=self.n_articles,
                sources=self.n_sources,
                first_date=self.first_date,
                last_date=self.last_date,
                mention_id=self.representative.mention_id,
            ),
        )


def window_end_of(first: date) -> date:
    """The last date a mention may have to join the event first reported on ``first``.

    Capped at ``date.max``: a stored date near the end of the calendar (9999-12-31,
    however it got there) must not make the merge, and so the database, unusable.
    """
    if first > date.max - timedelta(days=MAX_DAYS_APART):
        return date.max
    return first + timedelta(days=MAX_DAYS_APART)


def event_id_for(group: str, first_date: date) -> str:
    """Stable id of the event of ``group`` first reported on ``first_date``."""
    return stable_hash("event", group, first_date.isoformat())


def cluster(group: str, rows: Iterable[MentionRow]) -> list[DedupedEvent]:
    """The events of one group's mentions (see the module docstring for the rule)."""
    events, _ = recluster(group, sorted(rows, key=lambda m: m.order), date.max, set())
    return events


def recluster(
    group: str, ordered: Iterable[MentionRow], last_changed: date, old_anchors: set[date]
) -> tuple[list[DedupedEvent], date | None]:
    """The events of a group again, from a point where nothing before has changed.

    ``ordered``: the group's mentions in date order, from the first date of the event
    that holds the earliest change (or from the group's start). Stops at the first
    event that would open after ``last_changed`` on the first date of an old event
    (``old_anchors``): from there on the old events are the same as new ones would be.
    Returns the new events and that date (``None`` when the mentions ran out first).
    """
    events: list[DedupedEvent] = []
    current: list[MentionRow] = []
    window_end: date | None = None
    for row in ordered:
        if window_end is not None and row.date > window_end:
            events.append(_event(group, current))
            current = []
        if not current:
            if row.date > last_changed and row.date in old_anchors:
                return events, row.date
            window_end = window_end_of(row.date)
        current.append(row)
    if current:
        events.append(_event(group, current))
    return events, None


def _event(group: str, mentions: Sequence[MentionRow]) -> DedupedEvent:
    mentions = sorted(mentions, key=lambda m: m.order)  # whatever order the database gave
    # The most confident mention; among equals, the CAMEO code the most articles give
    # (an article that retells an event in several sentences votes once), then the first
    # report, and in an article its first telling: news states the event first.
    articles = Counter(cameo for cameo, _doc in {(m.cameo, m.doc_id) for m in mentions})
    representative = min(
        mentions, key=lambda m: (-(m.confidence or 0.0), -articles[m.cameo], m.order)
    )
    return DedupedEvent(
        event_id=event_id_for(group, mentions[0].date),
        group_key=group,
        first_date=mentions[0].date,
        last_date=mentions[-1].date,
        mentions=tuple(mentions),
        representative=representative,
    )
