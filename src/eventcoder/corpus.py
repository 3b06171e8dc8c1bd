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
    config = config or CoderConfig()
    wanted_workers = workers if workers is not None else default_workers()
    if wanted_workers < 1:
        raise ValueError(f"workers must be >= 1, got {wanted_workers}")
    version = coder_version(config)
    failures = 0

    def fail(failure: Failure) -> None:
        nonlocal failures
        failures += 1
        if progress is not None:
            progress.advance(already_done=1)
        if on_error is not None:
            on_error(failure)

    started = time.monotonic()
    coded = n_events = already = deaths_in_a_row = self_dyads = 0
    duplicates: list[tuple[str, str, str]] = []
    not_english: list[tuple[str, str]] = []
    batches = _batches(items, config.batch_size, fail, duplicates)
    # doc_ids being coded now: a second copy of one must not be judged by the store
    # before the first is written, or a resumed run could end with the other copy
    in_flight_ids: Counter[str] = Counter()

    def todo() -> Iterator[list[Document]]:
        nonlocal already
        for batch in batches:
            if store is not None and not force:
                current = store.current_doc_ids(batch, version) - set(in_flight_ids)
                if current:
                    kept = [doc for doc in batch if doc.doc_id not in current]
                    skipped = len(batch) - len(kept)
                    already += skipped
                    if progress is not None:
                        progress.advance(already_done=skipped)
                    batch = kept
            if batch:
                in_flight_ids.update(doc.doc_id for doc in batch)
                yield batch

    pending = todo()
    first = next(pending, None)
    second = next(pending, None) if first is not None else None
    used_workers = 1 if second is None else wanted_workers
    runner: _InProcess | _Pool = (
        _InProcess(config) if used_workers == 1 else _Pool(config, used_workers)
    )
    window = used_workers * _BATCHES_IN_FLIGHT_PER_WORKER
    in_flight: deque[tuple[list[Document], Future[_BatchResult]]] = deque()
    queued = (b for b in (first, second) if b is not None)

    def store_batch(batch: list[Document], result: _BatchResult) -> None:
        nonlocal coded, n_events, deaths_in_a_row, self_dyads
        deaths_in_a_row = 0
        self_dyads += result.self_dyads_dropped
        for i, message in result.failed:
            fail(Failure(batch[i].origin or batch[i].doc_id, message))
        done = [
            (
                batch[i] if batch[i].language == language else replace(batch[i], language=language),
                events,
            )
            for i, language, events in result.coded
        ]
        not_english.extend((doc.doc_id, doc.language) for doc, _ in done if doc.language != "en")
        if store is not None:
            stored_ok: set[str] = {doc.doc_id for doc, _ in done}

            def write_failed(doc: Document, exc: StoreError) -> None:
                stored_ok.discard(doc.doc_id)
                fail(Failure(doc.origin or doc.doc_id, str(exc)))

            store.write_many(
                done, coder_version=version, batch_size=len(done) or 1, on_error=write_failed
            )
            done = [(doc, events) for doc, events in done if doc.doc_id in stored_ok]
        for doc, events in done:
            coded += 1
            n_events += len(events)
            if on_events is not None:
                on_events(doc, events)
        if progress is not None:
            progress.advance(coded=len(done))

    def worker_died(doc: Document, exc: BaseException) -> None:
        nonlocal deaths_in_a_row
        deaths_in_a_row += 1
        if deaths_in_a_row >= _MAX_DEATHS_IN_A_ROW:
            raise EventCoderError(
                f"worker processes keep dying ({deaths_in_a_row} times in a row, the last "
                f"on {doc.origin or doc.doc_id}); is the machine out of memory? Each worker "
                "holds its own model: try fewer --workers or --model sm"
            )
        fail(Failure(doc.origin or doc.doc_id, f"worker process died ({exc})"))

    def recover(lost: list[tuple[list[Document], Future[_BatchResult]]]) -> None:
        # A worker died (killed, out of memory, a crash in the parser) and the pool with
        # it. Batches that had finished are kept; the documents of the others are coded
        # again one at a time on a fresh pool, so a document that kills workers is found
        # and skipped, and every other document is coded, in input order.
        runner.restart()
        for batch, future in lost:
            if future.done() and not future.cancelled() and future.exception() is None:
                store_batch(batch, future.result())
                continue
            for doc in batch:
                try:
                    result = runner.submit([doc]).result()
                except BrokenProcessPool as exc:
                    worker_died(doc, exc)
                    runner.restart()
                    continue
                except EventCoderError:
                    raise
                except Exception as exc:
                    fail(Failure(doc.origin or doc.doc_id, _describe_error(exc)))
                    continue
                store_batch([doc], result)

    def release(batch: list[Document]) -> None:
        for doc in batch:
            in_flight_ids[doc.doc_id] -= 1
            if in_flight_ids[doc.doc_id] <= 0:
                del in_flight_ids[doc.doc_id]

    def drain_one() -> None:
        batch, future = in_flight.popleft()
        try:
            try:
                result = future.result()
            except BrokenProcessPool:
                lost = [(batch, future), *in_flight]
                in_flight.clear()
                recover(lost)
                for other, _ in lost[1:]:
                    release(other)
                return
            except EventCoderError:
                raise  # the model, KB or patterns cannot be loaded: nothing can be coded
            except Exception as exc:
                for doc in batch:
                    fail(Failure(doc.origin or doc.doc_id, _describe_error(exc)))
                return
            store_batch(batch, result)
        finally:
            release(batch)

    stopped = True
    try:
        for batch in queued:
            in_flight.append((batch, runner.submit(batch)))
        for batch in pending:
            while len(in_flight) >= window:
                drain_one()
            in_flight.append((batch, runner.submit(batch)))
        while in_flight:
            drain_one()
        stopped = False
    finally:
        runner.close(cancel=stopped)  # on an error or Ctrl-C, do not wait for the rest
        if progress is not None:
            progress.close()
    merge_started = time.monotonic()
    if store is not None:
        if on_merge is not None:
            on_merge()
        try:
            store.refresh_events()
        except StoreError as exc:  # everything is stored; only the merge is left
            fail(Failure("duplicate reports", f"{exc}; 'eventcoder events' will merge them"))
    return RunSummary(
        coded=coded,
        events=n_events,
        already_stored=already,
        skipped=failures,
        workers=used_workers,
        seconds=time.monotonic() - started,
        self_dyads_dropped=self_dyads,
        duplicate_ids=tuple(duplicates),
        merge_seconds=time.monotonic() - merge_started if store is not None else 0.0,
        not_english=tuple(not_english),
    )
