"""``python -m benchmarks.places`` (run by ``make bench``): the place stage is timed inside
real coding, and every event of the generated articles is placed."""

from __future__ import annotations

import pytest

from benchmarks.places import measure


@pytest.mark.slow
def test_the_place_stage_is_timed_inside_coding() -> None:
    result = measure(docs=8, model="sm", rounds=2)
    assert result.docs >= 8 and result.events > 0 and result.placed == result.events
    assert len(result.rounds) == 2 and result.build_s > 0
    for done in result.rounds:
        assert 0 < done.stage_cpu_s < done.cpu_s and 0 < done.share < 1
