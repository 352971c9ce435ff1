"""The one rounding rule of every published figure: half up, on the number as it is printed.

Shares and rates are fractions rounded to :data:`SHARE_DIGITS` (4) decimals; means, standard
deviations, interval bounds and alphas to :data:`MEAN_DIGITS` (3) decimals.

Why half up on the float's shortest ``repr``: a reader who checks a figure by hand rounds
0.125 to 0.13 and 2.675 to 2.68, as the school report, the delivery and a spreadsheet should.
Python's ``round`` and ``numpy.round`` round half to even (0.125 -> 0.12) and act on the
binary value (2.675 is stored as 2.67499999...; -> 2.67); ``decimal`` with ``ROUND_HALF_UP``
on ``repr(value)`` rounds the number as it is printed, the same on every platform.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from veilig.errors import InvalidInput

__all__ = ["MEAN_DIGITS", "SHARE_DIGITS", "round_figure"]

#: Decimals of shares and rates (fractions, 0.1235 = 12.35 %).
SHARE_DIGITS = 4
#: Decimals of means, standard deviations, interval bounds and reliability coefficients.
MEAN_DIGITS = 3


def round_figure(value: float | None, digits: int) -> float | None:
    """``value`` rounded half up to ``digits`` decimals; ``None`` for a missing figure.

    Missing (``None``, NaN, ``pandas.NA``) gives ``None``, which outputs write as an empty
    cell or JSON ``null``. An infinite value is a bug upstream and raises ``InvalidInput``.
    Negative zero becomes 0.0, so "-0.0" never appears in a file.

    >>> round_figure(0.125, 2), round(0.125, 2), round_figure(2.675, 2), round(2.675, 2)
    (0.13, 0.12, 2.68, 2.67)
    >>> round_figure(2.5, 0), round_figure(-2.5, 0), round_figure(float("nan"), 3)
    (3.0, -3.0, None)
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 15:
        raise InvalidInput(f"digits must be a whole number from 0 to 15, got {digits!r}")
    if value is None:
        return None
    try:
        number = float(value)
    except TypeError:  # pandas.NA refuses float()
        return None
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise InvalidInput(f"cannot publish an infinite figure ({number}); this is a bug")
    quantum = Decimal(1).scaleb(-digits)
    rounded = float(Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP))
    return rounded + 0.0  # -0.0 + 0.0 == 0.0
