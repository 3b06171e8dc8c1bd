"""Train the learned event model's heads from the corpus (``make model``).

1. Features for every corpus sentence (``eventcoder.coding.learned.features``: the
   static embedding and the hashed words).
2. Five-fold cross-validation on the training part, folds by template family: the
   regularisation strength and every threshold (event, type, veto, re-type, add) are
   chosen on the out-of-fold scores. The test part is never looked at until step 4.
3. The heads are fitted on the whole training part and written to
   ``src/eventcoder/coding/learned/data/heads.npz`` (weights) and ``model.json``
   (labels, thresholds, corpus digest, figures).
4. The shipped model is loaded back as the coder loads it and scored on the test part;
   those figures go into ``model.json`` and the tests check that they reproduce.

Deterministic: liblinear with a fixed seed, folds by family, no sampling.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from eventcoder.coding.learned.features import HASH_BUCKETS, StaticEmbedder, hashed_words
from eventcoder.coding.learned.model import MODEL_DIR, EventModel
from eventcoder.ontology import load_ontology
from training.corpus import CorpusSentence, corpus_files, read_corpus
from training.figures import gold_root, model_figures, type_sets_figures

FLAGS = ("negated", "hypothetical", "future")
C_GRID = (0.5, 2.0, 8.0)
SEED = 0
# the least precision a threshold must give on the out-of-fold scores of the training part
VETO_PRECISION = 0.97  # of "no event" among the rule events the model would drop
RETYPE_PRECISION = 0.90  # of the model's type where it would replace the rules' type
ADD_PRECISION = 0.90  # of the model's type where it would add an event the rules missed

Matrix: TypeAlias = Any  # a scipy CSR matrix (scipy ships no types)
Probs: TypeAlias = npt.NDArray[np.float64]
TypeSets: TypeAlias = list[frozenset[str]]


@dataclass(frozen=True)
class Labels:
    event: npt.NDArray[np.int64]
    types: npt.NDArray[np.int64]  # sentences x types
    roots: list[str | None]
    flags: npt.NDArray[np.int64]  # sentences x FLAGS


def features(embedder: StaticEmbedder, texts: Sequence[str]) -> Matrix:
    dense = embedder.embed(texts)
    words = hashed_words(texts)
    hashed = sparse.csr_matrix(
        (words.values, words.indices, words.offsets), shape=(len(texts), HASH_BUCKETS)
    )
    return sparse.hstack([sparse.csr_matrix(dense), hashed], format="csr")


def labels(sentences: Sequence[CorpusSentence], types: Sequence[str]) -> Labels:
    return Labels(
        event=np.array([1 if s.events else 0 for s in sentences]),
        types=np.array([[1 if t in s.types else 0 for t in types] for s in sentences]),
        roots=[gold_root(s) for s in sentences],
        flags=np.array([[1 if s.kind == f else 0 for f in FLAGS] for s in sentences]),
    )


def _binary(x: Matrix, y: npt.NDArray[np.int64], c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=1000)
    if y.min() == y.max():  # a class absent from a fold: a constant model
        y = y.copy()
        y[0] = 1 - y[0]
    return model.fit(x, y)


def _multiclass(x: Matrix, y: Sequence[str], c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, solver="lbfgs", random_state=SEED, max_iter=2000)
    return model.fit(x, list(y))


def _sigmoid_columns(models: Sequence[LogisticRegression], x: Matrix) -> Probs:
    return np.column_stack([m.predict_proba(x)[:, 1] for m in models])


def out_of_fold(x: Matrix, y: Labels, groups: Sequence[str], c: float) -> tuple[Probs, Probs]:
    """Out-of-fold P(event) and P(type) for every training sentence."""
    event = np.zeros(x.shape[0])
    types = np.zeros(y.types.shape)
    for fit, held in GroupKFold(n_splits=5).split(x, groups=groups):
        event[held] = _binary(x[fit], y.event[fit], c).predict_proba(x[held])[:, 1]
        heads = [_binary(x[fit], y.types[fit, j], c) for j in range(y.types.shape[1])]
        types[held] = _sigmoid_columns(heads, x[held])
    return event, types


def _decide(event: Probs, types: Probs, names: Sequence[str], te: float, tt: float) -> TypeSets:
    out: TypeSets = []
    for pe, row in zip(event, types, strict=True):
        if pe < te:
            out.append(frozenset())
            continue
        chosen = {names[int(j)] for j in np.flatnonzero(row >= tt)}
        out.append(frozenset(chosen or {names[int(np.argmax(row))]}))
    return out


def _lowest_threshold(
    scores: Probs, right: npt.NDArray[np.bool_], precision: float, floor: float = 0.5
) -> float:
    """The lowest threshold >= floor at which the cases scored at or over it are right
    at least ``precision`` of the time (and there are at least 20 of them)."""
    for t in np.arange(floor, 0.991, 0.01):
        chosen = scores >= t
        if chosen.sum() >= 20 and right[chosen].mean() >= precision:
            return round(float(t), 2)
    return 0.99


def choose_thresholds(
    event: Probs, types: Probs, y: Labels, names: Sequence[str]
) -> dict[str, float]:
    gold = [frozenset(names[int(j)] for j in np.flatnonzero(row)) for row in y.types]
    best = (-1.0, 0.5, 0.5)
    for te in np.arange(0.2, 0.81, 0.05):
        for tt in np.arange(0.2, 0.81, 0.05):
            figures = type_sets_figures(names, gold, _decide(event, types, names, te, tt))
            if figures.macro_f1 > best[0]:
                best = (figures.macro_f1, float(te), float(tt))
    # veto: the highest P(event) bar under which nearly all sentences have no event
    veto = 0.0
    for t in np.arange(0.01, 0.51, 0.01):
        under = event < t
        if under.sum() >= 20 and (y.event[under] == 0).mean() >= VETO_PRECISION:
            veto = round(float(t), 2)
    top = types.argmax(axis=1)
    top_score = types.max(axis=1)
    top_right = y.types[np.arange(len(top)), top] == 1
    retype = _lowest_threshold(top_score, top_right, RETYPE_PRECISION)
    add_score = np.minimum(top_score, event)
    add = _lowest_threshold(add_score, top_right, ADD_PRECISION)
    return {
        "event": round(best[1], 2),
        "type": round(best[2], 2),
        "veto": veto,
        "retype": retype,
        "add": add,
    }


def _head_arrays(
    models: Sequence[LogisticRegression], dims: int
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    coef = np.vstack([m.coef_ for m in models]).T  # features x outputs
    bias = np.concatenate([np.atleast_1d(m.intercept_) for m in models])
    return (
        coef[:dims].astype(np.float32),
        coef[dims:].astype(np.float16),
        bias.astype(np.float32),
    )


def corpus_digest(files: Sequence[Path]) -> str:
    digest = hashlib.sha1()
    for path in files:
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train(out: Path, log: Callable[[str], None] = print) -> dict[str, object]:
    sentences = read_corpus()
    train_part = [s for s in sentences if s.split == "train"]
    test_part = [s for s in sentences if s.split == "test"]
    names = list(load_ontology().plover_types)
    embedder = StaticEmbedder(out)
    x = features(embedder, [s.text for s in train_part])
    y = labels(train_part, names)
    groups = [s.family for s in train_part]
    log(f"{len(train_part)} training sentences, {len(test_part)} test; cross-validating")

    best_c, best_f1, oof = C_GRID[0], -1.0, None
    for c in C_GRID:
        event, types = out_of_fold(x, y, groups, c)
        gold = [frozenset(names[int(j)] for j in np.flatnonzero(r)) for r in y.types]
        f1 = type_sets_figures(names, gold, _decide(event, types, names, 0.5, 0.5)).macro_f1
        log(f"  C={c}: out-of-fold type macro-F1 {f1:.3f} (thresholds 0.5)")
        if f1 > best_f1:
            best_c, best_f1, oof = c, f1, (event, types)
    assert oof is not None
    thresholds = choose_thresholds(oof[0], oof[1], y, names)
    log(f"  chose C={best_c}, thresholds {thresholds}")

    dims = embedder.dimensions
    event_head = [_binary(x, y.event, best_c)]
    type_heads = [_binary(x, y.types[:, j], best_c) for j in range(len(names))]
    flag_heads = [_binary(x, y.flags[:, j], best_c) for j in range(len(FLAGS))]
    with_root = [i for i, r in enumerate(y.roots) if r is not None]
    root_head = _multiclass(x[with_root], [str(y.roots[i]) for i in with_root], best_c)
    arrays: dict[str, npt.NDArray[Any]] = {}
    for name, models in (("event", event_head), ("types", type_heads), ("flags", flag_heads)):
        dense, hashed, bias = _head_arrays(models, dims)
        arrays |= {f"{name}_dense": dense, f"{name}_hashed": hashed, f"{name}_bias": bias}
    root_coef = root_head.coef_.T
    arrays |= {
        "root_dense": root_coef[:dims].astype(np.float32),
        "root_hashed": root_coef[dims:].astype(np.float16),
        "root_bias": root_head.intercept_.astype(np.float32),
    }
    np.savez_compressed(out / "heads.npz", allow_pickle=False, **arrays)
    files = corpus_files()
    meta: dict[str, object] = {
        "version": f"{corpus_digest(files)}-c{best_c}",
        "labels": {
            "event": ["event"],
            "types": names,
            "root": [str(r) for r in root_head.classes_],
            "flags": list(FLAGS),
        },
        "thresholds": thresholds,
        "training": {
            "corpus_sentences": len(sentences),
            "train": len(train_part),
            "test": len(test_part),
            "regularisation_c": best_c,
            "out_of_fold_macro_f1": round(best_f1, 4),
        },
    }
    (out / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    shipped = EventModel(out)  # as the coder loads it
    meta["test_figures"] = model_figures(shipped, test_part).as_dict()
    meta["train_figures"] = model_figures(shipped, train_part).as_dict()
    (out / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    meta = train(args.out)
    test = meta["test_figures"]
    assert isinstance(test, dict)
    print(
        f"test split: type macro-F1 {test['macro_f1']:.3f}, micro-F1 {test['micro_f1']:.3f}, "
        f"no-event precision {test['no_event_precision']:.3f} "
        f"recall {test['no_event_recall']:.3f}, CAMEO root {test['root_accuracy']:.3f}"
    )
    for name, (p, r, f, n) in test["by_type"].items():
        print(f"  {name:<10} P {p:.2f} R {r:.2f} F1 {f:.2f}  ({n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
