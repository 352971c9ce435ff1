"""Small-cell suppression: the one gate every published figure goes through.

A table of cells, each with its number of pupils ``n``, is made safe to publish:

1. **Primary suppression.** Every cell with ``n < min_n`` is hidden (reason ``below_min``),
   totals (margins) included.
2. **Complementary suppression.** A total is the sum of its parts (a *partition*). Where a
   partition has exactly one hidden part with pupils in it, that part equals the total minus
   the shown parts. Then the smallest shown part of that partition is hidden as well (reason
   ``complementary``; the total itself only when no part is left), and this repeats until no
   partition has exactly one hidden term with ``n > 0``. In 2 or more dimensions a cell lies
   in several partitions; there a part that also protects another exposed partition is
   preferred to a smaller one that would expose a new partition (fewer cells hidden).
3. **Check by linear algebra** (matters for 2 or more dimensions, where partitions interlock):
   a hidden cell is recoverable when its value is fixed by the system of all partition
   equations given the shown values, i.e. when its unit vector lies in the row space of the
   equations restricted to hidden cells (its row of the null space is zero). While one is,
   the smallest shown cell of a partition through it is hidden too, and step 2 runs again.

Hidden cells with ``n = 0`` are treated as known to be 0: a hidden empty cell protects
nobody (a reader would assume it empty), and recovering "0 pupils" discloses no pupil.
So the guarantee is: in every partition the number of hidden terms with ``n > 0`` is 0 or at
least 2, and no hidden cell with pupils is determined by the published figures. When all
cells have pupils this is the rule "0 or at least 2 hidden cells per partition".

Reference: Hundepool, A. et al. (2012). Statistical Disclosure Control, Wiley, ch. 4
(primary and secondary cell suppression in tables with margins).

Tables of any number of dimensions with full margins are supported: 1-D (a breakdown by
group), 2-D (grade x gender with row, column and grand totals), and more. Margins absent from
the input are added as rows (``n`` the sum of the parts, other figures missing), since the
school's total and each grade's count are known to readers from elsewhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from enum import StrEnum

import numpy as np
import pandas as pd
from scipy import linalg

from veilig.errors import InvalidInput

__all__ = ["ALL", "Suppression", "suppress"]

#: Label of a margin (total) in a breakdown column, as ``pandas.pivot_table(margins=True)``.
ALL = "All"


class Suppression(StrEnum):
    """Why a cell is hidden (the ``reason`` column)."""

    BELOW_MIN = "below_min"
    COMPLEMENTARY = "complementary"


class _Table:
    """The lattice of cells (every combination of category or margin per dimension)."""

    def __init__(self, categories: list[list[Hashable]], margin: Hashable) -> None:
        self.margin = margin
        axes = [[*cats, margin] for cats in categories]
        self.keys: list[tuple[Hashable, ...]] = list(itertools.product(*axes))
        self.position = {key: i for i, key in enumerate(self.keys)}
        # Each equation: (total, parts); total = sum(parts) along one dimension.
        self.equations: list[tuple[int, list[int]]] = []
        for key in self.keys:
            for d, cats in enumerate(categories):
                if key[d] == margin and cats:
                    parts = [self.position[(*key[:d], c, *key[d + 1 :])] for c in cats]
                    self.equations.append((self.position[key], parts))
        self.matrix = np.zeros((len(self.equations), len(self.keys)))
        for row, (total, parts) in enumerate(self.equations):
            self.matrix[row, total] = 1.0
            self.matrix[row, parts] = -1.0


def _complete_counts(table: _Table, given: dict[tuple[Hashable, ...], int]) -> np.ndarray:
    """n for every lattice cell: given cells as is, absent parts 0, absent margins summed."""
    n = np.full(len(table.keys), -1, dtype=np.int64)
    for key, value in given.items():
        n[table.position[key]] = value
    margin_depth = [sum(k == table.margin for k in key) for key in table.keys]
    for i in np.argsort(margin_depth, kind="stable"):
        if margin_depth[i] == 0:
            if n[i] < 0:
                n[i] = 0
            continue
        first = next((parts for total, parts in table.equations if total == i), None)
        if n[i] < 0:
            n[i] = 0 if first is None else int(n[first].sum())
    for total, parts in table.equations:
        if n[total] != n[parts].sum():
            raise InvalidInput(
                f"the cells do not add up to the total {table.keys[total]}: "
                f"{int(n[parts].sum())} != {int(n[total])}; add a cell for the other pupils "
                "(e.g. 'unknown') so that the cells partition the total"
            )
    return n


def _hide_cells(table: _Table, n: np.ndarray, min_n: int) -> list[Suppression | None]:
    reason: list[Suppression | None] = [
        Suppression.BELOW_MIN if value < min_n else None for value in n
    ]
    through: list[list[int]] = [[] for _ in n]  # equations each cell takes part in
    for e, (total, parts) in enumerate(table.equations):
        for i in (total, *parts):
            through[i].append(e)

    def hidden(i: int) -> bool:
        return reason[i] is not None

    def exposed(e: int) -> int:
        total, parts = table.equations[e]
        return sum(1 for i in (total, *parts) if hidden(i) and n[i] > 0)

    def cost(i: int) -> tuple[int, int, int]:
        # Among candidates, prefer one whose other partitions already have exactly one hidden
        # cell (hiding it protects those too) over one that would expose a new partition; then
        # the smallest n, as the rule says. In 1-D every part is in one partition only, so this
        # is just "the next smallest cell".
        effect = sum({0: 1, 1: -1}.get(exposed(e), 0) for e in through[i])
        return effect, int(n[i]), i

    def hide(candidates: list[int]) -> None:
        reason[min(candidates, key=cost)] = Suppression.COMPLEMENTARY

    while True:
        changed = True
        while changed:
            changed = False
            for e, (total, parts) in enumerate(table.equations):
                if exposed(e) != 1:
                    continue
                shown_parts = [i for i in parts if not hidden(i) and n[i] > 0]
                hide(shown_parts or [total])
                changed = True
        determined = _determined_cells(table, n, reason)
        if not determined:
            return reason
        j = determined[0]
        touching = [table.equations[e] for e in through[j]]
        parts = [i for _, ps in touching for i in ps if not hidden(i) and n[i] > 0]
        totals = [t for t, _ in touching if not hidden(t) and n[t] > 0]
        anywhere = [i for i in range(len(n)) if not hidden(i) and n[i] > 0]
        hide(parts or totals or anywhere)


def _determined_cells(table: _Table, n: np.ndarray, reason: list[Suppression | None]) -> list[int]:
    """Hidden cells with pupils whose value the shown cells fix (null-space row is zero)."""
    unknown = [i for i, r in enumerate(reason) if r is not None and n[i] > 0]
    if not unknown or not table.equations:
        return []
    system = table.matrix[:, unknown]
    system = system[np.abs(system).sum(axis=1) > 0]
    if len(system) == 0:
        return []
    null = linalg.null_space(system)
    if null.shape[1] == 0:
        return list(unknown)
    return [cell for cell, row in zip(unknown, null, strict=True) if np.abs(row).max() < 1e-9]


def _suppress_one(
    frame: pd.DataFrame,
    by: list[Hashable],
    n: Hashable,
    min_n: int,
    margin: Hashable,
    figures: list[Hashable],
) -> pd.DataFrame:
    keys = [tuple(row) for row in frame[by].itertuples(index=False, name=None)]
    if len(set(keys)) != len(keys):
        raise InvalidInput(f"a cell is listed twice in the breakdown by {by}")
    categories = [list(dict.fromkeys(v for v in frame[column] if v != margin)) for column in by]
    table = _Table(categories, margin)
    counts = frame[n].to_numpy(dtype=np.int64)
    given = dict(zip(keys, (int(c) for c in counts), strict=True))
    full = _complete_counts(table, given)
    reason = _hide_cells(table, full, min_n)

    added = [
        key
        for i, key in enumerate(table.keys)
        if key not in given and any(k == margin for k in key)
    ]
    extra = pd.DataFrame([dict(zip(by, key, strict=True)) for key in added], columns=frame.columns)
    if added:
        extra[n] = [int(full[table.position[key]]) for key in added]
        for other in frame.columns:
            if other not in by and other != n:
                extra[other] = frame[other].iloc[:0].reindex(range(len(added))).to_numpy()
        out = pd.concat([frame, extra.astype(frame.dtypes.to_dict(), errors="ignore")])
    else:
        out = frame.copy()
    out = out.reset_index(drop=True)
    all_keys = keys + added
    reasons = [reason[table.position[key]] for key in all_keys]
    is_hidden = pd.Series([r is not None for r in reasons], index=out.index)
    out[n] = out[n].astype("Int64")
    for column in figures:
        out[column] = out[column].mask(is_hidden)
    out["suppressed"] = is_hidden
    out["reason"] = pd.Series([None if r is None else r.value for r in reasons], dtype="string")
    return out


def suppress(
    table: pd.DataFrame,
    by: Hashable | Sequence[Hashable],
    *,
    n: Hashable = "n",
    min_n: int = 10,
    within: Sequence[Hashable] = (),
    margin: Hashable = ALL,
    figures: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Hide small cells and the cells that would let a reader recompute them.

    ``table``: one row per cell; ``by`` names the breakdown column(s) (one for a 1-D
    breakdown, two for grade x gender...), in which the value ``margin`` (default ``"All"``)
    marks a total. ``n`` names the count column (whole numbers >= 0). ``within`` names columns
    that split the frame into independent tables (school, year); each is suppressed on its own.
    ``figures``: the columns to blank in hidden cells; default every column except ``by`` and
    ``within`` (``n`` is always blanked).

    The parts of a total must add up to it: give a cell for pupils without a category
    (``"unknown"``) rather than leave them out. Absent parts count as 0; absent margins are
    added.

    Returns a new frame with a fresh index: the input rows in order, then the added margins;
    ``n`` as nullable ``Int64``; in hidden rows every figure missing; ``suppressed`` (bool)
    and ``reason`` (``"below_min"``, ``"complementary"``, or missing when shown).
    See the module docstring for the rule and its guarantee.

    >>> cells = pd.DataFrame({"group": ["7a", "7b", "7c"], "n": [23, 4, 12],
    ...                       "mean": [3.1, 2.0, 3.4]})
    >>> out = suppress(cells, "group")
    >>> out["group"].tolist(), out["n"].tolist()
    (['7a', '7b', '7c', 'All'], [23, <NA>, <NA>, 39])
    >>> out["reason"].tolist()
    [<NA>, 'below_min', 'complementary', <NA>]
    """
    dims: list[Hashable] = [by] if isinstance(by, str) or not isinstance(by, Sequence) else list(by)
    if not dims:
        raise InvalidInput("give at least one breakdown column in by")
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise InvalidInput(f"min_n must be a whole number of 1 or more, got {min_n!r}")
    groups = list(within)
    needed: list[Hashable] = [*dims, n, *groups]
    missing = [column for column in needed if column not in table.columns]
    if missing:
        raise InvalidInput(f"columns not in the table: {missing}")
    if "suppressed" in table.columns or "reason" in table.columns:
        raise InvalidInput("the table already has 'suppressed'/'reason' columns; suppress once")
    if table[dims].isna().any().any():
        raise InvalidInput(
            f"the breakdown columns {dims} have missing values; name that category "
            "(e.g. 'unknown') so it is a cell of its own"
        )
    counts = pd.to_numeric(table[n], errors="coerce")
    if counts.isna().any() or (counts < 0).any() or (counts % 1 != 0).any():
        raise InvalidInput(f"column {n!r} must hold whole numbers of 0 or more for every cell")
    blank: list[Hashable]
    if figures is None:
        blank = [c for c in table.columns if c not in dims and c not in groups]
    else:
        unknown = [c for c in figures if c not in table.columns]
        if unknown:
            raise InvalidInput(f"figure columns not in the table: {unknown}")
        blank = [c for c in dict.fromkeys([n, *figures]) if c not in dims and c not in groups]
    if not groups:
        return _suppress_one(table, dims, n, int(min_n), margin, blank)
    parts = []
    for key, part in table.groupby(groups, sort=False, dropna=False):
        out = _suppress_one(part, dims, n, int(min_n), margin, blank)
        for column, value in zip(groups, key, strict=True):
            out[column] = pd.Series([value] * len(out), index=out.index)  # margins too
        parts.append(out)
    return pd.concat(parts, ignore_index=True)
