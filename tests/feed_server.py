"""A loopback HTTP server for the watch tests: routes are set (and changed) by the test,
every request is logged, and a route can stall, trickle, redirect or fail."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before the headers
    trickle_s: float = 0.0  # between single bytes of the body


Route = Reply | Callable[[Mapping[str, str]], Reply]


@dataclass(frozen=True)
class Request:
    path: str
    headers: Mapping[str, str]


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up on a stalled or trickled reply, as tests make it
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class FeedServer:
    """``with FeedServer.running() as server: server.routes["/feed.xml"] = Reply(...)``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        handler = _handler_for(self)
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.port = self._httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[FeedServer]:
        server = cls()
        thread = threading.Thread(target=server._httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield server
        finally:
            server._httpd.shutdown()
            server._httpd.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for request in self.requests if request.path == path)

    def paths(self) -> list[str]:
        with self._lock:
            return [request.path for request in self.requests]

    def _log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the tests read server.requests

        def do_GET(self) -> None:  # http.server's name
            headers = {name.lower(): value for name, value in self.headers.items()}
            server._log(Request(self.path, headers))
            route = server.routes.get(self.path)
            if route is None:
                reply = Reply(404, b"not here", "text/plain")
            elif isinstance(route, Reply):
                reply = route
            else:
                reply = route(headers)
            with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                self._send(reply)

        def _send(self, reply: Reply) -> None:
            if reply.delay_s:
                time.sleep(reply.delay_s)
            self.send_response(reply.status)
            if reply.content_type is not None:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if not reply.trickle_s:
                self.wfile.write(reply.body)
                return
            for byte in reply.body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(reply.trickle_s)

    return Handler
