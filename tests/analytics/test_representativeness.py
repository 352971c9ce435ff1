from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.representativeness import (
    Verdict,
    margin_of_error,
    representativeness,
    required_sample_size,
    response_rates,
)
from veilig.errors import InvalidInput


def test_required_sample_size_by_hand() -> None:
    # n0 = 1.959964^2 * 0.25 / 0.05^2 = 384.1459
    # N = 500: 384.1459 / (1 + 383.1459 / 500) = 384.1459 / 1.766292 = 217.49 -> 218
    # N = 30:  384.1459 / (1 + 383.1459 / 30) = 384.1459 / 13.77153 = 27.89 -> 28
    assert required_sample_size(500) == 218
    assert required_sample_size(30) == 28
    assert required_sample_size(1) == 1
    assert required_sample_size(0) == 0
    # a 10-point margin: n0 = 96.04; N = 100 -> 96.04 / 1.9504 = 49.24 -> 50
    assert required_sample_size(100, margin=0.10) == 50


def test_margin_of_error_by_hand() -> None:
    # n = 100 of N = 400, p = 0.5: 1.959964 * sqrt(0.25 / 100) * sqrt(300 / 399)
    #   = 1.959964 * 0.05 * 0.867110 = 0.084975
    assert margin_of_error(100, 400) == pytest.approx(0.084975, abs=1e-6)
    assert margin_of_error(400, 400) == 0.0
    assert margin_of_error(0, 400) == math.inf
    with pytest.raises(InvalidInput, match="exceed"):
        margin_of_error(401, 400)


@given(st.integers(1, 5000), st.sampled_from([0.03, 0.05, 0.1]), st.sampled_from([0.5, 0.8]))
def test_required_size_meets_its_margin(population: int, margin: float, p: float) -> None:
    n = required_sample_size(population, margin, p)
    assert margin_of_error(n, population, p) <= margin + 1e-12
    if n > 1:  # and it is the smallest such n
        assert margin_of_error(n - 1, population, p) > margin


def test_response_rates() -> None:
    table = response_rates(pd.Series({"7": 20}), pd.Series({"7": 25, "8": 30, "9": 0}))
    assert table["responded"].tolist() == [20, 0, 0]
    assert table["rate"].iloc[:2].tolist() == [0.8, 0.0]
    assert math.isnan(table["rate"].iloc[2])
    with pytest.raises(InvalidInput, match="more responses"):
        response_rates(pd.Series({"7": 26}), pd.Series({"7": 25}))
    with pytest.raises(InvalidInput, match="without enrolled"):
        response_rates(pd.Series({"6": 1}), pd.Series({"7": 25}))


def test_verdicts() -> None:
    enrolled = pd.Series({"7": 210, "8": 60})
    # N = 270 needs 384.1459 / (1 + 383.1459/270) = 158.8 -> 159
    good = representativeness(pd.Series({"7": 150, "8": 40}), enrolled)
    assert good.verdict is Verdict.REPRESENTATIVE
    assert (good.responded, good.enrolled, good.required) == (190, 270, 159)
    assert good.worst_group == "8"
    assert good.worst_rate == pytest.approx(40 / 60)
    skewed = representativeness(pd.Series({"7": 200, "8": 20}), enrolled)
    assert skewed.verdict is Verdict.NOT_REPRESENTATIVE
    assert (skewed.worst_responded, skewed.worst_enrolled) == (20, 60)
    assert skewed.margin_of_error <= 0.05
    few = representativeness(pd.Series({"7": 100, "8": 50}), enrolled)
    assert few.verdict is Verdict.TOO_FEW_RESPONSES
    assert few.margin_of_error > 0.05


def test_nobody_enrolled_or_answered() -> None:
    empty = representativeness(pd.Series(dtype="int64"), pd.Series({"7": 0}))
    assert empty.verdict is Verdict.TOO_FEW_RESPONSES
    assert empty.worst_group is None
    none = representativeness(pd.Series(dtype="int64"), pd.Series({"7": 30}))
    assert none.verdict is Verdict.TOO_FEW_RESPONSES
    assert none.margin_of_error == math.inf
