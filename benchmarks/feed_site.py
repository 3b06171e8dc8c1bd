"""A loopback news site for ``benchmarks.watch_load``: many hosts, RSS feeds, article pages.

Every host is a loopback address of its own (127.0.0.2, 127.0.0.3, ...: Linux routes the
whole of 127/8 to ``lo``), all on one port, so the watcher sees as many sites as there are
hosts and keeps its per-host delay for each. The site runs in a process of its own
(``python -m benchmarks.feed_site ...``, started by :func:`running_site`) so that serving
does not share the bench's CPU time under one GIL. Everything is deterministic for a seed:

* ``/robots.txt``: allows everything.
* ``/feeds/{n}.xml``: RSS 2.0, ``--items`` items (20) linking to article pages of the same
  host. A host's feeds are windows onto its articles, so feeds share articles, and every
  third link carries ``utm_*`` parameters (the same article once URLs are canonical).
  ETag and Last-Modified; a matching If-None-Match gets a 304.
* ``/news/{id}``: the article (``benchmarks.generator``) in a page built like a real news
  site's, 60–120 KB: meta tags (og:url, og:site_name, article:published_time), JSON-LD,
  styles and scripts, a cookie banner, menus, a breadcrumb, the article with a figure,
  "Read also" lines, an ad slot and a newsletter box, share buttons, tags, a sidebar of
  most-read and related links, comments, a grid of teasers, a footer and page state.
* ``/__stats``: requests served by kind (JSON), for the bench's checks.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import re
import signal
import socketserver
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from random import Random

from benchmarks.generator import DEFAULT_SEED, Article, generate_corpus
from benchmarks.measure import stop_process

PAGE_MIN_BYTES = 60_000
PAGE_MAX_BYTES = 120_000
MAX_HOSTS = 250
START_TIMEOUT_S = 120.0
LAST_MODIFIED = format_datetime(datetime(2026, 1, 5, 6, 0, tzinfo=UTC), usegmt=True)
SECTIONS = (
    "World", "Politics", "Europe", "Africa", "Asia", "Americas", "Middle East", "Business",
    "Economy", "Markets", "Technology", "Science", "Climate", "Health", "Education",
    "Culture", "Sport", "Opinion", "Video", "Podcasts",
)  # fmt: skip
_PREFIXES = ("Northern", "Daily", "Evening", "Coastal", "Valley", "Capital", "Harbour", "Midland")
_NOUNS = ("Courier", "Herald", "Gazette", "Observer", "Chronicle", "Tribune", "Dispatch", "Ledger")
_SUBSECTIONS = (
    "latest", "analysis", "explainers", "in-pictures", "live", "features", "interviews",
    "data", "fact-check", "longreads",
)  # fmt: skip
_FIRST_NAMES = ("Anna", "Tomas", "Grace", "Idris", "Mei", "Karl")
_SURNAMES = ("Holt", "Mensah", "Varga", "Okafor", "Lindqvist", "Ferreira")
_COMMENTERS = ("maria_k", "OldHand", "j.osei", "Pavel T.", "northwind", "Lena", "R. Dube", "kite")


@dataclass(frozen=True)
class SiteLayout:
    """Which host serves which feeds and articles (the same in the site and the bench)."""

    hosts: int
    feeds: int
    articles: int
    items: int  # links a feed carries, at most (a host's articles, when it has fewer)
    seed: int = DEFAULT_SEED

    def host_of_feed(self, feed: int) -> int:
        return feed % self.hosts

    def host_of_article(self, article: int) -> int:
        return article % self.hosts

    def host_articles(self, host: int) -> range:
        return range(host, self.articles, self.hosts)


@dataclass(frozen=True)
class FeedLink:
    article: int
    tracked: bool  # the link carries utm_* parameters


def host_address(host: int) -> str:
    return f"127.0.0.{host + 2}"


def base_url(host: int, port: int) -> str:
    return f"http://{host_address(host)}:{port}"


def feed_path(feed: int) -> str:
    return f"/feeds/{feed}.xml"


def article_path(index: int, article: Article) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", article.title.lower()).strip("-")[:60].rstrip("-")
    return f"/news/{index:05d}-{slug}"


def feed_links(layout: SiteLayout, feed: int) -> tuple[FeedLink, ...]:
    """The links of a feed: a window onto its host's articles, newest (highest) first."""
    pool = list(reversed(layout.host_articles(layout.host_of_feed(feed))))
    if not pool:
        return ()
    within = feed // layout.hosts  # this feed's number among its host's feeds
    start = (within * 7) % len(pool)
    count = min(layout.items, len(pool))
    return tuple(
        FeedLink(pool[(start + j) % len(pool)], tracked=(within + j) % 3 == 0) for j in range(count)
    )


def site_name(host: int) -> str:
    return f"The {_PREFIXES[host % len(_PREFIXES)]} {_NOUNS[(host // len(_PREFIXES)) % 8]}"


def _day_time(article: Article, index: int) -> str:
    return f"{article.day.isoformat()}T{6 + index % 14:02d}:{(index * 7) % 60:02d}:00Z"


def _rfc822(article: Article, index: int) -> str:
    return format_datetime(datetime.fromisoformat(_day_time(article, index)), usegmt=True)


def _lede(article: Article) -> str:
    first = article.text.split("\n\n", 1)[0]
    return first.split(". ")[0].rstrip(".") + "."


# -- feeds -------------------------------------------------------------------------------


def render_feed(layout: SiteLayout, feed: int, articles: Sequence[Article], port: int) -> bytes:
    host = layout.host_of_feed(feed)
    base = base_url(host, port)
    section = SECTIONS[(feed // layout.hosts) % len(SECTIONS)]
    items = []
    for link in feed_links(layout, feed):
        article = articles[link.article]
        url = base + article_path(link.article, article)
        guid = url
        if link.tracked:
            url += f"?utm_source=rss&utm_medium=feed&utm_campaign={section.lower()}-{feed}"
        items.append(
            f"""    <item>
      <title>{escape(article.title)}</title>
      <link>{escape(url)}</link>
      <guid isPermaLink="true">{escape(guid)}</guid>
      <pubDate>{_rfc822(article, link.article)}</pubDate>
      <category>{section}</category>
      <description>{escape(_lede(article))}</description>
    </item>"""
        )
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{escape(site_name(host))}: {section}</title>
    <link>{base}/{section.lower().replace(" ", "-")}</link>
    <atom:link href="{base}{feed_path(feed)}" rel="self" type="application/rss+xml"/>
    <description>The latest {section.lower()} stories from {escape(site_name(host))}</description>
    <language>en-gb</language>
    <lastBuildDate>{LAST_MODIFIED}</lastBuildDate>
    <ttl>15</ttl>
{chr(10).join(items)}
  </channel>
</rss>
"""
    return body.encode("utf-8")


# -- pages -------------------------------------------------------------------------------


def _style(rng: Random) -> str:
    blocks = ("header", "nav", "teaser", "article", "sidebar", "footer", "comment", "banner")
    parts = ("", "__title", "__body", "__media", "__link", "--wide", "--small", "__meta")
    props = (
        "display:flex", "gap:1rem", "margin:0 auto", "padding:.5rem 1rem", "color:#1a1a1a",
        "font:16px/1.5 Georgia,serif", "border-bottom:1px solid #ddd", "max-width:1200px",
        "background:#f6f5f1", "text-decoration:none", "font-weight:700", "grid-column:span 2",
    )  # fmt: skip
    rules = [f".{b}{p}{{{';'.join(rng.sample(props, 3))}}}" for b in blocks for p in parts]
    return "".join(rules) + "@media (max-width:600px){.teaser--wide{grid-column:span 1}}"


def _script(rng: Random, path: str, slots: int) -> str:
    ads = ",".join(
        f'{{"id":"ad-{i}","sizes":[[300,250],[728,90]],"targeting":{{"pos":"{i}",'
        f'"kw":"{rng.choice(SECTIONS).lower()}"}}}}'
        for i in range(slots)
    )
    return f"""window.dataLayer=window.dataLayer||[];function track(e,p){{dataLayer.push({{event:e,
page:"{path}",ts:Date.now(),props:p||{{}}}})}}
var adSlots=[{ads}];
document.addEventListener("DOMContentLoaded",function(){{var b=document.getElementById("consent");
if(b&&localStorage.getItem("consent")==="1"){{b.hidden=true}}
document.querySelectorAll("img[data-src]").forEach(function(i){{i.src=i.dataset.src}});
adSlots.forEach(function(s){{track("ad_request",s)}})}});"""


def _nav(base: str, rng: Random) -> str:
    menus = ""
    for section in SECTIONS:
        slug = section.lower().replace(" ", "-")
        menus += f'<li class="menu-item"><a href="{base}/{slug}">{section}</a><ul class="sub">'
        for word in rng.sample(_SUBSECTIONS, 6):
            menus += f'<li><a href="{base}/{slug}/{word}">{word.title()}</a></li>'
        menus += "</ul></li>"
    return f'<nav class="main-nav" aria-label="Sections"><ul class="menu">{menus}</ul></nav>'


def _teaser(base: str, index: int, article: Article, size: str) -> str:
    path = article_path(index, article)
    img = f"https://images.example.net/{index:05d}"
    return f"""<div class="teaser teaser--{size}" data-id="{index}">
<a class="teaser__link" href="{base}{path}"><div class="teaser__media">
<img data-src="{img}/640.jpg" srcset="{img}/320.jpg 320w, {img}/640.jpg 640w, {img}/1024.jpg 1024w"
 sizes="(max-width: 600px) 100vw, 33vw" alt="" width="640" height="360" loading="lazy"></div>
<div class="teaser__body"><span class="teaser__kicker">{SECTIONS[index % len(SECTIONS)]}</span>
<h3 class="teaser__title">{escape(article.title)}</h3>
<p class="teaser__summary">{escape(_lede(article))}</p>
<time class="teaser__meta" datetime="{_day_time(article, index)}">{article.day:%d %B %Y}</time>
</div></a></div>"""


def _comments(rng: Random, others: Sequence[Article]) -> str:
    """Readers' comments: two sentences of another article each."""
    count = rng.randint(4, 14)
    items = ""
    for n in range(count):
        sentences = rng.choice(others).text.replace("\n\n", " ").split(". ")
        said = ". ".join(rng.sample(sentences, min(2, len(sentences))))
        items += (
            f'<li class="comment" id="c{n}"><div class="comment__author">'
            f"{rng.choice(_COMMENTERS)}</div><time>{rng.randint(1, 59)} minutes ago</time>"
            f"<p>{escape(said)}</p><button>Reply</button> <button>Like</button></li>"
        )
    return f'<section id="comments" class="comments"><h2>Comments</h2><ol>{items}</ol></section>'


_FOOTER = (
    ("Sections", [s.lower().replace(" ", "-") for s in SECTIONS]),
    ("About", ["about-us", "contact", "careers", "advertise", "corrections", "ethics"]),
    ("Legal", ["terms", "privacy", "cookies", "accessibility", "licensing"]),
    ("Follow", ["newsletters", "apps", "rss", "podcasts", "alerts"]),
)


def _footer(base: str, name: str) -> str:
    columns = [
        f'<div class="footer__column"><h4>{group}</h4><ul>'
        + "".join(f'<li><a href="{base}/{w}">{w.replace("-", " ").title()}</a></li>' for w in words)
        + "</ul></div>"
        for group, words in _FOOTER
    ]
    return (
        f'<footer class="site-footer">{"".join(columns)}<p class="footer__meta">© 2026 '
        f"{escape(name)} Media Group. All rights reserved. Registered in England No. "
        f"0{zlib.crc32(name.encode()) % 10**7}.</p></footer>"
    )


def render_page(layout: SiteLayout, index: int, articles: Sequence[Article], port: int) -> bytes:
    """Article ``index``'s page, 60–120 KB as news pages are."""
    article = articles[index]
    host = layout.host_of_article(index)
    base = base_url(host, port)
    name = site_name(host)
    rng = Random(f"{layout.seed}/page/{index}")
    target = rng.randint(PAGE_MIN_BYTES, PAGE_MAX_BYTES)
    path = article_path(index, article)
    url = base + path
    stamp = _day_time(article, index)
    section = SECTIONS[index % len(SECTIONS)]
    neighbours = [i for i in layout.host_articles(host) if i != index] or [index]
    others = [articles[i] for i in range(len(articles)) if i != index] or [article]
    author = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"
    author_slug = author.lower().replace(" ", "-")
    also = [rng.choice(neighbours) for _ in range(2)]
    also_links = [
        f'<a href="{base}{article_path(i, articles[i])}">{escape(articles[i].title)}</a>'
        for i in also
    ]
    inserts = {  # after the paragraph of that number: a "Read also" line, an ad, another
        1: f'<p class="read-also"><strong>Read also:</strong> {also_links[0]}</p>',
        2: '<div class="ad-slot" id="ad-inarticle" data-slot="mid">Advertisement</div>',
        3: '<div class="newsletter-box"><h3>The morning briefing</h3><p>The day\'s essential '
        'stories, in your inbox before 7am.</p><form action="/subscribe"><input type="email" '
        'placeholder="Your email"><button>Sign up</button></form></div>',
        4: f"<p><em>Read also:</em> {also_links[1]}</p>",
    }
    body: list[str] = []
    for n, paragraph in enumerate(article.text.split("\n\n")):
        body += [f"<p>{escape(paragraph)}</p>", inserts.get(n, "")]
    most_read = "".join(
        f'<li><a href="{base}{article_path(i, articles[i])}">{escape(articles[i].title)}</a></li>'
        for i in rng.sample(neighbours, min(10, len(neighbours)))
    )
    related = "".join(
        _teaser(base, i, articles[i], "small")
        for i in rng.sample(neighbours, min(4, len(neighbours)))
    )
    tags = "".join(
        f'<li><a href="{base}/topic/{t.lower()}">{t}</a></li>' for t in rng.sample(SECTIONS, 5)
    )
    ld = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
        "datePublished": stamp, "dateModified": stamp, "mainEntityOfPage": url,
        "author": [{"@type": "Person", "name": author}], "articleSection": section,
        "publisher": {"@type": "NewsMediaOrganization", "name": name},
        "image": [f"https://images.example.net/{index:05d}/1024.jpg"],
    }, ensure_ascii=False)  # fmt: skip
    head = f"""<!DOCTYPE html>
<html lang="en-GB" class="no-js"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(article.title)} | {escape(name)}</title>
<meta name="description" content="{escape(_lede(article))}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(article.title)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{escape(name)}">
<meta property="og:image" content="https://images.example.net/{index:05d}/1024.jpg">
<meta property="article:published_time" content="{stamp}">
<meta property="article:modified_time" content="{stamp}">
<meta property="article:section" content="{section}">
<meta name="twitter:card" content="summary_large_image">
<link rel="preconnect" href="https://images.example.net">
<link rel="stylesheet" href="{base}/static/site.{zlib.crc32(name.encode()):x}.css">
<style>{_style(rng)}</style>
<script type="application/ld+json">{ld}</script>
<script>{_script(rng, path, rng.randint(4, 9))}</script>
<script async src="https://cdn.example.net/analytics.js"></script>
</head>"""
    top = f"""<body class="article-page">
<a class="skip-link" href="#main">Skip to content</a>
<div id="consent" class="cookie-banner" role="dialog" aria-label="Cookies"><p>We and our
partners use cookies to personalise content and ads and to analyse our traffic. You can
change your choice at any time in Privacy settings.</p><button>Accept all</button>
<button>Reject all</button><a href="{base}/cookies">Manage preferences</a></div>
<header class="site-header"><a class="logo" href="{base}/">{escape(name)}</a>
{_nav(base, rng)}<div class="ticker"><strong>Breaking</strong> <a href="{base}/live">
Live updates as the story develops</a></div></header>
<ol class="breadcrumb"><li><a href="{base}/">Home</a></li><li><a href="{base}/
{section.lower().replace(" ", "-")}">{section}</a></li></ol>
<main id="main"><article class="story">
<header class="story__header"><h1>{escape(article.title)}</h1>
<div class="story__meta">By <a rel="author" href="{base}/authors/{author_slug}">{author}</a>
<time datetime="{stamp}">{article.day:%d %B %Y}</time></div></header>
<figure class="story__figure"><img src="https://images.example.net/{index:05d}/1024.jpg"
 alt="" width="1024" height="576"><figcaption>A file photograph. Photo: Agency staff
</figcaption></figure>
<div class="story__body">{"".join(body)}</div>
<div class="share-bar"><a href="#">Share on X</a> <a href="#">Facebook</a>
<a href="#">Email</a> <button>Copy link</button></div>
<ul class="tags">{tags}</ul>
</article>
<aside class="sidebar"><section class="most-read"><h2>Most read</h2><ol>{most_read}</ol>
</section><section class="related"><h2>Related</h2>{related}</section></aside>
{_comments(rng, others)}"""
    tail = _footer(base, name)
    teasers: list[str] = []
    state: list[dict[str, object]] = []
    size = len(head) + len(top) + len(tail) + 400
    while size < target:
        i = rng.randrange(len(articles))
        teaser = _teaser(base, i, articles[i], rng.choice(["small", "wide"]))
        entry: dict[str, object] = {
            "id": i, "title": articles[i].title, "url": base + article_path(i, articles[i]),
            "summary": _lede(articles[i]), "published": _day_time(articles[i], i),
        }  # fmt: skip
        teasers.append(teaser)
        state.append(entry)
        size += len(teaser) + len(json.dumps(entry)) + 20
    page_state = json.dumps({"page": {"path": path, "section": section}, "rail": state})
    html = (
        f'{head}\n{top}\n<section class="more-from-site"><h2>More from {escape(name)}</h2>'
        f'<div class="grid">{"".join(teasers)}</div></section></main>\n{tail}\n'
        f'<script id="page-state" type="application/json">{page_state}</script>\n</body></html>\n'
    )
    return html.encode("utf-8")


# -- serving -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str
    etag: str


def _resource(body: bytes, content_type: str) -> Resource:
    return Resource(body, content_type, f'"{hashlib.sha1(body).hexdigest()[:20]}"')


class Site:
    """Every host's resources, rendered once, and the counts of what was asked."""

    def __init__(self, layout: SiteLayout, articles: Sequence[Article], port: int) -> None:
        robots = _resource(b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
        self.resources = [{"/robots.txt": robots} for _ in range(layout.hosts)]
        for feed in range(layout.feeds):
            rss = render_feed(layout, feed, articles, port)
            served = self.resources[layout.host_of_feed(feed)]
            served[feed_path(feed)] = _resource(rss, "application/rss+xml; charset=utf-8")
        for i, article in enumerate(articles):
            html = render_page(layout, i, articles, port)
            served = self.resources[layout.host_of_article(i)]
            served[article_path(i, article)] = _resource(html, "text/html; charset=utf-8")
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def count(self, kind: str) -> None:
        with self.lock:
            self.counts[kind] += 1


def _kind(path: str, status: int) -> str:
    """What the stats count a request as: "feeds 200", "news 200", "robots 200", ..."""
    return "not found" if status == 404 else f"{path.split('/')[1].split('.')[0]} {status}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], host: int) -> None:
        self.host = host
        self.site: Site | None = None  # set once every host is bound (pages name the port)
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bound without HTTPServer's reverse lookup of the address (``getfqdn``)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = host_address(self.host)
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client closed a kept-alive connection
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are written apart

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # http.server's name
        server = self.server
        assert isinstance(server, _Server)
        site = server.site
        assert site is not None
        path = self.path.split("?", 1)[0]
        if path == "/__stats":
            with site.lock:
                counts = json.dumps(dict(site.counts)).encode()
            self._send(200, counts, "application/json", None)
            return
        found = site.resources[server.host].get(path)
        if found is None:
            site.count(_kind(path, 404))
            self._send(404, b"not found", "text/plain", None)
        elif self.headers.get("If-None-Match") == found.etag:
            site.count(_kind(path, 304))
            self._send(304, b"", None, found.etag)
        else:
            site.count(_kind(path, 200))
            self._send(200, found.body, found.content_type, found.etag)

    def _send(self, status: int, body: bytes, content_type: str | None, etag: str | None) -> None:
        with suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Cache-Control", "max-age=60")
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)


def _bind(hosts: int) -> list[_Server]:
    """A server on each host's address, all on one port free on every one of them."""
    for _ in range(50):
        servers = [_Server((host_address(0), 0), 0)]
        port = servers[0].server_address[1]
        try:
            for host in range(1, hosts):
                servers.append(_Server((host_address(host), port), host))
        except OSError as exc:
            for server in servers:
                server.server_close()
            if exc.errno != errno.EADDRINUSE:
                raise
            continue
        return servers
    raise RuntimeError("no port free on every loopback host address")


def serve(layout: SiteLayout) -> None:
    """Serve the site until SIGTERM; print ``serving PORT`` once every host listens."""
    servers = _bind(layout.hosts)
    port = servers[0].server_address[1]
    site = Site(layout, generate_corpus(layout.articles, layout.seed), port)
    for server in servers:
        server.site = site
        threading.Thread(target=server.serve_forever, args=(0.5,), daemon=True).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print(f"serving {port} on {layout.hosts} hosts", flush=True)
    done.wait()
    for server in servers:
        server.shutdown()
        server.server_close()


# -- from the bench ----------------------------------------------------------------------


@dataclass(frozen=True)
class RunningSite:
    layout: SiteLayout
    port: int
    process: subprocess.Popen[bytes]

    def feed_urls(self) -> list[str]:
        host, port = self.layout.host_of_feed, self.port
        return [base_url(host(f), port) + feed_path(f) for f in range(self.layout.feeds)]

    def page_url(self, index: int, article: Article) -> str:
        host = self.layout.host_of_article(index)
        return base_url(host, self.port) + article_path(index, article)

    def stats_url(self) -> str:
        return base_url(0, self.port) + "/__stats"


@contextmanager
def running_site(layout: SiteLayout, workdir: Path) -> Iterator[RunningSite]:
    """The site in a subprocess, stopped at the end; its output goes to a file."""
    if not 1 <= layout.hosts <= MAX_HOSTS:
        raise ValueError(f"hosts must be 1 to {MAX_HOSTS}, got {layout.hosts}")
    command = [
        sys.executable, "-m", "benchmarks.feed_site", "--hosts", str(layout.hosts),
        "--feeds", str(layout.feeds), "--articles", str(layout.articles),
        "--items", str(layout.items), "--seed", str(layout.seed),
    ]  # fmt: skip
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "feed-site.log"
    root = Path(__file__).resolve().parents[1]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=root)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            text = log.read_text(encoding="utf-8", errors="replace")
            found = re.search(r"^serving (\d+)", text, re.MULTILINE)
            if found:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the feed site did not start:\n{text[-3000:]}")
            time.sleep(0.05)
        yield RunningSite(layout, int(found.group(1)), process)
    finally:
        stop_process(process)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.feed_site",
        description="Serve the bench's loopback news site until SIGTERM.",
    )
    for name, default in (("hosts", 25), ("feeds", 1000), ("articles", 500), ("items", 20)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    serve(SiteLayout(args.hosts, args.feeds, args.articles, args.items, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
