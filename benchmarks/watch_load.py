"""``make bench-watch``: ``eventcoder watch`` against a loopback news site, in one run.

What is measured (``python -m benchmarks.watch_load --help`` lists the options):

* **the site** (``benchmarks.feed_site``, a process of its own): ``--feeds`` RSS feeds
  (1,000) of ``--items`` links (20) on ``--hosts`` loopback addresses (25), linking to
  ``--articles`` distinct article pages (500, from ``benchmarks.generator``) of 60–120 KB.
* **coding** (the baseline every rate is divided by): ``code_corpus`` (1 worker, the
  ``--model``) over the articles' texts into a fresh SQLite store, the model loaded first.
* **extraction**: ``extract_page`` + ``page_document`` over the pages as served, in this
  process (CPU only); and how many texts came out exactly as the article was written.
* **download**: every page once, 16 connections, no politeness: what the loopback serves.
* **feed polling**: ``Watcher.poll`` of every feed with pages left alone
  (``round_pages=0``) into a fresh store, a first poll (200s, every item recorded) and a
  second one (all 304), with ``host_delay_s`` 0: the rate the client and the site allow.
  The default policy's figures (host delay 1 s, concurrency 16) are the feed stage of
  the whole polls below, which is the same code.
* **whole poll**: ``Watcher.poll`` with the default settings into a fresh store: feeds,
  then rounds of fetching and extracting the new pages and coding them; then a second
  poll (all 304, nothing new). The wall time is split into feeds, fetch (with the
  extraction inside it), coding and the rest; the ratio of the fetch-and-extract rate to
  the coding rate says whether fetching is the bottleneck (< 1) or not (> 1).

Rates are also given as ratios to the coding rate of the same run (per second each).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psutil

from benchmarks.feed_site import MAX_HOSTS, RunningSite, SiteLayout, feed_links, running_site
from benchmarks.generator import DEFAULT_SEED, Article, generate_corpus
from eventcoder.corpus import code_corpus
from eventcoder.ingest.html import extract_page, page_document
from eventcoder.model import Document
from eventcoder.pipeline import CoderConfig
from eventcoder.store import open_store
from eventcoder.store.crawl import WebPage
from eventcoder.watch.fetch import Fetched, Fetcher, FetchPolicy
from eventcoder.watch.run import PollSummary, Watcher, WatchSettings
from eventcoder.watch.urls import web_doc_id

DEFAULT = {"feeds": 1000, "hosts": 50, "articles": 500, "items": 20}
QUICK = {"feeds": 40, "hosts": 20, "articles": 40, "items": 20}
DOWNLOAD_CONNECTIONS = 16
WARMUP_DOCS = 4


@dataclass(frozen=True)
class Settings:
    feeds: int
    hosts: int
    articles: int
    items: int
    seed: int
    model: str
    quick: bool


@dataclass(frozen=True)
class SiteFacts:
    hosts: int
    feeds: int
    feeds_per_host: float
    articles: int  # distinct articles the feeds link to
    articles_per_host: float
    items_per_feed: float
    tracked_links: int  # feed links with utm_* parameters
    page_kb_mean: float
    page_kb_min: float
    page_kb_max: float


@dataclass(frozen=True)
class Coding:
    docs: int
    events: int
    seconds: float
    docs_per_s: float
    model_load_s: float


@dataclass(frozen=True)
class Extraction:
    pages: int
    seconds: float
    pages_per_s: float
    ratio: float  # pages/s ÷ coding docs/s
    texts_identical: int  # extracted text == the article's text
    cpu_s: float


@dataclass(frozen=True)
class Download:
    pages: int
    megabytes: float
    seconds: float
    pages_per_s: float
    ratio: float
    connections: int


@dataclass(frozen=True)
class FeedPoll:
    host_delay_s: float
    poll: str  # "first" (200s) or "second" (304s)
    measured_in: str  # "feeds only" or "whole poll, feed stage"
    feeds: int
    not_modified: int
    failed: int
    new_items: int
    seconds: float
    feeds_per_min: float
    ratio: float  # feeds/s ÷ coding docs/s
    client_cpu_s: float | None  # None: not separable from the whole poll
    server_cpu_s: float | None


@dataclass(frozen=True)
class WholePoll:
    poll: str
    seconds: float
    feeds_s: float
    fetch_s: float  # the rounds' fetching, the extraction inside it included
    extract_s: float
    code_s: float
    other_s: float
    feeds: int
    feeds_not_modified: int
    new_items: int
    fetched: int
    coded: int
    events: int
    failed: dict[str, int]
    skipped: dict[str, int]
    feeds_failed: dict[str, int]
    not_english: int
    requests: int
    fetched_per_s: float  # pages fetched and extracted ÷ fetch_s
    coded_per_s: float  # documents coded ÷ code_s
    fetch_to_code: float  # fetched_per_s ÷ coded_per_s: > 1, fetching is not the bottleneck
    overall_per_s: float  # documents coded ÷ the whole poll
    client_cpu_s: float
    server_cpu_s: float
    rounds: int  # rounds of pages fetched, then coded
    round_hosts: float  # hosts a round's pages were on, on average
    round_busiest_host: float  # pages of a round's busiest host, on average
    fetch_floor_s: float  # the busiest host's pages × the host delay: rounds balanced


@dataclass(frozen=True)
class WatchLoadResult:
    settings: Settings
    machine: dict[str, Any]
    site: SiteFacts
    coding: Coding
    extraction: Extraction
    download: Download
    feed_polls: tuple[FeedPoll, ...]
    whole_polls: tuple[WholePoll, ...]
    served: dict[str, int]  # requests the site answered, by kind
    problems: tuple[str, ...]
    started: str
    duration_s: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


# -- the watcher, timed by stage ---------------------------------------------------------


class TimedWatcher(Watcher):
    """A :class:`Watcher` that adds up the wall time of each stage of its polls."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage_s: defaultdict[str, float] = defaultdict(float)
        self.round_hosts: list[Counter[str]] = []  # pages to fetch a host, each round

    async def _poll_feeds(self, fetcher: Fetcher, summary: PollSummary) -> None:
        started = time.perf_counter()
        try:
            await super()._poll_feeds(fetcher, summary)
        finally:
            self.stage_s["feeds"] += time.perf_counter() - started

    async def _fetch_round(
        self, fetcher: Fetcher, pages: list[WebPage], summary: PollSummary
    ) -> list[tuple[WebPage, Document]]:
        started = time.perf_counter()
        self.round_hosts.append(Counter(urlsplit(p.url).hostname or "" for p in pages))
        try:
            return await super()._fetch_round(fetcher, pages, summary)
        finally:
            self.stage_s["fetch"] += time.perf_counter() - started

    def _document_of(self, page: WebPage, found: Fetched, summary: PollSummary) -> Document | None:
        started = time.perf_counter()
        try:
            return super()._document_of(page, found, summary)
        finally:
            self.stage_s["extract"] += time.perf_counter() - started

    def _code_round(self, fetched: list[tuple[WebPage, Document]], summary: PollSummary) -> None:
        started = time.perf_counter()
        try:
            super()._code_round(fetched, summary)
        finally:
            self.stage_s["code"] += time.perf_counter() - started


# -- the phases --------------------------------------------------------------------------


def _per_s(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def _cpu_s(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _documents(articles: Sequence[Article], prefix: str) -> list[Document]:
    return [
        Document(f"{prefix}/{i}", a.text, a.day, title=a.title, url=a.url, source=a.source)
        for i, a in enumerate(articles)
    ]


def measure_coding(articles: Sequence[Article], config: CoderConfig, workdir: Path) -> Coding:
    """The baseline: the articles' texts coded by ``code_corpus`` into a fresh store, after
    a few other articles coded to load the model."""
    warmup = generate_corpus(len(articles) + WARMUP_DOCS, DEFAULT_SEED + 1)[-WARMUP_DOCS:]
    started = time.perf_counter()
    with open_store(str(workdir / "warmup.db")) as store:
        code_corpus(_documents(warmup, "warmup"), store=store, config=config, workers=1)
    loaded = time.perf_counter() - started
    with open_store(str(workdir / "coding.db")) as store:
        started = time.perf_counter()
        run = code_corpus(_documents(articles, "bench"), store=store, config=config, workers=1)
        seconds = time.perf_counter() - started
    return Coding(run.coded, run.events, round(seconds, 2), _per_s(run.coded, seconds), loaded)


async def _download(urls: Sequence[str]) -> list[bytes]:
    limits = httpx.Limits(max_connections=DOWNLOAD_CONNECTIONS)
    async with httpx.AsyncClient(limits=limits, timeout=60, trust_env=False) as client:

        async def one(url: str) -> bytes:
            response = await client.get(url)
            response.raise_for_status()
            return response.content

        return await asyncio.gather(*(one(url) for url in urls))


def measure_download(urls: Sequence[str], coding: Coding) -> tuple[Download, list[bytes]]:
    started = time.perf_counter()
    bodies = asyncio.run(_download(urls))
    seconds = time.perf_counter() - started
    rate = _per_s(len(bodies), seconds)
    megabytes = sum(len(b) for b in bodies) / 1e6
    return Download(
        len(bodies), round(megabytes, 1), round(seconds, 2), rate, rate / coding.docs_per_s,
        DOWNLOAD_CONNECTIONS,
    ), bodies  # fmt: skip


def measure_extraction(
    urls: Sequence[str], bodies: Sequence[bytes], articles: Sequence[Article], coding: Coding
) -> Extraction:
    """Each served page through what the watcher does with it, in this process."""
    content_type = "text/html; charset=utf-8"
    extract_page(bodies[0], url=urls[0], content_type=content_type)  # imports, caches
    identical = 0
    cpu0, started = time.process_time(), time.perf_counter()
    for url, body, article in zip(urls, bodies, articles, strict=True):
        page = extract_page(body, url=url, content_type=content_type)
        if page is None:
            continue
        document = page_document(
            page, doc_id=web_doc_id(url), origin=url, default_date=date.today()
        )
        identical += document.text == article.text
    seconds = time.perf_counter() - started
    rate = _per_s(len(bodies), seconds)
    return Extraction(
        len(bodies), round(seconds, 2), rate, rate / coding.docs_per_s, identical,
        round(time.process_time() - cpu0, 2),
    )  # fmt: skip


def feed_poll(
    delay: float, which: str, summary: PollSummary, coding: Coding, *, seconds: float,
    measured_in: str, client_cpu_s: float | None = None, server_cpu_s: float | None = None,
) -> FeedPoll:  # fmt: skip
    per_s = _per_s(summary.feeds, seconds)
    return FeedPoll(
        host_delay_s=delay, poll=which, measured_in=measured_in, feeds=summary.feeds,
        not_modified=summary.feeds_not_modified, failed=sum(summary.feeds_failed.values()),
        new_items=summary.new_items, seconds=round(seconds, 2), feeds_per_min=per_s * 60,
        ratio=per_s / coding.docs_per_s, client_cpu_s=client_cpu_s, server_cpu_s=server_cpu_s,
    )  # fmt: skip


def measure_feed_polls(
    site: RunningSite, config: CoderConfig, coding: Coding, workdir: Path, delay: float
) -> tuple[FeedPoll, ...]:
    """Two polls of every feed, pages left alone (``round_pages=0``), into a fresh store."""
    settings = WatchSettings(policy=FetchPolicy(host_delay_s=delay), round_pages=0)
    server = psutil.Process(site.process.pid)
    polls = []
    with open_store(str(workdir / f"feeds-{delay:g}.db")) as store:
        watcher = Watcher(store, site.feed_urls(), config=config, settings=settings)
        for which in ("first", "second"):
            cpu0, server0 = time.process_time(), _cpu_s(server)
            summary = watcher.poll()
            polls.append(feed_poll(
                delay, which, summary, coding, seconds=summary.seconds, measured_in="feeds only",
                client_cpu_s=round(time.process_time() - cpu0, 2),
                server_cpu_s=round(_cpu_s(server) - server0, 2),
            ))  # fmt: skip
    return tuple(polls)


def measure_whole_polls(
    site: RunningSite, config: CoderConfig, workdir: Path
) -> tuple[tuple[WholePoll, ...], tuple[PollSummary, ...]]:
    """A first and a second ``Watcher.poll`` with the default settings, fresh store."""
    server = psutil.Process(site.process.pid)
    polls, summaries = [], []
    with open_store(str(workdir / "watch.db")) as store:
        watcher = TimedWatcher(store, site.feed_urls(), config=config)
        for which in ("first", "second"):
            watcher.stage_s.clear()
            watcher.round_hosts.clear()
            cpu0, server0 = time.process_time(), _cpu_s(server)
            s = watcher.poll()
            stage, rounds = dict(watcher.stage_s), watcher.round_hosts
            by_host = sum(rounds, Counter[str]())
            n, delay = max(len(rounds), 1), watcher.settings.policy.host_delay_s
            feeds_s, fetch_s = stage.get("feeds", 0.0), stage.get("fetch", 0.0)
            code_s = stage.get("code", 0.0)
            fetched_per_s, coded_per_s = _per_s(s.fetched, fetch_s), _per_s(s.coded, code_s)
            polls.append(WholePoll(
                poll=which, seconds=round(s.seconds, 2), feeds_s=round(feeds_s, 2),
                fetch_s=round(fetch_s, 2), extract_s=round(stage.get("extract", 0.0), 2),
                code_s=round(code_s, 2), other_s=round(s.seconds - feeds_s - fetch_s - code_s, 2),
                feeds=s.feeds, feeds_not_modified=s.feeds_not_modified, new_items=s.new_items,
                fetched=s.fetched, coded=s.coded, events=s.events, failed=dict(s.failed),
                skipped=dict(s.skipped), feeds_failed=dict(s.feeds_failed),
                not_english=sum(s.not_english.values()), requests=s.requests,
                fetched_per_s=fetched_per_s, coded_per_s=coded_per_s,
                fetch_to_code=fetched_per_s / coded_per_s if coded_per_s else 0.0,
                overall_per_s=_per_s(s.coded, s.seconds),
                client_cpu_s=round(time.process_time() - cpu0, 2),
                server_cpu_s=round(_cpu_s(server) - server0, 2), rounds=len(rounds),
                round_hosts=sum(len(r) for r in rounds) / n,
                round_busiest_host=sum(max(r.values(), default=0) for r in rounds) / n,
                fetch_floor_s=max(by_host.values(), default=0) * delay,
            ))  # fmt: skip
            summaries.append(s)
    return tuple(polls), tuple(summaries)


def _site_facts(layout: SiteLayout, bodies: Sequence[bytes]) -> SiteFacts:
    links = [link for feed in range(layout.feeds) for link in feed_links(layout, feed)]
    sizes = [len(body) / 1000 for body in bodies]
    return SiteFacts(
        hosts=layout.hosts, feeds=layout.feeds, feeds_per_host=layout.feeds / layout.hosts,
        articles=len({link.article for link in links}),
        articles_per_host=layout.articles / layout.hosts,
        items_per_feed=len(links) / max(layout.feeds, 1),
        tracked_links=sum(link.tracked for link in links),
        page_kb_mean=round(sum(sizes) / max(len(sizes), 1), 1),
        page_kb_min=round(min(sizes, default=0), 1), page_kb_max=round(max(sizes, default=0), 1),
    )  # fmt: skip


def _problems(
    facts: SiteFacts,
    feed_polls: Sequence[FeedPoll],
    whole: Sequence[WholePoll],
    served: dict[str, int],
    layout: SiteLayout,
) -> list[str]:
    """Everything that should not happen: the site serves only valid, fetchable pages."""
    found = []
    expected = facts.articles
    for poll in [*feed_polls]:
        if poll.failed or poll.feeds != layout.feeds:
            found.append(f"feed poll {poll.host_delay_s:g} s {poll.poll}: {poll}")
        if poll.poll == "first" and poll.new_items != expected:
            found.append(f"feed poll {poll.host_delay_s:g} s: {poll.new_items} new items")
        if poll.poll == "second" and (poll.not_modified != layout.feeds or poll.new_items):
            found.append(f"feed poll {poll.host_delay_s:g} s second: not all 304")
    first, second = whole
    if first.failed or first.skipped or first.feeds_failed or first.not_english:
        found.append(
            f"whole poll: failed {first.failed}, skipped {first.skipped}, "
            f"feeds failed {first.feeds_failed}, not English {first.not_english}"
        )
    if not first.new_items == first.fetched == first.coded == expected:
        found.append(
            f"whole poll: {first.new_items} new, {first.fetched} fetched, {first.coded} coded "
            f"of {expected} articles"
        )
    if second.feeds_not_modified != layout.feeds or second.fetched or second.coded:
        found.append(f"second whole poll: {second}")
    if served.get("not found"):
        found.append(f"the site answered {served['not found']} requests with 404")
    pages_served = served.get("news 200", 0)
    if pages_served != 2 * expected:  # once for the download, once for the watcher
        found.append(f"the site served {pages_served} pages, expected {2 * expected}")
    return found


def _machine(load_before: tuple[float, float, float]) -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip


def run(settings: Settings) -> WatchLoadResult:
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    load_before = os.getloadavg()
    s = settings
    layout = SiteLayout(s.hosts, s.feeds, s.articles, s.items, s.seed)
    config = CoderConfig(model=settings.model, kb_dirs=())
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp, running_site(
        layout, Path(tmp)
    ) as site:  # fmt: skip
        workdir = Path(tmp)
        articles = generate_corpus(settings.articles, settings.seed)
        urls = [site.page_url(i, a) for i, a in enumerate(articles)]
        print(f"coding {len(articles)} articles (the baseline) ...", flush=True)
        coding = measure_coding(articles, config, workdir)
        print(f"downloading and extracting their {len(urls)} pages ...", flush=True)
        download, bodies = measure_download(urls, coding)
        extraction = measure_extraction(urls, bodies, articles, coding)
        print(f"polling {settings.feeds} feeds on {settings.hosts} hosts, delay 0 ...", flush=True)
        feed_polls = list(measure_feed_polls(site, config, coding, workdir, 0.0))
        print("whole polls with the default settings (host delay 1 s) ...", flush=True)
        whole, summaries = measure_whole_polls(site, config, workdir)
        delay = FetchPolicy().host_delay_s
        for poll, summary in zip(whole, summaries, strict=True):
            feed_polls.append(feed_poll(
                delay, poll.poll, summary, coding, seconds=poll.feeds_s,
                measured_in="whole poll, feed stage",
            ))  # fmt: skip
        served: dict[str, int] = httpx.get(site.stats_url(), trust_env=False).json()
    facts = _site_facts(layout, bodies)
    problems = _problems(facts, feed_polls, whole, served, layout)
    return WatchLoadResult(
        settings=settings, machine=_machine(load_before), site=facts, coding=coding,
        extraction=extraction, download=download, feed_polls=tuple(feed_polls),
        whole_polls=whole, served=served, problems=tuple(problems), started=started_at,
        duration_s=round(time.perf_counter() - started, 1),
    )  # fmt: skip


# -- the report --------------------------------------------------------------------------


def format_report(result: WatchLoadResult) -> str:
    """The table ``make bench-watch`` prints."""
    m, site, c = result.machine, result.site, result.coding
    lines = [
        f"machine: {m['cpus']} CPUs, {m['platform']}, Python {m['python']}; load average "
        f"before: {m['load_before']}, after: {m['load_after']}",
        f"site: {site.feeds:,} feeds on {site.hosts} loopback hosts ({site.feeds_per_host:g} "
        f"a host), {site.items_per_feed:g} links a feed ({site.tracked_links:,} with utm_*), "
        f"{site.articles:,} articles ({site.articles_per_host:g} a host), pages "
        f"{site.page_kb_min:.0f}–{site.page_kb_max:.0f} KB (mean {site.page_kb_mean:.0f})",
        "",
        f"{'measured':58} {'rate':>16} {'÷ coding':>9}",
    ]

    def row(what: str, rate: str, ratio: float) -> None:
        lines.append(f"{what:58} {rate:>16} {ratio:>9.2f}")

    row(f"coding: code_corpus, 1 worker, {result.settings.model} ({c.docs} docs)",
        f"{c.docs_per_s:.2f} docs/s", 1.0)  # fmt: skip
    e, d = result.extraction, result.download
    row("extraction: extract_page + page_document", f"{e.pages_per_s:.1f} pages/s", e.ratio)
    row(f"download: no politeness, {d.connections} connections", f"{d.pages_per_s:.0f} pages/s",
        d.ratio)  # fmt: skip
    for p in result.feed_polls:
        kind = "200s" if p.poll == "first" else "304s"
        where = "" if p.measured_in == "feeds only" else ", whole poll"
        row(f"feeds: {p.poll} poll ({kind}), host delay {p.host_delay_s:g} s{where}",
            f"{p.feeds_per_min:,.0f} feeds/min", p.ratio)  # fmt: skip
    first = result.whole_polls[0]
    row("whole poll: pages fetched and extracted", f"{first.fetched_per_s:.1f} pages/s",
        first.fetched_per_s / c.docs_per_s)  # fmt: skip
    row("whole poll: documents coded", f"{first.coded_per_s:.2f} docs/s",
        first.coded_per_s / c.docs_per_s)  # fmt: skip
    row("whole poll: documents coded ÷ whole poll time", f"{first.overall_per_s:.2f} docs/s",
        first.overall_per_s / c.docs_per_s)  # fmt: skip
    lines.append("")
    for w in result.whole_polls:
        lines.append(
            f"{w.poll} whole poll {w.seconds:.1f} s: feeds {w.feeds_s:.1f} s, fetch "
            f"{w.fetch_s:.1f} s (extraction {w.extract_s:.1f} s of it), coding "
            f"{w.code_s:.1f} s, other {w.other_s:.1f} s; {w.fetched} fetched, {w.coded} coded "
            f"({w.events} events), {w.requests} requests; CPU: bench {w.client_cpu_s:.0f} s, "
            f"site {w.server_cpu_s:.0f} s"
        )
    lines.append(
        f"first whole poll: {first.rounds} rounds of up to {WatchSettings().round_pages} pages, "
        f"on {first.round_hosts:.1f} hosts a round, {first.round_busiest_host:.1f} pages on "
        f"the busiest; the busiest host's pages × host delay: {first.fetch_floor_s:.0f} s"
    )
    share = first.fetch_s / first.seconds if first.seconds else 0.0
    lines.append(
        f"fetch-and-extract rate ÷ coding rate in the whole poll: {first.fetch_to_code:.2f} (> 1: "
        f"fetching keeps ahead of coding); fetching took {share:.0%} of the poll's wall time"
    )
    for p in result.feed_polls:
        if p.client_cpu_s is not None:
            lines.append(
                f"feeds only, delay {p.host_delay_s:g} s, {p.poll} poll: {p.seconds:.1f} s, "
                f"CPU: bench {p.client_cpu_s:.1f} s, site {p.server_cpu_s:.1f} s"
            )
    lines.append(
        f"extracted texts identical to the articles: {e.texts_identical} of {e.pages}; "
        f"site requests: {json.dumps(result.served, sort_keys=True)}"
    )
    lines += [f"PROBLEM: {problem}" for problem in result.problems]
    lines.append(f"bench took {result.duration_s / 60:.1f} min (started {result.started})")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.watch_load",
        description="Poll feeds of a loopback news site with `eventcoder watch`'s Watcher and "
        "measure feeds/min, pages/s and the coding rate (make bench-watch).",
    )
    for name, help_text in {
        "feeds": "feeds in the watch list", "hosts": "loopback hosts (127.0.0.2, ...)",
        "articles": "distinct article pages", "items": "links a feed carries, at most",
    }.items():  # fmt: skip
        parser.add_argument(
            f"--{name}", type=int, help=f"{help_text} (default {DEFAULT[name]:,}; "
            f"--quick {QUICK[name]:,})",
        )  # fmt: skip
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--model", default="sm", help="the spaCy model coding (default sm)")
    parser.add_argument("--quick", action="store_true", help="smoke run: a small site")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sizes = {k: getattr(args, k) or (QUICK if args.quick else DEFAULT)[k] for k in DEFAULT}
    settings = Settings(**sizes, seed=args.seed, model=args.model, quick=bool(args.quick))
    if min(sizes.values()) < 1 or settings.hosts > MAX_HOSTS:
        print(f"sizes must be positive, --hosts at most {MAX_HOSTS}", file=sys.stderr)
        return 2
    result = run(settings)
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(result.to_json() + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
