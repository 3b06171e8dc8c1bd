"""Score coded events against gold JSONL (PLOVER event types and actor codes).

Gold file: one JSON object per line,
``{"id", "date", "text", "gold_events": [{"source", "target", "code", "mode"?,
"reciprocal"?}, ...]}``; other fields are ignored. Actor codes are country (3 letters)
+ sector (``HUNGOV``); ``---`` (or null) is an unknown actor. Legacy PLOVER names
(``DEMAND``, ``DISAPPROVE``, ``FIGHT``, ``INVESTIGATE``, ``YIELD``) are read as their
PLOVER 0.8 names, in gold and in predictions alike.

Metrics, micro-averaged over documents (one document per gold record):

* **type**: per document, the set of predicted PLOVER types against the set of gold
  types; tp/fp/fn are summed over documents.
* **dyad**: per document, predicted events are matched one-to-one to gold events on
  (source country, target country, type), where a country is the first three characters
  of the actor code. A gold actor of ``---`` or null is a wildcard; CONSULT, AGREE and
  COOPERATE match in either direction; a reciprocal gold event matches any target.
  Every predicted event is one prediction: tp = matched pairs, fp = unmatched predicted
  events (duplicates included), fn = unmatched gold events. The matching has maximum
  size and, among those, the most correct source codes, so the actor metric does not
  depend on an arbitrary pairing.
* **actor**: of the matched dyads whose gold source is known, the share where the
  predicted source code (country + primary sector) equals the gold one. See
  :func:`source_code_matches` for the exact comparison.
* **empty**: of the documents with no gold event, the share where nothing was coded.
* **place**: when gold events carry a ``location``, how well events are placed
  (``eventcoder.places.scoring``: within 161 km, country, no invented point).

A gold document missing from the predictions counts as predicting nothing; predictions
for documents that are not in the gold file are ignored.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventcoder.errors import DataError, EvalError
from eventcoder.model import Actor, Event
from eventcoder.ontology import load_ontology
from eventcoder.places.scoring import GoldLocation, PlaceScores, format_place_scores, score_places

SYMMETRIC_TYPES: frozenset[str] = frozenset({"CONSULT", "AGREE", "COOPERATE"})
"""Types whose dyad matches in either direction."""

_WILDCARD_COUNTRIES = frozenset({"---", "***"})
_WILDCARD_CHARS = frozenset("-*")


def plover_event_types() -> tuple[str, ...]:
    """The 16 PLOVER 0.8 event types in the ontology's order (cooperative to conflictual)."""
    return tuple(load_ontology().plover_types)


def normalise_event_type(name: str) -> str:
    """Upper-case, trimmed PLOVER 0.8 name; legacy names are mapped, others kept as is."""
    try:
        return load_ontology().plover_name(name)
    except DataError:
        return name.strip().upper()


# --------------------------------------------------------------------------- gold


@dataclass(frozen=True)
class GoldEvent:
    source: str | None
    target: str | None
    event: str  # PLOVER 0.8 type, normalised
    mode: str | None = None
    reciprocal: bool = False
    location: GoldLocation | None = None


@dataclass(frozen=True)
class GoldRecord:
    doc_id: str
    date: datetime.date
    text: str
    events: tuple[GoldEvent, ...]


def read_gold(path: Path) -> list[GoldRecord]:
    """Read a gold JSONL file; any bad line raises :class:`EvalError` naming ``file:line``.

    Blank lines are skipped. Every record needs a unique non-empty ``id``, an ISO
    ``date``, a ``text`` and a ``gold_events`` list (empty for a document with no event).
    Each gold event needs a known PLOVER ``code`` (legacy names accepted).
    """
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"{path}: cannot read gold file: {exc}") from exc
    records: list[GoldRecord] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{where}: invalid JSON: {exc.msg}") from exc
        record = _parse_record(obj, where)
        if record.doc_id in seen:
            raise EvalError(
                f"{where}: duplicate id {record.doc_id!r} (first on line {seen[record.doc_id]})"
            )
        seen[record.doc_id] = lineno
        records.append(record)
    return records


def _parse_record(obj: Any, where: str) -> GoldRecord:
    if not isinstance(obj, dict):
        raise EvalError(f"{where}: a gold record must be a JSON object")
    doc_id = obj.get("id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise EvalError(f"{where}: missing or empty 'id'")
    raw_date = obj.get("date")
    if not isinstance(raw_date, str):
        raise EvalError(f"{where}: missing 'date' (YYYY-MM-DD)")
    try:
        day = datetime.date.fromisoformat(raw_date)
    except ValueError as exc:
        raise EvalError(f"{where}: bad 'date' {raw_date!r}, expected YYYY-MM-DD") from exc
    text = obj.get("text")
    if not isinstance(text, str):
        raise EvalError(f"{where}: missing 'text'")
    raw_events = obj.get("gold_events")
    if not isinstance(raw_events, list):
        raise EvalError(f"{where}: 'gold_events' must be a list (empty for no event)")
    events = tuple(
        _parse_event(item, f"{where}: gold_events[{index}]")
        for index, item in enumerate(raw_events)
    )
    return GoldRecord(doc_id=doc_id, date=day, text=text, events=events)


def _parse_event(obj: Any, where: str) -> GoldEvent:
    if not isinstance(obj, dict):
        raise EvalError(f"{where}: a gold event must be a JSON object")
    code = obj.get("code")
    if not isinstance(code, str) or not code.strip():
        raise EvalError(f"{where}: missing 'code' (a PLOVER event type)")
    event = normalise_event_type(code)
    if event not in plover_event_types():
        raise EvalError(f"{where}: unknown PLOVER event type {code!r}")
    reciprocal = obj.get("reciprocal")
    if reciprocal is not None and not isinstance(reciprocal, bool):
        raise EvalError(f"{where}: 'reciprocal' must be true, false or null")
    return GoldEvent(
        source=_optional_str(obj, "source", where),
        target=_optional_str(obj, "target", where),
        event=event,
        mode=_optional_str(obj, "mode", where),
        reciprocal=bool(reciprocal),
        location=_parse_location(obj.get("location"), f"{where}: location"),
    )


def _parse_location(obj: Any, where: str) -> GoldLocation | None:
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise EvalError(f"{where}: must be an object with lat, lon and country, or null")
    lat, lon = _degrees(obj, "lat", where), _degrees(obj, "lon", where)
    if (lat is None) != (lon is None):
        raise EvalError(f"{where}: lat and lon must both be numbers, or both null")
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise EvalError(f"{where}: {lat}, {lon} is not a point on the globe")
    return GoldLocation(
        country=_optional_str(obj, "country", where),
        lat=lat,
        lon=lon,
        precision=_optional_str(obj, "precision", where),
    )


def _degrees(obj: dict[str, Any], key: str, where: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EvalError(f"{where}: {key!r} must be a number or null")
    return float(value)


def _optional_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise EvalError(f"{where}: {key!r} must be a string or null")
    value = value.strip()
    return value or None


# --------------------------------------------------------------------------- scores


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass(frozen=True)
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True)
class Scores:
    """Micro-averaged scores; see the module docstring for each metric."""

    type: PRF
    dyad: PRF
    actor_correct: int
    actor_total: int  # matched dyads whose gold source is known (not ``---``/null)
    empty_correct: int
    empty_total: int  # documents with no gold event
    per_type: Mapping[str, PRF] = field(default_factory=dict)
    # (gold type missed, predicted type spurious) -> number of documents with both
    confusions: Mapping[tuple[str, str], int] = field(default_factory=dict)
    documents: int = 0
    places: PlaceScores | None = None  # when the gold events carry locations

    @property
    def actor_accuracy(self) -> float:
        return _ratio(self.actor_correct, self.actor_total)

    @property
    def empty_rate(self) -> float:
        return _ratio(self.empty_correct, self.empty_total)


def group_by_doc(events: Iterable[Event]) -> dict[str, list[Event]]:
    """Predicted events keyed by ``doc_id``, in input order (the shape :func:`score` takes)."""
    grouped: dict[str, list[Event]] = {}
    for event in events:
        grouped.setdefault(event.doc_id, []).append(event)
    return grouped


def score(gold: Sequence[GoldRecord], predicted: Mapping[str, Sequence[Event]]) -> Scores:
    """Score predicted events (keyed by document id) against gold records."""
    type_prf = PRF()
    dyad_prf = PRF()
    actor_correct = actor_total = 0
    empty_correct = empty_total = 0
    per_type: Counter[tuple[str, str]] = Counter()  # (type, "tp"|"fp"|"fn")
    confusions: Counter[tuple[str, str]] = Counter()

    for record in gold:
        events = predicted.get(record.doc_id, ())
        gold_types = {g.event for g in record.events}
        pred_types = {normalise_event_type(e.plover.event) for e in events}

        missed = gold_types - pred_types
        spurious = pred_types - gold_types
        type_prf += PRF(len(gold_types & pred_types), len(spurious), len(missed))
        for name in gold_types & pred_types:
            per_type[name, "tp"] += 1
        for name in spurious:
            per_type[name, "fp"] += 1
        for name in missed:
            per_type[name, "fn"] += 1
        for gold_name in missed:
            for pred_name in spurious:
                confusions[gold_name, pred_name] += 1

        pairs = _match_dyads(record.events, events)
        dyad_prf += PRF(len(pairs), len(events) - len(pairs), len(record.events) - len(pairs))
        for actor_ok in pairs:
            if actor_ok is not None:
                actor_total += 1
                actor_correct += int(actor_ok)

        if not record.events:
            empty_total += 1
            empty_correct += int(not events)

    names = sorted({name for name, _ in per_type}, key=_type_order)
    located = [
        (record.doc_id, g.event, g.location)
        for record in gold
        for g in record.events
        if g.location is not None
    ]
    return Scores(
        type=type_prf,
        dyad=dyad_prf,
        actor_correct=actor_correct,
        actor_total=actor_total,
        empty_correct=empty_correct,
        empty_total=empty_total,
        per_type={
            name: PRF(per_type[name, "tp"], per_type[name, "fp"], per_type[name, "fn"])
            for name in names
        },
        confusions=dict(sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0]))),
        documents=len(gold),
        places=score_places(located, predicted) if located else None,
    )


def _type_order(name: str) -> tuple[int, str]:
    order = plover_event_types()
    if name in order:
        return (order.index(name), name)
    return (len(order), name)


# --------------------------------------------------------------------------- matching


def _country(code: str | None) -> str | None:
    """Country part of an actor code (first 3 characters), or None for no actor."""
    if code is None or not code.strip():
        return None
    return code.strip()[:3].upper()


def _is_wildcard(code: str | None) -> bool:
    """A gold actor that matches any predicted actor: null, ``---`` (or ``***``)."""
    country = _country(code)
    return country is None or country in _WILDCARD_COUNTRIES


def _primary(code: str) -> str:
    """Country + primary sector: lower-case suffixes dropped, at most 6 characters."""
    code = code.strip()
    end = next((i for i, ch in enumerate(code) if ch.islower()), len(code))
    return code[:end][:6].upper()


def source_code_matches(gold_code: str, predicted_code: str | None) -> bool:
    """Whether a predicted actor code is right for a known gold actor code.

    Both codes are cut to country + primary sector (``IRQCVLkur`` -> ``IRQCVL``,
    ``PHLREBMOS`` -> ``PHLREB``) and compared position by position, where ``*`` or
    ``-`` in the gold code matches any character (``ISR***`` is Israel, any sector).
    A country-only gold code (``USA``) needs a country-only prediction.
    """
    if predicted_code is None:
        return False
    gold = _primary(gold_code)
    pred = _primary(predicted_code)
    if len(gold) != len(pred):
        return False
    return all(g in _WILDCARD_CHARS or g == p for g, p in zip(gold, pred, strict=True))


def _code(actor: Actor | None) -> str | None:
    return actor.code if actor is not None else None


def _country_matches(gold_code: str | None, predicted_code: str | None) -> bool:
    return _is_wildcard(gold_code) or _country(gold_code) == _country(predicted_code)


class _NoMatch:
    """Sentinel type for a gold/predicted pair that cannot be matched."""


_NO_MATCH = _NoMatch()


def _pair(gold: GoldEvent, event: Event) -> bool | _NoMatch | None:
    """Compare one gold and one predicted event.

    Returns ``_NO_MATCH`` when the dyads do not match; otherwise whether the source code
    is right (None when the gold source is a wildcard, so it is not scored). For a
    symmetric type matched the other way round, the predicted target is the actor that
    plays the gold source's role.
    """
    if normalise_event_type(event.plover.event) != gold.event:
        return _NO_MATCH
    src, tgt = _code(event.source), _code(event.target)
    orientations = [(src, tgt)]
    if gold.event in SYMMETRIC_TYPES:
        orientations.append((tgt, src))
    role_codes = [
        s
        for s, t in orientations
        if _country_matches(gold.source, s)
        and (gold.reciprocal or _country_matches(gold.target, t))
    ]
    if not role_codes:
        return _NO_MATCH
    if gold.source is None or _is_wildcard(gold.source):
        return None
    return any(source_code_matches(gold.source, code) for code in role_codes)


def _match_dyads(gold: Sequence[GoldEvent], events: Sequence[Event]) -> list[bool | None]:
    """Best one-to-one matching for one document; one actor verdict per matched pair.

    Maximises the number of pairs, then the number with a correct source code.
    """
    if not gold or not events:
        return []
    verdicts = [[_pair(g, e) for e in events] for g in gold]
    size = min(len(gold), len(events))
    big = size + 1  # any larger matching outweighs any smaller one
    weights = [
        [0 if isinstance(v, _NoMatch) else big + (1 if v is True else 0) for v in row]
        for row in verdicts
    ]
    top = big + 1
    transposed = len(gold) > len(events)
    matrix = [list(col) for col in zip(*weights, strict=True)] if transposed else weights
    assignment = _assign([[top - w for w in row] for row in matrix])
    result: list[bool | None] = []
    for row, col in enumerate(assignment):
        g, e = (col, row) if transposed else (row, col)
        verdict = verdicts[g][e]
        if not isinstance(verdict, _NoMatch):
            result.append(verdict)
    return result


def _assign(cost: list[list[int]]) -> list[int]:
    """Minimum-cost assignment of every row to a distinct column (rows <= columns).

    The Hungarian algorithm (Kuhn-Munkres with potentials), O(rows^2 * columns).
    """
    n, m = len(cost), len(cost[0])
    inf = 1 << 62
    u = [0] * (n + 1)
    v = [0] * (m + 1)
    owner = [0] * (m + 1)  # owner[j]: row (1-based) assigned to column j, 0 for none
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        owner[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = owner[j0]
            delta, j1 = inf, 0
            for j in range(1, m + 1):
                if used[j]:
                    continue
                cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                if cur < minv[j]:
                    minv[j], way[j] = cur, j0
                if minv[j] < delta:
                    delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    assignment = [-1] * n
    for j in range(1, m + 1):
        if owner[j]:
            assignment[owner[j] - 1] = j - 1
    return assignment


# --------------------------------------------------------------------------- report


def _prf_text(prf: PRF) -> str:
    return (
        f"P={prf.precision:.3f} R={prf.recall:.3f} F1={prf.f1:.3f} "
        f"(tp={prf.tp} fp={prf.fp} fn={prf.fn})"
    )


def _rate_text(correct: int, total: int) -> str:
    return f"{correct / total:.3f}" if total else "n/a"


def format_scores(scores: Scores) -> list[str]:
    """One line per metric family: type, dyad, actor, empty."""
    return [
        f"type   {_prf_text(scores.type)}",
        f"dyad   {_prf_text(scores.dyad)}",
        f"actor  accuracy={_rate_text(scores.actor_correct, scores.actor_total)} "
        f"({scores.actor_correct}/{scores.actor_total} matched dyads)",
        f"empty  {_rate_text(scores.empty_correct, scores.empty_total)} "
        f"({scores.empty_correct}/{scores.empty_total} documents with no gold event coded empty)",
        *(format_place_scores(scores.places) if scores.places else []),
    ]


def format_side_by_side(results: Mapping[str, Scores]) -> list[str]:
    """The metrics of several coders, one column each; one coder prints as ``format_scores``."""
    if len(results) == 1:
        return format_scores(next(iter(results.values())))
    names = list(results)
    width = max(12, *(len(n) + 2 for n in names))
    rows: list[tuple[str, list[str]]] = []
    for label in ("type", "dyad"):
        for part in ("precision", "recall", "f1"):
            values = [getattr(getattr(results[n], label), part) for n in names]
            rows.append((f"{label} {part}", [f"{v:.3f}" for v in values]))
    rows.append(
        ("actor", [_rate_text(results[n].actor_correct, results[n].actor_total) for n in names])
    )
    rows.append(
        ("empty", [_rate_text(results[n].empty_correct, results[n].empty_total) for n in names])
    )
    places = {n: results[n].places for n in names}
    if all(p is not None for p in places.values()):
        for label, right, total in (
            ("place 161 km", "within", "with_point"),
            ("place country", "country_right", "with_country"),
            ("place no point", "no_point_right", "placeless"),
        ):
            shares = [
                _rate_text(getattr(p, right), getattr(p, total)) if p else "n/a"
                for p in places.values()
            ]
            rows.append((label, shares))
    lines = [f"{'':<15}" + "".join(f"{n:>{width}}" for n in names)]
    lines.extend(
        f"{label:<15}" + "".join(f"{v:>{width}}" for v in values) for label, values in rows
    )
    return lines


def format_by_type(scores: Scores, top_confusions: int = 10) -> list[str]:
    """Per-type document-level P/R/F1 table, then the most frequent type confusions."""
    width = max([len("type"), *(len(name) for name in scores.per_type)])
    lines = [f"{'type':<{width}}  {'P':>5}  {'R':>5}  {'F1':>5}  {'tp':>4} {'fp':>4} {'fn':>4}"]
    for name, prf in scores.per_type.items():
        lines.append(
            f"{name:<{width}}  {prf.precision:5.3f}  {prf.recall:5.3f}  {prf.f1:5.3f}  "
            f"{prf.tp:>4} {prf.fp:>4} {prf.fn:>4}"
        )
    top = list(scores.confusions.items())[: max(top_confusions, 0)]
    if top:
        lines.append("confusions (gold type missed -> predicted type spurious, documents):")
        lines.extend(f"  {gold} -> {pred}  {count}" for (gold, pred), count in top)
    return lines
