"""Bring a database written by an older eventcoder up to the current schema.

Runs inside :func:`eventcoder.store.open_store`'s transaction, before the tables are
created, so a migration is all-or-nothing.

- 1 → 2: the per-article ``events`` rows become ``mentions`` (same columns plus
  ``mention_id``, ``group_key`` and ``event_id``); every group is marked stale so the
  deduplicated ``events`` are built by the next refresh.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, MetaData, Table, insert, inspect, select, text

from eventcoder.store.dedup import group_key
from eventcoder.store.schema import mentions, meta, stale_groups

_CHUNK = 1000


def _schema_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("meta"):
        return None
    found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(found) if found is not None and str(found).isdigit() else None


def migrate(conn: Connection) -> None:
    """Upgrade the database behind ``conn`` in place; no-op when already current."""
    if _schema_version(conn) == 1:
        _v1_to_v2(conn)


def _v1_to_v2(conn: Connection) -> None:
    old = Table("events", MetaData(), autoload_with=conn)
    mentions.create(conn, checkfirst=True)
    stale_groups.create(conn, checkfirst=True)
    keys: set[tuple[str, Any]] = set()
    last = ""
    while True:
        rows = conn.execute(
            select(old).where(old.c.event_id > last).order_by(old.c.event_id).limit(_CHUNK)
        ).all()
        if not rows:
            break
        batch: list[dict[str, Any]] = []
        for row in rows:
            values = dict(row._mapping)
            mention_id = values.pop("event_id")
            key = group_key(
                values["source_code"],
                values["target_code"],
                values["cameo_root"],
                negated=bool(values["negated"]),
                intent=bool(values["intent"]),
                hypothetical=bool(values["hypothetical"]),
                precision=values["date_precision"],
                mention_id=mention_id,
            )
            keys.add((key, values["date"]))
            batch.append({**values, "mention_id": mention_id, "group_key": key, "event_id": None})
        conn.execute(insert(mentions), batch)
        last = rows[-1].event_id
    old.drop(conn)
    if keys:
        conn.execute(
            insert(stale_groups), [{"group_key": key, "day": day} for key, day in sorted(keys)]
        )
    conn.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))
