"""``eventcoder serve``: the REST API and the web UI on a loopback port (docs/web.md)."""

from __future__ import annotations

import socket

from eventcoder.pipeline import CoderConfig

LOOPBACK = "127.0.0.1"


def serve(
    db_url: str,
    *,
    host: str = LOOPBACK,
    port: int = 8000,
    coder_config: CoderConfig | None = None,
) -> None:
    """Serve the store at ``db_url`` until interrupted (Ctrl-C).

    Binds ``host`` (this machine only by default: the server has no authentication) and
    ``port`` (0: a free one); prints the address to open once it listens.
    """
    import uvicorn

    from eventcoder.web.app import create_app

    app = create_app(db_url, coder_config=coder_config)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: only then does asyncio turn Nagle's delay off (TCP_NODELAY), which
    # otherwise holds each small answer on a kept-alive connection about 40 ms
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # connections made before uvicorn starts wait instead of failing
    except OSError as exc:
        sock.close()
        from eventcoder.errors import EventCoderError

        raise EventCoderError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
            "choose another --port (0 takes any free one)"
        ) from exc
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    print(
        f"serving {db_url} at http://{shown}:{bound}/ (API docs at /api/docs); Ctrl-C to stop",
        flush=True,
    )
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
