"""Where events happened: the gazetteer, the locator on team-written sentences, the
offsets of the place words, and the scoring of places (``eventcoder.places``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eventcoder.ingest.clean import parse_copy
from eventcoder.model import Document, Event
from eventcoder.pipeline import Coder
from eventcoder.places.gazetteer import Gazetteer, fold
from eventcoder.places.locate import dateline_of
from eventcoder.places.scoring import GoldLocation, distance_km, score_places

DAY = date(2024, 3, 12)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.open()


def coded(coder: Coder, text: str, doc_id: str = "d") -> tuple[Document, list[Event]]:
    ((document, events),) = coder.code_documents([Document(doc_id=doc_id, text=text, date=DAY)])
    return document, events


def only_place(coder: Coder, text: str) -> tuple[str | None, str | None, str, str]:
    """(name, country, precision, why) of the text's one placed event."""
    _, events = coded(coder, text)
    places = {
        (e.location.name, e.location.country, e.location.precision, e.location.why.split(":")[0])
        for e in events
        if e.location is not None
    }
    assert len(places) == 1, (text, places, events)
    return places.pop()


def test_names_are_folded_for_lookups() -> None:
    assert fold("Kyïv") == "kyiv"
    assert fold("Port-au-Prince") == fold("port au prince")
    assert fold("Sana’a") == fold("Sana'a") == "sana a"


@pytest.mark.parametrize(
    ("name", "place", "country"),
    [
        ("Kiev", "Kyiv", "UKR"),
        ("Kharkov", "Kharkiv", "UKR"),
        ("Bombay", "Mumbai", "IND"),
        ("Sanaa", "Sanaa", "YEM"),
        ("Rangoon", "Yangon", "MMR"),
    ],
)
def test_old_and_other_spellings_find_the_city(
    gazetteer: Gazetteer, name: str, place: str, country: str
) -> None:
    cities = [p for p, _main in gazetteer.named(name) if p.kind == "city"]
    assert cities, name
    assert (cities[0].name, cities[0].country) == (place, country)
    assert cities[0].geonames_id is not None and cities[0].population > 100_000


def test_regions_and_countries_are_places_too(gazetteer: Gazetteer) -> None:
    kinds = {(p.kind, p.country) for p, _main in gazetteer.named("Georgia")}
    assert {("country", "GEO"), ("adm1", "USA")} <= kinds
    donetsk = [p for p, _main in gazetteer.named("Donetsk") if p.kind == "adm1"]
    assert donetsk and donetsk[0].country == "UKR"
    ukraine = gazetteer.country("UKR")
    assert ukraine is not None and 44 < ukraine.lat < 53 and 22 < ukraine.lon < 41


def test_the_event_clause_names_the_place(combined_coder: Coder) -> None:
    assert only_place(
        combined_coder, "Police fired tear gas at protesters in Nairobi on Tuesday."
    ) == ("Nairobi", "KEN", "city", "clause")
    assert only_place(
        combined_coder,
        "Protesters rallied outside parliament in Tbilisi against the new media law.",
    )[:3] == ("Tbilisi", "GEO", "city")


def test_a_region_word_makes_the_name_a_region(combined_coder: Coder) -> None:
    name, country, precision, _ = only_place(
        combined_coder, "Militants attacked an army post in the Donetsk region on Monday."
    )
    assert (country, precision) == ("UKR", "adm1") and "Donetsk" in (name or "")


def test_an_attacked_town_is_where_the_attack_happened(combined_coder: Coder) -> None:
    assert only_place(combined_coder, "Russian forces shelled Kharkiv overnight.")[:3] == (
        "Kharkiv",
        "UKR",
        "city",
    )


def test_a_capital_standing_for_its_government_is_not_the_place(
    combined_coder: Coder,
) -> None:
    _, events = coded(combined_coder, "Moscow accused Washington of meddling in its elections.")
    assert events
    for event in events:
        assert event.location is not None and event.location.precision == "country"
        assert event.location.why.startswith(("source country", "target country"))


def test_the_dateline_places_a_story_without_a_place_in_its_clause(
    combined_coder: Coder,
) -> None:
    text = "KYIV, Jan 25 (Reuters) - Ukraine's army chief held talks with his Polish counterpart."
    document, events = coded(combined_coder, text)
    placed = [e.location for e in events if e.location is not None]
    assert placed and all(p.why == "dateline" for p in placed)
    assert all(document.text[p.start : p.end] == p.text == "KYIV" for p in placed)
    shadow = parse_copy(text)
    dateline = dateline_of(text, shadow.dateline) if shadow.dateline else None
    assert dateline is not None and (dateline.text, dateline.start) == ("KYIV", 0)


def test_context_decides_between_places_of_one_name(combined_coder: Coder) -> None:
    us = "Police in Paris, Texas, arrested two men after a shooting at a bar, the sheriff said."
    assert only_place(combined_coder, us)[1] == "USA"
    france = "French police arrested two men in Paris after a shooting at a bar."
    assert only_place(combined_coder, france)[:2] == ("Paris", "FRA")


def test_an_actor_without_a_country_takes_the_country_of_its_place(
    combined_coder: Coder,
) -> None:
    _, events = coded(combined_coder, "Police in Birmingham arrested 11 people on Saturday.")
    (event,) = events
    assert event.source is not None and event.source.code == "GBRCOP"
    assert "'Birmingham'" in event.source.why and "gazetteer" in event.source.why
    # a place elsewhere in the story places its domestic actors
    text = "Heavy rain flooded Port Moresby. Police arrested 20 looters on Sunday."
    _, events = coded(combined_coder, text)
    assert {e.source.code for e in events if e.source} == {"PNGCOP"}
    # a country the knowledge base names comes first
    _, events = coded(combined_coder, "Kenyan police arrested 20 protesters in Birmingham.")
    assert {e.source.code for e in events if e.source} == {"KENCOP"}


def test_named_regions_and_districts_of_a_city(combined_coder: Coder) -> None:
    darfur = "Gunmen attacked a market in Darfur on Friday, killing six traders."
    assert only_place(combined_coder, darfur)[:3] == ("Darfur", "SDN", "adm1")
    district = "Riot police fired tear gas at students in Nairobi's central business district."
    assert only_place(combined_coder, district)[:3] == ("Nairobi", "KEN", "city")


def test_a_name_holding_another_country_name_is_not_that_country(
    combined_coder: Coder,
) -> None:
    _, events = coded(combined_coder, "Police arrested 12 men in New Jersey on Monday.")
    assert {(e.source.code if e.source else None, e.location.country if e.location else None)
            for e in events} == {("USACOP", "USA")}  # fmt: skip
    _, events = coded(combined_coder, "Pirates hijacked a cargo ship in the Indian Ocean.")
    assert all(a.country != "IND" for e in events for a in (e.source, e.target) if a)


def test_a_country_the_sentence_gives_the_city_picks_the_place(combined_coder: Coder) -> None:
    text = "Clashes erupted in Tripoli, the northern Lebanese city, and troops arrested 12 gunmen."
    _, events = coded(combined_coder, text)
    assert events and {(e.location.name, e.location.country) for e in events if e.location} == {
        ("Tripoli", "LBN")
    }


def test_a_region_inside_the_named_country_is_finer_than_it(combined_coder: Coder) -> None:
    text = "Gunmen raided two villages in Niger's Tillaberi region on Monday, killing nine herders."
    name, country, precision, _ = only_place(combined_coder, text)
    assert (country, precision) == ("NER", "adm1") and name and name.startswith("Tillab")


def test_a_place_of_a_gerund_is_not_the_place_of_the_accusation(combined_coder: Coder) -> None:
    text = "Kinshasa accused Kigali on Monday of sending troops into North Kivu."
    _, events = coded(combined_coder, text)
    accused = [e for e in events if e.plover.event == "ACCUSE"]
    assert accused and all(e.location and not e.location.why.startswith("clause") for e in accused)


def test_only_attacks_aid_and_withdrawals_take_the_target_country(combined_coder: Coder) -> None:
    text = "Washington imposed sanctions on three Nicaraguan police commanders on Thursday."
    _, events = coded(combined_coder, text)
    by_source = [e for e in events if e.plover.event not in ("ASSAULT", "AID", "RETREAT")]
    assert by_source and all(e.location and e.location.country == "USA" for e in by_source)
    _, events = coded(combined_coder, "Russian missiles struck a Kharkiv hospital on Monday.")
    assert {e.location.name for e in events if e.location} == {"Kharkiv"}  # a building keeps it


def test_a_speaker_place_gives_no_country_to_the_story(combined_coder: Coder) -> None:
    text = "Police arrested 20 protesters on Monday, monitors in Geneva said."
    _, events = coded(combined_coder, text)
    assert all(a.country != "CHE" for e in events for a in (e.source, e.target) if a)
    # and the learned model's events follow the story's country, not a place abroad
    text = (
        "Kenya's president spoke at a conference in Geneva on Monday. "
        "Protesters clashed with police on Tuesday."
    )
    _, events = coded(combined_coder, text)
    assert all(a.country != "CHE" for e in events for a in (e.source, e.target) if a)


def test_a_people_word_the_kb_does_not_know_is_an_agent(combined_coder: Coder) -> None:
    _, events = coded(combined_coder, "Jihadists blew up a bridge near Djibo on Friday.")
    assert {e.source.code for e in events if e.source} == {"BFAREB"}


def test_the_locator_reads_each_document_afresh(combined_coder: Coder) -> None:
    first = combined_coder.nlp("Police in Birmingham arrested 11 people.")
    second_text = "Police in Lagos arrested 11 people."
    _, events = coded(combined_coder, second_text)
    second = combined_coder.nlp(second_text)
    locator = combined_coder.locator
    assert locator.text_places(first).of_noun(0) is not None  # "Police" in Birmingham
    placed = locator.place(second, events)
    assert {e.location.name for e in placed if e.location} == {"Lagos"}


def test_a_street_named_after_a_city_is_not_that_city(combined_coder: Coder) -> None:
    text = (
        "OTTAWA, Nov 16 - Farmers drove tractors into the city centre on Saturday, and police "
        "warned they would tow vehicles left on Wellington Street."
    )
    _, events = coded(combined_coder, text)
    assert events and all(e.location and e.location.country == "CAN" for e in events)
    assert all(a.country != "NZL" for e in events for a in (e.source, e.target) if a)


def test_a_national_government_statement_does_not_take_the_article_place(
    combined_coder: Coder,
) -> None:
    text = (
        "Gangs kidnapped two bus drivers in Port-au-Prince on Tuesday. Haiti's government "
        "asked for help from foreign police trainers."
    )
    _, events = coded(combined_coder, text)
    asked = [e for e in events if e.plover.event == "REQUEST"]
    assert asked and all(e.location and e.location.precision == "country" for e in asked)
    text = (
        "Horse-cart drivers in Granada, Nicaragua, stopped work on Thursday in protest at a ban "
        "on carts. The city council agreed to talks."
    )
    _, events = coded(combined_coder, text)
    assert {e.location.name for e in events if e.location} == {"Granada"}


def test_every_place_word_offset_slices_the_text(combined_coder: Coder) -> None:
    text = (
        "Floods hit the north.\n\n"
        "KHARTOUM, March 3 - Paramilitary fighters attacked a market in Omdurman, "
        "killing 12 people, witnesses said.\n\n"
        "Sudan's army   accused the Rapid Support Forces of shelling camps near El Fasher."
    )
    document, events = coded(combined_coder, text)
    located = [e.location for e in events if e.location and e.location.start >= 0]
    assert located
    for place in located:
        assert document.text[place.start : place.end] == place.text


def test_every_sample_event_has_a_place_or_a_reason(combined_coder: Coder) -> None:
    from eventcoder.ingest import iter_documents, sample_corpus_paths

    documents = [d for d in iter_documents(sample_corpus_paths()) if isinstance(d, Document)]
    seen = 0
    for document, events in combined_coder.code_documents(documents):
        for event in events:
            seen += 1
            place = event.location
            assert place is not None and place.why, (document.doc_id, event.evidence.sentence)
            if place.precision == "none":
                assert place.lat is None and place.country is None
                continue
            assert place.country and place.lat is not None and -90 <= place.lat <= 90
            if place.start >= 0:
                assert document.text[place.start : place.end] == place.text
    assert seen > 50


def test_place_scores() -> None:
    assert distance_km(50.45, 30.52, 50.45, 30.52) == 0
    assert 650 < distance_km(50.45, 30.52, 52.23, 21.01) < 730  # Kyiv to Warsaw: 690 km
    kyiv = GoldLocation("UKR", 50.45, 30.52, "city")
    nowhere = GoldLocation("UKR")
    gold = [("a", "CONSULT", kyiv), ("b", "ACCUSE", nowhere), ("c", "ASSAULT", kyiv)]
    scores = score_places(gold, {})
    assert (scores.within, scores.with_point, scores.no_event) == (0, 2, 3)
    assert scores.no_point_right == 0  # no coded event is no credit


def test_an_unwritable_cache_falls_back_to_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import tempfile

    from eventcoder.errors import DataError
    from eventcoder.places import gazetteer as module

    built = module.Gazetteer.open().path
    spare = tmp_path / f"eventcoder-{os.getuid()}"
    spare.mkdir()
    (spare / built.name).symlink_to(built)
    monkeypatch.setenv("EVENTCODER_CACHE", "/dev/null/cache")
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    module._open_default.cache_clear()
    try:
        assert module.Gazetteer.open().path == spare / built.name
        module._open_default.cache_clear()
        monkeypatch.setattr(tempfile, "gettempdir", lambda: "/dev/null")
        with pytest.raises(DataError, match="set EVENTCODER_CACHE to a folder"):
            module.Gazetteer.open()
    finally:
        module._open_default.cache_clear()
