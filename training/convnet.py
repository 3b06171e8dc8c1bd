"""Train the learned event model's convolutional network (build step, torch).

Runs in the build venv of ``make model`` (torch lives only there), between the two
steps of ``training/train.py``:

1. ``python -m training.train --prepare BUILD`` writes ``BUILD/convnet_input.npz``: the
   token ids of every corpus sentence, its labels (event, the PLOVER types, the flags)
   and its cross-validation fold (-1 for the test part).
2. This script fits the network once per fold and writes the out-of-fold probabilities
   of the training part to ``BUILD/convnet_oof.npy`` (``train.py`` chooses thresholds and
   fits the stacker on them, as it does with the linear heads'), then fits it on the
   whole training part and writes the weights to ``MODEL_DATA/convnet.npz``, which
   ``eventcoder.coding.learned.convnet`` runs with numpy.

Deterministic: fixed seeds, two threads, no data-dependent sampling.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

WIDTHS = (3,)
FILTERS = 256
EPOCHS = 12
BATCH = 64
LEARNING_RATE = 2e-3
WEIGHT_DECAY = 1e-5
DROPOUT = 0.3
MEAN_SCALE = 4.0  # as eventcoder.coding.learned.convnet.MEAN_SCALE
SEED = 0


def _network(table: Any, outputs: int) -> Any:
    import torch
    from torch import nn

    class Network(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.embedding = nn.Embedding.from_pretrained(table, freeze=True)
            self.convs = nn.ModuleList(
                [nn.Conv1d(table.shape[1], FILTERS, k, padding=k // 2) for k in WIDTHS]
            )
            self.dropout = nn.Dropout(DROPOUT)
            self.out = nn.Linear(2 * FILTERS * len(WIDTHS) + table.shape[1], outputs)

        def forward(self, ids: Any, mask: Any) -> Any:
            vectors = self.embedding(ids)
            count = mask.sum(1, keepdim=True).clamp(min=1)
            mean = (vectors * mask[..., None]).sum(1) / count
            mean = mean / mean.norm(dim=1, keepdim=True).clamp(min=1e-9)
            dropped = self.dropout(vectors).transpose(1, 2)
            pooled = []
            for conv in self.convs:
                hidden = torch.relu(conv(dropped)).transpose(1, 2)[:, : ids.shape[1]]
                pooled.append((hidden - (1 - mask[..., None]) * 1e4).max(1).values)
                pooled.append((hidden * mask[..., None]).sum(1) / count)
            return self.out(self.dropout(torch.cat([*pooled, mean * MEAN_SCALE], 1)))

    return Network()


def _batch(ids: list[list[int]]) -> tuple[Any, Any]:
    import torch

    longest = max(max(len(row) for row in ids), 1)
    out = np.zeros((len(ids), longest), dtype=np.int64)
    mask = np.zeros((len(ids), longest), dtype=np.float32)
    for i, row in enumerate(ids):
        out[i, : len(row)] = row
        mask[i, : len(row)] = 1.0
    return torch.tensor(out), torch.tensor(mask)


def fit(table: Any, ids: list[list[int]], labels: Any) -> Any:
    import torch

    torch.manual_seed(SEED)
    network = _network(table, labels.shape[1])
    trainable = [p for p in network.parameters() if p.requires_grad]
    optimiser = torch.optim.Adam(trainable, lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    target = torch.tensor(labels)
    order = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        network.train()
        permutation = torch.randperm(len(ids), generator=order).tolist()
        for start in range(0, len(ids), BATCH):
            chosen = permutation[start : start + BATCH]
            x, mask = _batch([ids[i] for i in chosen])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                network(x, mask), target[chosen]
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    network.eval()
    return network


def predict(network: Any, ids: list[list[int]]) -> Any:
    import torch

    out = []
    with torch.no_grad():
        for start in range(0, len(ids), 256):
            x, mask = _batch(ids[start : start + 256])
            out.append(torch.sigmoid(network(x, mask)).numpy())
    return np.vstack(out)


def weights(network: Any) -> dict[str, Any]:
    arrays: dict[str, Any] = {"widths": np.array(WIDTHS, dtype=np.int64)}
    for width, conv in zip(WIDTHS, network.convs, strict=True):
        kernel = conv.weight.detach().numpy()  # filters x dims x width
        # window rows are laid token after token: (width * dims) x filters
        arrays[f"conv{width}"] = kernel.transpose(2, 1, 0).reshape(-1, FILTERS)
        arrays[f"conv{width}_bias"] = conv.bias.detach().numpy()
    arrays["out"] = network.out.weight.detach().numpy().T
    arrays["out_bias"] = network.out.bias.detach().numpy()
    return {
        key: value if key == "widths" else np.ascontiguousarray(value, dtype=np.float32)
        for key, value in arrays.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("build", type=Path, help="folder of convnet_input.npz")
    parser.add_argument("out", type=Path, help="model folder (embeddings.npy; gets convnet.npz)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    data = np.load(args.build / "convnet_input.npz")
    offsets, flat = data["offsets"], data["ids"]
    ids = [flat[offsets[i] : offsets[i + 1]].tolist() for i in range(len(offsets) - 1)]
    labels, folds = data["labels"].astype(np.float32), data["folds"]
    table = torch.tensor(np.load(args.out / "embeddings.npy").astype(np.float32))
    train = np.flatnonzero(folds >= 0)
    oof = np.zeros((len(train), labels.shape[1]), dtype=np.float32)
    position = {int(row): i for i, row in enumerate(train)}
    started = time.monotonic()
    for fold in range(int(folds.max()) + 1):
        held = np.flatnonzero(folds == fold)
        rest = [int(i) for i in train if folds[i] != fold]
        network = fit(table, [ids[i] for i in rest], labels[rest])
        oof[[position[int(i)] for i in held]] = predict(network, [ids[i] for i in held])
        print(f"  convnet fold {fold}: {time.monotonic() - started:.0f} s", flush=True)
    np.save(args.build / "convnet_oof.npy", oof, allow_pickle=False)
    network = fit(table, [ids[i] for i in train], labels[train])
    np.savez_compressed(args.out / "convnet.npz", allow_pickle=False, **weights(network))
    print(f"wrote {args.out / 'convnet.npz'} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
