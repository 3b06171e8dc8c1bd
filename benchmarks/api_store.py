"""The store ``make bench-api`` serves: many synthetic documents whose events are copies of
real coded events, written through the store's normal write path and deduplicated.

Coding hundreds of thousands of articles through spaCy would take hours, so the store is
made like this (deterministic for a seed):

1. the bundled sample articles are coded once with the real Coder (cached as JSONL in the
   work directory): these are the *template* events, with their CAMEO code, PLOVER type,
   modality, Goldstein, evidence sentence and trigger;
2. each synthetic document has 1 to 6 events; each is a template event with a new date
   (spread over five years), new source and target codes (a country of
   ``actors/data/countries.tsv``, often with a sector of ``actors/data/agents.tsv``, drawn
   so that a few countries are frequent, as in real news), a new confidence and a new id.
   The document's text is the events' evidence sentences, so every offset is right;
3. a share of the documents report events already reported by an earlier one (same dyad,
   CAMEO code and modality, the same or the next day, another outlet): deduplication
   merges those, as it does real reports of one event;
4. everything goes through ``EventStore.write_many`` and then ``refresh_events()``.
   Documents are added until the store holds the events asked for.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import resources
from itertools import islice
from pathlib import Path
from random import Random

from eventcoder.errors import InputError
from eventcoder.ingest import iter_documents, sample_corpus_paths
from eventcoder.model import Actor, Document, Event, Evidence
from eventcoder.store import open_store
from eventcoder.tsv import tsv_rows

# bump when the way documents are made changes: cached stores of another version are not reused
GENERATOR_VERSION = 1
FIRST_DAY = date(2021, 1, 1)
DAYS = 5 * 365
REREPORT_SHARE = 0.2  # documents that report earlier documents' events again
OUTLETS = ("Wire A", "Wire B", "Daily C", "Post D", "Herald E", "Times F", "Radio G", "TV H")
SECTOR_SHARE = 0.6  # actor codes with a sector (e.g. USAGOV), the rest a country alone
WRITE_BATCH = 500


@dataclass(frozen=True)
class StoreBuild:
    """How the benchmark's store was made."""

    url: str
    events: int
    mentions: int
    documents: int
    seed: int
    template_events: int
    actor_codes: int
    build_s: float  # 0 when reused
    reused: bool
    method: str


def code_templates(cache: Path) -> list[Event]:
    """The events of the bundled sample articles, coded once with the real Coder."""
    if cache.exists():
        lines = cache.read_text(encoding="utf-8").splitlines()
        return [Event.from_record(json.loads(line)) for line in lines if line]
    from eventcoder.library import code_documents

    documents = [d for d in iter_documents(sample_corpus_paths()) if not isinstance(d, InputError)]
    events = [
        ev
        for _, evs in code_documents(documents)
        for ev in evs
        if ev.source is not None and ev.target is not None
    ]
    if not events:
        raise RuntimeError("the sample articles gave no events with two actors to copy")
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(".partial")
    partial.write_text("".join(ev.to_json() + "\n" for ev in events), encoding="utf-8")
    partial.replace(cache)
    return events


def _kb_table(table: str) -> list[dict[str, str]]:
    text = resources.files("eventcoder").joinpath("actors", "data", table).read_text("utf-8")
    return [row for _, row in tsv_rows(text, f"actors/data/{table}")]


@dataclass(frozen=True)
class _Country:
    code: str
    name: str


class _ActorCodes:
    """Actor codes from the knowledge base's tables, a few countries far more frequent."""

    def __init__(self) -> None:
        self.countries = [
            _Country(row["code"], row["name"])
            for row in _kb_table("countries.tsv")
            if not row.get("valid_to") and len(row["code"]) == 3
        ]
        self.sectors = sorted({row["sector"] for row in _kb_table("agents.tsv") if row["sector"]})
        # Zipf-like weights over a fixed shuffle: deterministic, a long tail of rare ones
        order = list(range(len(self.countries)))
        Random(0).shuffle(order)
        self.weights = [0.0] * len(self.countries)
        for rank, index in enumerate(order, start=1):
            self.weights[index] = 1.0 / rank

    def draw(self, rng: Random, text: str, start: int, end: int) -> Actor:
        country = rng.choices(self.countries, self.weights)[0]
        sector = rng.choice(self.sectors) if rng.random() < SECTOR_SHARE else None
        return Actor(
            text=text,
            code=country.code + (sector or ""),
            country=country.code,
            sector=sector,
            name=country.name,
            start=start,
            end=end,
            why=f"synthetic (make bench-api): {country.name}" + (f", {sector}" if sector else ""),
        )

    @property
    def count(self) -> int:
        return len(self.countries) * (len(self.sectors) + 1)


def _moved_actor(actor: Actor, template: Event, new_start: int) -> tuple[str, int, int]:
    """The actor's words and offsets in the copied sentence (the sentence start if the
    template's actor lies outside its evidence)."""
    ev = template.evidence
    if ev.start <= actor.start and actor.end <= ev.end:
        shift = new_start - ev.start
        return actor.text, actor.start + shift, actor.end + shift
    return actor.text, new_start, new_start


def _copy(
    template: Event,
    doc_id: str,
    day: date,
    at: int,
    source: Actor,
    target: Actor,
    confidence: float,
) -> Event:
    ev = template.evidence
    shift = at - ev.start
    evidence = Evidence(
        sentence=ev.sentence,
        start=at,
        end=at + len(ev.sentence),
        trigger=ev.trigger,
        trigger_start=ev.trigger_start + shift,
        trigger_end=ev.trigger_end + shift,
    )
    return replace(
        template,
        doc_id=doc_id,
        date=day,
        date_precision="day",
        source=source,
        target=target,
        evidence=evidence,
        confidence=confidence,
        event_id="",  # computed again from the new document and actors
    )


@dataclass(frozen=True)
class _Planned:
    """One event of a document to be: what a re-report copies."""

    template: int
    day: date
    source: Actor
    target: Actor


def synthetic_documents(
    templates: Sequence[Event], seed: int, start_index: int = 0
) -> Iterator[tuple[Document, list[Event]]]:
    """Documents with copies of ``templates``' events, endlessly, deterministic for ``seed``."""
    rng = Random(seed)
    codes = _ActorCodes()
    recent: list[list[_Planned]] = []
    index = start_index
    while True:
        index += 1
        if recent and rng.random() < REREPORT_SHARE:
            earlier = rng.choice(recent)
            planned = [replace(p, day=p.day + timedelta(days=rng.randint(0, 1))) for p in earlier]
        else:
            day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            planned = []
            for _ in range(rng.randint(1, 6)):
                t = rng.randrange(len(templates))
                src, tgt = templates[t].source, templates[t].target
                assert src is not None and tgt is not None
                planned.append(
                    _Planned(
                        t,
                        day,
                        codes.draw(rng, src.text, src.start, src.end),
                        codes.draw(rng, tgt.text, tgt.start, tgt.end),
                    )
                )
            recent.append(planned)
            if len(recent) > 500:
                recent.pop(0)
        doc_id = f"bench-{seed}-{index:07d}"
        events: list[Event] = []
        sentences: list[str] = []
        at = 0
        for p in planned:
            template = templates[p.template]
            assert template.source is not None and template.target is not None
            s_text, s_start, s_end = _moved_actor(template.source, template, at)
            t_text, t_start, t_end = _moved_actor(template.target, template, at)
            source = replace(p.source, text=s_text, start=s_start, end=s_end)
            target = replace(p.target, text=t_text, start=t_start, end=t_end)
            confidence = round(min(1.0, max(0.05, template.confidence + rng.gauss(0, 0.15))), 3)
            events.append(_copy(template, doc_id, p.day, at, source, target, confidence))
            sentences.append(template.evidence.sentence)
            at += len(template.evidence.sentence) + 2
        text = "\n\n".join(sentences)
        document = Document(
            doc_id=doc_id,
            text=text,
            date=max(p.day for p in planned),
            title=f"Synthetic report {index}",
            url=f"https://bench.invalid/{doc_id}",
            source=rng.choice(OUTLETS),
            origin="make bench-api",
        )
        yield document, events


def store_path(workdir: Path, events: int, seed: int) -> Path:
    return workdir / f"api-store-{events}-seed{seed}-v{GENERATOR_VERSION}.db"


def build_store(
    url: str,
    *,
    events: int,
    seed: int,
    workdir: Path,
    log: bool = True,
) -> StoreBuild:
    """Fill the (empty) store at ``url`` until it holds at least ``events`` deduplicated
    events. For SQLite pass a path under ``workdir``: see :func:`sqlite_store`."""
    started = time.perf_counter()
    templates = code_templates(workdir / "template-events.jsonl")
    documents = synthetic_documents(templates, seed)
    with open_store(url) as store:
        counts = store.counts()
        while counts.events < events:
            # a new document has 3.5 events on average; re-reports add none
            wanted = int((events - counts.events) / 3.5 / (1 - REREPORT_SHARE) * 1.02) + 1
            store.write_many(islice(documents, wanted), batch_size=WRITE_BATCH)
            store.refresh_events()
            counts = store.counts()
            if log:
                print(
                    f"  store: {counts.documents:,} documents, {counts.mentions:,} mentions, "
                    f"{counts.events:,} events ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    return StoreBuild(
        url=url,
        events=counts.events,
        mentions=counts.mentions,
        documents=counts.documents,
        seed=seed,
        template_events=len(templates),
        actor_codes=_ActorCodes().count,
        build_s=round(time.perf_counter() - started, 1),
        reused=False,
        method=METHOD,
    )


METHOD = (
    "the bundled sample articles coded once by the real Coder give the template events; "
    "synthetic documents of 1-6 copies of them (dates over 5 years, actor codes from the "
    f"KB tables, new ids; {REREPORT_SHARE:.0%} of documents re-report earlier events) are "
    "written with EventStore.write_many and deduplicated by refresh_events()"
)


def sqlite_store(workdir: Path, *, events: int, seed: int, log: bool = True) -> StoreBuild:
    """The SQLite store of this size and seed, built once and then reused from ``workdir``."""
    path = store_path(workdir, events, seed)
    if path.exists():
        with open_store(str(path)) as store:
            counts = store.counts()
        return StoreBuild(
            url=str(path),
            events=counts.events,
            mentions=counts.mentions,
            documents=counts.documents,
            seed=seed,
            template_events=len(code_templates(workdir / "template-events.jsonl")),
            actor_codes=_ActorCodes().count,
            build_s=0.0,
            reused=True,
            method=METHOD,
        )
    workdir.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in workdir.glob(partial.name + "*"):  # a build killed half-way
        leftover.unlink()
    built = build_store(str(partial), events=events, seed=seed, workdir=workdir, log=log)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.replace(path)
    return replace(built, url=str(path))
