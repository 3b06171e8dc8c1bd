"""Documents longer than spaCy takes at once are coded in parts, with verbatim offsets.

spaCy refuses texts over ``nlp.max_length`` (a million characters) and needs about a
gigabyte per hundred thousand of them, so a long document's shadow is cut into parts of
at most ``PART_CHARS`` characters (``split_parts``) that are parsed one at a time. The
tests check the cuts (never over the limit, whatever the text), that every offset of an
event coded in a part still quotes the whole document's own words, that short documents
code exactly as before, and one real document of over a million characters.
"""

from __future__ import annotations

import base64
import random
import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eventcoder.pipeline as pipeline
from eventcoder.ingest import iter_documents, sample_corpus_paths
from eventcoder.model import Document, Event
from eventcoder.pipeline import PART_CHARS, Coder, split_parts

DAY = date(2024, 1, 25)

# (words, code) of actors the knowledge base knows; "’" and CRLF line ends make the
# shadow that is parsed differ from the text, so offsets must be mapped, not copied.
ACTORS = [
    ("Poland’s president", "POLGOV"),
    ("Ukraine’s president", "UKRGOV"),
    ("the German chancellor", "DEUGOV"),
    ("France’s foreign minister", "FRAGOV"),
    ("Russian President Vladimir Putin", "RUSGOV"),
    ("Turkish President Recep Tayyip Erdogan", "TURGOV"),
    ("the Hungarian prime minister", "HUNGOV"),
    ("Lithuania’s defence minister", "LTUGOV"),
    ("the Japanese prime minister", "JPNGOV"),
    ("Indian Prime Minister Narendra Modi", "INDGOV"),
    ("the British foreign secretary", "GBRGOV"),
    ("Egypt’s president", "EGYGOV"),
]
VERBS = ["met", "criticised", "praised", "phoned", "accused", "thanked", "visited", "hosted"]
WHEN = ["in Kyiv", "in Warsaw", "in Berlin", "in Ankara", "on Monday", "on Tuesday", "last week"]
FILLER = [
    "Markets were calm.",
    "The weather in the capital was cold and wet.",
    "Officials gave no further details.",
    "The talks lasted two hours, according to a spokesman.",
]


def news(n_chars: int, seed: int) -> str:
    """Paragraphs of political news, at least ``n_chars`` long, separated by CRLF blank lines."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    size = 0
    while size < n_chars:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            (a, _), (b, _) = rng.sample(ACTORS, 2)
            sentences.append(f"{a[0].upper()}{a[1:]} {rng.choice(VERBS)} {b} {rng.choice(WHEN)}.")
        sentences.insert(rng.randint(0, len(sentences)), rng.choice(FILLER))
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1]) + 4
    return "\r\n\r\n".join(paragraphs)


def attachment(n_chars: int, seed: int) -> str:
    """Embedded images as scraped pages carry them: long "words", quick to parse."""
    rng = random.Random(seed)
    lines: list[str] = []
    while sum(map(len, lines)) < n_chars:
        lines.append("data:image/png;base64," + base64.b64encode(rng.randbytes(3_000)).decode())
    return "\r\n\r\n".join(lines)


def check_verbatim(text: str, events: list[Event]) -> None:
    """Every offset of every event slices ``text`` to exactly the words it quotes."""
    for event in events:
        ev = event.evidence
        assert text[ev.start : ev.end] == ev.sentence
        assert text[ev.trigger_start : ev.trigger_end] == ev.trigger
        for actor in (event.source, event.target):
            if actor is not None and actor.start >= 0:
                assert text[actor.start : actor.end] == actor.text


def records(events: list[Event], place: bool = True) -> list[dict[str, object]]:
    return [e.to_record() if place else replace(e, location=None).to_record() for e in events]


# -- cutting ----------------------------------------------------------------------------


def _parts(text: str, limit: int) -> list[str]:
    spans = split_parts(text, limit)
    parts = [text[a:b] for a, b in spans]
    assert "".join(parts) == text  # consecutive, nothing lost or repeated
    assert all(b - a <= limit for a, b in spans)
    assert all(b > a for a, b in spans[:-1]) or text == ""
    return parts


def test_parts_end_at_paragraphs() -> None:
    text = news(20_000, seed=1).replace("\r\n", "\n")
    parts = _parts(text, 2_000)
    assert len(parts) >= 10
    assert all(part.endswith("\n\n") for part in parts[:-1])
    assert all(len(part) > 1_000 for part in parts[:-1])  # cut in the second half


def test_parts_without_blank_lines_end_at_sentences() -> None:
    text = news(20_000, seed=2).replace("\r\n\r\n", " ")
    assert "\n" not in text
    parts = _parts(text, 2_000)
    assert len(parts) >= 10
    assert all(re.search(r"\. $", part) for part in parts[:-1])
    assert all(part[0].isupper() for part in parts)


def test_parts_without_sentences_end_at_spaces() -> None:
    text = " ".join(f"word{i}" for i in range(5_000))
    parts = _parts(text, 1_000)
    assert all(part.endswith(" ") for part in parts[:-1])
    assert all(re.fullmatch(r"(word\d+ )*word\d+ ?", part) for part in parts)


def test_one_giant_word_is_cut_at_the_limit() -> None:
    word = "x" * 10_500
    assert [len(p) for p in _parts(word, 1_000)] == [1_000] * 10 + [500]
    # with words around it, the cuts before and after fall between words
    text = "Poland’s president met Ukraine’s president. " * 30 + word + " The end."
    parts = _parts(text, 1_000)
    assert parts[0].endswith(" ") and parts[-1].endswith("The end.")


def test_short_and_empty_texts_are_one_part() -> None:
    assert split_parts("", 10) == [(0, 0)]
    assert split_parts("Poland", 6) == [(0, 6)]
    with pytest.raises(ValueError, match="limit"):
        split_parts("Poland", 0)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab .\nA’\r", max_size=400), st.integers(min_value=1, max_value=60))
def test_parts_never_exceed_the_limit(text: str, limit: int) -> None:
    _parts(text, limit)


# -- coding in parts -------------------------------------------------------------------


def test_a_document_coded_in_parts_quotes_the_whole_text(coder: Coder) -> None:
    text = news(12_000, seed=3)
    document = Document(doc_id="parts", text=text, date=DAY)
    in_parts = coder.code_in_parts(document, part_chars=1_500)
    check_verbatim(text, in_parts)
    assert len(in_parts) > 100
    assert min(e.evidence.start for e in in_parts) < 200
    assert max(e.evidence.start for e in in_parts) > len(text) - 500
    # the sentences name their actors in full, so the cuts change nothing: every part's
    # events are those of the whole, at the same places, with the same ids; only where an
    # event happened may change, when its article's main place is that of its part
    whole = coder.code_in_parts(document, part_chars=len(text))
    assert records(in_parts, place=False) == records(whole, place=False)
    for event in in_parts:
        where = event.location
        assert where is not None and (
            where.start < 0 or text[where.start : where.end] == where.text
        )


def test_short_documents_code_exactly_as_before(
    coder: Coder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short document takes the batched path, and a long one in its batch changes
    nothing for it; the part path with one part gives the very same events."""
    documents = [d for d in iter_documents(sample_corpus_paths()) if isinstance(d, Document)]
    before = list(coder.code_documents(documents))
    assert sum(len(events) for _, events in before) > 50
    for document, events in before:
        assert records(coder.code_in_parts(document)) == records(events)

    long_text = news(12_000, seed=4)
    long_doc = Document(doc_id="long", text=long_text, date=DAY)
    monkeypatch.setattr(pipeline, "PART_CHARS", 3_000)
    middle = len(documents) // 2
    batch = [*documents[:middle], long_doc, *documents[middle:]]
    after = list(coder.code_documents(batch))
    assert [d.doc_id for d, _ in after] == [d.doc_id for d in batch]
    short_after = [item for item in after if item[0] is not long_doc]
    assert [(d.doc_id, records(e)) for d, e in short_after] == [
        (d.doc_id, records(e)) for d, e in before
    ]
    long_events = after[middle][1]
    check_verbatim(long_text, long_events)
    assert records(long_events) == records(coder.code_in_parts(long_doc, part_chars=3_000))


def test_a_long_document_that_fails_fails_alone(
    coder: Coder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str, limit: int = PART_CHARS) -> list[tuple[int, int]]:
        raise RuntimeError("no parts")

    monkeypatch.setattr(pipeline, "PART_CHARS", 3_000)
    monkeypatch.setattr(pipeline, "split_parts", broken)
    short = Document(doc_id="short", text="Poland’s president met Ukraine’s president.", date=DAY)
    long_doc = Document(doc_id="long", text=news(5_000, seed=5), date=DAY)
    failed: list[str] = []
    coded = list(
        coder.code_documents(
            [short, long_doc, short], on_error=lambda d, e: failed.append(d.doc_id)
        )
    )
    assert failed == ["long"]
    assert [(d.doc_id, len(events)) for d, events in coded] == [("short", 1), ("short", 1)]


@pytest.mark.slow
def test_a_document_of_over_a_million_characters(coder: Coder) -> None:
    """The real thing, through ``code_documents`` between two short documents: events from
    the beginning, the middle and the end, every offset verbatim. About half of the text
    is news; the rest is embedded images, which parse ten times faster, so that the test
    takes about half a minute."""
    sections = [
        news(170_000, seed=10),
        attachment(250_000, seed=11),
        news(170_000, seed=12),
        attachment(250_000, seed=13),
        news(170_000, seed=14),
    ]
    text = "\r\n\r\n".join(sections)
    assert len(text) > coder.nlp.max_length == 1_000_000
    short = Document(doc_id="short", text="Poland’s president met Ukraine’s president.", date=DAY)
    long_doc = Document(doc_id="long", text=text, date=DAY)
    failed: list[tuple[str, Exception]] = []
    coded = list(
        coder.code_documents(
            [short, long_doc, short], on_error=lambda d, e: failed.append((d.doc_id, e))
        )
    )
    assert failed == []
    assert [d.doc_id for d, _ in coded] == ["short", "long", "short"]
    events = coded[1][1]
    check_verbatim(text, events)
    middle_start = text.index(sections[2])
    middle_end = middle_start + len(sections[2])
    starts = [e.evidence.start for e in events]
    assert min(starts) < 1_000
    assert any(middle_start <= s < middle_start + 1_000 for s in starts)
    assert any(middle_end - 1_000 <= s < middle_end for s in starts)
    assert max(starts) > len(text) - 1_000
    codes = {e.source.code for e in events if e.source is not None}
    assert {"POLGOV", "UKRGOV", "RUSGOV", "INDGOV"} <= codes
    assert len({e.event_id for e in events}) == len(events)
