"""Reading the project's tab-separated data files (KB, patterns, user additions).

One header line, then rows; blank lines and lines starting with ``#`` are skipped;
missing trailing cells are empty; cells are stripped. Every error names file and line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from eventcoder.errors import DataError


def _lines(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    for line_no, row in enumerate(reader, start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        yield line_no, row


def tsv_header(text: str) -> list[str] | None:
    """The column names of a TSV text, or None when it has no header line."""
    for _, row in _lines(text):
        return [h.strip() for h in row]
    return None


def tsv_rows(
    text: str, where: str, required: Sequence[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: cell}) for each data row; ``required`` columns must exist."""
    header: list[str] | None = None
    for line_no, row in _lines(text):
        if header is None:
            header = [h.strip() for h in row]
            missing = [c for c in required if c not in header]
            if missing:
                raise DataError(f"missing column(s) {', '.join(missing)}", where, line_no)
            continue
        if len(row) > len(header):
            raise DataError(
                f"{len(row)} cells but the header has {len(header)} columns", where, line_no
            )
        row = row + [""] * (len(header) - len(row))
        yield line_no, {k: v.strip() for k, v in zip(header, row, strict=True)}
