"""Confidence intervals for a proportion (Wilson) and for a mean (Student t).

Both functions take scalars or pandas Series; with Series they return a frame with columns
``ci_low`` and ``ci_high`` on the same index, so a whole table is done in one call.
Where there is no information (n = 0 for a proportion, n < 2 for a mean) the bounds are NaN.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import pandas as pd
from scipy import stats

from analytics._checks import check_confidence
from veilig.errors import InvalidInput

__all__ = ["mean_interval", "wilson_interval"]


def _as_arrays(
    name_a: str, a: float | pd.Series, name_b: str, b: float | pd.Series
) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    index: pd.Index | None = None
    for value in (a, b):
        if isinstance(value, pd.Series):
            if index is not None and not value.index.equals(index):
                raise InvalidInput(
                    f"{name_a} and {name_b} must have the same index to be paired row by row"
                )
            index = value.index
    arr_a = np.asarray(pd.to_numeric(a), dtype=float) if isinstance(a, pd.Series) else None
    arr_b = np.asarray(pd.to_numeric(b), dtype=float) if isinstance(b, pd.Series) else None
    if arr_a is None:
        arr_a = np.full(1 if arr_b is None else arr_b.shape, float(a))  # type: ignore[arg-type]
    if arr_b is None:
        arr_b = np.full(arr_a.shape, float(b))  # type: ignore[arg-type]
    return arr_a, arr_b, index


def _result(
    low: np.ndarray, high: np.ndarray, index: pd.Index | None
) -> tuple[float, float] | pd.DataFrame:
    if index is None:
        return float(low[0]), float(high[0])
    return pd.DataFrame({"ci_low": low, "ci_high": high}, index=index)


@overload
def wilson_interval(
    successes: float, n: float, confidence: float = 0.95
) -> tuple[float, float]: ...
@overload
def wilson_interval(
    successes: pd.Series, n: float | pd.Series, confidence: float = 0.95
) -> pd.DataFrame: ...
@overload
def wilson_interval(
    successes: float | pd.Series, n: pd.Series, confidence: float = 0.95
) -> pd.DataFrame: ...


def wilson_interval(
    successes: float | pd.Series, n: float | pd.Series, confidence: float = 0.95
) -> tuple[float, float] | pd.DataFrame:
    """Wilson score interval for a proportion ``successes / n``.

    .. math::

        \\frac{x + z^2/2}{n + z^2} \\pm \\frac{z}{n + z^2}\\sqrt{\\frac{x(n-x)}{n} + \\frac{z^2}{4}}

    with z the ``(1 + confidence) / 2`` normal quantile. Unlike the Wald interval it stays in
    [0, 1] and keeps its coverage for the small groups and extreme shares (97 % feel safe) of a
    school report. ``n = 0`` gives ``(nan, nan)``.

    Reference: Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22(158), 209-212.

    Returns ``(ci_low, ci_high)`` for scalars, a frame with ``ci_low``/``ci_high`` for Series.

    >>> low, high = wilson_interval(8, 10)
    >>> round(low, 4), round(high, 4)
    (0.4902, 0.9433)
    """
    z = check_confidence(confidence)
    x, size, index = _as_arrays("successes", successes, "n", n)
    if np.isnan(x).any() or np.isnan(size).any():
        raise InvalidInput("successes and n must not be missing; drop those rows first")
    if (size < 0).any() or (x < 0).any() or (x > size).any():
        raise InvalidInput("successes must lie between 0 and n, and n must be 0 or more")
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (x + z2 / 2.0) / (size + z2)
        half = z / (size + z2) * np.sqrt(x * (size - x) / size + z2 / 4.0)
    empty = size == 0
    # The bounds are exactly 0 at x = 0 and 1 at x = n; say so instead of rounding noise.
    low = np.where(empty, np.nan, np.where(x == 0, 0.0, np.clip(centre - half, 0.0, 1.0)))
    high = np.where(empty, np.nan, np.where(x == size, 1.0, np.clip(centre + half, 0.0, 1.0)))
    return _result(low, high, index)


@overload
def mean_interval(
    mean: float, sd: float, n: float, confidence: float = 0.95
) -> tuple[float, float]: ...
@overload
def mean_interval(
    mean: pd.Series, sd: pd.Series, n: pd.Series, confidence: float = 0.95
) -> pd.DataFrame: ...


def mean_interval(
    mean: float | pd.Series,
    sd: float | pd.Series,
    n: float | pd.Series,
    confidence: float = 0.95,
) -> tuple[float, float] | pd.DataFrame:
    """Student t interval for a mean from its summary statistics.

    .. math::  \\bar x \\pm t_{1-\\alpha/2,\\, n-1}\\; s / \\sqrt{n}

    with s the sample standard deviation (ddof = 1). ``n < 2`` gives ``(nan, nan)``.

    Reference: Student (1908). The probable error of a mean. Biometrika 6(1), 1-25.

    >>> low, high = mean_interval(3.0, 1.0, 16)
    >>> round(low, 4), round(high, 4)
    (2.4671, 3.5329)
    """
    check_confidence(confidence)
    if isinstance(mean, pd.Series) or isinstance(sd, pd.Series) or isinstance(n, pd.Series):
        if not (
            isinstance(mean, pd.Series) and isinstance(sd, pd.Series) and isinstance(n, pd.Series)
        ):
            raise InvalidInput("give mean, sd and n all as Series or all as numbers")
        m, s, index = _as_arrays("mean", mean, "sd", sd)
        size, _, _ = _as_arrays("n", n, "sd", sd)
    else:
        m, s, index = _as_arrays("mean", mean, "sd", sd)
        size = np.array([float(n)])
    if (size < 0).any() or (s < 0).any():
        raise InvalidInput("n must be 0 or more and sd must not be negative")
    enough = size >= 2
    df = np.where(enough, size - 1.0, 1.0)
    t = stats.t.ppf(0.5 + confidence / 2.0, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t * s / np.sqrt(size)
    low = np.where(enough, m - half, np.nan)
    high = np.where(enough, m + half, np.nan)
    return _result(low, high, index)
