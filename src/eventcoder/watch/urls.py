"""When two URLs are the same article: their canonical forms (courlan) are equal."""

from __future__ import annotations

from urllib.parse import urlsplit

from eventcoder.model import stable_hash


def canonical_url(url: str) -> str:
    """``url`` in the form that decides "same article": scheme and host lower-cased,
    default port, fragment and tracking parameters (``utm_*``, ``fbclid``, ...) dropped,
    query parameters sorted. Other parameters are kept: courlan's strict mode would drop
    ``?article=123`` too and make different articles one. A URL courlan cannot read is
    kept as given (trimmed)."""
    from courlan import normalize_url

    given = url.strip()
    try:
        found: str = normalize_url(given, strict=False)
    except (ValueError, AttributeError, TypeError):
        return given
    return found.split("#", 1)[0]


def web_doc_id(url: str) -> str:
    """The document id of a fetched article: its host and a hash of its canonical URL
    ("www.example.com/3fa2c1d4e5f60718"), the same for every URL of one article."""
    canonical = canonical_url(url)
    host = urlsplit(canonical).hostname or "web"
    return f"{host}/{stable_hash(canonical)}"
