"""Event dates: read a date expression and resolve it against the document date.

News dates are mostly relative ("on Tuesday", "last month") or lack the year
("25 January"); they are resolved to the most recent such date on or before the
document date. Precision says how much of the date the text gave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: i
    for i, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b(?P<iso>{_YEAR}-(?P<m>\d\d)-(?P<d>\d\d))\b"), "iso"),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b", re.I), "day-month"),
    (re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR})?", re.I), "month-day"),
    (re.compile(rf"\b{_MONTH}(?:\s+of)?\s+{_YEAR}\b", re.I), "month-year"),
    (
        re.compile(
            r"\b(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I
        ),
        "weekday",
    ),
    (
        re.compile(
            r"\b(?P<rel>yesterday(?: morning| afternoon| evening)?|last (?:night|evening)|"
            r"today|tonight|this morning|this afternoon|this evening)\b",
            re.I,
        ),
        "rel",
    ),
    (re.compile(r"\blast\s+(?P<unit>week|month|year)\b", re.I), "last"),
    (re.compile(rf"\b(?:in|since|from|during|by)\s+{_MONTH}\b", re.I), "month"),
    (re.compile(rf"\b(?:in|since|from|during|of|by)\s+{_YEAR}\b", re.I), "year"),
)


@dataclass(frozen=True)
class ResolvedDate:
    date: date
    precision: str  # "day" | "week" | "month" | "year"
    text: str


def _before(candidate: date, doc_date: date, back: date) -> date:
    """A date given without its year: take the year that does not lie far in the future."""
    return back if candidate > doc_date + timedelta(days=7) else candidate


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_date(text: str, doc_date: date) -> ResolvedDate | None:
    """Resolve the first date expression in ``text``; None when there is none."""
    for regex, kind in _PATTERNS:
        m = regex.search(text)
        if m is None:
            continue
        found = _resolve_match(m, kind, doc_date)
        if found is not None:
            return ResolvedDate(found[0], found[1], m.group(0))
    return None


def _resolve_match(m: re.Match[str], kind: str, doc_date: date) -> tuple[date, str] | None:
    groups = m.groupdict()
    if kind == "iso":
        d = _safe(int(groups["year"]), int(groups["m"]), int(groups["d"]))
        return (d, "day") if d else None
    if kind in {"day-month", "month-day"}:
        month = MONTHS[groups["month"].lower()]
        day = int(groups["day"])
        if groups.get("year"):
            d = _safe(int(groups["year"]), month, day)
            return (d, "day") if d else None
        this_year = _safe(doc_date.year, month, day)
        last_year = _safe(doc_date.year - 1, month, day)
        if this_year is None or last_year is None:
            return None
        return _before(this_year, doc_date, last_year), "day"
    if kind == "month-year":
        return date(int(groups["year"]), MONTHS[groups["month"].lower()], 1), "month"
    if kind == "weekday":
        back = (doc_date.weekday() - WEEKDAYS[groups["weekday"].lower()]) % 7
        return doc_date - timedelta(days=back), "day"
    if kind == "rel":
        word = groups["rel"].lower()
        day_before = word.startswith(("yesterday", "last"))
        return (doc_date - timedelta(days=1) if day_before else doc_date), "day"
    if kind == "last":
        unit = groups["unit"].lower()
        if unit == "week":
            return doc_date - timedelta(days=7), "week"
        if unit == "month":
            first = doc_date.replace(day=1)
            return (first - timedelta(days=1)).replace(day=1), "month"
        return date(doc_date.year - 1, 1, 1), "year"
    if kind == "month":
        month = MONTHS[groups["month"].lower()]
        this_year = date(doc_date.year, month, 1)
        if this_year > doc_date:
            return date(doc_date.year - 1, month, 1), "month"
        return this_year, "month"
    if kind == "year":
        year = int(groups["year"])
        return date(year, 1, 1), "year"
    return None
