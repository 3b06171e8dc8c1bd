"""Figures of the learned model on corpus sentences (used by training and by the tests).

Per sentence, the model's predicted type set is compared with the gold type set:
per-type precision/recall/F1 over sentences, their macro average, and the precision and
recall of "no event" (an empty predicted set).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventcoder.coding.learned.model import EventModel, SentenceScores
from training.corpus import CorpusSentence


def corpus_lemmas(sentences: Sequence[CorpusSentence]) -> list[list[str]]:
    """The lemmas spaCy (``sm``, as the coder loads it) gives each sentence's words."""
    from eventcoder.nlp import load_pipeline

    nlp = load_pipeline("sm")
    return [
        [t.lemma_.lower() for t in doc if not t.is_space]
        for doc in nlp.pipe([s.text for s in sentences], batch_size=256)
    ]


@dataclass(frozen=True)
class TypeFigures:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class SplitFigures:
    sentences: int
    macro_f1: float
    micro_f1: float
    no_event_precision: float
    no_event_recall: float
    root_accuracy: float
    by_type: dict[str, TypeFigures]

    def as_dict(self) -> dict[str, object]:
        return {
            "sentences": self.sentences,
            "macro_f1": round(self.macro_f1, 4),
            "micro_f1": round(self.micro_f1, 4),
            "no_event_precision": round(self.no_event_precision, 4),
            "no_event_recall": round(self.no_event_recall, 4),
            "root_accuracy": round(self.root_accuracy, 4),
            "by_type": {
                t: [round(f.precision, 4), round(f.recall, 4), round(f.f1, 4), f.support]
                for t, f in self.by_type.items()
            },
        }


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def type_sets_figures(
    types: Sequence[str],
    gold: Sequence[frozenset[str]],
    predicted: Sequence[frozenset[str]],
    roots: Sequence[tuple[str | None, str]] = (),
) -> SplitFigures:
    """Figures of predicted type sets against gold ones; ``roots`` pairs (gold root or
    None, predicted root) for the root accuracy over sentences with an event."""
    by_type: dict[str, TypeFigures] = {}
    all_tp = all_fp = all_fn = 0
    for name in types:
        tp = sum(name in g and name in p for g, p in zip(gold, predicted, strict=True))
        fp = sum(name not in g and name in p for g, p in zip(gold, predicted, strict=True))
        fn = sum(name in g and name not in p for g, p in zip(gold, predicted, strict=True))
        all_tp, all_fp, all_fn = all_tp + tp, all_fp + fp, all_fn + fn
        by_type[name] = TypeFigures(*_f1(tp, fp, fn), support=tp + fn)
    said_none = [not p for p in predicted]
    none_right = sum(s and not g for s, g in zip(said_none, gold, strict=True))
    gold_none = sum(not g for g in gold)
    scored_roots = [(g, p) for g, p in roots if g is not None]
    present = [f.f1 for f in by_type.values() if f.support]
    return SplitFigures(
        sentences=len(gold),
        macro_f1=sum(present) / len(present) if present else 0.0,
        micro_f1=_f1(all_tp, all_fp, all_fn)[2],
        no_event_precision=none_right / sum(said_none) if any(said_none) else 0.0,
        no_event_recall=none_right / gold_none if gold_none else 0.0,
        root_accuracy=(
            sum(g == p for g, p in scored_roots) / len(scored_roots) if scored_roots else 0.0
        ),
        by_type=by_type,
    )


def gold_root(sentence: CorpusSentence) -> str | None:
    return sentence.events[0].cameo[:2] if sentence.events else None


def model_figures(
    model: EventModel,
    sentences: Sequence[CorpusSentence],
    lemmas: Sequence[Sequence[str]] | None = None,
) -> SplitFigures:
    scores: list[SentenceScores] = model.score([s.text for s in sentences], lemmas)
    return type_sets_figures(
        model.types,
        [s.types for s in sentences],
        [model.predicted_types(sc) for sc in scores],
        [(gold_root(s), sc.root) for s, sc in zip(sentences, scores, strict=True)],
    )
