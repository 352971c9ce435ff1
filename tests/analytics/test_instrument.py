"""Instrument evidence: hand-worked items and norms, eigenvalues and loadings against closed
forms and an independent factor analysis, suppression."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pingouin
import pytest
from sklearn.decomposition import FactorAnalysis

import analytics.instrument
from analytics.dataset import DECLINED, UNANSWERED, Dataset
from analytics.disclosure import release_plan
from analytics.instrument import (
    PERCENTILES,
    InstrumentReport,
    correlation_eigenvalues,
    exploratory_factor_analysis,
    instrument_report,
    item_distributions,
    mean_scale_items,
    pupil_scores,
    render_markdown,
    school_norms,
    turned_items,
)
from analytics.national import school_table
from analytics.synthetic import synthetic_dataset
from tests.analytics.builders import YEAR, Q, dataset_of, pupils
from tests.flows.participant import SAFETY_PO, WELLBEING_PO
from veilig.errors import InvalidInput


def with_correlation(corr: np.ndarray, n: int, seed: int = 0) -> pd.DataFrame:
    """n rows whose *sample* correlation matrix is exactly ``corr`` (up to rounding)."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(n, len(corr)))
    raw -= raw.mean(axis=0)
    whitened = raw @ np.linalg.inv(np.linalg.cholesky(np.cov(raw, rowvar=False)).T)
    data = whitened @ np.linalg.cholesky(corr).T
    return pd.DataFrame(data, columns=[f"x{i + 1}" for i in range(len(corr))])


def two_factor_loadings() -> np.ndarray:
    return np.array([[0.8, 0], [0.8, 0], [0.8, 0], [0, 0.6], [0, 0.6], [0, 0.6]])


def aligned(found: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """``found``'s columns permuted and signed to match ``truth`` best (factors have no order
    or sign of their own)."""
    out = np.zeros_like(truth)
    for j in range(truth.shape[1]):
        scores = [abs(found[:, c] @ truth[:, j]) for c in range(found.shape[1])]
        best = int(np.argmax(scores))
        out[:, j] = found[:, best] * np.sign(found[:, best] @ truth[:, j])
    return out


# --- eigenvalues and factor analysis -------------------------------------------------------


def test_eigenvalues_of_two_items_by_hand() -> None:
    # r(a, b) = 4 / sqrt(5 * 5) = 0.8, so the eigenvalues are 1 + r and 1 - r.
    frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4]})
    table = correlation_eigenvalues(frame)
    np.testing.assert_allclose(table["eigenvalue"], [1.8, 0.2])
    np.testing.assert_allclose(table["share"], [0.9, 0.1])
    np.testing.assert_allclose(table["cumulative"], [0.9, 1.0])
    assert table["component"].tolist() == [1, 2]


def test_eigenvalues_of_two_blocks_match_the_closed_form() -> None:
    # Two blocks of 3 items, within-block correlation l^2, none between: a block of k equal
    # correlations r has eigenvalues 1 + (k - 1) r and (k - 1) times 1 - r.
    loadings = two_factor_loadings()
    corr = loadings @ loadings.T
    np.fill_diagonal(corr, 1.0)
    data = with_correlation(corr, 400)
    expected = [1 + 2 * 0.64, 1 + 2 * 0.36, 1 - 0.36, 1 - 0.36, 1 - 0.64, 1 - 0.64]
    np.testing.assert_allclose(correlation_eigenvalues(data)["eigenvalue"], expected, atol=1e-9)


def test_loadings_are_recovered_exactly_from_an_exact_correlation_matrix() -> None:
    truth = two_factor_loadings()
    corr = truth @ truth.T
    np.fill_diagonal(corr, 1.0)
    solution = exploratory_factor_analysis(with_correlation(corr, 500), 2)
    # Ordered by sum of squared loadings: the 0.8 factor first; signs positive.
    np.testing.assert_allclose(solution.loadings.to_numpy(), truth, atol=2e-3)
    np.testing.assert_allclose(solution.uniqueness, 1 - (truth**2).sum(axis=1), atol=2e-3)
    np.testing.assert_allclose(solution.communality, (truth**2).sum(axis=1), atol=2e-3)
    assert solution.n == 500 and solution.warnings == ()
    assert list(solution.loadings.columns) == ["factor_1", "factor_2"]


def test_loadings_recovered_from_sampled_data_and_match_scikit_learn() -> None:
    rng = np.random.default_rng(11)
    truth = np.array(
        [[0.8, 0], [0.7, 0], [0.6, 0], [0.7, 0], [0, 0.8], [0, 0.7], [0, 0.6], [0, 0.5]]
    )
    n = 4000
    factors = rng.normal(size=(n, 2))
    noise = rng.normal(size=(n, len(truth))) * np.sqrt(1 - (truth**2).sum(axis=1))
    data = pd.DataFrame(factors @ truth.T + noise, columns=[f"i{j}" for j in range(len(truth))])
    ours = exploratory_factor_analysis(data, 2).loadings.to_numpy()
    np.testing.assert_allclose(aligned(ours, truth), truth, atol=0.05)

    # Independent implementation: scikit-learn's EM fit of the raw (standardised) data.
    z = (data - data.mean()) / data.std(ddof=1)
    reference = FactorAnalysis(
        n_components=2, rotation="varimax", svd_method="lapack", random_state=0
    ).fit(z)
    theirs = aligned(reference.components_.T, truth)
    np.testing.assert_allclose(aligned(ours, truth), theirs, atol=0.02)


def test_one_factor_is_not_rotated() -> None:
    truth = np.array([[0.7], [0.6], [0.5], [0.4]])
    corr = truth @ truth.T
    np.fill_diagonal(corr, 1.0)
    solution = exploratory_factor_analysis(with_correlation(corr, 300), 1)
    np.testing.assert_allclose(solution.loadings.to_numpy(), truth, atol=2e-3)


@pytest.mark.parametrize(
    ("frame", "factors", "match"),
    [
        (pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 4, 3]}), 1, "3 or more items"),
        (pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 1, 3], "c": [3.0, 1, 2]}), 1, "more rows"),
        (pd.DataFrame(np.eye(6)[:, :4] + np.arange(6)[:, None]), 3, "cannot be identified"),
        (
            pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [1.0] * 5, "c": [2.0, 1, 4, 3, 5]}),
            1,
            "does not vary",
        ),
        (pd.DataFrame(np.eye(6)[:, :4]), 0, "n_factors"),
    ],
)
def test_factor_analysis_refuses_what_it_cannot_fit(
    frame: pd.DataFrame, factors: int, match: str
) -> None:
    with pytest.raises(InvalidInput, match=match):
        exploratory_factor_analysis(frame, factors)


# --- scores, items, norms by hand ----------------------------------------------------------


def test_reverse_coded_items_are_turned_within_their_band() -> None:
    rows = pupils("90XY00", "2A", 2, 1, band="vo", sector="vo", answers={"afraid_school": 5})
    rows[0]["lonely"] = 2
    responses = dataset_of(rows).responses
    turned = turned_items(responses, Q, ["afraid_school", "lonely", "safe_class"], "vo")
    assert turned.iloc[0].tolist()[:2] == [1.0, 4.0]  # 1 + 5 - 5, 1 + 5 - 2
    assert np.isnan(turned.iloc[0, 2])


def test_pupil_scores_need_two_thirds_of_the_items() -> None:
    # PO safety has 6 items (needs 4), well-being 5 (needs ceil(10/3) = 4).
    counted = dict.fromkeys(SAFETY_PO[:4], 4) | dict.fromkeys(WELLBEING_PO[:4], 2)
    too_few = dict.fromkeys(SAFETY_PO[:3], 4) | dict.fromkeys(WELLBEING_PO, 2)
    declined = counted | {SAFETY_PO[0]: DECLINED}
    rows = [
        *pupils("12AB00", "7A", 7, 1, answers=counted),
        *pupils("12AB00", "7A", 7, 1, answers=too_few),
        *pupils("12AB00", "7A", 7, 1, answers=declined),
    ]
    scores = pupil_scores(dataset_of(rows).responses, Q, "po")
    assert scores["veiligheidsbeleving"].tolist()[0] == 4.0
    assert np.isnan(scores["veiligheidsbeleving"].tolist()[1])
    assert np.isnan(scores["veiligheidsbeleving"].tolist()[2])  # declined is not answered
    assert scores["welbevinden"].tolist() == [2.0, 2.0, 2.0]
    assert scores["counted"].tolist() == [True, False, False]


def _safe_school_pupils() -> list[dict[str, object]]:
    # 12 pupils: code 4 five times, 3 four times, 2 once, one declined, one unanswered.
    codes = [4] * 5 + [3] * 4 + [2] + [DECLINED, UNANSWERED]
    rows = pupils("12AB00", "7A", 7, len(codes))
    for row, code in zip(rows, codes, strict=True):
        row["safe_school"] = code
    return rows


def test_item_distribution_by_hand() -> None:
    responses = dataset_of(_safe_school_pupils()).responses
    cells, summary = item_distributions(responses, Q, "po", min_n=1)
    safe = cells[cells["item"] == "safe_school"].set_index("part")
    assert safe["n"].to_dict() == {
        "1": 0,
        "2": 1,
        "3": 4,
        "4": 5,
        "declined": 1,
        "unanswered": 1,
        "All": 12,
    }
    assert not safe["suppressed"].any()
    assert safe.loc["3", "label"] == "Meestal wel" and safe.loc["All", "share"] == 1.0
    assert safe.loc["4", "share"] == pytest.approx(5 / 12)
    row = summary.set_index("item").loc["safe_school"]
    assert (row["answered"], row["declined"], row["unanswered"]) == (10, 1, 1)
    # mean (20 + 12 + 2) / 10 = 3.4; squares 5 * 0.36 + 4 * 0.16 + 1.96 = 4.4, sd sqrt(4.4/9)
    assert row["mean"] == pytest.approx(3.4)
    assert row["sd"] == pytest.approx(np.sqrt(4.4 / 9))
    # A nominal item gets no mean: gender is a category.
    assert np.isnan(summary.set_index("item").loc["gender", "mean"])


def test_item_distribution_is_shown_whole_or_not_at_all() -> None:
    """The rule of every output's option shares (issue 9): shown when at least min_n answered
    the item, small cells included (the schools' option shares add up to them anyway)."""
    responses = dataset_of(_safe_school_pupils()).responses
    cells, summary = item_distributions(responses, Q, "po", min_n=10)
    safe = cells[cells["item"] == "safe_school"].set_index("part")
    assert not safe["suppressed"].any() and safe.loc["2", "n"] == 1  # 10 answered
    cells, summary = item_distributions(responses, Q, "po", min_n=11)
    safe = cells[cells["item"] == "safe_school"].set_index("part")
    parts = safe.drop("All")
    assert parts["suppressed"].all() and parts["n"].isna().all()
    assert set(parts["reason"]) == {"below_min"} and safe.loc["All", "n"] == 12
    row = summary.set_index("item").loc["safe_school"]
    assert row["reason"] == "below_min"
    assert pd.isna(row["answered"]) and np.isnan(row["mean"])


def _constant_school(school: str, code: int, size: int) -> list[dict[str, object]]:
    answers = dict.fromkeys([*SAFETY_PO, *WELLBEING_PO], code)
    return pupils(school, "7A", 7, size, answers=answers)


def test_norms_by_hand() -> None:
    # School means 1, 2, 3, 4, 4 (every pupil answers every item with the school's code);
    # numpy's linear percentiles of [1, 2, 3, 4, 4]: P10 at position 0.4 -> 1.4, P25 at 1 ->
    # 2, P50 at 2 -> 3, P75 at 3 -> 4, P90 at 3.6 -> 4. School 99ZZ00 has 9: left out.
    rows = [
        *_constant_school("10AA00", 1, 10),
        *_constant_school("11AA00", 2, 12),
        *_constant_school("12AA00", 3, 10),
        *_constant_school("13AA00", 4, 10),
        *_constant_school("14AA00", 4, 11),
        *_constant_school("99ZZ00", 1, 9),
    ]
    responses = dataset_of(rows).responses
    norms = school_norms(responses, Q, "po", min_n=10, min_schools=5).set_index("scale")
    for scale in ("veiligheidsbeleving", "welbevinden"):
        assert norms.loc[scale, "schools"] == 5
        cuts = [norms.loc[scale, f"p{p}"] for p in PERCENTILES]
        np.testing.assert_allclose(cuts, [1.4, 2.0, 3.0, 4.0, 4.0])
        assert pd.isna(norms.loc[scale, "reason"])
    few = school_norms(responses, Q, "po", min_n=10, min_schools=6).set_index("scale")
    assert few["reason"].tolist() == ["few_schools", "few_schools"]
    assert few[[f"p{p}" for p in PERCENTILES]].isna().all().all()


def test_norms_use_the_same_school_means_as_the_school_table() -> None:
    dataset = synthetic_dataset(Q, schools=30, pupils=3000, school_year=YEAR, seed=5)
    report = instrument_report(dataset, YEAR, min_schools=3)
    table = school_table(dataset, YEAR)
    for band in ("po", "vo"):
        shown = table[(table["band"] == band) & ~table["suppressed"]]
        norms = report.norms[report.norms["band"] == band].set_index("scale")
        for scale in ("veiligheidsbeleving", "welbevinden"):
            expected = np.percentile(shown[f"{scale}_mean"].to_numpy(float), PERCENTILES)
            assert norms.loc[scale, "schools"] == len(shown)
            np.testing.assert_allclose(
                [norms.loc[scale, f"p{p}"] for p in PERCENTILES], expected, rtol=1e-12
            )


# --- the whole report ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_report() -> tuple[Dataset, InstrumentReport]:
    dataset = synthetic_dataset(Q, schools=40, pupils=4000, school_year=YEAR, seed=8)
    return dataset, instrument_report(dataset, YEAR, min_schools=5)


def test_reliability_matches_pingouin_on_turned_items(
    synthetic_report: tuple[Dataset, InstrumentReport],
) -> None:
    dataset, report = synthetic_report
    responses = dataset.responses
    rows = responses[responses["band"] == "vo"]
    # The report's pupils: the counted respondents of the units the release plan exports.
    exported = release_plan(dataset, YEAR).exported()
    keys = zip(rows["school"].astype(str), rows["band"].astype(str), strict=True)
    rows = rows[[key in exported for key in keys]]
    rows = rows[pupil_scores(rows, Q, "vo")["counted"].to_numpy(dtype=bool)]
    items = list(mean_scale_items(Q, "vo")["veiligheidsbeleving"])
    frame = turned_items(rows, Q, items, "vo")
    # pingouin counts n before its listwise deletion: give it the complete cases.
    alpha, (low, high) = pingouin.cronbach_alpha(frame.dropna())
    row = report.reliability.set_index(["band", "scale"]).loc[("vo", "veiligheidsbeleving")]
    assert row["k"] == len(items) == 7
    assert row["alpha"] == pytest.approx(alpha, abs=1e-9)
    # pingouin rounds its interval to 3 decimals.
    assert row["ci_low"] == pytest.approx(low, abs=5e-4)
    assert row["ci_high"] == pytest.approx(high, abs=5e-4)
    # The reverse-coded item, once turned, goes with its scale.
    total = report.item_total.set_index(["band", "item"])
    assert total.loc[("vo", "afraid_school"), "reverse"]
    assert total.loc[("vo", "afraid_school"), "r_corrected"] > 0.2


def test_the_report_has_every_section_and_two_factors_per_band(
    synthetic_report: tuple[Dataset, InstrumentReport],
) -> None:
    _, report = synthetic_report
    assert set(report.tables()) == {
        "bands",
        "overview",
        "items",
        "item_summary",
        "reliability",
        "item_total",
        "eigenvalues",
        "loadings",
        "norms",
    }
    for band in ("po", "vo"):
        loadings = report.loadings[report.loadings["band"] == band].set_index("item")
        # Safety items load most on one factor, well-being items on the other.
        primary = loadings[["factor_1", "factor_2"]].idxmax(axis=1)
        by_scale = primary.groupby(loadings["scale"]).agg(lambda s: s.mode()[0])
        assert by_scale["veiligheidsbeleving"] != by_scale["welbevinden"]
        eigen = report.eigenvalues[report.eigenvalues["band"] == band]
        assert eigen["eigenvalue"].sum() == pytest.approx(len(loadings))
        assert (eigen["eigenvalue"] > 1).sum() == 2
    text = render_markdown(report)
    for title in (
        "## 1. Respondents",
        "## 3. Items",
        "## 4. Reliability",
        "## 6. Factor",
        "## 7. Factor structure: loadings",
        "## 8. Norms",
        "### Band vo",
    ):
        assert title in text


def test_no_published_count_is_below_min_n(
    synthetic_report: tuple[Dataset, InstrumentReport],
) -> None:
    dataset, report = synthetic_report
    responses = dataset.responses
    min_n = report.min_n
    overview = report.overview
    assert (overview.loc[~overview["suppressed"], "n"] >= min_n).all()
    for name in ("overview", "items"):
        table = report.tables()[name]
        assert table.loc[table["suppressed"], ["n", "share"]].isna().all().all()
    # An item is shown whole when at least min_n answered it, else none of its parts.
    summary = report.item_summary
    assert (summary["answered"].dropna() >= min_n).all()
    # In every item's partition, the hidden cells with pupils are none or at least two; the
    # partition is over the counted respondents of the units the release plan exports.
    exported = release_plan(dataset, report.school_year, min_n=min_n).exported()
    keys = zip(responses["school"].astype(str), responses["band"].astype(str), strict=True)
    responses = responses[[key in exported for key in keys]]
    for (band, item), cells in report.items.groupby(["band", "item"]):
        rows = responses[responses["band"] == band]
        codes = rows.loc[pupil_scores(rows, Q, str(band))["counted"].to_numpy(dtype=bool), item]
        true = {
            "declined": int((codes == DECLINED).sum()),
            "unanswered": int((codes == UNANSWERED).sum()),
        }
        for part in cells["part"]:
            if part not in true and part != "All":
                true[part] = int((codes == int(part)).sum())
        hidden = [p for p in cells.loc[cells["suppressed"], "part"] if true[p] > 0]
        assert len(hidden) != 1, (band, item)
    summary = report.item_summary
    assert (summary["answered"].dropna() >= 0).all()
    for name in ("reliability",):
        table = report.tables()[name]
        assert (table["n"].dropna() >= min_n).all()


def test_a_small_band_gets_no_figures() -> None:
    # Counted respondents (the release's unit rule) who each leave one item of every scale
    # open, so nobody answered every item.
    big = pupils("12AB00", "7A", 7, 12, counted=True)
    for row, code in zip(big, [4] * 5 + [3] * 4 + [2] + [DECLINED, UNANSWERED], strict=True):
        row["safe_school"] = code
        for items in mean_scale_items(Q, "po").values():
            row[[item for item in items if item != "safe_school"][-1]] = UNANSWERED
    small = pupils("77SO00", "SO1", 3, 6, band="so", sector="so", counted=True)
    rows = [*big, *[row | {"safe_school": 1} for row in small]]
    report = instrument_report(dataset_of(rows), YEAR, min_n=10)
    bands = report.bands.set_index("band")
    assert bands.loc["po", "respondents"] == 12
    # The SO school is below min_n, so it is in no output: its band has no pupils to report.
    assert "so" not in bands.index
    for name, table in report.tables().items():
        if name != "bands" and not table.empty:
            assert "so" not in set(table["band"]), name
    # 11 of 12 answered safe_school; nobody answered every item: alpha and factors are blank.
    reliability = report.reliability.set_index("scale")
    assert reliability["reason"].tolist() == ["below_min", "below_min"]
    assert reliability["alpha"].isna().all() and reliability["n"].isna().all()
    assert report.loadings.empty and report.eigenvalues.empty
    assert any("no factor analysis" in note for note in report.notes)
    assert "### Band so" not in render_markdown(report)


def test_constant_answers_do_not_break_the_report() -> None:
    rows = [*_constant_school("10AA00", 3, 15), *_constant_school("11AA00", 3, 15)]
    report = instrument_report(dataset_of(rows), YEAR, min_schools=2)
    assert report.reliability["reason"].tolist() == ["no_variance", "no_variance"]
    assert report.loadings.empty
    norms = report.norms.set_index("scale")
    assert norms.loc["welbevinden", "p50"] == 3.0
    assert "## 8. Norms" in render_markdown(report)


def test_an_empty_year_renders() -> None:
    report = instrument_report(dataset_of(_safe_school_pupils()), "2020-2021")
    assert report.bands.empty
    assert "No respondents in this school year." in render_markdown(report)


@pytest.mark.parametrize(
    ("options", "match"),
    [({"min_n": 0}, "min_n"), ({"min_schools": 0}, "min_schools"), ({"min_n": True}, "min_n")],
)
def test_settings_are_checked(options: dict[str, int], match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        instrument_report(dataset_of(_safe_school_pupils()), YEAR, **options)


def test_docstring_examples() -> None:
    result = doctest.testmod(analytics.instrument, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
