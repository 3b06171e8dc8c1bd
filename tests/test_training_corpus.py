"""The team-written training corpus: valid, big and varied enough, split by family."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from training.corpus import (
    MIN_COUNTRIES,
    CorpusError,
    CorpusSentence,
    corpus_stats,
    format_stats,
    main,
    read_corpus,
    split_of,
)


@pytest.fixture(scope="module")
def sentences() -> list[CorpusSentence]:
    return read_corpus()


def test_the_corpus_is_valid_and_has_what_the_model_needs(sentences: list[CorpusSentence]) -> None:
    stats = corpus_stats(sentences)
    assert stats.shortfalls() == [], "\n".join(format_stats(stats))
    assert stats.countries >= MIN_COUNTRIES


def test_no_name_or_opening_is_repeated_enough_to_learn_instead_of_the_event(
    sentences: list[CorpusSentence],
) -> None:
    stats = corpus_stats(sentences)
    name, count = stats.top_names[0]
    assert count / stats.sentences < 0.03, f"{name!r} in {count} sentences"
    opening, count = stats.top_openings[0]
    assert count <= 12, f"{count} sentences open with {opening!r}"
    assert stats.largest_family <= 6


def test_the_test_split_is_a_fifth_chosen_by_family(sentences: list[CorpusSentence]) -> None:
    test = [s for s in sentences if s.split == "test"]
    assert 0.15 <= len(test) / len(sentences) <= 0.25
    families = {s.family: s.split for s in sentences}
    assert all(split_of(s.family) == families[s.family] for s in sentences)
    assert split_of("acs-f001") == split_of("acs-f001")


def _write(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n",
        encoding="utf-8",
    )
    return path


GOOD: dict[str, Any] = {
    "id": "tst-0001",
    "family": "tst-f1",
    "date": "2011-03-02",
    "text": "Border guards of Ruritania detained four smugglers near the river crossing.",
    "style": "verb",
    "gold_events": [{"code": "COERCE", "source": "---COP", "target": None, "cameo": "173"}],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": "1985-01-01"}, "outside 1990"),
        ({"style": "shouted"}, "style 'shouted'"),
        ({"gold_events": [{**GOOD["gold_events"][0], "code": "FIGHT"}]}, "not a PLOVER 0.8"),
        ({"gold_events": [{**GOOD["gold_events"][0], "cameo": "190"}]}, "maps to ASSAULT"),
        ({"gold_events": [{**GOOD["gold_events"][0], "source": "XXXGOV"}]}, "country code"),
        ({"gold_events": [{**GOOD["gold_events"][0], "source": "FRAZZZ"}]}, "sector 'ZZZ'"),
        ({"gold_events": [], "style": "none"}, "kind None"),
        ({"gold_events": [], "style": "verb", "kind": "weather"}, "style 'none'"),
        ({"id": "Tst_1"}, "PREFIX-NNNN"),
    ],
)
def test_a_bad_record_is_named_by_file_and_line(tmp_path: Path, change: dict, message: str) -> None:  # type: ignore[type-arg]
    path = _write(tmp_path, "// a comment", GOOD, {**GOOD, "id": "tst-0002", **change})
    with pytest.raises(CorpusError) as caught:
        read_corpus([path])
    assert caught.value.problems[0].startswith("bad.jsonl:3: ")
    assert message in caught.value.problems[0]


def test_duplicate_ids_texts_and_broken_json_are_all_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD, GOOD, "{not json")
    with pytest.raises(CorpusError) as caught:
        read_corpus([path])
    problems = caught.value.problems
    assert any("bad.jsonl:2: id 'tst-0001' also at bad.jsonl:1" in p for p in problems)
    assert any("bad.jsonl:2: same text as bad.jsonl:1" in p for p in problems)
    assert any(p.startswith("bad.jsonl:3: not JSON") for p in problems)


def test_the_command_line_checks_and_describes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, GOOD)
    assert main(["check", str(path)]) == 0
    assert "1 sentences, no problems" in capsys.readouterr().out
    assert main(["require", str(path)]) == 1
    assert "short: 1 sentences, need 4000" in capsys.readouterr().err
