"""Every shipped TSV data file goes through :mod:`eventcoder.tsv`, and a broken copy of
each one is reported with its file and line by the loader that reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import eventcoder
from benchmarks.material import load_templates
from eventcoder.actors.kb import build_kb
from eventcoder.coding.patterns import build_vocabulary
from eventcoder.errors import DataError
from eventcoder.ontology import load_ontology_from
from eventcoder.places.gazetteer import check_place_tables
from eventcoder.tsv import tsv_header, tsv_rows

PACKAGE = Path(eventcoder.__file__).parent
BENCHMARK_DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
SHIPPED = sorted(PACKAGE.rglob("*.tsv")) + sorted(BENCHMARK_DATA.glob("*.tsv"))
ONTOLOGY_DATA = PACKAGE / "ontology" / "data"


def _load_ontology_with(copy: Path) -> None:
    cameo = copy if copy.name == "cameo.tsv" else ONTOLOGY_DATA / "cameo.tsv"
    plover = copy if copy.name == "plover.tsv" else ONTOLOGY_DATA / "plover.tsv"
    load_ontology_from(cameo, plover)


def _load_templates(copy: Path) -> None:
    load_templates(copy)


@dataclass(frozen=True)
class Kind:
    """Where files of one kind live, how a user copy is loaded, and what is a bad value."""

    folder: str  # relative to the package, or "benchmarks/data"
    copy_into: str  # where the loader finds a user copy, relative to a user folder
    load: Callable[[Path], object]  # loads the user copy at this path
    bad_value: dict[str, tuple[str, str, str]]  # file name -> (column, value, message)


KINDS = (
    Kind(
        "ontology/data",
        "",
        _load_ontology_with,
        {
            "cameo.tsv": ("goldstein", "big", "goldstein must be a number"),
            "plover.tsv": ("quad_class", "9", "quad_class must be 1, 2, 3 or 4"),
        },
    ),
    Kind(
        "actors/data",
        "",
        lambda copy: build_kb([copy.parent]),
        {
            "countries.tsv": ("code", "U S", "bad country code"),
            "places.tsv": ("country", "U S", "bad country code"),
            "organisations.tsv": ("sector", "XYZ", "unknown sector 'XYZ'"),
            "agents.tsv": ("sector", "XYZ", "unknown sector 'XYZ'"),
            "people.tsv": ("start", "May 2019", "bad date 'May 2019'"),
            "genders.tsv": ("gender", "x", "gender must be f or m"),
        },
    ),
    Kind(
        "coding/data/patterns",
        "patterns",
        lambda copy: build_vocabulary([copy.parent.parent]),
        {},  # every pattern file: see _bad_value
    ),
    Kind("benchmarks/data", "", _load_templates, {"templates.tsv": ("weight", "often", "weight")}),
    Kind(
        "places/data",
        "",
        lambda copy: check_place_tables(copy.parent),
        {
            "adm1_a_k.tsv": ("country", "U S", "bad country code"),
            "adm1_l_z.tsv": ("country", "U S", "bad country code"),
            "country_centroids.tsv": ("lat", "north", "lat and lon must be numbers"),
            "named_regions.tsv": ("population", "many", "lat, lon and population must be numbers"),
        },
    ),
)


def _where(path: Path) -> str:
    if path.parent == BENCHMARK_DATA:
        return f"benchmarks/data/{path.name}"
    return path.relative_to(PACKAGE).as_posix()


def _kind(path: Path) -> Kind:
    folder = _where(path).rpartition("/")[0]
    for kind in KINDS:
        if kind.folder == folder:
            return kind
    raise AssertionError(f"{path}: a TSV data file of no known kind; add it to KINDS")


def _bad_value(path: Path) -> tuple[str, str, str] | None:
    if _kind(path).folder == "coding/data/patterns":
        return ("cameo", "999", "unknown CAMEO code '999'")
    return _kind(path).bad_value.get(path.name)


@dataclass(frozen=True)
class Table:
    """A shipped file as lines, with where its header and first data row are."""

    lines: list[str]
    header_at: int  # index in lines
    first_row_at: int

    @classmethod
    def read(cls, path: Path) -> Table:
        lines = path.read_text(encoding="utf-8").split("\n")
        content = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
        return cls(lines, content[0], content[1])

    @property
    def header(self) -> list[str]:
        return [h.strip() for h in self.lines[self.header_at].split("\t")]

    def with_first_row(self, cells: list[str]) -> str:
        lines = list(self.lines)
        lines[self.first_row_at] = "\t".join(cells)
        return "\n".join(lines)

    def first_row_cells(self) -> list[str]:
        cells = self.lines[self.first_row_at].split("\t")
        return cells + [""] * (len(self.header) - len(cells))


def _user_copy(tmp_path: Path, shipped: Path, text: str) -> Path:
    folder = tmp_path / _kind(shipped).copy_into
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / shipped.name
    copy.write_text(text, encoding="utf-8")
    return copy


def _load_error(copy: Path, shipped: Path) -> DataError:
    with pytest.raises(DataError) as info:
        _kind(shipped).load(copy)
    assert info.value.path == str(copy), f"the error does not name the file: {info.value}"
    assert info.value.line is not None, f"the error does not name the line: {info.value}"
    return info.value


def _ids(paths: list[Path]) -> list[str]:
    return [_where(p) for p in paths]


def test_every_kind_of_data_file_is_shipped() -> None:
    assert {_kind(path).folder for path in SHIPPED} == {kind.folder for kind in KINDS}


@pytest.mark.parametrize("path", SHIPPED, ids=_ids(SHIPPED))
def test_shipped_file_parses(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = tsv_header(text, str(path))
    rows = list(tsv_rows(text, str(path)))
    assert header and rows, f"{path}: no header or no rows"
    assert all(list(row) == header for _, row in rows)
    # and its loader takes it as a user copy
    _kind(path).load(_user_copy(tmp_path, path, text))


@pytest.mark.parametrize("path", SHIPPED, ids=_ids(SHIPPED))
def test_extra_column_names_file_and_line(path: Path, tmp_path: Path) -> None:
    table = Table.read(path)
    copy = _user_copy(tmp_path, path, table.with_first_row([*table.first_row_cells(), "x"]))
    error = _load_error(copy, path)
    assert error.line == table.first_row_at + 1
    assert f"{len(table.header) + 1}" in str(error) and "column" in str(error)


@pytest.mark.parametrize("path", SHIPPED, ids=_ids(SHIPPED))
def test_missing_header_names_file_and_line(path: Path, tmp_path: Path) -> None:
    table = Table.read(path)
    lines = table.lines[: table.header_at] + table.lines[table.header_at + 1 :]
    copy = _user_copy(tmp_path, path, "\n".join(lines))
    error = _load_error(copy, path)
    # the first data row, now one line up, is read as the header and lacks the names
    assert error.line == table.first_row_at
    assert "header" in str(error) or "missing column" in str(error)


BAD_VALUE_FILES = [path for path in SHIPPED if _bad_value(path) is not None]


def test_bad_values_cover_every_kind() -> None:
    assert [path.name for path in SHIPPED if _bad_value(path) is None] == []


@pytest.mark.parametrize("path", BAD_VALUE_FILES, ids=_ids(BAD_VALUE_FILES))
def test_bad_value_names_file_and_line(path: Path, tmp_path: Path) -> None:
    bad = _bad_value(path)
    assert bad is not None
    column, value, message = bad
    table = Table.read(path)
    cells = table.first_row_cells()
    cells[table.header.index(column)] = value
    copy = _user_copy(tmp_path, path, table.with_first_row(cells))
    error = _load_error(copy, path)
    assert error.line == table.first_row_at + 1
    assert message in str(error)
