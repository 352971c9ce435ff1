"""School figures for a whole school year at once: one pass over all pupils, no loop per school.

The figures and their rules are those of the per-pupil statistics core (:mod:`analytics.scales`,
:mod:`analytics.prevalence`, :mod:`analytics.intervals`, :mod:`analytics.reliability`); this
module computes the same numbers for thousands of schools together with ``numpy.bincount``
over a unit number per pupil, so a national year of 1.5 million pupils takes seconds. The tests
check every figure against the core applied to each school's rows.

**Unit**: a school (vestiging) in one school year and one age band (a school with pupils in two
bands gets two units, since the answer scales differ per band). Units come from the responses
and from the class groups (a group's band follows from the school's sector and the grade), so a
school with enrolled pupils but no responses still has its (suppressed) unit.

Per unit, for the scales of ``questionnaire.scales``, only the items a band asks counting:

- ``started`` (responses), ``completed``, ``partial`` = started - completed;
- ``respondents``: pupils with a score on every ``mean`` scale (scale score as
  :func:`analytics.scales.scale_scores`: mean of the answered items, reverse-coded items turned
  as ``low + high - x`` with the item's lowest and highest option code in the band, a score
  only when at least ``ceil(2/3 k)`` of the k items the band asks are answered). Every figure
  below counts these pupils only;
- ``enrolled``: the enrolled pupils of the school's groups of that year whose grade gives the
  band; ``response_rate`` = respondents / enrolled;
- per ``mean`` scale ``s``: ``s_n``, ``s_mean``, ``s_sd`` (ddof 1), ``s_ci_low``/``s_ci_high``
  (95 % t interval, :func:`analytics.intervals.mean_interval`), and Cronbach's alpha of the
  items on complete cases (``s_alpha``, Feldt ``s_alpha_ci_low``/``s_alpha_ci_high``,
  ``s_alpha_n`` complete cases; only with at least ``max(min_n, 10)`` complete cases, as
  :func:`analytics.reliability.cronbach_alpha` requires);
- per ``share_marked`` scale: ``s_count`` pupils whose answer is in the mark, ``s_n`` pupils who
  answered the item, ``s_share``, Wilson ``s_ci_low``/``s_ci_high``; when the item is on a
  frequency scale also ``s_mean_frequency``, the mean answer code of those who answered it
  (the bullied item's mean frequency);
- per ``share_any_marked`` scale: ``s_count`` pupils with any item of the group in the mark,
  ``s_n`` those who have any in the mark or answered at least ``ceil(2/3 k)`` of its k items
  (:func:`analytics.prevalence.any_prevalence`), share and Wilson interval.

**Suppression** (``min_n``, default 10): a unit with fewer than ``min_n`` respondents gets no
figures at all, not even ``started`` (``suppressed`` true, ``reason`` ``"below_min"``); in a
shown unit, a share whose ``n`` is below ``min_n`` is blank with its count and ``n``.

Floats are not rounded here (outputs round with :func:`analytics.rounding.round_figure`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analytics.dataset import DECLINED, UNANSWERED, Dataset
from analytics.intervals import mean_interval, wilson_interval
from analytics.suppression import Suppression
from flows.bands import age_band_for
from flows.model import Questionnaire
from veilig.errors import InvalidInput

__all__ = [
    "ALPHA_MIN_CASES",
    "DECLINED_OPTION",
    "UNIT_COLUMNS",
    "NationalTables",
    "national_tables",
    "option_share_table",
    "school_table",
]

#: The columns that name a unit in both tables.
UNIT_COLUMNS = ("school", "school_year", "sector", "band")
#: ``option_id`` of the "I'd rather not say" row of :func:`option_share_table`.
DECLINED_OPTION = "declined"
#: Fewest complete cases for Cronbach's alpha (as :func:`analytics.reliability.cronbach_alpha`).
ALPHA_MIN_CASES = 10
MIN_SHARE = 2 / 3
CONFIDENCE = 0.95
_BELOW_MIN = Suppression.BELOW_MIN.value


def _needed(k: int) -> int:
    """Items to answer of k for a score: ``ceil(2/3 k)`` as in :mod:`analytics.scales`."""
    return math.ceil(MIN_SHARE * k - 1e-9)


# --- the questionnaire, read per band -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    id: str
    codes: tuple[int, ...]  # option codes in the band, ascending
    ids: tuple[str, ...]  # option ids in the same order
    reverse: bool

    @property
    def low(self) -> int:
        return self.codes[0]

    @property
    def high(self) -> int:
        return self.codes[-1]


@dataclass(frozen=True, slots=True)
class _Scale:
    name: str
    summary: str
    items: tuple[_Item, ...]  # the scale's items that the band asks
    marks: tuple[frozenset[int], ...]  # per item, the marked codes (share scales)


def _band_item(questionnaire: Questionnaire, item_id: str, band: str) -> _Item | None:
    item = questionnaire.item(item_id)
    if item is None:
        raise InvalidInput(f"the questionnaire has no item {item_id!r}, yet a scale names it")
    if band not in item.bands:
        return None
    options = questionnaire.options(item, band)
    if options is None:
        raise InvalidInput(f"item {item_id!r} has no answer options in band {band!r}")
    ordered = sorted(options.options, key=lambda option: option.code)
    return _Item(
        id=item_id,
        codes=tuple(option.code for option in ordered),
        ids=tuple(option.id for option in ordered),
        reverse=item.reverse,
    )


def _mark(questionnaire: Questionnaire, item_id: str, band: str, mark: str) -> frozenset[int]:
    item = questionnaire.item(item_id)
    options = None if item is None else questionnaire.options(item, band)
    if options is None or mark not in options.marks:
        raise InvalidInput(f"item {item_id!r} has no mark {mark!r} in band {band!r}")
    return options.marks[mark]


def _band_scales(questionnaire: Questionnaire, band: str) -> list[_Scale]:
    scales = []
    for name, scale in questionnaire.scales.items():
        items = [_band_item(questionnaire, i, band) for i in questionnaire.refs(scale)]
        asked = tuple(item for item in items if item is not None)
        marks: tuple[frozenset[int], ...] = ()
        if scale.mark is not None:
            marks = tuple(_mark(questionnaire, item.id, band, scale.mark) for item in asked)
        if scale.summary == "share_marked" and len(items) != 1:
            raise InvalidInput(f"scale {name!r} is share_marked and must name exactly one item")
        scales.append(_Scale(name, scale.summary, asked, marks))
    return scales


def _is_frequency(questionnaire: Questionnaire, item_id: str) -> bool:
    item = questionnaire.item(item_id)
    scale = None if item is None else questionnaire.answer_scales.get(item.scale)
    return scale is not None and scale.kind == "frequency"


def _frequency_scales(questionnaire: Questionnaire) -> set[str]:
    """The ``share_marked`` scales whose item is on a frequency scale: they get a mean too."""
    return {
        name
        for name, scale in questionnaire.scales.items()
        if scale.summary == "share_marked"
        and all(_is_frequency(questionnaire, i) for i in questionnaire.refs(scale))
    }


def _columns(questionnaire: Questionnaire) -> list[str]:
    columns = [
        *UNIT_COLUMNS,
        "started",
        "completed",
        "partial",
        "respondents",
        "enrolled",
        "response_rate",
    ]
    for name, scale in questionnaire.scales.items():
        stats_: list[str]
        if scale.summary == "mean":
            stats_ = ["n", "mean", "sd", "ci_low", "ci_high"]
            stats_ += ["alpha", "alpha_ci_low", "alpha_ci_high", "alpha_n"]
        else:
            stats_ = ["count", "n", "share", "ci_low", "ci_high"]
            if name in _frequency_scales(questionnaire):
                stats_.append("mean_frequency")
        columns += [f"{name}_{stat}" for stat in stats_]
    return [*columns, "suppressed", "reason"]


# --- one pass over a school year -----------------------------------------------------------


def _member_table(members: Sequence[int]) -> np.ndarray:
    """A lookup table over every int16 code: ``table[codes.view(np.uint16)]`` is "in members"."""
    table = np.zeros(1 << 16, dtype=bool)
    table[np.asarray(list(members), dtype=np.int16).view(np.uint16)] = True
    return table


def _is_in(codes: np.ndarray, members: Sequence[int]) -> np.ndarray:
    """``numpy.isin`` for int16 codes: two comparisons when ``members`` is a run of whole
    numbers (marks like "3 and above" are), else one gather from a lookup table."""
    wanted = sorted(set(members))
    if wanted and wanted == list(range(wanted[0], wanted[-1] + 1)):
        return (codes >= wanted[0]) & (codes <= wanted[-1])
    return _member_table(wanted)[codes.view(np.uint16)]


def _categories(series: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (as str) and each row's position among them, without a str per row."""
    categorical = (
        series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    )
    codes = categorical.cat.codes.to_numpy().astype(np.intp)
    if (codes < 0).any():
        raise InvalidInput(f"responses have rows without a {what}")
    return categorical.cat.categories.astype(str).to_numpy(dtype=object), codes


def _band_or_none(sector: str, grade: int) -> str | None:
    try:
        return age_band_for(sector, grade).value
    except InvalidInput:
        return None  # e.g. PO groep 1-4: those pupils do not answer themselves


def _group_bands(groups: pd.DataFrame, sectors: pd.Series) -> np.ndarray:
    """The band of each group from its school's sector and grade (None: does not take part)."""
    school = groups["school"].astype(str)
    sector = school.map(sectors)
    unknown = sorted(set(school[sector.isna()]))
    if unknown:
        raise InvalidInput(f"groups of schools that are not in the schools table: {unknown}")
    pairs = pd.DataFrame({"sector": sector.astype(str), "grade": groups["grade"].astype(int)})
    distinct = pairs.drop_duplicates().reset_index(drop=True)  # a few dozen pairs at most
    distinct["band"] = [_band_or_none(s, g) for s, g in distinct.itertuples(index=False)]
    joined = pairs.merge(distinct, on=["sector", "grade"], how="left", validate="many_to_one")
    return joined["band"].to_numpy(dtype=object)


@dataclass(frozen=True)
class _Band:
    name: str
    rows: np.ndarray  # positions in the responses of this band's pupils
    scales: list[_Scale]
    counted: np.ndarray  # per band row: a score on every mean scale (a respondent)
    scores: dict[str, np.ndarray]  # mean scale -> score per band row (NaN: none)
    unit: np.ndarray  # unit number of each respondent (band rows where counted)


class _Pass:
    """A school year's responses read once: units, bands, scores and respondents.

    Stored codes are read per (band, item) once, checked against the band's options and kept
    as int16, so both tables and every scale share them.
    """

    def __init__(self, dataset: Dataset, school_year: str) -> None:
        year = dataset.year(school_year)
        self.questionnaire = year.questionnaire
        self.responses = year.responses
        self._codes: dict[tuple[str, str], np.ndarray] = {}
        self._counted: dict[tuple[str, str], np.ndarray] = {}
        bands = list(self.questionnaire.bands)
        sectors = year.schools.drop_duplicates("school").set_index("school")["sector"]
        sectors.index = sectors.index.astype(str)
        sectors = sectors.astype(str)

        school_values, school_of_row = _categories(self.responses["school"], "school")
        band_values, band_code = _categories(self.responses["band"], "band")
        used_bands = band_values[np.bincount(band_code, minlength=len(band_values)) > 0]
        odd = sorted(set(used_bands) - set(bands))
        if odd:
            raise InvalidInput(f"responses in bands {odd} that the questionnaire does not have")
        used = school_values[np.bincount(school_of_row, minlength=len(school_values)) > 0]
        missing = sorted(set(used) - set(sectors.index))
        if missing:
            raise InvalidInput(f"responses of schools that are not in the schools table: {missing}")

        group_band = _group_bands(year.groups, sectors)
        taking_part = pd.notna(group_band)
        group_school = year.groups["school"].astype(str).to_numpy(dtype=object)[taking_part]
        enrolled_of_group = year.groups["enrolled"].to_numpy(dtype=np.int64)[taking_part]

        schools = np.unique(np.concatenate([used, group_school]).astype(str))
        band_index = {band: i for i, band in enumerate(bands)}
        band_of_value = np.array([band_index.get(b, 0) for b in band_values], dtype=np.intp)
        self.band_of_row = band_of_value[band_code]
        school_of_value = np.searchsorted(schools, school_values.astype(str))
        row_keys = school_of_value[school_of_row] * len(bands) + self.band_of_row
        group_keys = np.searchsorted(schools, group_school.astype(str)) * len(bands) + np.array(
            [band_index[b] for b in group_band[taking_part]], dtype=np.intp
        )
        # Keys are bounded by schools x bands, so counting them beats sorting 1.5 million rows.
        present = np.bincount(
            np.concatenate([row_keys, group_keys]), minlength=len(schools) * len(bands)
        )
        keys = np.flatnonzero(present)
        unit_of_key = np.cumsum(present > 0) - 1
        self.unit_of_row = unit_of_key[row_keys]
        unit_of_group = unit_of_key[group_keys]
        unit_school = schools[keys // len(bands)]
        self.units = pd.DataFrame(
            {
                "school": unit_school,
                "school_year": school_year,
                "sector": sectors.reindex(unit_school).to_numpy(),
                "band": np.asarray(bands, dtype=object)[keys % len(bands)],
            }
        )
        self.size = len(self.units)
        self.unit_band = self.units["band"].to_numpy()
        self.unit_band_index = (keys % len(bands)).astype(np.intp)  # position in bands
        self.enrolled = np.bincount(
            unit_of_group, weights=enrolled_of_group, minlength=self.size
        ).astype(np.int64)
        self.bands = [self._band(i, band) for i, band in enumerate(bands)]
        self.respondents = self._respondents()

    def codes(self, band: str, rows: np.ndarray, item: _Item) -> np.ndarray:
        """The stored codes of ``item`` for the band's rows; refuses a code it has no option for."""
        key = (band, item.id)
        if key not in self._codes:
            codes = self.responses[item.id].to_numpy()[rows].astype(np.int16)
            bad = ~_is_in(codes, [DECLINED, UNANSWERED, *item.codes])
            if bad.any():
                raise InvalidInput(
                    f"item {item.id!r} holds code {int(codes[bad][0])}, which band {band!r} has "
                    f"no option for (options {list(item.codes)}); check the stored answers"
                )
            self._codes[key] = codes
        return self._codes[key]

    def counted_codes(self, band: _Band, item: _Item) -> np.ndarray:
        """:meth:`codes` of the band's respondents only (kept: several figures read them)."""
        key = (band.name, item.id)
        if key not in self._counted:
            self._counted[key] = self.codes(band.name, band.rows, item)[band.counted]
        return self._counted[key]

    def _band(self, index: int, band: str) -> _Band:
        rows = np.flatnonzero(self.band_of_row == index)
        scales = _band_scales(self.questionnaire, band)
        counted = np.ones(len(rows), dtype=bool)
        scores: dict[str, np.ndarray] = {}
        for scale in scales:
            if scale.summary != "mean" or not scale.items:
                continue
            # Whole numbers until the one division: sums of codes are exact.
            total = np.zeros(len(rows), dtype=np.int32)
            answered = np.zeros(len(rows), dtype=np.int32)
            for item in scale.items:
                codes = self.codes(band, rows, item)
                total += _turned(codes, item)
                answered += codes > 0
            with np.errstate(divide="ignore", invalid="ignore"):
                score = np.where(answered >= _needed(len(scale.items)), total / answered, np.nan)
            scores[scale.name] = score
            counted &= ~np.isnan(score)
        unit = self.unit_of_row[rows][counted]
        return _Band(band, rows, scales, counted, scores, unit)

    def _respondents(self) -> np.ndarray:
        total = np.zeros(self.size)
        for band in self.bands:
            total += _count(band.unit, self.size)
        return total


def _turned(codes: np.ndarray, item: _Item) -> np.ndarray:
    """Codes with reverse-coded items turned (``low + high - x``); 0 where not answered."""
    if not item.reverse:
        return np.where(codes > 0, codes, 0).astype(np.int16)
    return np.where(codes > 0, item.low + item.high - codes, 0).astype(np.int16)


# --- grouped statistics -------------------------------------------------------------------


def _count(unit: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(unit, weights=weights, minlength=size).astype(np.float64)


def _mean_sd(
    unit: np.ndarray, size: int, values: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SD (ddof 1; two passes, for accuracy) of ``values`` per unit of ``n`` values."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = _count(unit, size, values) / n
        squares = _count(unit, size, (values - mean[unit]) ** 2)
        sd = np.where(n >= 2, np.sqrt(squares / (n - 1)), np.nan)
    return mean, sd


def _variance_of_codes(
    unit: np.ndarray, size: int, values: np.ndarray, n: np.ndarray
) -> np.ndarray:
    """Sample variance per unit of small whole numbers (answer codes and their sums).

    .. math::  s^2 = \\frac{n \\sum x^2 - (\\sum x)^2}{n (n - 1)}

    One count per unit and value gives both sums exactly (whole numbers far below 2^53), so
    the numerator is exact and the one division the only rounding: no cancellation.
    """
    width = int(values.max()) + 1 if len(values) else 1
    counts = np.bincount(unit * width + values, minlength=size * width).reshape(size, width)
    codes = np.arange(width, dtype=np.float64)
    first = counts @ codes
    second = counts @ (codes * codes)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n >= 2, (n * second - first * first) / (n * (n - 1)), np.nan)


def _alpha(
    unit: np.ndarray, size: int, items: list[np.ndarray], min_cases: int
) -> dict[str, np.ndarray]:
    """Cronbach's alpha per unit on complete cases, with the Feldt interval.

    .. math::  \\alpha = \\frac{k}{k-1}(1 - \\sum_j s_j^2 / s_X^2)

    as :func:`analytics.reliability.cronbach_alpha`, from per-unit item and total variances.
    ``items``: each item's turned codes per respondent, 0 where not answered.
    """
    k = len(items)
    nan = np.full(size, np.nan)
    if k < 2:
        return {"alpha": nan, "alpha_ci_low": nan, "alpha_ci_high": nan, "alpha_n": nan}
    complete = np.logical_and.reduce([values > 0 for values in items])
    cases = unit[complete]
    n = _count(cases, size)
    item_variance = np.zeros(size)
    total = np.zeros(int(complete.sum()), dtype=np.intp)
    for values in items:
        kept = values[complete].astype(np.intp)
        item_variance += _variance_of_codes(cases, size, kept, n)
        total += kept
    total_variance = _variance_of_codes(cases, size, total, n)
    # The same refusals as the core: too few complete cases, or a total that does not vary.
    usable = (n >= min_cases) & (total_variance > 1e-12 * np.maximum(1.0, item_variance))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(usable, k / (k - 1) * (1.0 - item_variance / total_variance), np.nan)
    gamma = 1.0 - CONFIDENCE
    # The F quantiles depend on n only: compute them once per distinct n.
    distinct, at = np.unique(np.where(usable, n - 1, 1.0), return_inverse=True)
    upper_f = stats.f.isf(gamma / 2.0, distinct, distinct * (k - 1))[at]
    lower_f = stats.f.isf(1.0 - gamma / 2.0, distinct, distinct * (k - 1))[at]
    return {
        "alpha": alpha,
        "alpha_ci_low": np.where(usable, 1.0 - (1.0 - alpha) * upper_f, np.nan),
        "alpha_ci_high": np.where(usable, 1.0 - (1.0 - alpha) * lower_f, np.nan),
        "alpha_n": np.where(usable, n, np.nan),
    }


def _wilson(count: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    interval = wilson_interval(pd.Series(count), pd.Series(n))
    return interval["ci_low"].to_numpy(), interval["ci_high"].to_numpy()


def _t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # sd is NaN for n < 2, where the interval is NaN anyway; the core refuses NaN sds.
    interval = mean_interval(pd.Series(mean), pd.Series(np.nan_to_num(sd)), pd.Series(n))
    return interval["ci_low"].to_numpy(), interval["ci_high"].to_numpy()


def _mean_scale(run: _Pass, band: _Band, scale: _Scale, min_n: int) -> dict[str, np.ndarray]:
    n = run.respondents  # every respondent has a score on every mean scale
    mean, sd = _mean_sd(band.unit, run.size, band.scores[scale.name][band.counted], n)
    low, high = _t_interval(mean, sd, n)
    items = [_turned(run.counted_codes(band, item), item) for item in scale.items]
    figures = {"n": n, "mean": mean, "sd": sd, "ci_low": low, "ci_high": high}
    return figures | _alpha(band.unit, run.size, items, max(min_n, ALPHA_MIN_CASES))


def _share_scale(
    run: _Pass, band: _Band, scale: _Scale, min_n: int, frequency: bool
) -> dict[str, np.ndarray]:
    codes = [run.counted_codes(band, item) for item in scale.items]
    marked = [_is_in(c, sorted(mark)) for c, mark in zip(codes, scale.marks, strict=True)]
    if scale.summary == "share_marked":
        flag, known = marked[0], codes[0] > 0
    else:  # share_any_marked, as analytics.prevalence.any_prevalence
        flag = np.logical_or.reduce(marked)
        answered = np.sum([c > 0 for c in codes], axis=0)
        known = flag | (answered >= _needed(len(codes)))
    count = _count(band.unit, run.size, flag.astype(np.float64))
    n = _count(band.unit, run.size, known.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = count / n
    low, high = _wilson(count, n)
    figures = {"count": count, "n": n, "share": share, "ci_low": low, "ci_high": high}
    if frequency:
        answered_codes = np.where(known, codes[0], 0).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            figures["mean_frequency"] = _count(band.unit, run.size, answered_codes) / n
    # A share of fewer than min_n answering pupils is not published, nor its count and n.
    return {key: np.where(n < min_n, np.nan, values) for key, values in figures.items()}


def _scale_figures(run: _Pass, min_n: int) -> pd.DataFrame:
    """Every scale column for every unit (NaN where a unit's band has no such scale)."""
    frequency = _frequency_scales(run.questionnaire)
    out: dict[str, np.ndarray] = {}
    for band in run.bands:
        mine = run.unit_band == band.name
        for scale in band.scales:
            if not scale.items:
                continue
            if scale.summary == "mean":
                figures = _mean_scale(run, band, scale, min_n)
            else:
                figures = _share_scale(run, band, scale, min_n, scale.name in frequency)
            for key, values in figures.items():
                column = out.setdefault(f"{scale.name}_{key}", np.full(run.size, np.nan))
                column[mine] = values[mine]
    return pd.DataFrame(out, index=run.units.index)


# --- the tables ---------------------------------------------------------------------------

_COUNT_COLUMNS = ("started", "completed", "partial", "respondents", "enrolled")


@dataclass(frozen=True)
class NationalTables:
    """:func:`school_table` and :func:`option_share_table` of one school year, from one pass."""

    schools: pd.DataFrame
    options: pd.DataFrame


def national_tables(
    dataset: Dataset,
    school_year: str,
    *,
    min_n: int = 10,
    items: Sequence[str] | None = None,
) -> NationalTables:
    """Both tables of ``school_year``, reading the responses once (what the delivery uses)."""
    _check_min_n(min_n)
    run = _Pass(dataset, school_year)
    return NationalTables(_school_table(run, min_n), _option_share_table(run, min_n, items))


def school_table(dataset: Dataset, school_year: str, *, min_n: int = 10) -> pd.DataFrame:
    """One row per unit (school x band) of ``school_year`` with every school figure.

    See the module docstring for the columns and rules. Rows are sorted by school code, then
    band (in questionnaire order); counts are nullable ``Int64``, figures ``float64``. A
    suppressed unit has every figure missing, ``suppressed`` true and ``reason``
    ``"below_min"``; a shown unit has ``reason`` missing.
    """
    _check_min_n(min_n)
    return _school_table(_Pass(dataset, school_year), min_n)


def _school_table(run: _Pass, min_n: int) -> pd.DataFrame:
    columns = _columns(run.questionnaire)
    completed = run.responses["completed"].to_numpy(dtype=bool)
    started = _count(run.unit_of_row, run.size)
    done = _count(run.unit_of_row, run.size, completed.astype(np.float64))
    respondents = run.respondents
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(run.enrolled > 0, respondents / run.enrolled, np.nan)
    counts = pd.DataFrame(
        {
            "started": started,
            "completed": done,
            "partial": started - done,
            "respondents": respondents,
            "enrolled": run.enrolled.astype(np.float64),
            "response_rate": rate,
        },
        index=run.units.index,
    )
    table = pd.concat([run.units, counts, _scale_figures(run, min_n)], axis=1)
    table = table.reindex(columns=columns)
    suppressed = respondents < min_n
    for column in columns:
        if column in (*UNIT_COLUMNS, "suppressed", "reason"):
            continue
        values = np.where(suppressed, np.nan, table[column].to_numpy(dtype=np.float64))
        if column in _COUNT_COLUMNS or column.endswith(("_n", "_count")):
            table[column] = pd.array(np.round(values), dtype="Float64").astype("Int64")
        else:
            table[column] = values
    table["suppressed"] = suppressed
    table["reason"] = _reasons(suppressed)
    return table.reset_index(drop=True)


def option_share_table(
    dataset: Dataset,
    school_year: str,
    *,
    min_n: int = 10,
    items: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Pupils per answer option of each bullying item, per unit (long format).

    ``items``: by default the items of the questionnaire's ``share_any_marked`` scales (the
    ``bullying`` group). Rows per unit and item its band asks: one per option code of the band
    (ascending), then ``option_id`` :data:`DECLINED_OPTION` (``option_code`` -1) for "I'd rather
    not say". Over the unit's respondents (see :func:`school_table`): ``count``; ``n`` = the
    pupils who saw the item (answered or declined); ``share`` = count / n, as
    :func:`analytics.prevalence.option_shares`. In a suppressed unit, and for an item with
    ``n < min_n``, ``count``, ``n`` and ``share`` are missing, ``suppressed`` is true and
    ``reason`` ``"below_min"``.

    Columns: ``school``, ``school_year``, ``sector``, ``band``, ``item``, ``option_code``,
    ``option_id``, ``count``, ``n``, ``share``, ``suppressed``, ``reason``; sorted by unit (as
    :func:`school_table`), item (questionnaire order), then option. The text columns are
    categorical (a national table has half a million rows), ``count`` and ``n`` nullable
    ``Int64``.
    """
    _check_min_n(min_n)
    return _option_share_table(_Pass(dataset, school_year), min_n, items)


def _option_share_table(run: _Pass, min_n: int, items: Sequence[str] | None) -> pd.DataFrame:
    questionnaire = run.questionnaire
    order = {item.id: i for i, (_, item) in enumerate(questionnaire.items())}
    wanted = _option_items(questionnaire) if items is None else list(items)
    unknown = [item for item in wanted if item not in order]
    if unknown:
        raise InvalidInput(f"items not in the questionnaire: {unknown}")
    wanted = sorted(dict.fromkeys(wanted), key=order.__getitem__)
    option_ids: dict[str, int] = {}
    # Each band's rows per unit follow one template (item, then option); a unit's rows are its
    # band's template, so the table is filled unit after unit without sorting.
    templates: dict[str, dict[str, np.ndarray]] = {}
    counts: dict[str, np.ndarray] = {}
    for band in run.bands:
        parts: dict[str, list[int]] = {"item": [], "option_code": [], "option_id": []}
        per_option: list[np.ndarray] = []  # per item: units x options
        seen: list[np.ndarray] = []  # per item: units x options, each the item's n
        for position, item_id in enumerate(wanted):
            item = _band_item(questionnaire, item_id, band.name)
            if item is None:
                continue
            ids = [*item.ids, DECLINED_OPTION]
            parts["item"] += [position] * len(ids)
            parts["option_code"] += [*item.codes, DECLINED]
            parts["option_id"] += [option_ids.setdefault(i, len(option_ids)) for i in ids]
            item_counts = _option_counts(run, band, item)
            per_option.append(item_counts)
            seen.append(np.repeat(item_counts.sum(axis=1, keepdims=True), len(ids), axis=1))
        templates[band.name] = {key: np.asarray(values) for key, values in parts.items()}
        none = np.zeros((run.size, 0), dtype=np.int64)
        counts[band.name] = np.hstack(per_option) if per_option else none
        counts[f"{band.name}:n"] = np.hstack(seen) if seen else none
    widths = np.asarray([len(templates[band.name]["item"]) for band in run.bands], np.intp)
    rows_of_unit = widths[run.unit_band_index]
    start = np.concatenate([[0], np.cumsum(rows_of_unit)])
    total = int(start[-1])
    columns = {
        key: np.zeros(total, dtype=np.int64)
        for key in ("unit", "item", "option_code", "option_id", "count", "n")
    }
    columns["unit"] = np.repeat(np.arange(run.size), rows_of_unit)
    for band in run.bands:
        mine = np.flatnonzero(run.unit_band == band.name)
        template = templates[band.name]
        width = len(template["item"])
        if not width or not len(mine):
            continue
        at = (start[mine][:, None] + np.arange(width)).reshape(-1)
        for key, values in template.items():
            columns[key][at] = np.tile(values, len(mine))
        columns["count"][at] = counts[band.name][mine].reshape(-1)
        columns["n"][at] = counts[f"{band.name}:n"][mine].reshape(-1)
    unit = columns["unit"]
    count = columns["count"].astype(np.float64)
    n = columns["n"].astype(np.float64)
    hidden = (run.respondents[unit] < min_n) | (n < min_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(hidden, np.nan, count / n)
    # Categorical text columns: half a million rows name a few thousand schools and ids.
    table = pd.DataFrame({column: _unit_column(run, column, unit) for column in UNIT_COLUMNS})
    table["item"] = _categorical(columns["item"], wanted)
    table["option_code"] = columns["option_code"]
    table["option_id"] = _categorical(columns["option_id"], list(option_ids))
    table["count"] = pd.arrays.IntegerArray(columns["count"], hidden.copy())
    table["n"] = pd.arrays.IntegerArray(columns["n"], hidden.copy())
    table["share"] = share
    table["suppressed"] = hidden
    table["reason"] = _categorical(np.where(hidden, 0, -1), [_BELOW_MIN])
    return table


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical[str]:
    """Text as codes into ``categories`` (-1: missing), without a string per row."""
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index(categories))


def _unit_column(run: _Pass, column: str, unit: np.ndarray) -> pd.Categorical[str]:
    codes, values = pd.factorize(run.units[column].astype(str), sort=True)
    return _categorical(codes[unit], [str(value) for value in values])


def _option_counts(run: _Pass, band: _Band, item: _Item) -> np.ndarray:
    """Respondents per unit (rows) and option (columns: the options, then "declined")."""
    codes = run.counted_codes(band, item)
    options = len(item.codes)
    # A slot per option, then "declined", then "not answered" (dropped): one bincount, no mask.
    slot_of_code = np.full(1 << 16, options + 1, dtype=np.intp)
    slot_of_code[np.asarray(item.codes, dtype=np.int16).view(np.uint16)] = np.arange(options)
    slot_of_code[np.int16(DECLINED).view(np.uint16)] = options
    slot = slot_of_code[codes.view(np.uint16)]
    width = options + 2
    counts = np.bincount(band.unit * width + slot, minlength=run.size * width)
    return counts.reshape(run.size, width)[:, : options + 1]


def _reasons(hidden: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``"below_min"`` where hidden, missing elsewhere."""
    reasons = np.full(len(hidden), None, dtype=object)
    reasons[hidden] = _BELOW_MIN
    return pd.array(reasons, dtype="string")


def _option_items(questionnaire: Questionnaire) -> list[str]:
    found: list[str] = []
    for scale in questionnaire.scales.values():
        if scale.summary == "share_any_marked":
            found += questionnaire.refs(scale)
    return list(dict.fromkeys(found))


def _check_min_n(min_n: int) -> None:
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise InvalidInput(f"min_n must be a whole number of 1 or more, got {min_n!r}")
