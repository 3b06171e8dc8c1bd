"""``eventcoder watch``: the command over :class:`eventcoder.watch.run.Watcher`; signals,
progress and the summary of each poll."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

from eventcoder.errors import InputError, UsageError

if TYPE_CHECKING:
    from eventcoder.watch.run import PollSummary


def feed_urls(given: list[str]) -> list[str]:
    """Feed URLs from the arguments: URLs as they are, files read as feed lists."""
    from eventcoder.watch.feeds import read_feed_list

    urls: list[str] = []
    for value in given:
        if value.startswith(("http://", "https://")):
            urls.append(value)
        elif "://" in value:
            raise UsageError(f"{value}: only http(s) feeds can be watched")
        else:
            try:
                urls.extend(read_feed_list(value))
            except InputError as exc:
                raise UsageError(str(exc)) from exc
    return list(dict.fromkeys(urls))


@contextmanager
def stop_on_signals(stop: threading.Event, say: Callable[[str], None]) -> Iterator[None]:
    """SIGINT (Ctrl-C) and SIGTERM set ``stop``: the watcher finishes the document in hand
    and returns. A second Ctrl-C interrupts at once."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handle(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()
        say("stopping after the document in hand (Ctrl-C again to stop at once)")

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _reasons(counts: Counter[str]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in counts.most_common())


def summary_line(poll: PollSummary) -> str:
    """One line of what a poll did, the reasons of failures counted."""
    parts = [
        f"feeds polled {poll.feeds} ({poll.feeds_not_modified} unchanged"
        + (f", failed: {_reasons(poll.feeds_failed)}" if poll.feeds_failed else "")
        + ")",
        f"new items {poll.new_items}",
        f"fetched {poll.fetched}",
        f"coded {poll.coded} ({poll.events} events)",
    ]
    if poll.not_english:
        parts.append(
            f"not in English {sum(poll.not_english.values())} ({_reasons(poll.not_english)})"
        )
    if poll.skipped:
        parts.append(f"skipped {sum(poll.skipped.values())} ({_reasons(poll.skipped)})")
    parts.append(
        f"failed {sum(poll.failed.values())}"
        + (f" ({_reasons(poll.failed)})" if poll.failed else "")
    )
    return "poll: " + "; ".join(parts) + f"; {poll.seconds:.1f} s"


def cmd_watch(args: argparse.Namespace) -> int:
    from eventcoder.pipeline import CoderConfig
    from eventcoder.store import open_store
    from eventcoder.watch.fetch import FetchPolicy
    from eventcoder.watch.run import Watcher, WatchSettings

    def say(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    feeds = feed_urls(args.feeds)
    if not feeds:
        raise UsageError("no feed to watch: give feed URLs or a feed list file")
    policy = FetchPolicy(
        timeout_s=args.timeout,
        retries=args.retries,
        host_delay_s=args.host_delay,
        max_bytes=args.max_bytes,
        concurrency=args.concurrency,
    )
    stop = threading.Event()
    with open_store(args.db) as store, stop_on_signals(stop, say):
        watcher = Watcher(
            store,
            feeds,
            config=CoderConfig(model=args.model),
            settings=WatchSettings(policy=policy),
            stop=stop,
            progress=say,
            on_poll=lambda poll: print(summary_line(poll), flush=True),
        )
        say(
            f"watching {len(feeds)} feed(s) into {store.url}"
            + ("" if args.once else f", every {args.interval:g} s")
        )
        watcher.run(args.interval, once=args.once)
    return 0
