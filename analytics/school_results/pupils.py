"""Per pupil: what the questionnaire says for one band, scale scores, marked flags, counted
respondents, and per-unit values for peers and the previous year."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.dataset import UNANSWERED, values
from analytics.scales import scale_scores
from analytics.school_results.model import MIN_SHARE
from flows.model import AnalyticScale, Item, Questionnaire
from veilig.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class _MeanScale:
    name: str
    items: tuple[str, ...]
    ranges: tuple[tuple[int, int], ...]  # (low, high) per item in the band
    reverse: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _ShareScale:
    name: str
    summary: str
    mark: str
    items: tuple[str, ...]
    marked: tuple[frozenset[int], ...]  # the mark's codes per item in the band


@dataclass(frozen=True, slots=True)
class _Spec:
    """What the questionnaire says for one band."""

    band: str
    means: tuple[_MeanScale, ...]
    shares: tuple[_ShareScale, ...]


def _item(questionnaire: Questionnaire, item_id: str) -> Item:
    item = questionnaire.item(item_id)
    if item is None:
        raise InvalidInput(f"questionnaire {questionnaire.id} has no item {item_id!r}")
    return item


def _codes(questionnaire: Questionnaire, item: Item, band: str) -> tuple[int, ...]:
    options = questionnaire.options(item, band)
    if options is None:
        raise InvalidInput(f"item {item.id!r} has no answer options in band {band!r}")
    return tuple(option.code for option in options.options)


def _mark_codes(questionnaire: Questionnaire, item: Item, band: str, mark: str) -> frozenset[int]:
    options = questionnaire.options(item, band)
    if options is None or mark not in options.marks:
        raise InvalidInput(f"item {item.id!r} has no mark {mark!r} in band {band!r}")
    return options.marks[mark]


def _in_band(questionnaire: Questionnaire, scale: AnalyticScale, band: str) -> tuple[str, ...]:
    return tuple(
        item for item in questionnaire.refs(scale) if band in _item(questionnaire, item).bands
    )


def _spec(questionnaire: Questionnaire, band: str) -> _Spec:
    means: list[_MeanScale] = []
    shares: list[_ShareScale] = []
    for name, scale in questionnaire.scales.items():
        items = _in_band(questionnaire, scale, band)
        if not items:
            continue
        if scale.summary == "mean":
            ranges = []
            for item_id in items:
                codes = _codes(questionnaire, _item(questionnaire, item_id), band)
                ranges.append((min(codes), max(codes)))
            reverse = tuple(i for i in items if _item(questionnaire, i).reverse)
            means.append(_MeanScale(name, items, tuple(ranges), reverse))
        else:
            assert scale.mark is not None  # guaranteed by AnalyticScale's validator
            marked = tuple(
                _mark_codes(questionnaire, _item(questionnaire, i), band, scale.mark) for i in items
            )
            shares.append(_ShareScale(name, scale.summary, scale.mark, items, marked))
    return _Spec(band, tuple(means), tuple(shares))


# --------------------------------------------------------------------------- per pupil


def _marked(codes: pd.Series, marked: frozenset[int]) -> pd.Series:
    """1.0 where the answer is in the mark, 0.0 where answered otherwise, NaN where not answered."""
    answered = codes > UNANSWERED
    return codes.isin(sorted(marked)).astype(float).where(answered)


def _mean_scores(responses: pd.DataFrame, scale: _MeanScale) -> pd.Series:
    frame = values(responses, scale.items)
    for item, (low, high) in zip(scale.items, scale.ranges, strict=True):
        if item in scale.reverse:
            frame[item] = low + high - frame[item]
    low = min(low for low, _ in scale.ranges)
    high = max(high for _, high in scale.ranges)
    return scale_scores(frame, scale.items, low=low, high=high, min_share=MIN_SHARE)


def _flag_frame(responses: pd.DataFrame, scale: _ShareScale) -> pd.DataFrame:
    return pd.DataFrame(
        {
            item: _marked(responses[item], marked)
            for item, marked in zip(scale.items, scale.marked, strict=True)
        },
        index=responses.index,
    )


def _any_flags(flags: pd.DataFrame) -> pd.Series:
    """Per pupil the rule of :func:`analytics.prevalence.any_prevalence` on 0/1 flags."""
    hit = (flags >= 1).any(axis=1)
    needed = math.ceil(MIN_SHARE * flags.shape[1] - 1e-9)
    known = flags.notna().sum(axis=1) >= needed
    return pd.Series(np.where(hit, 1.0, np.where(known, 0.0, np.nan)), index=flags.index)


def _pupils(responses: pd.DataFrame, spec: _Spec) -> pd.DataFrame:
    """Per response row: ``counted``, ``score:<scale>`` and ``flag:<scale>`` (1/0/NaN)."""
    table = pd.DataFrame(index=responses.index)
    counted = pd.Series(True, index=responses.index)
    for scale in spec.means:
        score = _mean_scores(responses, scale)
        table[f"score:{scale.name}"] = score
        counted &= score.notna()
    for share in spec.shares:
        flags = _flag_frame(responses, share)
        if share.summary == "share_marked":
            table[f"flag:{share.name}"] = flags[share.items[0]]
        else:
            table[f"flag:{share.name}"] = _any_flags(flags)
    table["counted"] = counted if spec.means else pd.Series(False, index=responses.index)
    return table


def _unit_values(pupils: pd.DataFrame, keys: pd.Series, spec: _Spec) -> pd.DataFrame:
    """Per unit (``keys``) the counted respondents and, per scale, value/sd/n/count."""
    counted = pupils[pupils["counted"]]
    by = keys[counted.index]
    columns: dict[str, pd.Series] = {"respondents": counted.groupby(by, observed=True).size()}
    for scale in spec.means:
        score = counted[f"score:{scale.name}"].groupby(by, observed=True)
        columns[f"{scale.name}:value"] = score.mean()
        columns[f"{scale.name}:sd"] = score.std(ddof=1)
        columns[f"{scale.name}:n"] = score.count()
    for share in spec.shares:
        flag = counted[f"flag:{share.name}"].groupby(by, observed=True)
        count, n = flag.sum(), flag.count()
        columns[f"{share.name}:count"] = count
        columns[f"{share.name}:n"] = n
        columns[f"{share.name}:value"] = count / n.where(n > 0)
    return pd.DataFrame(columns)
