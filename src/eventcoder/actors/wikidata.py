"""Import people and their dated positions from Wikidata into a user ``people.tsv``.

``eventcoder kb import-wikidata FILE [--out DIR]`` reads FILE in one of two formats,
told apart by its content:

1. A SPARQL query result in the W3C SPARQL 1.1 JSON results format (the "JSON"
   download of https://query.wikidata.org). Variables: ``person`` (entity URI),
   ``personLabel``, ``position``, ``positionLabel``, and optionally ``start``, ``end``
   (xsd:dateTime), ``country`` (ISO 3166-1 alpha-3 of the position's country) and
   ``personAltLabel`` (aliases, comma-separated). This query produces it (people who
   held positions of Ukraine and Poland; change the ``VALUES`` line to the countries
   wanted)::

       SELECT ?person ?personLabel ?personAltLabel ?position ?positionLabel
              ?start ?end ?country WHERE {
         VALUES ?countryItem { wd:Q212 wd:Q36 }      # Ukraine, Poland
         ?position wdt:P17 ?countryItem .            # the position's country ...
         ?countryItem wdt:P298 ?country .            # ... and its ISO alpha-3 code
         ?person p:P39 ?held .                       # position held
         ?held ps:P39 ?position .
         FILTER NOT EXISTS { ?held wikibase:rank wikibase:DeprecatedRank }
         OPTIONAL { ?held pq:P580 ?start }           # start time
         OPTIONAL { ?held pq:P582 ?end }             # end time
         SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
       }

2. A Wikidata JSON entity dump (optionally ``.gz`` or ``.bz2`` compressed): the full
   dump format (a JSON array with one entity per line, lines ending in ``,``) or JSON
   lines (one entity per line), e.g. a dump filtered to people with P39 plus the
   position and country items they refer to. People are items with P39 (position
   held) claims, qualified by P580 (start time) and P582 (end time); a position's
   country is its P17 item, whose P298 gives the ISO alpha-3 code. The file is read
   twice, line by line: the first pass keeps the people's spells and the countries'
   codes, the second the labels and countries of the positions the people held.

Each spell becomes a ``people.tsv`` row: ``person_id`` ``wd-Q…``, the English label
and aliases, the country, a sector inferred from the position's label with the KB's
agent nouns, the position label as role, and start/end dates (year precision becomes
YYYY-01-01, month precision YYYY-MM-01). Spells whose country or sector cannot be
found, with neither start nor end date, or with an end whose date is unknown (the
person left office, but when is not known) are skipped with a warning.
"""

from __future__ import annotations

import bz2
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from eventcoder.actors.kb import SECTORS, KnowledgeBase, normalise_name
from eventcoder.errors import DataError, InputError
from eventcoder.tsv import tsv_header, tsv_rows

PEOPLE_COLUMNS = ("person_id", "name", "aliases", "country", "sector", "role", "start", "end")
ENTITY_PREFIX = "http://www.wikidata.org/entity/"

# Title words that mark an executive office when no agent noun of the KB matches.
_GOV_WORDS = (
    "president", "prime minister", "minister", "chancellor", "king", "queen", "emir", "governor",
)  # fmt: skip

_QID = re.compile(r"Q[1-9][0-9]*")
_ISO3 = re.compile(r"[A-Z]{3}")
_WIKIBASE_TIME = re.compile(r"([+-])(\d{1,16})-(\d\d)-(\d\d)T")
_WORD = re.compile(r"[\w']+")

# warning reasons (the text before the first ": " of each warning)
NO_COUNTRY = "no country"
NO_SECTOR = "no sector"
NO_LABEL = "no English label"
NO_DATES = "no dates"
NO_END = "unknown end date"
BAD_DATES = "end before start"
NO_POSITION = "unknown position"


@dataclass(frozen=True)
class RoleSpellRow:
    """One person's spell in one position, as a ``people.tsv`` row."""

    person_id: str
    name: str
    aliases: tuple[str, ...]
    country: str
    sector: str
    role: str
    start: date | None
    end: date | None

    def cells(self) -> dict[str, str]:
        return {
            "person_id": self.person_id,
            "name": self.name,
            "aliases": "|".join(self.aliases),
            "country": self.country,
            "sector": self.sector,
            "role": self.role,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
        }


@dataclass(frozen=True)
class _RawSpell:
    """What the source says about one spell, before country and sector are inferred."""

    qid: str
    name: str
    aliases: tuple[str, ...]
    position: str  # Q-id, "" when unknown
    position_label: str
    country: str | None  # ISO alpha-3 when the source gives it
    start: date | None
    end: date | None
    end_unknown: bool = False  # an end is stated but its date is unknown or too vague


# ---------------------------------------------------------------------------
# public API


def read_wikidata(path: Path, kb: KnowledgeBase) -> tuple[list[RoleSpellRow], list[str]]:
    """The spells in a SPARQL JSON result or an entity dump, and one warning per skipped
    spell (``"<reason>: <entity> ..."``)."""
    where = str(path)
    if not path.is_file():
        raise InputError("file not found", where)
    if _looks_like_sparql(path):
        raws: Iterable[_RawSpell] = _read_sparql(path)
    else:
        raws = _read_dump(path)
    rows: list[RoleSpellRow] = []
    warnings: list[str] = []
    seen: set[tuple[str, str, date | None]] = set()
    for raw in raws:
        row = _to_row(raw, kb, warnings)
        if row is None:
            continue
        key = (row.person_id, row.role, row.start)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows, warnings


def write_people_tsv(rows: Sequence[RoleSpellRow], out_dir: Path) -> tuple[Path, int]:
    """Add ``rows`` to ``out_dir/people.tsv`` (created with a header when missing).

    Existing rows are kept as they are; a row whose (person_id, role, start) is already
    in the file is not added again. Returns the path and the number of rows added.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "people.tsv"
    header: list[str] | None = None
    have: set[tuple[str, str, str]] = set()
    ends_with_newline = True
    if path.exists():
        text = path.read_text(encoding="utf-8")
        ends_with_newline = text == "" or text.endswith("\n")
        header, have = _existing_keys(text, str(path))
    lines: list[str] = []
    if header is None:
        header = list(PEOPLE_COLUMNS)
        lines.append("\t".join(header))
    added = 0
    for row in rows:
        cells = row.cells()
        key = (cells["person_id"], cells["role"], cells["start"])
        if key in have:
            continue
        have.add(key)
        lines.append("\t".join(cells.get(column, "") for column in header))
        added += 1
    if lines:
        with path.open("a", encoding="utf-8", newline="") as fh:
            if not ends_with_newline:
                fh.write("\n")
            fh.write("\n".join(lines) + "\n")
    return path, added


def summarise_warnings(warnings: Sequence[str]) -> list[str]:
    """``"N <reason>"`` per warning reason, most frequent first."""
    counts = Counter(w.split(": ", 1)[0] for w in warnings)
    return [f"{n} {reason}" for reason, n in counts.most_common()]


# ---------------------------------------------------------------------------
# country and sector


def infer_sector(label: str, kb: KnowledgeBase) -> str | None:
    """The sector of a position from its label.

    The longest agent phrase of the KB starting at the label's first word (the head of
    the title: "Minister of Internal Affairs" is a minister) wins; otherwise the longest
    anywhere in the label ("Deputy Prime Minister"); otherwise GOV for executive titles.
    """
    words = _WORD.findall(normalise_name(label))
    best: tuple[int, int, str] | None = None  # (-length, position, sector)
    for i in range(len(words)):
        for n in range(min(kb.max_agent_words, len(words) - i), 0, -1):
            agent = kb.agent(" ".join(words[i : i + n]))
            if agent is None:
                continue
            if i == 0:
                return agent.sector
            if best is None or (-n, i) < best[:2]:
                best = (-n, i, agent.sector)
            break
    if best is not None:
        return best[2]
    text = " " + " ".join(words) + " "
    if any(f" {word} " in text for word in _GOV_WORDS):
        return "GOV"
    return None


def infer_country(label: str, kb: KnowledgeBase, day: date | None) -> str | None:
    """The first country named (or adjective used) in a position label, via the KB."""
    words = _WORD.findall(normalise_name(label))
    longest = 6
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            entries = [
                e
                for e in kb.lookup(" ".join(words[i : i + n]))
                if e.kind in ("country", "adjective")
            ]
            if entries:
                spells = [(e.spell_on(day) if day else None) or e.first_spell() for e in entries]
                valid = [s for s in spells if day is None or s.holds_on(day)]
                return (valid or spells)[0].country
        i += 1
    return None


def _to_row(raw: _RawSpell, kb: KnowledgeBase, warnings: list[str]) -> RoleSpellRow | None:
    who = f"{raw.qid} ({raw.name})"
    if not raw.position or not raw.position_label:
        warnings.append(f"{NO_POSITION}: {who}, position {raw.position or '?'}")
        return None
    if _QID.fullmatch(raw.name):
        warnings.append(f"{NO_LABEL}: {raw.qid}, holding '{raw.position_label}'")
        return None
    if _QID.fullmatch(raw.position_label):
        warnings.append(f"{NO_LABEL}: position {raw.position_label} held by {who}")
        return None
    if raw.end_unknown:
        warnings.append(f"{NO_END}: {who} as '{raw.position_label}'")
        return None
    if raw.start is None and raw.end is None:
        warnings.append(f"{NO_DATES}: {who} as '{raw.position_label}'")
        return None
    if raw.start and raw.end and raw.end < raw.start:
        warnings.append(f"{BAD_DATES}: {who} as '{raw.position_label}' {raw.start}–{raw.end}")
        return None
    sector = infer_sector(raw.position_label, kb)
    if sector is None or sector not in SECTORS:
        warnings.append(f"{NO_SECTOR}: {who} as '{raw.position_label}'")
        return None
    country = raw.country or infer_country(raw.position_label, kb, raw.start or raw.end)
    if country is None:
        warnings.append(f"{NO_COUNTRY}: {who} as '{raw.position_label}' ({raw.position})")
        return None
    return RoleSpellRow(
        person_id=f"wd-{raw.qid}",
        name=_clean(raw.name),
        aliases=raw.aliases,
        country=country,
        sector=sector,
        role=_clean(raw.position_label),
        start=raw.start,
        end=raw.end,
    )


def _clean(value: str) -> str:
    """A cell value: no tabs, pipes or line breaks."""
    return " ".join(value.replace("|", " ").split())


def _aliases(name: str, values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    seen = {normalise_name(name)}
    for value in values:
        alias = _clean(value)
        key = normalise_name(alias)
        if alias and key not in seen:
            seen.add(key)
            out.append(alias)
    return tuple(out)


def _iso3(value: object) -> str | None:
    if isinstance(value, str) and _ISO3.fullmatch(value.strip()):
        return value.strip()
    return None


# ---------------------------------------------------------------------------
# dates


def _wikibase_date(value: object) -> date | None:
    """A Wikibase time value ({"time": "+2019-05-20T00:00:00Z", "precision": 11}) as a
    date; year precision gives 1 January, month precision the 1st. Coarser precisions,
    dates before year 1 and impossible dates give None."""
    if not isinstance(value, dict):
        return None
    match = _WIKIBASE_TIME.match(str(value.get("time", "")))
    precision = value.get("precision", 11)
    if match is None or not isinstance(precision, int) or precision < 9:
        return None
    sign, year, month, day = match[1], int(match[2]), int(match[3]), int(match[4])
    if sign == "-" or not 1 <= year <= 9999:
        return None
    if precision == 9:
        month, day = 1, 1
    elif precision == 10:
        day = 1
    try:
        return date(year, max(month, 1), max(day, 1))
    except ValueError:
        return None


def _xsd_date(binding: object) -> date | None:
    """An xsd:dateTime literal ("2019-05-20T00:00:00Z") as a date; unknown values
    (blank nodes, genid URIs) and dates BCE give None."""
    if not isinstance(binding, dict) or binding.get("type") not in ("literal", "typed-literal"):
        return None
    text = str(binding.get("value", "")).strip()
    match = re.match(r"(\d{4})-(\d\d)-(\d\d)", text)
    if match is None:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day if day.year >= 1 else None


# ---------------------------------------------------------------------------
# SPARQL JSON results


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    if path.suffix == ".bz2":
        return bz2.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _looks_like_sparql(path: Path) -> bool:
    """A SPARQL result is one JSON object with "head" (usually spread over many lines);
    a dump starts with "[" or with a whole entity object on its first line."""
    try:
        with _open_text(path) as fh:
            first = ""
            for line in fh:
                if line.strip():
                    first = line.strip()
                    break
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", str(path)) from exc
    if not first:
        raise InputError("empty file", str(path))
    if not first.startswith("{"):
        return False
    try:
        obj = json.loads(first.rstrip(","))
    except json.JSONDecodeError:
        return True  # an object spread over several lines
    return isinstance(obj, dict) and "head" in obj


def _read_sparql(path: Path) -> Iterator[_RawSpell]:
    where = str(path)
    try:
        with _open_text(path) as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        raise DataError(f"invalid JSON: {exc.msg} (column {exc.colno})", where, exc.lineno) from exc
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", where) from exc
    head = data.get("head") if isinstance(data, dict) else None
    results = data.get("results") if isinstance(data, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(head, dict) or not isinstance(bindings, list):
        raise DataError("not a SPARQL JSON result (no head and results.bindings)", where)
    variables = head.get("vars", [])
    required = ("person", "personLabel", "position", "positionLabel")
    missing = [v for v in required if v not in variables]
    if missing:
        raise DataError(
            f"SPARQL result lacks the variable(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, variables))})",
            where,
        )
    for number, binding in enumerate(bindings, start=1):
        if not isinstance(binding, dict):
            raise DataError(f"binding {number} is not an object", where)

        def value(var: str, b: dict[str, object] = binding) -> str:
            cell = b.get(var)
            return str(cell.get("value", "")).strip() if isinstance(cell, dict) else ""

        qid = _entity_id(value("person"))
        if qid is None:
            raise DataError(
                f"binding {number}: 'person' is not a Wikidata entity URI: {value('person')!r}",
                where,
            )
        name = value("personLabel") or qid
        aliases = value("personAltLabel").split(",")
        end = _xsd_date(binding.get("end"))
        yield _RawSpell(
            qid=qid,
            name=name,
            aliases=_aliases(name, aliases),
            position=_entity_id(value("position")) or "",
            position_label=value("positionLabel"),
            country=_iso3(value("country")),
            start=_xsd_date(binding.get("start")),
            end=end,
            end_unknown=end is None and "end" in binding,
        )


def _entity_id(uri: str) -> str | None:
    qid = uri.removeprefix(ENTITY_PREFIX)
    return qid if _QID.fullmatch(qid) else None


# ---------------------------------------------------------------------------
# entity dumps


def _entities(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """(line number, entity) for each entity of a dump or JSON lines file."""
    where = str(path)
    try:
        with _open_text(path) as fh:
            for line_no, line in enumerate(fh, start=1):
                text = line.strip()
                if not text or text in ("[", "]"):
                    continue
                text = text.removesuffix(",")
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise DataError(
                        f"invalid JSON entity: {exc.msg} (column {exc.colno})", where, line_no
                    ) from exc
                items = obj if isinstance(obj, list) else [obj]  # a one-line array
                for item in items:
                    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                        raise DataError("not a Wikidata entity (no 'id')", where, line_no)
                    yield line_no, item
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", where) from exc


def _label(entity: dict[str, object]) -> str:
    labels = entity.get("labels")
    label = labels.get("en") if isinstance(labels, dict) else None
    return str(label.get("value", "")).strip() if isinstance(label, dict) else ""


def _claims(entity: dict[str, object], prop: str) -> list[dict[str, object]]:
    """The non-deprecated statements of ``prop``, preferred ones first."""
    claims = entity.get("claims")
    found = claims.get(prop) if isinstance(claims, dict) else None
    if not isinstance(found, list):
        return []
    kept = [c for c in found if isinstance(c, dict) and c.get("rank") != "deprecated"]
    return sorted(kept, key=lambda c: c.get("rank") != "preferred")


def _snak_value(snak: object) -> object:
    if not isinstance(snak, dict) or snak.get("snaktype", "value") != "value":
        return None
    datavalue = snak.get("datavalue")
    return datavalue.get("value") if isinstance(datavalue, dict) else None


def _item_id(value: object) -> str | None:
    if isinstance(value, dict):
        qid = value.get("id") or (
            f"Q{value['numeric-id']}" if isinstance(value.get("numeric-id"), int) else None
        )
        return qid if isinstance(qid, str) and _QID.fullmatch(qid) else None
    return None


def _qualifier_date(claim: dict[str, object], prop: str) -> tuple[date | None, bool]:
    """The date of a P580/P582 qualifier, and whether one is stated without a usable
    date (unknown value, precision coarser than a year)."""
    qualifiers = claim.get("qualifiers")
    snaks = qualifiers.get(prop) if isinstance(qualifiers, dict) else None
    if not isinstance(snaks, list) or not snaks:
        return None, False
    for snak in snaks:
        day = _wikibase_date(_snak_value(snak))
        if day is not None:
            return day, False
    return None, True


@dataclass(frozen=True)
class _Held:
    position: str
    start: date | None
    end: date | None
    end_unknown: bool


def _read_dump(path: Path) -> Iterator[_RawSpell]:
    # pass 1: people (items with P39) and their spells; countries' ISO codes
    people: list[tuple[str, str, tuple[str, ...], list[_Held]]] = []
    countries: dict[str, str] = {}
    wanted: set[str] = set()
    for _, entity in _entities(path):
        qid = str(entity["id"])
        for claim in _claims(entity, "P298"):
            code = _iso3(_snak_value(claim.get("mainsnak")))
            if code is not None:
                countries.setdefault(qid, code)
        held: list[_Held] = []
        for claim in _claims(entity, "P39"):
            position = _item_id(_snak_value(claim.get("mainsnak"))) or ""
            if position:
                wanted.add(position)
            start, _ = _qualifier_date(claim, "P580")
            end, end_unknown = _qualifier_date(claim, "P582")
            held.append(_Held(position, start, end, end_unknown))
        if held:
            name = _label(entity) or qid
            aliases_cell = entity.get("aliases")
            en = aliases_cell.get("en") if isinstance(aliases_cell, dict) else None
            alias_values = [
                str(a.get("value", ""))
                for a in (en if isinstance(en, list) else [])
                if isinstance(a, dict)
            ]
            people.append((qid, name, _aliases(name, alias_values), held))
    # pass 2: the positions held: label and country (P17)
    positions: dict[str, tuple[str, list[str]]] = {}
    for _, entity in _entities(path):
        qid = str(entity["id"])
        if qid in wanted and qid not in positions:
            found = [_item_id(_snak_value(c.get("mainsnak"))) for c in _claims(entity, "P17")]
            positions[qid] = (_label(entity), [c for c in found if c is not None])
    for qid, name, aliases, held in people:
        for spell in held:
            label, country_items = positions.get(spell.position, ("", []))
            codes = [countries[c] for c in country_items if c in countries]
            yield _RawSpell(
                qid=qid,
                name=name,
                aliases=aliases,
                position=spell.position,
                position_label=label,
                country=codes[0] if codes else None,
                start=spell.start,
                end=spell.end,
                end_unknown=spell.end_unknown,
            )


# ---------------------------------------------------------------------------
# the existing people.tsv


def _existing_keys(text: str, where: str) -> tuple[list[str] | None, set[tuple[str, str, str]]]:
    """The header of an existing people.tsv and the (person_id, role, start) of its rows."""
    keys = {
        (cells["person_id"], cells["role"], cells["start"])
        for _, cells in tsv_rows(text, where, PEOPLE_COLUMNS)
    }
    return tsv_header(text), keys
