"""The web UI's pages (``eventcoder.web.pages``): each page is served with its hooks, the
templates escape what comes from the URL, the static files are served, and nothing is
loaded from elsewhere or inserted as HTML.

The pages are tried on an app holding only the UI router and the static files, so that
these tests do not depend on the JSON API; the browser tests drive the whole server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient

from eventcoder.ontology import load_ontology
from eventcoder.web.pages import (
    CONTENT_SECURITY_POLICY,
    SEARCH_FILTERS,
    STATIC_DIR,
    TEMPLATE_DIR,
    render_page,
    router,
)

SVG_NAMESPACE = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class Element:
    tag: str
    attrs: dict[str, str]

    @property
    def id(self) -> str:
        return self.attrs.get("id", "")

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


@dataclass
class _Collector(HTMLParser):
    elements: list[Element] = field(default_factory=list)
    script_text: list[str] = field(default_factory=list)
    title: str = ""
    _in: str = ""

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {name: value or "" for name, value in attrs}))
        self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "script" and data.strip():
            self.script_text.append(data)
        elif self._in == "title":
            self.title += data


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def find(page: _Collector, tag: str, element_id: str) -> Element:
    for element in page.elements:
        if element.tag == tag and element.id == element_id:
            return element
    raise AssertionError(f"no <{tag} id={element_id!r}> in the page")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    with TestClient(app) as test_client:
        yield test_client


# Each page and the (tag, id) hooks the browser tests and the scripts use.
PAGE_HOOKS: dict[str, list[tuple[str, str]]] = {
    "/": [
        ("form", "filters"),
        ("button", "search"),
        ("p", "result-count"),
        ("table", "results"),
        ("a", "next-page"),
        ("a", "prev-page"),
    ],
    "/events/4a532bfb6bbdc805": [
        ("div", "event-view"),
        ("div", "article"),
        ("dl", "codes"),
        ("div", "actors"),
        ("ul", "reports"),
    ],
    "/documents/2024/kyiv": [("div", "document-view"), ("div", "article")],
    "/timeline?source=UKR&target=POL&interval=month": [
        ("form", "timeline-form"),
        ("svg", "timeline-chart"),
    ],
    "/network?since=2024-01-01": [("form", "network-form"), ("svg", "network-graph")],
    "/code": [
        ("textarea", "code-text"),
        ("input", "code-date"),
        ("button", "code-submit"),
        ("div", "code-results"),
    ],
}
NAV_TARGETS = {"/", "/timeline", "/network", "/code", "/api/docs"}


@pytest.mark.parametrize("url", list(PAGE_HOOKS))
def test_page_has_its_hooks_nav_title_and_policy(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page = parse(response.text)
    assert page.title == "eventcoder"
    for tag, element_id in PAGE_HOOKS[url]:
        find(page, tag, element_id)
    find(page, "nav", "nav")
    links = {e.attrs.get("href") for e in page.elements if e.tag == "a"}
    assert links >= NAV_TARGETS


@pytest.mark.parametrize("url", list(PAGE_HOOKS))
def test_head_of_a_page_has_the_get_headers_and_no_body(client: TestClient, url: str) -> None:
    got, head = client.get(url), client.head(url)
    assert head.status_code == 200 and head.content == b""
    for name in ("content-type", "content-security-policy", "content-length"):
        assert head.headers[name] == got.headers[name]


@pytest.mark.parametrize("url", list(PAGE_HOOKS))
def test_page_scripts_are_our_own_modules(client: TestClient, url: str) -> None:
    page = parse(client.get(url).text)
    scripts = [e for e in page.elements if e.tag == "script"]
    assert scripts, "every page is filled in by a script"
    assert page.script_text == [], "no inline script: the Content-Security-Policy forbids it"
    for script in scripts:
        assert script.attrs.get("type") == "module"
        src = script.attrs["src"]
        assert src.startswith("/static/")
        assert client.get(src).status_code == 200
    for element in page.elements:
        handlers = [name for name in element.attrs if name.startswith("on")]
        assert handlers == [], f"<{element.tag}> has inline handlers {handlers}"
        assert "style" not in element.attrs, f"<{element.tag}> has an inline style"


def test_search_form_sends_the_api_filters(client: TestClient) -> None:
    page = parse(client.get("/").text)
    names = {e.attrs.get("name") for e in page.elements if e.tag in ("input", "select")}
    assert names >= {*SEARCH_FILTERS, "sort", "limit"}
    types = {e.attrs["value"] for e in page.elements if e.tag == "option" and e.attrs["value"]}
    assert set(load_ontology().plover_types) <= types


def test_search_form_keeps_the_filters_of_its_url(client: TestClient) -> None:
    page = parse(client.get("/?actor=UKRMIL&type=consult&since=2024-01-01&sort=-date").text)
    assert find(page, "input", "f-actor").attrs["value"] == "UKRMIL"
    assert find(page, "input", "f-since").attrs["value"] == "2024-01-01"
    selected = {
        e.attrs["value"] for e in page.elements if e.tag == "option" and "selected" in e.attrs
    }
    assert {"CONSULT", "-date"} <= selected


def test_code_page_defaults_to_today(client: TestClient) -> None:
    date_input = find(parse(client.get("/code").text), "input", "code-date")
    assert date_input.attrs["type"] == "date"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_input.attrs["value"])


HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.mark.parametrize(
    "url",
    [
        "/documents/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/events/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E",
        "/?actor=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&cameo=%3Cimg%20src%3Dx%3E",
        "/timeline?source=%3Cscript%3E&target=%22%3E%3Cimg%20src%3Dx%3E",
        "/network?since=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_values_from_the_url_come_back_escaped(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert "alert(1)</script>" not in response.text
    assert "<img" not in response.text
    page = parse(response.text)
    assert [e for e in page.elements if e.tag == "img"] == []
    assert all(
        e.attrs.get("src", "").startswith("/static/") for e in page.elements if e.tag == "script"
    )


def test_document_id_is_shown_as_text(client: TestClient) -> None:
    text = client.get("/documents/%3Cscript%3Ealert(1)%3C%2Fscript%3E").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert find(parse(text), "div", "document-view").attrs["data-doc-id"] == (
        "<script>alert(1)</script>"
    )


def test_templates_escape_a_hostile_title() -> None:
    html = bytes(render_page("document.html", "document", doc_id=HOSTILE).body).decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;" in html


def test_static_files_are_served(client: TestClient) -> None:
    css = client.get("/static/app.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    for path in sorted(STATIC_DIR.glob("*.js")):
        response = client.get(f"/static/{path.name}")
        assert response.status_code == 200
        assert "javascript" in response.headers["content-type"]
    assert client.get("/static/missing.js").status_code == 404


def _web_files() -> list[Path]:
    files = [*TEMPLATE_DIR.glob("*.html"), *STATIC_DIR.glob("*.js"), *STATIC_DIR.glob("*.css")]
    assert len(files) >= 8
    return sorted(files)


@pytest.mark.parametrize("path", _web_files(), ids=lambda p: p.name)
def test_nothing_is_loaded_from_elsewhere(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", text)
    assert re.findall(r"https?://\S*", text.replace(SVG_NAMESPACE, "")) == []
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text)


@pytest.mark.parametrize("path", sorted(STATIC_DIR.glob("*.js")), ids=lambda p: p.name)
def test_scripts_insert_text_never_html(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    sinks = (".innerHTML", ".outerHTML", "insertAdjacentHTML(", "document.write", "eval(")
    for sink in (*sinks, "new Function("):
        assert sink not in text, f"{path.name} uses {sink}"
    for module in re.findall(r"""from\s+["']\./([\w.-]+)["']""", text):
        assert (STATIC_DIR / module).is_file(), f"{path.name} imports missing {module}"


def test_every_script_a_page_names_exists() -> None:
    named = set()
    for template in TEMPLATE_DIR.glob("*.html"):
        named.update(re.findall(r'src="/static/([\w.-]+)"', template.read_text(encoding="utf-8")))
    assert named
    assert {p.name for p in STATIC_DIR.glob("*.js")} >= named
