"""The ``eventcoder`` command's options: every subcommand and option (docs/cli.md lists
them all, and a test checks it does), apart from what the commands do (``eventcoder.cli``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from eventcoder import __version__
from eventcoder.argtypes import any_day, day, duration, positive, seconds
from eventcoder.coding.learned.ways import LEARNED_WAYS
from eventcoder.nlp import DEFAULT_MODEL

DEFAULT_DB = "eventcoder.db"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eventcoder",
        description="Code news articles into CAMEO and PLOVER political events.",
    )
    parser.add_argument("--version", action="version", version=f"eventcoder {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    code = sub.add_parser("code", help="code articles into events and store them")
    code.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files (.txt, .jsonl, .csv) or directories; '-' reads JSONL from stdin",
    )
    code.add_argument(
        "--db", default=DEFAULT_DB, help=f"SQLite path or SQLAlchemy URL (default: {DEFAULT_DB})"
    )
    code.add_argument(
        "--no-store", action="store_true", help="do not write to the database (with --jsonl)"
    )
    code.add_argument(
        "--jsonl", metavar="OUT", help="also write the events as JSONL to OUT ('-' for stdout)"
    )
    code.add_argument(
        "--date", type=day, metavar="YYYY-MM-DD", help="date for documents that carry none"
    )
    code.add_argument(
        "--model",
        choices=("sm", "md"),
        default=DEFAULT_MODEL,
        help="spaCy English model: sm (default) or md (optional, a little more accurate)",
    )
    code.add_argument(
        "--no-model",
        action="store_true",
        help="code with the rules only, without the learned event model that vetoes, "
        "re-types and adds events (docs/learned.md)",
    )
    code.add_argument(
        "--batch-size",
        type=positive,
        default=32,
        metavar="N",
        help="documents parsed per batch (default: 32)",
    )
    code.add_argument(
        "--workers",
        type=positive,
        default=None,
        metavar="N",
        help="processes coding in parallel, each loading the model once "
        "(default: the number of CPU cores; 1 codes in this process)",
    )
    code.add_argument(
        "--force",
        action="store_true",
        help="recode documents already stored with the same text and coder version "
        "(by default they are skipped, so an interrupted run resumes where it stopped)",
    )
    code.add_argument(
        "--quiet", action="store_true", help="print only errors (no progress bar, no summary)"
    )

    events = sub.add_parser("events", help="list stored events")
    events.add_argument(
        "--db", default=DEFAULT_DB, help=f"SQLite path or SQLAlchemy URL (default: {DEFAULT_DB})"
    )
    _add_filters(events)
    events.add_argument(
        "--mentions",
        action="store_true",
        help="list every mention (the event as coded from each article) instead of the "
        "deduplicated events",
    )
    events.add_argument("--limit", type=positive, help="at most this many events")
    events.add_argument(
        "--format",
        default="table",
        choices=("table", "jsonl", "csv", "gdelt", "plover", "parquet"),
        help="output format (default: table); parquet needs --out and eventcoder[data]",
    )
    events.add_argument(
        "--out",
        metavar="FILE",
        help="write to FILE instead of standard output (required for parquet)",
    )

    serve = sub.add_parser(
        "serve", help="serve the events: the REST API and the web UI (docs/web.md)"
    )
    serve.add_argument(
        "--db", default=DEFAULT_DB, help=f"SQLite path or SQLAlchemy URL (default: {DEFAULT_DB})"
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; the server has "
        "no authentication)",
    )
    serve.add_argument(
        "--port", type=port_number, default=8000, help="TCP port (default: 8000; 0: any free one)"
    )

    watch = sub.add_parser(
        "watch",
        help="poll RSS/Atom feeds, fetch each new article, code and store it (docs/watch.md)",
    )
    watch.add_argument(
        "feeds",
        nargs="+",
        metavar="FEED",
        help="a feed URL, or a feed list file (OPML, or one URL a line)",
    )
    watch.add_argument(
        "--db", default=DEFAULT_DB, help=f"SQLite path or SQLAlchemy URL (default: {DEFAULT_DB})"
    )
    watch.add_argument(
        "--interval",
        type=duration,
        default=900.0,
        metavar="DURATION",
        help="time from one poll to the next: 90s, 15m, 1h (default: 15m)",
    )
    watch.add_argument("--once", action="store_true", help="poll once and exit (for cron)")
    watch.add_argument(
        "--model",
        choices=("sm", "md"),
        default=DEFAULT_MODEL,
        help=f"spaCy model (default: {DEFAULT_MODEL})",
    )
    watch.add_argument(
        "--concurrency",
        type=positive,
        default=16,
        metavar="N",
        help="requests in flight over all sites (default: 16; one at a time per site)",
    )
    watch.add_argument(
        "--host-delay",
        type=seconds,
        default=1.0,
        metavar="SECONDS",
        help="wait between two requests to one site (default: 1)",
    )
    watch.add_argument(
        "--timeout",
        type=seconds,
        default=20.0,
        metavar="SECONDS",
        help="give up on a server silent this long (default: 20)",
    )
    watch.add_argument(
        "--retries",
        type=int,
        choices=range(0, 10),
        default=2,
        metavar="N",
        help="retries of a timeout, 429 or 5xx within a poll, with backoff (default: 2)",
    )
    watch.add_argument(
        "--max-bytes",
        type=positive,
        default=5_000_000,
        metavar="N",
        help="largest page or feed read (default: 5000000)",
    )
    watch.add_argument("--quiet", action="store_true", help="print only each poll's summary")

    summary = sub.add_parser(
        "summary", help="a short report of the stored events, fitted to the terminal"
    )
    summary.add_argument(
        "--db", default=DEFAULT_DB, help=f"SQLite path or SQLAlchemy URL (default: {DEFAULT_DB})"
    )
    _add_filters(summary)
    summary.add_argument(
        "--top",
        type=positive,
        default=None,
        metavar="N",
        help="how many events to show (default: as many as fit the terminal, 3 to 10)",
    )
    summary.add_argument(
        "--width",
        type=positive,
        default=None,
        metavar="COLUMNS",
        help="line width (default: the terminal's, else 100)",
    )

    ev = sub.add_parser("eval", help="score the coder against a gold JSONL file")
    ev.add_argument("gold", metavar="GOLD.jsonl", help="gold records (see docs)")
    ev.add_argument(
        "--scheme",
        choices=("plover",),
        default="plover",
        help="event scheme scored (PLOVER types; the gold files carry PLOVER)",
    )
    ev.add_argument(
        "--by-type",
        action="store_true",
        help="also print per-type precision/recall and the common confusions",
    )
    ev.add_argument(
        "--model", choices=("sm", "md"), default=DEFAULT_MODEL, help="spaCy model (default: sm)"
    )
    ev.add_argument(
        "--way",
        choices=(*LEARNED_WAYS, "all"),
        default="all",
        help="which coder to score: combined (the default coder), rules (--no-model), "
        "model (the learned model's types with the parse's actors), or all three side by "
        "side (default: all)",
    )
    ev.add_argument(
        "--jsonl",
        metavar="OUT",
        help="write the predicted events to OUT (of the first way scored: combined by default)",
    )

    kb = sub.add_parser("kb", help="query the actor knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, metavar="KB_COMMAND")
    lookup = kb_sub.add_parser("lookup", help="how a name codes on a date, and why")
    lookup.add_argument("name", metavar="NAME", help="a name, title or country word")
    lookup.add_argument(
        "--date",
        type=any_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="date of the event (default: today)",
    )
    wikidata = kb_sub.add_parser(
        "import-wikidata", help="add people and their positions from a Wikidata export"
    )
    wikidata.add_argument(
        "file",
        metavar="FILE",
        help="a SPARQL JSON result or a Wikidata JSON dump (array or JSON lines, .gz/.bz2)",
    )
    wikidata.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=None,
        help="folder whose people.tsv is written or extended "
        "(default: the first folder in $EVENTCODER_KB, else ./eventcoder-kb)",
    )
    return parser


def port_number(value: str) -> int:
    """A TCP port, 0 (any free port) to 65535."""
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number (0 to 65535)")
    return number


def _add_filters(parser: argparse.ArgumentParser) -> None:
    """The options that choose events, shared by ``events`` and ``summary``."""
    parser.add_argument("--actor", help="source or target code prefix, or words of its text")
    parser.add_argument("--country", help="source or target country (ISO alpha-3)")
    parser.add_argument("--source", help="source code prefix, e.g. UKR or UKRMIL")
    parser.add_argument("--target", help="target code prefix")
    parser.add_argument("--type", dest="event_type", help="PLOVER event type, e.g. CONSULT")
    parser.add_argument("--cameo", help="CAMEO code prefix, e.g. 04 or 041")
    parser.add_argument("--since", type=any_day, metavar="YYYY-MM-DD", help="first event date")
    parser.add_argument("--until", type=any_day, metavar="YYYY-MM-DD", help="last event date")
    parser.add_argument("--doc", dest="doc_id", help="events reported by one document id")
    parser.add_argument(
        "--event", dest="event_id", metavar="ID", help="one deduplicated event (by event_id)"
    )
    parser.add_argument(
        "--min-confidence", type=float, metavar="C", help="only events with confidence >= C"
    )
    parser.add_argument(
        "--location-country", metavar="ISO3", help="events that happened in this country"
    )
    parser.add_argument(
        "--near",
        metavar="LAT,LON,KM",
        help="events that happened within KM kilometres of a point, e.g. 50.45,30.52,100",
    )
