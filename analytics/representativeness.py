"""Is the response large and even enough to speak for the school?

"Representative" has no number in the law (Besluit 17 June 2020). The rule here, used by
:func:`representativeness`:

1. **Precision.** The margin of error of a percentage at 95 % with finite-population
   correction must be at most ``margin`` (default 5 percentage points) at the worst case
   p = 0.5. The worst case because the same respondents carry every published percentage
   (% bullied near 10-20 % as well as % feels safe near 97 %); a rule at p = 0.97 would pass
   almost any sample while % bullied stayed far too imprecise. Equivalently the number of
   respondents is at least Cochran's n = n0 / (1 + (n0 - 1)/N).
2. **Spread.** Every group (grade, class) with enrolled pupils has a response rate of at least
   ``min_group_rate`` (default 50 %). A school total that meets rule 1 can still come mostly
   from some grades; when a grade's rate is below one half, most of that grade is missing
   and the school figure mirrors the other grades. The 50 % is a convention (a majority of
   every group answered), not derived; it is a parameter.

Verdict: ``TOO_FEW_RESPONSES`` when rule 1 fails (or nobody is enrolled), else
``NOT_REPRESENTATIVE`` when rule 2 fails, else ``REPRESENTATIVE``. The result carries the
numbers that justify it; wording for people is made elsewhere from these fields.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from analytics._checks import check_confidence, check_count, check_share
from veilig.errors import InvalidInput

__all__ = [
    "Representativeness",
    "Verdict",
    "margin_of_error",
    "representativeness",
    "required_sample_size",
    "response_rates",
]


def margin_of_error(n: float, population: float, p: float = 0.5, confidence: float = 0.95) -> float:
    """Half-width of the normal interval of a percentage, with finite-population correction.

    .. math::  e = z\\sqrt{\\frac{p(1-p)}{n}}\\sqrt{\\frac{N-n}{N-1}}

    A share, not percentage points (0.05 = 5 points). ``n = 0`` gives ``inf``; ``n = N``
    gives 0 (everyone answered: no sampling error). Reference: Cochran, W. G. (1977).
    Sampling techniques (3rd ed.), Wiley, section 4.4.

    >>> round(margin_of_error(218, 500), 4)
    0.0499
    """
    z = check_confidence(confidence)
    check_count("n", n)
    check_count("population", population)
    check_share("p", p, open_low=False)
    if n > population:
        raise InvalidInput(f"n ({n}) cannot exceed the population ({population})")
    if n == 0:
        return math.inf
    if n == population:
        return 0.0
    return z * math.sqrt(p * (1 - p) / n) * math.sqrt((population - n) / (population - 1))


def required_sample_size(
    population: int, margin: float = 0.05, p: float = 0.5, confidence: float = 0.95
) -> int:
    """Cochran's sample size with finite-population correction, rounded up.

    .. math::  n_0 = \\frac{z^2 p (1-p)}{e^2}, \\qquad n = \\frac{n_0}{1 + (n_0 - 1)/N}

    This is the exact inverse of :func:`margin_of_error`, so ``margin_of_error(n, N) <=
    margin``. Reference: Cochran, W. G. (1977). Sampling techniques (3rd ed.), eq. 4.2.

    >>> required_sample_size(500)  # n0 = 1.96^2 * 0.25 / 0.05^2 = 384.15; 384.15 / 1.766
    218
    """
    z = check_confidence(confidence)
    check_count("population", population)
    check_share("margin", margin)
    check_share("p", p, open_low=False)
    if population == 0:
        return 0
    n0 = z * z * p * (1 - p) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population)
    # Guard against 217.9999999 becoming 218 through rounding noise.
    return min(int(population), math.ceil(n - 1e-9))


def response_rates(responded: pd.Series, enrolled: pd.Series) -> pd.DataFrame:
    """Response per group: ``responded``, ``enrolled`` and ``rate`` = responded / enrolled.

    Both Series are indexed by group (grade, class). A group enrolled but absent from
    ``responded`` has 0 responses; a group that responded but is not enrolled is an error,
    as is more responses than pupils. ``rate`` is NaN for a group with 0 enrolled.
    """
    unknown = [group for group in responded.index if group not in enrolled.index]
    if unknown:
        raise InvalidInput(f"responses for groups without enrolled pupils: {unknown}")
    if responded.index.has_duplicates or enrolled.index.has_duplicates:
        raise InvalidInput("each group may appear only once")
    counts = responded.reindex(enrolled.index, fill_value=0)
    table = pd.DataFrame(
        {"responded": counts.astype("int64"), "enrolled": enrolled.astype("int64")}
    )
    if (table < 0).any().any():
        raise InvalidInput("counts cannot be negative")
    over = table.index[table["responded"] > table["enrolled"]].tolist()
    if over:
        raise InvalidInput(
            f"more responses than enrolled pupils in groups {over}; update the pupil counts"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = table["responded"] / table["enrolled"].where(table["enrolled"] > 0)
    table["rate"] = rate.astype(float)
    return table


class Verdict(StrEnum):
    """Outcome of :func:`representativeness`."""

    REPRESENTATIVE = "representative"
    NOT_REPRESENTATIVE = "not_representative"
    TOO_FEW_RESPONSES = "too_few_responses"


@dataclass(frozen=True, slots=True)
class Representativeness:
    """The verdict and the numbers behind it.

    ``margin_of_error`` is at p = the ``p`` asked for; ``required`` is the Cochran sample size;
    ``worst_group`` is the group with the lowest response rate (None without groups).
    """

    verdict: Verdict
    responded: int
    enrolled: int
    rate: float
    margin_of_error: float
    required: int
    worst_group: object | None
    worst_responded: int
    worst_enrolled: int
    worst_rate: float


def representativeness(
    responded: pd.Series,
    enrolled: pd.Series,
    *,
    margin: float = 0.05,
    min_group_rate: float = 0.5,
    p: float = 0.5,
    confidence: float = 0.95,
) -> Representativeness:
    """Verdict on a school's response, by the rule in this module's docstring.

    ``responded``/``enrolled``: counts per group (grade or class) as for
    :func:`response_rates`; the school totals are their sums.

    >>> result = representativeness(pd.Series({"7": 200, "8": 20}), pd.Series({"7": 210, "8": 60}))
    >>> result.verdict, result.worst_group, round(result.worst_rate, 3)
    (<Verdict.NOT_REPRESENTATIVE: 'not_representative'>, '8', 0.333)
    """
    check_share("min_group_rate", min_group_rate, open_low=False)
    table = response_rates(responded, enrolled)
    total_responded = int(table["responded"].sum())
    total_enrolled = int(table["enrolled"].sum())
    error = margin_of_error(total_responded, total_enrolled, p, confidence)
    required = required_sample_size(total_enrolled, margin, p, confidence)
    rate = total_responded / total_enrolled if total_enrolled else math.nan
    groups = table[table["enrolled"] > 0]
    if len(groups):
        at = int(np.argmin(groups["rate"].to_numpy()))  # first of equal rates
        worst_values = (
            groups.index[at],
            int(groups["responded"].iloc[at]),
            int(groups["enrolled"].iloc[at]),
            float(groups["rate"].iloc[at]),
        )
    else:
        worst_values = (None, 0, 0, math.nan)
    if total_enrolled == 0 or error > margin + 1e-12:
        verdict = Verdict.TOO_FEW_RESPONSES
    elif worst_values[3] < min_group_rate:
        verdict = Verdict.NOT_REPRESENTATIVE
    else:
        verdict = Verdict.REPRESENTATIVE
    return Representativeness(
        verdict=verdict,
        responded=total_responded,
        enrolled=total_enrolled,
        rate=rate,
        margin_of_error=error,
        required=required,
        worst_group=worst_values[0],
        worst_responded=worst_values[1],
        worst_enrolled=worst_values[2],
        worst_rate=worst_values[3],
    )
