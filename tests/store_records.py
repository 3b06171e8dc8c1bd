"""Test helper: what the store's queries yield, as the records the exports write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventcoder.model import Stored


def records(stored: Iterable[Stored]) -> list[dict[str, Any]]:
    """The public record (``to_record()``) of each stored event or mention, in order."""
    return [s.to_record() for s in stored]
