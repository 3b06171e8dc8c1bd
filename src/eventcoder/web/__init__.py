"""``eventcoder serve``: the REST API and the web UI over a store (see docs/web.md)."""
