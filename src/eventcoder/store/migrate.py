"""Bring a database written by an older eventcoder up to the current schema.

Runs inside :func:`eventcoder.store.open_store`'s transaction, before the tables are
created, so a migration is all-or-nothing.

- 1 → 2: the per-article ``events`` rows become ``mentions`` (same columns plus
  ``mention_id``, ``group_key`` and ``event_id``); every group is marked stale so the
  deduplicated ``events`` are built by the next refresh.
- 2 → 3: the group keys of mutual (``symmetric``) CAMEO codes became the unordered dyad,
  and a ``publication`` date groups as a day; each stored mention's key is computed
  again, and where it changed, its old and new groups are marked stale on its day, so
  the next refresh moves it into its new event.
- 3 → 4: ``documents`` gets a ``language`` column; the documents stored before were
  all parsed as English, so they are ``"en"``.
- 4 → 5: ``actor_texts`` holds the distinct actor texts of the stored mentions.
- 5 → 6: ``mentions`` and ``events`` get the ``location_*`` columns, empty: events coded
  before had no place (a new eventcoder version recodes their documents on the next run).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    MetaData,
    Table,
    bindparam,
    insert,
    inspect,
    select,
    text,
    tuple_,
    update,
)

from eventcoder.store.dedup import group_key, is_symmetric
from eventcoder.store.schema import (
    actor_texts,
    documents,
    mentions,
    meta,
    metadata,
    stale_groups,
)

_CHUNK = 1000


def _schema_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("meta"):
        return None
    found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(found) if found is not None and str(found).isdigit() else None


def migrate(conn: Connection) -> None:
    """Upgrade the database behind ``conn`` in place; no-op when already current."""
    version = _schema_version(conn)
    if version == 1:
        _v1_to_v2(conn)
        version = 2
    if version == 2:
        _v2_to_v3(conn)
        version = 3
    if version == 3:
        _v3_to_v4(conn)
        version = 4
    if version == 4:
        _v4_to_v5(conn)
        version = 5
    if version == 5:
        _v5_to_v6(conn)


def add_missing_indexes(conn: Connection) -> None:
    """Create the indexes the schema declares that the database lacks (``create_all`` makes
    only those of new tables). An index changes no result, so older eventcoders read the
    database as before and no schema version is spent on it."""
    for table in metadata.sorted_tables:
        present = {index["name"] for index in inspect(conn).get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(conn, checkfirst=True)


def _key_of(values: Mapping[Any, Any], mention_id: str) -> str:
    """The group key of a stored mention row, by today's rule."""
    return group_key(
        values["source_code"],
        values["target_code"],
        values["cameo_root"],
        negated=bool(values["negated"]),
        intent=bool(values["intent"]),
        hypothetical=bool(values["hypothetical"]),
        precision=values["date_precision"],
        mention_id=mention_id,
        symmetric=is_symmetric(values["cameo"]),
    )


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
            key = _key_of(values, mention_id)
            keys.add((key, values["date"]))
            batch.append({**values, "mention_id": mention_id, "group_key": key, "event_id": None})
        conn.execute(insert(mentions), batch)
        last = rows[-1].event_id
    old.drop(conn)
    _add_stale(conn, keys)
    conn.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))


def _v2_to_v3(conn: Connection) -> None:
    m = mentions.c
    columns = (
        m.mention_id,
        m.group_key,
        m.date,
        m.date_precision,
        m.source_code,
        m.target_code,
        m.cameo,
        m.cameo_root,
        m.negated,
        m.intent,
        m.hypothetical,
    )
    stale: set[tuple[str, date]] = set()
    last = ""
    while True:
        rows = conn.execute(
            select(*columns).where(m.mention_id > last).order_by(m.mention_id).limit(_CHUNK)
        ).all()
        if not rows:
            break
        moved: list[dict[str, str]] = []
        for row in rows:
            key = _key_of(row._mapping, row.mention_id)
            if key != row.group_key:
                moved.append({"b_mention_id": row.mention_id, "b_group_key": key})
                stale.update({(row.group_key, row.date), (key, row.date)})
        if moved:
            conn.execute(
                update(mentions)
                .where(m.mention_id == bindparam("b_mention_id"))
                .values(group_key=bindparam("b_group_key")),
                moved,
            )
        last = rows[-1].mention_id
    _add_stale(conn, stale)
    conn.execute(text("UPDATE meta SET value = '3' WHERE key = 'schema_version'"))


def _v3_to_v4(conn: Connection) -> None:
    # the column as the schema declares it, typed for this database; DEFAULT 'en' fills
    # the rows already there. A database whose documents table was made with the column
    # (by a test's copy of the old tables, say) keeps it.
    language = documents.c.language
    column_type = language.type.compile(dialect=conn.dialect)
    present = {column["name"] for column in inspect(conn).get_columns("documents")}
    if language.name not in present:
        conn.execute(
            text(
                f"ALTER TABLE documents ADD COLUMN {language.name} {column_type} "
                "NOT NULL DEFAULT 'en'"
            )
        )
    conn.execute(text("UPDATE meta SET value = '4' WHERE key = 'schema_version'"))


def _add_stale(conn: Connection, keys: set[tuple[str, date]]) -> None:
    """Mark these (group, day) pairs stale, beside the marks a killed run may have left."""
    wanted = sorted(keys)
    s = stale_groups.c
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        present = {
            (key, day)
            for key, day in conn.execute(
                select(s.group_key, s.day).where(tuple_(s.group_key, s.day).in_(chunk))
            )
        }
        rows = [{"group_key": key, "day": day} for key, day in chunk if (key, day) not in present]
        if rows:
            conn.execute(insert(stale_groups), rows)


def _v4_to_v5(conn: Connection) -> None:
    from eventcoder.store.actor_texts import add_actor_texts

    actor_texts.create(conn, checkfirst=True)
    for column in (mentions.c.source_text, mentions.c.target_text):
        texts = conn.execute(select(column).where(column.is_not(None)).distinct()).scalars()
        batch: list[str] = []
        for name in texts:
            batch.append(name)
            if len(batch) == _CHUNK:
                add_actor_texts(conn, batch)
                batch = []
        add_actor_texts(conn, batch)
    conn.execute(text("UPDATE meta SET value = '5' WHERE key = 'schema_version'"))


LOCATION_COLUMNS = (
    ("location_country", "VARCHAR(16)"),
    ("location_lat", "FLOAT"),
    ("location_lon", "FLOAT"),
    ("location_precision", "VARCHAR(16)"),
)


def _v5_to_v6(conn: Connection) -> None:
    for table in ("mentions", "events"):
        if not inspect(conn).has_table(table):
            continue  # made whole by create_all (from version 1, ``events`` is new)
        present = {column["name"] for column in inspect(conn).get_columns(table)}
        for name, kind in LOCATION_COLUMNS:
            if name not in present:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))
    conn.execute(text("UPDATE meta SET value = '6' WHERE key = 'schema_version'"))
