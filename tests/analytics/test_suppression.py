from __future__ import annotations

import itertools
from collections.abc import Hashable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.suppression import ALL, suppress
from veilig.errors import InvalidInput

counts = st.integers(0, 40)


def _partitions(out: pd.DataFrame, by: list[str]) -> list[tuple[int, list[int]]]:
    """(total row, part rows) for every total in ``out``, built from the output alone."""
    position = {tuple(row): i for i, row in enumerate(out[by].itertuples(index=False))}
    categories = [[v for v in dict.fromkeys(out[c]) if v != ALL] for c in by]
    partitions = []
    for key, row in position.items():
        for d, cats in enumerate(categories):
            if key[d] == ALL and cats:
                parts = [(*key[:d], c, *key[d + 1 :]) for c in cats]
                partitions.append((row, [position[p] for p in parts if p in position]))
    return partitions


def _true_counts(out: pd.DataFrame, cells: pd.DataFrame, by: list[str]) -> np.ndarray:
    """n of every output row before suppression (margins recomputed from the parts)."""
    lookup = {tuple(r[:-1]): r[-1] for r in cells[[*by, "n"]].itertuples(index=False)}
    counts = []
    for key in out[by].itertuples(index=False):
        parts = [
            n
            for k, n in lookup.items()
            if all(a in (ALL, b) for a, b in zip(key, k, strict=True)) and ALL not in k
        ]
        counts.append(sum(parts))
    return np.array(counts)


def _check_safe(out: pd.DataFrame, cells: pd.DataFrame, by: list[str], min_n: int) -> None:
    n = _true_counts(out, cells, by)
    hidden = out["suppressed"].to_numpy()
    shown = out.loc[~hidden, "n"]
    # 1. no published cell below min_n, and the published n are the true ones
    assert (shown >= min_n).all()
    assert (shown.to_numpy(dtype=np.int64) == n[~hidden]).all()
    assert out.loc[hidden, "n"].isna().all()
    # 2. every partition has 0 or >= 2 hidden terms with pupils; with no empty cells that is
    #    "0 or >= 2 hidden cells"
    partitions = _partitions(out, by)
    for total, parts in partitions:
        terms = [total, *parts]
        assert sum(1 for i in terms if hidden[i] and n[i] > 0) != 1
        if all(n[i] > 0 for i in terms):
            assert sum(1 for i in terms if hidden[i]) != 1
    # 3. no hidden cell with pupils is fixed by the published figures: adding its unit row to
    #    the equations on the unknowns must raise the rank
    unknown = [i for i in range(len(out)) if hidden[i] and n[i] > 0]
    if not unknown or not partitions:
        return
    matrix = np.zeros((len(partitions), len(out)))
    for row, (total, parts) in enumerate(partitions):
        matrix[row, total] = 1
        matrix[row, parts] = -1
    system = matrix[:, unknown]
    rank = np.linalg.matrix_rank(system)
    for j in range(len(unknown)):
        unit = np.zeros((1, len(unknown)))
        unit[0, j] = 1
        assert np.linalg.matrix_rank(np.vstack([system, unit])) == rank + 1


def test_one_small_group_takes_the_next_smallest_with_it() -> None:
    cells = pd.DataFrame(
        {"group": ["7a", "7b", "7c", "7d"], "n": [23, 4, 12, 15], "pct": [0.1, 0.5, 0.2, 0.3]}
    )
    out = suppress(cells, "group")
    # 7b (4) is below 10; 39 + 15 + 4 = 54 shown as total would give 7b = 54 - 50, so the next
    # smallest, 7c (12), is hidden as well
    assert out["group"].tolist() == ["7a", "7b", "7c", "7d", ALL]
    assert out["reason"].tolist() == [pd.NA, "below_min", "complementary", pd.NA, pd.NA]
    assert out["n"].tolist() == [23, pd.NA, pd.NA, 15, 54]
    assert out["pct"].isna().tolist() == [False, True, True, False, True]


def test_two_small_groups_protect_each_other() -> None:
    cells = pd.DataFrame({"group": ["a", "b", "c", ALL], "n": [3, 4, 30, 37]})
    out = suppress(cells, "group")
    assert out["reason"].tolist() == ["below_min", "below_min", pd.NA, pd.NA]
    assert len(out) == 4  # the given total is used, not added again


def test_small_total_hides_everything() -> None:
    out = suppress(pd.DataFrame({"g": ["boy", "girl"], "n": [4, 5]}), "g")
    assert out["suppressed"].all()
    assert out["reason"].tolist() == ["below_min"] * 3


def test_min_n_is_a_parameter() -> None:
    cells = pd.DataFrame({"g": ["boy", "girl"], "n": [6, 7]})
    assert not suppress(cells, "g", min_n=5)["suppressed"].any()
    assert suppress(cells, "g", min_n=7)["reason"].tolist() == [
        "below_min",
        "complementary",
        pd.NA,
    ]


def test_empty_cell_needs_no_partner() -> None:
    # "other" has no pupils: recovering 0 discloses nobody, so boy and girl stay shown
    out = suppress(pd.DataFrame({"g": ["boy", "girl", "other"], "n": [20, 25, 0]}), "g")
    assert out["reason"].tolist() == [pd.NA, pd.NA, "below_min", pd.NA]


def test_empty_cell_does_not_protect_a_small_one() -> None:
    out = suppress(pd.DataFrame({"g": ["boy", "girl", "other"], "n": [20, 3, 0]}), "g")
    assert out["reason"].tolist() == ["complementary", "below_min", "below_min", pd.NA]


def test_two_by_two_with_one_small_cell_hides_all_four() -> None:
    cells = pd.DataFrame(
        {"grade": [7, 7, 8, 8], "gender": ["g", "b", "g", "b"], "n": [12, 15, 3, 20]}
    )
    out = suppress(cells, ["grade", "gender"])
    assert out.loc[:3, "suppressed"].all()
    assert not out.loc[4:, "suppressed"].any()  # margins 27, 23, 15, 35, 50 stay
    assert out.loc[4:, "n"].tolist() == [27, 23, 15, 35, 50]
    _check_safe(out, cells, ["grade", "gender"], 10)


def test_only_a_total() -> None:
    out = suppress(pd.DataFrame({"g": [ALL], "n": [8]}), "g")
    assert out["reason"].tolist() == ["below_min"]
    assert len(suppress(pd.DataFrame({"g": [], "n": []}), "g")) == 1  # the added total, 0


@settings(max_examples=40, deadline=None)
@given(st.lists(counts, min_size=8, max_size=8), st.integers(1, 15))
def test_three_dimensions_are_safe(values: list[int], min_n: int) -> None:
    keys = list(itertools.product(["7", "8"], ["g", "b"], ["havo", "vwo"]))
    cells = pd.DataFrame(
        [
            {"grade": a, "gender": b, "track": c, "n": v}
            for (a, b, c), v in zip(keys, values, strict=True)
        ]
    )
    out = suppress(cells, ["grade", "gender", "track"], min_n=min_n)
    assert len(out) == 27
    _check_safe(out, cells, ["grade", "gender", "track"], min_n)


def test_two_dimensions_hide_a_rectangle_not_a_cascade() -> None:
    # 6b (4) is small. Row 6 then needs 6g; columns b and g each need one more, and the two
    # extra cells must share a row so that row is protected too: 4 cells, not 6.
    cells = pd.DataFrame(
        {
            "grade": [5, 5, 6, 6, 7, 7, 8, 8],
            "gender": ["g", "b"] * 4,
            "n": [14, 12, 11, 4, 15, 16, 13, 12],
        }
    )
    out = suppress(cells, ["grade", "gender"])
    assert out["suppressed"].sum() == 4
    assert out.loc[out["suppressed"], "grade"].nunique() == 2
    _check_safe(out, cells, ["grade", "gender"], 10)


def test_within_splits_independent_tables() -> None:
    cells = pd.DataFrame(
        {"school": ["A", "A", "B", "B"], "g": ["x", "y", "x", "y"], "n": [3, 30, 12, 14]}
    )
    out = suppress(cells, "g", within=["school"])
    assert out["school"].tolist() == ["A", "A", "A", "B", "B", "B"]
    assert out["suppressed"].tolist() == [True, True, False, False, False, False]


def test_figures_parameter_keeps_labels() -> None:
    cells = pd.DataFrame({"g": ["x", "y", "z"], "label": ["X", "Y", "Z"], "n": [3, 4, 30]})
    out = suppress(cells, "g", figures=[])
    assert out["label"].tolist()[:3] == ["X", "Y", "Z"]
    assert out["n"].isna().tolist() == [True, True, False, False]


@pytest.mark.parametrize(
    ("cells", "kwargs", "match"),
    [
        (pd.DataFrame({"g": ["x"], "n": [-1]}), {}, "whole numbers"),
        (pd.DataFrame({"g": ["x"], "n": [1.5]}), {}, "whole numbers"),
        (pd.DataFrame({"g": ["x"], "n": [None]}), {}, "whole numbers"),
        (pd.DataFrame({"g": ["x", "x"], "n": [1, 2]}), {}, "twice"),
        (pd.DataFrame({"g": ["x", ALL], "n": [10, 12]}), {}, "add a cell"),
        (pd.DataFrame({"g": ["x", None], "n": [10, 12]}), {}, "missing values"),
        (pd.DataFrame({"g": ["x"], "n": [1]}), {"min_n": 0}, "min_n"),
        (pd.DataFrame({"g": ["x"], "n": [1]}), {"by": "h"}, "not in the table"),
        (pd.DataFrame({"g": ["x"], "n": [1]}), {"figures": ["q"]}, "figure columns"),
    ],
)
def test_refuses_bad_tables(cells: pd.DataFrame, kwargs: dict[str, object], match: str) -> None:
    arguments: dict[str, object] = {"by": "g", **kwargs}
    with pytest.raises(InvalidInput, match=match):
        suppress(cells, **arguments)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=1, max_size=8), st.integers(1, 15), st.booleans())
def test_one_dimension_is_safe(values: list[int], min_n: int, with_total: bool) -> None:
    cells = pd.DataFrame({"g": [f"c{i}" for i in range(len(values))], "n": values})
    cells["mean"] = np.linspace(1, 4, len(values))
    if with_total:
        cells = pd.concat(
            [cells, pd.DataFrame({"g": [ALL], "n": [sum(values)], "mean": [2.5]})],
            ignore_index=True,
        )
    out = suppress(cells, "g", min_n=min_n)
    assert len(out) == len(values) + 1
    _check_safe(out, cells, ["g"], min_n)
    hidden = out["suppressed"]
    assert out.loc[hidden, "mean"].isna().all()
    shown_given = out.index[~hidden & (out.index < len(cells))]
    assert out.loc[shown_given, "mean"].tolist() == cells.loc[shown_given, "mean"].tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.lists(
            st.lists(counts, min_size=rows, max_size=rows), min_size=1, max_size=4
        )
    ),
    st.integers(1, 15),
)
def test_two_dimensions_are_safe(columns: list[list[int]], min_n: int) -> None:
    rows = len(columns[0])
    records = [
        {"grade": f"r{r}", "gender": f"c{c}", "n": columns[c][r]}
        for r, c in itertools.product(range(rows), range(len(columns)))
    ]
    cells = pd.DataFrame(records)
    by: list[Hashable] = ["grade", "gender"]
    out = suppress(cells, by, min_n=min_n)
    assert len(out) == (rows + 1) * (len(columns) + 1)
    _check_safe(out, cells, ["grade", "gender"], min_n)
