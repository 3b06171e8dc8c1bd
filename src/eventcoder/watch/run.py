"""``eventcoder watch``: poll feeds, fetch each new article's page, extract, code, store.

One poll (:meth:`Watcher.poll`) reads every feed (conditional GETs), records the URLs it
has not met (``EventStore.crawl``), then works through the pages to do in rounds: fetch a
round's pages concurrently (``eventcoder.watch.fetch``), keep each extracted page in the
store, code the round into the store (``eventcoder.corpus.code_corpus``) and mark them
coded. Every step is written as it ends, so a run stopped at any point (Ctrl-C, SIGTERM,
a kill) is taken up by the next one: nothing fetched twice, nothing lost.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx

from eventcoder.corpus import Failure, code_corpus
from eventcoder.errors import InputError
from eventcoder.model import Document, Event
from eventcoder.pipeline import CoderConfig
from eventcoder.store import EventStore
from eventcoder.store.crawl import FeedItemSeen, WebPage
from eventcoder.watch.feeds import FEED_CONTENT_TYPES, FeedProblem, parse_feed
from eventcoder.watch.fetch import HTML_TYPES, Fetched, Fetcher, FetchFailed, FetchPolicy
from eventcoder.watch.urls import canonical_url, web_doc_id


@dataclass(frozen=True)
class WatchSettings:
    policy: FetchPolicy = field(default_factory=FetchPolicy)
    max_attempts: int = 5  # fetches of one URL, over all polls, before it is given up
    retry_after_s: float = 900.0  # the wait after a failed fetch, doubled for each next one
    round_pages: int = 64  # pages fetched, then coded, per round of a poll


@dataclass
class PollSummary:
    """What one poll did; ``failed``, ``skipped`` and ``feeds_failed`` count reasons."""

    feeds: int = 0
    feeds_not_modified: int = 0
    feeds_failed: Counter[str] = field(default_factory=Counter)
    new_items: int = 0
    fetched: int = 0
    coded: int = 0
    events: int = 0
    not_english: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    seconds: float = 0.0


Progress = Callable[[str], None]


def _today() -> date:
    return datetime.now(UTC).date()


class Watcher:
    """Polls ``feeds`` into ``store``; ``stop`` (set by a signal handler) ends a poll
    after the document in hand."""

    def __init__(
        self,
        store: EventStore,
        feeds: Sequence[str],
        *,
        config: CoderConfig | None = None,
        settings: WatchSettings | None = None,
        stop: threading.Event | None = None,
        progress: Progress | None = None,
        on_poll: Callable[[PollSummary], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.feeds = list(dict.fromkeys(feeds))
        self.config = config or CoderConfig()
        self.settings = settings or WatchSettings()
        self.stop = stop or threading.Event()
        self._progress = progress
        self._on_poll = on_poll
        self._transport = transport

    def _say(self, message: str) -> None:
        if self._progress is not None:
            self._progress(message)

    def run(self, interval_s: float, *, once: bool = False) -> list[PollSummary]:
        """Poll now and then every ``interval_s`` seconds until ``stop`` (or once)."""
        done: list[PollSummary] = []
        while not self.stop.is_set():
            started = time.monotonic()
            done.append(self.poll())
            if self._on_poll is not None:
                self._on_poll(done[-1])
            if once:
                break
            self.stop.wait(max(0.0, interval_s - (time.monotonic() - started)))
        return done

    def poll(self) -> PollSummary:
        summary = PollSummary()
        started = time.monotonic()
        asyncio.run(self._poll(summary))
        summary.seconds = time.monotonic() - started
        return summary

    async def _poll(self, summary: PollSummary) -> None:
        """Feeds first, then rounds of pages until none is left to do (or ``stop``). One
        fetcher serves the whole poll, so robots.txt is read once per host and the
        per-host delay holds across rounds."""
        async with Fetcher(self.settings.policy, transport=self._transport) as fetcher:
            try:
                await self._poll_feeds(fetcher, summary)
                while not self.stop.is_set():
                    pages = self.store.crawl.pending(
                        self.settings.max_attempts, self.settings.round_pages
                    )
                    if not pages:
                        break
                    documents = await self._fetch_round(fetcher, pages, summary)
                    self._code_round(documents, summary)
            finally:
                summary.requests = fetcher.requests

    # -- feeds ----------------------------------------------------------------------

    async def _poll_feeds(self, fetcher: Fetcher, summary: PollSummary) -> None:
        crawl = self.store.crawl

        async def poll_one(url: str) -> None:
            if self.stop.is_set():
                return
            known = crawl.feed(url)
            found = await fetcher.get(
                url,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
                accept=FEED_CONTENT_TYPES + HTML_TYPES,
            )
            summary.feeds += 1
            if isinstance(found, FetchFailed):
                summary.feeds_failed[found.reason] += 1
                crawl.save_feed(url, status=None, problem=_described(found))
                self._say(f"feed {url}: {_described(found)}")
                return
            if found.not_modified:
                summary.feeds_not_modified += 1
                crawl.save_feed(url, status=304, problem=None)
                return
            try:
                feed = parse_feed(found.body, url=found.final_url, content_type=found.content_type)
            except FeedProblem as exc:
                summary.feeds_failed[str(exc).split(":")[0]] += 1
                crawl.save_feed(url, status=found.status, problem=str(exc))
                self._say(f"feed {url}: {exc}")
                return
            seen = [
                FeedItemSeen(canonical_url(i.url), url, i.title, i.published) for i in feed.items
            ]
            new = crawl.add_pages(seen)
            summary.new_items += new
            crawl.save_feed(
                url,
                status=found.status,
                problem=None,
                etag=found.etag,
                last_modified=found.last_modified,
                items=new,
            )
            self._say(f"feed {url}: {len(seen)} items, {new} new")

        await asyncio.gather(*(poll_one(url) for url in self.feeds))

    # -- pages ----------------------------------------------------------------------

    async def _fetch_round(
        self, fetcher: Fetcher, pages: list[WebPage], summary: PollSummary
    ) -> list[tuple[WebPage, Document]]:
        """The documents of this round: kept ones as they are, the others fetched and
        extracted (and kept); failures and skips recorded."""
        crawl = self.store.crawl
        ready = [(page, page.document) for page in pages if page.document is not None]
        to_fetch = [page for page in pages if page.document is None]
        stored = crawl.stored_doc_ids([web_doc_id(page.url) for page in to_fetch])
        for page in to_fetch:
            if web_doc_id(page.url) in stored:  # coded by another run or feed
                crawl.mark_coded(page.url_key, web_doc_id(page.url))
                summary.skipped["already in the store"] += 1
        to_fetch = [page for page in to_fetch if web_doc_id(page.url) not in stored]
        fetched: list[tuple[WebPage, Document]] = [(p, d) for p, d in ready if d is not None]

        async def fetch_one(page: WebPage) -> None:
            if self.stop.is_set():
                return
            found = await fetcher.get(page.url, accept=HTML_TYPES)
            if isinstance(found, FetchFailed):
                self._fetch_failed(page, found, summary)
                return
            summary.fetched += 1
            document = self._document_of(page, found, summary)
            if document is not None:
                fetched.append((page, document))

        await asyncio.gather(*(fetch_one(page) for page in to_fetch))
        return fetched

    def _fetch_failed(self, page: WebPage, failure: FetchFailed, summary: PollSummary) -> None:
        crawl = self.store.crawl
        if failure.reason in ("robots.txt", "not an http(s) URL") or failure.reason.startswith(
            "content type"
        ):
            summary.skipped[failure.reason] += 1
            crawl.mark_skipped(page.url_key, _described(failure))
            return
        summary.failed[failure.reason] += 1
        retry_at = None
        if failure.transient and page.attempts + 1 < self.settings.max_attempts:
            wait = self.settings.retry_after_s * 2**page.attempts
            if failure.retry_after is not None:
                wait = max(wait, failure.retry_after)
            retry_at = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=wait)
        crawl.mark_failed(page.url_key, _described(failure), retry_at)
        self._say(f"page {page.url}: {_described(failure)}")

    def _document_of(self, page: WebPage, found: Fetched, summary: PollSummary) -> Document | None:
        """The page's document, kept in the store; None (and recorded why) if it has none."""
        from eventcoder.ingest.html import extract_page, page_document

        crawl = self.store.crawl
        try:
            extracted = extract_page(
                found.body, url=found.final_url, content_type=found.content_type
            )
        except Exception as exc:  # one bad page must not stop the watch
            detail = f"{type(exc).__name__}: {exc}"
            self._not_a_document(page, "extraction failed", detail, summary)
            return None
        if extracted is None:
            self._not_a_document(page, "no article text", "", summary)
            return None
        article_url = canonical_url(extracted.url or found.final_url)
        doc_id = web_doc_id(article_url)
        if article_url != page.url and crawl.stored_doc_ids([doc_id]):
            summary.skipped["same article as a stored one"] += 1
            crawl.mark_skipped(page.url_key, f"same article as {article_url}")
            return None
        try:
            document = page_document(
                extracted,
                doc_id=doc_id,
                origin=page.url,
                default_date=_today(),
                fallback_date=page.published,
            )
        except InputError as exc:
            self._not_a_document(page, "unusable page", exc.reason, summary)
            return None
        crawl.mark_fetched(page.url_key, document)
        return document

    def _not_a_document(
        self, page: WebPage, reason: str, detail: str, summary: PollSummary
    ) -> None:
        summary.failed[reason] += 1
        described = f"{reason} ({detail})" if detail else reason
        self.store.crawl.mark_failed(page.url_key, described, None)
        self._say(f"page {page.url}: {described}")

    def _code_round(self, fetched: list[tuple[WebPage, Document]], summary: PollSummary) -> None:
        crawl = self.store.crawl
        if not fetched:
            return
        # two URLs of one article (an AMP copy, a second feed's link) are one document
        keys_of: dict[str, list[str]] = {}
        for page, document in fetched:
            keys_of.setdefault(document.doc_id, []).append(page.url_key)
        documents = list({document.doc_id: document for _, document in fetched}.values())

        def coded(document: Document, events: tuple[Event, ...]) -> None:
            for key in keys_of[document.doc_id]:
                crawl.mark_coded(key, document.doc_id)
            if document.language != "en":
                summary.not_english[document.language] += 1
            else:
                summary.coded += 1
                summary.events += len(events)

        def failed(failure: Failure) -> None:
            for key in keys_of.get(failure.where, []):
                crawl.mark_failed(key, f"not coded: {failure.message}", None)
            summary.failed["not coded"] += 1

        code_corpus(
            _until_stopped(documents, self.stop),
            store=self.store,
            config=self.config,
            workers=1,
            force=True,
            on_error=failed,
            on_events=coded,
        )


def _until_stopped(documents: list[Document], stop: threading.Event) -> Iterator[Document]:
    """The documents until ``stop`` is set: the one being coded is finished and stored."""
    for document in documents:
        if stop.is_set():
            return
        yield document


def _described(failure: FetchFailed) -> str:
    return f"{failure.reason} ({failure.detail})" if failure.detail else failure.reason
