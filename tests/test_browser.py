"""The web UI in a real browser: Debian's Chromium driven by Playwright against a live
``eventcoder serve`` over the sample store (tests/web_server.py).

Every page is checked for what a user sees (DOM hooks of the web contract) and for what
must never happen: a JavaScript dialog (an injected script ran), an uncaught script
error, or a request to anything but this server. A screenshot of each page is kept in
build/screenshots/ and checked not to be blank.

Chromium comes from Debian (``make test`` installs it); Playwright never downloads one.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, Request, expect, sync_playwright

from ci import in_ci
from web_server import (
    HOSTILE_DOC_ID,
    IMG_ONERROR,
    REPO,
    SCRIPT,
    LiveServer,
    coded_store,
)

# not marked slow: `make test` runs them on every machine (the issue asks it); together
# they take about half a minute, most of it coding the samples into the test store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--no-proxy-server",
]
SCREENSHOTS = REPO / "build" / "screenshots"
# the server codes /code texts with a model it loads on first use (seconds on 2 cores)
CODING_TIMEOUT_MS = 120_000
PAGES_IN_NAV = ("/", "/timeline", "/network", "/code")
# the seed article's phone call: Zaluzhnyi (UKRMIL) and Kukuła (POLMIL), CONSULT
PHONE_CALL_QUERY = "/api/events?source=UKRMIL&target=POLMIL&type=CONSULT&limit=500"
SEED_DOC_ID = "seed_article"
PHONE_CALL_WORDS = "telephone call"
PASTED_TEXT = (
    "Valerii Zaluzhnyi, Commander-in-Chief of the Armed Forces of Ukraine, held a "
    "telephone call with Wiesław Kukuła, Chief of the General Staff of Poland."
)

# Counts the colours of a PNG (given as base64) on a canvas: the colour of the first
# pixel, how many pixels differ from it and how many colours there are (up to 64).
_COUNT_COLOURS_JS = """
async (b64) => {
  const img = new Image();
  img.src = "data:image/png;base64," + b64;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const first = (data[0] << 16) | (data[1] << 8) | data[2];
  const colours = new Set();
  let differing = 0;
  for (let i = 0; i < data.length; i += 4) {
    const rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    if (rgb !== first) differing += 1;
    if (colours.size < 64) colours.add(rgb);
  }
  return {pixels: data.length / 4, differing: differing, colours: colours.size};
}
"""

# Links and markup an escaped page never has: script-run hrefs, inline handlers, the
# injected <img>, a <script> element carrying the article's alert.
_INJECTED_JS = """
() => {
  const hrefs = [...document.querySelectorAll("a")].map(
    (a) => (a.getAttribute("href") || a.getAttribute("xlink:href") || "").trim().toLowerCase());
  const handlers = [...document.querySelectorAll("*")].filter(
    (e) => [...e.attributes].some((attr) => attr.name.toLowerCase().startsWith("on")));
  return {
    javascript_links: hrefs.filter((h) => h.startsWith("javascript:")).length,
    inline_handlers: handlers.length,
    injected_images: document.querySelectorAll("img[src='x']").length,
    alert_scripts: [...document.scripts].filter((s) => s.text.includes("alert(1)")).length,
  };
}
"""


@dataclass
class WatchedPage:
    """A page with what happened on it recorded: requests, dialogs, script errors."""

    page: Page
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = coded_store(tmp_path_factory)
    with LiveServer.start(db) as live:
        yield live


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh profile, one for the module."""
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}"
        if in_ci():
            pytest.fail(
                f"{reason}, but CI is set and the browser tests must run there: install the "
                "Debian package 'chromium' ('make browser' does) or unset CI",
                pytrace=False,
            )
        pytest.skip(f"{reason}; install the Debian package 'chromium' ('make browser')")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def watched(browser: BrowserContext, server: LiveServer) -> Iterator[WatchedPage]:
    """A new page; after the test, no dialog, script error or outside request is allowed."""
    page = browser.new_page()
    page.set_default_timeout(15_000)
    seen = WatchedPage(page)

    def on_dialog(dialog: Dialog) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(request: Request) -> None:
        seen.requests.append(request.url)

    page.on("dialog", on_dialog)
    page.on("request", on_request)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    yield seen
    page.close()
    assert seen.dialogs == [], f"a JavaScript dialog opened: an injected script ran: {seen.dialogs}"
    assert seen.errors == [], f"uncaught script errors on the page: {seen.errors}"
    outside = [url for url in seen.requests if not url.startswith((server.base_url + "/", "data:"))]
    assert outside == [], f"requests left the server {server.base_url}: {outside}"


# -- helpers -----------------------------------------------------------------------------


def keep_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under build/screenshots/ and check it is not blank."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    png = page.screenshot(path=str(path), full_page=True)
    canvas = page.context.new_page()
    try:
        found: dict[str, int] = canvas.evaluate(_COUNT_COLOURS_JS, base64.b64encode(png).decode())
    finally:
        canvas.close()
    assert found["colours"] > 1, f"screenshot {path} is one colour: the page is blank"
    assert found["differing"] > found["pixels"] // 1000, (
        f"screenshot {path}: only {found['differing']} of {found['pixels']} pixels are not "
        "background: the page is (nearly) blank"
    )
    return path


def check_shell(page: Page) -> None:
    """Every page: the title ``eventcoder`` and a nav bar linking to every page."""
    assert "eventcoder" in page.title()
    hrefs = [
        urllib.parse.urlsplit(str(link.get_attribute("href"))).path
        for link in page.locator("nav#nav a").all()
    ]
    for wanted in PAGES_IN_NAV:
        assert wanted in hrefs, f"nav#nav has no link to {wanted}: {hrefs}"


def check_nothing_injected(page: Page) -> None:
    """No markup from the article became markup of the page."""
    page.wait_for_load_state("networkidle")
    found = page.evaluate(_INJECTED_JS)
    assert found == {
        "javascript_links": 0,
        "inline_handlers": 0,
        "injected_images": 0,
        "alert_scripts": 0,
    }


def set_field(page: Page, name: str, value: str) -> None:
    """Set the filter form's field ``name`` (an input or a select) to ``value``."""
    control = page.locator(f'form#filters [name="{name}"]')
    if control.evaluate("(e) => e.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)


def event_ids(page: Page) -> list[str]:
    """The event ids the result table links to, in order."""
    ids = []
    for link in page.locator("table#results tr.event-row a.event-link").all():
        path = urllib.parse.urlsplit(str(link.get_attribute("href"))).path
        match = re.fullmatch(r"/events/([^/]+)", path)
        assert match, f"an event link goes to {path}, not /events/ID"
        ids.append(urllib.parse.unquote(match.group(1)))
    return ids


def phone_call(server: LiveServer) -> dict[str, Any]:
    """The seed article's deduplicated UKRMIL-POLMIL CONSULT event, as /api/events gives it
    (the telephone call and the talks after it are one event of that day)."""
    found = server.get_json(PHONE_CALL_QUERY)
    seed = [e for e in found["events"] if e["doc_id"] == SEED_DOC_ID]
    assert seed, f"no UKRMIL-POLMIL CONSULT event of the seed article in {found}"
    record: dict[str, Any] = seed[0]
    return record


# -- pages ---------------------------------------------------------------------------------


def test_search_by_type(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    expected = server.get_json("/api/events?type=CONSULT&limit=500")
    everything = server.get_json("/api/events?limit=1")
    assert 0 < expected["total"] < everything["total"], "the samples need CONSULT and others"
    page.goto(server.url("/"))
    check_shell(page)
    expect(page.locator("#result-count")).to_contain_text(f"{everything['total']:,}")
    set_field(page, "type", "CONSULT")
    page.locator("button#search").click()
    page.wait_for_url(re.compile(r"[?&]type=CONSULT"))
    expect(page.locator("#result-count")).to_contain_text(f"{expected['total']:,}")
    expect(page.locator("table#results tr.event-row").first).to_be_visible()
    shown = event_ids(page)
    assert 0 < len(shown) <= expected["total"]
    consult = {e["event_id"] for e in expected["events"]}
    assert set(shown) <= consult, f"rows that are not CONSULT: {set(shown) - consult}"
    keep_screenshot(page, "search")


def test_search_pages(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    total = server.get_json("/api/events?limit=1")["total"]
    page.goto(server.url("/"))
    expect(page.locator("table#results tr.event-row").first).to_be_visible()
    first = event_ids(page)
    assert len(first) < total, f"all {total} events fit on one page: nothing to page through"
    page.locator("a#next-page").click()
    page.wait_for_url(re.compile(r"[?&]offset=[1-9]"))
    expect(page.locator("table#results tr.event-row").first).to_be_visible()
    second = event_ids(page)
    assert second and not set(first) & set(second)
    page.locator("a#prev-page").click()
    expect(page.locator("table#results tr.event-row").first).to_be_visible()
    expect(page.locator("table#results tr.event-row a.event-link").first).to_have_attribute(
        "href", re.compile(re.escape(urllib.parse.quote(first[0], safe="")))
    )


def test_event_page_highlights_the_evidence(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    record = phone_call(server)
    detail = server.get_json(f"/api/events/{record['event_id']}")
    assert any(PHONE_CALL_WORDS in m["evidence"]["sentence"] for m in detail["mentions"])
    evidence = record["evidence"]
    # the event shows its first telling, the article's opening sentence: the phone call
    assert PHONE_CALL_WORDS in evidence["sentence"], evidence["sentence"]
    page.goto(server.url(f"/events/{urllib.parse.quote(record['event_id'], safe='')}"))
    check_shell(page)
    marked = page.locator("#article mark.evidence")
    expect(marked).to_have_count(1)
    assert marked.text_content() == evidence["sentence"]
    trigger = marked.locator("mark.trigger")
    expect(trigger).to_have_count(1)
    assert trigger.text_content() == evidence["trigger"]
    assert page.locator("#article").text_content() == detail["document"]["text"]
    for role in ("source", "target"):
        actors = page.locator(f'#article span.actor[data-role="{role}"]')
        expect(actors.first).to_be_attached()
        titles = [actor.get_attribute("title") for actor in actors.all()]
        assert record[role]["why"] in titles, f"no {role} span explains {record[role]['why']!r}"
    codes = page.locator("#codes")
    expect(codes).to_contain_text(record["cameo"])
    expect(codes).to_contain_text(detail["labels"]["cameo"])
    expect(codes).to_contain_text("CONSULT")
    expect(page.locator("#actors")).to_contain_text("UKRMIL")
    expect(page.locator("#actors")).to_contain_text("POLMIL")
    expect(page.locator("#actors")).to_contain_text(record["source"]["why"])
    expect(page.locator("#reports a").first).to_be_visible()
    assert page.locator("#reports a").count() >= len(detail["articles"]) >= 1
    keep_screenshot(page, "event")


def test_document_page_marks_the_phone_call(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    document = server.get_json(f"/api/documents/{SEED_DOC_ID}")
    calls = [
        e["evidence"]["sentence"]
        for e in document["events"]
        if PHONE_CALL_WORDS in e["evidence"]["sentence"] and e["plover"]["event"] == "CONSULT"
    ]
    assert calls, "the seed article's telephone call is a CONSULT mention"
    page.goto(server.url(f"/documents/{SEED_DOC_ID}"))
    check_shell(page)
    marks = page.locator("#article mark.evidence")
    expect(marks.first).to_be_attached()
    assert calls[0] in [mark.text_content() for mark in marks.all()]
    assert page.locator("#article").text_content() == document["text"]
    keep_screenshot(page, "document")


def test_timeline_draws_the_dyad(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    timeline = server.get_json("/api/timeline?source=UKRMIL&target=POLMIL&interval=month")
    assert timeline["series"], "the samples have UKRMIL-POLMIL events"
    page.goto(server.url("/timeline?source=UKRMIL&target=POLMIL&interval=month"))
    check_shell(page)
    chart = page.locator("svg#timeline-chart")
    expect(chart.locator("rect, path, circle, line, polyline").first).to_be_attached()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 50
    keep_screenshot(page, "timeline")


def test_network_draws_nodes_and_edges(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    network = server.get_json("/api/network")
    assert network["nodes"] and network["edges"]
    page.goto(server.url("/network"))
    check_shell(page)
    graph = page.locator("svg#network-graph")
    expect(graph.locator("circle.node").first).to_be_attached()
    expect(graph.locator("line.edge").first).to_be_attached()
    codes = {node["id"] for node in network["nodes"]}
    for node in graph.locator("circle.node").all():
        href = node.evaluate(
            "(c) => { const a = c.closest('a');"
            " return a && (a.getAttribute('href') || a.getAttribute('xlink:href')); }"
        )
        assert isinstance(href, str), "a node is not inside a link"
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        assert query.get("actor", [""])[0] in codes, f"node link {href} names no actor"
    box = graph.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 50
    keep_screenshot(page, "network")


def test_code_a_pasted_text(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    before = server.get_json("/api/stats")
    page.goto(server.url("/code"))
    check_shell(page)
    page.locator("textarea#code-text").fill(PASTED_TEXT)
    page.locator("input#code-date").fill("2024-01-25")
    page.locator("button#code-submit").click()
    card = page.locator("#code-results .event-card").first
    expect(card).to_be_visible(timeout=CODING_TIMEOUT_MS)
    expect(card.locator("mark.trigger")).to_have_count(1)
    trigger = str(card.locator("mark.trigger").text_content())
    assert trigger and trigger in PASTED_TEXT
    assert server.get_json("/api/stats") == before, "coding a pasted text changed the store"
    keep_screenshot(page, "code")


def test_api_docs_work_offline(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    page.goto(server.url("/api/docs"))
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/events")
    page.wait_for_load_state("networkidle")
    keep_screenshot(page, "api-docs")


# -- a hostile article -----------------------------------------------------------------------


def test_hostile_document_is_shown_as_text(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    document = server.get_json(f"/api/documents/{HOSTILE_DOC_ID}")
    assert SCRIPT in document["text"] and document["events"], "the hostile article has events"
    page.goto(server.url(f"/documents/{HOSTILE_DOC_ID}"))
    check_shell(page)
    expect(page.locator("body")).to_contain_text(SCRIPT)
    expect(page.locator("body")).to_contain_text(IMG_ONERROR)
    expect(page.locator("#article mark.evidence").first).to_be_attached()
    check_nothing_injected(page)
    keep_screenshot(page, "document-hostile")


def test_hostile_event_page_is_shown_as_text(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    found = server.get_json(f"/api/events?doc={HOSTILE_DOC_ID}")
    assert found["events"], "the hostile article yields events"
    with_script = [e for e in found["events"] if SCRIPT in e["evidence"]["sentence"]]
    record = (with_script or found["events"])[0]
    page.goto(server.url(f"/events/{urllib.parse.quote(record['event_id'], safe='')}"))
    expect(page.locator("#article mark.evidence")).to_have_count(1)
    assert page.locator("#article mark.evidence").text_content() == record["evidence"]["sentence"]
    expect(page.locator("#article")).to_contain_text(SCRIPT)
    expect(page.locator("#reports")).to_be_attached()
    check_nothing_injected(page)
    keep_screenshot(page, "event-hostile")


def test_hostile_search_rows_are_text(watched: WatchedPage, server: LiveServer) -> None:
    page = watched.page
    record = server.get_json(f"/api/events?doc={HOSTILE_DOC_ID}")["events"][0]
    day = record["date"]
    page.goto(server.url(f"/?since={day}&until={day}&limit=200"))
    expect(page.locator("table#results tr.event-row").first).to_be_visible()
    assert record["event_id"] in event_ids(page)
    check_nothing_injected(page)
