"""The ``eventcoder`` command: a thin shell over the library.

eventcoder code PATH... [--db URL] [--jsonl OUT|-] [--date YYYY-MM-DD] [--model md|sm]
                [--workers N] [--force]
eventcoder events [--db URL] [filters] [--mentions]
                  [--format table|jsonl|csv|gdelt|plover|parquet] [--out FILE]
eventcoder eval GOLD.jsonl [--scheme plover] [--by-type] [--model md|sm]
eventcoder kb lookup NAME [--date YYYY-MM-DD]
eventcoder serve [--db URL] [--host 127.0.0.1] [--port 8000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from eventcoder.cli_options import DEFAULT_DB, build_parser
from eventcoder.coding.learned.ways import LEARNED_WAYS
from eventcoder.errors import EventCoderError, InputWarning, StoreError, UsageError
from eventcoder.model import Document, Event

if TYPE_CHECKING:
    from eventcoder.corpus import RunSummary
    from eventcoder.store import EventFilter, EventStore, StoreCounts

__all__ = [
    "DEFAULT_DB",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SOME_SKIPPED",
    "build_parser",
    "main",
]

EXIT_OK = 0
EXIT_SOME_SKIPPED = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
# how many document ids (repeated, not in English) the summary names
_SHOWN_IDS = 5


def _filter_from(args: argparse.Namespace, limit: int | None = None) -> EventFilter:
    from eventcoder.filters import check_filter, parse_near
    from eventcoder.store import EventFilter

    flt = EventFilter(
        actor=args.actor,
        country=args.country,
        source=args.source,
        target=args.target,
        event_type=args.event_type,
        cameo=args.cameo,
        since=args.since,
        until=args.until,
        doc_id=args.doc_id,
        event_id=args.event_id,
        min_confidence=args.min_confidence,
        location_country=args.location_country,
        near=None if args.near is None else parse_near(args.near),
        limit=limit,
    )
    check_filter(flt)
    return flt


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "code":
            return cmd_code(args)
        if args.command == "events":
            return cmd_events(args)
        if args.command == "summary":
            return cmd_summary(args)
        if args.command == "eval":
            return cmd_eval(args)
        if args.command == "kb":
            return cmd_kb(args)
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "watch":
            from eventcoder.cli_watch import cmd_watch

            return cmd_watch(args)
    except EventCoderError as exc:
        print(f"eventcoder: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # an output file that cannot be written, a full disk
        where = f" {exc.filename}" if exc.filename else ""
        print(f"eventcoder: error:{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    parser.error(f"unknown command {args.command}")
    return EXIT_ERROR


@contextmanager
def _output(path: str | None) -> Iterator[TextIO | None]:
    if path is None:
        yield None
    elif path == "-":
        yield sys.stdout
    else:
        with open(path, "w", encoding="utf-8") as fh:
            yield fh


def cmd_code(args: argparse.Namespace) -> int:
    # input read with a repair (undecodable bytes replaced) is said once per place, on stderr
    with warnings.catch_warnings():
        warnings.simplefilter("always", InputWarning)
        warnings.showwarning = _show_input_warning
        return _code(args)


def _show_input_warning(
    message: Warning | str, category: type[Warning], *_: object, **__: object
) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _code(args: argparse.Namespace) -> int:
    from eventcoder.corpus import Failure, code_corpus, default_workers
    from eventcoder.ingest import estimate_count, iter_documents
    from eventcoder.pipeline import CoderConfig
    from eventcoder.progress import Progress
    from eventcoder.store import open_store

    def say(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr)

    progress = Progress(None, enabled=False if args.quiet else None)

    def report(failure: Failure) -> None:
        if progress.enabled:
            sys.stderr.write("\r\x1b[K")  # clear the bar; it is drawn again on the next step
        print(f"skipped: {failure}", file=sys.stderr)

    _check_code_options(args)
    if progress.enabled:
        progress.total = estimate_count(args.paths)
    config = CoderConfig(
        model=args.model,
        batch_size=args.batch_size,
        learned="rules" if args.no_model else "combined",
    )
    workers = args.workers or default_workers()
    store = None if args.no_store else open_store(args.db)
    try:
        with _output(args.jsonl) as out:

            def write_events(_document: Document, events: Sequence[Event]) -> None:
                if out is not None:
                    for event in events:
                        out.write(event.to_json() + "\n")

            try:
                summary = code_corpus(
                    iter_documents(args.paths, default_date=args.date),
                    store=store,
                    config=config,
                    workers=workers,
                    force=args.force,
                    on_error=report,
                    on_events=write_events,
                    progress=progress,
                    on_merge=lambda: say("merging duplicate reports into events…"),
                )
            except KeyboardInterrupt:
                print(
                    "\ninterrupted: documents coded so far are stored; run the same command "
                    "again to code the rest",
                    file=sys.stderr,
                )
                return EXIT_INTERRUPTED
        counts = store.counts() if store is not None else None
    finally:
        if store is not None:
            store.close()
    _report_run(summary, counts, args.db, say)
    return EXIT_SOME_SKIPPED if summary.skipped else EXIT_OK


def _check_code_options(args: argparse.Namespace) -> None:
    """Refuse what cannot work before a database or output file is created."""
    from eventcoder.ingest import check_paths

    if args.no_store and args.jsonl is None:
        raise UsageError(
            "--no-store without --jsonl would code everything and keep nothing: "
            "add --jsonl OUT (or '-' for standard output), or leave out --no-store"
        )
    check_paths(args.paths)
    if args.jsonl not in (None, "-"):
        folder = Path(args.jsonl).resolve().parent
        if not folder.is_dir():
            raise UsageError(f"--jsonl {args.jsonl}: the folder {folder} does not exist")


def _report_run(
    summary: RunSummary, counts: StoreCounts | None, db_url: str, say: Callable[[str], None]
) -> None:
    """What ``eventcoder code`` says when it ends: counts, repeats, other languages."""
    from eventcoder.summary import counted

    line = (
        f"coded {counted(summary.coded - len(summary.not_english), 'document')}, "
        f"{counted(summary.events, 'event mention')}; skipped {summary.skipped}"
    )
    if summary.already_stored:
        line += f"; {summary.already_stored} already stored (use --force to recode)"
    if summary.self_dyads_dropped:
        line += (
            f"; {summary.self_dyads_dropped} events left out whose source and target were the "
            "same actor"
        )
    used = "1 worker" if summary.workers == 1 else f"{summary.workers} workers"
    say(line + f" ({summary.seconds:.1f} s, {used})")
    if counts is not None:
        say(
            f"merged duplicate reports ({summary.merge_seconds:.1f} s): {db_url} holds "
            f"{counted(counts.mentions, 'event mention')} merged into "
            f"{counted(counts.events, 'event')} from {counted(counts.documents, 'document')}"
        )
    if summary.duplicate_ids:
        shown = "; ".join(
            f"{doc_id!r} at {later} (replaces {earlier})"
            for doc_id, earlier, later in summary.duplicate_ids[:_SHOWN_IDS]
        )
        more = len(summary.duplicate_ids) - _SHOWN_IDS
        say(
            f"{len(summary.duplicate_ids)} document(s) repeat an id of this run, the last copy "
            f"is kept: {shown}" + (f"; and {more} more" if more > 0 else "")
        )
    if summary.not_english:
        shown = ", ".join(
            f"{doc_id!r} ({language})" for doc_id, language in summary.not_english[:_SHOWN_IDS]
        )
        more = len(summary.not_english) - _SHOWN_IDS
        by_language = Counter(language for _, language in summary.not_english)
        languages = ", ".join(f"{n} {language}" for language, n in by_language.most_common())
        say(
            f"{counted(len(summary.not_english), 'document')} not in English ({languages}) "
            f"stored without events: {shown}" + (f" and {more} more" if more > 0 else "")
        )
    if counts is not None:
        db = _db_option(db_url)
        say(f"see them: eventcoder summary{db}  (or: eventcoder events{db})")


def _db_option(db: str) -> str:
    """How a command names this database: nothing for the default one."""
    return "" if db == DEFAULT_DB else f" --db {db}"


def _open_existing(db: str) -> EventStore:
    from eventcoder.store import open_store

    if "://" not in db and not Path(db).exists():
        raise EventCoderError(
            f"no database at {db}: code some documents first ('eventcoder code PATH --db {db}')"
        )
    store = open_store(db)
    if store.has_stale_groups():
        try:  # a run is going on, or was stopped before it merged its reports
            store.refresh_events()
        except StoreError as exc:
            print(f"eventcoder: warning: events may be out of date: {exc}", file=sys.stderr)
    return store


def cmd_events(args: argparse.Namespace) -> int:
    from eventcoder.export import BINARY_FORMATS, write_events, write_parquet

    binary = args.format in BINARY_FORMATS
    if binary and args.out in (None, "-"):
        raise UsageError(
            f"--format {args.format} writes a binary file, not text for a terminal: "
            "add --out FILE (e.g. --out events.parquet)"
        )
    if args.out not in (None, "-"):
        folder = Path(args.out).resolve().parent
        if not folder.is_dir():
            raise UsageError(f"--out {args.out}: the folder {folder} does not exist")
    flt = _filter_from(args, limit=args.limit)
    with _open_existing(args.db) as store:
        records = store.query_mentions(flt) if args.mentions else store.query_events(flt)
        if binary:
            write_parquet(records, args.out)
        else:
            with _output(args.out or "-") as out:
                assert out is not None
                write_events(records, out, args.format)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from eventcoder.web.serve import serve

    _open_existing(args.db).close()  # a missing database is said before the server starts
    serve(args.db, host=args.host, port=args.port)
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from eventcoder.store import EventFilter
    from eventcoder.summary import SummaryInput, format_summary, more_hint

    flt = _filter_from(args)
    size = shutil.get_terminal_size((100, 40))
    width = args.width or size.columns
    # two lines an event; the rest of the report takes about 14
    top = args.top or max(3, min(10, (size.lines - 14) // 2))
    with _open_existing(args.db) as store:
        counts = store.counts()
        data = SummaryInput(
            where=args.db,
            documents=counts.documents,
            mentions=counts.mentions,
            events=list(store.query_events(flt)),
            filtered=flt != EventFilter(),
        )
    lines = format_summary(data, width=width, top=top) + more_hint(_db_option(args.db), width)
    print("\n".join(lines))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from eventcoder.evaluate import format_by_type, format_side_by_side, read_gold, score
    from eventcoder.ingest import as_read
    from eventcoder.pipeline import CoderConfig, get_coder

    gold = read_gold(Path(args.gold))
    documents = [Document(doc_id=g.doc_id, text=as_read(g.text), date=g.date) for g in gold]
    ways = LEARNED_WAYS if args.way == "all" else (args.way,)
    results = {}
    counts = {}
    for way in ways:
        coder = get_coder(CoderConfig(model=args.model, learned=way))
        predicted: dict[str, list[Event]] = {}
        for document, events in coder.code_documents(documents):
            predicted[document.doc_id] = events
        results[way] = score(gold, predicted)
        counts[way] = sum(len(v) for v in predicted.values())
        if args.jsonl and way == ways[0]:
            with _output(args.jsonl) as out:
                assert out is not None
                for events in predicted.values():
                    out.writelines(event.to_json() + "\n" for event in events)
    coded = ", ".join(f"{counts[w]} {w}" for w in ways)
    print(f"{len(gold)} gold documents, events coded: {coded}")
    print("\n".join(format_side_by_side(results)))
    if args.by_type:
        for way in ways:
            print(f"\n{way}:")
            print("\n".join(format_by_type(results[way])))
    return EXIT_OK


def cmd_kb(args: argparse.Namespace) -> int:
    from eventcoder.actors.explain import explain_name

    if args.kb_command == "import-wikidata":
        return cmd_kb_import_wikidata(args)
    when = args.date or date.today()
    lines = explain_name(args.name, when)
    print("\n".join(lines))
    return EXIT_OK if lines and not lines[0].startswith("not found") else EXIT_SOME_SKIPPED


def cmd_kb_import_wikidata(args: argparse.Namespace) -> int:
    from eventcoder.actors.kb import load_kb, user_kb_dirs
    from eventcoder.actors.wikidata import read_wikidata, summarise_warnings, write_people_tsv

    user_dirs = user_kb_dirs()
    out_dir: Path = args.out or (user_dirs[0] if user_dirs else Path("eventcoder-kb"))
    kb = load_kb(tuple(d for d in user_dirs if d.is_dir()))
    rows, warnings = read_wikidata(Path(args.file), kb)
    for warning in warnings[:20]:
        print(f"skipped: {warning}", file=sys.stderr)
    if len(warnings) > 20:
        print(f"skipped: ... and {len(warnings) - 20} more", file=sys.stderr)
    people = len({row.person_id for row in rows})
    line = f"{len(rows)} spells imported for {people} people, {len(warnings)} skipped"
    if warnings:
        line += f" ({', '.join(summarise_warnings(warnings))})"
    if not rows:
        print(line)
        return EXIT_SOME_SKIPPED
    path, added = write_people_tsv(rows, out_dir)
    print(line)
    print(f"{added} new rows written to {path} ({len(rows) - added} already there)")
    if out_dir.resolve() not in {d.resolve() for d in user_dirs}:
        print(f"set EVENTCODER_KB={out_dir} to use it")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
