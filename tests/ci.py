"""Whether the tests run in CI: there slow tests run and missing servers fail, not skip."""

from __future__ import annotations

import os


def in_ci() -> bool:
    """True when the environment variable CI is set (and not to 0/false/no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
