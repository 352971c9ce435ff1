from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analytics.intervals import mean_interval, wilson_interval
from veilig.errors import InvalidInput


def test_wilson_by_hand() -> None:
    # x = 8, n = 10, z = 1.959964, z^2 = 3.841459
    # centre = (8 + 1.920729) / 13.841459 = 0.716740
    # half = 1.959964 / 13.841459 * sqrt(8 * 2 / 10 + 0.960365) = 0.141601 * 1.600114 = 0.226578
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.716740 - 0.226578, abs=1e-5)
    assert high == pytest.approx(0.716740 + 0.226578, abs=1e-5)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels(confidence: float) -> None:
    rng = np.random.default_rng(1)
    n = pd.Series(rng.integers(1, 400, size=200))
    x = pd.Series(rng.integers(0, n + 1))
    ours = wilson_interval(x, n, confidence)
    low, high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(ours["ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(ours["ci_high"], high, atol=1e-12)


def test_wilson_extremes_and_empty() -> None:
    assert wilson_interval(0, 20)[0] == 0.0
    assert wilson_interval(20, 20)[1] == 1.0
    low, high = wilson_interval(0, 0)
    assert math.isnan(low)
    assert math.isnan(high)
    frame = wilson_interval(pd.Series([0, 3], index=["a", "b"]), 5)
    assert list(frame.index) == ["a", "b"]
    assert list(frame.columns) == ["ci_low", "ci_high"]


@pytest.mark.parametrize(
    ("successes", "n", "confidence"),
    [(5, 4, 0.95), (-1, 4, 0.95), (1, -1, 0.95), (1, 4, 1.0), (1, 4, 0.0), (math.nan, 4, 0.95)],
)
def test_wilson_refuses_bad_input(successes: float, n: float, confidence: float) -> None:
    with pytest.raises(InvalidInput):
        wilson_interval(successes, n, confidence)


def test_wilson_refuses_misaligned_series() -> None:
    with pytest.raises(InvalidInput, match="same index"):
        wilson_interval(pd.Series([1, 2], index=[0, 1]), pd.Series([5, 5], index=[1, 2]))


def test_mean_interval_by_hand() -> None:
    # mean 3, sd 1, n 16: t(0.975, 15) = 2.131450, se = 1/4 -> 3 -+ 0.532862
    low, high = mean_interval(3.0, 1.0, 16)
    assert low == pytest.approx(3 - 0.532862, abs=1e-6)
    assert high == pytest.approx(3 + 0.532862, abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_mean_interval_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sample = rng.normal(3, 0.8, size=int(rng.integers(2, 60)))
    reference = stats.ttest_1samp(sample, 0).confidence_interval(0.95)
    low, high = mean_interval(sample.mean(), sample.std(ddof=1), len(sample))
    assert low == pytest.approx(reference.low)
    assert high == pytest.approx(reference.high)


def test_mean_interval_series_and_small_n() -> None:
    frame = mean_interval(
        pd.Series([3.0, 2.0, 1.0]), pd.Series([1.0, 1.0, 0.0]), pd.Series([16, 1, 0])
    )
    assert frame["ci_low"].iloc[0] == pytest.approx(2.467138, abs=1e-6)
    assert frame.iloc[1:].isna().all().all()
    with pytest.raises(InvalidInput):
        mean_interval(pd.Series([3.0]), 1.0, 4)  # type: ignore[call-overload]
