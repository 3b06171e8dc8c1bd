"""Corpus runs: stream documents in, code them on N processes, store them as they finish.

Memory stays flat whatever the corpus size: documents are read lazily and at most
``2 × workers`` batches are in flight. Worker processes each load the model once and
return only events; the calling process is the one writer, storing each batch in one
transaction, so a run killed at any moment (even ``kill -9``) leaves every document
either stored with all its events or not stored at all. A new run skips documents
already stored with the same text and coder version, so it codes only what is missing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from itertools import islice

from eventcoder.errors import EventCoderError, InputError, StoreError
from eventcoder.model import Document, Event
from eventcoder.pipeline import CoderConfig, coder_version, get_coder
from eventcoder.progress import Progress
from eventcoder.store import EventStore

_BATCHES_IN_FLIGHT_PER_WORKER = 2
# Worker deaths in a row, with no document coded in between, before the run gives up.
_MAX_DEATHS_IN_A_ROW = 3


def default_workers() -> int:
    """The number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Failure:
    """A record or document that was skipped, and why."""

    where: str  # "path:line" or the document id
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class RunSummary:
    """What a corpus run did."""

    coded: int  # documents coded (and stored, unless there is no store)
    events: int  # events found in them (mentions, before deduplication)
    already_stored: int  # documents skipped because they were stored and current
    skipped: int  # bad records and documents that could not be coded or stored
    workers: int  # worker processes used (1: coded in this process)
    seconds: float
    self_dyads_dropped: int = 0  # events left out: source and target the same actor
    # documents whose id an earlier record of this run had: (id, earlier origin, origin);
    # the last copy is the one kept
    duplicate_ids: tuple[tuple[str, str, str], ...] = ()
    merge_seconds: float = 0.0  # merging duplicate reports into events, after coding
    # documents stored without coding because they are not in English: (id, language)
    not_english: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _BatchResult:
    # (index in batch, the language the coder found, events)
    coded: tuple[tuple[int, str, tuple[Event, ...]], ...]
    failed: tuple[tuple[int, str], ...]  # (index in batch, message)
    self_dyads_dropped: int = 0


def _describe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _code_batch(config: CoderConfig, batch: list[Document]) -> _BatchResult:
    """Code one batch with this process's coder (loaded on first use)."""
    if _load_error is not None:
        raise _load_error
    coder = get_coder(config)
    failed: list[tuple[int, str]] = []
    failed_at: set[int] = set()

    def failure(i: int, exc: Exception) -> None:
        failed.append((i, _describe_error(exc)))
        failed_at.add(i)

    # positions identify results (a batch may hold one document twice): the coder yields
    # the documents that did not fail, in input order, each after the failures before it;
    # failures come back as the objects given, so each position gets an object of its own
    copies = [replace(doc) for doc in batch]
    index = {id(doc): i for i, doc in enumerate(copies)}
    position = iter(range(len(batch)))
    dropped_before = coder.extractor.dropped_self_dyads
    coded: list[tuple[int, str, tuple[Event, ...]]] = []
    for doc, events in coder.code_documents(
        copies, on_error=lambda doc, exc: failure(index[id(doc)], exc)
    ):
        i = next(p for p in position if p not in failed_at)
        coded.append((i, doc.language, tuple(events)))
    dropped = coder.extractor.dropped_self_dyads - dropped_before
    return _BatchResult(tuple(coded), tuple(failed), dropped)


_load_error: EventCoderError | None = None


# How often a worker checks that the run that started it is still alive, in seconds.
_PARENT_CHECK_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """End this worker when its parent dies (``kill -9`` of the run): orphans would keep
    hundreds of MB and a CPU for as long as their queue holds work."""
    while True:
        time.sleep(_PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def _init_worker(config: CoderConfig) -> None:
    global _load_error
    # Ctrl-C goes to the whole process group; the parent decides what to do.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch = threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True
    )
    watch.start()
    try:
        get_coder(config)
    except EventCoderError as exc:  # raised again with the first batch, in the parent
        _load_error = exc


class _InProcess:
    """The one-worker case: code in this process, no pool."""

    def __init__(self, config: CoderConfig) -> None:
        self.config = config

    def submit(self, batch: list[Document]) -> Future[_BatchResult]:
        future: Future[_BatchResult] = Future()
        try:
            future.set_result(_code_batch(self.config, batch))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def restart(self) -> None:
        pass

    def close(self, cancel: bool = False) -> None:
        pass


class _Pool:
    """``workers`` processes, each with its own coder; replaced if a worker dies."""

    def __init__(self, config: CoderConfig, workers: int) -> None:
        self.config = config
        self.workers = workers
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn: workers start clean, without this process's open database connections
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.config,),
        )

    def submit(self, batch: list[Document]) -> Future[_BatchResult]:
        try:
            return self._executor.submit(_code_batch, self.config, batch)
        except BrokenProcessPool as exc:  # handled, with the batches in flight, by the caller
            future: Future[_BatchResult] = Future()
            future.set_exception(exc)
            return future

    def restart(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start()

    def close(self, cancel: bool = False) -> None:
        self._executor.shutdown(wait=not cancel, cancel_futures=cancel)


def _batches(
    items: Iterable[Document | InputError],
    size: int,
    on_error: Callable[[Failure], None],
    duplicates: list[tuple[str, str, str]],
) -> Iterator[list[Document]]:
    seen: dict[str, str] = {}  # doc_id -> where its latest copy came from

    def documents() -> Iterator[Document]:
        for item in items:
            if isinstance(item, InputError):
                on_error(Failure(item.location_prefix().removesuffix(": "), item.reason))
                continue
            where = item.origin or item.doc_id
            earlier = seen.get(item.doc_id)
            if earlier is not None:
                duplicates.append((item.doc_id, earlier, where))
            seen[item.doc_id] = where
            yield item

    stream = documents()
    while batch := list(islice(stream, size)):
        yield batch


def code_corpus(
    items: Iterable[Document | InputError],
    *,
    store: EventStore | None,
    config: CoderConfig | None = None,
    workers: int | None = None,
    force: bool = False,
    on_error: Callable[[Failure], None] | None = None,
    on_events: Callable[[Document, tuple[Event, ...]], None] | None = None,
    progress: Progress | None = None,
    on_merge: Callable[[], None] | None = None,
) -> RunSummary:
    """Code ``items`` (as :func:`eventcoder.ingest.iter_documents` yields them) into ``store``.

    - ``workers``: processes coding in parallel (default: the CPU cores); 1 codes in
      this process. A corpus that fits in one batch is always coded in this process.
    - ``force``: recode documents even when they are stored and current.
    - ``on_error``: called with each bad record and each document that failed; the run
      goes on. ``on_events``: called with every coded document, in input order.
    - The store's deduplicated events are refreshed at the end (``on_merge`` is called
      when that starts: on a large store it takes a while).
    """
    run = CorpusRun(
        items,
        store=store,
        config=config or CoderConfig(),
        workers=workers if workers is not None else default_workers(),
        force=force,
        on_error=on_error,
        on_events=on_events,
        progress=progress,
        on_merge=on_merge,
    )
    return run.run()


class CorpusRun:
    """One run of :func:`code_corpus`: its settings, its running counts and the batches in
    flight. :meth:`run` does the work, once.

    Batches go to the runner (this process or a pool) as long as fewer than ``window``
    are in flight; the oldest is then drained: stored, or, when a worker died, recovered.
    """

    def __init__(
        self,
        items: Iterable[Document | InputError],
        *,
        store: EventStore | None,
        config: CoderConfig,
        workers: int,
        force: bool,
        on_error: Callable[[Failure], None] | None,
        on_events: Callable[[Document, tuple[Event, ...]], None] | None,
        progress: Progress | None,
        on_merge: Callable[[], None] | None,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.store = store
        self.config = config
        self.wanted_workers = workers
        self.force = force
        self.on_error = on_error
        self.on_events = on_events
        self.progress = progress
        self.on_merge = on_merge
        self.version = coder_version(config)
        self.started = time.monotonic()
        # the counts a RunSummary reports
        self.coded = 0
        self.events = 0
        self.already_stored = 0
        self.failures = 0
        self.self_dyads_dropped = 0
        self.duplicate_ids: list[tuple[str, str, str]] = []
        self.not_english: list[tuple[str, str]] = []
        self.deaths_in_a_row = 0
        self.batches = _batches(items, config.batch_size, self.fail, self.duplicate_ids)
        # doc_ids being coded now: a second copy of one must not be judged by the store
        # before the first is written, or a resumed run could end with the other copy
        self.in_flight_ids: Counter[str] = Counter()
        self.in_flight: deque[tuple[list[Document], Future[_BatchResult]]] = deque()
        self.runner: _InProcess | _Pool  # chosen by run, once it knows the corpus size

    def run(self) -> RunSummary:
        """Code every batch, store the results, merge the store's events; then the summary."""
        pending = self.batches_to_code()
        first_two = list(islice(pending, 2))
        used_workers = 1 if len(first_two) < 2 else self.wanted_workers
        self.runner = (
            _InProcess(self.config) if used_workers == 1 else _Pool(self.config, used_workers)
        )
        window = used_workers * _BATCHES_IN_FLIGHT_PER_WORKER
        stopped = True
        try:
            for batch in first_two:
                self.submit(batch)
            for batch in pending:
                while len(self.in_flight) >= window:
                    self.drain_one()
                self.submit(batch)
            while self.in_flight:
                self.drain_one()
            stopped = False
        finally:
            self.runner.close(cancel=stopped)  # on an error or Ctrl-C, do not wait for the rest
            if self.progress is not None:
                self.progress.close()
        merge_started = time.monotonic()
        self.merge()
        return RunSummary(
            coded=self.coded,
            events=self.events,
            already_stored=self.already_stored,
            skipped=self.failures,
            workers=used_workers,
            seconds=time.monotonic() - self.started,
            self_dyads_dropped=self.self_dyads_dropped,
            duplicate_ids=tuple(self.duplicate_ids),
            merge_seconds=time.monotonic() - merge_started if self.store is not None else 0.0,
            not_english=tuple(self.not_english),
        )

    def fail(self, failure: Failure) -> None:
        """Count a skipped record or document and report it."""
        self.failures += 1
        if self.progress is not None:
            self.progress.advance(already_done=1)
        if self.on_error is not None:
            self.on_error(failure)

    def batches_to_code(self) -> Iterator[list[Document]]:
        """The batches, less the documents already stored and current (unless forced)."""
        for batch in self.batches:
            if self.store is not None and not self.force:
                current = self.store.current_doc_ids(batch, self.version) - set(self.in_flight_ids)
                if current:
                    kept = [doc for doc in batch if doc.doc_id not in current]
                    skipped = len(batch) - len(kept)
                    self.already_stored += skipped
                    if self.progress is not None:
                        self.progress.advance(already_done=skipped)
                    batch = kept
            if batch:
                self.in_flight_ids.update(doc.doc_id for doc in batch)
                yield batch

    def submit(self, batch: list[Document]) -> None:
        self.in_flight.append((batch, self.runner.submit(batch)))

    def drain_one(self) -> None:
        """Wait for the oldest batch in flight and store it (or recover, or skip it)."""
        batch, future = self.in_flight.popleft()
        try:
            try:
                result = future.result()
            except BrokenProcessPool:
                lost = [(batch, future), *self.in_flight]
                self.in_flight.clear()
                self.recover(lost)
                for other, _ in lost[1:]:
                    self.release(other)
                return
            except EventCoderError:
                raise  # the model, KB or patterns cannot be loaded: nothing can be coded
            except Exception as exc:
                for doc in batch:
                    self.fail(Failure(doc.origin or doc.doc_id, _describe_error(exc)))
                return
            self.store_batch(batch, result)
        finally:
            self.release(batch)

    def release(self, batch: list[Document]) -> None:
        """The batch's documents are no longer in flight."""
        for doc in batch:
            self.in_flight_ids[doc.doc_id] -= 1
            if self.in_flight_ids[doc.doc_id] <= 0:
                del self.in_flight_ids[doc.doc_id]

    def store_batch(self, batch: list[Document], result: _BatchResult) -> None:
        """Store a coded batch, count it, and pass each coded document to ``on_events``."""
        self.deaths_in_a_row = 0
        self.self_dyads_dropped += result.self_dyads_dropped
        for i, message in result.failed:
            self.fail(Failure(batch[i].origin or batch[i].doc_id, message))
        done = [
            (
                batch[i] if batch[i].language == language else replace(batch[i], language=language),
                events,
            )
            for i, language, events in result.coded
        ]
        self.not_english.extend(
            (doc.doc_id, doc.language) for doc, _ in done if doc.language != "en"
        )
        if self.store is not None:
            done = self.write(self.store, done)
        for doc, events in done:
            self.coded += 1
            self.events += len(events)
            if self.on_events is not None:
                self.on_events(doc, events)
        if self.progress is not None:
            self.progress.advance(coded=len(done))

    def write(
        self, store: EventStore, done: list[tuple[Document, tuple[Event, ...]]]
    ) -> list[tuple[Document, tuple[Event, ...]]]:
        """Write coded documents to the store in one transaction; those it stored."""
        stored_ok: set[str] = {doc.doc_id for doc, _ in done}

        def write_failed(doc: Document, exc: StoreError) -> None:
            stored_ok.discard(doc.doc_id)
            self.fail(Failure(doc.origin or doc.doc_id, str(exc)))

        store.write_many(
            done, coder_version=self.version, batch_size=len(done) or 1, on_error=write_failed
        )
        return [(doc, events) for doc, events in done if doc.doc_id in stored_ok]

    def recover(self, lost: list[tuple[list[Document], Future[_BatchResult]]]) -> None:
        """Store what a dead pool finished; code the rest again one document at a time."""
        # A worker died (killed, out of memory, a crash in the parser) and the pool with
        # it. Batches that had finished are kept; the documents of the others are coded
        # again one at a time on a fresh pool, so a document that kills workers is found
        # and skipped, and every other document is coded, in input order.
        self.runner.restart()
        for batch, future in lost:
            if future.done() and not future.cancelled() and future.exception() is None:
                self.store_batch(batch, future.result())
                continue
            for doc in batch:
                self.code_alone(doc)

    def code_alone(self, doc: Document) -> None:
        """Code and store one document on its own (after a worker died)."""
        try:
            result = self.runner.submit([doc]).result()
        except BrokenProcessPool as exc:
            self.worker_died(doc, exc)
            self.runner.restart()
            return
        except EventCoderError:
            raise
        except Exception as exc:
            self.fail(Failure(doc.origin or doc.doc_id, _describe_error(exc)))
            return
        self.store_batch([doc], result)

    def worker_died(self, doc: Document, exc: BaseException) -> None:
        """Skip the document a worker died on; give up when workers keep dying."""
        self.deaths_in_a_row += 1
        if self.deaths_in_a_row >= _MAX_DEATHS_IN_A_ROW:
            raise EventCoderError(
                f"worker processes keep dying ({self.deaths_in_a_row} times in a row, the "
                f"last on {doc.origin or doc.doc_id}); is the machine out of memory? Each "
                "worker holds its own model: try fewer --workers or --model sm"
            )
        self.fail(Failure(doc.origin or doc.doc_id, f"worker process died ({exc})"))

    def merge(self) -> None:
        """Refresh the store's deduplicated events from the mentions just written."""
        if self.store is None:
            return
        if self.on_merge is not None:
            self.on_merge()
        try:
            self.store.refresh_events()
        except StoreError as exc:  # everything is stored; only the merge is left
            self.fail(Failure("duplicate reports", f"{exc}; 'eventcoder events' will merge them"))
