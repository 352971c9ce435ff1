from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest

from analytics.reliability import cronbach_alpha, item_total_correlations
from veilig.errors import InvalidInput

SMALL = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4], "c": [1, 3, 3, 4]})


def test_alpha_by_hand() -> None:
    # item variances: a 5/3, b 4/3, c 4.75/3 -> sum 13.75/3 = 4.583333
    # totals 4, 7, 10, 12 -> mean 8.25, SS 36.75, variance 12.25
    # alpha = 3/2 * (1 - 4.583333 / 12.25) = 0.938776
    result = cronbach_alpha(SMALL, min_cases=4)
    assert result.alpha == pytest.approx(1.5 * (1 - (13.75 / 3) / 12.25))
    assert (result.n, result.k) == (4, 3)
    assert result.ci_low < result.alpha < result.ci_high


def _likert(seed: int, n: int, k: int, missing: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=(n, 1))
    raw = trait + rng.normal(scale=rng.uniform(0.6, 1.5), size=(n, k))
    codes = np.clip(np.round(raw + 2.5), 1, 4)
    codes[rng.random((n, k)) < missing] = np.nan
    return pd.DataFrame(codes, columns=[f"q{j}" for j in range(k)])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_alpha_matches_pingouin(seed: int, confidence: float) -> None:
    data = _likert(seed, n=80 + 20 * seed, k=3 + seed % 4, missing=0.08)
    ours = cronbach_alpha(data, confidence)
    # pingouin counts n before its listwise deletion, so its interval would use the wrong n;
    # give it the complete cases directly (its alpha is the same either way).
    complete = data.dropna()
    alpha, (low, high) = pingouin.cronbach_alpha(complete, ci=confidence)
    assert ours.alpha == pytest.approx(alpha, abs=1e-12)
    listwise, _ = pingouin.cronbach_alpha(data, nan_policy="listwise")
    assert ours.alpha == pytest.approx(listwise, abs=1e-12)
    assert ours.n == len(complete)
    # pingouin rounds its interval to 3 decimals
    assert ours.ci_low == pytest.approx(low, abs=5e-4)
    assert ours.ci_high == pytest.approx(high, abs=5e-4)


def test_constant_item_is_allowed_and_matches_pingouin() -> None:
    data = _likert(9, n=50, k=4, missing=0.0)
    data["q0"] = 2.0
    alpha, _ = pingouin.cronbach_alpha(data)
    assert cronbach_alpha(data).alpha == pytest.approx(alpha)
    table = item_total_correlations(data)
    assert np.isnan(table["r_corrected"]["q0"])
    assert table.loc[["q1", "q2", "q3"], "r_corrected"].notna().all()


def test_alpha_refusals() -> None:
    with pytest.raises(InvalidInput, match="at least 2 items"):
        cronbach_alpha(SMALL[["a"]], min_cases=2)
    with pytest.raises(InvalidInput, match="only 4 pupils"):
        cronbach_alpha(SMALL)
    with pytest.raises(InvalidInput, match="only 0 pupils"):
        cronbach_alpha(pd.DataFrame({"a": [np.nan] * 12, "b": [1.0] * 12}))
    constant = pd.DataFrame({"a": [2] * 12, "b": [3] * 12})
    with pytest.raises(InvalidInput, match="undefined"):
        cronbach_alpha(constant)


def test_item_total_by_hand_and_against_numpy() -> None:
    # a with b + c = 3, 5, 7, 8: r = 0.989778
    table = item_total_correlations(SMALL, min_cases=4)
    assert table.loc["a", "r_corrected"] == pytest.approx(
        np.corrcoef([1, 2, 3, 4], [3, 5, 7, 8])[0, 1]
    )
    data = _likert(4, n=60, k=5, missing=0.05)
    table = item_total_correlations(data)
    complete = data.dropna()
    for item in data.columns:
        rest = complete.drop(columns=item).sum(axis=1)
        expected = np.corrcoef(complete[item], rest)[0, 1]
        assert table.loc[item, "r_corrected"] == pytest.approx(expected)
        without, _ = pingouin.cronbach_alpha(complete.drop(columns=item))
        assert table.loc[item, "alpha_if_deleted"] == pytest.approx(without)


def test_item_total_two_items_has_no_alpha_if_deleted() -> None:
    table = item_total_correlations(SMALL[["a", "b"]], min_cases=4)
    assert table["alpha_if_deleted"].isna().all()
