"""Datelines, bylines and agency credits: words of the wire, not of the story.

"KYIV, Jan 25 (Reuters) -", "WASHINGTON (AP) —", "By Jane Doe, Reuters" and "Reporting
by ...; Editing by ..." name places, agencies and reporters that are never the source or
target of an event. :func:`wire_spans` finds them so that the text spaCy parses leaves them
out; the document text itself keeps them (evidence offsets point into it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY_MONTH = rf"(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})(?:,?\s+\d{{4}})?"
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
# A place written in capitals ("KYIV", "NEW YORK", "PORT-AU-PRINCE"), or in title case when
# an agency in brackets follows ("Kyiv (Reuters) -"); a dash always ends a dateline, so
# "The International Labour Office (ILO) said" and "UNICEF (the UN agency) said" are none.
_CAPS_PLACE = r"[A-Z][A-Z.'\u2019-]+(?:[ ][A-Z][A-Z.'\u2019-]+){0,3}"
# Alone (no date, no agency) a place needs four letters or more: "US - China talks" is none.
_CAPS_PLACE_ALONE = r"[A-Z]{2}[A-Z.'\u2019-]{2,}(?:[ ][A-Z][A-Z.'\u2019-]+){0,3}"
_TITLE_PLACE = r"[A-Z][a-z.'\u2019-]+(?:[ ][A-Z][a-z.'\u2019-]+){0,3}"
# "Cote d'Ivoire", "Bosnia and Herzegovina", "Republic of the Congo"
_REGION_WORD = r"(?:d['\u2019]|(?:of|and|de|del|da|do)[ ](?:the[ ])?)?[A-Z][\w.'\u2019-]*"
_REGION = rf"(?:,[ ]?[A-Z][\w.'\u2019-]*(?:[ ]{_REGION_WORD}){{0,3}})"
_AGENCY = r"(?:\(\s*[A-Za-z][\w .&'/-]{0,40}\)|/\s*[A-Za-z][\w .&'-]{0,20}\s*/)"
# a hyphen only between spaces ("US-China talks" is no dateline); en and em dashes as they come
_DASH = r"(?:\s+[-\u2010-\u2012]+\s+|\s*[\u2013-\u2015]\s*|(?<=/)\.\s+)"
# after a place alone: any dash between spaces, or an em dash ("WASHINGTON—President"), not
# the en dash of "US\u2013China"
_DASH_ALONE = r"(?:\s+[-\u2010-\u2015]+\s+|\s*[\u2014\u2015]\s*)"
_WHEN = rf"(?:,?\s+(?:{_DAY_MONTH}|{_WEEKDAY}))"

# after a date a colon ends a dateline too ("Accra, Ghana, Nov 5: Thousands marched")
_DATED_END = rf"(?:{_DASH}|\s*:\s+)"

_DATELINE = re.compile(
    rf"""^(?:
        {_CAPS_PLACE}{_REGION}{{0,2}}(?:{_WHEN}\s*{_AGENCY}?{_DATED_END}|\s*{_AGENCY}{_DASH})
      | {_CAPS_PLACE_ALONE}{_REGION}{{0,2}}{_DASH_ALONE}
      | {_TITLE_PLACE}{_REGION}{{0,2}}{_WHEN}?\s*{_AGENCY}{_DASH}
      | (?!(?:On|In|At|By|The|From|Since|Until|After|Before|Last|This|Next)\b)
        {_TITLE_PLACE}{_REGION}{{0,2}}{_WHEN}\s*{_AGENCY}?{_DATED_END}
      | {_AGENCY}{_DASH}
    )""",
    re.VERBOSE,
)
# "By Jane Doe", "By Jane Doe and John Roe, Reuters", "By JANE DOE | AP": a short line of
# capitalised names only ("By Monday, Russian troops had ..." is a sentence).
_BYLINE = re.compile(
    r"^(?i:by)\s+[A-Z][\w.'\u2019-]*(?:[ ,|&]+(?:and\s+)?[A-Z][\w.'\u2019-]*){0,8}\s*$"
)
# "Reporting by Jane Doe; Editing by ...", "Additional reporting by ...", "(Writing by ...)":
# a person's name follows ("Reporting by the BBC showed ..." is a sentence).
_CREDIT = re.compile(
    r"^[(\[]?\s*(?i:additional\s+)?(?i:reporting|writing|editing|compiled|produced)\s+by\s+"
    r"[A-Z][\w'\u2019-]+\s+[A-Z].*$"
)
_MAX_BYLINE = 80
_MIN_BODY_AFTER_DATELINE = 10


def wire_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` that are datelines, bylines or agency credits.

    A byline is a short line of its own among the first lines; a dateline starts the first
    paragraph of the story (after a headline or byline) and is followed by the story's words;
    credit lines ("Reporting by ...") may stand anywhere.
    """
    return [span for _kind, span in wire_parts(text)]


def dateline_span(text: str) -> tuple[int, int] | None:
    """The span of the story's dateline ("KYIV, Jan 25 (Reuters) -"), if it has one."""
    return next((span for kind, span in wire_parts(text) if kind == "dateline"), None)


def wire_parts(text: str) -> list[tuple[str, tuple[int, int]]]:
    """(kind, span) of each credit, byline and dateline of ``text``, in order."""
    return list(_wire_parts(text))


def _wire_parts(text: str) -> Iterator[tuple[str, tuple[int, int]]]:
    offset = 0
    body_started = False
    for index, line in enumerate(text.split("\n")):
        start = offset
        offset += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = start + len(line) - len(line.lstrip())
        end = lead + len(stripped)
        if _CREDIT.match(stripped):
            yield "credit", (lead, end)
            continue
        if body_started or index > 6:
            continue
        if len(stripped) <= _MAX_BYLINE and _BYLINE.match(stripped):
            yield "byline", (lead, end)
            continue
        dateline = _DATELINE.match(stripped)
        if dateline and len(stripped) - dateline.end() >= _MIN_BODY_AFTER_DATELINE:
            yield "dateline", (lead, lead + dateline.end())
            body_started = True
            continue
        # a headline without a full stop may come first; the body starts at a sentence
        body_started = stripped.endswith((".", '"', "\u201d")) or len(stripped) > 120
