"""The learned event model: it reproduces its recorded figures, and each way it combines
with the rules (veto, re-type, add) leaves a record that says so."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from eventcoder.coding.learned import EventModel, load_event_model
from eventcoder.coding.learned.features import hashed_words
from eventcoder.coding.learned.model import MODEL_DIR, learned_model_version
from eventcoder.errors import DataError
from eventcoder.pipeline import Coder, CoderConfig, coder_version
from training.corpus import read_corpus
from training.figures import corpus_lemmas, model_figures

DAY = date(2021, 6, 7)


@pytest.fixture(scope="module")
def model() -> EventModel:
    return load_event_model()


@pytest.mark.slow
def test_the_shipped_model_reproduces_its_recorded_test_figures(model: EventModel) -> None:
    recorded = json.loads((MODEL_DIR / "model.json").read_text(encoding="utf-8"))
    sentences = read_corpus()
    test = [s for s in sentences if s.split == "test"]
    assert recorded["training"]["corpus_sentences"] == len(sentences), "run `make model`"
    figures = model_figures(model, test, corpus_lemmas(test))
    assert figures.as_dict() == recorded["test_figures"]
    # floors under the figures it has now (the issue asks 0.85 and 0.95 of it)
    assert figures.macro_f1 >= 0.68
    assert figures.no_event_precision >= 0.85


def test_the_stacker_trusts_the_rules_unless_sure(model: EventModel) -> None:
    stacker = model.stacker
    assert stacker is not None
    assert 0.0 <= stacker.veto < 0.5 and 0.0 <= stacker.drop < 0.5 <= stacker.add <= 1.0
    assert len(stacker.weights) == len(model.meta["stacker"]["features"])
    assert model.meta["training"]["out_of_fold_macro_f1"] > 0.5


def test_scores_are_probabilities_over_the_plover_types(model: EventModel) -> None:
    (score,) = model.score(["Rebels shelled the port city overnight, killing six civilians."])
    assert set(score.types) == set(model.types) and len(model.types) == 16
    assert all(0.0 <= p <= 1.0 for p in score.types.values())
    assert score.best_type()[0] == "ASSAULT"
    assert score.root in model.heads["root"].labels
    assert model.score([]) == []


def test_the_same_sentence_always_gets_the_same_features() -> None:
    a = hashed_words(["Troops crossed the border.", ""])
    b = hashed_words(["Troops crossed the border.", ""])
    assert a.indices.tolist() == b.indices.tolist() and len(a) == 2
    assert a.offsets[-1] == a.offsets[-2]  # the empty text has no words


def test_a_missing_model_says_how_to_rebuild_it(tmp_path: Path) -> None:
    shutil.copytree(MODEL_DIR, tmp_path / "m")
    (tmp_path / "m" / "heads.npz").unlink()
    with pytest.raises(DataError, match="make model"):
        EventModel(tmp_path / "m")


def test_the_version_names_the_way_and_the_model() -> None:
    rules = coder_version(CoderConfig(model="sm", kb_dirs=(), learned="rules"))
    combined = coder_version(CoderConfig(model="sm", kb_dirs=()))
    assert rules.endswith("+sm")
    assert combined == f"{rules}+combined.{learned_model_version()}"
    with pytest.raises(Exception, match="unknown way of coding 'both'"):
        CoderConfig(learned="both")


# -- the ways combined with the rules -------------------------------------------------


def _events(coder: Coder, text: str) -> list[tuple[str, str | None, str | None, str]]:
    out = []
    for e in coder.code_text(text, DAY):
        assert text[e.evidence.start : e.evidence.end] == e.evidence.sentence
        assert text[e.evidence.trigger_start : e.evidence.trigger_end] == e.evidence.trigger
        out.append(
            (
                e.plover.event,
                e.source.code if e.source else None,
                e.target.code if e.target else None,
                e.rule,
            )
        )
    return out


def test_an_attack_with_no_attack_verb_and_no_named_attacker_is_added(
    combined_coder: Coder, coder: Coder
) -> None:
    text = "Two farmers were killed when a roadside bomb went off near Kandahar on Sunday."
    assert _events(coder, text) == []
    ((kind, source, target, rule),) = _events(combined_coder, text)
    assert (kind, source, target, rule) == ("ASSAULT", None, "AFGAGR", "model:ASSAULT")
    (event,) = combined_coder.code_text(text, DAY)
    assert "country AFG from 'Kandahar' in the sentence" in event.target.why  # type: ignore[union-attr]
    assert event.date == date(2021, 6, 6) and event.confidence >= event.confidence


def test_a_disaster_is_not_made_an_event(combined_coder: Coder) -> None:
    assert _events(combined_coder, "An earthquake killed 40 people in eastern Turkey.") == []


def test_rules_only_coding_keeps_the_rule_events(combined_coder: Coder, coder: Coder) -> None:
    text = "Valerii Zaluzhnyi met Wiesław Kukuła in Warsaw."
    assert _events(coder, text) == _events(combined_coder, text)


def test_code_no_model_codes_with_the_rules_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventcoder.cli import main

    article = tmp_path / "a.txt"
    article.write_text(
        "date 2021-06-07 Two farmers were killed when a roadside bomb went off near "
        "Kandahar on Sunday. Israel and Egypt held talks in Cairo.",
        encoding="utf-8",
    )
    ways = {}
    for flag in ([], ["--no-model"]):
        assert main(["code", str(article), "--no-store", "--jsonl", "-", *flag]) == 0
        records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        ways[bool(flag)] = {(r["plover"]["event"], r["coder"]["rule"][:6]) for r in records}
        versions = {r["coder"]["version"] for r in records}
        assert all(("combined." in v) != bool(flag) for v in versions)
    assert ("ASSAULT", "model:") in ways[False]
    assert all(rule != "model:" for _, rule in ways[True])
    assert ("CONSULT", "04_con") in ways[True] & ways[False]


def test_eval_scores_one_way_or_all_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    from eventcoder.cli import main

    gold = str(Path(__file__).resolve().parents[1] / "docs" / "examples" / "gold.jsonl")
    assert main(["eval", gold, "--way", "rules"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("6 gold documents, events coded: ") and out[0].endswith(" rules")
    assert out[1].startswith("type   P=")
    assert main(["eval", gold]) == 0
    header = capsys.readouterr().out.splitlines()[1].split()
    assert header == ["combined", "rules", "model"]
