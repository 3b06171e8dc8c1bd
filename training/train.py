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

from eventcoder.coding.learned.features import (
    HASH_BUCKETS,
    Lexicon,
    StaticEmbedder,
    dense_features,
    hashed_words,
)
from eventcoder.coding.learned.model import (
    MODEL_DIR,
    EventModel,
    SentenceScores,
    trigger_lexicon,
)
from eventcoder.coding.learned.stack import candidate_features, candidates, feature_names
from eventcoder.model import Document
from eventcoder.ontology import load_ontology
from eventcoder.pipeline import Coder, CoderConfig
from training.corpus import CorpusSentence, corpus_files, read_corpus
from training.figures import (
    SplitFigures,
    corpus_lemmas,
    gold_root,
    model_figures,
    type_sets_figures,
)

FLAGS = ("negated", "hypothetical", "future")
C_GRID = (0.5, 2.0, 8.0)
SEED = 0
# how often the stacker must be right where it overrules the rules (out of fold)
VETO_PRECISION = 0.95  # a rule type it drops is wrong: a trigger and a parse outweigh a doubt
ADD_PRECISION = 0.85  # a type it adds is right
MIN_CASES = 20
NEWS_VERB_SHARE = 0.7  # of event sentences in news, those with a plain trigger verb
CONVNET_WEIGHT = 0.5  # the network's share of the blended probabilities
CONVNET_INPUT = "convnet_input.npz"
CONVNET_OOF = "convnet_oof.npy"
BUILD = Path("build/model")

Matrix: TypeAlias = Any  # a scipy CSR matrix (scipy ships no types)
Probs: TypeAlias = npt.NDArray[np.float64]
TypeSets: TypeAlias = list[frozenset[str]]


@dataclass(frozen=True)
class OutOfFold:
    event: Probs
    types: Probs
    flags: Probs


@dataclass(frozen=True)
class Labels:
    event: npt.NDArray[np.int64]
    types: npt.NDArray[np.int64]  # sentences x types
    roots: list[str | None]
    flags: npt.NDArray[np.int64]  # sentences x FLAGS


def features(
    embedder: StaticEmbedder,
    lexicon: Lexicon,
    types: Sequence[str],
    texts: Sequence[str],
    lemmas: Sequence[Sequence[str]],
) -> Matrix:
    dense = dense_features(embedder, lexicon, types, embedder.token_ids(texts), lemmas)
    words = hashed_words(texts, lemmas)
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


def out_of_fold(x: Matrix, y: Labels, groups: Sequence[str], c: float) -> OutOfFold:
    """Out-of-fold P(event), P(type) and P(flag) for every training sentence."""
    event = np.zeros(x.shape[0])
    types = np.zeros(y.types.shape)
    flags = np.zeros(y.flags.shape)
    for fit, held in GroupKFold(n_splits=5).split(x, groups=groups):
        event[held] = _binary(x[fit], y.event[fit], c).predict_proba(x[held])[:, 1]
        heads = [_binary(x[fit], y.types[fit, j], c) for j in range(y.types.shape[1])]
        types[held] = _sigmoid_columns(heads, x[held])
        heads = [_binary(x[fit], y.flags[fit, j], c) for j in range(y.flags.shape[1])]
        flags[held] = _sigmoid_columns(heads, x[held])
    return OutOfFold(event, types, flags)


def as_scores(oof: OutOfFold, names: Sequence[str]) -> list[SentenceScores]:
    return [
        SentenceScores(
            event=float(oof.event[i]),
            types=dict(zip(names, map(float, oof.types[i]), strict=True)),
            root="",
            root_score=0.0,
            flags=dict(zip(FLAGS, map(float, oof.flags[i]), strict=True)),
        )
        for i in range(len(oof.event))
    ]


def _decide(event: Probs, types: Probs, names: Sequence[str], te: float, tt: float) -> TypeSets:
    out: TypeSets = []
    for pe, row in zip(event, types, strict=True):
        if pe < te:
            out.append(frozenset())
            continue
        chosen = {names[int(j)] for j in np.flatnonzero(row >= tt)}
        out.append(frozenset(chosen or {names[int(np.argmax(row))]}))
    return out


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
    return {"event": round(best[1], 2), "type": round(best[2], 2)}


def rule_types(sentences: Sequence[CorpusSentence]) -> list[dict[str, float]]:
    """What the rule coder codes in each sentence: type -> its highest confidence."""
    coder = Coder(CoderConfig(model="sm", kb_dirs=(), learned="rules"))
    documents = [Document(doc_id=s.id, text=s.text, date=s.date) for s in sentences]
    found: dict[str, dict[str, float]] = {s.id: {} for s in sentences}
    for document, events in coder.code_documents(documents):
        for event in events:
            types = found[document.doc_id]
            name = event.plover.event
            types[name] = max(types.get(name, 0.0), event.confidence)
    return [found[s.id] for s in sentences]


def _candidate_rows(
    scores: Sequence[SentenceScores],
    ruled: Sequence[dict[str, float]],
    sentences: Sequence[CorpusSentence],
    names: Sequence[str],
) -> tuple[list[list[float]], list[int], list[int], list[str]]:
    rows, labels, owners, kinds = [], [], [], []
    for i, (score, rules, sentence) in enumerate(zip(scores, ruled, sentences, strict=True)):
        for name in candidates(score, rules):
            rows.append(candidate_features(name, score, rules, names))
            labels.append(1 if name in sentence.types else 0)
            owners.append(i)
            kinds.append(name)
    return rows, labels, owners, kinds


def style_weights(sentences: Sequence[CorpusSentence]) -> list[float]:
    """Weights that give the corpus' event sentences the share of plainly worded ones
    (style ``verb``) that news has, ``NEWS_VERB_SHARE``: the corpus was written with more
    than half of each type reworded to teach the model paraphrase, which would make the
    rules, which key on trigger words, look less reliable than they are in news."""
    events = [s for s in sentences if s.events]
    verb = sum(s.style == "verb" for s in events) / max(len(events), 1)
    if verb in (0.0, 1.0):
        return [1.0] * len(sentences)
    return [
        1.0
        if not s.events
        else NEWS_VERB_SHARE / verb
        if s.style == "verb"
        else (1 - NEWS_VERB_SHARE) / (1 - verb)
        for s in sentences
    ]


def fit_stacker(
    scores: Sequence[SentenceScores],
    ruled: Sequence[dict[str, float]],
    sentences: Sequence[CorpusSentence],
    names: Sequence[str],
    log: Callable[[str], None],
) -> dict[str, object]:
    """The stacker fitted on out-of-fold scores, and its thresholds (``Stacker``) set on
    out-of-fold figures for precision: ``veto`` the highest P(event) under which the
    sentences the rules coded have no event at least ``VETO_PRECISION`` of the time,
    ``drop`` the highest probability under which a rule type is wrong as often, ``add``
    the lowest over which a type the rules missed is right ``ADD_PRECISION`` of the time.
    Shares are weighted by ``style_weights``."""
    rows, labels_, owners, kinds = _candidate_rows(scores, ruled, sentences, names)
    x, y = np.array(rows), np.array(labels_)
    weight = np.array(style_weights(sentences))[owners]
    groups = [sentences[o].family for o in owners]
    oof = np.zeros(len(y))
    for fit, held in GroupKFold(n_splits=5).split(x, groups=groups):
        model = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)
        model.fit(x[fit], y[fit], sample_weight=weight[fit])
        oof[held] = model.predict_proba(x[held])[:, 1]
    fired = np.array([kind in ruled[owner] for owner, kind in zip(owners, kinds, strict=True)])

    def share(chosen: npt.NDArray[np.bool_], right: int) -> float:
        return float(weight[chosen & (y == right)].sum() / weight[chosen].sum())

    # veto: sentences the rules coded, by P(event); right when the gold has no event
    coded = [i for i, rules in enumerate(ruled) if rules and scores[i].best_type()[1] < 0.5]
    p_event = np.array([scores[i].event for i in coded])
    no_event = np.array([0 if sentences[i].events else 1 for i in coded])
    sentence_weight = np.array(style_weights(sentences))[coded]
    veto = 0.0
    for t in np.arange(0.01, 0.51, 0.01):
        under = p_event < t
        if under.sum() >= MIN_CASES:
            right = sentence_weight[under & (no_event == 1)].sum() / sentence_weight[under].sum()
            if right >= VETO_PRECISION:
                veto = round(float(t), 2)
    drop = 0.0
    for t in np.arange(0.02, 0.91, 0.02):
        under = fired & (oof < t)
        if under.sum() >= MIN_CASES and share(under, 0) >= VETO_PRECISION:
            drop = round(float(t), 2)
    add = 1.0
    for t in np.arange(0.98, 0.09, -0.02):
        over = ~fired & (oof >= t)
        if over.sum() >= MIN_CASES and share(over, 1) >= ADD_PRECISION:
            add = round(float(t), 2)
        elif over.sum() >= MIN_CASES:
            break
    final = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)
    final.fit(x, y, sample_weight=weight)
    log(f"  stacker: {len(y)} candidates; veto under {veto}, drop under {drop}, add from {add}")
    return {
        "features": list(feature_names(names)),
        "weights": [round(float(w), 6) for w in final.coef_[0]],
        "bias": round(float(final.intercept_[0]), 6),
        "veto": veto,
        "drop": drop,
        "add": add,
    }


def stacked_figures(
    model: EventModel,
    sentences: Sequence[CorpusSentence],
    ruled: Sequence[dict[str, float]],
    lemmas: Sequence[Sequence[str]],
) -> tuple[SplitFigures, SplitFigures]:
    """Type figures of the rules alone and of rules and model stacked, per sentence."""
    assert model.stacker is not None
    scores = model.score([s.text for s in sentences], lemmas)
    gold = [s.types for s in sentences]
    stacked = [
        frozenset(model.stacker.coded_types(sc, rules))
        for sc, rules in zip(scores, ruled, strict=True)
    ]
    rules_only = [frozenset(r) for r in ruled]
    return (
        type_sets_figures(model.types, gold, rules_only),
        type_sets_figures(model.types, gold, stacked),
    )


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


def fold_numbers(groups: Sequence[str]) -> npt.NDArray[np.int64]:
    """Each training sentence's cross-validation fold (as ``out_of_fold`` splits)."""
    folds = np.full(len(groups), -1, dtype=np.int64)
    for fold, (_, held) in enumerate(GroupKFold(n_splits=5).split(groups, groups=groups)):
        folds[held] = fold
    return folds


def prepare(build: Path, out: Path, paths: Sequence[Path] = ()) -> Path:
    """Write the convolutional network's input (``training/convnet.py``): every
    sentence's token ids, its labels (event, types, flags) and its fold, -1 for test."""
    sentences = read_corpus(paths)
    names = list(load_ontology().plover_types)
    ids = StaticEmbedder(out).token_ids([s.text for s in sentences])
    y = labels(sentences, names)
    folds = np.full(len(sentences), -1, dtype=np.int64)
    train_rows = [i for i, s in enumerate(sentences) if s.split == "train"]
    folds[train_rows] = fold_numbers([sentences[i].family for i in train_rows])
    build.mkdir(parents=True, exist_ok=True)
    path = build / CONVNET_INPUT
    np.savez_compressed(
        path,
        allow_pickle=False,
        ids=np.array([i for row in ids for i in row], dtype=np.int64),
        offsets=np.cumsum([0] + [len(row) for row in ids]).astype(np.int64),
        labels=np.hstack([y.event[:, None], y.types, y.flags]).astype(np.float32),
        folds=folds,
        digest=np.array(corpus_digest(corpus_files(paths))),
    )
    return path


def convnet_labels(names: Sequence[str]) -> list[str]:
    return ["event", *names, *FLAGS]


def blended_out_of_fold(linear: OutOfFold, build: Path, digest: str, train_size: int) -> OutOfFold:
    """The linear heads' out-of-fold probabilities averaged with the network's."""
    made = np.load(build / CONVNET_INPUT)
    if str(made["digest"]) != digest:
        raise SystemExit(f"{build / CONVNET_INPUT} was made from another corpus: run `make model`")
    network = np.load(build / CONVNET_OOF)
    if network.shape[0] != train_size:
        raise SystemExit(f"{build / CONVNET_OOF} does not match the corpus: run `make model`")
    types = linear.types.shape[1]
    w = CONVNET_WEIGHT
    return OutOfFold(
        event=(1 - w) * linear.event + w * network[:, 0],
        types=(1 - w) * linear.types + w * network[:, 1 : 1 + types],
        flags=(1 - w) * linear.flags + w * network[:, 1 + types :],
    )


def model_version(digest: str, out: Path) -> str:
    """The corpus' digest and the weights' bytes: a new corpus or a new network gives
    a new version, so stored documents are recoded (``coder.version``)."""
    version = hashlib.sha1(digest.encode("utf-8"))
    for name in ("heads.npz", "convnet.npz"):
        version.update((out / name).read_bytes())
    return version.hexdigest()[:12]


def corpus_digest(files: Sequence[Path]) -> str:
    digest = hashlib.sha1()
    for path in files:
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train(
    out: Path,
    paths: Sequence[Path] = (),
    log: Callable[[str], None] = print,
    build: Path = BUILD,
) -> dict[str, object]:
    sentences = read_corpus(paths)
    train_part = [s for s in sentences if s.split == "train"]
    test_part = [s for s in sentences if s.split == "test"]
    names = list(load_ontology().plover_types)
    embedder = StaticEmbedder(out)
    lexicon = trigger_lexicon()
    log("parsing the corpus for lemmas")
    lemmas = corpus_lemmas(sentences)
    train_lemmas = [lem for lem, s in zip(lemmas, sentences, strict=True) if s.split == "train"]
    test_lemmas = [lem for lem, s in zip(lemmas, sentences, strict=True) if s.split == "test"]
    x = features(embedder, lexicon, names, [s.text for s in train_part], train_lemmas)
    y = labels(train_part, names)
    groups = [s.family for s in train_part]
    log(f"{len(train_part)} training sentences, {len(test_part)} test; cross-validating")

    best_c, best_f1, oof = C_GRID[0], -1.0, None
    for c in C_GRID:
        found = out_of_fold(x, y, groups, c)
        gold = [frozenset(names[int(j)] for j in np.flatnonzero(r)) for r in y.types]
        predicted = _decide(found.event, found.types, names, 0.5, 0.5)
        f1 = type_sets_figures(names, gold, predicted).macro_f1
        log(f"  C={c}: out-of-fold type macro-F1 {f1:.3f} (thresholds 0.5)")
        if f1 > best_f1:
            best_c, best_f1, oof = c, f1, found
    assert oof is not None
    digest = corpus_digest(corpus_files(paths))
    oof = blended_out_of_fold(oof, build, digest, len(train_part))
    gold = [frozenset(names[int(j)] for j in np.flatnonzero(r)) for r in y.types]
    blended_f1 = type_sets_figures(
        names, gold, _decide(oof.event, oof.types, names, 0.5, 0.5)
    ).macro_f1
    log(f"  with the network: out-of-fold type macro-F1 {blended_f1:.3f} (thresholds 0.5)")
    thresholds = choose_thresholds(oof.event, oof.types, y, names)
    log(f"  chose C={best_c}, thresholds {thresholds}; running the rule coder")
    ruled = rule_types(sentences)
    ruled_train = [r for r, s in zip(ruled, sentences, strict=True) if s.split == "train"]
    ruled_test = [r for r, s in zip(ruled, sentences, strict=True) if s.split == "test"]
    stacker = fit_stacker(as_scores(oof, names), ruled_train, train_part, names, log)

    dims = embedder.dimensions + len(names)  # the embedding, then the lexicon hits
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
    meta: dict[str, object] = {
        "version": model_version(digest, out),
        "labels": {
            "event": ["event"],
            "types": names,
            "root": [str(r) for r in root_head.classes_],
            "flags": list(FLAGS),
        },
        "convnet": {"labels": convnet_labels(names), "weight": CONVNET_WEIGHT},
        "thresholds": thresholds,
        "stacker": stacker,
        "training": {
            "corpus_sentences": len(sentences),
            "train": len(train_part),
            "test": len(test_part),
            "regularisation_c": best_c,
            "out_of_fold_macro_f1": round(best_f1, 4),
            "blended_out_of_fold_macro_f1": round(blended_f1, 4),
        },
    }
    (out / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    shipped = EventModel(out)  # as the coder loads it
    meta["test_figures"] = model_figures(shipped, test_part, test_lemmas).as_dict()
    meta["train_figures"] = model_figures(shipped, train_part, train_lemmas).as_dict()
    rules_test, combined_test = stacked_figures(shipped, test_part, ruled_test, test_lemmas)
    meta["rules_test_figures"] = rules_test.as_dict()
    meta["combined_test_figures"] = combined_test.as_dict()
    (out / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--build", type=Path, default=BUILD, help="the network's files")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="only write the network's input (then run training/convnet.py)",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="corpus files (default: all)")
    args = parser.parse_args(argv)
    if args.prepare:
        print(f"wrote {prepare(args.build, args.out, args.paths)}")
        return 0
    meta = train(args.out, args.paths, build=args.build)
    ways = {
        "rules": meta["rules_test_figures"],
        "model": meta["test_figures"],
        "combined": meta["combined_test_figures"],
    }
    print("test split, per sentence (type P/R/F1 per way):")
    for way, figures in ways.items():
        assert isinstance(figures, dict)
        print(
            f"  {way:<9} macro-F1 {figures['macro_f1']:.3f}  micro-F1 {figures['micro_f1']:.3f}"
            f"  no-event precision {figures['no_event_precision']:.3f}"
            f" recall {figures['no_event_recall']:.3f}"
        )
    model_by_type = meta["test_figures"]
    assert isinstance(model_by_type, dict)
    for name in model_by_type["by_type"]:
        cells = []
        for figures in ways.values():
            assert isinstance(figures, dict)
            p, r, f, n = figures["by_type"][name]
            cells.append(f"{p:.2f}/{r:.2f}/{f:.2f}")
        print(f"  {name:<10} " + "  ".join(cells) + f"  ({n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
