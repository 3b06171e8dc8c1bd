"""``make bench-watch --quick``: a small loopback news site in its own process is polled by
the real Watcher; every feed is read (then answered 304), every article fetched once,
extracted word for word and coded, nothing fails, and the JSON has every figure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.watch_load import QUICK

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_watch_bench_fetches_and_codes_everything(tmp_path: Path) -> None:
    out = tmp_path / "bench-watch.json"
    work = tmp_path / "tmp"
    work.mkdir()
    command = [sys.executable, "-m", "benchmarks.watch_load", "--quick", "--json", str(out)]
    env = {**os.environ, "TMPDIR": str(work)}  # the stores and the site's log go there
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "feeds/min" in done.stdout and "docs/s" in done.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["problems"] == []
    assert list(work.iterdir()) == []  # the work directory was removed

    site, settings = result["site"], result["settings"]
    assert settings["quick"] and site["feeds"] == QUICK["feeds"] == settings["feeds"]
    assert site["hosts"] == QUICK["hosts"] and site["articles"] == QUICK["articles"]
    assert 55 <= site["page_kb_min"] <= site["page_kb_mean"] <= site["page_kb_max"] <= 125

    coding = result["coding"]
    assert coding["docs"] == site["articles"] and coding["docs_per_s"] > 0
    extraction = result["extraction"]
    assert extraction["pages"] == extraction["texts_identical"] == site["articles"]
    assert extraction["pages_per_s"] > 0 and extraction["ratio"] > 0
    assert result["download"]["pages"] == site["articles"]

    polls = {(p["host_delay_s"], p["poll"]): p for p in result["feed_polls"]}
    assert set(polls) == {(0.0, "first"), (0.0, "second"), (1.0, "first"), (1.0, "second")}
    for (_, which), poll in polls.items():
        assert poll["feeds"] == site["feeds"] and poll["failed"] == 0
        assert poll["feeds_per_min"] > 0
        if which == "first":
            assert poll["new_items"] == site["articles"] and poll["not_modified"] == 0
        else:
            assert poll["new_items"] == 0 and poll["not_modified"] == site["feeds"]

    first, second = result["whole_polls"]
    assert first["failed"] == first["skipped"] == first["feeds_failed"] == {}
    assert first["new_items"] == first["fetched"] == first["coded"] == site["articles"]
    assert first["events"] > 0 and first["not_english"] == 0
    assert first["fetched_per_s"] > 0 and first["coded_per_s"] > 0 and first["fetch_to_code"] > 0
    assert first["seconds"] >= first["feeds_s"] + first["fetch_s"] + first["code_s"] - 0.01
    assert second["fetched"] == second["coded"] == 0
    assert second["feeds_not_modified"] == site["feeds"]

    served = result["served"]
    assert served.get("not found", 0) == 0
    assert served["news 200"] == 2 * site["articles"]  # the download, then the watcher: once
    assert served["feeds 304"] == 2 * site["feeds"]
