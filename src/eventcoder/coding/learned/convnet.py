"""A small convolutional network over the static token vectors, run in numpy.

The linear heads see a sentence as a bag: the mean of its token vectors and its hashed
words. This network reads the tokens in order: convolutions of a few widths slide over
the token vectors (so "refused to resign", "would not attack", "called off a strike"
are seen as phrases), each filter keeps its strongest and its mean activation over the
sentence, and one linear layer maps those, with the sentence's mean vector, to the
outputs. ``EventModel`` averages its probabilities with the linear heads'.

It is trained in the build venv with torch (``training/convnet.py``); the coder runs
the forward pass here with numpy alone. Sentences are laid end to end, separated by
zero vectors, so one matrix product per width covers a whole batch with no padding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from eventcoder.coding.learned.features import FloatArray

MEAN_SCALE = 4.0  # the mean vector is unit length; scaled to the filters' range


@dataclass(frozen=True)
class ConvNet:
    """Weights read from ``convnet.npz``: per width ``k``, ``conv{k}`` (k*dims x filters)
    and ``conv{k}_bias``; ``out`` ((2 * filters * widths + dims) x outputs), ``out_bias``."""

    widths: tuple[int, ...]
    kernels: tuple[FloatArray, ...]
    biases: tuple[FloatArray, ...]
    out: FloatArray
    out_bias: FloatArray
    labels: tuple[str, ...]

    @classmethod
    def load(cls, path: Path, labels: Sequence[str]) -> ConvNet:
        with np.load(path) as arrays:
            widths = tuple(int(w) for w in arrays["widths"])
            return cls(
                widths=widths,
                kernels=tuple(arrays[f"conv{k}"].astype(np.float32) for k in widths),
                biases=tuple(arrays[f"conv{k}_bias"].astype(np.float32) for k in widths),
                out=arrays["out"].astype(np.float32),
                out_bias=arrays["out_bias"].astype(np.float32),
                labels=tuple(labels),
            )

    def probabilities(
        self, table: npt.NDArray[np.float16], token_ids: Sequence[Sequence[int]]
    ) -> FloatArray:
        """Sigmoid outputs, one row per sentence, one column per label."""
        rows = len(token_ids)
        if rows == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        lengths = np.array([max(len(ids), 1) for ids in token_ids])
        gap = max(self.widths)  # zero rows between sentences: no window sees two
        starts = gap + np.concatenate([[0], np.cumsum(lengths + gap)[:-1]])
        total = int(starts[-1] + lengths[-1] + gap)
        flat = np.array([i for ids in token_ids for i in ids], dtype=np.int64)
        spans = [np.arange(s, s + len(ids)) for s, ids in zip(starts, token_ids, strict=True)]
        vectors = np.zeros((total, table.shape[1]), dtype=np.float32)
        if len(flat):
            vectors[np.concatenate(spans)] = table[flat]
        means = _pooled(vectors, starts, lengths, with_max=False)[1]
        means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
        pooled = []
        for width, kernel, bias in zip(self.widths, self.kernels, self.biases, strict=True):
            # row r of ``hidden`` is the window starting at token r; torch's Conv1d with
            # padding width // 2 centres a window on each token
            count = total - width + 1
            filters = kernel.shape[1]
            hidden = np.broadcast_to(bias, (count, filters)).copy()
            for j in range(width):
                hidden += (
                    vectors[j : j + count] @ kernel[j * table.shape[1] : (j + 1) * table.shape[1]]
                )
            np.maximum(hidden, 0.0, out=hidden)
            maxima, sums = _pooled(hidden, starts - width // 2, lengths, with_max=True)
            pooled.append(maxima)
            pooled.append(sums / lengths[:, None])
        features = np.hstack([*pooled, means * MEAN_SCALE])
        logits = features @ self.out + self.out_bias
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float32)


POOL_CHUNK = 64  # sentences gathered at once, of similar length


def _pooled(
    matrix: FloatArray,
    firsts: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
    *,
    with_max: bool,
) -> tuple[FloatArray, FloatArray]:
    """Per sentence (rows ``firsts[i]`` to ``firsts[i] + lengths[i]``), the maximum
    (zeros unless ``with_max``) and the sum of ``matrix``'s rows. Sentences of similar
    length are gathered into a padded block, which is several times faster than
    ``reduceat`` over rows."""
    count, columns = len(firsts), matrix.shape[1]
    maxima = np.zeros((count, columns), dtype=np.float32)
    sums = np.empty((count, columns), dtype=np.float32)
    order = np.argsort(lengths, kind="stable")
    for chunk in np.array_split(order, max(1, -(-count // POOL_CHUNK))):
        chunk_lengths = lengths[chunk]
        steps = np.arange(int(chunk_lengths.max()))
        valid = steps[None, :] < chunk_lengths[:, None]
        # padding repeats a sentence's first row: harmless to the maximum, masked in the sum
        block = matrix[firsts[chunk][:, None] + np.where(valid, steps[None, :], 0)]
        if with_max:
            maxima[chunk] = block.max(axis=1)
        sums[chunk] = np.einsum("ltc,lt->lc", block, valid.astype(np.float32))
    return maxima, sums
