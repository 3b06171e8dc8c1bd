"""Grammar of news on short sentences: each case names the construction it covers."""

from __future__ import annotations

from datetime import date

import pytest

from eventcoder.model import Event
from eventcoder.pipeline import Coder

DAY = date(2024, 1, 25)  # a Thursday


def _triples(events: list[Event]) -> set[tuple[str | None, str | None, str]]:
    return {
        (e.source.code if e.source else None, e.target.code if e.target else None, e.plover.event)
        for e in events
    }


CASES = [
    (
        "active verb",
        "Russian troops attacked Ukrainian positions near Bakhmut.",
        {("RUSMIL", "UKRMIL", "ASSAULT")},
    ),
    (
        "passive with agent",
        "Ukrainian positions were shelled by Russian forces.",
        {("RUSMIL", "UKRMIL", "ASSAULT")},
    ),
    (
        "coordinated sources, symmetric",
        "Poland and Lithuania signed a defence agreement.",
        {("POL", "LTU", "SUPPORT"), ("LTU", "POL", "SUPPORT")},
    ),
    (
        "coordinated targets",
        "France criticized Iran and Syria.",
        {("FRA", "IRN", "ACCUSE"), ("FRA", "SYR", "ACCUSE")},
    ),
    (
        "nominal event with support verb",
        "Germany held talks with Israel in Berlin.",
        {("DEU", "ISR", "CONSULT")},
    ),
    (
        "nominal event with country adjective",
        "Israeli air strikes on Gaza continued.",
        {("ISR", "PSE", "ASSAULT")},
    ),
    (
        "prepositional target",
        "Japan called on North Korea to halt missile tests.",
        {("JPN", "PRK", "REQUEST")},
    ),
    (
        "met with is CONSULT",
        "The Egyptian foreign minister met with Jordanian officials.",
        {("EGYGOV", "JORGOV", "CONSULT")},
    ),
    ("met resistance is not an event", "Turkish troops met fierce resistance.", set()),
    ("called for is not a phone call", "Britain called for calm.", {("GBR", None, "REQUEST")}),
    ("negation drops the event", "China did not criticize Russia.", set()),
    ("hypothetical drops the event", "If Iran attacks Israel, the region will burn.", set()),
    (
        "intent codes as AGREE",
        "Canada will send humanitarian aid to Sudan.",
        {("CAN", "SDN", "AGREE")},
    ),
    (
        "pronoun in the next sentence",
        "Brazil's president arrived in Argentina. He praised Argentina.",
        {("BRAGOV", "ARG", "CONSULT"), ("BRAGOV", "ARG", "SUPPORT")},
    ),
    (
        "protest against",
        "Thousands of Georgian protesters demonstrated against the government.",
        {("GEOCVL", "GEOGOV", "PROTEST")},
    ),
    ("empty sentence", "The weather in Paris was mild on Tuesday.", set()),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_construction(
    coder: Coder, name: str, text: str, expected: set[tuple[str | None, ...]]
) -> None:
    events = coder.code_text(text, DAY)
    assert _triples(events) == expected, [(e.evidence.trigger, e.rule) for e in events]


def test_date_from_the_clause(coder: Coder) -> None:
    (event,) = coder.code_text("On Tuesday, Spain expelled two Russian diplomats.", DAY)
    assert event.date == date(2024, 1, 23)
    (event,) = coder.code_text("In March 2023, Finland joined talks with Sweden.", DAY)
    assert (event.date, event.date_precision) == (date(2023, 3, 1), "month")


def test_document_date_when_the_clause_has_none(coder: Coder) -> None:
    (event,) = coder.code_text("Spain expelled two Russian diplomats.", DAY)
    assert (event.date, event.date_precision) == (DAY, "publication")


def test_date_from_the_sentence_before(coder: Coder) -> None:
    text = (
        "The summit opened in Brussels on Tuesday. "
        "German Chancellor Olaf Scholz met French President Emmanuel Macron on its sidelines."
    )
    (event,) = coder.code_text(text, DAY)
    assert (event.date, event.date_precision) == (date(2024, 1, 23), "day")
    # a new paragraph does not carry the day over
    (event,) = coder.code_text(text.replace(". ", ".\n\n"), DAY)
    assert (event.date, event.date_precision) == (DAY, "publication")


def test_last_night_is_the_day_before(coder: Coder) -> None:
    (event,) = coder.code_text("Spain expelled two Russian diplomats last night.", DAY)
    assert event.date == date(2024, 1, 24)


def test_events_carry_ontology_codes(coder: Coder) -> None:
    (event,) = coder.code_text("Russian forces shelled Kharkiv.", DAY)
    assert event.cameo.startswith("19")
    assert event.quad_class == 4
    assert event.goldstein < 0
    assert 0 < event.confidence <= 1
    assert event.rule.startswith("19_fight.tsv:")


def test_event_records_read_back(coder: Coder) -> None:
    events = coder.code_text("On Tuesday, Spain expelled two Russian diplomats.", DAY)
    assert events and all(Event.from_record(e.to_record()) == e for e in events)
    with pytest.raises(KeyError):
        Event.from_record({"doc_id": "x"})


def test_coordinated_verbs_share_their_date(coder: Coder) -> None:
    events = coder.code_text(
        "On Tuesday, Spain expelled two Russian diplomats and imposed sanctions on Russian banks.",
        DAY,
    )
    assert len(events) == 2
    assert {(e.date, e.date_precision) for e in events} == {(date(2024, 1, 23), "day")}
