"""The read queries behind the REST API and the web UI: statistics, documents, a dyad's
timeline and the actor network (SQLAlchemy Core over the store's tables, any database).

Get one from :attr:`eventcoder.store.EventStore.analytics`; the events themselves come
from ``EventStore.query_events`` / ``query_mentions`` / ``count_events``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from eventcoder.errors import StoreError
from eventcoder.store.engine import IN_CLAUSE_CHUNK, chunks, short_error
from eventcoder.store.queries import code_prefix
from eventcoder.store.schema import documents as documents_t
from eventcoder.store.schema import events as events_t
from eventcoder.store.schema import mentions as mentions_t

INTERVALS: tuple[str, ...] = ("day", "week", "month")
QUAD_CLASSES: tuple[int, ...] = (1, 2, 3, 4)
# A network of more dyads than this cannot be read (nor drawn): the busiest are kept.
MAX_NETWORK_EDGES = 300


@dataclass(frozen=True)
class StoreStats:
    """What a store holds: counts, the date range and the events by QuadClass and type."""

    documents: int
    mentions: int
    events: int
    first_date: date | None
    last_date: date | None
    by_quad_class: Mapping[int, int]  # every QuadClass, 0 when none
    by_type: Mapping[str, int]  # PLOVER type -> events, most first


@dataclass(frozen=True)
class DocumentHead:
    """An article as a list of reports shows it."""

    doc_id: str
    title: str | None
    url: str | None
    date: date


@dataclass(frozen=True)
class StoredDocument:
    """A stored article, its text as read (every event offset points into it)."""

    doc_id: str
    title: str | None
    url: str | None
    source: str | None
    date: date
    language: str
    text: str


@dataclass(frozen=True)
class TimelinePoint:
    """The events of one direction of a dyad in one period."""

    period: date  # the first day of the day, week (Monday) or month
    direction: str  # "A>B" or "B>A"
    events: int
    by_quad_class: Mapping[int, int]
    goldstein_sum: float

    @property
    def goldstein_mean(self) -> float:
        return self.goldstein_sum / self.events if self.events else 0.0


@dataclass(frozen=True)
class NetworkNode:
    code: str
    events: int  # events of the edges shown that it is a side of


@dataclass(frozen=True)
class NetworkEdge:
    source: str
    target: str
    events: int
    goldstein_mean: float


@dataclass(frozen=True)
class Network:
    nodes: tuple[NetworkNode, ...]
    edges: tuple[NetworkEdge, ...]
    truncated: bool  # more dyads matched than MAX_NETWORK_EDGES


def period_start(day: date, interval: str) -> date:
    """The first day of the ``interval`` (day, week from Monday, month) holding ``day``."""
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown interval {interval!r}: use one of {', '.join(INTERVALS)}")


def _date_range(since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if since is not None:
        conds.append(events_t.c.date >= since)
    if until is not None:
        conds.append(events_t.c.date <= until)
    return conds


class StoreAnalytics:
    """Read queries over one store's database."""

    def __init__(self, engine: Engine, shown: str) -> None:
        self._engine = engine
        self._shown = shown

    def _rows(self, stmt: Any) -> list[Any]:
        try:
            with self._engine.connect() as conn:
                return list(conn.execute(stmt))
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self._shown}: {short_error(exc)}") from exc

    def stats(self) -> StoreStats:
        e = events_t.c
        try:
            with self._engine.connect() as conn:
                documents, mentions = (
                    int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                    for t in (documents_t, mentions_t)
                )
                events, first, last = conn.execute(
                    select(func.count(), func.min(e.date), func.max(e.date))
                ).one()
                by_quad = {q: 0 for q in QUAD_CLASSES}
                for quad, n in conn.execute(
                    select(e.quad_class, func.count()).group_by(e.quad_class)
                ):
                    if quad in by_quad:
                        by_quad[quad] = int(n)
                by_type = {
                    str(name): int(n)
                    for name, n in conn.execute(
                        select(e.plover_event, func.count())
                        .group_by(e.plover_event)
                        .order_by(func.count().desc(), e.plover_event)
                    )
                }
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self._shown}: {short_error(exc)}") from exc
        return StoreStats(
            documents=documents,
            mentions=mentions,
            events=int(events),
            first_date=first,
            last_date=last,
            by_quad_class=by_quad,
            by_type=by_type,
        )

    def document(self, doc_id: str) -> StoredDocument | None:
        d = documents_t.c
        rows = self._rows(
            select(d.doc_id, d.title, d.url, d.source, d.date, d.language, d.text).where(
                d.doc_id == doc_id
            )
        )
        return StoredDocument(*rows[0]) if rows else None

    def document_heads(self, doc_ids: Sequence[str]) -> list[DocumentHead]:
        """The articles ``doc_ids`` (those stored), by date then id."""
        d = documents_t.c
        heads: list[DocumentHead] = []
        for chunk in chunks(sorted(set(doc_ids)), IN_CLAUSE_CHUNK):
            stmt = select(d.doc_id, d.title, d.url, d.date).where(d.doc_id.in_(chunk))
            heads.extend(DocumentHead(*row) for row in self._rows(stmt))
        return sorted(heads, key=lambda h: (h.date, h.doc_id))

    def timeline(
        self,
        source: str,
        target: str,
        interval: str = "month",
        since: date | None = None,
        until: date | None = None,
    ) -> list[TimelinePoint]:
        """The events between actor code prefixes ``source`` and ``target``, both ways,
        per period: ``"A>B"`` where ``source`` acted on ``target``, ``"B>A"`` the other way.
        Sorted by period, then direction."""
        period_start(date.min, interval)  # an unknown interval fails before the query
        e = events_t.c
        a, b = source.strip().upper(), target.strip().upper()
        a_to_b = and_(code_prefix(e.source_code, a), code_prefix(e.target_code, b))
        b_to_a = and_(code_prefix(e.source_code, b), code_prefix(e.target_code, a))
        # the dates are checked here, not in SQL: given a date range, SQLite reads the
        # range's events by the date index (a year: some 40,000 of 200,000) instead of
        # the dyad's few by the actor code indexes
        stmt = select(e.date, e.source_code, e.target_code, e.quad_class, e.goldstein).where(
            or_(a_to_b, b_to_a)
        )
        counts: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        sums: dict[tuple[date, str], float] = defaultdict(float)
        for day, src, tgt, quad, goldstein in self._rows(stmt):
            if (since is not None and day < since) or (until is not None and day > until):
                continue
            forward = src.startswith(a) and tgt.startswith(b)
            key = (period_start(day, interval), "A>B" if forward else "B>A")
            counts[key][0] += 1
            if quad in QUAD_CLASSES:
                counts[key][quad] += 1
            sums[key] += float(goldstein or 0.0)
        return [
            TimelinePoint(
                period=period,
                direction=direction,
                events=counts[(period, direction)][0],
                by_quad_class={q: counts[(period, direction)][q] for q in QUAD_CLASSES},
                goldstein_sum=round(sums[(period, direction)], 6),
            )
            for period, direction in sorted(counts)
        ]

    def network(
        self,
        since: date | None = None,
        until: date | None = None,
        min_events: int = 1,
        max_edges: int = MAX_NETWORK_EDGES,
    ) -> Network:
        """Directed dyads (events with both actors) of at least ``min_events`` events, the
        busiest ``max_edges`` of them, and the actors they join."""
        e = events_t.c
        n = func.count().label("n")
        stmt = (
            select(e.source_code, e.target_code, n, func.avg(e.goldstein))
            .where(e.source_code.is_not(None), e.target_code.is_not(None))
            .where(*_date_range(since, until))
            .group_by(e.source_code, e.target_code)
            .having(func.count() >= min_events)
            .order_by(n.desc(), e.source_code, e.target_code)
            .limit(max_edges + 1)
        )
        rows = self._rows(stmt)
        edges = tuple(
            NetworkEdge(str(src), str(tgt), int(count), round(float(mean or 0.0), 4))
            for src, tgt, count, mean in rows[:max_edges]
        )
        involved: dict[str, int] = defaultdict(int)
        for edge in edges:
            involved[edge.source] += edge.events
            if edge.target != edge.source:
                involved[edge.target] += edge.events
        nodes = tuple(
            NetworkNode(code, count)
            for code, count in sorted(involved.items(), key=lambda item: (-item[1], item[0]))
        )
        return Network(nodes=nodes, edges=edges, truncated=len(rows) > max_edges)
