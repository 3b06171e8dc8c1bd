"""How the sentence and article suites compare expected codes with coded ones."""

from __future__ import annotations

from typing import Any

import pytest

# CONSULT, AGREE and COOPERATE match in either direction.
SYMMETRIC = frozenset({"CONSULT", "AGREE", "COOPERATE"})


def code_matches(expected: str | None, actual: str | None) -> bool:
    """An expected code ending in "*" matches any code of that country; None only None."""
    if expected is None or actual is None:
        return expected is actual
    if expected.endswith("*"):
        return actual.startswith(expected[:-1])
    return expected == actual


def dyad_matches(
    kind: str, expected: tuple[str | None, str | None], actual: tuple[str | None, str | None]
) -> bool:
    """Source and target match, or, for a symmetric type, target and source."""
    if code_matches(expected[0], actual[0]) and code_matches(expected[1], actual[1]):
        return True
    return (
        kind in SYMMETRIC
        and code_matches(expected[0], actual[1])
        and code_matches(expected[1], actual[0])
    )


def case_params(cases: list[dict[str, Any]]) -> list[Any]:
    """One pytest parameter per case, named by its id; a case with an ``xfail`` reason is a
    strict expected failure, so a fix shows up as an unexpected pass."""
    params = []
    for case in cases:
        marks = []
        if case.get("xfail"):
            marks.append(pytest.mark.xfail(reason=str(case["xfail"]), strict=True))
        params.append(pytest.param(case, id=str(case["id"]), marks=marks))
    return params
