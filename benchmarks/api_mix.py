"""What ``make bench-api``'s clients ask for: a weighted mix of searches, event and document
pages, timelines and networks, every value drawn from the store being served."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from urllib.parse import quote, urlencode

from sqlalchemy import create_engine, select

from eventcoder.store.engine import resolve_url
from eventcoder.store.schema import events as events_t

SAMPLE_ROWS = 5_000
# kinds of request and how often each is sent
MIX: tuple[tuple[str, int], ...] = (
    ("search", 45),
    ("event", 25),
    ("document", 10),
    ("timeline", 10),
    ("network", 10),
)
SORTS = ("date", "-date", "confidence", "-confidence", "articles", "-articles")


@dataclass(frozen=True)
class StoreSample:
    """Values drawn from the store the requests are made of."""

    event_ids: tuple[str, ...]
    doc_ids: tuple[str, ...]
    dyads: tuple[tuple[str, str], ...]  # (source code, target code)
    countries: tuple[str, ...]
    types: tuple[str, ...]
    cameos: tuple[str, ...]
    actor_words: tuple[str, ...]
    first_day: date
    last_day: date


def sample_store(url: str) -> StoreSample:
    """A fixed pseudo-random sample of the events (ids are hashes: their order is random)."""
    engine = create_engine(resolve_url(url))
    e = events_t.c
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    e.event_id,
                    e.doc_id,
                    e.source_code,
                    e.target_code,
                    e.source_country,
                    e.plover_event,
                    e.cameo,
                    e.date,
                    e.source_text,
                )
                .order_by(e.event_id)
                .limit(SAMPLE_ROWS)
            ).all()
    finally:
        engine.dispose()
    if not rows:
        raise RuntimeError(f"the store {url} holds no events to ask for")
    words = {w for row in rows if row.source_text for w in row.source_text.split() if len(w) > 3}
    return StoreSample(
        event_ids=tuple(row.event_id for row in rows),
        doc_ids=tuple(row.doc_id for row in rows),
        dyads=tuple((row.source_code, row.target_code) for row in rows if row.target_code),
        countries=tuple(row.source_country for row in rows if row.source_country),
        types=tuple(sorted({row.plover_event for row in rows})),
        cameos=tuple(row.cameo for row in rows),
        actor_words=tuple(sorted(words)) or ("the",),
        first_day=min(row.date for row in rows),
        last_day=max(row.date for row in rows),
    )


@dataclass(frozen=True)
class PlannedRequest:
    kind: str  # one of MIX
    variant: str  # what a search filters on, else the kind
    path: str  # with its query


class RequestMix:
    """Draws the next request: the kind by MIX's weights, its values from the sample."""

    def __init__(self, sample: StoreSample, rng: Random) -> None:
        self.sample = sample
        self.rng = rng
        self._kinds = [kind for kind, _ in MIX]
        self._weights = [weight for _, weight in MIX]
        self._searches: list[tuple[str, Callable[[], dict[str, str]]]] = [
            ("date range", lambda: self._range(1, 60)),
            ("source", lambda: {"source": self._code(0)}),
            ("target", lambda: {"target": self._code(1)}),
            ("dyad", self._dyad),
            ("country", lambda: {"country": rng.choice(sample.countries)}),
            ("type", lambda: {"type": rng.choice(sample.types)}),
            ("type + dates", lambda: {"type": rng.choice(sample.types), **self._range(7, 90)}),
            ("cameo", lambda: {"cameo": rng.choice(sample.cameos)[: rng.choice((2, 3))]}),
            ("min_confidence", lambda: {"min_confidence": f"{rng.uniform(0.5, 0.95):.2f}"}),
            ("actor", lambda: {"actor": self._word()}),
            ("actor + dates", lambda: {"actor": self._word(), **self._range(7, 60)}),
            ("country + source + dates", self._combined),
            ("doc", lambda: {"doc": rng.choice(sample.doc_ids)}),
            ("no filter", dict),
        ]

    def _day(self) -> date:
        span = (self.sample.last_day - self.sample.first_day).days
        return self.sample.first_day + timedelta(days=self.rng.randrange(max(span, 1)))

    def _range(self, shortest: int, longest: int) -> dict[str, str]:
        start = self._day()
        end = start + timedelta(days=self.rng.randint(shortest, longest))
        return {"since": start.isoformat(), "until": end.isoformat()}

    def _code(self, side: int) -> str:
        code = self.rng.choice(self.sample.dyads)[side]
        return code[:3] if self.rng.random() < 0.5 else code  # a country prefix or a code

    def _dyad(self) -> dict[str, str]:
        source, target = self.rng.choice(self.sample.dyads)
        return {"source": source[:3], "target": target[:3]}

    def _word(self) -> str:
        return self.rng.choice(self.sample.actor_words)

    def _combined(self) -> dict[str, str]:
        source, _ = self.rng.choice(self.sample.dyads)
        return {"country": self.rng.choice(self.sample.countries), "source": source[:3]} | (
            self._range(30, 365)
        )

    def next(self) -> PlannedRequest:
        rng = self.rng
        kind = rng.choices(self._kinds, self._weights)[0]
        if kind == "event":
            event_id = rng.choice(self.sample.event_ids)
            return PlannedRequest(kind, kind, f"/api/events/{quote(event_id, safe='')}")
        if kind == "document":
            doc_id = rng.choice(self.sample.doc_ids)
            return PlannedRequest(kind, kind, f"/api/documents/{quote(doc_id, safe='')}")
        if kind == "timeline":
            source, target = rng.choice(self.sample.dyads)
            query = {"source": source[:3], "target": target[:3]}
            query |= {"interval": rng.choice(("day", "week", "month"))} | self._range(90, 730)
            return PlannedRequest(kind, kind, "/api/timeline?" + urlencode(query))
        if kind == "network":
            query = self._range(7, 60) | {"min_events": str(rng.choice((1, 1, 2)))}
            return PlannedRequest(kind, kind, "/api/network?" + urlencode(query))
        variant, make = rng.choice(self._searches)
        query = make()
        query["sort"] = rng.choice(SORTS)
        query["limit"] = str(rng.choice((20, 50, 100)))
        query["offset"] = str(rng.choice((0, 0, 0, 50, 200)))
        return PlannedRequest("search", variant, "/api/events?" + urlencode(query))
