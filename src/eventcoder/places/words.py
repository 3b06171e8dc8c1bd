"""The locator's word lists, read once from ``places/data/words.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources

from eventcoder.actors.words import parse_word_lists
from eventcoder.errors import DataError


@dataclass(frozen=True)
class PlaceWords:
    locative_prepositions: frozenset[str]
    place_nouns: frozenset[str]
    place_noun_prepositions: frozenset[str]
    destination_prepositions: frozenset[str]
    region_words: frozenset[str]
    street_words: frozenset[str]
    building_words: frozenset[str]
    local_government_words: frozenset[str]
    target_country_events: frozenset[str]


@lru_cache(maxsize=1)
def place_words() -> PlaceWords:
    where = "eventcoder/places/data/words.yaml"
    text = (resources.files("eventcoder.places") / "data" / "words.yaml").read_text("utf-8")
    lists = parse_word_lists(text, where)
    missing = [f.name for f in fields(PlaceWords) if f.name not in lists]
    if missing:
        raise DataError(f"word lists missing: {', '.join(missing)}", where)
    return PlaceWords(**{f.name: frozenset(lists[f.name]) for f in fields(PlaceWords)})
