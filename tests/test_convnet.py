"""The learned model's convolutional network, run with numpy, computes what torch's
``Conv1d`` (padding ``width // 2``) with max and mean pooling computes: checked against a
plain per-sentence loop, for batches of any make-up and widths odd and even."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from eventcoder.coding.learned.convnet import MEAN_SCALE, ConvNet
from eventcoder.coding.learned.model import MODEL_DIR, EventModel
from eventcoder.errors import DataError

DIMS, FILTERS, LABELS = 6, 5, 3


def _network(widths: tuple[int, ...], seed: int = 0) -> ConvNet:
    rng = np.random.default_rng(seed)
    return ConvNet(
        widths=widths,
        kernels=tuple(rng.normal(size=(k * DIMS, FILTERS)).astype(np.float32) for k in widths),
        biases=tuple(rng.normal(size=FILTERS).astype(np.float32) for _ in widths),
        out=rng.normal(size=(2 * FILTERS * len(widths) + DIMS, LABELS)).astype(np.float32),
        out_bias=rng.normal(size=LABELS).astype(np.float32),
        labels=("a", "b", "c"),
    )


def _reference(
    net: ConvNet, table: npt.NDArray[np.float16], ids: list[int]
) -> npt.NDArray[np.float64]:
    x = table[ids].astype(np.float64) if ids else np.zeros((1, DIMS))
    mean = x.mean(axis=0)
    mean /= max(float(np.linalg.norm(mean)), 1e-9)
    pooled = []
    for width, kernel, bias in zip(net.widths, net.kernels, net.biases, strict=True):
        left = width // 2
        padded = np.vstack([np.zeros((left, DIMS)), x, np.zeros((width, DIMS))])
        hidden = np.array(
            [
                np.maximum(padded[i : i + width].reshape(-1) @ kernel + bias, 0.0)
                for i in range(len(x))
            ]
        )
        pooled += [hidden.max(axis=0), hidden.mean(axis=0)]
    logits = np.concatenate([*pooled, mean * MEAN_SCALE]) @ net.out + net.out_bias
    return np.asarray(1.0 / (1.0 + np.exp(-logits)))


@pytest.mark.parametrize("widths", [(3,), (1,), (2, 3, 4)])
def test_a_batch_scores_each_sentence_as_alone(widths: tuple[int, ...]) -> None:
    rng = np.random.default_rng(1)
    table = rng.normal(size=(40, DIMS)).astype(np.float16)
    net = _network(widths)
    batch = [[1, 2, 3, 4], [5], [], [7, 8, 9, 10, 11, 12, 13], [39, 0]]
    got = net.probabilities(table, batch)
    assert got.shape == (len(batch), LABELS)
    for row, ids in enumerate(batch):
        np.testing.assert_allclose(got[row], _reference(net, table, ids), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(net.probabilities(table, [ids])[0], got[row], atol=1e-6)
    assert net.probabilities(table, []).shape == (0, LABELS)


def test_the_shipped_network_shares_the_probabilities() -> None:
    model = EventModel()
    assert model.convnet is not None and 0.0 < model.convnet_weight < 1.0
    assert list(model.convnet.labels) == [
        "event",
        *model.types,
        *model.heads["flags"].labels,
    ]


def test_a_missing_network_says_how_to_rebuild_it(tmp_path: Path) -> None:
    shutil.copytree(MODEL_DIR, tmp_path / "m")
    (tmp_path / "m" / "convnet.npz").unlink()
    with pytest.raises(DataError, match="make model"):
        EventModel(tmp_path / "m")
