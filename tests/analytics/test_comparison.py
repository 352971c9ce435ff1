from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from analytics.comparison import (
    mean_difference,
    percentile_rank,
    percentile_ranks,
    proportion_difference,
)


def test_percentile_rank_by_hand() -> None:
    peers = pd.Series(np.arange(1.0, 21.0))  # 20 other schools scoring 1..20
    # score 10.5: 10 below, itself equal -> (10 + 0.5) / 21 * 100 = 50.0
    assert percentile_rank(10.5, peers) == pytest.approx(50.0)
    # score 10: 9 below, 2 equal (peer 10 and itself) -> (9 + 1) / 21 * 100 = 47.619
    assert percentile_rank(10.0, peers) == pytest.approx(1000 / 21)


def test_percentile_needs_enough_schools() -> None:
    assert percentile_rank(3.0, pd.Series([], dtype=float)) is None  # one school only
    assert percentile_rank(3.0, pd.Series(np.arange(18.0))) is None  # 19 schools
    assert percentile_rank(3.0, pd.Series(np.arange(19.0))) is not None  # 20 schools
    assert percentile_rank(math.nan, pd.Series(np.arange(30.0))) is None


def test_percentile_ranks_per_group() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "sector": ["PO"] * 25 + ["VO"] * 5,
            "year": 2025,
            "mean": rng.uniform(2, 4, 30).round(1),
        }
    )
    ranks = percentile_ranks(frame, "mean")
    assert ranks.iloc[25:].isna().all()  # only 5 VO schools
    for i in range(25):
        peers = frame["mean"].iloc[:25].drop(index=i)
        assert ranks.iloc[i] == pytest.approx(percentile_rank(frame["mean"].iloc[i], peers))


def test_mean_difference_by_hand() -> None:
    # 3.2 - 3.0 = 0.2; se = sqrt(0.25/50 + 0.25/50) = 0.1; nu = 98; t(0.975, 98) = 1.984467
    d = mean_difference(3.2, 0.5, 50, 3.0, 0.5, 50)
    assert d.ci_low == pytest.approx(0.2 - 0.1984467, abs=1e-6)
    assert d.significant


@pytest.mark.parametrize("seed", range(5))
def test_mean_difference_matches_scipy_welch(seed: int) -> None:
    rng = np.random.default_rng(seed)
    now = rng.normal(3.1, 0.6, int(rng.integers(5, 80)))
    before = rng.normal(3.0, 0.9, int(rng.integers(5, 80)))
    reference = stats.ttest_ind(now, before, equal_var=False).confidence_interval(0.95)
    d = mean_difference(
        now.mean(), now.std(ddof=1), len(now), before.mean(), before.std(ddof=1), len(before)
    )
    assert (d.ci_low, d.ci_high) == pytest.approx((reference.low, reference.high))


def test_mean_difference_without_information() -> None:
    d = mean_difference(3.0, 0.5, 1, 2.0, 0.5, 40)
    assert d.difference == 1.0
    assert math.isnan(d.ci_low)
    assert not d.significant


@pytest.mark.parametrize(
    ("x1", "n1", "x0", "n0"),
    [(10, 100, 20, 100), (0, 15, 3, 12), (15, 15, 10, 12), (5, 40, 5, 40), (97, 100, 90, 95)],
)
def test_proportion_difference_matches_statsmodels_newcombe(
    x1: int, n1: int, x0: int, n0: int
) -> None:
    low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff")
    d = proportion_difference(x1, n1, x0, n0)
    assert d.difference == pytest.approx(x1 / n1 - x0 / n0)
    assert (d.ci_low, d.ci_high) == pytest.approx((low, high))
    assert d.significant == (low > 0 or high < 0)


def test_proportion_difference_empty_year() -> None:
    d = proportion_difference(3, 10, 0, 0)
    assert math.isnan(d.difference)
    assert not d.significant
