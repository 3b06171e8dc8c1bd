"""Feeds: RSS 0.9x/1.0/2.0 and Atom documents into the article URLs they carry
(feedparser), and feed list files (OPML or one URL a line) into feed URLs."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from eventcoder.errors import InputError

# what a feed's answer may be labelled; anything else (an HTML error page, an image) is
# refused before parsing
FEED_CONTENT_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
    "text/plain",  # some servers label every static file so
    "application/octet-stream",
)


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: the article's link as the feed gives it."""

    url: str
    title: str | None
    published: date | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    items: tuple[FeedItem, ...]


class FeedProblem(Exception):
    """A feed that cannot be read; ``str()`` says why."""


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """The items of a feed document; raises :class:`FeedProblem` when it holds none and
    is not well-formed (a feed with a stray ``&`` but readable items is kept)."""
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed: Any = feedparser.parse(body, response_headers=headers)
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        raise FeedProblem("not an RSS or Atom feed")
    items = []
    for entry in parsed.entries:
        link = _entry_link(entry)
        if link is None:
            continue
        items.append(
            FeedItem(
                url=link,
                title=(entry.get("title") or "").strip() or None,
                published=_entry_date(entry),
            )
        )
    if parsed.get("bozo") and not items:
        problem = parsed.get("bozo_exception")
        raise FeedProblem(f"malformed feed: {problem}" if problem else "malformed feed")
    title = (parsed.feed.get("title") or "").strip() or None
    return ParsedFeed(title=title, items=tuple(items))


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if not link:
        for candidate in entry.get("links") or ():
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
        link = entry["id"]
    if not isinstance(link, str) or not link.strip().startswith(("http://", "https://")):
        return None
    return link.strip()


def _entry_date(entry: Any) -> date | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if value:
            try:
                return date(value.tm_year, value.tm_mon, value.tm_mday)
            except ValueError:
                continue
    return None


def read_feed_list(path: str | Path) -> list[str]:
    """The feed URLs of a list file: OPML (every ``outline`` with an ``xmlUrl``) or plain
    text (one URL a line; blank lines and ``#`` comments left out). A line that is not
    an http(s) URL is an :class:`InputError` naming the file and line."""
    path = Path(path)
    label = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read feed list: {exc.strerror or exc}", label) from exc
    head = data.lstrip()[:200].lower()
    if head.startswith(b"<?xml") or head.startswith(b"<opml"):
        return _read_opml(data, label)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("feed list is not UTF-8 text", label) from exc
    urls = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        if not value.startswith(("http://", "https://")) or any(c.isspace() for c in value):
            raise InputError(
                f"not a feed URL: {value[:80]!r} (one http(s) URL a line; # starts a comment)",
                label,
                number,
            )
        urls.append(value)
    return urls


def _read_opml(data: bytes, label: str) -> list[str]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise InputError(f"malformed OPML: {exc}", label, line) from exc
    urls = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url.startswith(("http://", "https://")):
            urls.append(url)
    if not urls:
        raise InputError("no feed in this OPML file (no outline with an xmlUrl)", label)
    return urls
