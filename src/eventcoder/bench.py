"""``make bench``: coding speed and memory next to a plain spaCy pass, in the same run.

Each measurement runs in its own child process so peak memory (max RSS) belongs
to that measurement alone. The corpus is built from the packaged sample articles:
their sentences are recombined into ``--docs`` articles of realistic length.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from eventcoder.ingest import iter_documents, sample_corpus_paths
from eventcoder.model import Document


def build_corpus(n_docs: int, seed: int = 7) -> list[Document]:
    """Deterministic synthetic articles of 6–14 sentences from the sample corpus."""
    sentences: list[str] = []
    for item in iter_documents(sample_corpus_paths()):
        if isinstance(item, Document):
            for para in item.text.split("\n\n"):
                sentences.extend(s.strip() + "." for s in para.split(". ") if len(s) > 30)
    rng = random.Random(seed)
    docs = []
    for i in range(n_docs):
        k = rng.randint(6, 14)
        text = " ".join(rng.choice(sentences) for _ in range(k))
        docs.append(Document(doc_id=f"bench-{i}", text=text, date=date(2024, 1, 25)))
    return docs


def _measure(mode: str, n_docs: int, model: str, batch_size: int) -> dict[str, float]:
    docs = build_corpus(n_docs)
    words = sum(len(d.text.split()) for d in docs)
    if mode == "spacy":
        from eventcoder.nlp import load_pipeline

        nlp = load_pipeline(model)
        started = time.perf_counter()
        for _ in nlp.pipe((d.text for d in docs), batch_size=batch_size):
            pass
        elapsed = time.perf_counter() - started
        events = 0
    else:
        from eventcoder.pipeline import Coder, CoderConfig
        from eventcoder.store import open_store

        coder = Coder(CoderConfig(model=model, batch_size=batch_size, kb_dirs=()))
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(str(Path(tmp) / "bench.db"))
            started = time.perf_counter()
            events = 0
            batch = []
            for document, found in coder.code_documents(docs):
                events += len(found)
                batch.append((document, found))
                if len(batch) >= 64:
                    store.write_many(batch, coder_version=coder.version)
                    batch = []
            if batch:
                store.write_many(batch, coder_version=coder.version)
            elapsed = time.perf_counter() - started
            store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "docs": n_docs,
        "words": words,
        "seconds": elapsed,
        "docs_per_s": n_docs / elapsed,
        "words_per_s": words / elapsed,
        "peak_mb": peak_mb,
        "events": events,
    }


def _child(mode: str, n_docs: int, model: str, batch_size: int) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "eventcoder.bench",
            "--child",
            mode,
            "--docs",
            str(n_docs),
            "--model",
            model,
            "--batch-size",
            str(batch_size),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eventcoder.bench", description=__doc__)
    parser.add_argument("--docs", type=int, default=500, help="articles in the corpus")
    parser.add_argument("--model", choices=("md", "sm"), default="md")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--child", choices=("spacy", "coder"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_measure(args.child, args.docs, args.model, args.batch_size)))
        return 0
    base = _child("spacy", args.docs, args.model, args.batch_size)
    full = _child("coder", args.docs, args.model, args.batch_size)
    print(
        f"corpus: {args.docs} articles, {int(base['words'])} words, model {args.model}, 1 process"
    )
    for name, r in (("spaCy nlp.pipe (baseline)", base), ("eventcoder code", full)):
        print(
            f"{name:28} {r['docs_per_s']:8.1f} docs/s {r['words_per_s']:10.0f} words/s "
            f"peak {r['peak_mb']:7.0f} MB"
        )
    print(f"throughput ratio (eventcoder / spaCy): {full['docs_per_s'] / base['docs_per_s']:.2f}")
    print(f"peak memory ratio (eventcoder / spaCy): {full['peak_mb'] / base['peak_mb']:.2f}")
    print(f"events coded: {int(full['events'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
