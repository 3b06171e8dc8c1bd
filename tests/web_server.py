"""Test helper: a store coded from the samples (plus hostile articles) and a live
``eventcoder serve`` over it on a free loopback port.

The store is coded once per test session (``coded_store``): the browser tests and the
API fuzz run share it. ``LiveServer.start`` runs ``eventcoder serve`` as a subprocess,
waits until ``/api/health`` answers and stops the server when its ``with`` block ends.

>>> with LiveServer.start(db) as server:  # doctest: +SKIP
...     health = server.get_json("/api/health")
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from benchmarks.postgres_server import free_port

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "src" / "eventcoder" / "samples"
HOST = "127.0.0.1"
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10
CODE_TIMEOUT_S = 600
# Loopback only: never through a proxy that the environment may name.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

SCRIPT = "<script>alert(1)</script>"
IMG_ONERROR = '"><img src=x onerror=alert(1)>'
JAVASCRIPT_URL = "javascript:alert(1)"
HOSTILE_DOC_ID = "hostile-markup"
# Sentences the coder turns into events (Poland condemns Russia, Ukraine thanks Poland)
# with markup and a script in the middle: the UI must show all of it as text.
HOSTILE_ARTICLE = {
    "id": HOSTILE_DOC_ID,
    "date": "2024-02-05",
    "title": f"Poland condemns Russia {SCRIPT} {IMG_ONERROR}",
    "source": f"Hostile Wire {IMG_ONERROR}",
    "url": JAVASCRIPT_URL,
    "text": (
        f"Poland condemned Russia {SCRIPT} over the missile strikes on Monday. "
        f"Ukraine thanked Poland {IMG_ONERROR} for its support. "
        f"Polish President Andrzej Duda criticised Russia for the attacks, "
        f'see <a href="{JAVASCRIPT_URL}">the statement</a>.'
    ),
}


def eventcoder_command(*args: str) -> list[str]:
    """The ``eventcoder`` command of this interpreter's installation."""
    return [sys.executable, "-m", "eventcoder.cli", *args]


def code_sample_store(directory: Path) -> Path:
    """Code the samples and the hostile article into ``directory/events.db``; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    hostile = directory / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE_ARTICLE) + "\n", encoding="utf-8")
    db = directory / "events.db"
    command = eventcoder_command(
        "code", str(SAMPLES), str(hostile), "--db", str(db), "--workers", "1", "--quiet"
    )
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=CODE_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"coding the sample store failed ({' '.join(command)}, exit {done.returncode}):\n"
            f"{done.stderr}"
        )
    return db


def coded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's sample store, coded on first use (about 20 s) and shared afterwards."""
    directory = tmp_path_factory.getbasetemp() / "web-sample-store"
    done = directory / "coded"
    if not done.exists():
        code_sample_store(directory)
        done.touch()
    return directory / "events.db"


class ServerFailed(RuntimeError):
    """``eventcoder serve`` exited or did not answer in time; the message has its output."""


@dataclass(frozen=True)
class LiveServer:
    """A running ``eventcoder serve``: its base URL (``http://127.0.0.1:PORT``)."""

    base_url: str
    port: int
    db: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, db: Path, *, extra_args: tuple[str, ...] = ()) -> LiveServer:
        """Serve ``db`` on a free loopback port and wait until ``/api/health`` answers.

        Only the port is passed (and ``extra_args``): the host is the command's default.
        """
        port = free_port()
        log_path = db.parent / f"serve-{port}.log"
        command = eventcoder_command("serve", "--db", str(db), "--port", str(port), *extra_args)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        server = cls(f"http://{HOST}:{port}", port, db, log_path, process)
        try:
            server._wait_until_healthy()
        except BaseException:
            server.stop()
            raise
        return server

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(
                    f"eventcoder serve exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                with _OPENER.open(self.url("/api/health"), timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise ServerFailed(
            f"eventcoder serve did not answer /api/health within {START_TIMEOUT_S} s:\n"
            f"{self.output()}"
        )

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (which starts with '/') on this server."""
        return self.base_url + path

    def get_json(self, path: str) -> Any:
        """GET ``path`` and decode its JSON body (raises ``HTTPError`` for a 4xx or 5xx)."""
        with _OPENER.open(self.url(path), timeout=30) as response:
            return json.load(response)

    def output(self) -> str:
        """What the server printed so far (stdout and stderr)."""
        return self.log_path.read_text("utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after a grace period)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_S)

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
