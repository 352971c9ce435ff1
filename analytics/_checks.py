"""Input checks shared by the analytics modules; each raises ``InvalidInput`` with a message."""

from __future__ import annotations

import math

from scipy import stats

from veilig.errors import InvalidInput


def check_confidence(confidence: float) -> float:
    """Return the two-sided normal quantile z for ``confidence`` (0.95 -> 1.959964)."""
    if not 0.0 < confidence < 1.0:
        raise InvalidInput(f"confidence must lie between 0 and 1 (e.g. 0.95), got {confidence!r}")
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def check_count(name: str, value: float) -> None:
    """A count must be a finite number >= 0."""
    if not math.isfinite(value) or value < 0:
        raise InvalidInput(f"{name} must be a number of 0 or more, got {value!r}")


def check_share(name: str, value: float, *, open_low: bool = True) -> None:
    """A share must lie in (0, 1] (or [0, 1] when ``open_low`` is false)."""
    low_ok = value > 0.0 if open_low else value >= 0.0
    if not (low_ok and value <= 1.0):
        interval = "(0, 1]" if open_low else "[0, 1]"
        raise InvalidInput(f"{name} must lie in {interval}, got {value!r}")
