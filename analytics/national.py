"""School figures for a whole school year at once: one pass over all pupils, no loop per school.

The figures and their rules are those of the per-pupil statistics core (:mod:`analytics.scales`,
:mod:`analytics.prevalence`, :mod:`analytics.intervals`, :mod:`analytics.reliability`); this
module computes the same numbers for thousands of schools together: it counts small whole
numbers per pupil (answer codes, scale totals and items answered) with ``numpy.bincount`` over
a unit number per pupil and derives every figure from the counts, so a national year of 1.5
million pupils takes a fraction of a second. The tests check every figure against the core
applied to each school's rows.

Scale means and SDs are exact: a score is total / answered, so a unit's mean is a ratio of
whole numbers, computed as one correctly rounded division (see :func:`_score_mean_sd`). The
figures do not depend on the order of the pupils, and a mean exactly half way between two
published decimals (2.3335) is that number, which rounds half up as the reader expects.

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
from analytics.scales import answers_needed
from analytics.suppression import Suppression
from flows.bands import age_band_for
from flows.model import Questionnaire
from veilig.errors import InvalidInput

__all__ = [
    "ALPHA_MIN_CASES",
    "DECLINED_OPTION",
    "UNIT_COLUMNS",
    "NationalTables",
    "UnitCounts",
    "national_tables",
    "option_share_table",
    "school_table",
    "unit_counts",
]

#: The columns that name a unit in both tables.
UNIT_COLUMNS = ("school", "school_year", "sector", "band")
#: ``option_id`` of the "I'd rather not say" row of :func:`option_share_table`.
DECLINED_OPTION = "declined"
#: Fewest complete cases for Cronbach's alpha (as :func:`analytics.reliability.cronbach_alpha`).
ALPHA_MIN_CASES = 10
CONFIDENCE = 0.95
_BELOW_MIN = Suppression.BELOW_MIN.value


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


# --- the units of a school year ------------------------------------------------------------


def _categories(series: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (as str) and each row's position among them, without a str per row."""
    categorical = (
        series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    )
    codes = categorical.cat.codes.to_numpy()
    if len(codes) and codes.min() < 0:
        raise InvalidInput(f"responses have rows without a {what}")
    return categorical.cat.categories.astype(str).to_numpy(dtype=object), codes


def _band_or_none(sector: str, grade: int) -> str | None:
    try:
        return age_band_for(sector, grade).value
    except InvalidInput:
        return None  # e.g. PO groep 1-4: those pupils do not answer themselves


def _group_bands(
    schools: np.ndarray,
    of_group: np.ndarray,
    grades: np.ndarray,
    sectors: pd.Series,
    bands: Sequence[str],
) -> np.ndarray:
    """The band of each group (its position in ``bands``; -1: the group does not take part)
    from its school's sector and its grade.

    ``schools``: the distinct schools of the groups; ``of_group``: each group's among them.
    """
    sector = sectors.reindex(schools)
    unknown = sorted(str(school) for school in schools[sector.isna().to_numpy()])
    if unknown:
        raise InvalidInput(f"groups of schools that are not in the schools table: {unknown}")
    if not len(of_group):
        return np.zeros(0, dtype=np.intp)
    sector_codes, sector_names = pd.factorize(sector)
    grades = grades.astype(np.int64)
    low, span = int(grades.min()), int(grades.max() - grades.min()) + 1
    # A few dozen (sector, grade) pairs at most: the band once per pair.
    keys = sector_codes[of_group] * span + (grades - low)
    present = np.bincount(keys, minlength=len(sector_names) * span) > 0
    pairs, at = np.flatnonzero(present), (np.cumsum(present) - 1)[keys]
    names = [str(name) for name in sector_names]
    found = [_band_or_none(names[p // span], p % span + low) for p in pairs.tolist()]
    band_index = np.array([-1 if b is None else list(bands).index(b) for b in found], np.intp)
    result: np.ndarray = band_index[at]
    return result


class _Units:
    """The units (school x band) of a school year, and the unit and band of every response."""

    def __init__(self, dataset: Dataset, school_year: str) -> None:
        self.questionnaire = dataset.questionnaire
        responses = dataset.responses
        # Most years are loaded alone: filter (a copy of every column) only when needed.
        of_year = (responses["school_year"] == school_year).to_numpy(dtype=bool)
        self.responses = responses if of_year.all() else responses[of_year]
        groups = dataset.groups[(dataset.groups["school_year"] == school_year).to_numpy(bool)]
        bands = list(self.questionnaire.bands)
        self.bands = bands
        sectors = dataset.schools.drop_duplicates("school").set_index("school")["sector"]
        sectors.index = sectors.index.astype(str)
        sectors = sectors.astype(str)

        # Responses: one key per (school, band) value pair; per-row work is integer only.
        school_values, school_code = _categories(self.responses["school"], "school")
        band_values, band_code = _categories(self.responses["band"], "band")
        pair = school_code.astype(np.intp) * len(band_values) + band_code
        pairs = np.bincount(pair, minlength=len(school_values) * len(band_values))
        pairs = pairs.reshape(len(school_values), len(band_values))
        odd = sorted(set(band_values[pairs.sum(axis=0) > 0]) - set(bands))
        if odd:
            raise InvalidInput(f"responses in bands {odd} that the questionnaire does not have")
        used = school_values[pairs.sum(axis=1) > 0]
        missing = sorted(set(used) - set(sectors.index))
        if missing:
            raise InvalidInput(f"responses of schools that are not in the schools table: {missing}")

        # Groups: their schools once each, then integers.
        group_of, group_values = pd.factorize(groups["school"].astype(str))
        group_schools = np.asarray(group_values, dtype=object)
        group_band = _group_bands(
            group_schools, group_of, groups["grade"].to_numpy(), sectors, bands
        )
        taking_part = group_band >= 0
        enrolled_of_group = groups["enrolled"].to_numpy(dtype=np.int64)[taking_part]
        part_of = group_of[taking_part]

        with_groups = group_schools[np.bincount(part_of, minlength=len(group_schools)) > 0]
        schools = np.unique(np.concatenate([used, with_groups]).astype(str))
        band_index = {band: i for i, band in enumerate(bands)}
        band_of_value = np.array([band_index.get(b, 0) for b in band_values], dtype=np.int8)
        at = np.minimum(np.searchsorted(schools, school_values.astype(str)), len(schools) - 1)
        # Pairs without responses (unused categories) get key 0: no response looks them up.
        value_keys = np.where(pairs > 0, at[:, None] * len(bands) + band_of_value[None, :], 0)
        group_keys = (
            np.searchsorted(schools, group_schools.astype(str))[part_of] * len(bands)
            + group_band[taking_part]
        )
        # Keys are bounded by schools x bands, so counting them beats sorting.
        present = np.bincount(
            np.concatenate([value_keys[pairs > 0], group_keys]),
            minlength=len(schools) * len(bands),
        )
        keys = np.flatnonzero(present)
        unit_of_key = np.cumsum(present > 0) - 1
        unit_of_pair = unit_of_key[value_keys.reshape(-1)] if len(keys) else value_keys.reshape(-1)
        self.unit_of_row = unit_of_pair[pair]
        #: position in ``bands`` of each response's band
        self.band_of_row = band_of_value.astype(np.intp)[band_code]
        self.band_rows = np.bincount(
            band_of_value, weights=pairs.sum(axis=0), minlength=len(bands)
        ).astype(np.int64)
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
        self.unit_band_index = (keys % len(bands)).astype(np.intp)  # position in bands
        self.enrolled = np.bincount(
            unit_of_key[group_keys], weights=enrolled_of_group, minlength=self.size
        ).astype(np.int64)

    def of_band(self, index: int) -> np.ndarray:
        """The units of the band at ``index`` in :attr:`bands`."""
        return np.flatnonzero(self.unit_band_index == index)


# --- one pass over the responses ----------------------------------------------------------
#
# Every figure is a sum over a unit's pupils of something small and whole: how many pupils
# gave each code to an item, how many have each (scale total, items answered) pair. So the pass
# builds a few per-pupil codes (int8 and int16, no float per pupil), counts each with one
# ``numpy.bincount`` over ``unit x code`` keys, and derives every figure from the counts: the
# option shares, the marked shares, the item variances of Cronbach's alpha, and the scale
# means and SDs (a pupil's score is total / answered, so the counts of the pairs give them).
# Each response's band decides which items it is asked, their codes and marks: per-band values
# become per-row arrays by one lookup, or stay one number when the bands agree.

#: Statuses of a response in the per-item counts: 0 not a respondent, 1 a respondent, 2 a
#: respondent who answered every item of the item's mean scale (a complete case for alpha).
_COUNTED, _COMPLETE = 1, 2
_STATUSES = 3


class _Pass:
    """A school year's responses read once: units, respondents and the counts of every figure.

    Stored codes are read as one int8 matrix (a view of the responses when they are one block)
    and checked against each band's options through the counts: a code a band has no option
    for is refused.
    """

    def __init__(self, dataset: Dataset, school_year: str, option_items: Sequence[str]) -> None:
        units = _Units(dataset, school_year)
        self.units = units
        self.questionnaire = units.questionnaire
        self.size = units.size
        self.bands = units.bands
        self.scales = {band: _band_scales(self.questionnaire, band) for band in self.bands}
        self._lookups: dict[tuple[object, ...], np.ndarray] = {}
        self._masks: dict[tuple[bool, ...], np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        self.width = 1  # code slots of the per-item counts: set when they are counted
        self._counted: dict[str, np.ndarray] = {}
        self._matrix, self._position = _item_matrix(units.responses, self.questionnaire)
        self._rows = len(units.responses)

        counted = np.ones(self._rows, dtype=bool)
        complete: dict[str, np.ndarray] = {}
        pairs: dict[str, tuple[np.ndarray, int, int]] = {}
        for name in self._scale_names("mean"):
            answered, total, top, most = self._scale_sums(name)
            counted &= answered >= self._per_row([answers_needed(k) for k in self._band_k(name)])
            complete[name] = answered == self._per_row(self._band_k(name))
            pairs[name] = (total * (most + 1) + answered, top, most)
        self.counted = counted

        # One buffer for every count's keys: a national year's keys are 12 MB each time.
        self._keys = np.empty(self._rows, dtype=np.intp)
        completed = units.responses["completed"].to_numpy(dtype=bool)
        per_unit = self._count(counted.view(np.int8) * 2 + completed.view(np.int8), 4)
        self.started = per_unit.sum(axis=1)
        self.completed = per_unit[:, 1] + per_unit[:, 3]
        self.respondents = per_unit[:, 2] + per_unit[:, 3]
        self.counted_partial = per_unit[:, 2]  # counted respondents who did not finish

        self.item_counts = self._item_counts(option_items, complete)
        self._check_codes()  # before anything adds codes up: a stray code could overflow a key
        self.mean_counts = {
            name: self._pair_counts(pair, top, most) for name, (pair, top, most) in pairs.items()
        }
        self.any_counts = {name: self._any_counts(name) for name in self._scale_names("any")}

    # -- the questionnaire per band

    def _scale_names(self, kind: str) -> list[str]:
        summary = {"mean": "mean", "any": "share_any_marked", "marked": "share_marked"}[kind]
        return [n for n, s in self.questionnaire.scales.items() if s.summary == summary]

    def scale(self, band: str, name: str) -> _Scale:
        return next(scale for scale in self.scales[band] if scale.name == name)

    def _band_k(self, name: str) -> list[int]:
        """Per band, how many items of scale ``name`` it asks."""
        return [len(self.scale(band, name).items) for band in self.bands]

    def _scale_items(self, name: str) -> list[str]:
        """The items of scale ``name`` that any band asks, in questionnaire order."""
        found = [item.id for band in self.bands for item in self.scale(band, name).items]
        return list(dict.fromkeys(found))

    def _band_items(self, item_id: str) -> list[_Item | None]:
        return [_band_item(self.questionnaire, item_id, band) for band in self.bands]

    # -- counting

    def _count(self, slots: np.ndarray, width: int) -> np.ndarray:
        """Responses per unit (rows) and slot (columns; every slot below ``width``)."""
        keys = np.multiply(self.units.unit_of_row, width, out=self._keys)
        keys += slots
        counts: np.ndarray = np.bincount(keys, minlength=self.size * width)
        return counts.reshape(self.size, width)

    # -- per-row values

    def _per_row(self, values: Sequence[int | None]) -> int | np.ndarray:
        """A value per band as a value per response: one number when the bands that have
        responses agree (``None``: any value will do), else an int16 array."""
        wanted = {
            value
            for value, rows in zip(values, self.units.band_rows, strict=True)
            if rows and value is not None
        }
        if len(wanted) <= 1:
            return wanted.pop() if wanted else 0
        key = tuple(0 if value is None else value for value in values)
        if key not in self._lookups:
            self._lookups[key] = np.asarray(key, dtype=np.int16)[self.units.band_of_row]
        return self._lookups[key]

    def column(self, item_id: str) -> np.ndarray:
        """The stored codes of ``item_id`` (int8), 0 where the response's band does not ask it."""
        if item_id not in self._columns:
            codes = self._matrix[:, self._position[item_id]]
            item = self.questionnaire.item(item_id)
            asks = [item is not None and band in item.bands for band in self.bands]
            asked = self._per_row([int(a) for a in asks])
            if not isinstance(asked, int):
                key = tuple(asks)
                if key not in self._masks:
                    self._masks[key] = asked.astype(bool)
                codes = codes * self._masks[key]
            elif not asked:
                codes = np.zeros_like(codes)
            self._columns[item_id] = codes
        return self._columns[item_id]

    # -- mean scales

    def _scale_sums(self, name: str) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Per response: items answered and the sum of their (turned) codes; the highest total
        and the most items of any band."""
        most = max(self._band_k(name))
        top = max(sum(item.high for item in self.scale(b, name).items) for b in self.bands)
        answered: np.ndarray = np.zeros(self._rows, dtype=np.int8 if most < 127 else np.int16)
        # A pair (total, answered) becomes total * (most + 1) + answered: keep it in int16.
        small = (top + 1) * (most + 1) < 2**15
        total: np.ndarray = np.zeros(self._rows, dtype=np.int16 if small else np.int64)
        for item_id in self._scale_items(name):
            codes = self.column(item_id)
            given = codes > 0
            answered += given
            band_items = self._band_items(item_id)
            if any(item is not None and item.reverse for item in band_items):
                turn = self._per_row([None if i is None else i.low + i.high for i in band_items])
                total += np.where(given, np.subtract(turn, codes, dtype=total.dtype), 0)
            else:
                total += np.maximum(codes, 0)  # declined (-1) and not answered (0) add nothing
        return answered, total, top, most

    def _pair_counts(self, pair: np.ndarray, top: int, most: int) -> np.ndarray:
        """Respondents per unit, scale total (axis 1) and items answered (axis 2)."""
        width = (top + 1) * (most + 1)
        # Pair 0 (total 0 of 0 items) is no respondent's: other responses are put there.
        counts = self._count(np.where(self.counted, pair, 0), width)
        return counts.reshape(self.size, top + 1, most + 1)

    # -- per item: responses per unit, status and code

    def _item_counts(
        self, option_items: Sequence[str], complete: dict[str, np.ndarray]
    ) -> dict[tuple[str, str | None], np.ndarray]:
        """Responses per unit x status x code (code -1 at 0) of each item read, keyed by the
        item and the mean scale whose complete cases it counts (None: no mean scale)."""
        jobs: list[tuple[str, str | None]] = []
        for kind in ("mean", "marked", "any"):
            for name in self._scale_names(kind):
                for item_id in self._scale_items(name):
                    jobs.append((item_id, name if kind == "mean" else None))
        in_mean = {item_id for item_id, name in jobs if name is not None}
        jobs += [(item_id, None) for item_id in option_items]
        jobs = [job for job in dict.fromkeys(jobs) if job[1] is not None or job[0] not in in_mean]
        if not jobs:
            return {}
        lowest = min(int(self.column(item_id).min(initial=0)) for item_id, _ in jobs)
        if lowest < DECLINED:
            raise InvalidInput(f"responses hold answer code {lowest}, below {DECLINED}")
        highest = max(int(self.column(item_id).max(initial=0)) for item_id, _ in jobs)
        for item_id, _ in jobs:
            codes = [i.high for i in self._band_items(item_id) if i is not None]
            highest = max(highest, *codes, 0)
        self.width = width = highest + 2
        base = self.units.unit_of_row * (_STATUSES * width) + 1  # code -1 at slot 0
        counted = self.counted.view(np.int8)
        bases: dict[str | None, np.ndarray] = {None: base + counted * np.int16(width)}
        for scale, flags in complete.items():
            status = counted + (self.counted & flags).view(np.int8)
            bases[scale] = base + status * np.int16(width)
        found: dict[tuple[str, str | None], np.ndarray] = {}
        for item_id, of_scale in jobs:
            keys = np.add(bases[of_scale], self.column(item_id), out=self._keys)
            counts = np.bincount(keys, minlength=self.size * _STATUSES * width)
            found[item_id, of_scale] = counts.reshape(self.size, _STATUSES, width)
        return found

    def counted_codes(self, item_id: str) -> np.ndarray:
        """Respondents per unit (rows) and code (columns: code -1 first)."""
        if item_id not in self._counted:
            counts = next(c for (i, _), c in self.item_counts.items() if i == item_id)
            self._counted[item_id] = counts[:, _COUNTED] + counts[:, _COMPLETE]
        return self._counted[item_id]

    def complete_codes(self, item_id: str, scale: str) -> np.ndarray:
        """Complete cases of ``scale`` per unit (rows) and code (columns: code -1 first)."""
        return self.item_counts[item_id, scale][:, _COMPLETE]

    def _check_codes(self) -> None:
        """Refuse a code that a band asking the item has no option for."""
        # Units x bands, to add up each item's counts per band in one product.
        of_band = np.zeros((len(self.bands), self.size))
        of_band[self.units.unit_band_index, np.arange(self.size)] = 1.0
        for (item_id, _scale), counts in self.item_counts.items():
            # Bands x codes (code -1 first); whole numbers, exact in floats.
            flat = of_band @ counts.reshape(self.size, _STATUSES * self.width).astype(np.float64)
            per_band = flat.reshape(len(self.bands), _STATUSES, -1).sum(axis=1)
            for index, band in enumerate(self.bands):
                item = _band_item(self.questionnaire, item_id, band)
                if item is None:
                    continue
                allowed = np.zeros(per_band.shape[1], dtype=bool)
                allowed[[DECLINED + 1, UNANSWERED + 1, *(c + 1 for c in item.codes)]] = True
                bad = np.flatnonzero(~allowed & (per_band[index] > 0))
                if len(bad):
                    raise InvalidInput(
                        f"item {item_id!r} holds code {int(bad[0]) - 1}, which band {band!r} "
                        f"has no option for (options {list(item.codes)}); check the stored answers"
                    )

    # -- share_any_marked scales

    def _any_counts(self, name: str) -> np.ndarray:
        """Per unit: respondents unknown, known and not marked, marked (columns 1, 2, 3)."""
        flag = np.zeros(self._rows, dtype=bool)
        answered = np.zeros(self._rows, dtype=np.int16)
        for item_id in self._scale_items(name):
            codes = self.column(item_id)
            answered += codes > 0
            marks: list[frozenset[int] | None] = []
            for band in self.bands:
                scale = self.scale(band, name)
                ids = [item.id for item in scale.items]
                marks.append(scale.marks[ids.index(item_id)] if item_id in ids else None)
            flag |= self._marked(codes, marks)
        known = flag | (answered >= self._per_row([answers_needed(k) for k in self._band_k(name)]))
        state = known.view(np.int8) + flag.view(np.int8) + np.int8(1)
        state *= self.counted.view(np.int8)
        return self._count(state, 4)

    def _marked(self, codes: np.ndarray, marks: Sequence[frozenset[int] | None]) -> np.ndarray:
        """Whether each code is in the mark of its response's band (codes of rows whose band
        does not ask the item are 0, never marked: marks are option codes, 1 or more)."""
        rows = self.units.band_rows
        if not any(mark for mark, here in zip(marks, rows, strict=True) if here):
            return np.zeros(len(codes), dtype=bool)
        if all(mark is None or _is_run(mark) for mark in marks):
            low = self._per_row([None if mark is None else min(mark) for mark in marks])
            high = self._per_row([None if mark is None else max(mark) for mark in marks])
            return (codes >= low) & (codes <= high)
        table = np.zeros((len(self.bands), 256), dtype=bool)
        for index, mark in enumerate(marks):
            for code in mark or ():
                table[index, np.uint8(np.int8(code))] = True
        at = self.units.band_of_row * 256 + codes.view(np.uint8)
        marked: np.ndarray = table.reshape(-1)[at]
        return marked


def _is_run(members: frozenset[int]) -> bool:
    """Whether ``members`` are whole numbers in a row (marks like "3 and above" are)."""
    return bool(members) and members == frozenset(range(min(members), max(members) + 1))


def _item_matrix(
    responses: pd.DataFrame, questionnaire: Questionnaire
) -> tuple[np.ndarray, dict[str, int]]:
    """Every item's codes as one int8 matrix, a column per item (no copy when the responses'
    item columns are one int8 block), and each item's column."""
    items = [item.id for _, item in questionnaire.items() if not item.id.startswith("_")]
    frame = responses[items]
    matrix = frame.to_numpy()
    if matrix.dtype != np.int8:
        for item_id in items:
            column = frame[item_id].to_numpy()
            if len(column) and (column.min() < DECLINED or column.max() > np.iinfo(np.int8).max):
                bad = column[(column < DECLINED) | (column > np.iinfo(np.int8).max)][0]
                raise InvalidInput(
                    f"item {item_id!r} holds code {bad}, which no answer scale has; check the "
                    "stored answers"
                )
        matrix = matrix.astype(np.int8)
    return np.asfortranarray(matrix), {item_id: i for i, item_id in enumerate(items)}


# --- grouped statistics -------------------------------------------------------------------


def _moments(counts: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sums of the values and of their squares per row of ``counts`` (one column per value);
    whole numbers, so exact."""
    values = values.astype(np.float64)
    return counts @ values, counts @ (values * values)


def _variance(n: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Sample variance from the count, sum and sum of squares of whole numbers.

    .. math::  s^2 = \\frac{n \\sum x^2 - (\\sum x)^2}{n (n - 1)}

    The sums are exact (whole numbers far below 2^53), so the numerator is exact and the one
    division the only rounding: no cancellation.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n >= 2, (n * second - first * first) / (n * (n - 1)), np.nan)


def _score_mean_sd(counts: np.ndarray, answered: np.ndarray) -> tuple[np.ndarray, ...]:
    """n, mean and SD (ddof 1) of scores total / answered, exactly, from counts per pair.

    ``counts``: pupils per row (unit), total (axis 1: 0, 1, ...) and items answered (axis 2:
    the values ``answered``). With L the least common multiple of those values, every score
    is a whole number of 1/L, so

    .. math::  P = \\sum_i L x_i, \\quad Q = \\sum_i (L x_i)^2, \\quad
               \\bar x = \\frac{P}{L n}, \\quad s^2 = \\frac{n Q - P^2}{L^2 n (n - 1)}

    are whole numbers over whole numbers, and each figure is one correctly rounded division
    (the SD then one square root): the result does not depend on the order of the pupils, and
    a mean that lies exactly on a rounding boundary (3.4875) is that number, not a float just
    below or above it. Whole numbers stay below 2^53 (exact as floats) or are Python integers.
    """
    lcm = math.lcm(*(int(a) for a in answered))
    totals = np.arange(counts.shape[1], dtype=np.int64)
    first = np.einsum("uta,t->ua", counts, totals)  # whole numbers: exact in int64
    second = np.einsum("uta,t->ua", counts, totals * totals)
    n = counts.sum(axis=(1, 2))
    largest = int(n.max(initial=0)) * (len(totals) - 1) * (lcm // int(min(answered, default=1)))
    exact: type = np.int64 if largest * largest < 2**53 else object
    steps: np.ndarray = np.asarray([lcm // int(a) for a in answered], dtype=exact)
    p = (first.astype(exact) * steps).sum(axis=1)
    q = (second.astype(exact) * (steps * steps)).sum(axis=1)
    size = n.astype(exact)
    mean = np.full(len(n), np.nan)
    sd = np.full(len(n), np.nan)
    some, several = n >= 1, n >= 2
    mean[some] = (p[some] / (lcm * size[some])).astype(np.float64)
    spread = (size * q - p * p)[several] / (lcm * lcm * size[several] * (size[several] - 1))
    sd[several] = np.sqrt(spread.astype(np.float64))
    return n.astype(np.float64), mean, sd


def _alpha(
    n: np.ndarray, item_variance: np.ndarray, total_variance: np.ndarray, k: int, min_cases: int
) -> dict[str, np.ndarray]:
    """Cronbach's alpha per unit on complete cases, with the Feldt interval.

    .. math::  \\alpha = \\frac{k}{k-1}(1 - \\sum_j s_j^2 / s_X^2)

    as :func:`analytics.reliability.cronbach_alpha`, from per-unit complete cases ``n``, the
    sum of the item variances and the variance of the total.
    """
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


def _mean_scale(run: _Pass, scale: _Scale, mine: np.ndarray, min_n: int) -> dict[str, np.ndarray]:
    """The figures of a ``mean`` scale for the units ``mine`` of one band (intervals apart)."""
    k = len(scale.items)
    need = answers_needed(k)
    top = sum(item.high for item in scale.items)
    # The band's respondents by (total, items answered): a score is total / answered.
    counts = run.mean_counts[scale.name][:, : top + 1, need : k + 1][mine]
    n, mean, sd = _score_mean_sd(counts, np.arange(need, k + 1))
    figures = {"n": n, "mean": mean, "sd": sd}
    if k < 2:
        return figures
    # Complete cases: the pupils who answered all k items; the sums of codes are exact.
    complete = counts[:, :, -1]
    cases = complete.sum(axis=1).astype(np.float64)
    codes = np.arange(run.width) - 1
    item_variance = np.zeros(len(mine))
    for item in scale.items:
        # A reverse-coded item's variance is its stored codes' variance (low + high - x).
        per_code = run.complete_codes(item.id, scale.name)[mine]
        item_variance += _variance(cases, *_moments(per_code, codes))
    total_variance = _variance(cases, *_moments(complete, np.arange(top + 1)))
    return figures | _alpha(cases, item_variance, total_variance, k, max(min_n, ALPHA_MIN_CASES))


def _share_scale(
    run: _Pass, scale: _Scale, mine: np.ndarray, frequency: bool
) -> dict[str, np.ndarray]:
    """Count and n of a share scale for the units ``mine`` of one band (and the mean code)."""
    figures: dict[str, np.ndarray] = {}
    if scale.summary == "share_marked":
        (item,) = scale.items
        per_code = run.counted_codes(item.id)[mine]
        codes = np.arange(per_code.shape[1]) - 1
        count = per_code[:, [code + 1 for code in sorted(scale.marks[0])]].sum(axis=1)
        n = per_code[:, codes > 0].sum(axis=1).astype(np.float64)
        if frequency:
            with np.errstate(divide="ignore", invalid="ignore"):
                figures["mean_frequency"] = per_code @ np.maximum(codes, 0).astype(np.float64) / n
    else:  # share_any_marked, as analytics.prevalence.any_prevalence
        states = run.any_counts[scale.name][mine]
        count, n = states[:, 3], (states[:, 2] + states[:, 3]).astype(np.float64)
    return figures | {"count": count.astype(np.float64), "n": n}


def _scale_figures(run: _Pass, min_n: int) -> dict[str, np.ndarray]:
    """Every scale column for every unit (NaN where a unit's band has no such scale)."""
    frequency = _frequency_scales(run.questionnaire)
    out: dict[str, np.ndarray] = {}
    for name, spec in run.questionnaire.scales.items():
        figures: dict[str, np.ndarray] = {}
        asked = np.zeros(run.size, dtype=bool)  # units whose band asks items of the scale
        for index, band in enumerate(run.bands):
            scale = run.scale(band, name)
            mine = run.units.of_band(index)
            if not scale.items or not len(mine):
                continue
            asked[mine] = True
            if spec.summary == "mean":
                part = _mean_scale(run, scale, mine, min_n)
            else:
                part = _share_scale(run, scale, mine, name in frequency)
            for key, values in part.items():
                figures.setdefault(key, np.full(run.size, np.nan))[mine] = values
        if not asked.any():
            continue
        # The intervals once per scale, over every unit that has it.
        low, high = np.full(run.size, np.nan), np.full(run.size, np.nan)
        if spec.summary == "mean":
            low[asked], high[asked] = _t_interval(
                figures["mean"][asked], figures["sd"][asked], figures["n"][asked]
            )
        else:
            low[asked], high[asked] = _wilson(figures["count"][asked], figures["n"][asked])
            with np.errstate(divide="ignore", invalid="ignore"):
                figures["share"] = figures["count"] / figures["n"]
        figures |= {"ci_low": low, "ci_high": high}
        if spec.summary != "mean":
            # A share of fewer than min_n answering pupils is not published, nor its count and n.
            few = figures["n"] < min_n
            figures = {key: np.where(few, np.nan, values) for key, values in figures.items()}
        out |= {f"{name}_{key}": values for key, values in figures.items()}
    return out


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
    wanted = _wanted_items(dataset.questionnaire, items)
    run = _Pass(dataset, school_year, wanted)
    return NationalTables(_school_table(run, min_n), _option_share_table(run, min_n, wanted))


@dataclass(frozen=True)
class UnitCounts:
    """Whole-number counts per unit of a school year, unsuppressed: what the release plan
    (:mod:`analytics.disclosure`) decides on. Never written anywhere as they are.

    ``units``: ``school``, ``school_year``, ``sector``, ``band`` (rows in :func:`school_table`
    order), ``started``, ``completed``, ``respondents`` (counted), ``counted_partial``
    (counted respondents who did not reach the end). ``codes[item]``: units x code slots of
    the counted respondents, slot 0 declined (-1), slot 1 unanswered (0), slot c + 1 code c.
    """

    units: pd.DataFrame
    codes: dict[str, np.ndarray]


def unit_counts(dataset: Dataset, school_year: str, items: Sequence[str]) -> UnitCounts:
    """The counts of :class:`UnitCounts` for ``items`` (any measured items), in one pass."""
    wanted = _wanted_items(dataset.questionnaire, items)
    run = _Pass(dataset, school_year, wanted)
    units = run.units.units.copy()
    units["started"] = run.started.astype(np.int64)
    units["completed"] = run.completed.astype(np.int64)
    units["respondents"] = run.respondents.astype(np.int64)
    units["counted_partial"] = run.counted_partial.astype(np.int64)
    return UnitCounts(units, {item: run.counted_codes(item) for item in wanted})


def school_table(dataset: Dataset, school_year: str, *, min_n: int = 10) -> pd.DataFrame:
    """One row per unit (school x band) of ``school_year`` with every school figure.

    See the module docstring for the columns and rules. Rows are sorted by school code, then
    band (in questionnaire order); counts are nullable ``Int64``, figures ``float64``. A
    suppressed unit has every figure missing, ``suppressed`` true and ``reason``
    ``"below_min"``; a shown unit has ``reason`` missing.
    """
    _check_min_n(min_n)
    return _school_table(_Pass(dataset, school_year, ()), min_n)


def _school_table(run: _Pass, min_n: int) -> pd.DataFrame:
    started = run.started.astype(np.float64)
    done = run.completed.astype(np.float64)
    respondents = run.respondents.astype(np.float64)
    enrolled = run.units.enrolled.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(enrolled > 0, respondents / enrolled, np.nan)
    figures = {
        "started": started,
        "completed": done,
        "partial": started - done,
        "respondents": respondents,
        "enrolled": enrolled,
        "response_rate": rate,
    } | _scale_figures(run, min_n)
    suppressed = respondents < min_n
    table: dict[str, object] = {}
    for column in _columns(run.questionnaire):
        if column in UNIT_COLUMNS:
            table[column] = run.units.units[column]
            continue
        if column in ("suppressed", "reason"):
            continue
        values = figures.get(column)
        values = (
            np.full(run.size, np.nan) if values is None else np.where(suppressed, np.nan, values)
        )
        if column in _COUNT_COLUMNS or column.endswith(("_n", "_count")):
            missing = np.isnan(values)
            table[column] = pd.arrays.IntegerArray(
                np.where(missing, 0, np.round(values)).astype(np.int64), missing
            )
        else:
            table[column] = values
    table["suppressed"] = suppressed
    table["reason"] = _reasons(suppressed)
    return pd.DataFrame(table, index=pd.RangeIndex(run.size))


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
    wanted = _wanted_items(dataset.questionnaire, items)
    return _option_share_table(_Pass(dataset, school_year, wanted), min_n, wanted)


def _wanted_items(questionnaire: Questionnaire, items: Sequence[str] | None) -> list[str]:
    """The option-share items in questionnaire order (by default the bullying group)."""
    order = {item.id: i for i, (_, item) in enumerate(questionnaire.items())}
    wanted = _option_items(questionnaire) if items is None else list(items)
    unknown = [item for item in wanted if item not in order or item.startswith("_")]
    if unknown:
        raise InvalidInput(f"items not in the questionnaire: {unknown}")
    return sorted(dict.fromkeys(wanted), key=order.__getitem__)


def _option_share_table(run: _Pass, min_n: int, wanted: Sequence[str]) -> pd.DataFrame:
    questionnaire = run.questionnaire
    units = run.units
    option_ids: dict[str, int] = {}
    # Each band's rows per unit follow one template (item, then option); a unit's rows are its
    # band's template, so the table is filled unit after unit without sorting.
    templates: list[dict[str, np.ndarray]] = []
    for band in run.bands:
        parts: dict[str, list[int]] = {"item": [], "option_code": [], "option_id": []}
        per_option: list[np.ndarray] = []  # per item: units x options
        seen: list[np.ndarray] = []  # per item: units x options, each the item's n
        for position, item_id in enumerate(wanted):
            item = _band_item(questionnaire, item_id, band)
            if item is None:
                continue
            ids = [*item.ids, DECLINED_OPTION]
            parts["item"] += [position] * len(ids)
            parts["option_code"] += [*item.codes, DECLINED]
            parts["option_id"] += [option_ids.setdefault(i, len(option_ids)) for i in ids]
            # Columns of the counts: code -1 ("declined") at 0, code c at c + 1.
            slots = [code + 1 for code in item.codes] + [DECLINED + 1]
            item_counts = run.counted_codes(item_id)[:, slots]
            per_option.append(item_counts)
            seen.append(np.repeat(item_counts.sum(axis=1, keepdims=True), len(ids), axis=1))
        template = {key: np.asarray(values, dtype=np.int64) for key, values in parts.items()}
        none = np.zeros((run.size, 0), dtype=np.int64)
        template["count"] = np.hstack(per_option) if per_option else none
        template["n"] = np.hstack(seen) if seen else none
        templates.append(template)
    widths = np.asarray([len(template["item"]) for template in templates], np.intp)
    rows_of_unit = widths[units.unit_band_index]
    start = np.concatenate([[0], np.cumsum(rows_of_unit)])
    total = int(start[-1])
    unit = np.repeat(np.arange(run.size), rows_of_unit)
    columns = {key: np.zeros(total, dtype=np.int64) for key in templates[0]} if templates else {}
    for index, template in enumerate(templates):
        mine = units.of_band(index)
        width = widths[index]
        if not width or not len(mine):
            continue
        at = (start[mine][:, None] + np.arange(width)).reshape(-1)
        for key in ("item", "option_code", "option_id"):
            columns[key][at] = np.tile(template[key], len(mine))
        for key in ("count", "n"):
            columns[key][at] = template[key][mine].reshape(-1)
    count = columns["count"].astype(np.float64)
    n = columns["n"].astype(np.float64)
    hidden = (run.respondents[unit] < min_n) | (n < min_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(hidden, np.nan, count / n)
    # Categorical text columns: half a million rows name a few thousand schools and ids.
    table: dict[str, object] = {
        column: _unit_column(units, column, rows_of_unit) for column in UNIT_COLUMNS
    }
    table |= {
        "item": _categorical(columns["item"], wanted),
        "option_code": columns["option_code"],
        "option_id": _categorical(columns["option_id"], list(option_ids)),
        "count": pd.arrays.IntegerArray(columns["count"], hidden.copy()),
        "n": pd.arrays.IntegerArray(columns["n"], hidden),
        "share": share,
        "suppressed": hidden,
        "reason": _categorical(np.where(hidden, 0, -1), [_BELOW_MIN]),
    }
    return pd.DataFrame(table, index=pd.RangeIndex(total))


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical[str]:
    """Text as codes into ``categories`` (-1: missing), without a string per row."""
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories), validate=False)


def _unit_column(units: _Units, column: str, rows_of_unit: np.ndarray) -> pd.Categorical[str]:
    """A unit column repeated for each of the unit's rows, as a categorical."""
    codes, values = pd.factorize(units.units[column].astype(str), sort=True)
    return _categorical(np.repeat(codes, rows_of_unit), [str(value) for value in values])


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
