"""The HTML pages of the web UI: server-rendered shells whose data our own JavaScript
(``static/*.js``) fetches from ``/api/...``.

The templates only ever see values from the page's own URL (filters, ids), always through
Jinja's autoescape; article text, titles and actor names reach the browser as JSON and are
inserted by the scripts with ``textContent``. Every page is sent with a strict
Content-Security-Policy: scripts, styles and requests from this server only, no inline code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from eventcoder import __version__
from eventcoder.ontology import load_ontology

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""What every page is sent with (the header, so that no page can relax it)."""

PAGE_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

SEARCH_FILTERS = (
    "actor",
    "country",
    "source",
    "target",
    "type",
    "cameo",
    "since",
    "until",
    "min_confidence",
    "location_country",
    "near",
)
"""The search form's fields: the query parameters of ``GET /api/events`` it sends."""

QUAD_CLASS_LABELS: Mapping[int, str] = {
    1: "Verbal cooperation",
    2: "Material cooperation",
    3: "Verbal conflict",
    4: "Material conflict",
}


@dataclass(frozen=True)
class Choice:
    """One option of a select: the value sent and the words shown."""

    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class ChoiceGroup:
    label: str
    choices: tuple[Choice, ...]


SORT_ORDERS = (
    Choice("date", "Date, oldest first"),
    Choice("-date", "Date, newest first"),
    Choice("-confidence", "Confidence, highest first"),
    Choice("confidence", "Confidence, lowest first"),
    Choice("-articles", "Articles, most first"),
    Choice("articles", "Articles, fewest first"),
)
PAGE_SIZES = (Choice("25", "25"), Choice("50", "50"), Choice("100", "100"), Choice("200", "200"))
INTERVALS = (Choice("day", "Day"), Choice("week", "Week"), Choice("month", "Month"))

router = APIRouter(include_in_schema=False)


def _page(path: str) -> Callable[[Callable[..., HTMLResponse]], Callable[..., HTMLResponse]]:
    """A page route: GET, and HEAD as link checkers and monitors send it (same headers)."""
    return router.api_route(path, methods=["GET", "HEAD"], response_class=HTMLResponse)


@cache
def template_environment() -> Environment:
    """The Jinja environment of the pages: autoescape on for every template."""
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def plover_type_groups() -> tuple[ChoiceGroup, ...]:
    """The PLOVER event types for the search's type select, grouped by QuadClass."""
    types = load_ontology().plover_types.values()
    return tuple(
        ChoiceGroup(
            label,
            tuple(Choice(t.name, t.name, t.definition) for t in types if t.quad_class == quad),
        )
        for quad, label in QUAD_CLASS_LABELS.items()
    )


def render_page(template: str, page: str, **context: object) -> HTMLResponse:
    """The page ``template`` rendered with ``context``; ``page`` names the nav entry shown
    as current."""
    html = (
        template_environment()
        .get_template(template)
        .render(page=page, version=__version__, **context)
    )
    return HTMLResponse(html, headers=dict(PAGE_HEADERS))


def _query_values(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.query_params.get(name, "") for name in names}


@_page("/")
def search_page(request: Request) -> HTMLResponse:
    values = _query_values(request, (*SEARCH_FILTERS, "sort", "limit"))
    return render_page(
        "search.html",
        "search",
        values=values,
        type_groups=plover_type_groups(),
        sort_orders=SORT_ORDERS,
        page_sizes=PAGE_SIZES,
    )


@_page("/events/{event_id}")
def event_page(event_id: str) -> HTMLResponse:
    return render_page("event.html", "event", event_id=event_id)


# Document ids may hold slashes ("2024/kyiv"), hence the path converter.
@_page("/documents/{doc_id:path}")
def document_page(doc_id: str) -> HTMLResponse:
    return render_page("document.html", "document", doc_id=doc_id)


@_page("/timeline")
def timeline_page(request: Request) -> HTMLResponse:
    values = _query_values(request, ("source", "target", "interval", "since", "until"))
    return render_page("timeline.html", "timeline", values=values, intervals=INTERVALS)


@_page("/network")
def network_page(request: Request) -> HTMLResponse:
    values = _query_values(request, ("since", "until", "min_events"))
    return render_page("network.html", "network", values=values)


@_page("/code")
def code_page() -> HTMLResponse:
    return render_page("code.html", "code", today=date.today().isoformat())
