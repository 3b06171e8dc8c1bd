"""Fetching feeds and pages politely: a clear User-Agent, robots.txt honoured, one request
to one host at a time, started a delay apart, bounded concurrency overall, timeouts,
retries with backoff (and ``Retry-After``), a size cap, conditional GETs.

:class:`Fetcher` is asynchronous (httpx): a watch list of a thousand feeds is polled with
``FetchPolicy.concurrency`` requests in flight, never two at once to one host.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

import httpx

from eventcoder import __version__

USER_AGENT = f"eventcoder/{__version__} (news event coder; +https://pypi.org/project/eventcoder/)"
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class FetchPolicy:
    """How the watcher fetches; the defaults suit news sites."""

    user_agent: str = USER_AGENT
    timeout_s: float = 20.0  # connect, and between two reads of the answer
    deadline_s: float = 60.0  # a whole answer, so a server that trickles bytes is cut off
    retries: int = 2  # more attempts after a transient failure, within one fetch
    backoff_s: float = 1.0  # the wait before the first retry, doubled for each next one
    max_wait_s: float = 120.0  # the longest Retry-After honoured within a fetch
    host_delay_s: float = 1.0  # between the start of two requests to one host
    max_bytes: int = 5_000_000  # a larger answer is refused
    max_redirects: int = 5
    concurrency: int = 16  # requests in flight over all hosts
    robots: bool = True


@dataclass(frozen=True)
class Fetched:
    """An answer: 200 with its body, or 304 (``not_modified``) with none."""

    url: str  # asked for
    final_url: str  # after redirects
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class FetchFailed:
    """No usable answer. ``reason`` is short and countable ("http 404", "timeout",
    "too large", "robots.txt", "redirect loop", ...); ``transient`` ones are worth trying
    again later, ``retry_after`` (seconds) when the server said when."""

    url: str
    reason: str
    detail: str = ""
    transient: bool = False
    retry_after: float | None = None


FetchResult = Fetched | FetchFailed


class _TooLarge(Exception):
    pass


@dataclass
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    robots: object | None = None  # protego.Protego, or None: everything allowed
    robots_checked: bool = False
    robots_unreachable: bool = False


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _media_type(headers: Mapping[str, str]) -> str | None:
    value = headers.get("content-type")
    return value.split(";")[0].strip().lower() if value else None


class Fetcher:
    """``async with Fetcher(policy) as fetcher: await fetcher.get(url)``."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.policy.user_agent},
            timeout=httpx.Timeout(self.policy.timeout_s),
            follow_redirects=True,
            max_redirects=self.policy.max_redirects,
            limits=httpx.Limits(max_connections=self.policy.concurrency),
            transport=transport,
            trust_env=False,
        )
        self._slots = asyncio.Semaphore(self.policy.concurrency)
        self._hosts: dict[str, _Host] = {}
        self.requests = 0  # HTTP requests sent, robots.txt included

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: tuple[str, ...] = (),
    ) -> FetchResult:
        """GET ``url`` (conditionally, given validators), retrying transient failures.
        ``accept``: the media types wanted; another is a failure ("content type ...")."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return FetchFailed(url, "not an http(s) URL")
        if self.policy.robots:
            allowed = await self._allowed(url)
            if allowed is None:
                return FetchFailed(
                    url, "robots.txt unreachable", "the site's robots.txt did not answer", True
                )
            if not allowed:
                return FetchFailed(url, "robots.txt", "the site's robots.txt disallows it")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result: FetchResult = FetchFailed(url, "not tried")
        for attempt in range(self.policy.retries + 1):
            result = await self._once(url, headers, accept)
            if not isinstance(result, FetchFailed) or not result.transient:
                return result
            if attempt == self.policy.retries:
                break
            wait = self.policy.backoff_s * 2**attempt
            if result.retry_after is not None:
                if result.retry_after > self.policy.max_wait_s:
                    return result  # come back later, as the server asks
                wait = max(wait, result.retry_after)
            await asyncio.sleep(wait)
        return result

    async def _once(
        self, url: str, headers: Mapping[str, str], accept: tuple[str, ...]
    ) -> FetchResult:
        """One request: one at a time to a host (its lock held until the answer is read),
        starting ``host_delay_s`` after the previous one started."""
        state = self._hosts.setdefault(urlsplit(url).hostname or "", _Host())
        async with state.lock:
            wait = state.next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            state.next_start = time.monotonic() + self.policy.host_delay_s
            return await self._request(url, headers, accept)

    async def _request(
        self, url: str, headers: Mapping[str, str], accept: tuple[str, ...]
    ) -> FetchResult:
        async with self._slots:
            self.requests += 1
            try:
                async with (
                    asyncio.timeout(self.policy.deadline_s),
                    self._client.stream("GET", url, headers=headers) as response,
                ):
                    return await self._read(url, response, accept)
            except TimeoutError:
                detail = f"no whole answer in {self.policy.deadline_s:g} s"
                return FetchFailed(url, "timeout", detail, transient=True)
            except httpx.TooManyRedirects as exc:
                return FetchFailed(url, "redirect loop", str(exc))
            except httpx.TimeoutException as exc:
                return FetchFailed(url, "timeout", type(exc).__name__, transient=True)
            except httpx.TransportError as exc:
                return FetchFailed(url, "connection", str(exc) or type(exc).__name__, True)
            except httpx.InvalidURL as exc:
                return FetchFailed(url, "bad URL", str(exc))
            except _TooLarge as exc:
                return FetchFailed(url, "too large", str(exc))

    async def _read(
        self, url: str, response: httpx.Response, accept: tuple[str, ...]
    ) -> FetchResult:
        status = response.status_code
        final = str(response.url)
        if status == 304:
            return Fetched(
                url,
                final,
                304,
                b"",
                None,
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            return FetchFailed(url, f"http {status}", transient=True, retry_after=wait)
        if status != 200:
            return FetchFailed(url, f"http {status}")
        media = _media_type(response.headers)
        if accept and media is not None and media not in accept:
            return FetchFailed(url, f"content type {media}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.policy.max_bytes:
            raise _TooLarge(
                f"{int(declared):,} bytes declared, the cap is {self.policy.max_bytes:,}"
            )
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self.policy.max_bytes:
                raise _TooLarge(f"over {self.policy.max_bytes:,} bytes")
        return Fetched(
            url,
            final,
            200,
            bytes(body),
            response.headers.get("content-type"),
            response.headers.get("etag"),
            response.headers.get("last-modified"),
        )

    async def _allowed(self, url: str) -> bool | None:
        """Whether the host's robots.txt lets this User-Agent fetch ``url``: read once per
        fetcher and host; no robots.txt (a 4xx) allows everything; a 5xx or no answer
        gives None, "unknown": the page is tried again later (RFC 9309 asks crawlers to
        take such a site as disallowed until robots.txt can be read)."""
        from protego import Protego

        parts = urlsplit(url)
        state = self._hosts.setdefault(parts.hostname or "", _Host())
        async with state.robots_lock:  # the first page of a host asks, the others wait
            if not state.robots_checked:
                found = await self._once(f"{parts.scheme}://{parts.netloc}/robots.txt", {}, ())
                state.robots_checked = True
                if isinstance(found, Fetched):
                    state.robots = Protego.parse(found.body.decode("utf-8", errors="replace"))
                elif found.transient:
                    state.robots_unreachable = True
        if state.robots_unreachable:
            return None
        if state.robots is None:
            return True
        robots: Protego = state.robots  # type: ignore[assignment]
        return bool(robots.can_fetch(url, self.policy.user_agent))
