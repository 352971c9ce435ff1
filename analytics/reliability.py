"""Internal consistency of a scale: Cronbach's alpha with the Feldt interval, item-total
correlations.

Both use listwise deletion: only pupils who answered every item count (as
``psych::alpha(use="complete.obs")`` and ``pingouin.cronbach_alpha(nan_policy="listwise")``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analytics._checks import check_confidence
from veilig.errors import InvalidInput

__all__ = ["Reliability", "cronbach_alpha", "item_total_correlations"]


@dataclass(frozen=True, slots=True)
class Reliability:
    """Cronbach's alpha, its Feldt interval, the complete cases ``n`` and the items ``k``."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int


def _complete_cases(items: pd.DataFrame, min_cases: int) -> np.ndarray:
    if items.shape[1] < 2:
        raise InvalidInput(f"alpha needs at least 2 items, got {items.shape[1]}")
    if min_cases < 2:
        raise InvalidInput(f"min_cases must be 2 or more, got {min_cases}")
    numeric = items.apply(pd.to_numeric, errors="coerce").astype(float)
    if (numeric.isna() & items.notna()).any().any():
        raise InvalidInput("items must hold numeric option codes")
    complete = np.asarray(numeric.dropna(axis=0, how="any"), dtype=float)
    if len(complete) < min_cases:
        raise InvalidInput(
            f"only {len(complete)} pupils answered all {items.shape[1]} items; "
            f"alpha needs at least {min_cases}"
        )
    return complete


def _alpha(data: np.ndarray) -> float:
    k = data.shape[1]
    item_variances = data.var(axis=0, ddof=1).sum()
    total_variance = data.sum(axis=1).var(ddof=1)
    # Relative tolerance: sums of codes are exact in floating point up to rounding noise.
    if total_variance <= 1e-12 * max(1.0, item_variances):
        raise InvalidInput(
            "every pupil has the same total score, so alpha is undefined "
            "(0/0); the items do not vary together in these answers"
        )
    return float(k / (k - 1) * (1.0 - item_variances / total_variance))


def cronbach_alpha(
    items: pd.DataFrame, confidence: float = 0.95, *, min_cases: int = 10
) -> Reliability:
    """Cronbach's alpha of the columns of ``items`` with the Feldt F-based interval.

    .. math::

        \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\sum_j s_j^2}{s_X^2}\\Bigr), \\qquad
        [\\,1 - (1-\\alpha) F_{1-\\gamma/2}(n-1, (n-1)(k-1)),\\;
           1 - (1-\\alpha) F_{\\gamma/2}(n-1, (n-1)(k-1))\\,]

    with :math:`s_j^2` the item variances, :math:`s_X^2` the variance of the total score,
    n complete cases, k items, :math:`\\gamma = 1 - confidence` and :math:`F_q` the q quantile.

    Refuses (``InvalidInput``) fewer than 2 items, fewer than ``min_cases`` complete cases
    (default 10: an alpha from fewer pupils says nothing), and data where the total score
    does not vary (alpha is 0/0). A constant *item* is allowed: it adds 0 to the item
    variances and alpha is computed as usual (as pingouin and psych do).

    References: Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika 16(3), 297-334. Feldt, L. S. (1965). The approximate sampling distribution
    of Kuder-Richardson reliability coefficient twenty. Psychometrika 30(3), 357-370.
    Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for coefficient
    alpha. Applied Psychological Measurement 11(1), 93-103.

    >>> frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4], "c": [1, 3, 3, 4]})
    >>> round(cronbach_alpha(frame, min_cases=4).alpha, 4)
    0.9388
    """
    check_confidence(confidence)
    data = _complete_cases(items, min_cases)
    n, k = data.shape
    alpha = _alpha(data)
    gamma = 1.0 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1.0 - (1.0 - alpha) * float(stats.f.isf(gamma / 2.0, df1, df2))
    high = 1.0 - (1.0 - alpha) * float(stats.f.isf(1.0 - gamma / 2.0, df1, df2))
    return Reliability(alpha=alpha, ci_low=low, ci_high=high, n=n, k=k)


def item_total_correlations(items: pd.DataFrame, *, min_cases: int = 10) -> pd.DataFrame:
    """Corrected item-total correlation and alpha-if-deleted for each item.

    .. math::  r_{j,X-j} = \\operatorname{corr}(x_j,\\; \\textstyle\\sum_{l \\ne j} x_l)

    the Pearson correlation of an item with the sum of the *other* items (psych's ``r.drop``),
    so an item is not correlated with itself. Index ``item``; columns ``r_corrected`` and
    ``alpha_if_deleted`` (NaN when only 2 items are left, alpha of one item is undefined, or
    when the remaining total does not vary). A constant item has NaN ``r_corrected``
    (a correlation with no variance is undefined). Listwise deletion as in
    :func:`cronbach_alpha`.

    Reference: Nunnally, J. C. & Bernstein, I. H. (1994). Psychometric theory (3rd ed.),
    ch. 8 (corrected item-total correlation).

    >>> frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4], "c": [1, 3, 3, 4]})
    >>> item_total_correlations(frame, min_cases=4)["r_corrected"].round(4).tolist()
    [0.9898, 0.8083, 0.8346]
    """
    data = _complete_cases(items, min_cases)
    k = data.shape[1]
    total = data.sum(axis=1)
    rows = []
    for j in range(k):
        item = data[:, j]
        rest = total - item
        item_sd, rest_sd = item.std(ddof=1), rest.std(ddof=1)
        if item_sd == 0 or rest_sd == 0:
            r = float("nan")
        else:
            r = float(np.cov(item, rest, ddof=1)[0, 1] / (item_sd * rest_sd))
        others = np.delete(data, j, axis=1)
        alpha_without = float("nan")
        if others.shape[1] >= 2:
            try:
                alpha_without = _alpha(others)
            except InvalidInput:
                alpha_without = float("nan")
        rows.append((r, alpha_without))
    return pd.DataFrame(
        rows,
        columns=["r_corrected", "alpha_if_deleted"],
        index=pd.Index(list(items.columns), name="item"),
    )
