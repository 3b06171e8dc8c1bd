"""Text cleaning for scraped news articles, and the seed format's date prefix.

``clean_text`` is deterministic and idempotent: ``clean_text(clean_text(x)) == clean_text(x)``.
Event evidence offsets point into its output, so its rules must not change lightly.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from eventcoder.errors import InputError

# Characters that look like a space: no-break, en/em and other typographic spaces.
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Line and paragraph separators that should act as line breaks.
_LINE_BREAKS = re.compile("\r\n|[\r\u0085\u2028\u2029\u000b\u000c]")
_HSPACE_RUN = re.compile(r"[ \t]+")
# A typographic apostrophe: "Russia’s", "don’t", "the forces’ efforts".
_APOSTROPHE = re.compile(r"(?<=\w)’(?=\w)|(?<=\ws)’(?=[\s,.;:])")


def _apostrophe(match: re.Match[str]) -> str:
    """ "'" unless the mark closes a ‘single quote’ opened earlier on the same line."""
    text, at = match.string, match.start()
    if text[at + 1 : at + 2].isalnum():
        return "'"  # inside a word: "Russia’s", "don’t"
    opened = 0
    for i in range(text.rfind("\n", 0, at) + 1, at):
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
# A link to another story inside the body ("Read also: Poland sends tanks"): the line goes.
_INLINE_LINK = re.compile(
    r"^(?:read\ also|also\ read|read\ more|see\ also)\s*[:：]\s*\S.*$", re.IGNORECASE
)
# Junk can start this many lines from the end, or anywhere in the last half of the text.
_JUNK_MAX_TRAILING_LINES = 15

_SEED_DATE = re.compile(r"^\s*date[ \t]+(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?=\s|$)")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Invisible characters that may precede the seed prefix (byte order mark, zero widths).
_LEADING_INVISIBLES = "\ufeff\u200b\u200c\u200d\u2060"


def _drop_invisible(text: str) -> str:
    """Remove control characters (but not newlines; tabs become spaces) and format chars."""
    out: list[str] = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def _tidy_lines(lines: list[str]) -> list[str]:
    """Drop leading and trailing empty lines and keep at most one empty line in a row."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def _cut_trailer_once(lines: list[str]) -> list[str]:
    """Cut at the first junk line that lies near the end, if there is one."""
    total = sum(len(line) + 1 for line in lines)
    offset = 0
    for index, line in enumerate(lines):
        if index > 0 and _JUNK_LINE.match(line):
            near_end = len(lines) - index <= _JUNK_MAX_TRAILING_LINES
            in_last_half = offset >= total / 2
            if near_end or in_last_half:
                return _tidy_lines(lines[:index])
        offset += len(line) + 1
    return lines


def _drop_junk(lines: list[str]) -> list[str]:
    """Cut the trailing junk block, then drop inline links to other stories.

    Repeated until stable, so that cleaning is idempotent. The first line is never junk.
    """
    while True:
        cut = _cut_trailer_once(lines)
        cut = _tidy_lines(
            [line for i, line in enumerate(cut) if i == 0 or not _INLINE_LINK.match(line)]
        )
        if cut == lines:
            return lines
        lines = cut


def clean_text(raw: str) -> str:
    """Normalise a scraped article into the text that events are coded from.

    NFC normalisation; odd spaces become spaces; zero-width, format and control characters
    go (newlines stay); line endings become ``\\n``; a trailing junk block ("Read also:",
    "Related:", "Subscribe to ...") is cut and inline "Read also: <headline>" lines are
    dropped; runs of spaces collapse; lines are stripped;
    paragraphs are separated by exactly one blank line. Quotes are kept; a typographic
    apostrophe (’) inside a word or after a plural "s" becomes "'", because spaCy reads
    "forces’ efforts" as a quote, not a possessive.
    """
    text = _LINE_BREAKS.sub("\n", raw)
    text = _APOSTROPHE.sub(_apostrophe, text)
    text = _ODD_SPACES.sub(" ", text)
    text = unicodedata.normalize("NFC", _drop_invisible(text))
    lines = _tidy_lines([_HSPACE_RUN.sub(" ", line).strip() for line in text.split("\n")])
    return "\n".join(_drop_junk(lines))


def parse_day(value: str) -> date:
    """Parse ``YYYY-MM-DD`` strictly; raise ``InputError`` (without a location) if invalid."""
    if not _ISO_DAY.match(value):
        raise InputError(f"invalid date {value!r}: expected YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"invalid date {value!r}: {exc}") from None


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
