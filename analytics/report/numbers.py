"""Figures as a reader sees them: rounded once (:func:`analytics.rounding.round_figure`), then
written the way the language writes numbers (babel: "2,5" and "54%" in Dutch, "2.5" in English).

Every formatter takes ``None`` (a hidden or missing figure) and returns the hidden mark, so a
blank figure can never turn into a number by accident.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, get_decimal_symbol

from analytics.rounding import round_figure

__all__ = ["Numbers"]

#: The mark of a hidden or missing figure (an en dash), and the minus sign of differences.
HIDDEN = "\u2013"
MINUS = "\u2212"


class Numbers:
    """Number formatting for one language."""

    def __init__(self, code: str) -> None:
        self.code = code

    def share(self, value: float | None) -> str:
        """A share as a whole percentage: 0.5384 -> "54%"."""
        rounded = round_figure(value, 2)
        if rounded is None:
            return HIDDEN
        return format_percent(rounded, format="#,##0%", locale=self.code)

    def mean(self, value: float | None, digits: int = 1) -> str:
        """A mean or bound with ``digits`` decimals: 2.507 -> "2,5"."""
        rounded = round_figure(value, digits)
        if rounded is None:
            return HIDDEN
        pattern = "0." + "0" * digits if digits else "0"
        return format_decimal(rounded, format=pattern, locale=self.code)

    def signed(self, value: float | None, digits: int = 2) -> str:
        """A difference with its sign: +0,12 or -0,05 (with a true minus sign)."""
        rounded = round_figure(value, digits)
        if rounded is None:
            return HIDDEN
        text = self.mean(abs(rounded), digits)
        return f"+{text}" if rounded > 0 else f"{MINUS}{text}" if rounded < 0 else text

    def points(self, value: float | None, digits: int = 1) -> str:
        """A difference of shares in percentage points: 0.032 -> "3,2"."""
        rounded = round_figure(value, 3)
        return self.mean(None if rounded is None else rounded * 100, digits)

    def signed_points(self, value: float | None) -> str:
        """A difference of shares in whole percentage points with its sign: +3, 0 or -5."""
        rounded = round_figure(value, 2)
        if rounded is None:
            return HIDDEN
        whole = round_figure(rounded * 100, 0)
        assert whole is not None
        return f"+{whole:.0f}" if whole > 0 else f"{MINUS}{-whole:.0f}" if whole < 0 else "0"

    def count(self, value: int | None) -> str:
        if value is None:
            return HIDDEN
        return format_decimal(value, format="#,##0", locale=self.code)

    def percentile(self, value: float | None) -> str:
        rounded = round_figure(value, 0)
        return HIDDEN if rounded is None else f"{rounded:.0f}"

    def decimal_mark(self) -> str:
        return get_decimal_symbol(self.code)

    def day(self, value: date) -> str:
        return format_date(value, format="long", locale=self.code)

    def interval(self, low: float | None, high: float | None, *, share: bool) -> str:
        if share:
            return f"{self.share(low)} {HIDDEN} {self.share(high)}"
        return f"{self.mean(low, 2)} {HIDDEN} {self.mean(high, 2)}"
