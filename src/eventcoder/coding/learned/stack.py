"""The decision that joins the rules and the model: is type T coded for this sentence?

For every candidate type of a sentence (each type the rules coded, the model's best type,
and any type the model scores at ``CANDIDATE_SCORE`` or more), a small logistic model
reads what the rules and the model said about it (``candidate_features``) and gives the
probability that the type is right. It was fitted on the corpus' training part, with the
event model's scores taken out of fold and the rule coder run on every sentence
(``training/train.py``), so it knows how far to trust each side, type by type: on text
the rules were not written for, a rule event the model doubts is often wrong, and a
model type with no rule trigger is often right.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventcoder.coding.learned.model import SentenceScores

CANDIDATE_SCORE = 0.2
GENERAL_FEATURES = (
    "model",
    "model_logit",
    "rule",
    "rule_confidence",
    "event",
    "model_best",
    "below_best",
    "rule_types",
    "rule_and_model",
    "doubt",
)


def feature_names(types: Sequence[str]) -> tuple[str, ...]:
    return (
        *GENERAL_FEATURES,
        *(f"type:{t}" for t in types),
        *(f"rule_type:{t}" for t in types),
    )


def candidates(scores: SentenceScores, rule_types: Mapping[str, float]) -> list[str]:
    best = scores.best_type()[0]
    chosen = set(rule_types) | {best}
    chosen |= {t for t, p in scores.types.items() if p >= CANDIDATE_SCORE}
    return sorted(chosen)


def candidate_features(
    name: str, scores: SentenceScores, rule_types: Mapping[str, float], types: Sequence[str]
) -> list[float]:
    """The features of type ``name`` for one sentence; ``rule_types`` maps each type the
    rules coded in it to their highest confidence."""
    p = scores.types[name]
    best, p_best = scores.best_type()
    fired = 1.0 if name in rule_types else 0.0
    clipped = min(max(p, 1e-4), 1 - 1e-4)
    general = [
        p,
        math.log(clipped / (1 - clipped)) / 4,
        fired,
        rule_types.get(name, 0.0),
        scores.event,
        1.0 if name == best else 0.0,
        p_best - p,
        float(len(rule_types)) / 2,
        fired * p,
        max(scores.flags.values(), default=0.0),
    ]
    one_hot = [1.0 if t == name else 0.0 for t in types]
    return general + one_hot + [fired * v for v in one_hot]


@dataclass(frozen=True)
class Decision:
    """What becomes of one sentence's rule events and which types the model adds."""

    vetoed: bool = False  # the sentence reports no event: its rule events are dropped
    retyped: Mapping[str, str] = field(default_factory=dict)  # rule type -> new type
    added: Mapping[str, float] = field(default_factory=dict)  # new type -> probability
    probabilities: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Stacker:
    """The three ways the model overrules the rules, each set for precision on the
    corpus' training part out of fold (``training/train.py``), not for F1:

    * ``veto``: a sentence the rules coded whose P(event) is under this reports no event
      (unless the model holds one of its types more likely than not);
    * ``drop``: the one type the rules coded in a sentence, if its probability is under
      this and the model adds another type, is replaced by that type (re-typed);
    * ``add``: a type the rules did not code is added at this probability or more.
    """

    weights: tuple[float, ...]
    bias: float
    veto: float
    drop: float
    add: float
    types: tuple[str, ...]

    def probability(
        self, name: str, scores: SentenceScores, rule_types: Mapping[str, float]
    ) -> float:
        x = candidate_features(name, scores, rule_types, self.types)
        z = self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def decide(self, scores: SentenceScores, rule_types: Mapping[str, float]) -> Decision:
        if rule_types and scores.event < self.veto and scores.best_type()[1] < 0.5:
            return Decision(vetoed=True)
        probs = {t: self.probability(t, scores, rule_types) for t in candidates(scores, rule_types)}
        added = {t: p for t, p in probs.items() if t not in rule_types and p >= self.add}
        retyped: dict[str, str] = {}
        if len(rule_types) == 1 and added:
            (old,) = rule_types
            if probs[old] < self.drop:
                new = max(added, key=lambda t: added[t])
                retyped[old] = new
                del added[new]
        return Decision(False, retyped, added, probs)

    def coded_types(self, scores: SentenceScores, rule_types: Mapping[str, float]) -> set[str]:
        """The types the sentence ends up with, rules and model together."""
        decision = self.decide(scores, rule_types)
        if decision.vetoed:
            return set()
        kept = {decision.retyped.get(t, t) for t in rule_types}
        return kept | set(decision.added)
