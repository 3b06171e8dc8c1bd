"""The word lists of ``coding/data/grammar.yaml``: every list loads, none is empty, and
each one moved out of the code still decides how a sentence is coded."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventcoder.actors.resolver import DocumentActors
from eventcoder.coding.extract import Extractor
from eventcoder.coding.patterns import Grammar, load_vocabulary
from eventcoder.model import Document
from eventcoder.pipeline import Coder

DAY = date(2024, 1, 25)
FIELDS = [f.name for f in dataclasses.fields(Grammar)]
SOURCE = Path(__file__).parents[1] / "src" / "eventcoder"


def test_every_list_of_the_file_is_a_grammar_field_and_the_other_way_round() -> None:
    text = (resources.files("eventcoder.coding") / "data" / "grammar.yaml").read_text("utf-8")
    assert sorted(yaml.safe_load(text)) == sorted(FIELDS)


@pytest.mark.parametrize("name", FIELDS)
def test_every_list_loads_with_words_in_it(name: str) -> None:
    assert len(getattr(load_vocabulary().grammar, name)) > 0


@pytest.mark.parametrize("name", FIELDS)
def test_every_list_is_read_by_the_coder(name: str) -> None:
    reads = re.compile(rf"\.{name}\b")
    users = [
        path
        for path in SOURCE.rglob("*.py")
        if path.name != "patterns.py" and reads.search(path.read_text("utf-8"))
    ]
    assert users, f"grammar.yaml's '{name}' is read nowhere"


def _coded(coder: Coder, text: str, emptied: str | None = None) -> list[tuple[str, str, str]]:
    vocabulary = coder.vocabulary
    if emptied is not None:
        # a field named at run time: mypy cannot check the keyword against Grammar
        replace: Any = dataclasses.replace
        grammar = replace(vocabulary.grammar, **{emptied: frozenset()})
        vocabulary = dataclasses.replace(vocabulary, grammar=grammar)
    extractor = Extractor(vocabulary, coder.ontology, coder.version, coder.kb)
    doc = coder.nlp(text)
    document = Document(doc_id="t", text=text, date=DAY)
    events = extractor.events(document, doc, DocumentActors(coder.kb, doc, DAY))
    return sorted(
        (e.source.code if e.source else "", e.target.code if e.target else "", e.cameo)
        for e in events
    )


@pytest.mark.parametrize(
    ("name", "text", "with_list", "without_list"),
    [
        # a promise of force is a threat (138), not a bare intent (030)
        ("force_roots", "Iran vowed to attack Israel.", [("IRN", "ISR", "138")], None),
        # what is demanded is not an event of its own
        (
            "content_types",
            "Russia demanded that Turkey provide information.",
            [("RUS", "TUR", "100")],
            None,
        ),
        # "engaged in talks": the verb carries the talks
        (
            "participation_verbs",
            "Russia engaged in talks with Ukraine.",
            [("RUS", "UKR", "040")],
            [],
        ),
        # a group's protest with no target is aimed at its own country
        ("domestic_types", "Kenyan students protested.", [("KENEDU", "KEN", "141")], None),
        # police facing Kenyan protesters are Kenya's
        (
            "domestic_sectors",
            "Police fired tear gas at Kenyan protesters.",
            [("KENCOP", "KENCVL", "175")],
            None,
        ),
    ],
)
def test_a_moved_list_still_decides_the_coding(
    coder: Coder,
    name: str,
    text: str,
    with_list: list[tuple[str, str, str]],
    without_list: list[tuple[str, str, str]] | None,
) -> None:
    assert _coded(coder, text) == with_list
    emptied = _coded(coder, text, emptied=name)
    assert emptied != with_list
    if without_list is not None:
        assert emptied == without_list
