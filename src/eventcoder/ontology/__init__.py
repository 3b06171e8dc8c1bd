"""CAMEO and PLOVER 0.8 tables: codes, labels, Goldstein values, QuadClass and the mapping.

The tables are plain TSV files in ``ontology/data`` so that an analyst can read or
replace them without touching code:

``cameo.tsv``
    ``code  label  goldstein  quad_class  plover_event  plover_mode  plover_context
    symmetric``
    One row per CAMEO event code (two-digit roots, three- and four-digit codes).
    ``plover_event`` is empty for codes that are not PLOVER events (the 01 "public
    statement" family); ``plover_context`` holds zero or more contexts separated by ``;``.
    ``symmetric`` is ``yes`` for events mutual by nature (a phone call, negotiations, a
    signed agreement: what A does with B, B does with A), empty for directed ones.

``plover.tsv``
    ``name  quad_class  modes  aliases  definition``
    One row per PLOVER 0.8 event type. ``modes`` lists the allowed modes (``;``);
    ``aliases`` lists legacy names (``;``), each optionally ``NAME:mode`` when the old
    name implies a mode (``INVESTIGATE:investigate``).

Both are read by :func:`eventcoder.tsv.tsv_rows` with an exact header: blank lines and
lines starting with ``#`` are ignored. Every malformed row raises
:class:`eventcoder.errors.DataError` naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from eventcoder.errors import DataError
from eventcoder.model import Plover
from eventcoder.tsv import tsv_rows

__all__ = [
    "CAMEO_COLUMNS",
    "PLOVER_COLUMNS",
    "CameoCode",
    "Ontology",
    "PloverType",
    "load_ontology",
    "load_ontology_from",
    "parse_cameo_table",
    "parse_plover_table",
]

CAMEO_COLUMNS = (
    "code",
    "label",
    "goldstein",
    "quad_class",
    "plover_event",
    "plover_mode",
    "plover_context",
    "symmetric",
)
PLOVER_COLUMNS = ("name", "quad_class", "modes", "aliases", "definition")

CAMEO_SOURCE = "eventcoder/ontology/data/cameo.tsv"
PLOVER_SOURCE = "eventcoder/ontology/data/plover.tsv"

_CODE_RE = re.compile(r"\d{2,4}")
_NAME_RE = re.compile(r"[A-Z][A-Z_]*")
_TOKEN_RE = re.compile(r"[a-z][a-z0-9_-]*")


@dataclass(frozen=True)
class CameoCode:
    """One CAMEO event code with its Goldstein value, QuadClass and PLOVER mapping."""

    code: str
    label: str
    goldstein: float
    quad_class: int
    plover: Plover | None  # None for codes with no PLOVER type (the 01 family)
    symmetric: bool = False  # mutual by nature: the dyad's order carries no meaning

    @property
    def root(self) -> str:
        """The two-digit root code, e.g. ``"04"`` for ``"041"``."""
        return self.code[:2]

    @property
    def is_root(self) -> bool:
        return len(self.code) == 2


@dataclass(frozen=True)
class PloverType:
    """One PLOVER 0.8 event type."""

    name: str
    definition: str
    modes: tuple[str, ...]
    quad_class: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PloverTable:
    """The parsed ``plover.tsv``: types by name and legacy aliases."""

    types: Mapping[str, PloverType]
    aliases: Mapping[str, str]  # legacy name -> canonical name
    alias_modes: Mapping[str, str]  # legacy name -> the mode it implies, when it implies one


class Ontology:
    """Read-only access to the CAMEO codes and PLOVER types."""

    __slots__ = ("_alias_modes", "_aliases", "_cameo", "_cameo_source", "_plover")

    def __init__(
        self,
        cameo_codes: Mapping[str, CameoCode],
        plover: PloverTable,
        cameo_source: str = CAMEO_SOURCE,
    ) -> None:
        self._cameo: Mapping[str, CameoCode] = MappingProxyType(dict(cameo_codes))
        self._plover: Mapping[str, PloverType] = MappingProxyType(dict(plover.types))
        self._aliases: Mapping[str, str] = MappingProxyType(dict(plover.aliases))
        self._alias_modes: Mapping[str, str] = MappingProxyType(dict(plover.alias_modes))
        self._cameo_source = cameo_source

    def cameo(self, code: str) -> CameoCode:
        """The entry for a CAMEO code; :class:`DataError` if there is no such code."""
        entry = self._cameo.get(code.strip())
        if entry is None:
            raise DataError(
                f"unknown CAMEO code {code!r}; see {self._cameo_source} for the valid codes"
            )
        return entry

    def has_cameo(self, code: str) -> bool:
        return code.strip() in self._cameo

    @property
    def cameo_codes(self) -> Mapping[str, CameoCode]:
        """All CAMEO codes, in table order."""
        return self._cameo

    @property
    def plover_types(self) -> Mapping[str, PloverType]:
        """The PLOVER event types by canonical (upper-case) name, in table order."""
        return self._plover

    @property
    def plover_aliases(self) -> Mapping[str, str]:
        """Legacy PLOVER names and the canonical names they stand for."""
        return self._aliases

    def plover_name(self, name: str) -> str:
        """The canonical upper-case PLOVER type name; legacy aliases are resolved."""
        key = name.strip().upper()
        if key in self._plover:
            return key
        canonical = self._aliases.get(key)
        if canonical is None:
            known = ", ".join(self._plover)
            raise DataError(f"unknown PLOVER event type {name!r}; known types: {known}")
        return canonical

    def plover_type(self, name: str) -> PloverType:
        """The PLOVER type for a name or legacy alias; :class:`DataError` if unknown."""
        return self._plover[self.plover_name(name)]

    def alias_mode(self, name: str) -> str | None:
        """The mode a legacy name implies (``INVESTIGATE`` -> ``investigate``), else None."""
        return self._alias_modes.get(name.strip().upper())

    def is_symmetric(self, code: str) -> bool:
        """True when the CAMEO code is mutual by nature; False for directed or unknown codes."""
        entry = self._cameo.get(code.strip())
        return entry is not None and entry.symmetric

    def plover_for(self, code: str) -> Plover | None:
        """The PLOVER event for a CAMEO code (None for codes that are not PLOVER events)."""
        return self.cameo(code).plover


# -- parsing ---------------------------------------------------------------------------


def _rows(text: str, source: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """All data rows of a table, read before any is checked so that a malformed line is
    reported before the values of the lines above it."""
    return list(tsv_rows(text, source, columns, exact=True))


def _quad_class(value: str, source: str, lineno: int) -> int:
    if value not in {"1", "2", "3", "4"}:
        raise DataError(f"quad_class must be 1, 2, 3 or 4, not {value!r}", source, lineno)
    return int(value)


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def parse_plover_table(text: str, source: str = PLOVER_SOURCE) -> PloverTable:
    """Parse the text of a ``plover.tsv`` table; ``source`` names it in error messages."""
    types: dict[str, PloverType] = {}
    aliases: dict[str, str] = {}
    alias_modes: dict[str, str] = {}
    alias_lines: list[tuple[int, str, str, str | None]] = []
    for lineno, row in _rows(text, source, PLOVER_COLUMNS):
        name, definition = row["name"], row["definition"]
        if not _NAME_RE.fullmatch(name):
            raise DataError(f"PLOVER type name must be upper-case, not {name!r}", source, lineno)
        if name in types:
            raise DataError(f"duplicate PLOVER type {name!r}", source, lineno)
        if not definition:
            raise DataError(f"PLOVER type {name} has no definition", source, lineno)
        modes = _split_list(row["modes"])
        for mode in modes:
            if not _TOKEN_RE.fullmatch(mode):
                raise DataError(f"bad mode {mode!r} (lower-case words only)", source, lineno)
        if len(set(modes)) != len(modes):
            raise DataError(f"duplicate mode listed for {name}", source, lineno)
        alias_names: list[str] = []
        for item in _split_list(row["aliases"]):
            alias_part, _, mode_part = item.partition(":")
            alias = alias_part.strip()
            if not _NAME_RE.fullmatch(alias):
                raise DataError(f"alias must be upper-case, not {alias!r}", source, lineno)
            alias_names.append(alias)
            alias_lines.append((lineno, alias, name, mode_part.strip() or None))
        types[name] = PloverType(
            name=name,
            definition=definition,
            modes=tuple(modes),
            quad_class=_quad_class(row["quad_class"], source, lineno),
            aliases=tuple(alias_names),
        )
    for lineno, alias, name, implied in alias_lines:
        if alias in types or alias in aliases:
            raise DataError(f"alias {alias!r} is already a type or alias", source, lineno)
        if implied is not None and implied not in types[name].modes:
            raise DataError(
                f"alias {alias!r} implies unknown {name} mode {implied!r}", source, lineno
            )
        aliases[alias] = name
        if implied is not None:
            alias_modes[alias] = implied
    if not types:
        raise DataError("no PLOVER types defined", source)
    return PloverTable(
        types=MappingProxyType(types),
        aliases=MappingProxyType(aliases),
        alias_modes=MappingProxyType(alias_modes),
    )


def _goldstein(field: str, source: str, lineno: int) -> float:
    try:
        goldstein = float(field)
    except ValueError:
        raise DataError(f"goldstein must be a number, not {field!r}", source, lineno) from None
    if not -10.0 <= goldstein <= 10.0:
        raise DataError(f"goldstein {goldstein} is outside [-10, 10]", source, lineno)
    return goldstein


def _cameo_plover(
    plover: PloverTable,
    event: str,
    mode: str,
    contexts: tuple[str, ...],
    source: str,
    lineno: int,
) -> Plover | None:
    """The PLOVER type, mode and contexts a CAMEO row maps to, checked against PLOVER."""
    for ctx in contexts:
        if not _TOKEN_RE.fullmatch(ctx):
            raise DataError(f"bad context {ctx!r} (lower-case words only)", source, lineno)
    if not event:
        if mode or contexts:
            raise DataError("plover_mode/plover_context given without plover_event", source, lineno)
        return None
    ptype = plover.types.get(event)
    if ptype is None:
        raise DataError(
            f"unknown PLOVER event {event!r}; expected one of {', '.join(plover.types)}",
            source,
            lineno,
        )
    if mode and mode not in ptype.modes:
        allowed = ", ".join(ptype.modes) or "none"
        raise DataError(
            f"mode {mode!r} is not allowed for {event} (allowed: {allowed})", source, lineno
        )
    return Plover(event=event, mode=mode or None, context=contexts)


def parse_cameo_table(
    text: str, plover: PloverTable, source: str = CAMEO_SOURCE
) -> dict[str, CameoCode]:
    """Parse the text of a ``cameo.tsv`` table, checking PLOVER types and modes."""
    codes: dict[str, CameoCode] = {}
    lines: dict[str, int] = {}
    for lineno, row in _rows(text, source, CAMEO_COLUMNS):
        code, label, goldstein_field = row["code"], row["label"], row["goldstein"]
        event, mode, symmetric = row["plover_event"], row["plover_mode"], row["symmetric"]
        if not _CODE_RE.fullmatch(code):
            raise DataError(f"CAMEO code must be 2 to 4 digits, not {code!r}", source, lineno)
        if code in codes:
            raise DataError(f"duplicate CAMEO code {code!r}", source, lineno)
        if not label:
            raise DataError(f"CAMEO code {code} has no label", source, lineno)
        goldstein = _goldstein(goldstein_field, source, lineno)
        contexts = tuple(_split_list(row["plover_context"]))
        entry_plover = _cameo_plover(plover, event, mode, contexts, source, lineno)
        if symmetric not in ("", "yes"):
            raise DataError(f"symmetric must be 'yes' or empty, not {symmetric!r}", source, lineno)
        codes[code] = CameoCode(
            code=code,
            label=label,
            goldstein=goldstein,
            quad_class=_quad_class(row["quad_class"], source, lineno),
            plover=entry_plover,
            symmetric=symmetric == "yes",
        )
        lines[code] = lineno
    for code, lineno in lines.items():
        if len(code) > 2 and code[:2] not in codes:
            raise DataError(f"CAMEO code {code} has no root code {code[:2]}", source, lineno)
        if len(code) == 4 and code[:3] not in codes:
            raise DataError(f"CAMEO code {code} has no parent code {code[:3]}", source, lineno)
    if not codes:
        raise DataError("no CAMEO codes defined", source)
    return codes


# -- loading ---------------------------------------------------------------------------


def load_ontology_from(cameo_path: str | Path, plover_path: str | Path) -> Ontology:
    """Build an ontology from user-supplied TSV files (same formats as the bundled ones)."""
    cameo_path, plover_path = Path(cameo_path), Path(plover_path)
    plover = parse_plover_table(_read(plover_path), str(plover_path))
    codes = parse_cameo_table(_read(cameo_path), plover, str(cameo_path))
    return Ontology(codes, plover, str(cameo_path))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read table: {exc}", str(path)) from None


@lru_cache(maxsize=1)
def load_ontology() -> Ontology:
    """The bundled CAMEO and PLOVER tables (loaded once, then cached)."""
    data = resources.files("eventcoder.ontology") / "data"
    plover = parse_plover_table((data / "plover.tsv").read_text(encoding="utf-8"))
    codes = parse_cameo_table((data / "cameo.tsv").read_text(encoding="utf-8"), plover)
    return Ontology(codes, plover)
