"""Sentence features for the learned event model: static embeddings and hashed n-grams.

Training (``training/train.py``) and coding use this one module, so a sentence gets the
same features in both. Two views of a sentence:

* its **meaning**: the mean of the static token vectors distilled from MiniLM-L6
  (``training/distill.py``), L2-normalised: paraphrases land near each other;
* its **wording**: lower-cased word unigrams and bigrams hashed into ``HASH_BUCKETS``
  buckets, L2-normalised: "refused to", "did not", "would" keep their order and weight.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
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


def hashed_words(texts: Sequence[str]) -> HashedWords:
    indices: list[int] = []
    values: list[float] = []
    offsets = [0]
    for text in texts:
        buckets = sorted({zlib.crc32(g.encode("utf-8")) % HASH_BUCKETS for g in ngrams(text)})
        weight = 1.0 / np.sqrt(len(buckets)) if buckets else 0.0
        indices.extend(buckets)
        values.extend([weight] * len(buckets))
        offsets.append(len(indices))
    return HashedWords(
        np.asarray(indices, dtype=np.int64),
        np.asarray(values, dtype=np.float32),
        np.asarray(offsets, dtype=np.int64),
    )


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

    def embed(self, texts: Sequence[str]) -> FloatArray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, encoding in enumerate(
            self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        ):
            ids = encoding.ids[:MAX_TOKENS]
            if ids:
                out[row] = self.table[ids].astype(np.float32).mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: FloatArray = out / np.maximum(norms, 1e-9)
        return normalised
