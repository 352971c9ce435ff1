"""A school-band's unit values: what other schools' reports compare with, kept per round.

The values are the ones :func:`analytics.school_results.school_results` computes for peers
(counted respondents and, per scale, value, SD, n and count), so a report that reads them
from storage compares exactly as one that computed them from every school's answers. They are
aggregates; a unit below the reporting minimum is never compared with (the report filters on
``respondents``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from analytics.dataset import Dataset
from analytics.school_results.pupils import _pupils, _spec, _unit_values

Figures = dict[str, float | int | None]


def _json_safe(row: pd.Series) -> Figures:
    values: Figures = {}
    for key, value in row.items():
        number = float(value)
        values[str(key)] = None if math.isnan(number) else number
    return values


def unit_figures(dataset: Dataset, school_year: str) -> dict[tuple[str, str], Figures]:
    """Every school-band of ``school_year`` in ``dataset``: ``(school, band) -> figures``."""
    responses = dataset.responses
    year = responses[responses["school_year"].astype(str) == school_year]
    found: dict[tuple[str, str], Figures] = {}
    for band in sorted(set(year["band"].dropna().astype(str))):
        unit = year[year["band"].astype(str) == band]
        spec = _spec(dataset.questionnaire, band)
        values = _unit_values(_pupils(unit, spec), unit["school"].astype(str), spec)
        for school, row in values.iterrows():
            found[(str(school), band)] = _json_safe(row)
    return found


def peer_frame(rows: Iterable[tuple[str, str, Mapping[str, float | int | None]]]) -> pd.DataFrame:
    """Stored figures ``(school, school_year, figures)`` as the table reports compare with,
    indexed ``"<school>|<school_year>"``."""
    table = {
        f"{school}|{year}": {key: math.nan if value is None else value for key, value in f.items()}
        for school, year, f in rows
    }
    frame = pd.DataFrame.from_dict(table, orient="index", dtype=float)
    frame.index = pd.Index([str(key) for key in frame.index], dtype=object)
    return frame
