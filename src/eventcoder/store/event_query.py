"""``EventStore.events(...)``: the command line's filters as keyword arguments, and the
result as events, a pandas DataFrame or a Parquet file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from eventcoder.errors import InputError, UsageError
from eventcoder.model import StoredEvent
from eventcoder.store.queries import EventFilter, Near

if TYPE_CHECKING:
    import pandas as pd

    from eventcoder.store.store import EventStore


def filter_of(
    *,
    actor: str | None = None,
    country: str | None = None,
    source: str | None = None,
    target: str | None = None,
    event_type: str | None = None,
    cameo: str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    doc_id: str | None = None,
    event_id: str | None = None,
    min_confidence: float | None = None,
    location_country: str | None = None,
    near: Near | str | None = None,
    limit: int | None = None,
) -> EventFilter:
    """The :class:`EventFilter` of these values, checked as ``eventcoder events`` checks its
    options (:func:`eventcoder.filters.check_filter`), the messages naming the parameters."""
    from eventcoder.filters import PARAMETER_NAMES, check_filter, parse_near

    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise UsageError(f"limit {limit!r} is not a positive whole number")
    if min_confidence is not None and (
        isinstance(min_confidence, bool) or not isinstance(min_confidence, int | float)
    ):
        raise UsageError(f"min_confidence {min_confidence!r} is not a number between 0 and 1")
    flt = EventFilter(
        actor=actor,
        country=country,
        source=source,
        target=target,
        event_type=event_type,
        cameo=cameo,
        since=_day("since", since),
        until=_day("until", until),
        doc_id=doc_id,
        event_id=event_id,
        min_confidence=None if min_confidence is None else float(min_confidence),
        location_country=location_country,
        near=parse_near(near, "near") if isinstance(near, str) else near,
        limit=limit,
    )
    check_filter(flt, PARAMETER_NAMES)
    return flt


def _day(name: str, value: date | str | None) -> date | None:
    """A query bound: a ``date`` or a ``YYYY-MM-DD`` string (any year)."""
    from eventcoder.ingest.clean import parse_day

    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        try:
            return parse_day(value, document=False)
        except InputError as exc:
            raise UsageError(f"{name} {value!r} is not a date: use YYYY-MM-DD") from exc
    hint = " (use its .date())" if isinstance(value, datetime) else ""
    raise UsageError(
        f"{name} must be a datetime.date or a 'YYYY-MM-DD' string, got "
        f"{type(value).__name__} {value!r}{hint}"
    )


class EventQuery:
    """The deduplicated events a filter selects, read when used (each use reads anew)."""

    def __init__(self, store: EventStore, filter: EventFilter) -> None:
        self._store = store
        self.filter = filter

    def __iter__(self) -> Iterator[StoredEvent]:
        return iter(self._store.query_events(self.filter))

    def __repr__(self) -> str:
        return f"EventQuery({self._store.url!r}, {self.filter!r})"

    def count(self) -> int:
        """How many events match (``limit`` aside)."""
        return self._store.count_events(self.filter)

    def to_pandas(self) -> pd.DataFrame:
        """One flat row per event (``eventcoder.export.FLAT_COLUMNS``), dates as datetime64.

        Needs pandas and pyarrow: ``pip install 'eventcoder[data]'``.
        """
        from eventcoder.export import data_extra_missing, flat_table

        try:
            import pandas  # noqa: F401  (pyarrow's to_pandas needs it)
        except ImportError as exc:
            raise data_extra_missing("to_pandas()") from exc
        frame: pd.DataFrame = flat_table(self).to_pandas(date_as_object=False)
        return frame

    def to_parquet(self, path: str | Path) -> int:
        """Write the flat rows to a Parquet file; return how many events were written."""
        from eventcoder.export import write_parquet

        return write_parquet(self, path)
