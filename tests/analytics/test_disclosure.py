"""The release plan by hand: the one rule of analytics.disclosure, case by case (issue 9)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analytics.dataset import DECLINED
from analytics.disclosure import (
    ONE_SCHOOL_HIDDEN,
    STATUS,
    UNKNOWN_CATEGORY,
    _hidden_categories,
    release_plan,
)
from analytics.suppression import ALL, suppress
from tests.analytics.builders import YEAR, dataset, pupil
from veilig.errors import InvalidInput


def _school(code: str, count: int, **answers: int) -> list[dict[str, object]]:
    return [pupil(code, **answers) for _ in range(count)]


def test_units_are_published_by_counted_respondents_and_exported_when_closed() -> None:
    rows = [*_school("12AB00", 10), *_school("34CD00", 9), *_school("56EF00", 12)]
    # Three pupils of 56EF00 answer too little to count: 9 counted.
    rows += [pupil("56EF00", safety=[3, 0, 0, 0, 0, 0]) for _ in range(3)]
    data = dataset(rows)
    rounds = data.rounds.copy()
    rounds.loc[rounds["school"] == "12AB00", "status"] = "open"
    plan = release_plan(replace(data, rounds=rounds), YEAR)
    assert plan.published("12AB00", "po") and not plan.published("34CD00", "po")
    assert plan.published("56EF00", "po")
    assert plan.exported() == frozenset({("56EF00", "po")})  # 12AB00's round is open
    with pytest.raises(InvalidInput, match="min_n"):
        release_plan(data, YEAR, min_n=0)


def test_an_item_answered_by_fewer_than_min_n_is_hidden_whatever_saw_it() -> None:
    rows = _school("12AB00", 9, bullied=1) + _school("12AB00", 2, bullied=DECLINED)
    plan = release_plan(dataset(rows), YEAR)
    assert plan.published("12AB00", "po")
    assert not plan.item_shown("12AB00", "po", "bullied")  # 11 saw it, 9 answered
    assert plan.item_shown("12AB00", "po", "safe_school")


def test_started_and_completed_only_without_a_small_part() -> None:
    partial = _school("12AB00", 10) + [pupil("12AB00", completed=False) for _ in range(2)]
    whole = _school("34CD00", 12)
    plan = release_plan(dataset(partial + whole), YEAR)
    assert not plan.completion_shown("12AB00", "po")  # 2 partial
    assert plan.completion_shown("34CD00", "po")  # 0 partial, 0 not counted


def test_a_band_figure_that_one_school_hides_is_hidden() -> None:
    one = _school("12AB00", 9, bullied=1) + _school("12AB00", 2, bullied=DECLINED)
    plan = release_plan(dataset(one + _school("34CD00", 20, bullied=2)), YEAR)
    assert not plan.band_shown("po", "bullied")
    # A second school that hides it too: the band gives only the sum of the two.
    two = one + [{**row, "school": "56EF00"} for row in one]
    plan = release_plan(dataset(two + _school("34CD00", 20, bullied=2)), YEAR)
    assert plan.band_shown("po", "bullied")
    assert plan.band_shown("po", STATUS) and ONE_SCHOOL_HIDDEN == "one_school_hidden"


def test_hidden_categories_are_those_of_the_suppression_gate() -> None:
    for seed in range(60):
        _check_categories(np.random.default_rng(seed))


def _check_categories(rng: np.random.Generator) -> None:
    slots = {"boy": [2], "girl": [3], "other": [4], UNKNOWN_CATEGORY: [0, 1]}
    counts = rng.integers(0, 25, size=5) * (rng.random(5) < 0.8)
    if counts.sum() < 10:
        counts[2] += 10
    cells = {name: int(counts[at].sum()) for name, at in sorted(slots.items())}
    present = {name: n for name, n in cells.items() if n > 0}
    table = pd.DataFrame(
        {"category": [*present, ALL], "n": [*present.values(), sum(cells.values())]}
    )
    checked = suppress(table, "category", min_n=10, figures=[])
    expected = set(checked.loc[checked["suppressed"] & (checked["category"] != ALL), "category"])
    assert set(_hidden_categories(counts, slots, 10)) == expected, counts
