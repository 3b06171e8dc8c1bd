"""The learned event model: linear heads and a small network over a sentence's features.

Heads (all read from ``data/heads.npz``, labels and thresholds from ``data/model.json``):

* ``event``: is there a PLOVER event to code in the sentence (sigmoid);
* ``types``: one sigmoid per PLOVER type (a sentence may hold several);
* ``root``: the CAMEO root of its main event (softmax over the roots seen in training);
* ``flags``: ``negated``, ``hypothetical``, ``future`` (sigmoids), which say why a
  sentence that reads like an event codes nothing.

The convolutional network (``convnet.py``, ``data/convnet.npz``) scores ``event``,
``types`` and ``flags`` from the words in order; its probabilities are averaged with the
heads'. The model loads in well under a second and scores about 3,600 sentences a
second on this machine (8,600 with the heads alone), a small share of the parse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from eventcoder.coding.learned.convnet import ConvNet
from eventcoder.coding.learned.features import (
    FloatArray,
    HashedWords,
    Lexicon,
    StaticEmbedder,
    dense_features,
    hashed_words,
    sentence_lemmas,
)
from eventcoder.coding.learned.stack import Stacker
from eventcoder.coding.patterns import NOT_AN_EVENT, load_vocabulary
from eventcoder.errors import DataError
from eventcoder.ontology import load_ontology

MODEL_DIR = Path(str(resources.files("eventcoder.coding.learned") / "data"))
HEADS = ("event", "types", "root", "flags")
BLENDED = ("event", "types", "flags")  # heads whose probabilities the network shares


@dataclass(frozen=True)
class Thresholds:
    """Where the model's own scores turn into types when it codes alone (chosen by
    cross-validation on the corpus' training part, ``training/train.py``); coding with
    the rules, the stacker decides (``stack.py``)."""

    event: float  # P(event) at or over which the model alone says "an event"
    type: float  # P(type) at or over which the model alone codes that type


@dataclass(frozen=True)
class SentenceScores:
    event: float
    types: Mapping[str, float]
    root: str
    root_score: float
    flags: Mapping[str, float]

    def best_type(self) -> tuple[str, float]:
        name = max(self.types, key=lambda t: self.types[t])
        return name, self.types[name]


@dataclass(frozen=True)
class _Head:
    labels: tuple[str, ...]
    dense: FloatArray
    hashed: FloatArray
    bias: FloatArray
    softmax: bool

    def scores(self, dense: FloatArray, words: HashedWords) -> FloatArray:
        logits = dense @ self.dense + self.bias
        for row in range(len(words)):
            lo, hi = words.offsets[row], words.offsets[row + 1]
            if hi > lo:
                logits[row] += words.values[lo:hi] @ self.hashed[words.indices[lo:hi]]
        if self.softmax:
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float32)


class EventModel:
    """Scores sentences; load once (``load_event_model``) and call ``score`` per batch."""

    def __init__(self, folder: Path = MODEL_DIR, lexicon: Lexicon | None = None) -> None:
        self.folder = folder
        self.lexicon: Lexicon = lexicon if lexicon is not None else trigger_lexicon()
        meta_path = folder / "model.json"
        try:
            self.meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
            arrays = np.load(folder / "heads.npz")
            self.embedder = StaticEmbedder(folder)
        except (OSError, ValueError, KeyError) as exc:
            raise DataError(
                f"the learned event model is missing or broken ({exc}); rebuild it with "
                "`make model`, or code with rules only (`--no-model`)",
                str(folder),
            ) from exc
        labels = self.meta["labels"]
        self.heads = {
            name: _Head(
                labels=tuple(labels[name]),
                dense=arrays[f"{name}_dense"].astype(np.float32),
                hashed=arrays[f"{name}_hashed"].astype(np.float32),
                bias=arrays[f"{name}_bias"].astype(np.float32),
                softmax=name == "root",
            )
            for name in HEADS
        }
        self.convnet: ConvNet | None = None
        self.convnet_columns: dict[str, list[int]] = {}
        self.convnet_weight = 0.0
        blended = self.meta.get("convnet")
        if blended is not None:
            try:
                self.convnet = ConvNet.load(folder / "convnet.npz", blended["labels"])
            except (OSError, ValueError, KeyError) as exc:
                raise DataError(
                    f"the learned event model's network is missing or broken ({exc}); "
                    "rebuild it with `make model`, or code with rules only (`--no-model`)",
                    str(folder / "convnet.npz"),
                ) from exc
            column = {label: j for j, label in enumerate(blended["labels"])}
            self.convnet_columns = {
                name: [column[label] for label in self.heads[name].labels] for name in BLENDED
            }
            self.convnet_weight = float(blended["weight"])
        self.thresholds = Thresholds(**self.meta["thresholds"])
        stacked = self.meta.get("stacker")
        self.stacker: Stacker | None = None
        if stacked is not None:
            self.stacker = Stacker(
                weights=tuple(float(w) for w in stacked["weights"]),
                bias=float(stacked["bias"]),
                veto=float(stacked["veto"]),
                drop=float(stacked["drop"]),
                add=float(stacked["add"]),
                types=self.types,
            )

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    @property
    def types(self) -> tuple[str, ...]:
        return self.heads["types"].labels

    def score(
        self, texts: Sequence[str], lemmas: Sequence[Sequence[str]] | None = None
    ) -> list[SentenceScores]:
        """Scores of each sentence; ``lemmas`` are its words' lemmas as spaCy gives them
        (without a parse, its lower-cased words stand in)."""
        if not texts:
            return []
        ids = self.embedder.token_ids(texts)
        found = lemmas if lemmas is not None else sentence_lemmas(texts)
        dense = dense_features(self.embedder, self.lexicon, self.types, ids, found)
        words = hashed_words(texts, found)
        out = {name: head.scores(dense, words) for name, head in self.heads.items()}
        if self.convnet is not None:
            convnet = self.convnet.probabilities(self.embedder.table, ids)
            for name, columns in self.convnet_columns.items():
                out[name] = (1 - self.convnet_weight) * out[name] + (
                    self.convnet_weight * convnet[:, columns]
                )
        types, roots, flags = self.heads["types"], self.heads["root"], self.heads["flags"]
        result = []
        for row in range(len(texts)):
            best_root = int(np.argmax(out["root"][row]))
            result.append(
                SentenceScores(
                    event=float(out["event"][row][0]),
                    types=dict(zip(types.labels, map(float, out["types"][row]), strict=True)),
                    root=roots.labels[best_root],
                    root_score=float(out["root"][row][best_root]),
                    flags=dict(zip(flags.labels, map(float, out["flags"][row]), strict=True)),
                )
            )
        return result

    def predicted_types(self, scores: SentenceScores) -> frozenset[str]:
        """The types the model alone codes for a sentence."""
        if scores.event < self.thresholds.event:
            return frozenset()
        chosen = {t for t, p in scores.types.items() if p >= self.thresholds.type}
        return frozenset(chosen or {scores.best_type()[0]})


def trigger_lexicon() -> Lexicon:
    """Every trigger lemma of the shipped rule patterns with the PLOVER types it codes."""
    ontology = load_ontology()
    vocabulary = load_vocabulary(())
    found: dict[str, set[str]] = {}
    for table in (vocabulary.verbs, vocabulary.nouns):
        for lemma, patterns in table.items():
            for pattern in patterns:
                if pattern.cameo == NOT_AN_EVENT:
                    continue
                plover = ontology.cameo(pattern.cameo).plover
                if plover is not None:
                    found.setdefault(lemma, set()).add(plover.event)
    return {lemma: frozenset(types) for lemma, types in found.items()}


def learned_model_version(folder: Path = MODEL_DIR) -> str:
    """The shipped model's version, read without loading its weights ("none" if absent)."""
    try:
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        return str(meta["version"])
    except (OSError, ValueError, KeyError):
        return "none"


@lru_cache(maxsize=2)
def load_event_model(folder: Path = MODEL_DIR) -> EventModel:
    return EventModel(folder)
