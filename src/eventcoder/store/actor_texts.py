"""The ``actor`` filter's words: the distinct actor texts (``schema.actor_texts``), written
with the mentions, and the condition that finds events by them through an index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Connection, Select, Table, insert, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from eventcoder.model import stable_hash
from eventcoder.store.engine import IN_CLAUSE_CHUNK, chunks
from eventcoder.store.schema import actor_texts as actor_texts_t

TEXT_KEY_LENGTH = 40


def fold(text: str) -> str:
    """An actor text as the filter compares it: case-folded (``"STRASSE"`` matches
    ``"straße"``), unlike SQL's ``lower``, which SQLite applies to ASCII only."""
    return text.casefold()


def text_key(text: str) -> str:
    return stable_hash(text, length=TEXT_KEY_LENGTH)


def add_actor_texts(conn: Connection, texts: Iterable[str | None]) -> None:
    """Record these actor texts (``None`` and known ones aside) in ``actor_texts``."""
    rows = {text_key(text): text for text in texts if text}
    if not rows:
        return
    values = [{"text_key": k, "text": t, "folded": fold(t)} for k, t in sorted(rows.items())]
    name = conn.dialect.name
    if name in ("sqlite", "postgresql"):
        upsert = sqlite_dialect.insert if name == "sqlite" else pg_dialect.insert
        conn.execute(upsert(actor_texts_t).on_conflict_do_nothing(), values)
        return
    known: set[str] = set()
    for chunk in chunks(sorted(rows), IN_CLAUSE_CHUNK):
        known.update(
            conn.execute(
                select(actor_texts_t.c.text_key).where(actor_texts_t.c.text_key.in_(chunk))
            ).scalars()
        )
    missing = [row for row in values if row["text_key"] not in known]
    if missing:
        conn.execute(insert(actor_texts_t), missing)


def names_containing(words: str) -> Select[Any]:
    """The actor texts that hold ``words`` (case-folded, anywhere in the text)."""
    t = actor_texts_t.c
    return select(t.text).where(t.folded.contains(fold(words), autoescape=True))


class OneOfNames(FunctionElement[bool]):
    """``column IN (names)``, where ``names`` is a SELECT of a few rows.

    PostgreSQL plans ``IN (SELECT ...)`` as a join, which cannot be one arm of an OR served
    by indexes; ``= ANY(ARRAY(SELECT ...))`` runs the SELECT once, first, and then looks
    each value up in the column's index, so the actor filter's four arms (two codes, two
    texts) are four index scans. SQLite looks an ``IN (SELECT ...)`` up in the index as is.
    """

    type = Boolean()
    inherit_cache = True
    name = "one_of_names"
    _is_implicitly_boolean = True  # a condition: no "= 1" where booleans are integers


@compiles(OneOfNames)
def _one_of_names(element: OneOfNames, compiler: SQLCompiler, **kw: Any) -> str:
    column, names = list(element.clauses)
    # a scalar subquery compiles in its parentheses: "x IN (SELECT ...)", not "IN ((...))",
    # which would be a list of one value, the first name
    return f"{compiler.process(column, **kw)} IN {compiler.process(names, **kw)}"


@compiles(OneOfNames, "postgresql")
def _one_of_names_postgresql(element: OneOfNames, compiler: SQLCompiler, **kw: Any) -> str:
    column, names = list(element.clauses)
    return f"{compiler.process(column, **kw)} = ANY(ARRAY{compiler.process(names, **kw)})"


def actor_text_conditions(table: Table, words: str) -> list[ColumnElement[bool]]:
    """The ``actor`` filter's text arms on ``table``: a source or target text holding
    ``words`` (its code arms are code prefixes, ``eventcoder.store.queries``)."""
    c = table.c
    names = names_containing(words).scalar_subquery()
    return [OneOfNames(c.source_text, names), OneOfNames(c.target_text, names)]
