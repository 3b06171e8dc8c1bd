"""Importing people and their positions from Wikidata exports into a user people.tsv."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from eventcoder.actors.kb import KnowledgeBase, build_kb, load_kb
from eventcoder.actors.wikidata import (
    RoleSpellRow,
    infer_country,
    infer_sector,
    read_wikidata,
    write_people_tsv,
)
from eventcoder.cli import EXIT_ERROR, EXIT_OK, EXIT_SOME_SKIPPED, main
from eventcoder.errors import DataError, InputError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wikidata"
SPARQL = FIXTURES / "positions.sparql.json"
DUMP = FIXTURES / "dump.json"
HEADER = "person_id\tname\taliases\tcountry\tsector\trole\tstart\tend"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(())


def by_id(rows: list[RoleSpellRow]) -> dict[str, list[RoleSpellRow]]:
    found: dict[str, list[RoleSpellRow]] = {}
    for row in rows:
        found.setdefault(row.person_id, []).append(row)
    return found


def sparql_file(tmp_path: Path, bindings: list[dict[str, object]]) -> Path:
    variables = ["person", "personLabel", "personAltLabel", "position", "positionLabel"]
    variables += ["start", "end", "country"]
    path = tmp_path / "result.json"
    data = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def binding(qid: str, name: str, position: str, **extra: str) -> dict[str, object]:
    out: dict[str, object] = {
        "person": {"type": "uri", "value": f"http://www.wikidata.org/entity/{qid}"},
        "personLabel": {"xml:lang": "en", "type": "literal", "value": name},
        "position": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"},
        "positionLabel": {"xml:lang": "en", "type": "literal", "value": position},
    }
    for var, value in extra.items():
        if var in ("start", "end"):
            out[var] = {
                "datatype": "http://www.w3.org/2001/XMLSchema#dateTime",
                "type": "literal",
                "value": value,
            }
        else:
            out[var] = {"type": "literal", "value": value}
    return out


# -- SPARQL JSON results -------------------------------------------------------


def test_sparql_result(kb: KnowledgeBase) -> None:
    rows, warnings = read_wikidata(SPARQL, kb)
    people = by_id(rows)
    assert set(people) == {"wd-Q3874799", "wd-Q60970556", "wd-Q4273312"}

    (zelenskyy,) = people["wd-Q3874799"]
    assert zelenskyy == RoleSpellRow(
        person_id="wd-Q3874799",
        name="Volodymyr Zelenskyy",
        aliases=("Volodymyr Zelensky", "Volodymyr Oleksandrovych Zelenskyy", "Zelensky"),
        country="UKR",
        sector="GOV",
        role="President of Ukraine",
        start=date(2019, 5, 20),
        end=None,
    )
    (zaluzhnyi,) = people["wd-Q60970556"]
    assert (zaluzhnyi.country, zaluzhnyi.sector) == ("UKR", "MIL")
    assert (zaluzhnyi.start, zaluzhnyi.end) == (date(2021, 7, 27), date(2024, 2, 8))

    # no country variable: the country comes from the label, the sector from "Verkhovna Rada"
    (plyushch,) = people["wd-Q4273312"]
    assert (plyushch.country, plyushch.sector) == ("UKR", "LEG")
    assert (plyushch.start, plyushch.end) == (date(1991, 12, 5), date(1994, 5, 11))

    assert len(warnings) == 2
    assert any(w.startswith("no country: Q123456789 (Joe Quimby)") for w in warnings)
    # an end stated as "unknown value" (a genid URI): when he left office is unknown
    assert any(w.startswith("unknown end date: Q4403962 (Leonid Kravchuk)") for w in warnings)


def test_sparql_missing_variable(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"head": {"vars": ["item"]}, "results": {"bindings": []}}))
    with pytest.raises(DataError, match="lacks the variable") as info:
        read_wikidata(path, kb)
    assert info.value.path == str(path)


def test_sparql_invalid_json_names_the_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "head": {"vars": []},\n  "results": {"bindings": [,]}\n}\n')
    with pytest.raises(DataError) as info:
        read_wikidata(path, kb)
    assert (info.value.path, info.value.line) == (str(path), 3)


def test_cells_are_cleaned(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = sparql_file(
        tmp_path,
        [
            binding(
                "Q7",
                "Ann\tExample",
                "Prime Minister of Poland",
                start="2001-02-03T00:00:00Z",
                personAltLabel="A|B, Ann Example, Annie",
            )
        ],
    )
    (row,), warnings = read_wikidata(path, kb)
    assert not warnings
    assert row.name == "Ann Example"
    assert row.aliases == ("A B", "Annie")  # the name itself is not repeated
    assert (row.country, row.sector) == ("POL", "GOV")


def test_rows_without_label_or_dates_are_skipped(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = sparql_file(
        tmp_path,
        [
            binding("Q8", "Q8", "President of Poland", start="2001-01-01T00:00:00Z"),
            binding("Q9", "Nobody Dated", "President of Poland"),
            binding(
                "Q10",
                "Back Wards",
                "President of Poland",
                start="2005-01-01T00:00:00Z",
                end="2001-01-01T00:00:00Z",
            ),
            binding("Q11", "Abbot Example", "Abbot of Tyniec", start="2001-01-01T00:00:00Z"),
        ],
    )
    rows, warnings = read_wikidata(path, kb)
    assert rows == []
    reasons = sorted(w.split(": ")[0] for w in warnings)
    assert reasons == ["end before start", "no English label", "no dates", "no sector"]


# -- entity dumps --------------------------------------------------------------


def check_dump_rows(rows: list[RoleSpellRow], warnings: list[str]) -> None:
    people = by_id(rows)
    assert set(people) == {"wd-Q4358107", "wd-Q4273312", "wd-Q11787246"}

    # the deprecated P39 statement (Mayor of Springfield) is ignored
    (reznikov,) = people["wd-Q4358107"]
    assert reznikov.aliases == ("Oleksiy Reznikov", "Alexei Reznikov")
    assert (reznikov.country, reznikov.sector) == ("UKR", "GOV")
    assert reznikov.role == "Minister of Defence of Ukraine"
    assert (reznikov.start, reznikov.end) == (date(2021, 11, 4), date(2023, 9, 6))

    # month precision -> the 1st, year precision -> 1 January; two spells in one position
    first, second = people["wd-Q4273312"]
    assert (first.start, first.end) == (date(1991, 12, 1), date(1994, 1, 1))
    assert (second.start, second.end) == (date(2000, 2, 1), date(2002, 5, 14))
    assert (first.country, first.sector, first.role) == (
        "UKR",
        "LEG",
        "Chairman of the Verkhovna Rada",
    )

    # country through the position's P17 item and that item's P298
    (kukula,) = people["wd-Q11787246"]
    assert (kukula.name, kukula.country, kukula.sector) == ("Wiesław Kukuła", "POL", "MIL")
    assert kukula.end is None

    assert sorted(w.split(": ")[0] for w in warnings) == [
        "no country",
        "no dates",
        "unknown position",
    ]
    assert any("Q123 (Joe Quimby)" in w for w in warnings)


def test_dump_array_format(kb: KnowledgeBase) -> None:
    assert DUMP.read_text(encoding="utf-8").splitlines()[0] == "["
    check_dump_rows(*read_wikidata(DUMP, kb))


def json_lines_of_dump(tmp_path: Path) -> str:
    lines = DUMP.read_text(encoding="utf-8").splitlines()[1:-1]
    return "\n".join(line.rstrip(",") for line in lines) + "\n"


def test_dump_json_lines_format(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "entities.jsonl"
    path.write_text(json_lines_of_dump(tmp_path), encoding="utf-8")
    check_dump_rows(*read_wikidata(path, kb))


def test_dump_gzip(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "latest-all.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(DUMP.read_text(encoding="utf-8"))
    check_dump_rows(*read_wikidata(path, kb))


def test_malformed_dump_line_names_file_and_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    lines = DUMP.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][: len(lines[3]) // 2]  # a truncated entity on line 4
    path = tmp_path / "truncated.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_wikidata(path, kb)
    assert (info.value.path, info.value.line) == (str(path), 4)
    assert f"{path}:4:" in str(info.value)


def test_not_an_entity(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text('{"type": "item", "id": "Q1"}\n{"labels": {}}\n', encoding="utf-8")
    with pytest.raises(DataError, match="no 'id'") as info:
        read_wikidata(path, kb)
    assert info.value.line == 2


# -- sector and country inference ------------------------------------------------


@pytest.mark.parametrize(
    ("label", "sector"),
    [
        ("President of Ukraine", "GOV"),
        ("Minister of Defence of Ukraine", "GOV"),
        ("Minister of Internal Affairs of Ukraine", "GOV"),  # the title's head wins
        ("Deputy Prime Minister of Ukraine", "GOV"),
        ("Chief of the General Staff", "MIL"),
        ("Commander-in-Chief of the Armed Forces of Ukraine", "MIL"),
        ("Prosecutor General of Ukraine", "JUD"),
        ("Speaker of the Verkhovna Rada", "LEG"),
        ("Abbot of Tyniec", None),
    ],
)
def test_infer_sector(label: str, sector: str | None, kb: KnowledgeBase) -> None:
    assert infer_sector(label, kb) == sector


@pytest.mark.parametrize(
    ("label", "day", "country"),
    [
        ("President of Ukraine", date(2020, 1, 1), "UKR"),
        ("Polish Minister of Foreign Affairs", date(2020, 1, 1), "POL"),
        ("Prime Minister of the United Kingdom", date(2020, 1, 1), "GBR"),
        ("Ambassador of Ukraine to the United Kingdom", date(2020, 1, 1), "UKR"),
        ("Mayor of Springfield", date(2020, 1, 1), None),
    ],
)
def test_infer_country(label: str, day: date, country: str | None, kb: KnowledgeBase) -> None:
    assert infer_country(label, kb, day) == country


# -- writing and merging -----------------------------------------------------------


def test_write_and_merge_without_duplicates(tmp_path: Path, kb: KnowledgeBase) -> None:
    rows, _ = read_wikidata(DUMP, kb)
    path, added = write_people_tsv(rows, tmp_path / "kb")
    assert (path, added) == (tmp_path / "kb" / "people.tsv", 4)
    first = path.read_text(encoding="utf-8")
    assert first.splitlines()[0] == HEADER
    assert len(first.splitlines()) == 5

    # importing the same file again adds nothing; another file adds only its new rows
    assert write_people_tsv(rows, tmp_path / "kb") == (path, 0)
    assert path.read_text(encoding="utf-8") == first
    sparql_rows, _ = read_wikidata(SPARQL, kb)
    assert write_people_tsv(sparql_rows + rows, tmp_path / "kb") == (path, 3)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER and lines.count(HEADER) == 1
    assert len(lines) == 8 and len(set(lines)) == 8


def test_merge_keeps_existing_rows(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "people.tsv"
    existing = (
        "# my own people\n"
        f"{HEADER}\tnote\n"
        "jane-doe\tJane Doe\t\tUKR\tGOV\tMinister of Health of Ukraine\t2020-01-01\t\tmine\n"
        "wd-Q4358107\tOleksii Reznikov\t\tUKR\tGOV\tMinister of Defence of Ukraine\t2021-11-04\t"
    )  # no newline at the end, an extra column
    path.write_text(existing, encoding="utf-8")
    rows, _ = read_wikidata(DUMP, kb)
    assert write_people_tsv(rows, tmp_path) == (path, 3)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(existing + "\n")
    assert text.count("wd-Q4358107") == 1
    assert "wd-Q11787246\tWiesław Kukuła\tWieslaw Kukula\tPOL\tMIL\t" in text
    assert build_kb((tmp_path,)).entry("person:jane-doe") is not None


def test_existing_file_with_wrong_header(tmp_path: Path, kb: KnowledgeBase) -> None:
    (tmp_path / "people.tsv").write_text("name\tcountry\n", encoding="utf-8")
    rows, _ = read_wikidata(DUMP, kb)
    with pytest.raises(DataError, match="missing column"):
        write_people_tsv(rows, tmp_path)


# -- the command ------------------------------------------------------------------


def test_cli_import_then_code_the_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EVENTCODER_KB", raising=False)
    out = tmp_path / "kb"
    assert main(["kb", "import-wikidata", str(DUMP), "--out", str(out)]) == EXIT_OK
    captured = capsys.readouterr()
    assert "4 spells imported for 3 people, 3 skipped" in captured.out
    assert str(out / "people.tsv") in captured.out
    assert f"set EVENTCODER_KB={out} to use it" in captured.out
    assert "skipped: no country: Q123 (Joe Quimby)" in captured.err

    assert main(["kb", "import-wikidata", str(SPARQL), "--out", str(out)]) == EXIT_OK
    assert "3 new rows written" in capsys.readouterr().out

    kb = build_kb((out,))
    day = date(1993, 6, 1)
    (entry,) = kb.lookup("Ivan Pliushch", day)
    assert entry.kb_id == "person:wd-Q4273312"
    spell = entry.spell_on(day)
    assert spell is not None
    assert (spell.country, spell.sector, spell.role) == (
        "UKR",
        "LEG",
        "Chairman of the Verkhovna Rada",
    )
    assert entry.spell_on(date(1996, 1, 1)) is None  # between his two spells


def test_cli_default_folder_from_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mykb"
    monkeypatch.setenv("EVENTCODER_KB", str(folder))
    assert main(["kb", "import-wikidata", str(SPARQL)]) == EXIT_OK
    assert (folder / "people.tsv").is_file()
    assert "set EVENTCODER_KB" not in capsys.readouterr().out  # already set


def test_cli_default_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EVENTCODER_KB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["kb", "import-wikidata", str(SPARQL)]) == EXIT_OK
    assert (tmp_path / "eventcoder-kb" / "people.tsv").is_file()
    assert "set EVENTCODER_KB=eventcoder-kb to use it" in capsys.readouterr().out


def test_cli_nothing_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EVENTCODER_KB", raising=False)
    path = sparql_file(
        tmp_path, [binding("Q5", "Joe Quimby", "Mayor of Springfield", start="2015-01-01")]
    )
    out = tmp_path / "kb"
    assert main(["kb", "import-wikidata", str(path), "--out", str(out)]) == EXIT_SOME_SKIPPED
    assert "0 spells imported for 0 people, 1 skipped (1 no country)" in capsys.readouterr().out
    assert not out.exists()


def test_cli_malformed_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "entities.jsonl"
    path.write_text(json_lines_of_dump(tmp_path) + '{"type": "item", "id": \n', encoding="utf-8")
    code = main(["kb", "import-wikidata", str(path), "--out", str(tmp_path / "kb")])
    assert code == EXIT_ERROR
    assert f"eventcoder: error: {path}:13: invalid JSON entity" in capsys.readouterr().err


def test_empty_file(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "empty.json"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        read_wikidata(path, kb)


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["kb", "import-wikidata", str(tmp_path / "nope.json"), "--out", str(tmp_path)])
    assert code == EXIT_ERROR
    assert "file not found" in capsys.readouterr().err
