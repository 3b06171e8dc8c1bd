"""Argument types shared by the command lines (``eventcoder``, ``eventcoder-spark``)."""

from __future__ import annotations

import argparse
from datetime import date

from eventcoder.errors import InputError


def day(value: str) -> date:
    """A ``YYYY-MM-DD`` option value, checked strictly."""
    from eventcoder.ingest.clean import parse_day

    try:
        return parse_day(value)
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
