from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analytics.prevalence import (
    DECLINED,
    any_prevalence,
    feels_safe,
    option_shares,
    prevalence,
    prevalence_table,
)
from veilig.errors import InvalidInput

# Olweus frequency codes: 0 not at all, 1 once or twice, 2 two or three times a month,
# 3 about once a week, 4 several times a week. Bullied: code >= 2.
BULLYING = pd.DataFrame(
    {
        "verbal": [0, 2, 4, 1, None, 0, 3, 0],
        "online": [0, 0, 1, None, None, 0, 0, 2],
    }
)


def test_prevalence_by_hand() -> None:
    # verbal answered by 7, of whom 3 at >= 2 (2, 4, 3): 3/7
    result = prevalence(BULLYING["verbal"], cutoff=2)
    assert (result.count, result.n) == (3, 7)
    assert result.share == pytest.approx(3 / 7)
    low, high = proportion_confint(3, 7, method="wilson")
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))


def test_prevalence_nobody_answered() -> None:
    result = prevalence(pd.Series([np.nan, np.nan]), cutoff=2)
    assert (result.count, result.n) == (0, 0)
    assert math.isnan(result.share)
    assert math.isnan(result.ci_low)


def test_prevalence_table() -> None:
    # online: answered 6, at >= 2: one (the 2) -> 1/6
    table = prevalence_table(BULLYING, ["verbal", "online"], cutoff={"verbal": 2, "online": 2})
    assert table.index.name == "item"
    assert table.loc["online", "count"] == 1
    assert table.loc["online", "n"] == 6
    assert table.loc["verbal", "share"] == pytest.approx(3 / 7)
    with pytest.raises(InvalidInput, match="no cut-off"):
        prevalence_table(BULLYING, ["verbal", "online"], cutoff={"verbal": 2})


def test_any_prevalence_by_hand() -> None:
    # pupil: verbal, online -> bullied?
    # 0,0 no; 2,0 yes; 4,1 yes; 1,NaN: 1 of 2 answered < ceil(4/3) = 2 -> unknown;
    # NaN,NaN unknown; 0,0 no; 3,0 yes; 0,2 yes  -> 4 of 6
    result = any_prevalence(BULLYING, ["verbal", "online"], cutoff=2)
    assert (result.count, result.n) == (4, 6)


def test_option_shares_with_declined() -> None:
    answers = pd.Series([0, 0, 1, None, None, 4])
    declined = pd.Series([False, False, False, True, False, False])
    # seen: 4 answered + 1 declined = 5 (pupil 5 was not asked)
    shares = option_shares(answers, [0, 1, 2, 3, 4], declined)
    assert list(shares.index) == [0, 1, 2, 3, 4, DECLINED]
    assert shares["count"].tolist() == [2, 1, 0, 0, 1, 1]
    np.testing.assert_allclose(shares["share"], [2 / 5, 1 / 5, 0, 0, 1 / 5, 1 / 5])
    assert shares["share"].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(shares["share_of_answered"].iloc[:5], [2 / 4, 1 / 4, 0, 0, 1 / 4])
    assert np.isnan(shares["share_of_answered"][DECLINED])
    low, high = proportion_confint(2, 5, method="wilson")
    assert (shares["ci_low"].iloc[0], shares["ci_high"].iloc[0]) == pytest.approx((low, high))


def test_option_shares_refuses() -> None:
    with pytest.raises(InvalidInput, match="not options"):
        option_shares(pd.Series([0, 7]), [0, 1])
    with pytest.raises(InvalidInput, match="both answer and decline"):
        option_shares(pd.Series([0, 1]), [0, 1], pd.Series([True, False]))


def test_option_shares_nobody() -> None:
    shares = option_shares(pd.Series([np.nan]), [0, 1])
    assert shares["count"].tolist() == [0, 0]
    assert shares["share"].isna().all()


def test_feels_safe_by_hand() -> None:
    # scale 1..4, "agree" = 3; items a, b, c (c reverse-coded: 5 - x)
    # p1: 4, 3, 5-1=4 -> 11/3 >= 3 safe; p2: 2, 2, 5-3=2 -> 2 not safe
    # p3: 3, 3, 5-4=1 -> 7/3 not safe; p4: 4, 2, NaN -> 3 (2 of 3 answered) safe, exactly 3
    # p5: 4, NaN, NaN -> no score
    frame = pd.DataFrame(
        {"a": [4, 2, 3, 4, 4], "b": [3, 2, 3, 2, None], "c": [1, 3, 4, None, None]}
    )
    result = feels_safe(frame, ["a", "b", "c"], threshold=3, reverse=["c"], low=1, high=4)
    assert (result.count, result.n) == (2, 4)
    single = feels_safe(frame, ["a"], threshold=3, low=1, high=4)
    assert (single.count, single.n) == (4, 5)  # the single-item rule: a >= 3
    with pytest.raises(InvalidInput, match="threshold"):
        feels_safe(frame, ["a"], threshold=5, low=1, high=4)
