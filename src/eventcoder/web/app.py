"""``create_app``: the FastAPI application of ``eventcoder serve`` (docs/web.md).

One store, opened once; the JSON API under ``/api`` (``web/api.py``), its OpenAPI page at
``/api/docs`` with Swagger UI's files served from the installed ``swagger_ui_bundle``
package (nothing from a CDN), the UI pages at ``/`` and their files at ``/static``.

Every error is JSON, ``{"error": {"status": ..., "message": ...}}``: FastAPI's validation
errors (400, and malformed JSON), unknown routes and ids (404), bodies over
:data:`MAX_BODY_BYTES` (413). An unexpected exception is logged and answered with a JSON
500 that shows no trace; no input is meant to reach it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventcoder import __version__
from eventcoder.errors import EventCoderError, StoreError, UsageError
from eventcoder.pipeline import CoderConfig
from eventcoder.store import open_store
from eventcoder.web import api, pages

log = logging.getLogger("eventcoder.web")

MAX_BODY_BYTES = 1_000_000
DOCS_ASSETS = "/api/docs/assets"
DOCS_SCHEMA = "/api/docs/openapi.json"


def error_response(status: int, message: str) -> JSONResponse:
    """The one shape of every error the server sends."""
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)


def swagger_ui_dir() -> Path:
    """The folder of Swagger UI's JS and CSS in the installed ``swagger_ui_bundle``."""
    from importlib.resources import files

    from eventcoder.errors import EventCoderError

    vendor = Path(str(files("swagger_ui_bundle") / "vendor"))
    found = sorted(vendor.glob("swagger-ui-*/swagger-ui-bundle.js"))
    if not found:
        raise EventCoderError(
            f"no Swagger UI files in {vendor}: reinstall eventcoder (pip install -e .) so that "
            "its swagger-ui-bundle dependency is complete"
        )
    return found[-1].parent


def create_app(db_url: str, *, coder_config: CoderConfig | None = None) -> FastAPI:
    """The application serving the store at ``db_url`` (a path or SQLAlchemy URL).

    ``coder_config`` is the coder ``POST /api/code`` loads on its first request (default:
    ``CoderConfig()``, the ``sm`` model with the learned model).
    """
    store = open_store(db_url)
    if store.has_stale_groups():  # a run stopped before it merged its reports
        store.refresh_events()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="eventcoder",
        version=__version__,
        description="Political events coded from news text (CAMEO/PLOVER), with their "
        'evidence. Errors are JSON: {"error": {"status", "message"}}.',
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.server = api.ServerState(store, coder_config or CoderConfig())
    _add_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    app.include_router(api.router)

    @app.get(DOCS_SCHEMA, include_in_schema=False)
    def docs_schema() -> dict[str, Any]:
        # The Swagger UI of swagger-ui-bundle 1.1.0 (4.15) renders only OpenAPI 3.0
        # documents; FastAPI writes 3.1. The page is given the same schema labelled 3.0.3,
        # which it draws in full; /api/openapi.json stays the exact 3.1 document.
        return {**app.openapi(), "openapi": "3.0.3"}

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=DOCS_SCHEMA,
            title="eventcoder API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
            # the validator badge would send the schema to validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None},
        )

    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_dir()), name="docs-assets")
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    app.include_router(pages.router)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = (
                f"no such page: {request.url.path}; the pages are /, /timeline, /network and "
                "/code, the API is under /api (see /api/docs)"
            )
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(400, validation_message(exc.errors()))

    @app.exception_handler(UsageError)
    async def usage_error(_: Request, exc: UsageError) -> JSONResponse:
        return error_response(400, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> JSONResponse:
        log.error("store error: %s", exc)
        return error_response(503, f"the database cannot be read or written now: {exc}")

    @app.exception_handler(EventCoderError)
    async def coder_error(_: Request, exc: EventCoderError) -> JSONResponse:
        return error_response(400, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error (logged by the server); please report it")


def validation_message(errors: Sequence[Any]) -> str:
    """One line naming each parameter FastAPI refused and why."""
    parts = []
    for error in errors:
        if error.get("type") == "json_invalid":
            return "the body is not valid JSON: send an object such as " + (
                '{"text": "...", "date": "YYYY-MM-DD"}'
            )
        where = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        if where[:1] == ["body"]:
            where = where[1:] or ["body"]
        name = ".".join(where) or "request"
        parts.append(f"{name}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


class BodySizeLimit:
    """Refuses a request body over ``max_bytes`` with a 413 (by its Content-Length, or as
    it streams in when it has none)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = error_response(413, self.message())
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await too_large(scope, receive, send)
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # an HTTPException, which FastAPI passes on while it reads the body
                    raise StarletteHTTPException(413, self.message())
            return message

        await self.app(scope, counted, send)

    def message(self) -> str:
        return f"the body is over {self.max_bytes:,} bytes: send a shorter text"
