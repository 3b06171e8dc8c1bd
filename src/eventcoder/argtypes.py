"""Argument types shared by the command lines (``eventcoder``, ``eventcoder-spark``)."""

from __future__ import annotations

import argparse
from datetime import date

from eventcoder.errors import InputError


def day(value: str) -> date:
    """A document's ``YYYY-MM-DD`` (``--date``), checked strictly and against the range
    documents may carry (see ``eventcoder.ingest.clean.check_document_date``)."""
    from eventcoder.ingest.clean import check_document_date

    parsed = any_day(value)
    try:
        return check_document_date(parsed)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.reason) from exc


def any_day(value: str) -> date:
    """A ``YYYY-MM-DD`` option value, checked strictly but for any year (query bounds
    such as ``--since``/``--until``, which need not be document dates)."""
    from eventcoder.ingest.clean import parse_day

    try:
        return parse_day(value, document=False)
    except InputError as exc:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date: use YYYY-MM-DD") from exc


def positive(value: str) -> int:
    """A whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a positive whole number")
    return number


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(value: str) -> float:
    """A time span in seconds from ``90s``, ``15m``, ``1h``, ``1d`` or a bare number of
    seconds; at least one second."""
    text = value.strip().lower()
    unit = _DURATION_UNITS.get(text[-1:])
    number = text[:-1] if unit is not None else text
    try:
        seconds = float(number) * (unit or 1)
    except ValueError:
        seconds = -1.0
    if not seconds >= 1 or seconds != seconds or seconds == float("inf"):
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a duration: use e.g. 90s, 15m, 1h or 1d (at least 1s)"
        )
    return seconds


def seconds(value: str) -> float:
    """A number of seconds, 0 or more (fractions allowed)."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of seconds (0 or more)")
    return number
