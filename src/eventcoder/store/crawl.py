"""What ``eventcoder watch`` keeps in the store: each feed's conditional-GET validators and
each article URL's progress (``schema.feeds`` and ``schema.web_pages``).

A URL is met in a feed (``seen``), its page fetched and extracted (``fetched``: the
extracted document is kept here until it is coded), then coded and stored (``coded``).
A fetch that fails is ``failed`` with its reason and is tried again after ``retry_at``
until it has had its attempts; robots.txt refusals, non-pages and second URLs of one
article are ``skipped``. Because the state is written as each step ends, a restarted or
second watcher fetches nothing twice and loses nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from eventcoder.errors import StoreError
from eventcoder.model import Document, stable_hash
from eventcoder.store.engine import IN_CLAUSE_CHUNK, chunks, short_error
from eventcoder.store.schema import documents as documents_t
from eventcoder.store.schema import feeds as feeds_t
from eventcoder.store.schema import web_pages as pages_t

SEEN = "seen"
FETCHED = "fetched"
CODED = "coded"
FAILED = "failed"
SKIPPED = "skipped"
PAGE_STATES = (SEEN, FETCHED, CODED, FAILED, SKIPPED)
KEY_LENGTH = 40


def url_key(url: str) -> str:
    return stable_hash(url, length=KEY_LENGTH)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class FeedState:
    """What the last poll of a feed left: validators for the next conditional GET."""

    url: str
    etag: str | None
    last_modified: str | None
    polled_at: datetime | None
    status: int | None
    problem: str | None
    items: int


@dataclass(frozen=True)
class FeedItemSeen:
    """An article URL (canonical) as a feed carried it."""

    url: str
    feed_url: str
    title: str | None = None
    published: date | None = None


@dataclass(frozen=True)
class WebPage:
    """An article URL still to be fetched or coded."""

    url_key: str
    url: str
    feed_url: str | None
    title: str | None
    published: date | None
    state: str
    attempts: int
    problem: str | None  # why it failed or was skipped
    retry_at: datetime | None  # when a failed fetch is tried again; None: never
    doc_id: str | None  # its document, once fetched
    document: Document | None  # the extracted page, fetched and not yet coded


def _document_json(document: Document) -> str:
    return json.dumps(
        {
            "doc_id": document.doc_id,
            "text": document.text,
            "date": document.date.isoformat(),
            "title": document.title,
            "url": document.url,
            "source": document.source,
            "origin": document.origin,
        },
        ensure_ascii=False,
    )


def _document_of(page: str) -> Document:
    fields: dict[str, Any] = json.loads(page)
    return Document(
        doc_id=fields["doc_id"],
        text=fields["text"],
        date=date.fromisoformat(fields["date"]),
        title=fields["title"],
        url=fields["url"],
        source=fields["source"],
        origin=fields["origin"],
    )


def _web_page(row: Any) -> WebPage:
    return WebPage(
        url_key=row.url_key,
        url=row.url,
        feed_url=row.feed_url,
        title=row.title,
        published=row.published,
        state=row.state,
        attempts=row.attempts,
        problem=row.problem,
        retry_at=row.retry_at,
        doc_id=row.doc_id,
        document=_document_of(row.page) if row.page else None,
    )


class CrawlState:
    """The watcher's state in an event store (``EventStore.crawl``)."""

    def __init__(self, engine: Engine, shown: str) -> None:
        self._engine = engine
        self._shown = shown

    def _fail(self, doing: str, exc: SQLAlchemyError) -> StoreError:
        return StoreError(f"cannot {doing} in {self._shown}: {short_error(exc)}")

    def feed(self, url: str) -> FeedState | None:
        try:
            with self._engine.connect() as conn:
                row = conn.execute(
                    select(feeds_t).where(feeds_t.c.feed_key == url_key(url))
                ).first()
        except SQLAlchemyError as exc:
            raise self._fail("read the state of a feed", exc) from exc
        if row is None:
            return None
        return FeedState(
            url=row.url,
            etag=row.etag,
            last_modified=row.last_modified,
            polled_at=row.polled_at,
            status=row.status,
            problem=row.problem,
            items=row.items,
        )

    def save_feed(
        self,
        url: str,
        *,
        status: int | None,
        problem: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
        items: int = 0,
    ) -> None:
        """Record a poll: validators are kept from before when the answer had none (a 304
        or a failure), and ``items`` are added to the feed's count."""
        key = url_key(url)
        values: dict[str, Any] = {"polled_at": _now(), "status": status, "problem": problem}
        if etag is not None:
            values["etag"] = etag
        if last_modified is not None:
            values["last_modified"] = last_modified
        try:
            with self._engine.begin() as conn:
                done = conn.execute(
                    update(feeds_t)
                    .where(feeds_t.c.feed_key == key)
                    .values(items=feeds_t.c["items"] + items, **values)
                )
                if done.rowcount == 0:
                    conn.execute(
                        insert(feeds_t).values(feed_key=key, url=url, items=items, **values)
                    )
        except SQLAlchemyError as exc:
            raise self._fail("record a feed poll", exc) from exc

    def add_pages(self, items: Sequence[FeedItemSeen]) -> int:
        """Record the URLs not met before (as ``seen``); return how many were new."""
        wanted: dict[str, FeedItemSeen] = {}
        for item in items:
            wanted.setdefault(url_key(item.url), item)
        if not wanted:
            return 0
        now = _now()
        try:
            with self._engine.begin() as conn:
                known: set[str] = set()
                for chunk in chunks(sorted(wanted), IN_CLAUSE_CHUNK):
                    known.update(
                        conn.execute(
                            select(pages_t.c.url_key).where(pages_t.c.url_key.in_(chunk))
                        ).scalars()
                    )
                rows = [
                    {
                        "url_key": key,
                        "url": item.url,
                        "feed_url": item.feed_url,
                        "title": item.title,
                        "published": item.published,
                        "state": SEEN,
                        "attempts": 0,
                        "seen_at": now,
                    }
                    for key, item in wanted.items()
                    if key not in known
                ]
                if rows:
                    conn.execute(insert(pages_t), rows)
        except SQLAlchemyError as exc:
            raise self._fail("record the URLs of a feed", exc) from exc
        return len(rows)

    def pending(self, max_attempts: int, limit: int | None = None) -> list[WebPage]:
        """The pages to work on now: fetched and not coded (first), never fetched, and
        failed ones whose retry time has come and that have attempts left. With ``limit``,
        the sites take turns (one page of each, then a second of each, ...), so that a
        round is not held up by one site's delay between requests."""
        p = pages_t.c
        now = _now()
        stmt = (
            select(pages_t)
            .where(
                or_(
                    p.state.in_((SEEN, FETCHED)),
                    (p.state == FAILED)
                    & (p.retry_at.is_not(None))
                    & (p.retry_at <= now)
                    & (p.attempts < max_attempts),
                )
            )
            .order_by((p.state == FETCHED).desc(), p.seen_at, p.url_key)
        )
        if limit is not None:
            stmt = stmt.limit(limit * _SITES_MIXED)
        try:
            with self._engine.connect() as conn:
                rows = conn.execute(stmt).all()
        except SQLAlchemyError as exc:
            raise self._fail("read the pages to fetch", exc) from exc
        pages = [_web_page(row) for row in rows]
        return pages if limit is None else _site_by_site(pages)[:limit]

    def _set(self, key: str, doing: str, **values: Any) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(update(pages_t).where(pages_t.c.url_key == key).values(**values))
        except SQLAlchemyError as exc:
            raise self._fail(doing, exc) from exc

    def mark_fetched(self, key: str, document: Document) -> None:
        self._set(
            key,
            "record a fetched page",
            state=FETCHED,
            page=_document_json(document),
            doc_id=document.doc_id,
            problem=None,
            attempts=pages_t.c.attempts + 1,
            tried_at=_now(),
            retry_at=None,
        )

    def mark_coded(self, key: str, doc_id: str) -> None:
        self._set(key, "record a coded page", state=CODED, doc_id=doc_id, page=None)

    def mark_failed(self, key: str, problem: str, retry_at: datetime | None) -> None:
        """A failed attempt; ``retry_at`` None: not worth another (a 404, say)."""
        self._set(
            key,
            "record a failed fetch",
            state=FAILED,
            problem=problem,
            attempts=pages_t.c.attempts + 1,
            tried_at=_now(),
            retry_at=retry_at,
        )

    def mark_skipped(self, key: str, problem: str) -> None:
        self._set(key, "record a skipped page", state=SKIPPED, problem=problem, tried_at=_now())

    def stored_doc_ids(self, doc_ids: Sequence[str]) -> set[str]:
        """Which of these documents the store holds (coded by this or another watcher)."""
        found: set[str] = set()
        try:
            with self._engine.connect() as conn:
                for chunk in chunks(sorted(set(doc_ids)), IN_CLAUSE_CHUNK):
                    found.update(
                        conn.execute(
                            select(documents_t.c.doc_id).where(documents_t.c.doc_id.in_(chunk))
                        ).scalars()
                    )
        except SQLAlchemyError as exc:
            raise self._fail("read the stored documents", exc) from exc
        return found

    def page_states(self) -> dict[str, int]:
        """How many URLs are in each state."""
        try:
            with self._engine.connect() as conn:
                found: dict[str, int] = {
                    state: int(n)
                    for state, n in conn.execute(
                        select(pages_t.c.state, func.count()).group_by(pages_t.c.state)
                    )
                }
        except SQLAlchemyError as exc:
            raise self._fail("count the pages", exc) from exc
        return {state: found.get(state, 0) for state in PAGE_STATES}

    def pages(self, state: str | None = None) -> list[WebPage]:
        """Every URL met (in one state), in the order they were met."""
        stmt = select(pages_t).order_by(pages_t.c.seen_at, pages_t.c.url_key)
        if state is not None:
            stmt = stmt.where(pages_t.c.state == state)
        try:
            with self._engine.connect() as conn:
                rows = conn.execute(stmt).all()
        except SQLAlchemyError as exc:
            raise self._fail("read the pages", exc) from exc
        return [_web_page(row) for row in rows]

    def page(self, url: str) -> WebPage | None:
        """The state of one canonical URL."""
        try:
            with self._engine.connect() as conn:
                row = conn.execute(select(pages_t).where(pages_t.c.url_key == url_key(url))).first()
        except SQLAlchemyError as exc:
            raise self._fail("read a page's state", exc) from exc
        return None if row is None else _web_page(row)


# a round is chosen among this many times its size of the oldest pages to do
_SITES_MIXED = 8


def _site_by_site(pages: list[WebPage]) -> list[WebPage]:
    """``pages`` with the sites taking turns, each site's pages in their order; the
    fetched ones (which need no request) first."""
    fetched = [page for page in pages if page.state == FETCHED]
    by_site: dict[str, list[WebPage]] = {}
    for page in pages:
        if page.state != FETCHED:
            by_site.setdefault(urlsplit(page.url).hostname or "", []).append(page)
    queues = list(by_site.values())
    mixed: list[WebPage] = []
    for turn in range(max((len(q) for q in queues), default=0)):
        mixed.extend(q[turn] for q in queues if turn < len(q))
    return fetched + mixed
