"""``eventcoder watch`` against a real HTTP server on a loopback port (tests/feed_server.py):
feeds polled over time, pages fetched politely, failures recorded with their reasons,
and nothing fetched twice across feeds, polls and restarts."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventcoder.argtypes import duration
from eventcoder.cli import EXIT_OK, main
from eventcoder.cli_watch import feed_urls
from eventcoder.errors import InputError, UsageError
from eventcoder.pipeline import Coder, CoderConfig
from eventcoder.store import EventStore, open_store
from eventcoder.store.analytics import StoredDocument
from eventcoder.watch.feeds import parse_feed, read_feed_list
from eventcoder.watch.fetch import FetchPolicy
from eventcoder.watch.run import PollSummary, Watcher, WatchSettings
from eventcoder.watch.urls import canonical_url
from feed_server import FeedServer, Reply

ARTICLES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "watch" / "articles.yaml").read_text(encoding="utf-8")
)
BY_SLUG = {article["slug"]: article for article in ARTICLES}
CONFIG = CoderConfig(model="md", kb_dirs=())
POLICY = FetchPolicy(
    timeout_s=1.0,
    deadline_s=2.5,
    retries=1,
    backoff_s=0.05,
    max_wait_s=1.5,
    host_delay_s=0.0,
    max_bytes=100_000,
    concurrency=4,
)


def page_html(slug: str, *, canonical: str | None = None, charset: str = "utf-8") -> bytes:
    article = BY_SLUG[slug]
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in article["paragraphs"])
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    html = f"""<!DOCTYPE html>
<html lang="{article.get("language", "en")}"><head><meta charset="{charset}">
<title>{escape(article["title"])} | Loopback News</title>{link}
<meta property="og:site_name" content="Loopback News">
<meta property="article:published_time" content="{article["date"]}T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{escape(article["title"])}</h1>
{paragraphs}
</article>
<footer>Copyright Loopback News Ltd. All rights reserved.</footer>
</body></html>"""
    return html.encode(charset)


def rfc822(day: date) -> str:
    return format_datetime(datetime.combine(day, datetime.min.time(), UTC))


def rss(server: FeedServer, slugs: list[str], *, query: str = "") -> bytes:
    items = "\n".join(
        f"""<item><title>{escape(BY_SLUG[slug]["title"])}</title>
<link>{server.url("/news/" + slug + query)}</link>
<pubDate>{rfc822(BY_SLUG[slug]["date"])}</pubDate>
</item>"""
        for slug in slugs
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Loopback News</title><link>{server.base}</link>
<description>Test feed</description>
{items}
</channel></rss>""".encode()


def feed_reply(body: bytes) -> Reply:
    return Reply(body=body, content_type="application/rss+xml; charset=utf-8")


def serve_pages(server: FeedServer, slugs: list[str]) -> None:
    for slug in slugs:
        server.routes["/news/" + slug] = Reply(body=page_html(slug))


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as running:
        running.routes["/robots.txt"] = Reply(
            body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
        )
        yield running


@pytest.fixture
def store(tmp_path: Path, combined_coder: Coder) -> Iterator[EventStore]:
    with open_store(str(tmp_path / "watch.db")) as opened:
        yield opened


def watcher(store: EventStore, feeds: list[str], **kwargs: Any) -> Watcher:
    settings = kwargs.pop("settings", WatchSettings(policy=POLICY))
    return Watcher(store, feeds, config=CONFIG, settings=settings, **kwargs)


def stored_documents(store: EventStore) -> list[StoredDocument]:
    """The documents the watcher stored (found through the pages it coded)."""
    doc_ids = sorted({page.doc_id for page in store.crawl.pages("coded") if page.doc_id})
    found = [store.analytics.document(doc_id) for doc_id in doc_ids]
    return [document for document in found if document is not None]


def stored_doc_ids(store: EventStore) -> set[str]:
    return {document.doc_id for document in stored_documents(store)}


def test_items_are_coded_and_new_ones_picked_up_on_the_next_poll(
    server: FeedServer, store: EventStore
) -> None:
    serve_pages(server, ["lithuania-talks", "kenya-protest", "chile-accord"])
    server.routes["/feed.xml"] = feed_reply(rss(server, ["lithuania-talks", "kenya-protest"]))
    watch = watcher(store, [server.url("/feed.xml")])

    first = watch.poll()
    assert (first.feeds, first.new_items, first.fetched, first.coded) == (1, 2, 2, 2)
    assert first.events > 0 and not first.failed
    assert len(stored_doc_ids(store)) == 2

    server.routes["/feed.xml"] = feed_reply(
        rss(server, ["chile-accord", "lithuania-talks", "kenya-protest"])
    )
    second = watch.poll()
    assert (second.new_items, second.fetched, second.coded) == (1, 1, 1)
    assert len(stored_doc_ids(store)) == 3
    for slug in ("lithuania-talks", "kenya-protest", "chile-accord"):
        assert server.hits("/news/" + slug) == 1
    assert store.crawl.page_states()["coded"] == 3
    # the events quote the page's article text, never the navigation around it
    for document in stored_documents(store):
        assert "Sport" not in document.text and "Copyright" not in document.text
        assert document.url is not None and document.url.startswith(server.base)
        assert document.source == "Loopback News"


def test_feeds_are_fetched_conditionally(server: FeedServer, store: EventStore) -> None:
    serve_pages(server, ["lithuania-talks"])
    body = rss(server, ["lithuania-talks"])

    def conditional(headers: Mapping[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304, content_type=None, headers={"ETag": '"v1"'})
        return Reply(
            body=body,
            content_type="application/rss+xml",
            headers={"ETag": '"v1"', "Last-Modified": "Tue, 04 Mar 2025 10:00:00 GMT"},
        )

    server.routes["/feed.xml"] = conditional
    watch = watcher(store, [server.url("/feed.xml")])
    watch.poll()
    again = watch.poll()
    assert again.feeds_not_modified == 1 and again.new_items == 0 and again.fetched == 0
    asked = [r.headers for r in server.requests if r.path == "/feed.xml"]
    assert "if-none-match" not in asked[0]
    assert asked[1]["if-none-match"] == '"v1"'
    assert asked[1]["if-modified-since"] == "Tue, 04 Mar 2025 10:00:00 GMT"
    state = store.crawl.feed(server.url("/feed.xml"))
    assert state is not None and state.status == 304 and state.etag == '"v1"'


def test_an_article_in_two_feeds_is_fetched_once(server: FeedServer, store: EventStore) -> None:
    serve_pages(server, ["chile-accord"])
    server.routes["/news/chile-accord?utm_source=rss&utm_medium=feed"] = Reply(
        body=page_html("chile-accord")
    )
    server.routes["/a.xml"] = feed_reply(rss(server, ["chile-accord"]))
    server.routes["/b.xml"] = feed_reply(
        rss(server, ["chile-accord"], query="?utm_source=rss&utm_medium=feed")
    )
    summary = watcher(store, [server.url("/a.xml"), server.url("/b.xml")]).poll()
    assert summary.new_items == 1 and summary.fetched == 1 and summary.coded == 1
    assert server.hits("/news/chile-accord") == 1
    assert len(stored_doc_ids(store)) == 1


def test_a_second_watcher_fetches_nothing_already_stored(
    server: FeedServer, store: EventStore
) -> None:
    serve_pages(server, ["japan-criticism"])
    server.routes["/a.xml"] = feed_reply(rss(server, ["japan-criticism"]))
    server.routes["/b.xml"] = feed_reply(rss(server, ["japan-criticism"]))
    watcher(store, [server.url("/a.xml")]).poll()
    later = watcher(store, [server.url("/b.xml"), server.url("/a.xml")]).poll()
    assert later.fetched == 0 and later.new_items == 0
    assert server.hits("/news/japan-criticism") == 1


def test_redirects_are_followed_and_a_loop_is_given_up(
    server: FeedServer, store: EventStore
) -> None:
    serve_pages(server, ["nigeria-attack"])
    server.routes["/go/nigeria"] = Reply(
        301, content_type=None, headers={"Location": "/news/nigeria-attack"}
    )
    server.routes["/loop/a"] = Reply(302, content_type=None, headers={"Location": "/loop/b"})
    server.routes["/loop/b"] = Reply(302, content_type=None, headers={"Location": "/loop/a"})
    server.routes["/feed.xml"] = feed_reply(
        f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>moved</title><link>{server.url("/go/nigeria")}</link></item>
<item><title>loop</title><link>{server.url("/loop/a")}</link></item>
</channel></rss>""".encode()
    )
    summary = watcher(store, [server.url("/feed.xml")]).poll()
    assert summary.coded == 1
    assert summary.failed == {"redirect loop": 1}
    (document,) = stored_documents(store)
    assert document.url == server.url("/news/nigeria-attack")
    loop = store.crawl.page(server.url("/loop/a"))
    assert loop is not None and loop.state == "failed" and loop.attempts == 1
    assert 5 <= server.hits("/loop/a") + server.hits("/loop/b") <= 8


def test_http_errors_are_kept_with_their_reason_and_retried_when_worth_it(
    server: FeedServer, store: EventStore
) -> None:
    serve_pages(server, ["kenya-protest"])
    server.routes["/news/gone"] = Reply(404, b"no such page", "text/plain")
    server.routes["/news/broken"] = Reply(500, b"oops", "text/plain")
    server.routes["/news/busy-long"] = Reply(
        429, b"slow down", "text/plain", headers={"Retry-After": "3600"}
    )
    busy_answers: list[int] = []

    def busy_then_fine(headers: Mapping[str, str]) -> Reply:
        busy_answers.append(1)
        if len(busy_answers) == 1:
            return Reply(429, b"slow down", "text/plain", headers={"Retry-After": "1"})
        return Reply(body=page_html("kenya-protest"))

    server.routes["/news/busy-short"] = busy_then_fine
    links = ["/news/gone", "/news/broken", "/news/busy-long", "/news/busy-short"]
    server.routes["/feed.xml"] = feed_reply(
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            + "".join(f"<item><link>{server.url(link)}</link></item>" for link in links)
            + "</channel></rss>"
        ).encode()
    )
    before = datetime.now(UTC).replace(tzinfo=None)
    summary = watcher(store, [server.url("/feed.xml")]).poll()

    assert summary.failed == {"http 404": 1, "http 500": 1, "http 429": 1}
    assert summary.coded == 1  # the 429 with a short Retry-After, asked again in the fetch
    assert len(busy_answers) == 2
    assert server.hits("/news/broken") == 2  # one retry within the fetch (POLICY.retries)
    gone = store.crawl.page(server.url("/news/gone"))
    broken = store.crawl.page(server.url("/news/broken"))
    busy = store.crawl.page(server.url("/news/busy-long"))
    assert gone is not None and broken is not None and busy is not None
    assert gone.state == "failed" and gone.problem == "http 404" and gone.retry_at is None
    assert broken.retry_at is not None and broken.retry_at > before
    assert busy.retry_at is not None
    assert (busy.retry_at - before).total_seconds() >= 3500  # as the server asked
    assert server.hits("/news/busy-long") == 1  # not waited for within the poll

    # a later poll asks again only for what is due: nothing yet
    again = watcher(store, [server.url("/feed.xml")]).poll()
    assert again.fetched == 0 and not again.failed
    assert server.hits("/news/gone") == 1


def test_a_stalled_server_times_out(server: FeedServer, store: EventStore) -> None:
    server.routes["/news/silent"] = Reply(body=page_html("japan-criticism"), delay_s=3.0)
    server.routes["/news/trickle"] = Reply(body=page_html("japan-criticism"), trickle_s=0.05)
    server.routes["/feed.xml"] = feed_reply(
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item><link>{server.url('/news/silent')}</link></item>"
            f"<item><link>{server.url('/news/trickle')}</link></item>"
            "</channel></rss>"
        ).encode()
    )
    settings = WatchSettings(policy=FetchPolicy(**{**POLICY.__dict__, "retries": 0}))
    summary = watcher(store, [server.url("/feed.xml")], settings=settings).poll()
    assert summary.failed == {"timeout": 2}
    assert summary.seconds < 8
    trickle = store.crawl.page(server.url("/news/trickle"))
    assert trickle is not None and trickle.problem is not None
    assert "no whole answer" in trickle.problem


def test_size_cap_content_types_and_robots(server: FeedServer, store: EventStore) -> None:
    huge = b"<html><body>" + b"<p>word </p>" * 20_000 + b"</body></html>"
    server.routes["/news/huge"] = Reply(body=huge)
    server.routes["/news/huge-undeclared"] = Reply(
        body=huge, headers={"Content-Length": "", "Connection": "close"}
    )
    server.routes["/news/picture"] = Reply(body=b"\x89PNG\r\n", content_type="image/png")
    server.routes["/private/memo"] = Reply(body=page_html("chile-accord"))
    links = ["/news/huge", "/news/picture", "/private/memo"]
    server.routes["/feed.xml"] = feed_reply(
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            + "".join(f"<item><link>{server.url(link)}</link></item>" for link in links)
            + "</channel></rss>"
        ).encode()
    )
    summary = watcher(store, [server.url("/feed.xml")]).poll()
    assert summary.failed == {"too large": 1}
    assert summary.skipped == {"content type image/png": 1, "robots.txt": 1}
    assert server.hits("/private/memo") == 0
    assert server.hits("/robots.txt") == 1
    agents = {request.headers.get("user-agent", "") for request in server.requests}
    assert all(agent.startswith("eventcoder/") for agent in agents)


def test_bad_feeds_are_reported_and_do_not_stop_the_others(
    server: FeedServer, store: EventStore
) -> None:
    serve_pages(server, ["lithuania-talks"])
    server.routes["/good.xml"] = feed_reply(rss(server, ["lithuania-talks"]))
    server.routes["/broken.xml"] = feed_reply(b"<?xml version='1.0'?><rss><channel><item>")
    server.routes["/html.xml"] = Reply(body=b"<html><body>Service unavailable</body></html>")
    server.routes["/image.xml"] = Reply(body=b"GIF89a", content_type="image/gif")
    feeds = [server.url(p) for p in ("/broken.xml", "/html.xml", "/image.xml", "/missing.xml")]
    summary = watcher(store, [*feeds, server.url("/good.xml")]).poll()
    assert summary.coded == 1
    assert summary.feeds == 5
    assert summary.feeds_failed == {
        "malformed feed": 1,
        "not an RSS or Atom feed": 1,
        "content type image/gif": 1,
        "http 404": 1,
    }
    state = store.crawl.feed(server.url("/broken.xml"))
    assert state is not None and state.problem is not None
    assert state.problem.startswith("malformed feed")


def test_a_page_in_its_declared_charset(server: FeedServer, store: EventStore) -> None:
    article = BY_SLUG["lithuania-talks"]
    text = article["paragraphs"][0].replace("border security", "the café at Zürich station")
    html = (
        '<html><head><meta charset="windows-1252"><title>t</title></head><body><article>'
        f"<h1>{article['title']}</h1><p>{text}</p><p>{article['paragraphs'][1]}</p>"
        "</article></body></html>"
    ).encode("windows-1252")
    server.routes["/news/latin"] = Reply(body=html, content_type="text/html")
    server.routes["/feed.xml"] = feed_reply(
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item><link>{server.url('/news/latin')}</link>"
            "<pubDate>Tue, 04 Mar 2025 09:00:00 GMT</pubDate></item></channel></rss>"
        ).encode()
    )
    summary = watcher(store, [server.url("/feed.xml")]).poll()
    assert summary.coded == 1
    (document,) = stored_documents(store)
    assert "the café at Zürich station" in document.text
    assert document.date == date(2025, 3, 4)  # the page has none: the feed's date


def test_a_page_not_in_english_is_stored_with_its_language(
    server: FeedServer, store: EventStore
) -> None:
    serve_pages(server, ["french-news", "chile-accord"])
    server.routes["/feed.xml"] = feed_reply(rss(server, ["french-news", "chile-accord"]))
    polls: list[PollSummary] = []
    watcher(store, [server.url("/feed.xml")], on_poll=polls.append).run(0, once=True)
    (summary,) = polls
    assert summary.coded == 1 and summary.not_english == {"fr": 1}
    languages = {document.language for document in stored_documents(store)}
    assert languages == {"en", "fr"}


def test_stop_ends_a_poll_after_the_document_in_hand(server: FeedServer, store: EventStore) -> None:
    slugs = ["lithuania-talks", "kenya-protest", "chile-accord", "japan-criticism"]
    serve_pages(server, slugs)
    server.routes["/feed.xml"] = feed_reply(rss(server, slugs))
    stop = threading.Event()
    settings = WatchSettings(policy=POLICY, round_pages=2)

    def progress(message: str) -> None:
        if message.startswith("feed "):
            stop.set()  # as SIGTERM would, once the feed is read

    stopped = watcher(
        store, [server.url("/feed.xml")], stop=stop, progress=progress, settings=settings
    ).poll()
    assert stopped.new_items == 4 and stopped.fetched == 0
    assert store.crawl.page_states()["seen"] == 4

    resumed = watcher(store, [server.url("/feed.xml")], settings=settings).poll()
    assert resumed.new_items == 0 and resumed.coded == 4
    assert all(server.hits("/news/" + slug) == 1 for slug in slugs)


def test_parse_feed_reads_rss_1_and_atom() -> None:
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://n.example/"><title>N</title><link>http://n.example/</link>
<description>d</description></channel>
<item rdf:about="http://n.example/a"><title>A</title><link>http://n.example/a</link>
<dc:date>2025-03-04T10:00:00Z</dc:date></item></rdf:RDF>"""
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>M</title><id>urn:m</id>
<updated>2025-03-05T00:00:00Z</updated>
<entry><title>B</title><id>urn:b</id><link rel="alternate" href="https://m.example/b"/>
<published>2025-03-05T08:00:00Z</published><updated>2025-03-05T09:00:00Z</updated></entry>
<entry><title>no link</title><id>urn:c</id><updated>2025-03-05T09:00:00Z</updated></entry>
</feed>"""
    (a,) = parse_feed(rdf, url="http://n.example/rss").items
    assert (a.url, a.title, a.published) == ("http://n.example/a", "A", date(2025, 3, 4))
    (b,) = parse_feed(atom, url="https://m.example/atom").items
    assert (b.url, b.published) == ("https://m.example/b", date(2025, 3, 5))


def test_canonical_urls_decide_same_article() -> None:
    same = [
        "https://www.example.com/world/story?id=7&utm_source=rss",
        "HTTPS://WWW.EXAMPLE.COM:443/world/story?id=7#comments",
        "https://www.example.com/world/story?fbclid=xyz&id=7",
    ]
    assert len({canonical_url(url) for url in same}) == 1
    assert canonical_url("https://n.example/news.php?article=1") != canonical_url(
        "https://n.example/news.php?article=2"
    )


# -- feed lists and the command ---------------------------------------------------------


def test_feed_lists_in_opml_and_text(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        """<?xml version="1.0"?><opml version="2.0"><head><title>f</title></head><body>
<outline text="World"><outline text="A" type="rss" xmlUrl="https://a.example/rss"/>
<outline text="B" type="rss" xmlUrl="https://b.example/atom.xml"/></outline>
<outline text="a site, no feed" htmlUrl="https://c.example/"/></body></opml>""",
        encoding="utf-8",
    )
    text = tmp_path / "feeds.txt"
    text.write_text(
        "# my feeds\nhttps://a.example/rss\n\n  https://d.example/feed  \n", encoding="utf-8"
    )
    assert read_feed_list(opml) == ["https://a.example/rss", "https://b.example/atom.xml"]
    assert read_feed_list(text) == ["https://a.example/rss", "https://d.example/feed"]
    assert feed_urls([str(opml), str(text), "https://e.example/x"]) == [
        "https://a.example/rss",
        "https://b.example/atom.xml",
        "https://d.example/feed",
        "https://e.example/x",
    ]

    bad = tmp_path / "bad.txt"
    bad.write_text("https://a.example/rss\nwww.b.example/rss\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.txt:2: not a feed URL"):
        read_feed_list(bad)
    broken = tmp_path / "broken.opml"
    broken.write_text("<?xml version='1.0'?>\n<opml><body>\n<outline", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.opml:\d+: malformed OPML"):
        read_feed_list(broken)
    with pytest.raises(UsageError, match=r"missing\.txt"):
        feed_urls([str(tmp_path / "missing.txt")])


@pytest.mark.parametrize(
    ("given", "seconds"), [("15m", 900.0), ("90", 90.0), ("2h", 7200.0), ("30s", 30.0)]
)
def test_intervals(given: str, seconds: float) -> None:
    assert duration(given) == seconds


@pytest.mark.parametrize("given", ["", "0", "-5m", "fifteen", "1.5x"])
def test_bad_intervals(given: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        duration(given)


def test_watch_once_from_the_command_line(
    server: FeedServer, tmp_path: Path, combined_coder: Coder, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_pages(server, ["kenya-protest", "nigeria-attack"])
    server.routes["/feed.xml"] = feed_reply(rss(server, ["kenya-protest", "nigeria-attack"]))
    server.routes["/gone.xml"] = Reply(404, b"", "text/plain")
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{server.url('/feed.xml')}\n{server.url('/gone.xml')}\n")
    db = tmp_path / "w.db"
    args = ["watch", str(listing), "--db", str(db), "--once", "--model", "md", "--host-delay", "0"]
    assert main(args) == EXIT_OK
    out, err = capsys.readouterr()
    assert "feeds polled 2 (0 unchanged, failed: http 404 1)" in out
    assert "new items 2; fetched 2; coded 2" in out
    assert "watching 2 feed(s)" in err
    assert main(["events", "--db", str(db), "--format", "jsonl"]) == EXIT_OK
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records and all(r["url"].startswith(server.base) for r in records)
    for record in records:
        (start, end) = record["evidence"]["start"], record["evidence"]["end"]
        document = next(d for d in stored_documents_at(db) if d.doc_id == record["doc_id"])
        assert document.text[start:end] == record["evidence"]["sentence"]


def stored_documents_at(db: Path) -> list[StoredDocument]:
    with open_store(str(db)) as store:
        return stored_documents(store)


@pytest.mark.slow
def test_a_killed_watch_loses_nothing_and_fetches_nothing_twice(
    server: FeedServer, tmp_path: Path
) -> None:
    """SIGKILL in the middle of a poll (no clean stop), then the same command again."""
    slugs = ["lithuania-talks", "kenya-protest", "chile-accord", "japan-criticism"]
    serve_pages(server, slugs)
    server.routes["/news/nigeria-attack"] = Reply(body=page_html("nigeria-attack"), delay_s=30)
    server.routes["/feed.xml"] = feed_reply(rss(server, [*slugs, "nigeria-attack"]))
    db = tmp_path / "w.db"
    command = [
        sys.executable, "-m", "eventcoder.cli", "watch", server.url("/feed.xml"), "--db", str(db),
        "--once", "--model", "md", "--host-delay", "0", "--quiet",
    ]  # fmt: skip
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while server.hits("/news/nigeria-attack") == 0:  # the others are fetched by now
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    first.kill()
    first.wait()
    server.routes["/news/nigeria-attack"] = Reply(body=page_html("nigeria-attack"))
    second = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr
    assert "new items 0" in second.stdout
    with open_store(str(db)) as store:
        assert store.crawl.page_states()["coded"] == 5
        assert len(stored_doc_ids(store)) == 5
    for slug in slugs:
        assert server.hits("/news/" + slug) == 1, slug
    assert server.hits("/news/nigeria-attack") == 2  # in flight when killed, so fetched again


def test_the_python_example_of_docs_watch_md_runs(
    server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example, with its feed URL pointed at the loopback server."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "watch.md").read_text("utf-8")
    example = page.split("```python\n", 1)[1].split("```", 1)[0]
    assert "https://example.org/world/rss.xml" in example
    serve_pages(server, ["kenya-protest"])
    server.routes["/feed.xml"] = feed_reply(rss(server, ["kenya-protest"]))
    monkeypatch.chdir(tmp_path)
    code = example.replace("https://example.org/world/rss.xml", server.url("/feed.xml"))
    exec(compile(code, "docs/watch.md", "exec"), {})
    with open_store(str(tmp_path / "news.db")) as store:
        assert [d.doc_id for d in stored_documents(store)]


def test_two_urls_of_one_article_in_one_round_are_coded_once(
    server: FeedServer, store: EventStore
) -> None:
    """An AMP copy and the article, both in the feed: one document, both URLs done."""
    canonical = server.url("/news/chile-accord")
    server.routes["/news/chile-accord"] = Reply(body=page_html("chile-accord", canonical=canonical))
    server.routes["/amp/chile-accord"] = Reply(body=page_html("chile-accord", canonical=canonical))
    items = rss(server, ["chile-accord"]).replace(
        b"</item>",
        b"</item><item><title>AMP</title><link>"
        + server.url("/amp/chile-accord").encode()
        + b"</link></item>",
        1,
    )
    server.routes["/feed.xml"] = feed_reply(items)
    first = watcher(store, [server.url("/feed.xml")]).poll()
    assert first.new_items == 2 and first.coded == 1
    assert [p.state for p in store.crawl.pages()] == ["coded", "coded"]
    assert len(stored_documents(store)) == 1
    again = watcher(store, [server.url("/feed.xml")]).poll()
    assert again.coded == 0 and again.fetched == 0


def test_a_round_takes_the_sites_in_turn(store: EventStore) -> None:
    from eventcoder.store.crawl import FeedItemSeen

    seen = [
        FeedItemSeen(f"https://{site}.example/{n}", "https://feeds.example/all", None, None)
        for site in ("a", "b", "c")
        for n in range(5)
    ]
    store.crawl.add_pages(seen)
    sites = [page.url.split("//")[1][0] for page in store.crawl.pending(5, limit=6)]
    assert sorted(sites[:3]) == sorted(sites[3:]) == ["a", "b", "c"]
