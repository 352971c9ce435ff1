from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.scales import describe_scale, scale_scores
from veilig.errors import InvalidInput

ANSWERS = pd.DataFrame(
    {
        "s1": [4, 1, None, 3, None],
        "s2": [2, None, None, 3, None],  # reverse-coded on 1..4
        "s3": [3, 3, 2, 3, None],
    },
    index=pd.Index(["p1", "p2", "p3", "p4", "p5"], name="respondent"),
)


def test_scale_scores_by_hand() -> None:
    # k = 3, min_share 2/3 -> at least ceil(2) = 2 items answered
    # p1: 4, 1+4-2 = 3, 3 -> 10/3; p2: 1, 3 -> 2; p3: one item -> NaN
    # p4: 3, 2, 3 -> 8/3; p5: nothing -> NaN
    scores = scale_scores(ANSWERS, ["s1", "s2", "s3"], reverse=["s2"], low=1, high=4)
    assert scores.name == "score"
    assert scores.index.equals(ANSWERS.index)
    np.testing.assert_allclose(scores, [10 / 3, 2.0, np.nan, 8 / 3, np.nan])


def test_min_share_rounds_up() -> None:
    # 4 items, min_share 2/3 -> ceil(2.67) = 3 answered needed; 1.0 -> all items
    frame = pd.DataFrame({"a": [1, 1], "b": [2, 1], "c": [3, None], "d": [None, None]})
    scores = scale_scores(frame, ["a", "b", "c", "d"], low=1, high=4)
    assert scores.iloc[0] == 2.0
    assert math.isnan(scores.iloc[1])
    full = scale_scores(frame, ["a", "b", "c"], low=1, high=4, min_share=1.0)
    assert full.iloc[0] == 2.0
    assert math.isnan(full.iloc[1])


def test_all_missing_gives_all_nan() -> None:
    frame = pd.DataFrame({"a": [np.nan, np.nan], "b": [np.nan, np.nan]})
    assert scale_scores(frame, ["a", "b"], low=1, high=4).isna().all()
    empty = scale_scores(frame.iloc[:0], ["a", "b"], low=1, high=4)
    assert len(empty) == 0


@pytest.mark.parametrize(
    ("items", "reverse", "low", "high", "min_share", "match"),
    [
        ([], [], 1, 4, 2 / 3, "at least one item"),
        (["s1", "nope"], [], 1, 4, 2 / 3, "nope"),
        (["s1"], ["s3"], 1, 4, 2 / 3, "reverse"),
        (["s1"], [], 4, 1, 2 / 3, "low must be below high"),
        (["s1"], [], 1, 3, 2 / 3, "outside 1..3"),
        (["s1"], [], 1, 4, 0.0, "min_share"),
    ],
)
def test_scale_scores_refuses(
    items: list[str], reverse: list[str], low: int, high: int, min_share: float, match: str
) -> None:
    with pytest.raises(InvalidInput, match=match):
        scale_scores(ANSWERS, items, reverse, low=low, high=high, min_share=min_share)


def test_text_codes_are_refused() -> None:
    frame = pd.DataFrame({"a": ["1", "x"]})
    with pytest.raises(InvalidInput, match="'a'"):
        scale_scores(frame, ["a"], low=1, high=4)


def test_describe_scale_by_hand_and_against_scipy() -> None:
    # 2, 3, 4: mean 3, sd 1, n 3; t(0.975, 2) = 4.302653; half = 4.302653 / sqrt(3) = 2.484138
    summary = describe_scale(pd.Series([2.0, 3.0, np.nan, 4.0]))
    assert (summary.mean, summary.sd, summary.n) == (3.0, 1.0, 3)
    assert summary.ci_low == pytest.approx(3 - 2.484138, abs=1e-6)
    rng = np.random.default_rng(3)
    sample = rng.uniform(1, 4, 40)
    reference = stats.ttest_1samp(sample, 0).confidence_interval(0.9)
    result = describe_scale(pd.Series(sample), confidence=0.9)
    assert (result.ci_low, result.ci_high) == pytest.approx((reference.low, reference.high))


def test_describe_scale_edge_cases() -> None:
    nothing = describe_scale(pd.Series([np.nan, np.nan]))
    assert nothing.n == 0
    assert all(math.isnan(v) for v in (nothing.mean, nothing.sd, nothing.ci_low, nothing.ci_high))
    one = describe_scale(pd.Series([2.5]))
    assert (one.mean, one.n) == (2.5, 1)
    assert math.isnan(one.sd)
    assert math.isnan(one.ci_low)
