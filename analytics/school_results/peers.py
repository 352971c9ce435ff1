"""The school beside its peers (percentile, pooled reference) and its own previous year."""

from __future__ import annotations

import math

import pandas as pd

from analytics.comparison import mean_difference, percentile_rank, proportion_difference
from analytics.school_results.model import Change, Peers
from veilig.errors import InvalidInput


def previous_school_year(school_year: str) -> str:
    """``"2025-2026"`` for ``"2026-2027"``."""
    try:
        first, second = (int(part) for part in school_year.split("-"))
    except ValueError:
        raise InvalidInput(f"school year {school_year!r} is not like 2026-2027") from None
    if second != first + 1:
        raise InvalidInput(f"school year {school_year!r} is not like 2026-2027")
    return f"{first - 1}-{first}"


def _peers(
    name: str, value: float, peers: pd.DataFrame, *, count_column: str | None, min_schools: int
) -> Peers | None:
    """Percentile and pooled reference among ``peers`` (the other schools' unit values)."""
    values_ = peers[f"{name}:value"].dropna()
    rank = percentile_rank(value, values_, min_schools=min_schools)
    if rank is None:
        return None
    used = peers.loc[values_.index]
    n = used[f"{name}:n"]
    if count_column is None:  # a mean: pool the pupils' scores
        reference = float((used[f"{name}:value"] * n).sum() / n.sum())
    else:
        reference = float(used[count_column].sum() / n.sum())
    return Peers(
        schools=len(values_) + 1,
        percentile=rank,
        reference=reference,
        reference_pupils=int(n.sum()),
    )


def _mean_change(
    figure_mean: float, sd: float, n: int, previous: pd.Series | None, name: str, year: str
) -> Change | None:
    if previous is None or not previous[f"{name}:n"] >= 1:
        return None
    prev_mean = float(previous[f"{name}:value"])
    prev_sd = float(previous[f"{name}:sd"])
    prev_n = int(previous[f"{name}:n"])
    diff = mean_difference(
        figure_mean,
        0.0 if math.isnan(sd) else sd,
        n,
        prev_mean,
        0.0 if math.isnan(prev_sd) else prev_sd,
        prev_n,
    )
    return Change(
        year, prev_mean, prev_n, diff.difference, diff.ci_low, diff.ci_high, diff.significant
    )


def _share_change(
    count: int, n: int, previous: pd.Series | None, name: str, year: str, min_n: int
) -> Change | None:
    if previous is None or not previous[f"{name}:n"] >= min_n:
        return None
    prev_count, prev_n = int(previous[f"{name}:count"]), int(previous[f"{name}:n"])
    diff = proportion_difference(count, n, prev_count, prev_n)
    return Change(
        year,
        prev_count / prev_n,
        prev_n,
        diff.difference,
        diff.ci_low,
        diff.ci_high,
        diff.significant,
    )
