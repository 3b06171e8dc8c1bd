"""An article's text as read, the normalised shadow copy that is parsed, and the seed prefix.

``as_read`` gives the text events are quoted from: the raw text with only the trailing
scraper junk block ("Read also: ...") cut and the whole trimmed; no character inside is
replaced or removed, so evidence offsets point at the article's own words.

``normalise`` gives the shadow copy that spaCy parses (straight apostrophes, plain spaces
and line ends, no invisible characters, NFC, tidy lines, no inline links to other
stories) together with a map from every shadow character back to the original characters
it came from. Its rules decide what the coder sees, so they must not change lightly; it
is deterministic, and ``clean_text`` (``normalise(as_read(raw)).text``) is idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from itertools import chain, pairwise
from typing import NamedTuple

from eventcoder.errors import InputError
from eventcoder.ingest.dateline import wire_parts

# Line and paragraph separators that act as line breaks. The "\r" of "\r\n" is left in
# place (a control character, it is dropped with them) so that this step keeps positions.
_LONE_BREAKS = re.compile("\r(?!\n)|[\u0085\u2028\u2029\u000b\u000c]")
# Characters that look like a space (no-break, en/em and other typographic spaces), and tabs.
_ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUN = re.compile("  +")
# A typographic apostrophe: "Russia’s", "don’t", "the forces’ efforts". The mark comes
# first so that the search runs from one ’ to the next.
_APOSTROPHE = re.compile(r"’(?:(?<=\w’)(?=\w)|(?<=\ws’)(?=[\s,.;:]))")
# Where NFC may change the text: a run of non-ASCII characters with the printable ASCII
# character before it ("e" + U+0301). No ASCII character is ever the second half of a
# composition, reordered, or composed with after a space, so the text between stays as is.
_NON_ASCII = re.compile("[!-~]?[^\x00-\x7f]+")


def _apostrophe(match: re.Match[str]) -> str:
    """ "'" unless the mark closes a ‘single quote’ opened earlier on the same line."""
    text, at = match.string, match.start()
    if text[at + 1 : at + 2].isalnum():
        return "'"  # inside a word: "Russia’s", "don’t"
    line_start = text.rfind("\n", 0, at) + 1
    if text.find("‘", line_start, at) < 0:
        return "'"  # no single quote opened on the line (a C-speed scan, not a Python loop)
    opened = 0
    for i in range(line_start, at):
        if text[i] == "‘":
            opened += 1
        elif text[i] == "’" and opened and not text[i + 1 : i + 2].isalnum():
            opened -= 1
    return "’" if opened else "'"


# A line that starts the scraper junk at the end of an article ("Read also: ...").
# Words that can begin a real sentence ("Related talks ...") only count before a colon.
_JUNK_LINE = re.compile(
    r"""^(?:
        (?:read\ also|also\ read|read\ more|see\ also|more\ on\ this|
           related(?:\ articles?|\ stories|\ news|\ content|\ coverage|\ posts?)?)
        \s*(?:[:：|»›>\-–—].*)?$
      | (?:subscribe\ to|follow\ us\ on|share\ this\ article)\b.*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A link to another story inside the body ("Read also: Poland sends tanks"): it stays in
# the text as read but is not parsed.
_INLINE_LINK = re.compile(
    r"^(?:read\ also|also\ read|read\ more|see\ also)\s*[:：]\s*\S.*$", re.IGNORECASE
)
# Junk can start this many lines from the end, or anywhere in the last half of the text.
_JUNK_MAX_TRAILING_LINES = 15

_SEED_DATE = re.compile(r"^\s*date[ \t]+(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?=\s|$)")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Invisible characters that may precede the seed prefix (byte order mark, zero widths).
_LEADING_INVISIBLES = "\ufeff\u200b\u200c\u200d\u2060"


@dataclass(frozen=True)
class Normalised:
    """The shadow copy of a text and where each of its characters came from.

    Shadow character ``i`` was made from ``original[starts[i]:ends[i]]``: one character,
    or several (a "\\r\\n" line end, a run of spaces, "e" + a combining accent, a word
    with an invisible character inside). Both sequences are non-decreasing; two ranges are
    either apart or the same (when NFC makes more than one character of a cluster).
    Characters that were dropped lie between the ranges, or inside one.
    """

    text: str
    # machine integers, not tuples of ints: 16 bytes a character instead of about 70,
    # which is most of a million-character document's memory besides its parse
    starts: Sequence[int]
    ends: Sequence[int]
    # the dateline left out of the shadow (``parse_copy``), in the original's offsets
    dateline: tuple[int, int] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span ``[start', end')`` that shadow span ``[start, end)`` came from."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}:{end} is outside the text (length {len(self.text)})")
        if start == end:
            at = self.starts[start] if start < len(self.starts) else self.ends[-1] if end else 0
            return at, at
        return self.starts[start], self.ends[end - 1]

    def without(self, spans: Sequence[tuple[int, int]]) -> Normalised:
        """This shadow with the characters of ``spans`` (shadow offsets) left out, and a
        whole line's line break with it; the map still points into the original."""
        keep = [True] * len(self.text)
        for start, end in spans:
            if end < len(self.text) and (start == 0 or self.text[start - 1] == "\n"):
                while end < len(self.text) and self.text[end] == "\n":
                    end += 1  # a line of its own goes with its line break
            keep[start:end] = [False] * (end - start)
        kept = [i for i, k in enumerate(keep) if k]
        return Normalised(
            "".join(self.text[i] for i in kept),
            array("q", (self.starts[i] for i in kept)),
            array("q", (self.ends[i] for i in kept)),
        )


class _Line(NamedTuple):
    text: str  # stripped, runs of spaces collapsed
    start: int  # the line in the character stream (its "\n" excluded)
    end: int
    content_start: int  # without the spaces at either end
    content_end: int


def normalise(text: str) -> Normalised:
    """The shadow copy of ``text`` that is parsed, with its map back to ``text``.

    Line ends become ``\\n``; odd spaces and tabs become spaces; control characters (but
    newlines) and format characters (zero widths, soft hyphens, byte order marks) go; NFC;
    a typographic apostrophe (’) inside a word or after a plural "s" becomes "'" (spaCy
    reads "forces’ efforts" as a quote, not a possessive; quotes are kept); runs of spaces
    collapse; lines are stripped; paragraphs are separated by exactly one blank line;
    inline "Read also: <headline>" lines (not the first line) are dropped. The trailing
    junk block is not cut here: ``as_read`` does that.
    """
    chars, starts, ends = _chars(text)
    pieces: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    previous: _Line | None = None
    blank = False
    for line in _lines(chars):
        if not line.text:
            blank = previous is not None
            continue
        if previous is not None:
            if _INLINE_LINK.match(line.text):
                continue
            for at in (previous.end, line.start - 1) if blank else (previous.end,):
                first, last = _line_break(text, starts[at])
                pieces.append("\n")
                out_starts.append(first)
                out_ends.append(last)
        pos = line.content_start
        for run in _SPACE_RUN.finditer(chars, pos, line.content_end):
            a, b = run.span()
            pieces.append(chars[pos:a])
            out_starts.extend(starts[pos:a])
            out_ends.extend(ends[pos:a])
            pieces.append(" ")
            out_starts.append(starts[a])
            out_ends.append(ends[b - 1])
            pos = b
        pieces.append(chars[pos : line.content_end])
        out_starts.extend(starts[pos : line.content_end])
        out_ends.extend(ends[pos : line.content_end])
        previous, blank = line, False
    return Normalised("".join(pieces), array("q", out_starts), array("q", out_ends))


def parse_copy(text: str) -> Normalised:
    """What spaCy parses of a document: its normalised shadow without datelines, bylines
    and agency credits ("KYIV, Jan 25 (Reuters) -", "By Jane Doe"), which are never actors.
    The dateline's span in ``text`` is kept (``Normalised.dateline``): it names a place."""
    shadow = normalise(text)
    parts = wire_parts(shadow.text)
    if not parts:
        return shadow
    dateline = next(
        (shadow.original_span(*span) for kind, span in parts if kind == "dateline"), None
    )
    return replace(shadow.without([span for _, span in parts]), dateline=dateline)


def as_read(raw: str) -> str:
    """The text of an article as read: ``raw`` without its trailing junk block, trimmed.

    The junk block starts at the first line (never the very first) that looks like "Read
    also:", "Related:", "Subscribe to ..." and lies in the last 15 lines or the last half
    of the text, judged on the normalised lines; this is repeated until nothing more is cut. Nothing
    else is removed or replaced: an inline "Read also: <headline>" line inside the body
    stays (``normalise`` drops it from what is parsed). A text with no visible character
    gives "".
    """
    text = raw.strip()
    while text:
        cut = _junk_cut(text)
        if cut >= len(text):
            break
        text = text[:cut].rstrip()
    return text


def clean_text(raw: str) -> str:
    """The normalised text that is parsed for ``raw``: ``normalise(as_read(raw)).text``.

    For matching and display only (titles, benchmarks); evidence offsets never point
    into it.
    """
    return normalise(as_read(raw)).text


def _chars(text: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """``text`` with its characters normalised (lines not yet tidied), and for each
    character the start and end of its source in ``text``."""
    chars = _ODD_SPACES.sub(" ", _LONE_BREAKS.sub("\n", text))
    # both steps replaced one character by one
    starts: Sequence[int] = range(len(chars))
    ends: Sequence[int] = range(1, len(chars) + 1)
    invisible = _invisible()
    # isprintable() is false for any control or format character (and a few others)
    if not chars.replace("\n", "").isprintable() and invisible.search(chars):
        kept: list[str] = []
        kept_starts: list[int] = []
        kept_ends: list[int] = []
        pos = 0
        for gone in invisible.finditer(chars):
            kept.append(chars[pos : gone.start()])
            kept_starts.extend(range(pos, gone.start()))
            kept_ends.extend(range(pos + 1, gone.start() + 1))
            pos = gone.end()
        kept.append(chars[pos:])
        kept_starts.extend(range(pos, len(chars)))
        kept_ends.extend(range(pos + 1, len(chars) + 1))
        chars, starts, ends = "".join(kept), kept_starts, kept_ends
    if not unicodedata.is_normalized("NFC", chars):
        chars, starts, ends = _nfc(chars, starts, ends)
    # after NFC and the invisible characters, so that "Cafe\u0301’s" and "Zelen\u00adskyy’s"
    # are words; one character by one
    if "’" in chars:
        chars = _APOSTROPHE.sub(_apostrophe, chars)
    return chars, starts, ends


def _nfc(
    chars: str, starts: Sequence[int], ends: Sequence[int]
) -> tuple[str, list[int], list[int]]:
    """NFC of ``chars``; each output character maps to the whole cluster it came from."""
    pieces: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    pos = 0
    for found in _NON_ASCII.finditer(chars):
        a, b = found.span()
        pieces.append(chars[pos:a])
        out_starts.extend(starts[pos:a])
        out_ends.extend(ends[pos:a])
        pos = b
        segment = found.group()
        if unicodedata.is_normalized("NFC", segment):
            pieces.append(segment)
            out_starts.extend(starts[a:b])
            out_ends.extend(ends[a:b])
            continue
        for c0, c1 in _clusters(segment):
            composed = unicodedata.normalize("NFC", segment[c0:c1])
            pieces.append(composed)
            out_starts.extend([starts[a + c0]] * len(composed))
            out_ends.extend([ends[a + c1 - 1]] * len(composed))
    pieces.append(chars[pos:])
    out_starts.extend(starts[pos:])
    out_ends.extend(ends[pos:])
    return "".join(pieces), out_starts, out_ends


def _clusters(segment: str) -> list[tuple[int, int]]:
    """Spans of ``segment`` that NFC can normalise one by one.

    A cluster is a character and the combining marks after it, merged with the next one
    when they compose (Hangul jamo, two-part vowel signs); if that still does not add up
    to the NFC of the whole, the whole segment is one cluster.
    """
    nfc = unicodedata.normalize
    bounds = [i for i, ch in enumerate(segment) if i == 0 or not unicodedata.combining(ch)]
    bounds.append(len(segment))
    clusters: list[tuple[int, int]] = []
    for c0, c1 in pairwise(bounds):
        if clusters:
            p0, p1 = clusters[-1]
            apart = nfc("NFC", segment[p0:p1]) + nfc("NFC", segment[c0:c1])
            if nfc("NFC", segment[p0:c1]) != apart:
                clusters[-1] = (p0, c1)
                continue
        clusters.append((c0, c1))
    joined = "".join(nfc("NFC", segment[c0:c1]) for c0, c1 in clusters)
    return clusters if joined == nfc("NFC", segment) else [(0, len(segment))]


@cache
def _invisible() -> re.Pattern[str]:
    """Control characters but the newline, and format characters (category Cf: zero
    widths, soft hyphen, byte order mark, bidirectional marks). Built once, on first use."""
    ranges: list[list[int]] = []
    # format characters live in planes 0, 1 and 14 (the others hold ideographs and private
    # use); scanning only those takes a sixth of the time
    for code in chain(range(0x20000), range(0xE0000, 0xF0000)):
        if unicodedata.category(chr(code)) == "Cf":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    cf = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return re.compile(f"[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f{cf}]+")


def _lines(chars: str) -> list[_Line]:
    """The lines of normalised characters, each with its tidied text and bounds."""
    out: list[_Line] = []
    start = 0
    for raw in chars.split("\n"):
        end = start + len(raw)
        content_start = end - len(raw.lstrip(" "))
        content_end = start + len(raw.rstrip(" "))
        if content_start >= content_end:
            out.append(_Line("", start, end, start, start))
        else:
            text = _SPACE_RUN.sub(" ", chars[content_start:content_end])
            out.append(_Line(text, start, end, content_start, content_end))
        start = end + 1
    return out


def _line_break(text: str, at: int) -> tuple[int, int]:
    """The line end at ``text[at]``, with the "\\r" before it if it is a "\\r\\n"."""
    if at > 0 and text[at] == "\n" and text[at - 1] == "\r":
        return at - 1, at + 1
    return at, at + 1


def _junk_cut(text: str) -> int:
    """Where ``text`` ends once its trailing junk block is cut: ``len(text)`` when there is
    none, 0 when nothing visible is left."""
    chars, starts, _ends = _chars(text)
    lines = _drop_junk(_tidy_lines(_lines(chars)))
    if not lines:
        return 0
    last = lines[-1].end
    return starts[last] if last < len(chars) else len(text)


def _tidy_lines(lines: list[_Line]) -> list[_Line]:
    """Drop leading and trailing empty lines and keep at most one empty line in a row."""
    out: list[_Line] = []
    for line in lines:
        if line.text or (out and out[-1].text):
            out.append(line)
    while out and not out[-1].text:
        out.pop()
    return out


def _cut_trailer_once(lines: list[_Line]) -> list[_Line]:
    """Cut at the first junk line that lies near the end, if there is one."""
    total = sum(len(line.text) + 1 for line in lines)
    offset = 0
    for index, line in enumerate(lines):
        if index > 0 and _JUNK_LINE.match(line.text):
            near_end = len(lines) - index <= _JUNK_MAX_TRAILING_LINES
            in_last_half = offset >= total / 2
            if near_end or in_last_half:
                return _tidy_lines(lines[:index])
        offset += len(line.text) + 1
    return lines


def _drop_junk(lines: list[_Line]) -> list[_Line]:
    """Cut the trailing junk block, then drop inline links to other stories.

    Repeated until stable: a cut can bring an earlier junk line near the end. The first
    line is never junk.
    """
    while True:
        cut = _cut_trailer_once(lines)
        cut = _tidy_lines(
            [line for i, line in enumerate(cut) if i == 0 or not _INLINE_LINK.match(line.text)]
        )
        if len(cut) == len(lines):
            return lines
        lines = cut


# The dates a document may carry (README, "Command line"): news from 1800-01-01 on, and
# never more than a year after today (a typo such as 2204 for 2024, or 9999-12-31 used as
# "no date"). The upper end moves with the calendar, so it is computed on each call.
EARLIEST_DOCUMENT_DATE = date(1800, 1, 1)
LATEST_DOCUMENT_YEARS_AHEAD = 1


def latest_document_date(today: date | None = None) -> date:
    """The last date a document may carry: one year after ``today`` (default: today)."""
    today = today or date.today()
    if (today.month, today.day) == (2, 29):  # no twin a year on: take the 28th
        today = today.replace(day=28)
    return today.replace(year=today.year + LATEST_DOCUMENT_YEARS_AHEAD)


def check_document_date(day: date) -> date:
    """``day`` if a document may carry it; else ``InputError`` (without a location)
    naming the range, e.g. "date 9999-12-31 is outside 1800-01-01..2027-12-04"."""
    latest = latest_document_date()
    if not EARLIEST_DOCUMENT_DATE <= day <= latest:
        raise InputError(
            f"date {day.isoformat()} is outside "
            f"{EARLIEST_DOCUMENT_DATE.isoformat()}..{latest.isoformat()}"
        )
    return day


def parse_day(value: str, *, document: bool = True) -> date:
    """Parse ``YYYY-MM-DD`` strictly; raise ``InputError`` (without a location) if invalid.

    A ``document`` date must also lie in the range of :func:`check_document_date`.
    """
    if not _ISO_DAY.match(value):
        raise InputError(f"invalid date {value!r}: expected YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"invalid date {value!r}: {exc}") from None
    return check_document_date(day) if document else day


def split_seed_date(raw: str) -> tuple[date | None, str]:
    """Split the seed format's optional ``date YYYY-MM-DD`` first token from the text.

    Returns ``(date, rest)``; ``(None, raw)`` when there is no prefix. A prefix that looks
    like a date but is not a valid ``YYYY-MM-DD`` day raises ``InputError``.
    """
    match = _SEED_DATE.match(raw.lstrip(_LEADING_INVISIBLES))
    if match is None:
        return None, raw
    day = parse_day(match.group(1))
    rest = raw.lstrip(_LEADING_INVISIBLES)[match.end() :]
    return day, rest
