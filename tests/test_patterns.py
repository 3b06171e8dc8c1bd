"""The pattern dictionary: size, coverage of every PLOVER type, and located errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from eventcoder.coding.patterns import NOT_AN_EVENT, load_vocabulary, parse_grammar, parse_patterns
from eventcoder.errors import DataError
from eventcoder.ontology import load_ontology


def test_dictionary_covers_every_plover_type() -> None:
    vocab = load_vocabulary(())
    ontology = load_ontology()
    assert len(vocab) > 1000
    per_type: Counter[str] = Counter()
    modes: set[tuple[str, str]] = set()
    for patterns in [*vocab.verbs.values(), *vocab.nouns.values()]:
        for p in patterns:
            if p.cameo == NOT_AN_EVENT:
                continue
            plover = ontology.cameo(p.cameo).plover
            assert plover is not None, f"{p.source}: CAMEO {p.cameo} has no PLOVER type"
            per_type[plover.event] += 1
            if plover.mode:
                modes.add((plover.event, plover.mode))
    assert set(per_type) == set(ontology.plover_types)
    assert min(per_type.values()) >= 20, per_type
    assert len(modes) >= 40


def test_negative_rows_exist_for_common_non_events() -> None:
    vocab = load_vocabulary(())
    negatives = {p.lemma for ps in vocab.verbs.values() for p in ps if not p.is_event}
    assert {"meet", "strike", "fire"} <= negatives


def test_bad_pattern_row_names_file_and_line() -> None:
    text = "pos\tlemma\tcameo\ttarget\nverb\tattack\t999\tdobj\n"
    with pytest.raises(DataError, match=r"mine.tsv:2: unknown CAMEO code '999'"):
        parse_patterns(text, "mine.tsv", load_ontology())
    with pytest.raises(DataError, match=r"mine.tsv:2: unknown target slot"):
        parse_patterns(
            "pos\tlemma\tcameo\ttarget\nverb\tx\t190\tsideways\n", "mine.tsv", load_ontology()
        )
    with pytest.raises(DataError, match=r"mine.tsv:2: pos must be"):
        parse_patterns("pos\tlemma\tcameo\nadverb\tx\t190\n", "mine.tsv", load_ontology())


def test_grammar_file_must_be_a_mapping() -> None:
    with pytest.raises(DataError, match=r"grammar\.yaml"):
        parse_grammar("- just\n- a list\n", "grammar.yaml")


def test_user_patterns_are_added(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "patterns").mkdir()
    (folder / "patterns" / "mine.tsv").write_text(
        "pos\tlemma\tcameo\ttarget\tnote\nverb\tzap\t190\tdobj\ttest verb\n", encoding="utf-8"
    )
    vocab = load_vocabulary((folder,))
    assert "zap" in vocab.verbs
