"""The actor resolver's word lists (actors/data/words.yaml): each loads, and each decides
how some sentence resolves: emptied, the same mention codes otherwise."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from importlib import resources

import pytest
import yaml

import eventcoder.actors.document as document
from eventcoder.actors.resolver import DocumentActors
from eventcoder.actors.words import ActorWords, actor_words, parse_word_lists
from eventcoder.errors import DataError
from eventcoder.model import Actor
from eventcoder.pipeline import Coder

DAY = date(2024, 3, 14)
LISTS = [f.name for f in fields(ActorWords)]


@pytest.mark.parametrize("name", LISTS)
def test_each_list_loads_non_empty_and_lower_case(name: str) -> None:
    words = getattr(actor_words(), name)
    assert isinstance(words, frozenset)
    assert words
    assert all(w == w.lower().strip() for w in words), sorted(words)


def test_every_list_in_the_file_is_read() -> None:
    text = (resources.files("eventcoder.actors") / "data" / "words.yaml").read_text("utf-8")
    assert set(yaml.safe_load(text)) == set(LISTS)


def test_gendered_pronouns_are_person_pronouns_of_one_gender() -> None:
    words = actor_words()
    assert not words.feminine_pronouns & words.masculine_pronouns
    assert words.feminine_pronouns | words.masculine_pronouns == words.person_pronouns
    assert words.pronoun_gender("herself") == "f"
    assert words.pronoun_gender("him") == "m"
    assert words.pronoun_gender("they") is None


def _resolve(coder: Coder, text: str, word: str) -> Actor | None:
    doc = coder.nlp(text)
    actors = DocumentActors(coder.kb, doc, DAY)
    return actors.resolve_one(next(t for t in doc if t.text == word))


@pytest.mark.parametrize(
    ("name", "text", "word", "code", "code_without"),
    [
        (
            "person_pronouns",
            "Andrzej Duda arrived in Kyiv on Monday. He met soldiers there.",
            "He",
            "POLGOV",
            None,
        ),
        (
            "masculine_pronouns",
            "Anna Nowak, the Polish government spokeswoman, met Jan Kowalski, the Czech "
            "government spokesman. He thanked the Polish government.",
            "He",
            "CZEGOV",
            None,
        ),
        (
            "feminine_pronouns",
            "Jan Kowalski, the Czech government spokesman, met Anna Nowak, the Polish "
            "government spokeswoman. She thanked the Czech government.",
            "She",
            "POLGOV",
            None,
        ),
        (
            "speaker_pronouns",
            "“We will not retreat,” the Polish defence minister said.",
            "We",
            "POLGOV",
            None,
        ),
        ("thing_pronouns", "Syria said it would expel the diplomats.", "it", "SYR", None),
        (
            "group_pronouns",
            "Ukrainian troops held the line near Bakhmut. They shot down two drones.",
            "They",
            "UKRMIL",
            None,
        ),
        (
            "former_words",
            "Former Polish president Lech Walesa met the ambassador.",
            "Walesa",
            "POLELI",
            "POLGOV",
        ),
        (
            "quantity_nouns",
            "Dozens of Ukrainian soldiers crossed the river.",
            "Dozens",
            "UKRMIL",
            "UKR",
        ),
        # "remark" is a verb of quoting only, not in grammar.yaml's reporting_verbs
        (
            "quote_speaker_verbs",
            "“We are ready,” the Iranian foreign minister remarked.",
            "We",
            "IRNGOV",
            None,
        ),
    ],
)
def test_resolution_depends_on_the_list(
    coder: Coder,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    text: str,
    word: str,
    code: str,
    code_without: str | None,
) -> None:
    found = _resolve(coder, text, word)
    assert found is not None and found.code == code, found
    emptied = replace(actor_words(), **{name: frozenset()})
    monkeypatch.setattr(document, "actor_words", lambda: emptied)
    without = _resolve(coder, text, word)
    assert (without.code if without is not None else None) == code_without, without


def test_a_word_yaml_reads_as_another_type_is_an_error_naming_the_list() -> None:
    assert parse_word_lists("negation: [not, 'no']", "w.yaml") == {"negation": ["not", "no"]}
    with pytest.raises(DataError, match=r"w.yaml: 'negation' must be a list of words"):
        parse_word_lists("negation: [not, no]", "w.yaml")
    with pytest.raises(DataError, match="named lists of words"):
        parse_word_lists("- he\n- she\n", "w.yaml")
