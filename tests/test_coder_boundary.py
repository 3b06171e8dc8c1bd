"""The public entry points of ``Coder`` check the document date before coding: a string,
None or a datetime fails at once with an error that says what to pass, never as a bare
TypeError deep inside the coder."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from eventcoder.errors import EventCoderError, InputError, UsageError
from eventcoder.model import Document
from eventcoder.pipeline import Coder

TEXT = "Russian forces shelled Kharkiv."
DAY = date(2024, 1, 25)


def test_code_text_takes_a_date(coder: Coder) -> None:
    (event,) = coder.code_text(TEXT, DAY)
    assert event.date == DAY


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("2024-01-25", "got str '2024-01-25' (use date.fromisoformat)"),
        (None, "got None"),
        (datetime(2024, 1, 25, 10, 30), "(use its .date())"),
        (20240125, "got int 20240125"),
    ],
)
def test_code_text_refuses_what_is_not_a_date(coder: Coder, day: object, said: str) -> None:
    with pytest.raises(UsageError) as raised:
        coder.code_text(TEXT, day)  # type: ignore[arg-type]
    message = str(raised.value)
    assert message.startswith("day must be a datetime.date, e.g. date(2024, 1, 25); ")
    assert said in message


def test_a_bad_date_in_a_batch_goes_to_on_error_and_the_rest_is_coded(coder: Coder) -> None:
    bad = Document(doc_id="bad", text=TEXT, date="2024-01-25", origin="in.jsonl:2")  # type: ignore[arg-type]
    good = Document(doc_id="good", text=TEXT, date=DAY)
    failures: list[tuple[str, Exception]] = []
    coded = list(
        coder.code_documents([bad, good], on_error=lambda d, e: failures.append((d.doc_id, e)))
    )
    assert [(d.doc_id, len(events)) for d, events in coded] == [("good", 1)]
    ((doc_id, error),) = failures
    assert doc_id == "bad"
    assert isinstance(error, InputError)
    assert str(error).startswith("in.jsonl:2: document 'bad': date must be a datetime.date")


def test_without_on_error_a_bad_date_raises_an_input_error(coder: Coder) -> None:
    bad = Document(doc_id="bad", text=TEXT, date=None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"document 'bad': date must be .* got None"):
        list(coder.code_documents([bad]))


def test_the_lower_entry_points_check_the_date_too(coder: Coder) -> None:
    bad = Document(doc_id="bad", text=TEXT, date=datetime(2024, 1, 25))
    with pytest.raises(EventCoderError, match=r"use its \.date\(\)"):
        coder.code_parsed(bad, coder.nlp(TEXT))
    with pytest.raises(EventCoderError, match=r"use its \.date\(\)"):
        coder.code_in_parts(bad)
