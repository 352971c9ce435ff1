"""Scale scores per pupil and their school-level summary.

A scale (veiligheidsbeleving, welbevinden) is the mean of its items on the answer scale
``low..high``, after turning reverse-coded items (``low + high - x``). The mean rather than
the sum keeps the score on the answer scale, so a pupil who skipped one item is comparable
with one who answered all. "I'd rather not say" arrives as NaN and counts as not answered.

:func:`pupil_scores` applies this rule to the ``mean`` scales of a questionnaire's band and
marks the counted respondents (a score on every such scale); the school figures and the
instrument report both take their scores and counted respondents from it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics._checks import check_confidence, check_share
from analytics.dataset import values
from analytics.intervals import mean_interval
from flows.model import Questionnaire
from veilig.errors import InvalidInput

__all__ = [
    "MIN_SHARE",
    "ScaleSummary",
    "answers_needed",
    "code_range",
    "describe_scale",
    "item_frame",
    "mean_scale_items",
    "pupil_scores",
    "scale_scores",
    "turned_items",
]

#: Share of a scale's items a pupil must answer for a score (the "two thirds answered" rule).
MIN_SHARE = 2 / 3


def answers_needed(k: int, min_share: float = MIN_SHARE) -> int:
    """Items of ``k`` a pupil must answer: ``ceil(min_share * k)``, robust to float noise.

    >>> answers_needed(3), answers_needed(4), answers_needed(6)
    (2, 3, 4)
    """
    return math.ceil(min_share * k - 1e-9)


def item_frame(
    answers: pd.DataFrame,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    *,
    low: float,
    high: float,
) -> pd.DataFrame:
    """The columns ``items`` of ``answers`` as floats, reverse-coded items turned.

    Checks that every item is a column, ``reverse`` is a subset of ``items`` and every answer
    lies in ``[low, high]``; raises ``InvalidInput`` naming the item otherwise.
    """
    if not items:
        raise InvalidInput("a scale needs at least one item")
    if len(set(items)) != len(items):
        raise InvalidInput(f"items are listed twice: {list(items)}")
    missing = [item for item in items if item not in answers.columns]
    if missing:
        raise InvalidInput(f"items not among the answer columns: {missing}")
    extra = [item for item in reverse if item not in items]
    if extra:
        raise InvalidInput(f"reverse-coded items that are not scale items: {extra}")
    if not low < high:
        raise InvalidInput(f"low must be below high, got low={low!r}, high={high!r}")
    frame = pd.DataFrame(
        {item: pd.to_numeric(answers[item], errors="coerce").astype(float) for item in items},
        index=answers.index,
    )
    for item in items:
        raw = answers[item]
        bad = frame[item].isna() & raw.notna()
        out = frame[item].notna() & ((frame[item] < low) | (frame[item] > high))
        if bad.any() or out.any():
            raise InvalidInput(
                f"item {item!r} has answers outside {low}..{high}; check the option codes"
            )
    for item in reverse:
        frame[item] = low + high - frame[item]
    return frame


def scale_scores(
    answers: pd.DataFrame,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    *,
    low: float,
    high: float,
    min_share: float = MIN_SHARE,
) -> pd.Series:
    """Mean item score per pupil; NaN for pupils who answered too few items.

    .. math::  S_i = \\frac{1}{|A_i|}\\sum_{j \\in A_i} y_{ij}, \\qquad
               y_{ij} = low + high - x_{ij} \\text{ for reverse-coded } j

    where :math:`A_i` are the items pupil i answered. A pupil gets a score only when
    :math:`|A_i| \\ge \\lceil min\\_share \\cdot k \\rceil` for the k items (the common
    "two thirds answered" rule of scale scoring; a person-mean imputation of the rest).

    ``answers``: wide frame, index respondent id, one column per item id, numeric option codes,
    NaN = not answered. Returns a float Series named ``"score"`` on the same index.

    >>> frame = pd.DataFrame({"a": [4, 1, None], "b": [2, None, None], "c": [3, 3, 2]})
    >>> scale_scores(frame, ["a", "b", "c"], reverse=["b"], low=1, high=4).tolist()
    [3.3333333333333335, 2.0, nan]
    """
    check_share("min_share", min_share)
    frame = item_frame(answers, items, reverse, low=low, high=high)
    needed = answers_needed(len(items), min_share)
    answered = frame.notna().sum(axis=1)
    total = frame.sum(axis=1, min_count=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = total / answered.replace(0, np.nan)
    return score.where(answered >= needed).rename("score").astype(float)


def mean_scale_items(questionnaire: Questionnaire, band: str) -> dict[str, tuple[str, ...]]:
    """The ``summary: mean`` scales with the items ``band`` asks, in questionnaire order."""
    out: dict[str, tuple[str, ...]] = {}
    for name, scale in questionnaire.scales.items():
        if scale.summary != "mean":
            continue
        asked = []
        for item_id in questionnaire.refs(scale):
            item = questionnaire.item(item_id)
            if item is not None and band in item.bands:
                asked.append(item_id)
        if asked:
            out[name] = tuple(asked)
    return out


def code_range(questionnaire: Questionnaire, item_id: str, band: str) -> tuple[int, int]:
    """Lowest and highest option code of ``item_id`` in ``band``."""
    item = questionnaire.item(item_id)
    options = questionnaire.options(item, band) if item is not None else None
    if options is None:
        raise InvalidInput(f"item {item_id!r} has no answer options in band {band!r}")
    codes = [option.code for option in options.options]
    return min(codes), max(codes)


def turned_items(
    responses: pd.DataFrame, questionnaire: Questionnaire, items: Sequence[str], band: str
) -> pd.DataFrame:
    """The codes of ``items`` as floats (NaN = unanswered or declined), reverse-coded items
    turned as ``low + high - x`` with the item's own code range in ``band``."""
    frame = values(responses, items)
    for item_id in items:
        item = questionnaire.item(item_id)
        if item is not None and item.reverse:
            low, high = code_range(questionnaire, item_id, band)
            frame[item_id] = low + high - frame[item_id]
    return frame


def pupil_scores(responses: pd.DataFrame, questionnaire: Questionnaire, band: str) -> pd.DataFrame:
    """Scale score per pupil for every ``mean`` scale of ``band`` (NaN below
    :data:`MIN_SHARE` answered), as :func:`scale_scores`, and ``counted``: a score on every
    such scale (the counted respondents of every figure)."""
    scores: dict[str, pd.Series] = {}
    for name, items in mean_scale_items(questionnaire, band).items():
        frame = turned_items(responses, questionnaire, items, band)
        ranges = [code_range(questionnaire, item_id, band) for item_id in items]
        low = min(r[0] for r in ranges)
        high = max(r[1] for r in ranges)
        scores[name] = scale_scores(frame, items, low=low, high=high, min_share=MIN_SHARE)
    out = pd.DataFrame(scores, index=responses.index)
    out["counted"] = out.notna().all(axis=1) if scores else False
    return out


@dataclass(frozen=True, slots=True)
class ScaleSummary:
    """School-level summary of a scale: mean, sd (ddof=1), n and the t interval of the mean."""

    mean: float
    sd: float
    n: int
    ci_low: float
    ci_high: float


def describe_scale(scores: pd.Series, confidence: float = 0.95) -> ScaleSummary:
    """Mean, standard deviation, n and Student t interval of the non-missing scores.

    .. math::  \\bar S \\pm t_{1-\\alpha/2,\\,n-1}\\, s/\\sqrt n

    n = 0 gives NaN everywhere; n = 1 gives the mean with NaN sd and interval.

    >>> describe_scale(pd.Series([2.0, 3.0, 4.0, None]))
    ScaleSummary(mean=3.0, sd=1.0, n=3, ci_low=0.515..., ci_high=5.484...)
    """
    check_confidence(confidence)
    values = pd.to_numeric(scores, errors="coerce").astype(float).dropna().to_numpy()
    n = len(values)
    mean = float(values.mean()) if n else math.nan
    sd = float(values.std(ddof=1)) if n >= 2 else math.nan
    low, high = mean_interval(mean, sd if n >= 2 else 0.0, n, confidence)
    return ScaleSummary(mean=mean, sd=sd, n=n, ci_low=low, ci_high=high)
