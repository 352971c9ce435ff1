"""The figures of a published unit: scales, shares, forms, option shares, follow-ups."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from analytics.dataset import DECLINED, UNANSWERED, values
from analytics.disclosure import ReleasePlan
from analytics.prevalence import any_prevalence, option_shares, prevalence
from analytics.reliability import Reliability, cronbach_alpha
from analytics.scales import code_range, describe_scale, turned_items
from analytics.school_results.breakdowns import (
    _breakdown,
    _grade_group_breakdowns,
    _representativeness,
    _response_cells,
)
from analytics.school_results.model import (
    CONTEXT_CONSTRUCT,
    DECLINED_OPTION,
    FEELS_SAFE,
    MIN_ALPHA_CASES,
    MIN_SHARE,
    UNKNOWN,
    Completion,
    Frequency,
    ItemShares,
    MeanFigure,
    OptionShare,
    SchoolFigures,
    ShareFigure,
)
from analytics.school_results.peers import _mean_change, _peers, _share_change
from analytics.school_results.pupils import (
    _flag_frame,
    _item,
    _mark_codes,
    _marked,
    _MeanScale,
    _Spec,
)
from flows.bands import age_band_for
from flows.model import Item, Questionnaire
from veilig.errors import InvalidInput


def _share_figure(
    name: str, mark: str, count: int, n: int, min_n: int, ci: tuple[float, float]
) -> ShareFigure:
    if n < min_n:
        return ShareFigure(name, mark, None, None, None, None, None)
    return ShareFigure(name, mark, count, n, count / n, ci[0], ci[1])


def _prevalence_figure(name: str, mark: str, flags: pd.Series, min_n: int) -> ShareFigure:
    result = prevalence(flags, cutoff=1)
    return _share_figure(name, mark, result.count, result.n, min_n, (result.ci_low, result.ci_high))


def _reliability(
    responses: pd.DataFrame, spec: _Spec, scale: _MeanScale, min_n: int
) -> Reliability | None:
    if len(scale.items) < 2:
        return None
    frame = turned_items(responses, spec.questionnaire, scale.items, spec.band)
    cases = int(frame.notna().all(axis=1).sum())
    if cases < max(min_n, MIN_ALPHA_CASES):
        return None
    try:
        return cronbach_alpha(frame, min_cases=max(min_n, MIN_ALPHA_CASES))
    except InvalidInput:  # the total score does not vary: alpha is 0/0
        return None


def _item_shares(
    questionnaire: Questionnaire,
    responses: pd.DataFrame,
    item: Item,
    band: str,
    min_n: int,
    shown: bool,
) -> ItemShares:
    """Option shares over the pupils who saw the item; ``shown`` is the release plan's
    decision (at least ``min_n`` answered it, declining not counted)."""
    options = questionnaire.options(item, band)
    assert options is not None  # items of the band have options (validated at load)
    codes = responses[item.id]
    seen = int(((codes > UNANSWERED) | (codes == DECLINED)).sum())
    if not shown or seen < min_n:
        return ItemShares(item.id, None, (), ())
    table = option_shares(
        values(responses, [item.id])[item.id],
        [option.code for option in options.options],
        declined=codes == DECLINED,
    )
    labels = [option.id for option in options.options] + [DECLINED_OPTION]
    codes_of: list[int | None] = [option.code for option in options.options] + [None]
    rows = [
        OptionShare(
            label,
            code,
            int(record["count"]),
            float(record["share"]),
            float(record["ci_low"]),
            float(record["ci_high"]),
        )
        for label, code, record in zip(labels, codes_of, table.to_dict("records"), strict=True)
    ]
    marks = tuple(
        _prevalence_figure(item.id, mark, _marked(codes, marked), min_n)
        for mark, marked in options.marks.items()
    )
    return ItemShares(item.id, seen, tuple(rows), marks)


def _band_of(sector: str, grade: int) -> str | None:
    try:
        return age_band_for(sector, int(grade)).value
    except InvalidInput:
        return None


def _choose_band(
    unit: pd.DataFrame, groups: pd.DataFrame, sector: str, band: str | None, school: str
) -> str | None:
    found = sorted({str(b) for b in unit["band"].unique()})
    if not found:
        found = sorted({b for g in groups["grade"] if (b := _band_of(sector, g)) is not None})
    if band is not None:
        return band
    if len(found) > 1:
        raise InvalidInput(
            f"school {school} has pupils in the bands {', '.join(found)}; choose one with band="
        )
    return found[0] if found else None


def _context_items(questionnaire: Questionnaire, band: str) -> tuple[Item, ...]:
    return tuple(
        item
        for _, item in questionnaire.items_in_band(band)
        if item.construct_id == CONTEXT_CONSTRUCT and item.condition is None
    )


def _context_categories(
    questionnaire: Questionnaire, responses: pd.DataFrame, item: Item, band: str
) -> pd.Series:
    options = questionnaire.options(item, band)
    assert options is not None
    labels = {option.code: option.id for option in options.options}
    return responses[item.id].map(lambda code: labels.get(int(code), UNKNOWN)).astype(str)


def _extra_items(
    questionnaire: Questionnaire, band: str, spec: _Spec
) -> tuple[tuple[Item, str], ...]:
    """Unconditional items outside every scale, with the mark a share scale uses on the same
    answer scale (e.g. "adults act": ``agree``; "bullied others": ``bullied``)."""
    in_scales = {
        item for scale in questionnaire.scales.values() for item in questionnaire.refs(scale)
    }
    mark_of: dict[str, str] = {}
    for share in spec.shares:
        for item_id in share.items:
            mark_of.setdefault(_item(questionnaire, item_id).scale, share.mark)
    return tuple(
        (item, mark_of[item.scale])
        for _, item in questionnaire.items_in_band(band)
        if item.id not in in_scales and item.condition is None and item.scale in mark_of
    )


def _figures(
    questionnaire: Questionnaire,
    spec: _Spec,
    unit: pd.DataFrame,
    pupils: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    enrolled: int,
    peers: pd.DataFrame,
    previous: pd.Series | None,
    previous_year: str,
    min_n: int,
    min_schools: int,
    plan: ReleasePlan,
    school: str,
) -> SchoolFigures:
    band = spec.band

    def shown(item_id: str) -> bool:
        return plan.item_shown(school, band, item_id)

    counted_index = pupils.index[pupils["counted"]]
    rows = unit.loc[counted_index]
    counted = pupils.loc[counted_index]
    respondents = len(counted_index)
    completed = int(unit["completed"].astype(bool).sum())
    completion = (
        Completion(started=len(unit), completed=completed, partial=len(unit) - completed)
        if plan.completion_shown(school, band)
        else None
    )

    scales = []
    for scale in spec.means:
        summary = describe_scale(counted[f"score:{scale.name}"])
        scales.append(
            MeanFigure(
                scale=scale.name,
                mean=summary.mean,
                sd=summary.sd,
                n=summary.n,
                ci_low=summary.ci_low,
                ci_high=summary.ci_high,
                low=scale.low,
                high=scale.high,
                reliability=_reliability(rows, spec, scale, min_n),
                peers=_peers(
                    scale.name, summary.mean, peers, count_column=None, min_schools=min_schools
                ),
                change=_mean_change(
                    summary.mean, summary.sd, summary.n, previous, scale.name, previous_year
                ),
            )
        )

    shares = []
    forms: list[ShareFigure] = []
    frequencies = []
    bullying_options: list[ItemShares] = []
    for share in spec.shares:
        flags = _flag_frame(rows, share)
        if share.summary == "share_marked":
            result = prevalence(flags[share.items[0]], cutoff=1)
            item = _item(questionnaire, share.items[0])
            codes = values(rows, [item.id])[item.id].dropna()
            kind = questionnaire.answer_scales[item.scale].kind
            if kind == "frequency" and len(codes) >= min_n:
                low, high = code_range(questionnaire, item.id, band)
                frequencies.append(Frequency(item.id, float(codes.mean()), len(codes), low, high))
        else:
            result = any_prevalence(flags, share.items, cutoff=1, min_share=MIN_SHARE)
            forms.extend(_prevalence_figure(i, share.mark, flags[i], min_n) for i in share.items)
            bullying_options.extend(
                _item_shares(questionnaire, rows, _item(questionnaire, i), band, min_n, shown(i))
                for i in share.items
            )
        figure = _share_figure(
            share.name, share.mark, result.count, result.n, min_n, (result.ci_low, result.ci_high)
        )
        if figure.shown:
            figure = replace(
                figure,
                peers=_peers(
                    share.name,
                    result.share,
                    peers,
                    count_column=f"{share.name}:count",
                    min_schools=min_schools,
                ),
                change=_share_change(
                    result.count, result.n, previous, share.name, previous_year, min_n
                ),
            )
        shares.append(figure)

    follow_ups = tuple(
        _item_shares(questionnaire, rows, item, band, min_n, shown(item.id))
        for _, item in questionnaire.items_in_band(band)
        if item.condition is not None
    )
    items = tuple(
        _prevalence_figure(
            item.id,
            mark,
            _marked(rows[item.id], _mark_codes(questionnaire, item, band, mark)),
            min_n,
        )
        for item, mark in _extra_items(questionnaire, band, spec)
    )

    # Response and representativeness per grade and per group.
    feels_share = next((f.share for f in shares if f.name == FEELS_SAFE), None)
    response = _response_cells(rows, groups, min_n)
    verdict = _representativeness(rows, groups, response, feels_share)
    breakdowns = list(
        _grade_group_breakdowns(
            rows["grade"].astype(int), rows["group"].astype(str), counted, spec, min_n
        )
    )
    breakdowns.extend(
        _breakdown(
            item.id, _context_categories(questionnaire, rows, item, band), counted, spec, min_n
        )
        for item in _context_items(questionnaire, band)
    )
    return SchoolFigures(
        respondents=respondents,
        response_rate=respondents / enrolled if enrolled else math.nan,
        completion=completion,
        scales=tuple(scales),
        shares=tuple(shares),
        frequencies=tuple(frequencies),
        forms=tuple(forms),
        bullying_options=tuple(bullying_options),
        follow_ups=follow_ups,
        items=items,
        representativeness=verdict,
        response=response,
        breakdowns=tuple(breakdowns),
    )
