"""A school beside others (percentile among peers) and beside its own previous year.

The year-on-year differences treat the two years as independent samples. Pupils answer
anonymously, so answers cannot be paired across years; where the same pupils answer twice the
intervals are somewhat conservative (positive correlation narrows the true interval).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analytics._checks import check_confidence, check_count
from analytics.intervals import wilson_interval
from veilig.errors import InvalidInput

__all__ = [
    "Difference",
    "mean_difference",
    "percentile_rank",
    "percentile_ranks",
    "proportion_difference",
]


def percentile_rank(score: float, peers: pd.Series, *, min_schools: int = 20) -> float | None:
    """Percentile rank of ``score`` among ``peers`` (the *other* schools of the same sector
    and school year); None when fewer than ``min_schools`` schools (the school included) have
    a score, since a rank among a handful of schools says little and could identify them.

    .. math::  PR = 100 \\cdot \\frac{B + E/2}{N}

    with B the schools below, E the schools equal (the school itself included) and N all
    schools, the mid-rank definition (Crocker & Algina (1986), Introduction to classical and
    modern test theory, ch. 19). A school above all others gets ``100 (N - 1/2)/N``.

    >>> # (2 below + 2 equal / 2) / 5 schools
    >>> percentile_rank(3.0, pd.Series([1.0, 2.0, 3.0, 4.0]), min_schools=5)
    60.0
    """
    if min_schools < 1:
        raise InvalidInput(f"min_schools must be 1 or more, got {min_schools}")
    if math.isnan(score):
        return None
    values = pd.to_numeric(peers, errors="coerce").astype(float).dropna().to_numpy()
    total = len(values) + 1
    if total < min_schools:
        return None
    below = float((values < score).sum())
    equal = float((values == score).sum()) + 1.0
    return 100.0 * (below + equal / 2.0) / total


def percentile_ranks(
    scores: pd.DataFrame,
    score: str,
    by: Sequence[Hashable] = ("sector", "year"),
    *,
    min_schools: int = 20,
) -> pd.Series:
    """:func:`percentile_rank` for every school (row) of ``scores`` within its ``by`` group.

    Returns a float Series on ``scores``' index named ``"percentile"``: NaN where the score is
    missing or the group has fewer than ``min_schools`` scored schools.

    >>> frame = pd.DataFrame({"sector": "PO", "year": 2025, "mean": [1.0, 2.0, 2.0, 4.0]})
    >>> percentile_ranks(frame, "mean", min_schools=4).tolist()
    [12.5, 50.0, 50.0, 87.5]
    """
    if min_schools < 1:
        raise InvalidInput(f"min_schools must be 1 or more, got {min_schools}")
    missing = [column for column in [score, *by] if column not in scores.columns]
    if missing:
        raise InvalidInput(f"columns not in the scores frame: {missing}")
    values = pd.to_numeric(scores[score], errors="coerce").astype(float)
    keys = [scores[column] for column in by]
    grouped = values.groupby(keys, dropna=False) if keys else values.groupby(np.zeros(len(values)))
    ranks = grouped.rank(method="average")
    counts = grouped.transform("count")
    with np.errstate(invalid="ignore", divide="ignore"):
        result = 100.0 * (ranks - 0.5) / counts
    return result.where(counts >= min_schools).astype(float).rename("percentile")


@dataclass(frozen=True, slots=True)
class Difference:
    """``difference`` = this year minus last year, its interval and whether 0 lies outside."""

    difference: float
    ci_low: float
    ci_high: float
    significant: bool


def _difference(difference: float, low: float, high: float) -> Difference:
    significant = bool(not math.isnan(low) and (low > 0 or high < 0))
    return Difference(difference=difference, ci_low=low, ci_high=high, significant=significant)


def mean_difference(
    mean: float,
    sd: float,
    n: int,
    previous_mean: float,
    previous_sd: float,
    previous_n: int,
    confidence: float = 0.95,
) -> Difference:
    """Difference of two independent means with the Welch interval.

    .. math::

        \\bar x_1 - \\bar x_0 \\pm t_{1-\\alpha/2,\\,\\nu}\\sqrt{s_1^2/n_1 + s_0^2/n_0},\\qquad
        \\nu = \\frac{(s_1^2/n_1 + s_0^2/n_0)^2}
                   {\\frac{(s_1^2/n_1)^2}{n_1-1} + \\frac{(s_0^2/n_0)^2}{n_0-1}}

    Interval NaN (and not significant) when a year has fewer than 2 pupils or both sds are 0.
    Reference: Welch, B. L. (1947). The generalization of "Student's" problem when several
    different population variances are involved. Biometrika 34(1-2), 28-35.

    >>> d = mean_difference(3.2, 0.5, 50, 3.0, 0.5, 50)
    >>> round(d.ci_low, 4), round(d.ci_high, 4), d.significant
    (0.0016, 0.3984, True)
    """
    check_confidence(confidence)
    for name, value in (("n", n), ("previous_n", previous_n), ("sd", sd)):
        check_count(name, value)
    check_count("previous_sd", previous_sd)
    difference = mean - previous_mean
    if n < 2 or previous_n < 2:
        return _difference(difference, math.nan, math.nan)
    v1, v0 = sd * sd / n, previous_sd * previous_sd / previous_n
    if v1 + v0 == 0:
        return _difference(difference, math.nan, math.nan)
    nu = (v1 + v0) ** 2 / (v1 * v1 / (n - 1) + v0 * v0 / (previous_n - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, nu)) * math.sqrt(v1 + v0)
    return _difference(difference, difference - half, difference + half)


def proportion_difference(
    count: int,
    n: int,
    previous_count: int,
    previous_n: int,
    confidence: float = 0.95,
) -> Difference:
    """Difference of two independent proportions with Newcombe's hybrid score interval.

    .. math::

        d = p_1 - p_0,\\quad
        [\\,d - \\sqrt{(p_1 - l_1)^2 + (u_0 - p_0)^2},\\;
           d + \\sqrt{(u_1 - p_1)^2 + (p_0 - l_0)^2}\\,]

    with :math:`(l_i, u_i)` the Wilson intervals of each year (method 10 of Newcombe, R. G.
    (1998). Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Statistics in Medicine 17(8), 873-890). Good coverage for
    small n and shares near 0 or 1, where the Wald interval fails. NaN when a year has n = 0.

    >>> d = proportion_difference(10, 100, 20, 100)
    >>> round(d.ci_low, 4), round(d.ci_high, 4), d.significant
    (-0.1995, -0.0001, True)
    """
    low1, high1 = wilson_interval(count, n, confidence)
    low0, high0 = wilson_interval(previous_count, previous_n, confidence)
    if n == 0 or previous_n == 0:
        share = count / n if n else math.nan
        previous = previous_count / previous_n if previous_n else math.nan
        return _difference(share - previous, math.nan, math.nan)
    p1, p0 = count / n, previous_count / previous_n
    difference = p1 - p0
    low = difference - math.sqrt((p1 - low1) ** 2 + (high0 - p0) ** 2)
    high = difference + math.sqrt((high1 - p1) ** 2 + (p0 - low0) ** 2)
    return _difference(difference, low, high)
