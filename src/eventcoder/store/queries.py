"""What the store's queries select: ``EventFilter`` and the SQL conditions it becomes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, Table, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from eventcoder.store.actor_texts import actor_text_conditions
from eventcoder.store.rows import plover_type_column
from eventcoder.store.schema import mentions as mentions_t


@dataclass(frozen=True)
class EventFilter:
    """Which events (or mentions) the queries return; ``None`` means any.

    - ``actor``: source or target code starting with it, or actor text containing it
      (case-folded, anywhere in the text). The texts holding it are found in the table
      of distinct actor texts, then their events by index (``store.actor_texts``).
    - ``country``: source or target country code (e.g. ``"UKR"``).
    - ``source`` / ``target``: actor code prefix (e.g. ``"UKR"`` or ``"UKRMIL"``).
    - ``event_type``: PLOVER event type (case-insensitive, e.g. ``"consult"``).
    - ``cameo``: CAMEO code prefix (``"04"`` matches ``"040"``..``"046"``).
    - ``since`` / ``until``: event date range, both inclusive.
    - ``doc_id``: events reported by (mentions in) one document.
    - ``event_id``: one deduplicated event (with :meth:`EventStore.query_mentions`:
      the mentions merged into it).
    - ``min_confidence``: events whose confidence is at least this (0 to 1).
    - ``location_country``: events that happened in this country (ISO3).
    - ``near``: events that happened within ``near.km`` kilometres of a point.
    - ``limit``: at most this many events.
    """

    actor: str | None = None
    country: str | None = None
    source: str | None = None
    target: str | None = None
    event_type: str | None = None
    cameo: str | None = None
    since: date | None = None
    until: date | None = None
    doc_id: str | None = None
    event_id: str | None = None
    min_confidence: float | None = None
    location_country: str | None = None
    near: Near | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 0:
            raise ValueError(f"limit must be >= 0, got {self.limit}")


@dataclass(frozen=True)
class Near:
    """A circle on the globe: ``km`` kilometres around (``lat``, ``lon``)."""

    lat: float
    lon: float
    km: float

    def __post_init__(self) -> None:
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"{self.lat}, {self.lon} is not a point on the globe")
        if not 0 < self.km <= 20_000:
            raise ValueError(
                f"the distance must be more than 0 and at most 20000 km, not {self.km}"
            )


EARTH_RADIUS_KM = 6371.0088
_KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def near_conditions(
    near: Near, lat: ColumnElement[Any], lon: ColumnElement[Any]
) -> list[ColumnElement[bool]]:
    """Points within ``near``: a box of latitudes (and longitudes, unless the circle reaches
    a pole or the 180th meridian) that the latitude index serves, then the great-circle
    distance (haversine) itself."""
    conds: list[ColumnElement[bool]] = []
    span_lat = near.km / _KM_PER_DEGREE
    conds.append(lat.between(near.lat - span_lat, near.lat + span_lat))
    cos_lat = math.cos(math.radians(min(89.0, abs(near.lat) + span_lat)))
    span_lon = span_lat / cos_lat if cos_lat > 0 else 360.0
    if abs(near.lat) + span_lat < 90 and near.lon - span_lon >= -180 and near.lon + span_lon <= 180:
        conds.append(lon.between(near.lon - span_lon, near.lon + span_lon))
    dlat = func.radians(lat - near.lat) / 2
    dlon = func.radians(lon - near.lon) / 2
    haversine = func.sin(dlat) * func.sin(dlat) + math.cos(math.radians(near.lat)) * func.cos(
        func.radians(lat)
    ) * func.sin(dlon) * func.sin(dlon)
    # 2 R asin(sqrt(h)) <= km  <=>  h <= sin(km / 2R)^2 (both sides increase with distance)
    limit = math.sin(min(math.pi / 2, near.km / (2 * EARTH_RADIUS_KM))) ** 2
    conds.append(haversine <= limit)
    return conds


class MostRows(FunctionElement[bool]):
    """A condition most rows meet (``min_confidence``: a floor most events clear).

    SQLite, which keeps no statistics of value ranges, would otherwise take a range on
    an index for selective, read every match through it and sort them all; told the
    condition is likely (``likelihood(cond, 0.9)``) it walks the sort order's index and
    stops at the page. Other databases plan from their statistics: the condition as is.
    """

    type = Boolean()
    inherit_cache = True
    name = "most_rows"
    _is_implicitly_boolean = True  # a condition: no "= 1" where booleans are integers


@compiles(MostRows)
def _most_rows(element: MostRows, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(MostRows, "sqlite")
def _most_rows_sqlite(element: MostRows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.9)"


def code_prefix(column: ColumnElement[Any], prefix: str) -> ColumnElement[bool]:
    """Actor codes starting with ``prefix`` (upper-cased), as a range ``prefix <= code <
    prefix-with-its-last-character-incremented``: unlike ``LIKE 'P%'`` (case-insensitive in
    SQLite), a range uses the column's index on every database. Codes are upper case."""
    start = prefix.strip().upper()
    if not start:
        return column.is_not(None)
    if start[-1] == chr(0x10FFFF):  # no character after it: no upper bound
        return column >= start
    end = start[:-1] + chr(ord(start[-1]) + 1)
    return and_(column >= start, column < end)


def conditions(f: EventFilter, table: Table) -> list[ColumnElement[bool]]:
    c = table.c
    conds: list[ColumnElement[bool]] = []
    if f.actor:
        conds.append(
            or_(
                code_prefix(c.source_code, f.actor),
                code_prefix(c.target_code, f.actor),
                *actor_text_conditions(table, f.actor),
            )
        )
    if f.country:
        country = f.country.upper()
        conds.append(or_(c.source_country == country, c.target_country == country))
    if f.source:
        conds.append(code_prefix(c.source_code, f.source))
    if f.target:
        conds.append(code_prefix(c.target_code, f.target))
    if f.event_type:
        conds.append(c.plover_event == plover_type_column(f.event_type))
    if f.cameo:
        prefix = f.cameo.strip()
        if len(prefix) == 2:
            conds.append(c.cameo_root == prefix)
        else:  # codes are digits: a range on the code, which its index serves
            conds.append(code_prefix(c.cameo, prefix))
            if len(prefix) > 2 and table is mentions_t:  # no index on mentions.cameo
                conds.append(c.cameo_root == prefix[:2])
    if f.since is not None:
        conds.append(c.date >= f.since)
    if f.until is not None:
        conds.append(c.date <= f.until)
    if f.doc_id is not None:
        if table is mentions_t:
            conds.append(c.doc_id == f.doc_id)
        else:
            reported_by = select(mentions_t.c.event_id).where(mentions_t.c.doc_id == f.doc_id)
            conds.append(c.event_id.in_(reported_by))
    if f.event_id is not None:
        conds.append(c.event_id == f.event_id)
    if f.min_confidence is not None:
        conds.append(MostRows(c.confidence >= f.min_confidence))
    if f.location_country:
        conds.append(c.location_country == f.location_country.strip().upper())
    if f.near is not None:
        conds.extend(near_conditions(f.near, c.location_lat, c.location_lon))
    return [and_(*conds)] if conds else []


# How deduplicated events may be ordered (``-`` first: descending). Every order ends with
# the default one, so pages are stable.
EVENT_SORTS: tuple[str, ...] = (
    "date",
    "-date",
    "confidence",
    "-confidence",
    "articles",
    "-articles",
)


def order_by(table: Table, sort: str = "date") -> list[ColumnElement[Any]]:
    """The ORDER BY of ``sort`` (one of :data:`EVENT_SORTS`; ``articles`` only for events)."""
    c = table.c
    key = c.mention_id if table is mentions_t else c.event_id
    default: list[ColumnElement[Any]] = [c.date, c.doc_id, c.ev_start, c.trigger_start, key]
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    if sort not in EVENT_SORTS or (name == "articles" and table is mentions_t):
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(EVENT_SORTS)}")
    if name == "date":
        return [column.desc() for column in default] if descending else default
    column = c.confidence if name == "confidence" else c.n_articles
    return [column.desc() if descending else column.asc(), *default]


def select_matching(
    table: Table,
    columns: Sequence[ColumnElement[Any]],
    f: EventFilter,
    sort: str = "date",
    offset: int = 0,
    *,
    join: Table | None = None,
) -> Select[Any]:
    """SELECT ``columns`` of the rows of ``table`` (left-joined to ``join`` on ``doc_id``)
    that ``f`` selects, in ``sort`` order, the first ``offset`` left out.

    A page (``f.limit``) is found on the keys alone and then joined back to its rows: the
    database sorts the matching keys, not the matching records (a few kilobytes of JSON
    each, read from the table for every match), so a page of a common filter costs the
    page, not the matches."""
    source: Any = table if join is None else table.outerjoin(join, join.c.doc_id == table.c.doc_id)
    if f.limit is None and not offset:
        return (
            select(*columns)
            .select_from(source)
            .where(*conditions(f, table))
            .order_by(*order_by(table, sort))
        )
    key = table.c.mention_id if table is mentions_t else table.c.event_id
    page = (
        select(key.label("page_key"))
        .where(*conditions(f, table))
        .order_by(*order_by(table, sort))
        .offset(offset)
    )
    if f.limit is not None:
        page = page.limit(f.limit)
    keys = page.subquery("page")
    return (
        select(*columns)
        .select_from(source.join(keys, keys.c.page_key == key))
        .order_by(*order_by(table, sort))
    )
