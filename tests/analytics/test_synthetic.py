"""The synthetic pupil model: valid codes, the questionnaire's branching, national-like shares,
and the per-pupil engine walk agreeing in distribution with the vectorised dataset."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from analytics.dataset import DECLINED, UNANSWERED, Dataset, item_ids
from analytics.synthetic import (
    PARTIAL_SHARE,
    draw_profile,
    draw_school_effect,
    stop_position,
    synthetic_dataset,
)
from bot.service.conversation import Conversation
from bot.service.simulate import converse
from flows import load_questionnaire
from flows.conditions import holds
from flows.engine import place
from flows.model import Questionnaire
from flows.steps import INTRO_SEEN, PSEUDO_PREFIX, Outro, SchoolContext
from veilig.errors import InvalidInput

Q = load_questionnaire()
ITEMS = item_ids(Q)
BULLIED = {"po": {3, 4, 5}, "vo": {3, 4, 5}, "so": {2, 3}}


@pytest.fixture(scope="module")
def mixed() -> Dataset:
    """Every sector, two school years."""
    return synthetic_dataset(
        Q,
        schools=60,
        pupils=12_000,
        school_year="2026-2027",
        seed=7,
        sectors={"po": 0.5, "vo": 0.3, "so": 0.1, "vso": 0.1},
        previous_years=1,
    )


@pytest.fixture(scope="module")
def large() -> Dataset:
    """Many schools, so the school effects average out in the national shares."""
    return synthetic_dataset(
        Q,
        schools=400,
        pupils=120_000,
        school_year="2026-2027",
        seed=11,
        sectors={"po": 0.5, "vo": 0.5},
    )


def _answers(row: Mapping[str, Any]) -> dict[str, int | None]:
    """A dataset row as the engine's answers: declined is None, unanswered absent."""
    answers: dict[str, int | None] = {INTRO_SEEN: 1}
    for item in ITEMS:
        code = int(row[item])
        if code == DECLINED:
            answers[item] = None
        elif code != UNANSWERED:
            answers[item] = code
    return answers


def test_codes_are_valid_per_band(mixed: Dataset) -> None:
    responses = mixed.responses
    assert set(responses["band"].unique()) == {"po", "vo", "so"}
    for band, rows in responses.groupby("band", observed=True):
        for _, item in Q.items():
            values = set(rows[item.id].unique())
            if band not in item.bands:
                assert values == {UNANSWERED}, (band, item.id)
                continue
            options = Q.options(item, str(band))
            assert options is not None
            allowed = {UNANSWERED, DECLINED} | {option.code for option in options.options}
            assert values <= allowed, (band, item.id, values - allowed)
            assert values & {option.code for option in options.options}, (band, item.id)


def test_columns_follow_the_dataset_contract(mixed: Dataset) -> None:
    responses = mixed.responses
    assert not [column for column in responses.columns if column.startswith(PSEUDO_PREFIX)]
    assert all(responses[item].dtype == np.int8 for item in ITEMS)
    assert responses["grade"].dtype == np.int8 and responses["completed"].dtype == bool
    assert list(responses["school_year"].cat.categories) == ["2025-2026", "2026-2027"]
    sector_band = set(zip(responses["sector"], responses["band"], strict=True))
    assert sector_band == {("po", "po"), ("vo", "vo"), ("so", "so"), ("vso", "so")}
    po = responses[responses["sector"] == "po"]
    assert po["grade"].between(5, 8).all()
    assert set(mixed.rounds["school_year"]) == {"2025-2026", "2026-2027"}
    assert len(mixed.rounds) == 2 * len(mixed.schools) == 120
    assert set(mixed.groups["school"]) <= set(mixed.schools["school"])
    assert mixed.schools["school"].is_unique
    assert mixed.schools["school"].str.fullmatch(r"[0-9]{2}[A-Z]{2}00").all()


def test_groups_differ_in_size_and_enrolment_covers_respondents(mixed: Dataset) -> None:
    counts = mixed.responses.groupby(["school", "school_year", "group"], observed=True).size()
    groups = mixed.groups.set_index(["school", "school_year", "group"])
    assert groups.index.is_unique
    assert set(counts.index) == set(groups.index)
    enrolled = groups["enrolled"].reindex(counts.index)
    rate = counts / enrolled
    assert (rate <= 1).all()
    assert rate.between(0.70, 0.95).mean() > 0.8
    assert counts.std() > 3  # groups of different sizes
    for year in ("2025-2026", "2026-2027"):
        assert (
            len(mixed.responses[mixed.responses["school_year"] == year]) == 12_000
        )  # pupils per school year


def test_answers_follow_the_engine_branching(mixed: Dataset) -> None:
    """Sampled rows rebuild a valid engine place: every answer is an item the pupil was shown,
    complete rows have answered every item shown, partial rows a prefix of them."""
    sample = mixed.responses.groupby("band", observed=True).sample(n=150, random_state=1)
    conditional = [item for _, item in Q.items() if item.condition is not None]
    shown_followups = 0
    for row in sample.to_dict("records"):
        band = str(row["band"])
        answers = _answers(row)
        where = place(Q, band, answers)
        visible = [item.id for _, item in where.visible]
        answered = [key for key in answers if not key.startswith(PSEUDO_PREFIX)]
        assert set(answered) <= set(visible)
        assert visible[: len(answered)] == [item for item in visible if item in answers]
        if row["completed"]:
            assert where.finished
        else:
            assert not where.finished and 1 <= where.position < len(visible)
        for item in conditional:
            if band not in item.bands or item.id not in visible[: where.position]:
                continue
            assert item.condition is not None
            assert holds(Q, band, item.condition, answers, set(visible))
            shown_followups += 1
    assert shown_followups > 20  # the sample does exercise the follow-ups


def test_followups_only_for_pupils_who_meet_the_condition(mixed: Dataset) -> None:
    responses = mixed.responses[mixed.responses["completed"] & (mixed.responses["band"] == "po")]
    group = Q.groups["bullying"]
    bullied_any = responses[list(group)].isin([3, 4, 5]).any(axis=1)
    for item in ("bullied_where", "bullied_by", "told_staff", "told_parent", "told_friend"):
        assert ((responses[item] != UNANSWERED) == bullied_any).all(), item
    told = (responses[["told_staff", "told_parent"]] == 2).any(axis=1)
    assert ((responses["adult_helped"] != UNANSWERED) == told).all()


def test_shares_near_national_figures(large: Dataset) -> None:
    responses = large.responses
    for band, low, high in (("po", 0.06, 0.10), ("vo", 0.05, 0.08)):
        rows = responses[responses["band"] == band]
        answered = rows["bullied"][rows["bullied"] > 0]
        assert low < answered.isin(BULLIED[band]).mean() < high, band
        safe = rows["safe_school"][rows["safe_school"] > 0]
        assert safe.isin({"po": [3, 4], "vo": [4, 5]}[band]).mean() > 0.85
        gender = rows["gender"][rows["gender"] > 0].value_counts(normalize=True)
        assert 0.4 < gender[1] < 0.6 and 0.4 < gender[2] < 0.6 and gender[3] < 0.05
    codes = responses[list(ITEMS)].to_numpy()
    declined = (codes == DECLINED).sum() / (codes != UNANSWERED).sum()
    assert 0.01 < declined < 0.03
    assert 0.03 < 1 - responses["completed"].mean() < 0.05


def test_scale_items_correlate_and_reverse_items_are_turned(large: Dataset) -> None:
    rows = large.responses[(large.responses["band"] == "vo") & large.responses["completed"]]
    frame = rows[list(ITEMS)].astype(float).where(rows[list(ITEMS)] > 0)

    def r(a: str, b: str) -> float:
        return float(frame[a].corr(frame[b], method="spearman"))

    assert r("safe_school", "safe_class") > 0.3
    assert r("likes_school", "at_ease_class") > 0.3
    assert r("afraid_school", "safe_school") < -0.2  # agreeing with "afraid" goes with unsafe
    assert r("lonely", "belongs") < -0.2
    assert r("bullied", "bullied_verbal") > 0.3
    assert r("bullied", "safe_school") < -0.1


def test_previous_year_keeps_the_schools_and_their_character(mixed: Dataset) -> None:
    means = (
        mixed.responses[mixed.responses["band"] == "po"]
        .assign(safe=lambda f: f["safe_school"].where(f["safe_school"] > 0))
        .groupby(["school", "school_year"], observed=True)["safe"]
        .mean()
        .unstack()
        .dropna()
    )
    assert len(means) > 10
    assert means.corr().iloc[0, 1] > 0  # school effects carry over from year to year


def test_same_seed_same_data_other_seed_other_data() -> None:
    def make(seed: int) -> Dataset:
        return synthetic_dataset(Q, schools=5, pupils=500, school_year="2026-2027", seed=seed)

    first, again, other = make(3), make(3), make(4)
    pd.testing.assert_frame_equal(first.responses, again.responses)
    pd.testing.assert_frame_equal(first.groups, again.groups)
    pd.testing.assert_frame_equal(first.rounds, again.rounds)
    assert not first.responses[list(ITEMS)].equals(other.responses[list(ITEMS)])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"schools": 0}, "schools must be from 1"),
        ({"pupils": 3}, "every school needs at least one pupil"),
        ({"school_year": "2026/27"}, "school year '2026/27' is not valid"),
        ({"sectors": {"mbo": 1.0}}, "sectors must map"),
        ({"sectors": {"po": 0.0}}, "at least one sector"),
        ({"previous_years": -1}, "previous_years"),
        ({"consent": 1.5}, "consent must be a share"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object], message: str) -> None:
    given_arguments: dict[str, object] = {
        "schools": 5,
        "pupils": 100,
        "school_year": "2026-2027",
        "seed": 1,
        **arguments,
    }
    with pytest.raises(InvalidInput, match=message):
        synthetic_dataset(Q, **given_arguments)  # type: ignore[arg-type]


@given(st.floats(0.0, 1.0, exclude_max=True), st.integers(2, 60))
def test_a_stopper_stops_before_the_end(stop: float, always_shown: int) -> None:
    position = stop_position(stop, always_shown)
    assert position is not None and 1 <= position <= always_shown - 1
    assert stop_position(None, always_shown) is None


# ----------------------------------------------------------------------------- the two ways


def _walked(q: Questionnaire, band: str, schools: int, per_school: int, seed: int) -> pd.DataFrame:
    """Pupils driven through the real engine, as dataset rows."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(schools):
        effect = draw_school_effect(rng)
        for _ in range(per_school):
            pupil = Conversation(q, band, "nl", SchoolContext())
            converse(pupil, draw_profile(rng, effect))
            answers = pupil.answers
            row: dict[str, object] = {
                item: (DECLINED if answers[item] is None else answers[item])
                if item in answers
                else UNANSWERED
                for item in ITEMS
            }
            row["completed"] = isinstance(pupil.screen(), Outro)
            assert row["completed"] == pupil.completed
            rows.append(row)
    return pd.DataFrame(rows)


def _declined(frame: pd.DataFrame) -> float:
    codes = frame[list(ITEMS)].to_numpy()
    return float((codes == DECLINED).sum() / (codes != UNANSWERED).sum())


def _rank_correlation(frame: pd.DataFrame, a: str, b: str) -> float:
    both = frame[(frame[a] > 0) & (frame[b] > 0)]
    return float(both[a].astype(float).corr(both[b].astype(float), method="spearman"))


@pytest.mark.parametrize(("band", "schools"), [("vo", 15), ("po", 10)])
def test_engine_walk_and_vectorised_data_agree(band: str, schools: int) -> None:
    walked = _walked(Q, band, schools=schools, per_school=16, seed=5)
    made = synthetic_dataset(
        Q, schools=200, pupils=20_000, school_year="2026-2027", seed=5, sectors={band: 1.0}
    ).responses
    made = made[made["band"] == band]
    # Every item's answers (codes, declined, unanswered) come from one distribution:
    # a chi-square test of homogeneity on the pooled table may not reject at 0.1 %.
    for item in ITEMS:
        table = pd.crosstab(
            np.r_[np.zeros(len(walked)), np.ones(len(made))],
            np.r_[walked[item].to_numpy(dtype=int), made[item].to_numpy(dtype=int)],
        )
        table = table.loc[:, table.sum() >= 5]
        if table.shape[1] < 2:
            continue
        p_value = stats.chi2_contingency(table.to_numpy())[1]
        assert p_value > 0.001, (band, item, table)
    # Shares that matter: bullied, partial, the follow-ups, within a loose tolerance.
    for name, of in (
        ("bullied", lambda f: f["bullied"][f["bullied"] > 0].isin(BULLIED[band]).mean()),
        ("partial", lambda f: 1 - f["completed"].mean()),
        ("followups", lambda f: (f["bullied_where"] != UNANSWERED).mean()),
        ("safe", lambda f: f["safe_school"][f["safe_school"] > 0].mean()),
    ):
        assert of(walked) == pytest.approx(of(made), abs=0.05 if name != "safe" else 0.15), name
    # Items go together the same way: within a scale, across scales, reverse-coded items.
    pairs = [
        ("safe_school", "safe_class"),
        ("bullied", "bullied_verbal"),
        ("safe_class", "bullied"),
    ]
    pairs += [("afraid_school", "safe_school")] if band == "vo" else []
    for a, b in pairs:
        assert _rank_correlation(walked, a, b) == pytest.approx(
            _rank_correlation(made, a, b), abs=0.15
        ), (a, b)
    assert 0.5 < _declined(walked) / _declined(made) < 2
    assert 0 < 1 - walked["completed"].mean() < 4 * PARTIAL_SHARE
    assert math.isclose(1 - made["completed"].mean(), PARTIAL_SHARE, abs_tol=0.01)
