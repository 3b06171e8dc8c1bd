"""Actor knowledge base and resolver: time-aware codes, roles stated in the text, explanations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eventcoder.actors.kb import Spell, build_kb, load_kb
from eventcoder.errors import DataError
from eventcoder.pipeline import Coder


def _codes(coder: Coder, text: str, day: date) -> set[tuple[str | None, str | None, str]]:
    return {
        (e.source.code if e.source else None, e.target.code if e.target else None, e.plover.event)
        for e in coder.code_text(text, day)
    }


def test_office_holder_codes_by_date(coder: Coder) -> None:
    text = "Valerii Zaluzhnyi met Wiesław Kukuła in Warsaw."
    assert ("UKRMIL", "POLMIL", "CONSULT") in _codes(coder, text, date(2023, 12, 1))
    later = _codes(coder, text, date(2024, 3, 1))
    assert all(src != "UKRMIL" for src, _, _ in later)
    assert ("UKRELI", "POLMIL", "CONSULT") in later


@pytest.mark.parametrize(
    ("name", "day", "code"),
    [
        ("Andrzej Duda", date(2020, 1, 1), "POLGOV"),
        ("Andrzej Duda", date(2025, 9, 1), "POLELI"),
        ("Volodymyr Zelenskyy", date(2024, 1, 25), "UKRGOV"),
        ("Volodymyr Zelenskyy", date(2018, 1, 1), "UKRELI"),
    ],
)
def test_people_in_and_out_of_office(coder: Coder, name: str, day: date, code: str) -> None:
    events = coder.code_text(f"{name} criticized Hungary.", day)
    assert [e.source.code for e in events if e.source] == [code]


def test_role_in_text_codes_an_unknown_person(coder: Coder) -> None:
    events = coder.code_text(
        "General Ivan Petrenko, commander of Moldova's army, visited Romania.", date(2024, 5, 1)
    )
    (event,) = events
    assert event.source is not None
    assert event.source.code == "MDAMIL"
    assert "role in text" in event.source.why


def test_title_before_the_name(coder: Coder) -> None:
    (event,) = coder.code_text("Polish President Jan Kowalski praised Lithuania.", date(2024, 5, 1))
    assert event.source is not None and event.source.code == "POLGOV"


def test_country_adjective_plus_agent(coder: Coder) -> None:
    (event,) = coder.code_text("Ukrainian troops attacked Russian soldiers.", date(2024, 5, 1))
    assert (event.source and event.source.code, event.target and event.target.code) == (
        "UKRMIL",
        "RUSMIL",
    )


def test_metonyms_and_historic_states(coder: Coder) -> None:
    (event,) = coder.code_text("The Kremlin criticized Washington.", date(2020, 5, 1))
    assert (event.source and event.source.code) == "RUSGOV"
    (event,) = coder.code_text("The Kremlin criticized Washington.", date(1985, 5, 1))
    assert (event.source and event.source.code) == "SUNGOV"


def test_surname_refers_back(coder: Coder) -> None:
    events = coder.code_text(
        "Andrzej Duda arrived in Kyiv. Duda praised Ukraine.", date(2023, 5, 1)
    )
    assert ("POLGOV", "UKR", "SUPPORT") in {
        (e.source.code if e.source else None, e.target.code if e.target else None, e.plover.event)
        for e in events
    }


def test_kb_lookup_explains() -> None:
    from eventcoder.actors.explain import explain_name

    lines = explain_name("Valerii Zaluzhnyi", date(2023, 12, 1))
    assert lines[0].startswith("UKRMIL")
    assert "people.tsv" in lines[0]
    later = explain_name("Valerii Zaluzhnyi", date(2024, 3, 1))
    assert later[0].startswith("UKRELI")


def test_user_kb_folder_adds_people(tmp_path: Path) -> None:
    (tmp_path / "people.tsv").write_text(
        "person_id\tname\taliases\tcountry\tsector\trole\tstart\tend\n"
        "ivan-testov\tIvan Testov\t\tMDA\tMIL\tChief of Staff\t2020-01-01\t\n",
        encoding="utf-8",
    )
    kb = build_kb((tmp_path,))
    (entry,) = kb.lookup("Ivan Testov", date(2021, 1, 1))
    assert (entry.kind, entry.name) == ("person", "Ivan Testov")
    assert entry.spell_on(date(2021, 1, 1)) == Spell(
        country="MDA", sector="MIL", role="Chief of Staff", start=date(2020, 1, 1), end=None
    )
    assert entry.spell_on(date(2019, 12, 31)) is None


def test_malformed_kb_row_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "people.tsv").write_text(
        "person_id\tname\taliases\tcountry\tsector\trole\tstart\tend\n"
        "x\tX Y\t\tMDA\tXXX\tChief\t2020-01-01\t\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"people.tsv:2: unknown sector"):
        build_kb((tmp_path,))


def test_packaged_kb_is_big_enough() -> None:
    kb = load_kb(())
    kinds: dict[str, int] = {}
    for entry in kb.entries.values():
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    assert kinds["country"] >= 240
    assert kinds["person"] >= 100
    assert kinds["org"] >= 80
    assert len(kb.agents) >= 300
