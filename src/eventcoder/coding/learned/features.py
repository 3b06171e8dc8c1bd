"""Sentence features for the learned event model: static embeddings and hashed n-grams.

Training (``training/train.py``) and coding use this one module, so a sentence gets the
same features in both. Two views of a sentence:

* its **meaning**: the mean of the static token vectors distilled from MiniLM-L6
  (``training/distill.py``), L2-normalised: paraphrases land near each other;
* its **wording**: lower-cased word unigrams and bigrams, and the lemmas spaCy gives
  its words, hashed into ``HASH_BUCKETS`` buckets, L2-normalised: "refused to", "did
  not", "would" keep their order and weight, "demonstrated" and "demonstrators" meet;
* the **trigger lexicon**: for each PLOVER type, whether a lemma of the sentence is a
  trigger of that type in the rule patterns (``coding/data/patterns``), so the model
  knows every trigger word the rules know, even one its corpus never used.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

HASH_BUCKETS = 1 << 15
MAX_TOKENS = 128  # a sentence longer than this is read from its start

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class HashedWords:
    """The hashed n-grams of a batch of sentences, as a CSR-like pair of arrays:
    sentence ``i`` has buckets ``indices[offsets[i]:offsets[i + 1]]`` with ``values`` alike."""

    indices: IntArray
    values: FloatArray
    offsets: IntArray

    def __len__(self) -> int:
        return len(self.offsets) - 1


def ngrams(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def hashed_words(
    texts: Sequence[str], lemmas: Sequence[Sequence[str]] | None = None
) -> HashedWords:
    indices: list[int] = []
    values: list[float] = []
    offsets = [0]
    for row, text in enumerate(texts):
        grams = ngrams(text)
        if lemmas is not None:  # words only: punctuation says more of layout than of events
            grams += [f"={lemma}" for lemma in lemmas[row] if _WORD.fullmatch(lemma)]
        buckets = sorted({zlib.crc32(g.encode("utf-8")) % HASH_BUCKETS for g in grams})
        weight = 1.0 / np.sqrt(len(buckets)) if buckets else 0.0
        indices.extend(buckets)
        values.extend([weight] * len(buckets))
        offsets.append(len(indices))
    return HashedWords(
        np.asarray(indices, dtype=np.int64),
        np.asarray(values, dtype=np.float32),
        np.asarray(offsets, dtype=np.int64),
    )


Lexicon = Mapping[str, frozenset[str]]  # trigger lemma -> the PLOVER types it triggers


def lexicon_hits(
    lemmas: Sequence[Sequence[str]], lexicon: Lexicon, types: Sequence[str]
) -> FloatArray:
    """One row per sentence, one column per type: 1 where a lemma triggers that type."""
    column = {name: j for j, name in enumerate(types)}
    out = np.zeros((len(lemmas), len(types)), dtype=np.float32)
    for row, words in enumerate(lemmas):
        for lemma in words:
            for name in lexicon.get(lemma, ()):
                out[row, column[name]] = 1.0
    return out


def sentence_lemmas(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased words, the stand-in for lemmas where no parse is at hand."""
    return [_WORD.findall(text.lower()) for text in texts]


class StaticEmbedder:
    """Sentence vectors from a static token table (``embeddings.npy``, ``tokenizer.json``)."""

    def __init__(self, folder: Path) -> None:
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.table: npt.NDArray[np.float16] = np.load(folder / "embeddings.npy")

    @property
    def dimensions(self) -> int:
        return int(self.table.shape[1])

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each sentence's token ids, its first ``MAX_TOKENS`` only."""
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [list(encoding.ids[:MAX_TOKENS]) for encoding in encodings]

    def embed(self, token_ids: Sequence[Sequence[int]]) -> FloatArray:
        """The L2-normalised mean of each sentence's token vectors."""
        out = np.zeros((len(token_ids), self.dimensions), dtype=np.float32)
        for row, ids in enumerate(token_ids):
            if ids:
                out[row] = self.table[list(ids)].astype(np.float32).mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: FloatArray = out / np.maximum(norms, 1e-9)
        return normalised


def dense_features(
    embedder: StaticEmbedder,
    lexicon: Lexicon,
    types: Sequence[str],
    token_ids: Sequence[Sequence[int]],
    lemmas: Sequence[Sequence[str]],
) -> FloatArray:
    """The embedding and the trigger lexicon's hits, side by side."""
    return np.hstack([embedder.embed(token_ids), lexicon_hits(lemmas, lexicon, types)])
