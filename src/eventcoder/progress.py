"""A one-line progress bar on standard error: documents done, documents/s and time left.

Quiet unless the stream is a terminal, so logs and pipes get no carriage returns.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_MIN_INTERVAL_S = 0.25
_BAR_WIDTH = 20


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Call :meth:`advance` as documents finish; :meth:`close` ends the line.

    ``total`` may be an estimate or ``None`` (then no bar and no time left is shown).
    Documents found already stored count as done but not in the rate, so the time
    left of a resumed run is right.
    """

    def __init__(
        self,
        total: int | None,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        label: str = "coding",
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.label = label
        self.done = 0
        self.worked = 0
        self._started: float | None = None  # the first advance: setting up is not coding
        self._shown_at = 0.0
        self._width = 0

    def advance(self, coded: int = 0, already_done: int = 0) -> None:
        """``coded`` documents were coded; ``already_done`` were stored or skipped."""
        now = time.monotonic()
        if self._started is None:
            self._started = now
        self.done += coded + already_done
        self.worked += coded
        if self.enabled and now - self._shown_at >= _MIN_INTERVAL_S:
            self._shown_at = now
            self._show(now)

    def line(self, now: float | None = None) -> str:
        """The text of the bar as it stands."""
        now = time.monotonic() if now is None else now
        elapsed = now - (self._started if self._started is not None else now)
        rate = self.worked / elapsed if elapsed > 0 else 0.0
        total = self.total if self.total is not None and self.total >= self.done else None
        parts = [self.label]
        if total:
            filled = round(_BAR_WIDTH * self.done / total)
            parts.append("[" + "#" * filled + "." * (_BAR_WIDTH - filled) + "]")
            parts.append(f"{self.done:,}/{total:,} docs")
        else:
            parts.append(f"{self.done:,} docs")
        parts.append(f"{rate:.1f} docs/s")
        if total and rate > 0:
            parts.append(f"{_clock((total - self.done) / rate)} left")
        parts.append(f"{_clock(elapsed)} elapsed")
        return "  ".join(parts)

    def _show(self, now: float) -> None:
        text = self.line(now)
        pad = max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._show(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
