"""The README is tested, so it cannot drift from the program.

Every fenced block of README.md is checked (as datasette checks its docs):

- every ``eventcoder …`` command line shown (there and in ``docs/``) is parsed by the
  real argument parser, ``make X`` names a Makefile target, ``pip install
  'eventcoder[X]'`` a declared extra, and every Python block compiles;
- a block after ``<!-- readme: run -->`` is run: its commands by ``eventcoder.cli.main``,
  its Python by ``exec``, in a scratch folder that sees the project's ``src`` and ``docs``;
- a block after ``<!-- readme: output -->`` is what the run before it printed (on
  standard output, then standard error): JSON blocks must be a part of the first JSON
  line printed (keys and values shown must be
  there; a ``"…"`` key or value stands for anything, and ``…`` inside a string for any
  text), text blocks must appear line by line in order (``…`` stands for any text);
- a block after ``<!-- readme: synopsis -->`` lists only options the parser has.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from eventcoder.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ELLIPSIS = "…"
_COMMAND = re.compile(r"^(?:\.venv/bin/)?eventcoder (?P<args>.*)$")


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    mark: str  # "run", "output", "synopsis" or ""
    path: str = "README.md"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def read_blocks(path: Path = README) -> list[Block]:
    blocks: list[Block] = []
    mark = ""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        found = re.fullmatch(r"<!-- readme: (\w+) -->", line.strip())
        if found:
            mark = found.group(1)
        elif line.startswith("```"):
            start = i
            body: list[str] = []
            i += 1
            while not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            where = str(path.relative_to(ROOT))
            blocks.append(Block(start + 1, line[3:].strip(), "\n".join(body), mark, where))
            mark = ""
        elif line.strip():
            mark = mark if line.startswith("<!--") else ""
        i += 1
    return blocks


BLOCKS = read_blocks()
# the other documents' commands and Python are checked too (parsed, not run)
DOC_BLOCKS = [b for doc in sorted((ROOT / "docs").glob("*.md")) for b in read_blocks(doc)]


def _commands(block: Block) -> Iterator[list[str]]:
    """The eventcoder command lines of a shell block, as argument lists (comments cut)."""
    joined = block.text.replace("\\\n", " ")
    for line in joined.splitlines():
        found = _COMMAND.match(line.strip())
        if found:
            yield shlex.split(found.group("args"), comments=True)


def test_the_readme_has_blocks_of_every_kind() -> None:
    marks = {b.mark for b in BLOCKS}
    assert {"run", "output", "synopsis"} <= marks
    for block in BLOCKS:
        if block.mark == "output":
            before = BLOCKS[BLOCKS.index(block) - 1]
            assert before.mark in ("run", "output"), f"{block}: output of what?"


@pytest.mark.parametrize("block", [b for b in BLOCKS + DOC_BLOCKS if b.mark != "synopsis"], ids=str)
def test_every_command_shown_parses(block: Block) -> None:
    parser = build_parser()
    for args in _commands(block):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            try:
                parser.parse_args(args)
            except SystemExit:
                pytest.fail(f"{block}: eventcoder {shlex.join(args)}: {err.getvalue()}")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"^make (\w+)", block.text, flags=re.M):
        assert re.search(rf"^{target}:", makefile, flags=re.M), f"{block}: make {target}"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for extra in re.findall(r"pip install 'eventcoder\[(\w+)\]'", block.text):
        assert re.search(rf"^{extra} = \[", pyproject, flags=re.M), f"{block}: [{extra}]"
    if block.lang == "python":
        compile(block.text, str(block), "exec")


def _subcommands(parser: Any) -> dict[str, Any]:
    actions = getattr(parser, "_subparsers", None)
    return dict(actions._group_actions[0].choices) if actions is not None else {}


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.mark == "synopsis"], ids=str)
def test_synopsis_options_exist(block: Block) -> None:
    commands = _subcommands(build_parser())
    sub: Any = None
    for line in block.text.splitlines():
        found = re.match(r"eventcoder ([\w-]+)(?: ([\w-]+))?", line.strip())
        if found:
            sub = commands[found.group(1)]
            sub = _subcommands(sub).get(found.group(2) or "", sub)
        assert sub is not None, f"{block}: options before a command"
        flags = {flag for action in sub._actions for flag in action.option_strings}
        for option in re.findall(r"--[a-z][a-z-]*", line):
            assert option in flags, f"{block}: {sub.prog} has no {option}"


def _matches(shown: Any, actual: Any) -> bool:
    """``shown`` is ``actual`` with parts left out (see the module docstring)."""
    if shown == ELLIPSIS:
        return True
    if isinstance(shown, dict):
        return isinstance(actual, dict) and all(
            key == ELLIPSIS or (key in actual and _matches(value, actual[key]))
            for key, value in shown.items()
        )
    if isinstance(shown, list):
        return (
            isinstance(actual, list)
            and len(shown) == len(actual)
            and all(_matches(s, a) for s, a in zip(shown, actual, strict=True))
        )
    if isinstance(shown, str) and ELLIPSIS in shown and isinstance(actual, str):
        return _text_matches(shown, actual)
    return bool(shown == actual)


def _text_matches(shown: str, actual: str) -> bool:
    pattern = ".*?".join(re.escape(part) for part in shown.split(ELLIPSIS))
    return re.fullmatch(pattern, actual, flags=re.S) is not None


def _lines_appear(shown: str, printed: str) -> str | None:
    """None when every shown line is printed, in order; else the first that is not."""
    actual = printed.splitlines()
    at = 0
    for want in shown.splitlines():
        if not want.strip():
            continue
        while at < len(actual) and not _text_matches(want.rstrip(), actual[at].rstrip()):
            at += 1
        if at == len(actual):
            return want
        at += 1
    return None


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("readme")
    for name in ("src", "docs"):
        (folder / name).symlink_to(ROOT / name)
    old = Path.cwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(old)


def _run(block: Block) -> tuple[str, str]:
    """What the block printed on standard output and on standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if block.lang == "python":
            exec(compile(block.text, str(block), "exec"), {"__name__": "readme"})
        else:
            for args in _commands(block):
                status = main(args)
                assert status == 0, f"{block}: eventcoder {shlex.join(args)}: {err.getvalue()}"
    return out.getvalue(), err.getvalue()


def test_run_blocks_run_and_print_what_the_readme_shows(scratch: Path) -> None:
    printed = errors = ""
    checked = 0
    for block in BLOCKS:
        if block.mark == "run":
            printed, errors = _run(block)
        elif block.mark == "output":
            checked += 1
            if block.lang == "json":
                first = json.loads(printed.splitlines()[0])
                shown = json.loads(block.text)
                assert _matches(shown, first), f"{block}: shown {shown}\nprinted {first}"
            else:
                # a text block may show standard output, standard error or both
                missing = _lines_appear(block.text, printed + errors)
                assert missing is None, f"{block}: not printed: {missing!r}\n{printed}{errors}"
    assert checked >= 3


@pytest.mark.parametrize(
    ("shown", "actual", "ok"),
    [
        ({"a": 1, "…": "…"}, {"a": 1, "b": 2}, True),
        ({"a": 2}, {"a": 1}, False),
        ({"s": "On 25 …, Valerii"}, {"s": "On 25 January, Valerii"}, True),
        ({"s": "On 25 …, Valerii"}, {"s": "On 26 January, Valerii"}, False),
        ({"x": [1, "…"]}, {"x": [1, 2]}, True),
        ({"missing": "…"}, {}, False),
    ],
)
def test_matching_rules(shown: Any, actual: Any, ok: bool) -> None:
    assert _matches(shown, actual) is ok
