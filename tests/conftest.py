from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eventcoder.pipeline import Coder, CoderConfig, get_coder

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "eventcoder" / "samples"


@pytest.fixture(scope="session")
def coder() -> Iterator[Coder]:
    """One loaded coder (md model) shared by the whole session: loading takes seconds."""
    yield get_coder(CoderConfig(model="md", kb_dirs=()))


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SAMPLES / "seed_article.txt"
