from datetime import date

import pytest

from eventcoder.coding.dates import resolve_date

DOC = date(2024, 1, 25)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("On 25 January", date(2024, 1, 25), "day"),
        ("on January 20", date(2024, 1, 20), "day"),
        ("on 3 December", date(2023, 12, 3), "day"),
        ("in February 2022", date(2022, 2, 1), "month"),
        ("on 24 February 2022", date(2022, 2, 24), "day"),
        ("on Tuesday", date(2024, 1, 23), "day"),
        ("on Thursday", date(2024, 1, 25), "day"),
        ("yesterday", date(2024, 1, 24), "day"),
        ("last year", date(2023, 1, 1), "year"),
        ("last month", date(2023, 12, 1), "month"),
        ("in 2019", date(2019, 1, 1), "year"),
        ("since March", date(2023, 3, 1), "month"),
        ("2023-11-10", date(2023, 11, 10), "day"),
    ],
)
def test_resolves_against_document_date(text: str, expected: date, precision: str) -> None:
    found = resolve_date(text, DOC)
    assert found is not None
    assert (found.date, found.precision) == (expected, precision)


@pytest.mark.parametrize("text", ["the recent talks", "31 February", "a million people"])
def test_no_date(text: str) -> None:
    assert resolve_date(text, DOC) is None
