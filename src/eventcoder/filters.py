"""Check an event filter before it runs: a mistyped value is an error with a suggestion.

``--type CONSLT``, ``--country Ukraine`` or ``--min-confidence 2`` would otherwise return no
events and look like an empty result. :func:`check_filter` knows the PLOVER types and CAMEO
codes (from the ontology), the country codes of the actor knowledge base (and the names that
go with them) and the ranges of the numbers, and says what was probably meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from functools import lru_cache
from importlib import resources

from eventcoder.actors.kb import normalise_name
from eventcoder.errors import UsageError
from eventcoder.ontology import load_ontology
from eventcoder.store.queries import Near
from eventcoder.store.store import EventFilter
from eventcoder.tsv import tsv_rows

# Country parts that are no country: organisations and the unknown country.
_OTHER_COUNTRIES = ("IGO", "NGO", "---")
_CODE = re.compile(r"^(?:[A-Z]{3}|---)[A-Z]{0,6}$")


@dataclass(frozen=True)
class Vocabulary:
    """What a filter value may be."""

    plover_types: frozenset[str]
    cameo_codes: frozenset[str]
    countries: frozenset[str]
    country_by_name: Mapping[str, str]  # normalised name, alias or adjective -> code


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    ontology = load_ontology()
    text = (resources.files("eventcoder.actors") / "data" / "countries.tsv").read_text("utf-8")
    codes: set[str] = set(_OTHER_COUNTRIES)
    by_name: dict[str, str] = {}
    for _, row in tsv_rows(text, "countries.tsv", ("code", "name")):
        code = row["code"].strip().upper()
        codes.add(code)
        names = [row["name"], *_cells(row.get("aliases", "")), *_cells(row.get("adjectives", ""))]
        for name in names:
            by_name.setdefault(normalise_name(name), code)
    return Vocabulary(
        plover_types=frozenset(ontology.plover_types) | frozenset(ontology.plover_aliases),
        cameo_codes=frozenset(ontology.cameo_codes),
        countries=frozenset(codes),
        country_by_name=by_name,
    )


# How each filter field is named where the user typed it: the command line's options, or the
# parameters of ``EventStore.events`` and the REST API's query.
CLI_NAMES: Mapping[str, str] = {
    "event_type": "--type",
    "cameo": "--cameo",
    "country": "--country",
    "source": "--source",
    "target": "--target",
    "min_confidence": "--min-confidence",
    "since": "--since",
    "until": "--until",
    "location_country": "--location-country",
    "near": "--near",
}
PARAMETER_NAMES: Mapping[str, str] = {
    field: option.removeprefix("--").replace("-", "_") for field, option in CLI_NAMES.items()
}


def check_filter(flt: EventFilter, names: Mapping[str, str] = CLI_NAMES) -> None:
    """Raise :class:`UsageError` naming the option and a likely fix if a value cannot match.

    ``names`` says how the fields are called in the messages: the command line's options
    (``--type``) by default, or :data:`PARAMETER_NAMES` (``type``) for the Python and REST
    APIs.
    """
    words = vocabulary()
    if flt.event_type is not None and flt.event_type.strip().upper() not in words.plover_types:
        raise UsageError(
            f"{names['event_type']} {flt.event_type!r} is not a PLOVER event type"
            + _suggest(flt.event_type.upper(), sorted(words.plover_types))
        )
    if flt.cameo is not None:
        cameo = flt.cameo.strip()
        if not cameo.isdigit() or not any(c.startswith(cameo) for c in words.cameo_codes):
            raise UsageError(
                f"{names['cameo']} {flt.cameo!r} is not a CAMEO code or the start of one "
                "(two to four digits: 04, 041, 0841)"
            )
    if flt.country is not None:
        _check_country(names["country"], flt.country, words, whole=True)
    if flt.location_country is not None:
        _check_country(names["location_country"], flt.location_country, words, whole=True)
    for option, value in ((names["source"], flt.source), (names["target"], flt.target)):
        if value is not None:
            _check_country(option, value, words, whole=False)
    if flt.min_confidence is not None and not 0.0 <= flt.min_confidence <= 1.0:
        raise UsageError(f"{names['min_confidence']} {flt.min_confidence} is not between 0 and 1")
    if flt.since is not None and flt.until is not None and flt.since > flt.until:
        raise UsageError(
            f"{names['since']} {flt.since} is after {names['until']} {flt.until}: no event fits"
        )


def parse_near(value: str, option: str = "--near") -> Near:
    """``"50.45,30.52,100"``: within 100 km of 50.45 N, 30.52 E."""
    parts = [p.strip() for p in value.split(",")]
    try:
        lat, lon, km = (float(p) for p in parts)
        return Near(lat, lon, km)
    except ValueError as exc:
        why = str(exc) if len(parts) == 3 and "could not convert" not in str(exc) else ""
        raise UsageError(
            f"{option} {value!r} is not LAT,LON,KM (degrees north, degrees east, kilometres), "
            "e.g. 50.45,30.52,100" + (f": {why}" if why else "")
        ) from None


def _check_country(option: str, value: str, words: Vocabulary, *, whole: bool) -> None:
    code = value.strip()
    known = code[:3].upper() in words.countries and (len(code) == 3 or not whole)
    if code == code.upper() and _CODE.match(code) and known:
        return
    named = words.country_by_name.get(normalise_name(value))
    hint = f" (did you mean {named}?)" if named else _suggest(code.upper(), sorted(words.countries))
    what = (
        "an ISO alpha-3 country code, such as UKR"
        if whole
        else "an actor code or its start, such as UKR or UKRMIL"
    )
    raise UsageError(f"{option} {value!r} is not {what}" + hint)


def _suggest(value: str, choices: Iterable[str]) -> str:
    close = get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _cells(cell: str) -> list[str]:
    return [v for v in cell.split("|") if v.strip()]
