"""A saved or fetched web page in, its article out: main text, title, date, URL, site.

``extract_page`` decodes the page's bytes, removes the parts of a news page that are not
the article before trafilatura looks for the main text, and takes the page's metadata:

* Decoding: the charset of the HTTP ``Content-Type``, else a byte-order mark, else
  ``<meta charset>`` / ``http-equiv``, else UTF-8, else windows-1252 (a superset of
  iso-8859-1 for every printable character).
* Left out before extraction (general rules, none for one site): ``<aside>``, ``<nav>``,
  ``<figure>``/``<figcaption>``, forms, ``<dialog>``; elements whose class, id or role names
  related links, newsletters, cookie notices, comments, paywalls, sharing, author bios and
  the like (class names are split into words: ``c-paywall__inner`` is ``c paywall inner``);
  short blocks that are mostly one link (``Read also: <a>other story</a>``). An element
  holding most of the page's paragraph text is never removed whatever it is called.
* Left out after extraction: trailing wire sign-offs ("Reporting by ...; Editing by ..."),
  and the headline when the text starts with it (it is the ``title``).
* Date: the page's own metadata (htmldate, original publication date first: meta tags,
  JSON-LD, ``<time>``), then a date in the URL (``/2024/03/17/``); ``date_from`` says which.
* URL: ``<link rel=canonical>`` or ``og:url``, else the URL given. Site: ``og:site_name``
  and the like.

The text is built from trafilatura's main-text tree: one paragraph a block (paragraph,
heading, list item, quote), whitespace inside a block collapsed as a browser does, blocks
joined by a blank line. ``page_document`` makes the ``Document`` that is coded; evidence
offsets slice its ``text``.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from eventcoder.errors import InputError
from eventcoder.ingest.clean import check_document_date
from eventcoder.model import Document

NO_PAGE_DATE = "no date: the page has no publication date; pass --date YYYY-MM-DD"

_SNIFF = 4096
_CHARSET_IN_TYPE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Something that makes the text a web page rather than plain text or binary data.
_LOOKS_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|p|div|article)\b", re.IGNORECASE)

# Elements that are never the article's running text.
_DROP_TAGS = ("aside", "nav", "figure", "figcaption", "form", "dialog", "noscript", "button")
# Words in a class, id or role that mark a block as not the article. Matched against the
# words of the name ("story__related" -> "story related"), never inside a word.
_BOILERPLATE_WORDS = frozenset(
    re.findall(
        r"\S+",
        """
        related read-also readalso read-next readnext more-from recommended recirculation
        promo promos teaser-list trending popular most-read mostread outbrain taboola
        newsletter newsletters signup sign-up subscribe subscription paywall piano
        cookie cookies consent gdpr banner comments comment disqus replies
        share sharing social sharebar byline-social author-bio bio biography about-author
        about-us aboutus sign-off signoff trust-line standards disclaimer
        caption credits breadcrumb breadcrumbs sidebar widget advert advertisement ad ads
        sponsored skip-link tags topics
        """,
    )
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_KEEP_TAGS = frozenset({"html", "body", "main"})
# A block at most this long that is mostly link text is a link to another story.
_LINK_BLOCK_MAX = 200
_LINK_SHARE = 0.5
# An element holding more than this share of the page's paragraph text is the article.
_ARTICLE_SHARE = 0.5
# A wire sign-off: "Reporting by A in B; Additional reporting by C; Editing by D".
_SIGN_OFF = re.compile(
    r"^\W*(?:\(?(?:additional\s+)?(?:reporting|writing|editing|compiled|research)\b[^.\n]{0,200}"
    r"\bby\b[^\n]{0,300})$",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset({"p", "head", "item", "quote", "cell", "code"})
_SPACE = re.compile(r"\s+")
_URL_DAY = re.compile(r"/(\d{4})[/-]?(\d{1,2})[/-]?(\d{1,2})(?:/|[-_]|$)")
_URL_DAY_COMPACT = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})(?!\d)")


@dataclass(frozen=True)
class Page:
    """What ``extract_page`` found in a web page."""

    text: str  # the main article text; paragraphs separated by "\n\n"
    title: str | None
    published: date | None  # page metadata (htmldate, original date first), then the URL
    date_from: str | None  # "metadata" | "url" | None: where ``published`` came from
    url: str | None  # the canonical URL (rel=canonical, og:url), else the URL given
    site: str | None  # site name (og:site_name and the like)
    language: str | None  # <html lang>, if any (informational)


def extract_page(
    data: bytes | str, *, url: str | None = None, content_type: str | None = None
) -> Page | None:
    """The article in a web page; None when it has none (empty, not HTML, no main text)."""
    html = data if isinstance(data, str) else decode_html(data, content_type)
    if not html.strip() or "\x00" in html or not _LOOKS_HTML.search(html[: _SNIFF * 4]):
        return None
    tree = _parse(html)
    if tree is None:
        return None
    language = _language(tree)
    metadata = _metadata(tree, url)
    page_url = _clean(metadata.get("url")) or url
    title = _title(tree, metadata)
    published, date_from = _published(tree, page_url, url)
    _prune(tree)
    paragraphs = _main_text(tree, url, tables=False) or _main_text(tree, url, tables=True)
    paragraphs = _without_sign_off(paragraphs)
    if title and paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # the headline is the title, not a sentence of the text
    text = "\n\n".join(paragraphs)
    if not text:
        return None
    return Page(
        text=text,
        title=title,
        published=published,
        date_from=date_from,
        url=page_url,
        site=_clean(metadata.get("sitename")),
        language=language,
    )


def page_document(
    page: Page,
    *,
    doc_id: str,
    origin: str,
    default_date: date | None,
    fallback_date: date | None = None,
) -> Document:
    """The ``Document`` of an extracted page: its date is the page's, else ``fallback_date``
    (a feed's date, a WARC record's day), else ``default_date`` (``--date``); else
    ``InputError``. A date outside the documents' range is an ``InputError`` too."""
    day = page.published or fallback_date or default_date
    if day is None:
        raise InputError(NO_PAGE_DATE, origin)
    try:
        check_document_date(day)
    except InputError as exc:
        raise InputError(exc.reason, origin) from None
    return Document(
        doc_id=doc_id,
        text=page.text,
        date=day,
        title=page.title,
        url=page.url,
        source=page.site,
        origin=origin,
    )


# --------------------------------------------------------------------------- decoding


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """``data`` as text: the charset of ``content_type``, a BOM, ``<meta charset>``, then
    UTF-8 and windows-1252; never fails (undecodable bytes become U+FFFD)."""
    for candidate in _charsets(data, content_type):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def _charsets(data: bytes, content_type: str | None) -> Iterator[str]:
    if content_type and (found := _CHARSET_IN_TYPE.search(content_type)):
        yield _codec(found.group(1))
    for bom, name in _BOMS:
        if data.startswith(bom):
            yield name + ("-sig" if name == "utf-8" else "")
    if found_meta := _META_CHARSET.search(data[:_SNIFF]):
        yield _codec(found_meta.group(1).decode("ascii", "replace"))
    yield "utf-8"
    yield "cp1252"


def _codec(name: str) -> str:
    """Browsers read latin-1 and ascii labels as windows-1252 (WHATWG Encoding)."""
    lowered = name.strip().lower()
    if lowered in {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"}:
        return "cp1252"
    return lowered


# --------------------------------------------------------------------------- the tree


def _parse(html: str) -> Any:
    """The lxml tree of ``html`` (trafilatura's parser settings); None if it has none."""
    from trafilatura.utils import load_html

    # lxml refuses str with an encoding declaration; the text is already decoded
    return load_html(re.sub(r"^\s*<\?xml[^>]*>", "", html))


def _language(tree: Any) -> str | None:
    value = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    return _clean(value)


def _name_words(element: Any) -> set[str]:
    """The words of an element's class, id and role, with their hyphenated pairs."""
    words: set[str] = set()
    for attr in ("class", "id", "role", "data-component"):
        value = element.get(attr)
        if not value:
            continue
        for name in value.split():
            parts = [p.lower() for p in _NAME_WORDS.findall(name)]
            words.update(parts)
            words.update(f"{a}-{b}" for a, b in pairwise(parts))
    return words


def _text_len(element: Any) -> int:
    return sum(len(t.strip()) for t in element.itertext())


def _prune(tree: Any) -> None:
    """Remove in place the parts of the page that are not the article (module docstring)."""
    paragraph_total = sum(_text_len(p) for p in tree.iter("p")) or 1

    def holds_article(element: Any) -> bool:
        held = sum(_text_len(p) for p in element.iter("p"))
        return held > _ARTICLE_SHARE * paragraph_total

    doomed = []
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in _KEEP_TAGS or tag == "head":
            continue
        if tag in _DROP_TAGS or (_name_words(element) & _BOILERPLATE_WORDS):
            if not holds_article(element):
                doomed.append(element)
        elif tag in {"p", "li", "div"} and _is_link_block(element):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _is_link_block(element: Any) -> bool:
    """A short block whose words are mostly one or more links: "Read also: <a>...</a>"."""
    if element.tag == "div" and any(child.tag in {"p", "div"} for child in element):
        return False
    total = _text_len(element)
    if total == 0 or total > _LINK_BLOCK_MAX:
        return False
    linked = sum(_text_len(a) for a in element.iter("a"))
    return linked > _LINK_SHARE * total


# --------------------------------------------------------------------------- extraction


def _main_text(tree: Any, url: str | None, *, tables: bool) -> list[str]:
    from trafilatura import bare_extraction

    # trafilatura logs each page it finds no text in ("discarding data"); the reader says so
    logging.getLogger("trafilatura").setLevel(logging.ERROR)

    found = bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=tables,
        include_images=False,
        include_links=False,
        include_formatting=False,
        with_metadata=False,
    )
    body = getattr(found, "body", None)
    if body is None:
        return []
    return [text for block in _blocks(body) if (text := _collapse(block))]


def _blocks(element: Any) -> Iterator[str]:
    """The text of each block of trafilatura's tree (paragraphs, headings, list items)."""
    for child in element:
        if child.tag in _BLOCK_TAGS and not any(c.tag in _BLOCK_TAGS | {"list"} for c in child):
            yield "".join(child.itertext())
        elif child.tag in _BLOCK_TAGS or child.tag in {"list", "table", "row", "div"}:
            if child.text and child.text.strip():
                yield child.text
            yield from _blocks(child)
        else:
            yield "".join(child.itertext())
        if child.tail and child.tail.strip() and element.tag not in _BLOCK_TAGS:
            yield child.tail


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _without_sign_off(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the wire sign-off lines at their end."""
    end = len(paragraphs)
    while end > 1 and _SIGN_OFF.match(paragraphs[end - 1]):
        end -= 1
    return paragraphs[:end]


# --------------------------------------------------------------------------- metadata


def _metadata(tree: Any, url: str | None) -> dict[str, Any]:
    from trafilatura.metadata import extract_metadata

    found = extract_metadata(tree, default_url=url, date_config={"original_date": True})
    return {"url": found.url, "sitename": found.sitename, "title": found.title}


def _title(tree: Any, metadata: dict[str, Any]) -> str | None:
    """The article's headline: its one ``<h1>``, else the page metadata's title."""
    headings = [_collapse("".join(h.itertext())) for h in tree.iter("h1")]
    headings = [h for h in headings if h]
    if len(headings) == 1:
        return headings[0]
    return _clean(metadata.get("title"))


def _published(tree: Any, page_url: str | None, url: str | None) -> tuple[date | None, str | None]:
    from htmldate import find_date

    # url="" keeps htmldate from reading a date out of the URL: that comes second here
    found = find_date(tree, url="", original_date=True, extensive_search=False)
    if found:
        day = _day(found)
        if day is not None:
            return day, "metadata"
    for candidate in (page_url, url):
        day = url_date(candidate)
        if day is not None:
            return day, "url"
    return None, None


def url_date(url: str | None) -> date | None:
    """A publication day written in a URL path (``/2024/03/17/``, ``-20240317``), if any."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    for pattern in (_URL_DAY, _URL_DAY_COMPACT):
        for match in pattern.finditer(path):
            try:
                day = date(int(match[1]), int(match[2]), int(match[3]))
                return check_document_date(day)
            except (ValueError, InputError):
                continue
    return None


def _day(value: str) -> date | None:
    try:
        return check_document_date(date.fromisoformat(value[:10]))
    except (ValueError, InputError):
        return None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _collapse(value) or None
