"""The vectorised school table equals the per-pupil statistics core, school by school."""

from __future__ import annotations

import doctest
import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

import analytics.rounding
from analytics.dataset import DECLINED, META_COLUMNS, UNANSWERED, Dataset, item_ids, values
from analytics.national import (
    DECLINED_OPTION,
    national_tables,
    option_share_table,
    school_table,
)
from analytics.prevalence import any_prevalence, option_shares, prevalence
from analytics.reliability import cronbach_alpha
from analytics.rounding import round_figure
from analytics.scales import describe_scale, item_frame, scale_scores
from flows import load_questionnaire
from flows.bands import age_band_for
from flows.model import Questionnaire
from veilig.errors import InvalidInput

Q = load_questionnaire()
YEAR = "2026-2027"
GRADE = {"po": 6, "vo": 2, "so": 4}


# --- building datasets by hand ----------------------------------------------------------


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Responses in the dataset contract: categorical meta columns, int8 codes."""
    items = item_ids(Q)
    table = pd.DataFrame(
        [{**{item: UNANSWERED for item in items}, **row} for row in rows],
        columns=[*META_COLUMNS, *items],
    )
    for column in ("school", "school_year", "sector", "band", "group"):
        table[column] = table[column].astype("category")
    table["grade"] = table["grade"].astype(np.int8)
    table["completed"] = table["completed"].astype(bool)
    return table.astype({item: np.int8 for item in items})


def make_dataset(
    responses: pd.DataFrame,
    schools: Sequence[tuple[str, str]],
    groups: Sequence[tuple[str, str, int, int]],
    rounds: Sequence[tuple[str, str, bool]] = (),
    questionnaire: Questionnaire = Q,
) -> Dataset:
    """``schools``: (code, sector); ``groups``: (school, name, grade, enrolled);
    ``rounds``: (school, status, consent), all in :data:`YEAR`."""
    return Dataset(
        questionnaire=questionnaire,
        responses=responses,
        groups=pd.DataFrame(
            [(school, YEAR, name, grade, enrolled) for school, name, grade, enrolled in groups],
            columns=["school", "school_year", "group", "grade", "enrolled"],
        ),
        schools=pd.DataFrame(
            [(code, code[:4], code[4:], f"School {code}", sector) for code, sector in schools],
            columns=["school", "brin", "vestiging", "name", "sector"],
        ),
        rounds=pd.DataFrame(
            [
                (school, YEAR, questionnaire.id, questionnaire.version, status, consent)
                for school, status, consent in rounds
            ],
            columns=[
                "school",
                "school_year",
                "questionnaire_id",
                "questionnaire_version",
                "status",
                "consent",
            ],
        ),
    )


def _answers(
    rng: np.random.Generator, band: str, size: int, school_effect: float, missing: float
) -> dict[str, np.ndarray]:
    """Codes for every item the band asks: correlated within a pupil, some missing/declined."""
    latent = school_effect + rng.normal(0.0, 1.0, size)
    result: dict[str, np.ndarray] = {}
    for _, item in Q.items_in_band(band):
        if item.id.startswith("_"):
            continue
        options = Q.options(item, band)
        assert options is not None
        codes = np.sort([option.code for option in options.options])
        # Position on the scale from the pupil's latent value plus item noise.
        direction = -1.0 if item.reverse else 1.0
        position = stats.norm.cdf(direction * latent + rng.normal(0.0, 0.8, size))
        chosen = codes[np.minimum((position * len(codes)).astype(int), len(codes) - 1)]
        gone = rng.random(size)
        chosen = np.where(gone < missing, UNANSWERED, chosen)
        chosen = np.where((gone >= missing) & (gone < 1.5 * missing), DECLINED, chosen)
        result[item.id] = chosen
    return result


def random_dataset(seed: int, schools: int = 12, largest: int = 60) -> Dataset:
    """Schools of every sector and size (some below 10), one with pupils in two bands."""
    rng = np.random.default_rng(seed)
    parts: list[pd.DataFrame] = []
    school_rows: list[tuple[str, str]] = []
    group_rows: list[tuple[str, str, int, int]] = []
    round_rows: list[tuple[str, str, bool]] = []
    for number in range(schools):
        code = f"{10 + number:02d}AB00"
        sector = ("po", "vo", "so", "vso")[number % 4]
        band = age_band_for(sector, GRADE["vo" if sector in ("vo", "vso") else "po"]).value
        bands = [band, "po"] if number == 1 else [band]  # one school with two bands
        school_rows.append((code, sector))
        round_rows.append((code, ("closed", "open")[number % 5 == 4], number % 3 != 2))
        for which, unit_band in enumerate(bands):
            size = int(rng.integers(0, largest))
            grade = GRADE[unit_band] if sector != "vso" else 3
            group_rows.append((code, f"g{which}", grade, size + int(rng.integers(0, 10))))
            answers = _answers(rng, unit_band, size, rng.normal(0, 0.5), rng.uniform(0, 0.25))
            frame = _frame(
                [
                    {
                        "school": code,
                        "school_year": YEAR,
                        "sector": sector,
                        "band": unit_band,
                        "group": f"g{which}",
                        "grade": grade,
                        "completed": bool(rng.random() < 0.85),
                        **{item: int(codes[i]) for item, codes in answers.items()},
                    }
                    for i in range(size)
                ]
            )
            parts.append(frame)
        if number == 0:
            group_rows.append((code, "young", 3, 25))  # PO groep 3 does not take part
    responses = pd.concat([p for p in parts if len(p)], ignore_index=True)
    for column in ("school", "school_year", "sector", "band", "group"):
        responses[column] = responses[column].astype("category")
    return make_dataset(responses, school_rows, group_rows, round_rows)


# --- the core, applied to one unit's rows -------------------------------------------------


def _range(band: str, items: Sequence[str]) -> tuple[int, int]:
    lows, highs = set(), set()
    for item_id in items:
        item = Q.item(item_id)
        assert item is not None
        options = Q.options(item, band)
        assert options is not None
        codes = [option.code for option in options.options]
        lows.add(min(codes))
        highs.add(max(codes))
    assert len(lows) == len(highs) == 1, "the core takes one range per scale"
    return lows.pop(), highs.pop()


def _cutoff(band: str, items: Sequence[str], mark: str) -> int:
    """The core's prevalence takes a cut-off: check that the mark is 'cut-off and above'."""
    cutoffs = set()
    for item_id in items:
        item = Q.item(item_id)
        assert item is not None
        options = Q.options(item, band)
        assert options is not None
        marked = options.marks[mark]
        codes = {option.code for option in options.options}
        assert marked == {code for code in codes if code >= min(marked)}
        cutoffs.add(min(marked))
    assert len(cutoffs) == 1
    return cutoffs.pop()


def _asked(band: str, items: Sequence[str]) -> list[str]:
    return [i for i in items if (item := Q.item(i)) is not None and band in item.bands]


def core_figures(dataset: Dataset, school: str, band: str, min_n: int = 1) -> dict[str, float]:
    """Every figure of :func:`school_table` for one unit, from the per-pupil core.

    Shares of fewer than ``min_n`` answering pupils are blank, as the table publishes them.
    """
    rows = dataset.responses[
        (dataset.responses["school"] == school) & (dataset.responses["band"] == band)
    ]
    sector = dataset.schools.set_index("school").loc[school, "sector"]
    groups = dataset.groups[dataset.groups["school"] == school]
    enrolled = 0
    for grade, count in zip(groups["grade"], groups["enrolled"], strict=True):
        try:
            same = age_band_for(sector, int(grade)).value == band
        except InvalidInput:
            same = False
        enrolled += int(count) if same else 0
    out: dict[str, float] = {
        "started": len(rows),
        "completed": int(rows["completed"].sum()),
        "partial": len(rows) - int(rows["completed"].sum()),
        "enrolled": enrolled,
    }
    scores = {}
    for name, scale in Q.scales.items():
        if scale.summary == "mean":
            items = _asked(band, Q.refs(scale))
            reverse = [i for i in items if (item := Q.item(i)) is not None and item.reverse]
            low, high = _range(band, items)
            scores[name] = scale_scores(values(rows, items), items, reverse, low=low, high=high)
    counted = rows[pd.concat(scores.values(), axis=1).notna().all(axis=1)]
    out["respondents"] = len(counted)
    out["response_rate"] = len(counted) / enrolled if enrolled else math.nan
    for name, scale in Q.scales.items():
        items = _asked(band, Q.refs(scale))
        answers = values(counted, items)
        if scale.summary == "mean":
            summary = describe_scale(scores[name][counted.index])
            out |= {
                f"{name}_n": summary.n,
                f"{name}_mean": summary.mean,
                f"{name}_sd": summary.sd,
                f"{name}_ci_low": summary.ci_low,
                f"{name}_ci_high": summary.ci_high,
            }
            reverse = [i for i in items if (item := Q.item(i)) is not None and item.reverse]
            low, high = _range(band, items)
            try:
                alpha = cronbach_alpha(item_frame(answers, items, reverse, low=low, high=high))
            except InvalidInput:
                alpha = None
            out |= {
                f"{name}_alpha": math.nan if alpha is None else alpha.alpha,
                f"{name}_alpha_ci_low": math.nan if alpha is None else alpha.ci_low,
                f"{name}_alpha_ci_high": math.nan if alpha is None else alpha.ci_high,
                f"{name}_alpha_n": math.nan if alpha is None else alpha.n,
            }
            continue
        assert scale.mark is not None
        cutoff = _cutoff(band, items, scale.mark)
        if scale.summary == "share_marked":
            (item,) = items
            result = prevalence(answers[item], cutoff)
            if f"{name}_mean_frequency" in COLUMNS:
                out[f"{name}_mean_frequency"] = float(answers[item].dropna().mean())
        else:
            result = any_prevalence(answers, items, cutoff)
        out |= {
            f"{name}_count": result.count,
            f"{name}_n": result.n,
            f"{name}_share": result.share,
            f"{name}_ci_low": result.ci_low,
            f"{name}_ci_high": result.ci_high,
        }
        if result.n < min_n:
            out |= {key: math.nan for key in out if key.startswith(f"{name}_")}
    return out


COLUMNS = list(school_table(make_dataset(_frame([]), [], []), YEAR).columns)


def _same(a: object, b: object) -> bool:
    missing_a = a is None or a is pd.NA or (isinstance(a, float) and math.isnan(a))
    missing_b = b is None or b is pd.NA or (isinstance(b, float) and math.isnan(b))
    if missing_a or missing_b:
        return missing_a and missing_b
    assert isinstance(a, int | float | np.number) and isinstance(b, int | float | np.number)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


# --- equality with the core ---------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_every_figure_equals_the_core_on_each_schools_rows(seed: int) -> None:
    dataset = random_dataset(seed)
    table = school_table(dataset, YEAR, min_n=1)
    assert not table.duplicated(["school", "band"]).any()
    compared = 0
    for row in table.to_dict("records"):
        expected = core_figures(dataset, str(row["school"]), str(row["band"]))
        if expected["respondents"] < 1:
            assert row["suppressed"] and row["reason"] == "below_min"
            continue
        assert not row["suppressed"] and pd.isna(row["reason"])
        for column, value in expected.items():
            assert _same(row[column], value), (row["school"], row["band"], column)
            compared += 1
    assert compared > 200


def test_alpha_appears_where_enough_pupils_answered_every_item() -> None:
    dataset = random_dataset(7, schools=6, largest=120)
    table = school_table(dataset, YEAR)
    with_alpha = table[table["veiligheidsbeleving_alpha"].notna()]
    assert len(with_alpha) >= 2
    for row in with_alpha.to_dict("records"):
        expected = core_figures(dataset, str(row["school"]), str(row["band"]))
        for column in ("alpha", "alpha_ci_low", "alpha_ci_high", "alpha_n"):
            name = f"veiligheidsbeleving_{column}"
            assert _same(row[name], expected[name])
        assert row["veiligheidsbeleving_alpha_n"] >= 10


def _check_option_shares_against_the_core(
    dataset: Dataset, table: pd.DataFrame, items: Sequence[str]
) -> None:
    """Every row of ``table`` (an option-share table with ``min_n=1``) against the core."""
    items = [item for item in item_ids(Q) if item in items]  # the table's order
    units = school_table(dataset, YEAR, min_n=1)
    for unit in units.to_dict("records"):
        school, band = str(unit["school"]), str(unit["band"])
        mine = table[(table["school"] == school) & (table["band"] == band)]
        assert list(dict.fromkeys(mine["item"])) == _asked(band, items)
        rows = dataset.responses[
            (dataset.responses["school"] == school) & (dataset.responses["band"] == band)
        ]
        scores = [
            scale_scores(
                values(rows, items_ := _asked(band, Q.refs(scale))),
                items_,
                [i for i in items_ if (it := Q.item(i)) is not None and it.reverse],
                low=_range(band, items_)[0],
                high=_range(band, items_)[1],
            )
            for scale in Q.scales.values()
            if scale.summary == "mean"
        ]
        counted = rows[pd.concat(scores, axis=1).notna().all(axis=1)]
        for item_id in _asked(band, items):
            item = Q.item(item_id)
            assert item is not None
            options = Q.options(item, band)
            assert options is not None
            codes = sorted(option.code for option in options.options)
            expected = option_shares(
                values(counted, [item_id])[item_id],
                codes,
                declined=counted[item_id] == DECLINED,
            )
            got = mine[mine["item"] == item_id]
            assert got["option_code"].tolist() == [*codes, DECLINED]
            assert got["option_id"].iloc[-1] == DECLINED_OPTION
            if len(counted) < 1 or int(expected["count"].sum()) < 1:
                assert got["suppressed"].all() and got["share"].isna().all()
                continue
            assert got["count"].tolist() == expected["count"].tolist()
            assert (got["n"] == int(expected["count"].sum())).all()
            np.testing.assert_allclose(got["share"].to_numpy(float), expected["share"], rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_option_shares_equal_the_core(seed: int) -> None:
    dataset = random_dataset(seed)
    table = option_share_table(dataset, YEAR, min_n=1)
    assert list(table.columns) == [
        "school",
        "school_year",
        "sector",
        "band",
        "item",
        "option_code",
        "option_id",
        "count",
        "n",
        "share",
        "suppressed",
        "reason",
    ]
    _check_option_shares_against_the_core(dataset, table, Q.refs(Q.scales["aantasting"]))


def test_option_shares_of_other_items_equal_the_core() -> None:
    # Items of a mean scale (one reverse-coded and asked in VO only), a marked item, and one
    # of no scale: each is counted once, whatever else it is counted for.
    dataset = random_dataset(3)
    scaled = {item for scale in Q.scales.values() for item in Q.refs(scale)}
    assert not {"bullied_where", "gender"} & scaled  # where (not asked in SO), and no scale
    items = ["afraid_school", "safe_school", "likes_school", "bullied_verbal", "bullied_where"]
    items += ["gender"]
    table = national_tables(dataset, YEAR, min_n=1, items=items).options
    _check_option_shares_against_the_core(dataset, table, items)


@pytest.mark.parametrize("items", [["no_such_item"], ["bullied", "no_such_item"]])
def test_option_shares_of_an_unknown_item_are_refused(items: list[str]) -> None:
    with pytest.raises(InvalidInput, match="not in the questionnaire"):
        option_share_table(hand_dataset(), YEAR, items=items)


def test_national_tables_is_both_tables_from_one_pass() -> None:
    dataset = random_dataset(11)
    both = national_tables(dataset, YEAR)
    pd.testing.assert_frame_equal(both.schools, school_table(dataset, YEAR))
    pd.testing.assert_frame_equal(both.options, option_share_table(dataset, YEAR))


# --- exact means, whatever the order of the pupils ---------------------------------------


def _exact_scores(dataset: Dataset, school: str, band: str) -> dict[str, list[Fraction]]:
    """Per mean scale, the counted pupils' scores as fractions (total / items answered)."""
    rows = dataset.responses[
        (dataset.responses["school"] == school) & (dataset.responses["band"] == band)
    ]
    per_scale: dict[str, list[Fraction | None]] = {}
    for name, scale in Q.scales.items():
        if scale.summary != "mean":
            continue
        items = _asked(band, Q.refs(scale))
        reverse = [i for i in items if (item := Q.item(i)) is not None and item.reverse]
        low, high = _range(band, items)
        turned = item_frame(values(rows, items), items, reverse, low=low, high=high)
        need = math.ceil(2 / 3 * len(items) - 1e-9)
        per_scale[name] = [
            Fraction(int(row.sum()), int(row.notna().sum())) if row.notna().sum() >= need else None
            for _, row in turned.iterrows()
        ]
    counted = [all(s[i] is not None for s in per_scale.values()) for i in range(len(rows))]
    return {
        name: [s for s, keep in zip(scores, counted, strict=True) if keep and s is not None]
        for name, scores in per_scale.items()
    }


@pytest.mark.parametrize("seed", range(3))
def test_means_and_sds_are_the_exact_figures_correctly_rounded(seed: int) -> None:
    # A mean is a sum of fractions total / answered over n: the table holds the float nearest
    # to it (not a float sum that depends on the order of the pupils), the SD the square root
    # of the float nearest to the exact variance.
    dataset = random_dataset(seed)
    table = school_table(dataset, YEAR, min_n=1)
    compared = 0
    for row in table[~table["suppressed"]].to_dict("records"):
        exact = _exact_scores(dataset, str(row["school"]), str(row["band"]))
        for name, scores in exact.items():
            n = len(scores)
            assert row[f"{name}_n"] == n
            mean = sum(scores, Fraction(0)) / n
            assert row[f"{name}_mean"] == float(mean), (row["school"], name)
            if n >= 2:
                variance = sum(((score - mean) ** 2 for score in scores), Fraction(0)) / (n - 1)
                assert row[f"{name}_sd"] == math.sqrt(float(variance)), (row["school"], name)
            compared += 1
    assert compared > 10


def _tie_dataset(pattern: int) -> Dataset:
    """400 PO pupils answering 5 of the 6 safety items, totals adding up to 4667: the mean
    score is 4667 / 2000 = 2.3335, exactly half way between 2.333 and 2.334."""
    totals = [5 + (i * pattern) % 16 for i in range(400)]
    i = 0
    while sum(totals) != 4667:  # nudge the totals, within 5..20, to the wanted sum
        step = 1 if sum(totals) < 4667 else -1
        if 5 <= totals[i % 400] + step <= 20:
            totals[i % 400] += step
        i += 1
    pupils = []
    for total in totals:
        codes = [1 + min(3, max(0, total - 5 - 3 * j)) for j in range(5)]
        assert sum(codes) == total
        pupils.append(
            {
                "school": "12AB00",
                "school_year": YEAR,
                "sector": "po",
                "band": "po",
                "group": "6a",
                "grade": 6,
                "completed": True,
                **dict(zip(PO_SAFETY[:5], codes, strict=True)),
                **dict.fromkeys(PO_WELL, 3),
            }
        )
    return make_dataset(_frame(pupils), [("12AB00", "po")], [("12AB00", "6a", 6, 500)])


@pytest.mark.parametrize("pattern", [1, 2, 5])
def test_a_mean_exactly_half_way_rounds_up(pattern: int) -> None:
    # Summed as floats in these orders, the mean came out as 2.33349999999999... and was
    # published as 2.333.
    (row,) = school_table(_tie_dataset(pattern), YEAR).to_dict("records")
    assert row["veiligheidsbeleving_n"] == 400
    assert row["veiligheidsbeleving_mean"] == 2.3335
    assert round_figure(row["veiligheidsbeleving_mean"], 3) == 2.334


def test_the_order_of_the_pupils_does_not_change_a_bit() -> None:
    dataset = random_dataset(4, largest=120)
    rng = np.random.default_rng(1)
    shuffled = dataset.responses.iloc[rng.permutation(len(dataset.responses))]
    other = Dataset(
        Q, shuffled.reset_index(drop=True), dataset.groups, dataset.schools, dataset.rounds
    )
    both, again = national_tables(dataset, YEAR, min_n=1), national_tables(other, YEAR, min_n=1)
    pd.testing.assert_frame_equal(both.schools, again.schools, check_exact=True)
    pd.testing.assert_frame_equal(both.options, again.options, check_exact=True)


# --- worked by hand -----------------------------------------------------------------------

VO_SAFETY = ["safe_school", "safe_class", "safe_schoolyard", "safe_corridors", "safe_way"]
PO_SAFETY = [*VO_SAFETY, "safe_online"]
PO_WELL = ["likes_school", "at_ease_class", "has_friends", "belongs", "teacher_fair"]
VO_WELL = ["likes_school", "at_ease_class", "has_friends", "belongs", "teacher_fair"]
BULLYING = list(Q.refs(Q.scales["aantasting"]))


def _pupil(completed: bool, **codes: int) -> dict[str, object]:
    return {
        "school": "12AB00",
        "school_year": YEAR,
        "sector": "vo",
        "band": "vo",
        "group": "2a",
        "grade": 2,
        "completed": completed,
        **codes,
    }


def hand_dataset() -> Dataset:
    """Four VO pupils; see :func:`test_a_school_worked_by_hand` for the arithmetic."""
    p1 = _pupil(
        True,
        **dict.fromkeys([*VO_SAFETY, "safe_online"], 4),
        afraid_school=2,  # reverse: 1 + 5 - 2 = 4
        **dict.fromkeys(VO_WELL, 4),
        lonely=2,  # reverse: 4
        **dict.fromkeys(BULLYING, 1),  # all 13 answered, never bullied
    )
    p2 = _pupil(
        True,
        **dict.fromkeys([*VO_SAFETY, "safe_online", "afraid_school"], 3),  # afraid 3 -> 3
        **dict.fromkeys(VO_WELL, 2),
        lonely=4,  # reverse: 2
        bullied=3,  # 2-3 times a month: bullied
    )
    p3 = _pupil(  # 4 of 7 safety items: no veiligheidsbeleving score, so not counted
        False,
        **dict.fromkeys(VO_SAFETY[:4], 5),
        safe_way=DECLINED,
        **dict.fromkeys([*VO_WELL, "lonely"], 3),
        bullied=5,
    )
    p4 = _pupil(
        True,
        **dict.fromkeys([*VO_SAFETY, "safe_online"], 5),
        afraid_school=1,  # reverse: 5
        **dict.fromkeys(VO_WELL[:4], 5),  # 4 of 6 answered: enough (ceil(2/3 * 6) = 4)
        teacher_fair=DECLINED,
        bullied=DECLINED,
        bullied_verbal=2,  # 1 of 13 answered, none marked: unknown for aantasting
    )
    p2["safe_school"] = 2
    return make_dataset(
        _frame([p1, p2, p3, p4]),
        [("12AB00", "vo")],
        [("12AB00", "2a", 2, 20)],
        [("12AB00", "closed", True)],
    )


def test_a_school_worked_by_hand() -> None:
    (row,) = school_table(hand_dataset(), YEAR, min_n=1).to_dict("records")
    assert (row["school"], row["band"], row["sector"]) == ("12AB00", "vo", "vo")
    assert (row["started"], row["completed"], row["partial"]) == (4, 3, 1)
    assert (row["respondents"], row["enrolled"]) == (3, 20)  # p1, p2, p4
    assert row["response_rate"] == pytest.approx(3 / 20)
    # veiligheidsbeleving: p1 4, p2 (2 + 3*5 + 3) / 7 = 20/7, p4 5
    safety = np.array([4.0, 20 / 7, 5.0])
    assert row["veiligheidsbeleving_n"] == 3
    assert row["veiligheidsbeleving_mean"] == pytest.approx(safety.mean())
    assert row["veiligheidsbeleving_sd"] == pytest.approx(safety.std(ddof=1))
    half = stats.t.ppf(0.975, 2) * safety.std(ddof=1) / math.sqrt(3)
    assert row["veiligheidsbeleving_ci_low"] == pytest.approx(safety.mean() - half)
    assert row["veiligheidsbeleving_ci_high"] == pytest.approx(safety.mean() + half)
    # welbevinden: p1 4, p2 2, p4 5 -> mean 11/3, sd sqrt(7/3)
    assert row["welbevinden_mean"] == pytest.approx(11 / 3)
    assert row["welbevinden_sd"] == pytest.approx(math.sqrt(7 / 3))
    assert math.isnan(row["welbevinden_alpha"])  # 3 pupils: too few for alpha
    # voelt_zich_veilig (safe_school in agree = 4, 5): p1 4 yes, p2 2 no, p4 5 yes
    assert (row["voelt_zich_veilig_count"], row["voelt_zich_veilig_n"]) == (2, 3)
    # gepest (bullied >= 3): p1 1 no, p2 3 yes, p4 declined; mean frequency (1 + 3) / 2
    assert (row["gepest_count"], row["gepest_n"]) == (1, 2)
    assert row["gepest_share"] == 0.5
    assert row["gepest_mean_frequency"] == 2.0
    # aantasting: p1 none of 13 (known), p2 bullied (known), p4 1 of 13 answered (unknown)
    assert (row["aantasting_count"], row["aantasting_n"]) == (1, 2)
    assert not row["suppressed"]


def test_option_shares_worked_by_hand() -> None:
    table = option_share_table(hand_dataset(), YEAR, min_n=1)
    bullied = table[table["item"] == "bullied"]
    # counted pupils p1 (1), p2 (3), p4 (declined); p3 (5) is not counted
    assert bullied["option_id"].tolist() == [
        "never",
        "once_twice",
        "monthly",
        "weekly",
        "several_weekly",
        "declined",
    ]
    assert bullied["count"].tolist() == [1, 0, 1, 0, 0, 1]
    assert bullied["n"].tolist() == [3] * 6
    np.testing.assert_allclose(bullied["share"], [1 / 3, 0, 1 / 3, 0, 0, 1 / 3])
    verbal = table[table["item"] == "bullied_verbal"]
    assert verbal["count"].tolist() == [1, 1, 0, 0, 0, 0]  # p1 never, p4 once or twice
    # p2 skipped bullied_relational, so it was seen by p1 only
    relational = table[table["item"] == "bullied_relational"]
    assert relational["n"].tolist() == [1] * 6
    assert table["item"].drop_duplicates().tolist() == BULLYING


# --- suppression --------------------------------------------------------------------------


def test_a_unit_below_min_n_publishes_nothing_but_its_identity() -> None:
    dataset = hand_dataset()
    (row,) = school_table(dataset, YEAR).to_dict("records")  # 3 respondents < 10
    assert row["suppressed"] and row["reason"] == "below_min"
    shown = {key for key, value in row.items() if not _same(value, None)}
    assert shown == {"school", "school_year", "sector", "band", "suppressed", "reason"}
    options = option_share_table(dataset, YEAR)
    assert options["suppressed"].all() and (options["reason"] == "below_min").all()
    assert options[["count", "n", "share"]].isna().all().all()


def test_min_n_is_respected_at_the_edge() -> None:
    dataset = hand_dataset()
    assert not school_table(dataset, YEAR, min_n=3)["suppressed"].iloc[0]
    assert school_table(dataset, YEAR, min_n=4)["suppressed"].iloc[0]


def test_a_share_of_too_few_answering_pupils_is_blank_in_a_shown_unit() -> None:
    (row,) = school_table(hand_dataset(), YEAR, min_n=3).to_dict("records")
    # 3 respondents are enough for the unit, but only 2 answered the bullied item.
    assert row["veiligheidsbeleving_n"] == 3 and row["voelt_zich_veilig_n"] == 3
    for column in ("count", "n", "share", "ci_low", "ci_high", "mean_frequency"):
        assert _same(row[f"gepest_{column}"], None)
        if column != "mean_frequency":
            assert _same(row[f"aantasting_{column}"], None)
    options = option_share_table(hand_dataset(), YEAR, min_n=3)
    assert not options[options["item"] == "bullied"]["suppressed"].any()  # seen by 3
    relational = options[options["item"] == "bullied_relational"]
    assert relational["suppressed"].all() and relational["share"].isna().all()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), min_n=st.integers(1, 30))
def test_no_published_figure_rests_on_fewer_than_min_n(seed: int, min_n: int) -> None:
    dataset = random_dataset(seed, schools=6, largest=45)
    table = school_table(dataset, YEAR, min_n=min_n)
    shown = table[~table["suppressed"]]
    assert (shown["respondents"] >= min_n).all()
    for column in [c for c in table.columns if c.endswith("_n")]:
        assert (shown[column].dropna() >= min_n).all(), column
    for column in [c for c in table.columns if c.endswith(("_share", "_mean_frequency"))]:
        n = shown[column.rsplit("_", 1)[0] + "_n"] if column.endswith("_share") else None
        if n is None:
            n = shown["gepest_n"]
        assert shown.loc[n.isna(), column].isna().all(), column  # no share without its n
    hidden = table[table["suppressed"]]
    assert (hidden["reason"] == "below_min").all()
    assert hidden[COLUMNS[4:-2]].isna().all().all()  # everything but identity and the flag
    options = option_share_table(dataset, YEAR, min_n=min_n)
    assert (options.loc[~options["suppressed"], "n"] >= min_n).all()
    assert options.loc[options["suppressed"], ["count", "n", "share"]].isna().all().all()
    hidden_units = set(zip(hidden["school"], hidden["band"], strict=True))
    rows = set(zip(options["school"].astype(str), options["band"].astype(str), strict=True))
    assert (
        options.set_index(["school", "band"]).loc[sorted(hidden_units & rows), "suppressed"].all()
    )


# --- units and enrolment ------------------------------------------------------------------


def test_units_come_from_responses_and_groups() -> None:
    dataset = random_dataset(2)
    table = school_table(dataset, YEAR, min_n=1)
    two_bands = table[table["school"] == "11AB00"]
    assert two_bands["band"].tolist() == ["po", "vo"]  # questionnaire band order
    assert table["school"].is_monotonic_increasing
    # PO groep 3 does not take part: its pupils are not in the enrolled count
    groups = dataset.groups[dataset.groups["school"] == "10AB00"]
    assert groups["grade"].tolist() == [6, 3]
    young = table[table["school"] == "10AB00"]
    assert young["enrolled"].tolist() == [groups["enrolled"].iloc[0]]


def test_a_school_with_groups_but_no_responses_has_a_suppressed_unit() -> None:
    dataset = make_dataset(_frame([]), [("12AB00", "po")], [("12AB00", "6a", 6, 25)])
    (row,) = school_table(dataset, YEAR, min_n=1).to_dict("records")
    assert (row["school"], row["band"], row["suppressed"]) == ("12AB00", "po", True)
    assert len(option_share_table(dataset, YEAR, min_n=1)) == 6 * len(_asked("po", BULLYING))


def test_an_empty_year_gives_empty_tables() -> None:
    dataset = make_dataset(_frame([]), [], [])
    assert len(school_table(dataset, YEAR)) == 0
    assert len(option_share_table(dataset, YEAR)) == 0
    assert "veiligheidsbeleving_mean" in school_table(dataset, YEAR).columns


def test_other_school_years_are_left_out() -> None:
    dataset = hand_dataset()
    other = dataset.responses.assign(school_year="2025-2026")
    both = Dataset(
        Q,
        pd.concat([dataset.responses, other], ignore_index=True),
        dataset.groups,
        dataset.schools,
        dataset.rounds,
    )
    pd.testing.assert_frame_equal(
        school_table(both, YEAR, min_n=1), school_table(dataset, YEAR, min_n=1)
    )


# --- refusals -----------------------------------------------------------------------------


def test_a_code_the_band_has_no_option_for_is_refused() -> None:
    dataset = hand_dataset()
    bad = dataset.responses.copy()
    bad.loc[0, "safe_school"] = 7
    with pytest.raises(InvalidInput, match=r"item 'safe_school' holds code 7.*band 'vo'"):
        school_table(Dataset(Q, bad, dataset.groups, dataset.schools, dataset.rounds), YEAR)


@pytest.mark.parametrize(
    ("item", "code"),
    [("safe_school", 100), ("afraid_school", 9), ("bullied_verbal", 6), ("gender", 120)],
)
def test_a_stray_code_is_refused_before_it_is_counted(item: str, code: int) -> None:
    # Codes far above the options would push a pupil's count into another unit's: refused.
    dataset = hand_dataset()
    bad = dataset.responses.copy()
    bad.loc[1, item] = code
    broken = Dataset(Q, bad, dataset.groups, dataset.schools, dataset.rounds)
    with pytest.raises(InvalidInput, match=rf"item '{item}' holds code {code}.*band 'vo'"):
        national_tables(broken, YEAR, min_n=1, items=[item])


def test_a_code_of_an_item_the_band_does_not_ask_is_ignored() -> None:
    dataset = random_dataset(0)
    po = (dataset.responses["band"] == "po").to_numpy()
    afraid = Q.item("afraid_school")
    assert po.any() and afraid is not None and "po" not in afraid.bands
    odd = dataset.responses.copy()
    odd.loc[po, "afraid_school"] = 9
    other = Dataset(Q, odd, dataset.groups, dataset.schools, dataset.rounds)
    pd.testing.assert_frame_equal(school_table(other, YEAR), school_table(dataset, YEAR))


def test_responses_of_an_unknown_school_are_refused() -> None:
    dataset = hand_dataset()
    with pytest.raises(InvalidInput, match="not in the schools table"):
        school_table(
            Dataset(Q, dataset.responses, dataset.groups, dataset.schools.iloc[:0], dataset.rounds),
            YEAR,
        )


@pytest.mark.parametrize("min_n", [0, -3, 2.5, True])
def test_min_n_must_be_a_positive_whole_number(min_n: object) -> None:
    with pytest.raises(InvalidInput, match="min_n"):
        school_table(hand_dataset(), YEAR, min_n=min_n)  # type: ignore[arg-type]


# --- rounding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.125, 2, 0.13),  # round() gives 0.12: half to even
        (2.675, 2, 2.68),  # round() gives 2.67: the binary value is 2.67499...
        (0.12345, 4, 0.1235),
        (0.00005, 4, 0.0001),
        (2.0005, 3, 2.001),
        (2.0004999, 3, 2.0),
        (1.5, 0, 2.0),
        (2.5, 0, 3.0),
        (-0.00004, 4, 0.0),
        (-1.2345, 3, -1.235),
        (0.97, 4, 0.97),
        (3, 3, 3.0),
    ],
)
def test_round_figure_rounds_half_up_on_the_printed_number(
    value: float, digits: int, expected: float
) -> None:
    result = round_figure(value, digits)
    assert result == expected
    assert repr(result) != "-0.0"


@pytest.mark.parametrize("missing", [None, math.nan, np.nan, pd.NA, np.float64("nan")])
def test_round_figure_gives_none_for_a_missing_figure(missing: object) -> None:
    assert round_figure(missing, 3) is None  # type: ignore[arg-type]


def test_round_figure_refuses_what_cannot_be_published() -> None:
    with pytest.raises(InvalidInput, match="infinite"):
        round_figure(math.inf, 3)
    with pytest.raises(InvalidInput, match="digits"):
        round_figure(1.0, -1)


def test_rounding_docstring_examples() -> None:
    result = doctest.testmod(analytics.rounding, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
