"""The word lists of the actor resolver, read once from ``actors/data/*.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from eventcoder.actors.kb import normalise_name
from eventcoder.errors import DataError


@dataclass(frozen=True)
class ActorWords:
    """Pronouns and small closed word classes (``actors/data/words.yaml``)."""

    person_pronouns: frozenset[str]
    feminine_pronouns: frozenset[str]
    masculine_pronouns: frozenset[str]
    speaker_pronouns: frozenset[str]
    thing_pronouns: frozenset[str]
    group_pronouns: frozenset[str]
    former_words: frozenset[str]
    quantity_nouns: frozenset[str]
    quote_speaker_verbs: frozenset[str]

    def pronoun_gender(self, word: str) -> str | None:
        """ "f" for "she", "m" for "him", None for a pronoun of no gender."""
        if word in self.feminine_pronouns:
            return "f"
        if word in self.masculine_pronouns:
            return "m"
        return None


@dataclass(frozen=True)
class CoreferenceWords:
    """Nouns that refer back to an actor named before (``actors/data/coreference.yaml``)."""

    person_roles: frozenset[str]
    countries: frozenset[str]
    organisations: frozenset[str]
    described_organisations: frozenset[str]
    feminine: frozenset[str]
    masculine: frozenset[str]


def _read_word_lists(name: str) -> dict[str, list[str]]:
    text = (resources.files("eventcoder.actors") / "data" / name).read_text("utf-8")
    return parse_word_lists(text, f"eventcoder/actors/data/{name}")


def parse_word_lists(text: str, where: str) -> dict[str, list[str]]:
    """Named word lists from YAML text; a list holding anything but words (YAML reads
    ``no`` as false, ``1`` as a number) is an error, not a silent miss."""
    data: object = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise DataError("expected named lists of words, like 'thing_pronouns: [it, its]'", where)
    lists: dict[str, list[str]] = {}
    for key, words in data.items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise DataError(
                f"'{key}' must be a list of words; quote any word YAML reads as another "
                'type (write "no", not no)',
                where,
            )
        lists[str(key)] = [str(w) for w in words]
    return lists


@lru_cache(maxsize=1)
def actor_words() -> ActorWords:
    data = _read_word_lists("words.yaml")
    return ActorWords(
        person_pronouns=frozenset(data["person_pronouns"]),
        feminine_pronouns=frozenset(data["feminine_pronouns"]),
        masculine_pronouns=frozenset(data["masculine_pronouns"]),
        speaker_pronouns=frozenset(data["speaker_pronouns"]),
        thing_pronouns=frozenset(data["thing_pronouns"]),
        group_pronouns=frozenset(data["group_pronouns"]),
        former_words=frozenset(data["former_words"]),
        quantity_nouns=frozenset(data["quantity_nouns"]),
        quote_speaker_verbs=frozenset(data["quote_speaker_verbs"]),
    )


@lru_cache(maxsize=1)
def coreference_words() -> CoreferenceWords:
    data = _read_word_lists("coreference.yaml")
    return CoreferenceWords(
        person_roles=frozenset(normalise_name(w) for w in data["person_role_nouns"]),
        countries=frozenset(data["country_nouns"]),
        organisations=frozenset(data["organisation_nouns"]),
        described_organisations=frozenset(data["described_organisation_nouns"]),
        feminine=frozenset(data["feminine_words"]),
        masculine=frozenset(data["masculine_words"]),
    )


@lru_cache(maxsize=1)
def water_names() -> tuple[str, ...]:
    """Seas and gulfs named after a country (``actors/data/water_names.yaml``)."""
    return tuple(_read_word_lists("water_names.yaml")["water_names"])


def water_patterns() -> list[dict[str, str]]:
    """Entity-ruler patterns for ``water_names``: place entities with no knowledge-base id,
    so that "Indian" in "the Indian Ocean" is not India."""
    return [{"label": "LOC", "pattern": name} for name in water_names()]
