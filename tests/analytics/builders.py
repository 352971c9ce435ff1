"""Datasets written by hand: response rows in the dataset contract, and pupils to fill them.

Two builders share :func:`responses`: :func:`dataset` gives each school a closed round with
consent and every group of the rows 30 enrolled (what per-school results need), and
:func:`dataset_of` leaves groups, schools and rounds empty (what the research export and the
instrument evidence read).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from analytics.dataset import (
    GROUP_COLUMNS,
    META_COLUMNS,
    ROUND_COLUMNS,
    SCHOOL_COLUMNS,
    UNANSWERED,
    Dataset,
    item_ids,
)
from analytics.scales import mean_scale_items
from flows import load_questionnaire
from flows.model import Questionnaire
from tests.flows.participant import SAFETY_PO, WELLBEING_PO

Q = load_questionnaire()
YEAR = "2026-2027"
CATEGORICAL = ("school", "school_year", "sector", "band", "group")


def responses(
    rows: Sequence[Mapping[str, object]], questionnaire: Questionnaire = Q
) -> pd.DataFrame:
    """The rows as ``Dataset.responses``: meta columns (categorical, ``grade`` int8,
    ``completed`` bool), then every item as int8, unanswered where a row does not give it."""
    items = list(item_ids(questionnaire))
    frame = pd.DataFrame([dict(row) for row in rows]).reindex(columns=[*META_COLUMNS, *items])
    frame[items] = frame[items].fillna(UNANSWERED).astype("int8")
    for column in CATEGORICAL:
        frame[column] = frame[column].astype("category")
    frame["grade"] = frame["grade"].astype("int8")
    frame["completed"] = frame["completed"].astype(bool)
    return frame


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series([], dtype=object) for column in columns})


def dataset_of(rows: Sequence[Mapping[str, object]], questionnaire: Questionnaire = Q) -> Dataset:
    """A Dataset of the rows with no groups; each school of the rows is registered and has a
    closed round with consent in each of its years (what the year outputs release)."""
    frame = responses(rows, questionnaire)
    schools = sorted(
        set(zip(frame["school"].astype(str), frame["sector"].astype(str), strict=True))
    )
    rounds = sorted(
        set(zip(frame["school"].astype(str), frame["school_year"].astype(str), strict=True))
    )
    return Dataset(
        questionnaire=questionnaire,
        responses=frame,
        groups=_empty(GROUP_COLUMNS),
        schools=pd.DataFrame(
            [(code, code[:4], code[4:], f"School {code}", sector) for code, sector in schools],
            columns=list(SCHOOL_COLUMNS),
        ),
        rounds=pd.DataFrame(
            [
                (code, year, questionnaire.id, questionnaire.version, "closed", True)
                for code, year in rounds
            ],
            columns=list(ROUND_COLUMNS),
        ),
    )


def dataset(
    rows: Sequence[Mapping[str, object]],
    groups: Sequence[tuple[str, str, str, int, int]] | None = None,
    schools: Sequence[tuple[str, str]] | None = None,
    questionnaire: Questionnaire = Q,
) -> Dataset:
    """A Dataset from response rows; ``groups``: (school, year, group, grade, enrolled)
    (default: every group of the rows, 30 enrolled or its respondents if more);
    ``schools``: (code, sector); every school has a closed round with consent in YEAR."""
    frame = responses(rows, questionnaire)
    if groups is None:
        keys = ["school", "school_year", "group", "grade"]
        sizes = frame.groupby(keys, observed=True).size()
        groups = [(s, y, g, int(k), max(30, int(n))) for (s, y, g, k), n in sizes.items()]
    if schools is None:
        pairs = zip(frame["school"].astype(str), frame["sector"].astype(str), strict=True)
        schools = sorted(set(pairs))
    return Dataset(
        questionnaire=questionnaire,
        responses=frame,
        groups=pd.DataFrame(groups, columns=list(GROUP_COLUMNS)),
        schools=pd.DataFrame(
            [(code, code[:4], code[4:], f"School {code}", sector) for code, sector in schools],
            columns=list(SCHOOL_COLUMNS),
        ),
        rounds=pd.DataFrame(
            [(code, YEAR, Q.id, Q.version, "closed", True) for code, _ in schools],
            columns=list(ROUND_COLUMNS),
        ),
    )


def _meta(
    school: str, group: str, grade: int, *, year: str, sector: str, band: str, completed: bool
) -> dict[str, object]:
    return {
        "school": school,
        "school_year": year,
        "sector": sector,
        "band": band,
        "group": group,
        "grade": grade,
        "completed": completed,
    }


def pupil(
    school: str = "12AB00",
    *,
    year: str = YEAR,
    sector: str = "po",
    band: str = "po",
    group: str = "7A",
    grade: int = 7,
    completed: bool = True,
    safety: int | Sequence[int] = 3,
    wellbeing: int | Sequence[int] = 3,
    **answers: int,
) -> dict[str, object]:
    """One response row; ``safety``/``wellbeing``: one code for all items of the PO scale or
    a code per item; other items as keyword arguments; everything else unanswered."""
    row = _meta(school, group, grade, year=year, sector=sector, band=band, completed=completed)
    for items, codes in ((SAFETY_PO, safety), (WELLBEING_PO, wellbeing)):
        values = [codes] * len(items) if isinstance(codes, int) else list(codes)
        row.update(zip(items, values, strict=True))
    row.update(answers)
    return row


def pupils(
    school: str,
    group: str,
    grade: int,
    count: int,
    *,
    band: str = "po",
    sector: str = "po",
    answers: Mapping[str, int] | None = None,
    year: str = YEAR,
    counted: bool = False,
) -> list[dict[str, object]]:
    """``count`` pupils of one group; pupil i answers safe_school with 1 + i % 4 by default.
    ``counted``: first answer every item of the band's mean scales with 2, so the pupils
    count as respondents (a score on every mean scale)."""
    meta = _meta(school, group, grade, year=year, sector=sector, band=band, completed=True)
    scales = {item: 2 for items in mean_scale_items(Q, band).values() for item in items if counted}
    return [{**meta, **scales, "safe_school": 1 + i % 4, **(answers or {})} for i in range(count)]
