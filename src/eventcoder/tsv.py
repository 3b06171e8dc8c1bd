"""Reading the project's tab-separated data files (ontology, KB, patterns, user additions).

One header line, then rows; blank lines and lines starting with ``#`` are skipped;
cells are stripped. Every error names file and line and says what to fix.

Two strictness levels, chosen by the caller:

- by name (the default): the header must hold the ``required`` columns, in any order,
  and may have more; a row may leave trailing cells out (they are empty);
- ``exact``: the header must be exactly ``required`` (in order, any letter case), every
  row must have one cell per column, and a text without a header line is an error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from eventcoder.errors import DataError


def _lines(text: str, where: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, raw cells) for each line that is neither blank nor a comment."""
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(
                f"cannot split the line into cells ({exc}); save the file as plain "
                "tab-separated UTF-8 text with one row per line",
                where,
                reader.line_num,
            ) from None
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        yield reader.line_num, row


def tsv_header(text: str, where: str = "") -> list[str] | None:
    """The column names of a TSV text, or None when it has no header line."""
    for _, row in _lines(text, where):
        return [h.strip() for h in row]
    return None


def _check_header(
    row: list[str], where: str, line_no: int, required: Sequence[str], exact: bool
) -> list[str]:
    """The column names of a header row, once it has what the caller requires."""
    header = [h.strip() for h in row]
    if exact:
        if [h.lower() for h in header] != list(required):
            line = "\t".join(row)
            raise DataError(
                f"expected header {'/'.join(required)} (tab-separated), got {line!r}",
                where,
                line_no,
            )
        return list(required)
    missing = [c for c in required if c not in header]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}: the first line that is not a comment "
            f"must name the columns (it names: {', '.join(header)})",
            where,
            line_no,
        )
    return header


def _check_width(
    row: list[str], where: str, line_no: int, header: list[str], exact: bool
) -> list[str]:
    """The row's cells, one per column, once its width fits the header."""
    if exact and len(row) != len(header):
        raise DataError(
            f"expected {len(header)} tab-separated columns, found {len(row)} "
            f"(columns: {', '.join(header)})",
            where,
            line_no,
        )
    if len(row) > len(header):
        raise DataError(
            f"{len(row)} cells but the header has {len(header)} columns; remove the extra "
            "tab(s) or name the extra column in the header",
            where,
            line_no,
        )
    return row + [""] * (len(header) - len(row))


def tsv_rows(
    text: str, where: str, required: Sequence[str] = (), *, exact: bool = False
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: cell}) for each data row; ``where`` names the file in errors.

    ``required`` columns must be in the header; with ``exact`` they must be the whole
    header, each row must fill them all, and an empty text is an error (see the module).
    """
    header: list[str] | None = None
    for line_no, row in _lines(text, where):
        if header is None:
            header = _check_header(row, where, line_no, required, exact)
            continue
        cells = _check_width(row, where, line_no, header, exact)
        yield line_no, {k: v.strip() for k, v in zip(header, cells, strict=True)}
    if header is None and exact:
        raise DataError("empty table: no header line", where)
