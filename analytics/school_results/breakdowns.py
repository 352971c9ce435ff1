"""Breakdowns by grade, group and context items, response per grade and group, and the
representativeness verdict, all through :func:`analytics.suppression.suppress`."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analytics.representativeness import (
    Representativeness,
    Verdict,
    margin_of_error,
    representativeness,
)
from analytics.school_results.model import (
    GRADE,
    GROUP,
    Breakdown,
    BreakdownCell,
    ResponseCell,
    SchoolRepresentativeness,
    WorstGroup,
)
from analytics.school_results.pupils import _Spec
from analytics.suppression import ALL, suppress


def _cell_figures(part: pd.DataFrame, spec: _Spec) -> dict[str, object]:
    """n, mean per mean scale, share and its n per share scale, of the pupils ``part``."""
    row: dict[str, object] = {"n": len(part)}
    for scale in spec.means:
        row[f"mean:{scale.name}"] = float(part[f"score:{scale.name}"].mean())
    for share in spec.shares:
        flag = part[f"flag:{share.name}"]
        n = int(flag.count())
        row[f"share:{share.name}"] = float(flag.sum() / n) if n else math.nan
        row[f"n:{share.name}"] = n
    return row


def _safe_cells(table: pd.DataFrame, by: list[str], spec: _Spec, min_n: int) -> pd.DataFrame:
    """``table`` through :func:`suppress`: once on the respondents ``n`` for every figure, then
    once per share scale on that share's own denominator, since a share's count could else be
    recovered from the school's count and the shown cells."""
    figures = [c for c in table.columns if c not in (*by, "n")]
    safe = suppress(table, by, n="n", min_n=min_n, figures=figures)
    for share in spec.shares:
        part = table[[*by, f"n:{share.name}", f"share:{share.name}"]]
        own = suppress(part, by, n=f"n:{share.name}", min_n=min_n)
        keys = [tuple(row) for row in own[by].itertuples(index=False, name=None)]
        hidden = dict(zip(keys, own["suppressed"], strict=True))
        mask = [
            bool(hidden.get(tuple(row), False))
            for row in safe[by].itertuples(index=False, name=None)
        ]
        safe[f"share:{share.name}"] = safe[f"share:{share.name}"].mask(
            pd.Series(mask, index=safe.index)
        )
    return safe


def _cell(record: Mapping[Hashable, Any], category: str, spec: _Spec) -> BreakdownCell:
    hidden = bool(record["suppressed"])
    reason = record["reason"]
    return BreakdownCell(
        category=category,
        n=None if hidden else int(record["n"]),
        reason=str(reason) if isinstance(reason, str) else None,
        means=tuple(
            (scale.name, None if hidden else _number(record[f"mean:{scale.name}"]))
            for scale in spec.means
        ),
        shares=tuple(
            (share.name, None if hidden else _number(record[f"share:{share.name}"]))
            for share in spec.shares
        ),
    )


def _breakdown(
    dimension: str, categories: pd.Series, pupils: pd.DataFrame, spec: _Spec, min_n: int
) -> Breakdown:
    """A one-way breakdown (a context item such as gender) after suppression."""
    rows = [
        {dimension: str(category), **_cell_figures(part, spec)}
        for category, part in pupils.groupby(categories, observed=True, sort=True)
    ]
    if not rows:
        return Breakdown(dimension, ())
    safe = _safe_cells(pd.DataFrame(rows), [dimension], spec, min_n)
    return Breakdown(
        dimension,
        tuple(
            _cell(record, str(record[dimension]), spec)
            for record in safe.to_dict("records")
            if record[dimension] != ALL
        ),
    )


def _grade_group_breakdowns(
    grades: pd.Series, groups: pd.Series, pupils: pd.DataFrame, spec: _Spec, min_n: int
) -> tuple[Breakdown, Breakdown]:
    """Breakdowns by grade and by group, suppressed together: groups are parts of their grade,
    so a grade's total and its shown groups must not give away a hidden group."""
    rows: list[dict[str, object]] = []
    for (grade, group), part in pupils.groupby([grades, groups], observed=True, sort=True):
        rows.append({GRADE: str(grade), GROUP: str(group), **_cell_figures(part, spec)})
    for grade, part in pupils.groupby(grades, observed=True, sort=True):
        rows.append({GRADE: str(grade), GROUP: ALL, **_cell_figures(part, spec)})
    if not rows:
        return Breakdown(GRADE, ()), Breakdown(GROUP, ())
    rows.append({GRADE: ALL, GROUP: ALL, **_cell_figures(pupils, spec)})
    safe = _safe_cells(pd.DataFrame(rows), [GRADE, GROUP], spec, min_n)
    records = safe.to_dict("records")
    by_grade = tuple(
        _cell(r, str(r[GRADE]), spec) for r in records if r[GROUP] == ALL and r[GRADE] != ALL
    )
    by_group = tuple(
        _cell(r, str(r[GROUP]), spec) for r in records if r[GROUP] != ALL and r[GRADE] != ALL
    )
    return Breakdown(GRADE, by_grade), Breakdown(GROUP, by_group)


def _number(value: object) -> float | None:
    """A float, or None for a missing figure (None, NaN, pandas.NA)."""
    if not isinstance(value, int | float | np.integer | np.floating):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _response_cells(
    responded: pd.DataFrame, groups: pd.DataFrame, min_n: int
) -> tuple[ResponseCell, ...]:
    """Respondents against enrolled per grade and per group (groups nested in their grade),
    through :func:`suppress`; ``responded`` has the respondents' ``grade`` and ``group``."""
    counts = responded.groupby([responded["grade"].astype(str), responded["group"].astype(str)])
    count_of = {key: int(size) for key, size in counts.size().items()}
    rows: list[dict[str, object]] = []
    for group in groups[["grade", "group", "enrolled"]].to_dict("records"):
        key = (str(group["grade"]), str(group["group"]))
        rows.append(
            {
                GRADE: key[0],
                GROUP: key[1],
                "responded": count_of.get(key, 0),
                "enrolled": int(group["enrolled"]),
            }
        )
    if not rows:
        return ()
    table = pd.DataFrame(rows)
    margins = table.groupby(GRADE, sort=False)[["responded", "enrolled"]].sum().reset_index()
    margins[GROUP] = ALL
    total = pd.DataFrame(
        [
            {
                GRADE: ALL,
                GROUP: ALL,
                "responded": table["responded"].sum(),
                "enrolled": table["enrolled"].sum(),
            }
        ]
    )
    table = pd.concat([table, margins, total], ignore_index=True)
    table = table.sort_values([GRADE, GROUP], key=_natural, kind="stable", ignore_index=True)
    enrolled = table["enrolled"].astype(float)
    table["rate"] = table["responded"] / enrolled.where(enrolled > 0)
    safe = suppress(table, [GRADE, GROUP], n="responded", min_n=min_n, figures=["rate"])
    cells = []
    for record in safe.to_dict("records"):
        if record[GRADE] == ALL:
            continue
        dimension, category = (
            (GRADE, record[GRADE]) if record[GROUP] == ALL else (GROUP, record[GROUP])
        )
        hidden = bool(record["suppressed"])
        reason = record["reason"]
        cells.append(
            ResponseCell(
                dimension=dimension,
                category=str(category),
                responded=None if hidden else int(record["responded"]),
                enrolled=int(record["enrolled"]),
                rate=None if hidden else _number(record["rate"]),
                reason=str(reason) if isinstance(reason, str) else None,
            )
        )
    grade_cells = [c for c in cells if c.dimension == GRADE]
    group_cells = [c for c in cells if c.dimension == GROUP]
    return (*grade_cells, *group_cells)


def _natural(column: pd.Series) -> pd.Series:
    """Sort key: numbers by value (grade 10 after 9), the margin label last."""
    return column.map(lambda v: (1, 0, "") if v == ALL else (0, *_number_or_text(str(v))))


def _number_or_text(value: str) -> tuple[float, str]:
    return (float(value), "") if value.isdigit() else (math.inf, value)


def _worst(
    dimension: str, result: Representativeness, cells: tuple[ResponseCell, ...]
) -> WorstGroup | None:
    """The worst grade or group; its counts only where the response table shows them."""
    if result.worst_group is None:
        return None
    category = str(result.worst_group)
    cell = next((c for c in cells if c.dimension == dimension and c.category == category), None)
    shown = cell is not None and cell.responded is not None
    return WorstGroup(
        dimension=dimension,
        category=category,
        responded=result.worst_responded if shown else None,
        enrolled=result.worst_enrolled,
        rate=result.worst_rate if shown else None,
    )


def _representativeness(
    responded: pd.DataFrame,
    groups: pd.DataFrame,
    cells: tuple[ResponseCell, ...],
    feels_safe: float | None,
    min_group_rate: float = 0.5,
) -> SchoolRepresentativeness:
    by_grade = (
        responded.groupby(responded["grade"].astype(int)).size(),
        groups.groupby(groups["grade"].astype(int))["enrolled"].sum(),
    )
    by_group = (
        responded.groupby(responded["group"].astype(str)).size(),
        groups.set_index(groups["group"].astype(str))["enrolled"],
    )
    grades = representativeness(*by_grade, min_group_rate=min_group_rate)
    per_group = representativeness(*by_group, min_group_rate=min_group_rate)
    verdict: Verdict = grades.verdict
    if verdict is not Verdict.REPRESENTATIVE:
        worst = _worst(GRADE, grades, cells)
    elif per_group.verdict is Verdict.NOT_REPRESENTATIVE:
        verdict, worst = per_group.verdict, _worst(GROUP, per_group, cells)
    else:
        worst = _worst(GRADE, grades, cells)
    margin = None
    if feels_safe is not None and grades.enrolled:
        margin = margin_of_error(grades.responded, grades.enrolled, p=feels_safe)
    return SchoolRepresentativeness(
        verdict=verdict,
        responded=grades.responded,
        enrolled=grades.enrolled,
        rate=grades.rate,
        margin_of_error=grades.margin_of_error,
        required=grades.required,
        min_group_rate=min_group_rate,
        worst=worst,
        feels_safe_margin=margin,
    )
