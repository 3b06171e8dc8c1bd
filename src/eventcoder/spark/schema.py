"""The Parquet schemas of the Spark job, and event records as rows of them.

``EVENT_COLUMNS`` is derived from the record dataclasses of ``eventcoder.model``
(``Event`` and the ``Actor``, ``Plover``, ``Modality`` and ``Evidence`` it holds), laid
out as ``EVENT_RECORD_LAYOUT`` says, so a field added to one of them is in the schema too.
pyspark is imported only when a Spark type is built.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin, get_type_hints

from eventcoder.errors import EventCoderError
from eventcoder.model import EVENT_RECORD_LAYOUT, Event

if TYPE_CHECKING:
    from pyspark.sql import Row
    from pyspark.sql.types import DataType, StructType

INSTALL_HINT = "pyspark is not installed: run pip install 'eventcoder[spark]'"


@dataclass(frozen=True)
class Column:
    """One field of an output record: the single description the Spark schemas come from.

    ``kind`` is ``string``, ``int``, ``long``, ``double``, ``boolean``, ``strings``
    (array of strings) or ``struct`` (with ``fields``).
    """

    name: str
    kind: str
    nullable: bool = False
    fields: tuple[Column, ...] = ()


# dates are strings: the record holds them as ISO strings (``Event.to_record``)
_KINDS: dict[object, str] = {
    str: "string",
    int: "int",
    float: "double",
    bool: "boolean",
    date: "string",
}


def columns_of(cls: type) -> tuple[Column, ...]:
    """The columns of a record dataclass: one per field, in order, typed from its hints."""
    hints = get_type_hints(cls)
    return tuple(column_of(f.name, hints[f.name]) for f in fields(cls))


def column_of(name: str, hint: Any) -> Column:
    """The column of a field typed ``hint``: ``X | None`` is nullable, ``tuple[str, ...]``
    an array of strings, a dataclass a struct."""
    nullable = False
    if get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint):
        others = [arg for arg in get_args(hint) if arg is not type(None)]
        if len(others) == 1:
            nullable, hint = True, others[0]
    if isinstance(hint, type) and is_dataclass(hint):
        return Column(name, "struct", nullable, columns_of(hint))
    if get_origin(hint) is tuple and get_args(hint) == (str, ...):
        return Column(name, "strings", nullable)
    kind = _KINDS.get(hint)
    if kind is None:
        raise EventCoderError(
            f"the record field '{name}' has type {hint!r}, which has no Spark column type: "
            "use str, int, float, bool, date, tuple[str, ...], a dataclass or one of those "
            "| None, or teach eventcoder/spark/schema.py the new type"
        )
    return Column(name, kind, nullable)


def _event_columns() -> tuple[Column, ...]:
    hints = get_type_hints(Event)
    columns: list[Column] = []
    for entry in EVENT_RECORD_LAYOUT:
        if entry.members:
            members = tuple(column_of(key, hints[name]) for key, name in entry.members)
            columns.append(Column(entry.key, "struct", fields=members))
        elif entry.attribute:
            columns.append(column_of(entry.key, hints[entry.attribute]))
        else:
            columns.append(column_of(entry.key, type(entry.constant)))
    return tuple(columns)


EVENT_COLUMNS: tuple[Column, ...] = _event_columns()
"""The event record of ``Event.to_record`` (version 1), field by field, in order."""

ERROR_COLUMNS: tuple[Column, ...] = (
    Column("origin", "string"),  # "path:line" (JSONL) or "path:row" (Parquet), 1-based
    Column("path", "string"),
    Column("line", "long"),
    Column("stage", "string"),  # "read" (bad record) or "code" (failed while coding)
    Column("doc_id", "string", nullable=True),
    Column("reason", "string"),
)
"""A record of ``<output>/_errors``: one bad input record or document."""


def require_pyspark() -> None:
    """Raise an error saying how to install pyspark when it is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise EventCoderError(INSTALL_HINT) from exc


def _spark_type(column: Column) -> DataType:
    from pyspark.sql import types as T

    if column.kind == "struct":
        return _spark_struct(column.fields)
    if column.kind == "strings":
        return T.ArrayType(T.StringType(), containsNull=False)
    simple: dict[str, DataType] = {
        "string": T.StringType(),
        "int": T.IntegerType(),
        "long": T.LongType(),
        "double": T.DoubleType(),
        "boolean": T.BooleanType(),
    }
    return simple[column.kind]


def _spark_struct(columns: Sequence[Column]) -> StructType:
    from pyspark.sql.types import StructField, StructType

    return StructType([StructField(c.name, _spark_type(c), c.nullable) for c in columns])


@lru_cache(maxsize=1)
def event_schema() -> StructType:
    """The Spark schema of the event Parquet output, built from ``EVENT_COLUMNS``."""
    require_pyspark()
    return _spark_struct(EVENT_COLUMNS)


@lru_cache(maxsize=1)
def error_schema() -> StructType:
    """The Spark schema of the ``_errors`` output, built from ``ERROR_COLUMNS``."""
    require_pyspark()
    return _spark_struct(ERROR_COLUMNS)


def record_to_row(record: Mapping[str, Any]) -> tuple[Any, ...]:
    """An event record as a row tuple in ``event_schema()`` order; refuses any other shape."""
    return _to_row(EVENT_COLUMNS, record, "event record")


def row_to_record(row: Row) -> dict[str, Any]:
    """A row read back from the event Parquet as the event record dict."""
    return _to_record(EVENT_COLUMNS, row)


def _to_row(columns: Sequence[Column], record: Mapping[str, Any], where: str) -> tuple[Any, ...]:
    names = [c.name for c in columns]
    if list(record) != names:
        raise EventCoderError(
            f"{where} has fields {list(record)}, the Spark schema expects {names}; "
            "build records with Event.to_record, whose layout the schema follows"
        )
    return tuple(_to_value(c, record[c.name], where) for c in columns)


def _to_value(column: Column, value: Any, where: str) -> Any:
    if value is None:
        return None
    if column.kind == "struct":
        return _to_row(column.fields, value, f"{where}.{column.name}")
    if column.kind == "double" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _to_record(columns: Sequence[Column], row: Any) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column in columns:
        value = row[column.name]
        if value is not None and column.kind == "struct":
            value = _to_record(column.fields, value)
        elif value is not None and column.kind == "strings":
            value = list(value)
        record[column.name] = value
    return record
