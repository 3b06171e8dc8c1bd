"""The locator's word lists, read once from ``places/data/words.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from eventcoder.actors.words import parse_word_lists


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
    text = (resources.files("eventcoder.places") / "data" / "words.yaml").read_text("utf-8")
    lists = parse_word_lists(text, "eventcoder/places/data/words.yaml")
    return PlaceWords(
        locative_prepositions=frozenset(lists["locative_prepositions"]),
        place_nouns=frozenset(lists["place_nouns"]),
        place_noun_prepositions=frozenset(lists["place_noun_prepositions"]),
        destination_prepositions=frozenset(lists["destination_prepositions"]),
        region_words=frozenset(lists["region_words"]),
        street_words=frozenset(lists["street_words"]),
        building_words=frozenset(lists["building_words"]),
        local_government_words=frozenset(lists["local_government_words"]),
        target_country_events=frozenset(lists["target_country_events"]),
    )
