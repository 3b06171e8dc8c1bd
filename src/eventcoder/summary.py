"""A short report of what a store holds, for a person at a terminal.

``eventcoder summary`` (and ``make run``) print it: the totals, the most reported events
with who did what to whom and the words around the trigger, the counts by event type
and by dyad, and the command that lists the rest. Everything is fitted to a width, so a
line never wraps in the terminal that shows it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eventcoder.export import fit, snippet
from eventcoder.model import Actor, StoredEvent

_MIN_WIDTH = 60
_INDENT = "    "


@dataclass(frozen=True)
class SummaryInput:
    """What the report is about: the store's totals and its (filtered) events."""

    where: str  # the database, as the user named it
    documents: int
    mentions: int
    events: Sequence[StoredEvent]
    filtered: bool = False  # the events are a filtered selection, not all of them


def counted(n: int, noun: str) -> str:
    """``1 event``, ``2 events``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _actor_label(actor: Actor | None) -> str:
    if actor is None:
        return "(no target)"
    words = " ".join((actor.name or actor.text or "").split())
    code = actor.code or "---"
    return f"{words} {code}" if words else code


def _ranked(events: Iterable[StoredEvent]) -> list[StoredEvent]:
    """Most reported first; then most confident, then those whose actors are both known."""

    def key(stored: StoredEvent) -> tuple[int, int, float, int, str, str]:
        ev = stored.event
        known = sum(1 for actor in (ev.source, ev.target) if actor and actor.code != "---")
        return (
            -stored.reports.articles,
            -stored.reports.mentions,
            -ev.confidence,
            -known,
            ev.date.isoformat(),
            ev.event_id,
        )

    return sorted(events, key=key)


def _counted(title: str, counts: Counter[str], width: int, limit: int = 12) -> list[str]:
    """``title: A 12 · B 7 · …`` wrapped to ``width``, the most common first."""
    items = [f"{name} {n:,}" for name, n in counts.most_common(limit)]
    if len(counts) > limit:
        items.append(f"and {len(counts) - limit} more")
    lines: list[str] = []
    line = f"{title}:"
    for item in items:
        piece = f" {item}" if line.endswith(":") else f" · {item}"
        if len(line) + len(piece) > width and not line.endswith(":"):
            lines.append(line)
            line = _INDENT + item
        else:
            line += piece
    lines.append(line)
    return lines


def _dyad(stored: StoredEvent) -> str:
    def country(actor: Actor | None) -> str:
        return "none" if actor is None else actor.country or actor.code or "---"

    return f"{country(stored.event.source)}→{country(stored.event.target)}"


def format_summary(data: SummaryInput, *, width: int = 100, top: int = 8) -> list[str]:
    """The report's lines, none longer than ``width``."""
    width = max(_MIN_WIDTH, width)
    events = list(data.events)
    dates = sorted(s.event.date.isoformat() for s in events)
    if data.filtered:
        first = f"events matching the filters: {len(events):,}"
    else:
        first = (
            f"{counted(data.documents, 'document')}, {counted(data.mentions, 'event mention')} "
            f"merged into {counted(len(events), 'event')}"
        )
    second = f"in {data.where}" + (f", event dates {dates[0]} to {dates[-1]}" if dates else "")
    lines = [fit(first, width), fit(second, width)]
    if not events:
        lines.append("no events to show")
        return lines
    shown = _ranked(events)[:top]
    lines += ["", f"Top {len(shown)} of {len(events):,} (most reported, then most confident):"]
    for stored in shown:
        ev = stored.event
        articles = stored.reports.articles
        head = (
            f"{ev.date.isoformat()}  {ev.plover.event or '?'}  "
            f"{_actor_label(ev.source)} → {_actor_label(ev.target)}"
        )
        reports = f"{articles} articles · " if articles > 1 else ""
        lines.append(fit(head, width))
        lines.append(_INDENT + reports + snippet(ev.evidence, width - len(_INDENT) - len(reports)))
    lines.append("")
    types = Counter(s.event.plover.event for s in events)
    lines += _counted("By type", types, width)
    lines += _counted("By dyad (source→target country)", Counter(map(_dyad, events)), width)
    places = Counter(_place(s) for s in events)
    lines += _counted("By place (where it happened)", places, width)
    return lines


def _place(stored: StoredEvent) -> str:
    """ "Kyiv, UKR" for a city or region, "UKR" for a country, "none" without a place."""
    where = stored.event.location
    if where is None or where.country is None:
        return "none"
    return where.country if where.precision == "country" else f"{where.name}, {where.country}"


def more_hint(db_option: str, width: int = 100) -> list[str]:
    """How to see the rest; ``db_option`` is ``" --db X"``, or empty for the default."""
    return [
        "",
        fit(f"See them all: eventcoder events{db_option}", width),
        fit("  narrow with --type CONSULT, --country UKR, --since 2024-01-01 (--help);", width),
        fit("  --format jsonl|csv|gdelt|plover for data, --mentions for every report", width),
    ]
