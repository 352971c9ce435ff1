"""Shares of pupils: prevalence at or above a cut-off, shares per answer option, "% feels safe".

Every share comes with its Wilson interval (:func:`analytics.intervals.wilson_interval`);
the denominator is the pupils who answered, unless a rule below says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics._checks import check_confidence, check_share
from analytics.intervals import wilson_interval
from analytics.scales import MIN_SHARE, answers_needed, scale_scores
from veilig.errors import InvalidInput

__all__ = [
    "DECLINED",
    "Prevalence",
    "any_flags",
    "any_prevalence",
    "feels_safe",
    "option_shares",
    "prevalence",
    "prevalence_table",
]

#: Index label of the "I'd rather not say" row in :func:`option_shares`.
DECLINED = "declined"

_COLUMNS = ["count", "n", "share", "ci_low", "ci_high"]


@dataclass(frozen=True, slots=True)
class Prevalence:
    """``count`` of ``n`` pupils, their ``share`` and its Wilson interval."""

    count: int
    n: int
    share: float
    ci_low: float
    ci_high: float


def _prevalence_of(flags: pd.Series, confidence: float) -> Prevalence:
    """Prevalence of a 0/1 Series with NaN for pupils who do not count."""
    known = flags.dropna()
    n = len(known)
    count = int(known.sum())
    low, high = wilson_interval(count, n, confidence)
    share = count / n if n else float("nan")
    return Prevalence(count=count, n=n, share=share, ci_low=low, ci_high=high)


def _numeric(answers: pd.Series, name: str) -> pd.Series:
    values = pd.to_numeric(answers, errors="coerce").astype(float)
    if (values.isna() & answers.notna()).any():
        raise InvalidInput(f"{name} holds answers that are not option codes")
    return values


def prevalence(answers: pd.Series, cutoff: float, confidence: float = 0.95) -> Prevalence:
    """Share of answering pupils with an answer code at or above ``cutoff``.

    .. math::  \\hat p = \\#\\{i : x_i \\ge c\\} / \\#\\{i : x_i \\text{ answered}\\}

    For bullying on the Olweus frequency scale (0 not at all, 1 once or twice, 2 two or three
    times a month, 3 about once a week, 4 several times a week) a pupil counts as bullied at
    "2 or 3 times a month or more", i.e. ``cutoff=2`` (Solberg, M. E. & Olweus, D. (2003).
    Prevalence estimation of school bullying with the Olweus Bully/Victim Questionnaire.
    Aggressive Behavior 29(3), 239-268). NaN (not answered, "rather not say") is left out.

    >>> prevalence(pd.Series([0, 1, 2, 4, None]), cutoff=2)
    Prevalence(count=2, n=4, share=0.5, ci_low=0.150..., ci_high=0.849...)
    """
    check_confidence(confidence)
    values = _numeric(answers, "answers")
    return _prevalence_of((values >= cutoff).astype(float).where(values.notna()), confidence)


def prevalence_table(
    answers: pd.DataFrame,
    items: Sequence[str],
    cutoff: float | Mapping[str, float],
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`prevalence` for many items: one row per item (index ``item``).

    ``cutoff`` is one number for all items or a mapping item -> cut-off.
    Columns: ``count``, ``n``, ``share``, ``ci_low``, ``ci_high``.
    """
    missing = [item for item in items if item not in answers.columns]
    if missing:
        raise InvalidInput(f"items not among the answer columns: {missing}")
    rows = []
    for item in items:
        if isinstance(cutoff, Mapping):
            if item not in cutoff:
                raise InvalidInput(f"no cut-off given for item {item!r}")
            item_cutoff = cutoff[item]
        else:
            item_cutoff = cutoff
        result = prevalence(answers[item], item_cutoff, confidence)
        rows.append([result.count, result.n, result.share, result.ci_low, result.ci_high])
    table = pd.DataFrame(rows, columns=_COLUMNS, index=pd.Index(list(items), name="item"))
    return table.astype({"count": "int64", "n": "int64"})


def any_prevalence(
    answers: pd.DataFrame,
    items: Sequence[str],
    cutoff: float,
    *,
    min_share: float = MIN_SHARE,
    confidence: float = 0.95,
) -> Prevalence:
    """Share of pupils at or above ``cutoff`` on at least one of ``items`` (e.g. any form of
    bullying).

    A pupil counts as 1 when any answered item is ``>= cutoff``; as 0 when none is and at
    least ``ceil(min_share * k)`` of the k items are answered; otherwise the pupil is left out
    (too little is known to say "not bullied").

    >>> frame = pd.DataFrame({"a": [0, 3, None, 0], "b": [0, None, None, 1]})
    >>> any_prevalence(frame, ["a", "b"], cutoff=2).count
    1
    """
    check_share("min_share", min_share)
    check_confidence(confidence)
    if not items:
        raise InvalidInput("give at least one item")
    missing = [item for item in items if item not in answers.columns]
    if missing:
        raise InvalidInput(f"items not among the answer columns: {missing}")
    frame = pd.DataFrame({item: _numeric(answers[item], item) for item in items})
    return _prevalence_of(any_flags(frame, cutoff, min_share), confidence)


def any_flags(frame: pd.DataFrame, cutoff: float, min_share: float = MIN_SHARE) -> pd.Series:
    """Per pupil the rule of :func:`any_prevalence` on numeric ``frame`` (NaN = not answered):
    1.0 with any answer at or above ``cutoff``; else 0.0 when at least
    ``ceil(min_share * k)`` of the k columns are answered; else NaN.

    >>> any_flags(pd.DataFrame({"a": [2, 0, None], "b": [None, 0, None]}), cutoff=1).tolist()
    [1.0, 0.0, nan]
    """
    hit = (frame >= cutoff).any(axis=1)
    known = frame.notna().sum(axis=1) >= answers_needed(frame.shape[1], min_share)
    return pd.Series(np.where(hit, 1.0, np.where(known, 0.0, np.nan)), frame.index)


def option_shares(
    answers: pd.Series,
    options: Sequence[int],
    declined: pd.Series | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Number and share of pupils per answer option of one item.

    Index: the option codes in the order given, then, when ``declined`` is given, one row
    :data:`DECLINED` for "I'd rather not say". ``declined`` is a boolean Series on the same
    index as ``answers``, true where the pupil chose "rather not say" (its answer is NaN).
    Pupils with NaN who did not decline were not asked and count nowhere.

    Columns: ``count``; ``share`` = count / (answered + declined), the share of all pupils who
    saw the item, so the rows add up to 1; ``share_of_answered`` = count / answered (NaN on the
    declined row); ``ci_low``/``ci_high``: Wilson interval of ``share``.

    >>> shares = option_shares(pd.Series([0, 0, 1, None]), [0, 1, 2],
    ...                        declined=pd.Series([False, False, False, True]))
    >>> shares["share"].tolist()
    [0.5, 0.25, 0.0, 0.25]
    """
    check_confidence(confidence)
    if len(set(options)) != len(options) or not options:
        raise InvalidInput(f"options must be distinct codes, got {list(options)}")
    values = _numeric(answers, "answers")
    unknown = sorted(set(values.dropna().unique()) - {float(option) for option in options})
    if unknown:
        raise InvalidInput(f"answers hold codes that are not options: {unknown}")
    counts = [int((values == option).sum()) for option in options]
    answered = sum(counts)
    labels: list[object] = list(options)
    if declined is not None:
        if not declined.index.equals(answers.index):
            raise InvalidInput("declined must have the same index as answers")
        mask = declined.astype(bool)
        if (mask & values.notna()).any():
            raise InvalidInput("a pupil cannot both answer and decline the same item")
        counts.append(int(mask.sum()))
        labels.append(DECLINED)
    seen = sum(counts)
    count_series = pd.Series(counts, index=pd.Index(labels, name="option"), dtype="int64")
    interval = wilson_interval(count_series.astype(float), float(seen), confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = count_series / seen if seen else count_series * np.nan
        of_answered = count_series / answered if answered else count_series * np.nan
    if declined is not None:
        of_answered.iloc[-1] = np.nan
    return pd.DataFrame(
        {
            "count": count_series,
            "share": share.astype(float),
            "share_of_answered": of_answered.astype(float),
            "ci_low": interval["ci_low"],
            "ci_high": interval["ci_high"],
        }
    )


def feels_safe(
    answers: pd.DataFrame,
    items: Sequence[str],
    threshold: float,
    reverse: Sequence[str] = (),
    *,
    low: float,
    high: float,
    min_share: float = MIN_SHARE,
    confidence: float = 0.95,
) -> Prevalence:
    """Share of pupils who feel safe: pupil's mean on the safety ``items`` ``>= threshold``.

    .. math::  \\hat p = \\#\\{i : S_i \\ge \\theta\\} / \\#\\{i : S_i \\text{ defined}\\}

    with :math:`S_i` the scale score of :func:`analytics.scales.scale_scores` (reverse-coded
    items turned, score only when two thirds of the items are answered).

    The rule chosen: **the pupil's mean over the veiligheidsbeleving items is at "agree" or
    better** (``threshold`` = the code of "agree", e.g. 3 on a 1-4 scale, 2 on the 3-point
    picture scale). Why: (1) several items measure the construct more reliably than one;
    (2) it is the same score whose school mean is delivered, so "% feels safe" and the mean
    cannot tell opposite stories; (3) it needs no extra item. With a single overall item
    ("I feel safe at school") passed as ``items=[that_item]`` the rule is exactly "item >=
    agree", the definition behind national reference figures (about 97 % feel safe); use that
    form when the school report sets the figure beside those references.

    >>> frame = pd.DataFrame({"a": [4, 2, 3], "b": [3, 2, None]})
    >>> result = feels_safe(frame, ["a", "b"], threshold=3, low=1, high=4)
    >>> result.count, result.n  # pupil 3 answered 1 of 2 items: no score
    (1, 2)
    """
    if not low <= threshold <= high:
        raise InvalidInput(f"threshold must lie in {low}..{high}, got {threshold!r}")
    check_confidence(confidence)
    scores = scale_scores(answers, items, reverse, low=low, high=high, min_share=min_share)
    # A tiny tolerance so that a mean of exactly the threshold (e.g. (4 + 2) / 2 = 3) counts.
    flags = (scores >= threshold - 1e-9).astype(float).where(scores.notna())
    return _prevalence_of(flags, confidence)
