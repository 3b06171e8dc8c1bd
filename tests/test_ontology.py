"""Consistency and parser tests for the CAMEO / PLOVER tables."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from eventcoder.errors import DataError
from eventcoder.model import Plover
from eventcoder.ontology import (
    CameoCode,
    Ontology,
    load_ontology,
    load_ontology_from,
    parse_cameo_table,
    parse_plover_table,
)

PLOVER_16 = {
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
}

PLOVER_HEADER = "name\tquad_class\tmodes\taliases\tdefinition\n"
CAMEO_HEADER = (
    "code\tlabel\tgoldstein\tquad_class\tplover_event\tplover_mode\tplover_context\tsymmetric\n"
)
SMALL_PLOVER = (
    PLOVER_HEADER
    + "CONSULT\t1\tvisit;phone\t\tMeetings and talks.\n"
    + "ACCUSE\t3\tdisapprove;investigate\tDISAPPROVE;INVESTIGATE:investigate\tCriticism.\n"
)


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return load_ontology()


def expected_quad(root: str) -> int:
    r = int(root)
    return 1 if r <= 5 else 2 if r <= 9 else 3 if r <= 14 else 4


# -- the bundled tables ------------------------------------------------------------------


def test_load_is_cached(onto: Ontology) -> None:
    assert load_ontology() is onto


def test_every_cameo_root_is_present_with_its_codes(onto: Ontology) -> None:
    roots = [code for code, entry in onto.cameo_codes.items() if entry.is_root]
    assert roots == [f"{i:02d}" for i in range(1, 21)]
    for root in roots:
        assert any(c.startswith(root) and len(c) == 3 for c in onto.cameo_codes), root


def test_every_row_of_the_bundled_table_is_loaded_once(onto: Ontology) -> None:
    table = files("eventcoder.ontology").joinpath("data/cameo.tsv").read_text(encoding="utf-8")
    header, *rows = [line for line in table.splitlines() if line and not line.startswith("#")]
    assert header.startswith("code\t")
    listed = [row.split("\t", 1)[0] for row in rows]
    assert len(listed) == len(set(listed)), "a CAMEO code is listed twice"
    assert sorted(listed) == sorted(onto.cameo_codes)


def test_every_code_well_formed(onto: Ontology) -> None:
    for code, entry in onto.cameo_codes.items():
        assert isinstance(entry, CameoCode)
        assert entry.code == code
        assert entry.label.strip() == entry.label and entry.label
        assert -10.0 <= entry.goldstein <= 10.0
        assert entry.root in onto.cameo_codes
        if len(code) == 4:
            assert code[:3] in onto.cameo_codes
        assert entry.quad_class == expected_quad(entry.root), code


def test_plover_mapping_covers_all_but_statements(onto: Ontology) -> None:
    for code, entry in onto.cameo_codes.items():
        if entry.root == "01":
            assert entry.plover is None, code
        else:
            assert entry.plover is not None, code
            ptype = onto.plover_types[entry.plover.event]
            assert entry.plover.mode is None or entry.plover.mode in ptype.modes
            for ctx in entry.plover.context:
                assert ctx == ctx.strip().lower() and " " not in ctx


def test_spot_checks(onto: Ontology) -> None:
    c041 = onto.cameo("041")
    assert c041.plover == Plover("CONSULT", "phone", ())
    assert c041.goldstein == 1.0 and c041.quad_class == 1 and c041.root == "04"
    assert onto.cameo("190").goldstein == -10.0
    assert onto.cameo("0874").goldstein == 10.0
    assert onto.cameo("011").goldstein == -0.1
    assert onto.cameo("0871").plover == Plover("RETREAT", "ceasefire", ("military",))
    assert onto.cameo("163").plover == Plover("COERCE", "restrict", ("diplomatic",))
    assert onto.cameo("1712").plover == Plover("ASSAULT", "destroy", ("human_security",))
    for code in ("084", "0841", "0842", "085", "086", "087"):
        plover = onto.cameo(code).plover
        assert plover is not None and plover.event == "RETREAT", code
    for code in ("191", "192"):
        plover = onto.cameo(code).plover
        assert plover is not None and plover.event == "COERCE", code
    assert onto.cameo("0861").plover == Plover("RETREAT", "access", ("peacekeeping",))
    assert onto.cameo("094").plover == Plover("ACCUSE", "investigate", ("military", "legal"))
    for root, event in {"02": "REQUEST", "10": "REQUEST", "11": "ACCUSE", "12": "REJECT"}.items():
        plover = onto.cameo(root).plover
        assert plover is not None and plover.event == event, root
    assert onto.cameo("026").plover == Plover("REQUEST", "meet", ("diplomatic",))
    assert onto.cameo("057").plover == Plover("SUPPORT", None, ("diplomatic",))
    assert onto.cameo("0813").plover == Plover("RETREAT", None, ("legal",))


# Mutual by nature: what A does with B, B does with A (so the dyad's order carries no
# meaning). Visits, hosting and mediation are done by one side to the other; praise,
# aid, releases, demands and attacks too.
SYMMETRIC = {"040", "041", "044", "046", "057", "060", "061", "062", "063", "0871"}


def test_symmetric_codes(onto: Ontology) -> None:
    assert {code for code, entry in onto.cameo_codes.items() if entry.symmetric} == SYMMETRIC
    for code in SYMMETRIC:
        assert onto.is_symmetric(code), code
    for code in ("04", "042", "043", "045", "050", "051", "064", "071", "0841", "190", "193"):
        assert not onto.is_symmetric(code), code
    assert not onto.is_symmetric("999")  # unknown: directed, no error


def test_unknown_cameo_code(onto: Ontology) -> None:
    assert onto.has_cameo("041")
    assert not onto.has_cameo("999")
    with pytest.raises(DataError, match=r"unknown CAMEO code '999'"):
        onto.cameo("999")


def test_plover_types(onto: Ontology) -> None:
    types = onto.plover_types
    assert set(types) == PLOVER_16
    for name, ptype in types.items():
        assert ptype.name == name
        assert ptype.definition
        assert 1 <= ptype.quad_class <= 4
        assert all(m == m.lower() for m in ptype.modes)
    assert types["CONSULT"].quad_class == 1
    assert types["RETREAT"].quad_class == 2
    assert types["THREATEN"].quad_class == 3
    assert types["ASSAULT"].quad_class == 4
    assert "phone" in types["CONSULT"].modes
    assert "ceasefire" in types["RETREAT"].modes
    assert types["AGREE"].modes == ()


def test_aliases(onto: Ontology) -> None:
    assert onto.plover_name("DEMAND") == "REQUEST"
    assert onto.plover_name("disapprove") == "ACCUSE"
    assert onto.plover_name("Fight") == "ASSAULT"
    assert onto.plover_name("INVESTIGATE") == "ACCUSE"
    assert onto.alias_mode("investigate") == "investigate"
    assert onto.alias_mode("DEMAND") is None
    assert onto.plover_name(" consult ") == "CONSULT"
    assert onto.plover_type("FIGHT").name == "ASSAULT"
    with pytest.raises(DataError, match="unknown PLOVER event type"):
        onto.plover_name("DANCE")


def test_bundled_load_after_a_cache_clear_reads_the_same_tables(onto: Ontology) -> None:
    load_ontology.cache_clear()
    again = load_ontology()
    assert again is not onto
    assert again.cameo_codes == onto.cameo_codes
    assert again.plover_types == onto.plover_types
    assert load_ontology() is again


# -- the parsers on small tables -----------------------------------------------------------


def _cameo(*rows: str) -> str:
    return CAMEO_HEADER + "".join(row + "\n" for row in rows)


def test_parse_small_tables() -> None:
    plover = parse_plover_table(SMALL_PLOVER, "p.tsv")
    codes = parse_cameo_table(
        _cameo(
            "# a comment",
            "04\tConsult\t1.0\t1\tCONSULT\t\t\t",
            "",
            "041\tPhone call\t1.0\t1\tCONSULT\tphone\tmilitary; legal\tyes",
            "01\tStatement\t0\t1\t\t\t\t",
        ),
        plover,
        "c.tsv",
    )
    assert codes["041"].plover == Plover("CONSULT", "phone", ("military", "legal"))
    assert codes["04"].plover == Plover("CONSULT", None, ())
    assert codes["01"].plover is None
    assert codes["041"].symmetric and not codes["04"].symmetric


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("041\tPhone call\t1.0\t1\tCONSULT\tphone\t", "expected 8 tab-separated columns"),
        ("041\tPhone call\t1.0\t1\tCONSULT\tphone\t\tno", "symmetric must be 'yes' or empty"),
        ("041\tPhone call\tone\t1\tCONSULT\tphone\t\t", "goldstein must be a number"),
        ("041\tPhone call\t11.5\t1\tCONSULT\tphone\t\t", r"outside \[-10, 10\]"),
        ("041\tPhone call\t1.0\t5\tCONSULT\tphone\t\t", "quad_class must be"),
        ("041\tPhone call\t1.0\t1\tMEET\tphone\t\t", "unknown PLOVER event 'MEET'"),
        ("041\tPhone call\t1.0\t1\tCONSULT\tfax\t\t", "mode 'fax' is not allowed for CONSULT"),
        ("041\t\t1.0\t1\tCONSULT\tphone\t\t", "has no label"),
        ("04\tConsult again\t1.0\t1\tCONSULT\t\t\t", "duplicate CAMEO code"),
        ("4x1\tPhone call\t1.0\t1\tCONSULT\t\t\t", "2 to 4 digits"),
        ("041\tPhone call\t1.0\t1\t\tphone\t\t", "without plover_event"),
    ],
)
def test_malformed_cameo_row_names_line(tmp_path: Path, row: str, message: str) -> None:
    plover_path = tmp_path / "plover.tsv"
    plover_path.write_text(SMALL_PLOVER, encoding="utf-8")
    cameo_path = tmp_path / "cameo.tsv"
    cameo_path.write_text(_cameo("04\tConsult\t1.0\t1\tCONSULT\t\t\t", row), encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        load_ontology_from(cameo_path, plover_path)
    assert info.value.path == str(cameo_path)
    assert info.value.line == 3
    assert f"{cameo_path}:3: " in str(info.value)


def test_missing_root_is_reported() -> None:
    plover = parse_plover_table(SMALL_PLOVER)
    with pytest.raises(DataError, match="no root code 04") as info:
        parse_cameo_table(_cameo("041\tPhone call\t1.0\t1\tCONSULT\tphone\t\t"), plover, "c.tsv")
    assert info.value.line == 2


def test_bad_header() -> None:
    plover = parse_plover_table(SMALL_PLOVER)
    with pytest.raises(DataError, match="expected header") as info:
        parse_cameo_table("code\tlabel\n04\tConsult\n", plover, "c.tsv")
    assert info.value.line == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("CONSULT\t1\tvisit\t\tAgain.", "duplicate PLOVER type"),
        ("FIGHT\t0\tbeat\t\tViolence.", "quad_class must be"),
        ("fight\t4\tbeat\t\tViolence.", "upper-case"),
        ("FIGHT\t4\tbeat\t\t", "no definition"),
        ("FIGHT\t4\tbeat", "expected 5 tab-separated columns"),
        ("FIGHT\t4\tbeat\tDEMAND\tViolence.", "already a type or alias"),
        ("REJECT\t3\tassist\tREFUSE:refuse\tRefusals.", "implies unknown REJECT mode"),
    ],
)
def test_malformed_plover_row_names_line(row: str, message: str) -> None:
    text = SMALL_PLOVER.replace("\tDISAPPROVE;", "\tDEMAND;DISAPPROVE;") + row + "\n"
    with pytest.raises(DataError, match=message) as info:
        parse_plover_table(text, "p.tsv")
    assert info.value.line == 4
    assert "p.tsv:4: " in str(info.value)
