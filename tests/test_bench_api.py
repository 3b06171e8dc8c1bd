"""``make bench-api --quick``: a small store is built, served by the real ``eventcoder serve``
and driven by concurrent clients; every kind of request is answered, none fails, and a
second run reuses the cached store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.api_load import QUICK_EVENTS
from benchmarks.api_mix import MIX

ROOT = Path(__file__).resolve().parents[1]


def _bench(workdir: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "benchmarks.api_load", "--quick", "--workdir", str(workdir),
        "--json", str(out), "--clients", "8", "--duration", "3", "--warmup", "1",
    ]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_quick_bench_serves_every_kind_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "bench-api.json"
    done = _bench(tmp_path / "work", out)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    (run,) = result["runs"]
    assert run["backend"] == "sqlite"
    assert run["store"]["events"] >= QUICK_EVENTS and not run["store"]["reused"]
    assert [phase["name"] for phase in run["phases"]] == ["saturation", "paced"]
    for phase in run["phases"]:
        assert phase["overall"]["errors"] == 0
        kinds = {k["name"]: k["requests"] for k in phase["kinds"]}
        assert set(kinds) == {kind for kind, _ in MIX}
        assert all(n > 0 for n in kinds.values()), kinds
        assert phase["server_cpu_cores"] > 0
    assert "p95 ms" in done.stdout and "saturation" in done.stdout

    again = _bench(tmp_path / "work", out)
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["runs"][0]["store"]["reused"]
