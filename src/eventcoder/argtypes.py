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
