"""Per pupil: what the questionnaire says for one band, scale scores, marked flags, counted
respondents, and per-unit values for peers and the previous year."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.dataset import UNANSWERED
from analytics.prevalence import any_flags
from analytics.scales import code_range, pupil_scores
from analytics.school_results.model import MIN_SHARE
from flows.model import AnalyticScale, Item, Questionnaire
from veilig.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class _MeanScale:
    name: str
    items: tuple[str, ...]
    low: int  # the lowest and highest code of the items in the band
    high: int


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

    questionnaire: Questionnaire
    band: str
    means: tuple[_MeanScale, ...]
    shares: tuple[_ShareScale, ...]


def _item(questionnaire: Questionnaire, item_id: str) -> Item:
    item = questionnaire.item(item_id)
    if item is None:
        raise InvalidInput(f"questionnaire {questionnaire.id} has no item {item_id!r}")
    return item


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
            ranges = [code_range(questionnaire, item_id, band) for item_id in items]
            low = min(low for low, _ in ranges)
            high = max(high for _, high in ranges)
            means.append(_MeanScale(name, items, low, high))
        else:
            assert scale.mark is not None  # guaranteed by AnalyticScale's validator
            marked = tuple(
                _mark_codes(questionnaire, _item(questionnaire, i), band, scale.mark) for i in items
            )
            shares.append(_ShareScale(name, scale.summary, scale.mark, items, marked))
    return _Spec(questionnaire, band, tuple(means), tuple(shares))


# --------------------------------------------------------------------------- per pupil


def _marked(codes: pd.Series, marked: frozenset[int]) -> pd.Series:
    """1.0 where the answer is in the mark, 0.0 where answered otherwise, NaN where not answered."""
    answered = codes > UNANSWERED
    return codes.isin(sorted(marked)).astype(float).where(answered)


def _flag_frame(responses: pd.DataFrame, scale: _ShareScale) -> pd.DataFrame:
    return pd.DataFrame(
        {
            item: _marked(responses[item], marked)
            for item, marked in zip(scale.items, scale.marked, strict=True)
        },
        index=responses.index,
    )


def _pupils(responses: pd.DataFrame, spec: _Spec) -> pd.DataFrame:
    """Per response row: ``counted``, ``score:<scale>`` and ``flag:<scale>`` (1/0/NaN)."""
    table = pd.DataFrame(index=responses.index)
    scores = pupil_scores(responses, spec.questionnaire, spec.band)
    for scale in spec.means:
        table[f"score:{scale.name}"] = scores[scale.name]
    for share in spec.shares:
        flags = _flag_frame(responses, share)
        if share.summary == "share_marked":
            table[f"flag:{share.name}"] = flags[share.items[0]]
        else:
            table[f"flag:{share.name}"] = any_flags(flags, cutoff=1, min_share=MIN_SHARE)
    table["counted"] = scores["counted"]
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
