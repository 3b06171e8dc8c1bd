"""Datelines, bylines and agency credits: found, left out of the parsed copy, never actors."""

from __future__ import annotations

from datetime import date

import pytest

from eventcoder.ingest.clean import normalise, parse_copy
from eventcoder.ingest.dateline import wire_spans
from eventcoder.pipeline import Coder


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("KYIV, Jan 25 (Reuters) - Ukraine's army chief spoke.", ["KYIV, Jan 25 (Reuters) - "]),
        ("WASHINGTON (AP) — President Joe Biden met Olaf Scholz.", ["WASHINGTON (AP) — "]),
        ("BEIRUT, Lebanon (AP) - Israeli jets struck targets.", ["BEIRUT, Lebanon (AP) - "]),
        ("PARIS — French President Emmanuel Macron called for calm.", ["PARIS — "]),
        ("WASHINGTON—President Joe Biden met Olaf Scholz.", ["WASHINGTON—"]),
        (
            "MOSCOW, March 3 /TASS/. Sergei Lavrov met his counterpart.",
            ["MOSCOW, March 3 /TASS/. "],
        ),
        (
            "REYKJAVIK, Iceland (Agency) - Iceland's premier met NATO's chief.",
            ["REYKJAVIK, Iceland (Agency) - "],
        ),
        (
            "Kyiv, 25 January (Ukrinform) – Zelenskyy met Duda in Kyiv.",
            ["Kyiv, 25 January (Ukrinform) – "],
        ),
        ("(Reuters) - Russia launched drones at Kyiv overnight.", ["(Reuters) - "]),
        (
            "ABIDJAN, Cote d'Ivoire, April 23 - Students clashed with police.",
            ["ABIDJAN, Cote d'Ivoire, April 23 - "],
        ),
        (
            "SARAJEVO, Bosnia and Herzegovina, May 2 - Workers marched.",
            ["SARAJEVO, Bosnia and Herzegovina, May 2 - "],
        ),
        (
            "Talks in Geneva\nBy Jane Doe and John Roe, Reuters\n"
            "NEW YORK, Feb 2 (AFP) - Antonio Guterres urged a ceasefire.\n\n"
            "Reporting by Jane Doe; Editing by Bob Smith",
            [
                "By Jane Doe and John Roe, Reuters",
                "NEW YORK, Feb 2 (AFP) - ",
                "Reporting by Jane Doe; Editing by Bob Smith",
            ],
        ),
    ],
)
def test_wire_words_are_found(text: str, wire: list[str]) -> None:
    assert [text[a:b] for a, b in wire_spans(text)] == wire


@pytest.mark.parametrize(
    "text",
    [
        "U.S. Secretary of State Antony Blinken met Sergei Lavrov.",
        "NATO Secretary General Mark Rutte met Zelenskyy.",
        "By the end of the day, police had arrested 50 people in the capital.",
        "UN Secretary-General Antonio Guterres - who spoke in Geneva - urged calm.",
        "US-China talks resumed in Geneva on Monday.",
        "Russia: Putin says talks with Turkey went well.",
        "The International Labour Office (ILO) reiterated its demand that Israel ease limits.",
        "UNICEF (the UN children's agency) said 200 children were killed.",
        "EU leaders met in Brussels on Thursday.",
        "By Monday, Russian troops had attacked Kharkiv.",
        "From Kyiv, Zelenskyy called Biden.",
        "US\u2013China talks: Blinken met Wang Yi.",
        "US - China talks resumed in Geneva.",
        "NATO\u2013Russia ties worsened after the drone incident.",
        "Reporting by the BBC showed that Russian drones hit Lviv.",
        "NATO, and the EU - which agreed to more sanctions - met in Brussels.",
        "RUSSIA, and the West - tensions rose again today in the region.",
    ],
)
def test_story_words_are_not_wire(text: str) -> None:
    assert wire_spans(text) == []


def test_parse_copy_leaves_wire_words_out_and_maps_back() -> None:
    text = "By Jane Doe\r\n\r\nKYIV, Jan 25 (Reuters) - Russia\u2019s drones struck Odesa."
    shadow = parse_copy(text)
    assert shadow.text == "Russia's drones struck Odesa."
    start, end = shadow.original_span(0, len(shadow.text))
    assert text[start:end] == "Russia\u2019s drones struck Odesa."
    # nothing to leave out: the normalised copy itself
    assert parse_copy("Russia struck Odesa.") == normalise("Russia struck Odesa.")


def test_datelines_and_agencies_are_never_actors(coder: Coder) -> None:
    text = (
        "KYIV, Jan 25 (Reuters) - Russian drones struck an energy facility in the "
        "Ukrainian region of Odesa overnight, regional governor Oleh Kiper said.\n\n"
        "Reporting by Olena Harmash; Editing by Mark Heinrich"
    )
    events = coder.code_text(text, date(2024, 1, 25))
    assert [(e.source.code if e.source else None, e.plover.event) for e in events] == [
        ("RUSMIL", "ASSAULT")
    ]
    for event in events:
        for actor in (event.source, event.target):
            if actor is not None:
                assert "Reuters" not in actor.text and "KYIV" not in actor.text
                assert text[actor.start : actor.end] == actor.text
        assert text[event.evidence.start : event.evidence.end] == event.evidence.sentence
