"""Scoring event locations against gold (``eventcoder eval`` with gold ``location``s).

A gold event may carry ``"location": {"lat", "lon", "country", "precision", ...}``; a
location without ``lat``/``lon`` says the text gives no place for the event. Each such
gold event is compared with the location of one coded event of its document: the first
of the gold event's type, else the first coded event (a missed event type should not
hide a right place); a document with no coded event counts against every measure.

* **within 161 km**: of the gold events with a point, the share whose coded location lies
  within 161 km (100 miles, the usual geocoding measure) of it;
* **country**: of the gold events with a country, the share coded in that country;
* **no point**: of the gold events without a place in the text, the share coded with no
  point finer than a country (a country's centre or nothing), that is, not an invented
  city or region.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eventcoder.model import Event, Location

WITHIN_KM = 161.0
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class GoldLocation:
    country: str | None
    lat: float | None = None
    lon: float | None = None
    precision: str | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class PlaceScores:
    within: int = 0
    with_point: int = 0
    country_right: int = 0
    with_country: int = 0
    no_point_right: int = 0
    placeless: int = 0
    no_event: int = 0  # gold events whose document got no coded event
    no_event_point: int = 0  # ... of them with a point
    no_event_country: int = 0  # ... of them with a country

    def __add__(self, other: PlaceScores) -> PlaceScores:
        return PlaceScores(
            *(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__)
        )

    @property
    def gold_events(self) -> int:
        return self.with_point + self.placeless


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _coded_location(event_type: str, events: Sequence[Event]) -> tuple[bool, Location | None]:
    """(whether the document has a coded event, the location compared)."""
    if not events:
        return False, None
    same = [e for e in events if e.plover.event.upper() == event_type]
    return True, (same or events)[0].location


def score_places(
    gold: Sequence[tuple[str, str, GoldLocation]], predicted: Mapping[str, Sequence[Event]]
) -> PlaceScores:
    """``gold``: (document id, PLOVER type, location) of each gold event with a location."""
    total = PlaceScores()
    for doc_id, event_type, wanted in gold:
        found, coded = _coded_location(event_type, predicted.get(doc_id, ()))
        within = with_point = country_right = with_country = no_point_right = placeless = 0
        if wanted.has_point:
            assert wanted.lat is not None and wanted.lon is not None
            with_point = 1
            if coded is not None and coded.lat is not None and coded.lon is not None:
                near = distance_km(wanted.lat, wanted.lon, coded.lat, coded.lon)
                within = int(near <= WITHIN_KM)
        else:
            placeless = 1
            no_point_right = int(
                found and (coded is None or coded.precision in ("country", "none"))
            )
        if wanted.country:
            with_country = 1
            country_right = int(coded is not None and coded.country == wanted.country)
        missed = int(not found)
        total += PlaceScores(
            within, with_point, country_right, with_country, no_point_right, placeless,
            missed, missed * with_point, missed * with_country,
        )  # fmt: skip
    return total


def _share(right: int, total: int) -> str:
    return f"{right / total:.3f} ({right}/{total})" if total else "n/a"


def format_place_scores(scores: PlaceScores) -> list[str]:
    coded_point = scores.with_point - scores.no_event_point
    coded_country = scores.with_country - scores.no_event_country
    return [
        f"place  within {WITHIN_KM:.0f} km {_share(scores.within, scores.with_point)}; "
        f"country {_share(scores.country_right, scores.with_country)}; "
        f"no point where the text gives none {_share(scores.no_point_right, scores.placeless)}",
        f"       {scores.no_event} of {scores.gold_events} gold events had no coded event; "
        f"of the others: within {WITHIN_KM:.0f} km {_share(scores.within, coded_point)}, "
        f"country {_share(scores.country_right, coded_country)}",
    ]
