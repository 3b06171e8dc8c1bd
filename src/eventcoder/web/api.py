"""The JSON API under ``/api`` (docs/web.md; the shapes are those of the web contract).

Endpoints are plain ``def``: FastAPI runs them in its thread pool, so a slow query or the
coder's first load does not stall the server. Every value is checked as the command line
checks it (``eventcoder.store.event_query.filter_of``); what cannot be right is a 400 whose
message names the parameter (see ``eventcoder.web.app`` for the error shape).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from eventcoder import __version__
from eventcoder.actors.explain import look_up
from eventcoder.errors import UsageError
from eventcoder.model import StoredEvent, stable_hash
from eventcoder.pipeline import Coder, CoderConfig
from eventcoder.store import EventFilter, EventStore
from eventcoder.store.analytics import QUAD_CLASSES, StoredDocument
from eventcoder.store.event_query import filter_of
from eventcoder.web.pages import QUAD_CLASS_LABELS

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
MAX_TEXT_CHARS = 200_000
MAX_ID_CHARS = 1000
# a search counts its matches up to this many; past it "total" is this and "total_exact"
# false (an exact count of a common filter reads every match: up to 200 ms on 200,000
# events; 1,001 index entries take 1-3 ms)
COUNT_CAP = 1_000

# the values of eventcoder.store.queries.EVENT_SORTS and store.analytics.INTERVALS (a test
# checks they agree), spelled out for the OpenAPI schema
SortOrder = Literal["date", "-date", "confidence", "-confidence", "articles", "-articles"]
Interval = Literal["day", "week", "month"]


@dataclass
class ServerState:
    """What the endpoints share: the store (opened once) and the coder (loaded on first use)."""

    store: EventStore
    coder_config: CoderConfig
    _coder: Coder | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def coder(self) -> Coder:
        with self._lock:  # two first requests at once load it once
            if self._coder is None:
                from eventcoder.pipeline import get_coder

                self._coder = get_coder(self.coder_config)
            return self._coder


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorBody(BaseModel):
    """Every 4xx (and the 5xx no input should cause) has this body."""

    error: ErrorDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "a parameter that cannot be right"},
    404: {"model": ErrorBody, "description": "no such record"},
}

router = APIRouter(prefix="/api", responses=_ERRORS)


def _state(request: Request) -> ServerState:
    state: ServerState = request.app.state.server
    return state


def _text(name: str, value: str | None) -> str | None:
    """A text parameter, refused when it holds what no database keeps (NUL, lone surrogates)."""
    if value is None:
        return None
    if "\x00" in value:
        raise UsageError(f"{name} must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UsageError(f"{name} is not valid Unicode text (a lone surrogate?)") from exc
    return value


def _could_be_stored(identifier: str) -> bool:
    """Whether an id is one the store could hold (else it is simply not found)."""
    try:
        _text("id", identifier)
    except UsageError:
        return False
    return len(identifier) <= MAX_ID_CHARS


Text = Annotated[str | None, Query(max_length=1000)]


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/stats")
def stats(request: Request) -> dict[str, Any]:
    found = _state(request).store.analytics.stats()
    return {
        "documents": found.documents,
        "mentions": found.mentions,
        "events": found.events,
        "first_date": _iso(found.first_date),
        "last_date": _iso(found.last_date),
        "by_quad_class": {str(q): n for q, n in found.by_quad_class.items()},
        "by_type": dict(found.by_type),
    }


@router.get("/events")
def list_events(
    request: Request,
    actor: Text = None,
    country: Text = None,
    source: Text = None,
    target: Text = None,
    type: Text = None,  # the CLI's --type
    cameo: Text = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD", max_length=64)] = None,
    until: Annotated[str | None, Query(description="YYYY-MM-DD", max_length=64)] = None,
    doc: Text = None,
    min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    location_country: Text = None,
    near: Annotated[
        str | None, Query(description="LAT,LON,KM, e.g. 50.45,30.52,100", max_length=64)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0)] = 0,
    sort: Annotated[SortOrder, Query()] = "date",
) -> JSONResponse:
    store = _state(request).store
    flt = filter_of(
        actor=_text("actor", actor),
        country=_text("country", country),
        source=_text("source", source),
        target=_text("target", target),
        event_type=_text("type", type),
        cameo=_text("cameo", cameo),
        since=_text("since", since),
        until=_text("until", until),
        doc_id=_text("doc", doc),
        min_confidence=min_confidence,
        location_country=_text("location_country", location_country),
        near=_text("near", near),
    )
    counted = store.count_events(flt, at_most=COUNT_CAP)
    exact = counted <= COUNT_CAP
    events: list[StoredEvent] = []
    if offset < counted or not exact:
        events = list(store.query_events(replace(flt, limit=limit), sort=sort, offset=offset))
    # the records are JSON already: a JSONResponse skips FastAPI's encoder walking them
    return JSONResponse(
        {
            "total": min(counted, COUNT_CAP),
            "total_exact": exact,
            "limit": limit,
            "offset": offset,
            "events": [stored.to_record() for stored in events],
        }
    )


@router.get("/events/{event_id}")
def event_detail(request: Request, event_id: str) -> JSONResponse:
    state = _state(request)
    found = []
    if _could_be_stored(event_id):
        found = list(state.store.query_events(EventFilter(event_id=event_id, limit=1)))
    if not found:
        raise HTTPException(404, f"no event {event_id!r}: take an event_id from /api/events")
    stored = found[0]
    mentions = list(state.store.query_mentions(EventFilter(event_id=event_id)))
    analytics = state.store.analytics
    heads = analytics.document_heads([m.event.doc_id for m in mentions])
    document = analytics.document(stored.event.doc_id)
    return JSONResponse(
        {
            "event": stored.to_record(),
            "labels": _labels(stored),
            "mentions": [mention.to_record() for mention in mentions],
            "articles": [
                {"doc_id": h.doc_id, "title": h.title, "url": h.url, "date": h.date.isoformat()}
                for h in heads
            ],
            "document": None if document is None else _document_head(document, text=True),
        }
    )


@router.get("/documents/{doc_id:path}")
def document_detail(request: Request, doc_id: str) -> dict[str, Any]:
    state = _state(request)
    document = state.store.analytics.document(doc_id) if _could_be_stored(doc_id) else None
    if document is None:
        raise HTTPException(404, f"no document {doc_id!r}: take a doc_id from an event")
    mentions = state.store.query_mentions(EventFilter(doc_id=doc_id))
    return {
        **_document_head(document, text=False),
        "source": document.source,
        "language": document.language,
        "text": document.text,
        "events": [mention.to_record() for mention in mentions],
    }


@router.get("/actors")
def actors(
    q: Annotated[str, Query(min_length=1, max_length=200, description="a name or title")],
    date: Annotated[str | None, Query(description="YYYY-MM-DD (default: today)")] = None,
) -> dict[str, Any]:
    name = _text("q", q) or ""
    day = _day("date", date) or _today()
    return {
        "query": name,
        "date": day.isoformat(),
        "actors": [
            {"code": a.code, "name": a.name, "kb_id": a.kb_id, "why": a.why}
            for a in look_up(name, day)
        ],
    }


@router.get("/timeline")
def timeline(
    request: Request,
    source: Annotated[str, Query(min_length=1, max_length=64)],
    target: Annotated[str, Query(min_length=1, max_length=64)],
    interval: Annotated[Interval, Query()] = "month",
    since: Annotated[str | None, Query(max_length=64)] = None,
    until: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    flt = filter_of(
        source=_text("source", source),
        target=_text("target", target),
        since=_text("since", since),
        until=_text("until", until),
    )
    assert flt.source is not None and flt.target is not None
    points = _state(request).store.analytics.timeline(
        flt.source, flt.target, interval, flt.since, flt.until
    )
    return {
        "source": source,
        "target": target,
        "interval": interval,
        "series": [
            {
                "period": p.period.isoformat(),
                "direction": p.direction,
                "events": p.events,
                "quad_class": {str(q): p.by_quad_class[q] for q in QUAD_CLASSES},
                "goldstein_sum": p.goldstein_sum,
                "goldstein_mean": round(p.goldstein_mean, 4),
            }
            for p in points
        ],
    }


@router.get("/network")
def network(
    request: Request,
    since: Annotated[str | None, Query(max_length=64)] = None,
    until: Annotated[str | None, Query(max_length=64)] = None,
    min_events: Annotated[int, Query(ge=1, le=1_000_000_000)] = 1,
) -> dict[str, Any]:
    flt = filter_of(since=_text("since", since), until=_text("until", until))
    found = _state(request).store.analytics.network(flt.since, flt.until, min_events)
    return {
        "nodes": [{"id": n.code, "events": n.events} for n in found.nodes],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "events": e.events,
                "goldstein_mean": e.goldstein_mean,
            }
            for e in found.edges
        ],
        "truncated": found.truncated,
    }


class CodeRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    date: str = Field(description="YYYY-MM-DD", max_length=64)
    title: str | None = Field(default=None, max_length=2000)
    doc_id: str | None = Field(default=None, min_length=1, max_length=200)


@router.get(
    "/places/map.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "an SVG map"}},
)
def place_map(
    lat: Annotated[float, Query(ge=-90.0, le=90.0)],
    lon: Annotated[float, Query(ge=-180.0, le=180.0)],
    label: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """A world map with a marker at the point, drawn here from the gazetteer (no tiles)."""
    from eventcoder.places.gazetteer import Gazetteer
    from eventcoder.places.worldmap import world_map

    svg = world_map(Gazetteer.open(), lat, lon, label)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


@router.post("/code", responses={413: {"model": ErrorBody, "description": "body over 1 MB"}})
def code(
    request: Request,
    body: CodeRequest,
    store: Annotated[bool, Query(description="also write the events to the store")] = False,
) -> dict[str, Any]:
    from eventcoder.library import document_date
    from eventcoder.model import Document

    state = _state(request)
    from eventcoder.ingest import as_read

    text = as_read(_text("text", body.text) or "")
    if not text.strip():
        raise UsageError("text is empty: send the article's words")
    day = document_date(_text("date", body.date) or "")
    doc_id = _text("doc_id", body.doc_id) or "posted-" + stable_hash(day.isoformat(), text)
    document = Document(doc_id=doc_id, text=text, date=day, title=_text("title", body.title))
    coded = list(state.coder().code_documents([document]))
    document, events = coded[0] if coded else (document, [])
    if store:
        state.store.write_document(document, events)
        state.store.refresh_events()
    return {
        "doc_id": doc_id,
        "stored": store,
        "events": [event.to_record() for event in events],
    }


def _labels(stored: StoredEvent) -> dict[str, str]:
    from eventcoder.ontology import load_ontology

    ontology = load_ontology()
    ev = stored.event
    cameo = ontology.cameo_codes.get(ev.cameo)
    plover = ontology.plover_types.get(ev.plover.event.upper())
    return {
        "cameo": cameo.label if cameo is not None else ev.cameo,
        "plover": plover.definition
        if plover is not None and plover.definition
        else ev.plover.event,
        "quad_class": QUAD_CLASS_LABELS.get(ev.quad_class, str(ev.quad_class)),
    }


def _document_head(document: StoredDocument, *, text: bool) -> dict[str, Any]:
    head: dict[str, Any] = {
        "doc_id": document.doc_id,
        "title": document.title,
        "url": document.url,
        "date": document.date.isoformat(),
    }
    if text:
        head["text"] = document.text
    return head


def _day(name: str, value: str | None) -> date | None:
    """A query's date: ``YYYY-MM-DD``, any year."""
    from eventcoder.errors import InputError
    from eventcoder.ingest.clean import parse_day

    if value is None:
        return None
    try:
        return parse_day(_text(name, value) or "", document=False)
    except InputError as exc:
        raise UsageError(f"{name} {value!r} is not a date: use YYYY-MM-DD") from exc


def _today() -> date:
    return date.today()


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
