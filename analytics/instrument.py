"""The instrument's own evidence: how well the questionnaire measures, from one school year.

The law asks for a standardised, valid and reliable instrument; this module computes the
evidence a provider shows for it, per age band (the bands answer different versions, so their
codes are never pooled) over all schools of the school year:

1. **Overview**: respondents, complete and partial responses. The respondents are those of the
   year's release plan (:func:`analytics.disclosure.release_plan`): the counted respondents (a
   score on every ``mean`` scale) of the school-bands that are exported (at least ``min_n``
   counted respondents, round closed), so a band is the sum of the research export's schools.
2. **Items**: the distribution of each item over its option codes, with "I'd rather not say"
   (declined) and unanswered apart; the mean and SD of the codes of ordered items.
3. **Reliability**: Cronbach's alpha with its Feldt interval per ``mean`` scale and the
   corrected item-total correlations (:mod:`analytics.reliability`, listwise complete cases,
   reverse-coded items turned).
4. **Factor structure**: eigenvalues of the item correlation matrix of the ``mean`` scales'
   items and an exploratory factor analysis (maximum likelihood, varimax) with as many
   factors as the band has ``mean`` scales, so the loadings show whether the items group as
   the scales say.
5. **Norms**: P10, P25, P50, P75 and P90 of the school mean of each ``mean`` scale, over the
   schools (units of school and band) with at least ``min_n`` counted respondents, when there
   are at least ``min_schools`` of them.

Privacy: a band with fewer than ``min_n`` respondents gets no figures at all. The overview
(completed and partial) is a partition of the band's respondents and goes through
:func:`analytics.suppression.suppress`, so a hidden cell cannot be recovered from the shown
ones. An item's distribution (with its mean and SD) is shown whole when at least ``min_n``
answered it, else not at all: the same rule as the option shares of the delivery and the
school report, whose schools add up to the band. Statistics that are not counts (alpha,
correlations, loadings) are blanked with the reason when they rest on fewer than ``min_n``
pupils. No figure across bands is published, so a band's count cannot be had by subtraction.
An item (or the completed/partial split) that exactly one school of the band hides in its own
figures is hidden at band level too (reason ``one_school_hidden``), since the band minus the
other schools would give it away.

Why statsmodels for the factor analysis: ``factor_analyzer`` (0.5.1, the last release) calls
scikit-learn's ``check_array(force_all_finite=...)``, which scikit-learn 1.8 removed, so it
fails on the installed versions. scikit-learn's ``FactorAnalysis`` works but fits the raw data
matrix by EM, which takes about 16 s per band on a million pupils. ``statsmodels``'
:class:`~statsmodels.multivariate.factor.Factor` fits from the correlation matrix, so its cost
does not grow with the number of pupils (10 ms), offers maximum likelihood (as R's
``factanal``) and principal axis, and its varimax is verified against R and Stata. The tests
check it against scikit-learn on simulated data with a known two-factor structure.

Caveats for the reader (also in ``docs/instrument.md``): Pearson correlations of 3- to
5-point items understate the correlations of the underlying traits (a polychoric analysis
would give higher loadings); listwise deletion uses only pupils who answered every item of the
analysis.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.dataset import DECLINED, UNANSWERED, Dataset
from analytics.disclosure import ONE_SCHOOL_HIDDEN, STATUS, ReleasePlan, release_plan
from analytics.reliability import cronbach_alpha, item_total_correlations
from analytics.scales import mean_scale_items, pupil_scores, turned_items
from analytics.suppression import ALL, suppress
from flows.model import Questionnaire
from veilig.errors import InvalidInput

__all__ = [
    "CASES_PER_ITEM",
    "MIN_SCHOOLS",
    "PERCENTILES",
    "FactorSolution",
    "InstrumentReport",
    "correlation_eigenvalues",
    "exploratory_factor_analysis",
    "instrument_report",
    "item_distributions",
    "mean_scale_items",
    "pupil_scores",
    "render_markdown",
    "school_norms",
    "turned_items",
]

PERCENTILES = (10, 25, 50, 75, 90)
#: Norms need this many schools: as for percentile ranks (analytics.comparison), a percentile
#: among a handful of schools says little and comes close to giving away single schools.
MIN_SCHOOLS = 20
#: A factor analysis needs complete cases of at least this many pupils per item (and
#: ``min_n``): Gorsuch (1983), Factor Analysis, ch. 13, the usual lower bound of 5 per item.
CASES_PER_ITEM = 5
ORDERED_KINDS = frozenset({"agreement", "frequency", "yes_no"})
BELOW_MIN = "below_min"
#: How a figure that is not shown appears in the Markdown (an en dash).
NOT_SHOWN = "\u2013"


# --- overview and items ------------------------------------------------------------------


def _partition(band: str, kind: str, parts: dict[str, int], total: int, min_n: int) -> pd.DataFrame:
    """A 1-D table of counts that add up to ``total``, through the one suppression gate."""
    table = pd.DataFrame(
        {
            "band": band,
            "kind": kind,
            "part": [*parts, ALL],
            "n": [*parts.values(), total],
        }
    )
    table["share"] = table["n"] / total if total else np.nan
    return suppress(table, "part", n="n", min_n=min_n, within=["band", "kind"], figures=["share"])


def _overview(band: str, responses: pd.DataFrame, min_n: int, shown: bool) -> pd.DataFrame:
    """Completed and partial among the band's (counted) respondents; both hidden when the
    release plan says a school's hidden counts would follow from them (``shown`` false)."""
    total = len(responses)
    completed = int(responses["completed"].astype(bool).sum())
    status = _partition(
        band, "status", {"completed": completed, "partial": total - completed}, total, min_n
    )
    return status if shown else _hide_parts(status)


def _hide_parts(table: pd.DataFrame) -> pd.DataFrame:
    """Every part (not the total) of a suppressed partition hidden with reason
    :data:`analytics.disclosure.ONE_SCHOOL_HIDDEN`, where not hidden already."""
    part = (table["part"] != ALL).to_numpy(dtype=bool)
    fresh = part & ~table["suppressed"].astype(bool).to_numpy()
    out = table.copy()
    out.loc[part, "n"] = pd.NA
    out.loc[part, "share"] = np.nan
    out.loc[part, "suppressed"] = True
    out.loc[fresh, "reason"] = ONE_SCHOOL_HIDDEN
    return out


def _item_cells(
    band: str, item: str, parts: dict[str, int], total: int, *, hidden: bool
) -> pd.DataFrame:
    """An item's counts per part and the total (``All``), every part hidden when ``hidden``."""
    table = pd.DataFrame(
        {
            "band": band,
            "item": item,
            "part": [*parts, ALL],
            "n": pd.array([*parts.values(), total], dtype="Int64"),
        }
    )
    table["share"] = table["n"].astype(float) / total if total else np.nan
    part = (table["part"] != ALL).to_numpy(dtype=bool) & hidden
    table.loc[part, "n"] = pd.NA
    table.loc[part, "share"] = np.nan
    table["suppressed"] = part
    table["reason"] = pd.array([BELOW_MIN if p else None for p in part], dtype="string")
    return table


def item_distributions(
    responses: pd.DataFrame, questionnaire: Questionnaire, band: str, *, min_n: int = 10
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per item asked in ``band``: pupils per option code, declined and unanswered.

    Returns ``(cells, summary)``. ``cells``: ``band``, ``item``, ``part`` (the option code as
    text, ``declined``, ``unanswered`` or ``All`` = the band's respondents), ``label``, ``n``
    and ``share`` (of the respondents), ``suppressed`` and ``reason``.
    ``summary``: ``band``, ``item``, ``answered``, ``declined``, ``unanswered``, ``mean`` and
    ``sd`` of the codes (ordered items only). An item that fewer than ``min_n`` answered has
    every part and its summary hidden (``reason`` ``"below_min"``), else all is shown: the
    rule of every output's option shares (:mod:`analytics.disclosure`, rule 3). Unanswered
    counts pupils who did not get the item (a condition did not hold), skipped it or stopped
    before it.
    """
    total = len(responses)
    tables = []
    summaries = []
    for _, item in questionnaire.items_in_band(band):
        if item.id.startswith("_"):
            continue
        options = questionnaire.options(item, band)
        codes = responses[item.id].to_numpy()
        parts = (
            {str(o.code): int((codes == o.code).sum()) for o in options.options} if options else {}
        )
        declined = int((codes == DECLINED).sum())
        unanswered = int((codes == UNANSWERED).sum())
        parts |= {"declined": declined, "unanswered": unanswered}
        if sum(parts.values()) != total:
            raise InvalidInput(
                f"item {item.id!r} holds codes that are not options of band {band!r}; "
                "check the stored answers against the questionnaire version"
            )
        answered = codes[codes >= 1].astype(float)
        # One rule for every output (analytics.disclosure, rule 3): an item's distribution is
        # shown when at least min_n answered it, with every cell, as the delivery's and the
        # school report's option shares are; else none of it.
        leak = len(answered) < min_n
        cells = _item_cells(band, item.id, parts, total, hidden=leak)
        labels = {str(o.code): o.label for o in options.options} if options else {}
        names = cells["part"].astype(str)
        cells.insert(3, "label", names.map(labels).fillna(""))
        tables.append(cells)
        kind = questionnaire.answer_scales[item.scale].kind
        ordered = kind in ORDERED_KINDS and len(answered) >= 1
        summaries.append(
            {
                "band": band,
                "item": item.id,
                "answered": pd.NA if leak else len(answered),
                "declined": pd.NA if leak else declined,
                "unanswered": pd.NA if leak else unanswered,
                "mean": np.nan if leak or not ordered else float(answered.mean()),
                "sd": np.nan
                if leak or not ordered or len(answered) < 2
                else float(answered.std(ddof=1)),
                "reason": BELOW_MIN if leak else None,
            }
        )
    cells = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    summary = pd.DataFrame(summaries)
    for column in ("answered", "declined", "unanswered"):
        if column in summary:
            summary[column] = summary[column].astype("Int64")
    return cells, summary


def _across_schools(
    cells: pd.DataFrame, summary: pd.DataFrame, plan: ReleasePlan, band: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items the release plan hides at band level (rule 5): every part and the summary."""
    hidden = [item for item in summary["item"] if not plan.band_shown(band, str(item))]
    if not hidden:
        return cells, summary
    of_hidden = cells["item"].isin(hidden).to_numpy(dtype=bool)
    cells = pd.concat([cells[~of_hidden], _hide_parts(cells[of_hidden])]).sort_index(kind="stable")
    rows = summary["item"].isin(hidden).to_numpy(dtype=bool)
    summary = summary.copy()
    for column in ("answered", "declined", "unanswered"):
        summary.loc[rows, column] = pd.NA
    summary.loc[rows, ["mean", "sd"]] = np.nan
    summary.loc[rows, "reason"] = ONE_SCHOOL_HIDDEN
    return cells, summary


# --- reliability -------------------------------------------------------------------------


def _reliability(
    responses: pd.DataFrame, questionnaire: Questionnaire, band: str, min_n: int, confidence: float
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    scales: list[dict[str, object]] = []
    items_out: list[dict[str, object]] = []
    for name, items in mean_scale_items(questionnaire, band).items():
        frame = turned_items(responses, questionnaire, items, band)
        complete = int(frame.notna().all(axis=1).sum())
        row: dict[str, object] = {
            "band": band,
            "scale": name,
            "k": len(items),
            "n": complete,
            "alpha": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "reason": None,
        }
        per_item = pd.DataFrame(
            {"r_corrected": np.nan, "alpha_if_deleted": np.nan}, index=pd.Index(items)
        )
        if complete < min_n:
            row |= {"n": pd.NA, "reason": BELOW_MIN}
        elif len(items) < 2:
            row["reason"] = "one_item"
        else:
            try:
                result = cronbach_alpha(frame, confidence, min_cases=min_n)
                per_item = item_total_correlations(frame, min_cases=min_n)
                row |= {"alpha": result.alpha, "ci_low": result.ci_low, "ci_high": result.ci_high}
            except InvalidInput:
                row["reason"] = "no_variance"
        scales.append(row)
        for item_id in items:
            item = questionnaire.item(item_id)
            items_out.append(
                {
                    "band": band,
                    "scale": name,
                    "item": item_id,
                    "reverse": bool(item is not None and item.reverse),
                    "r_corrected": float(per_item["r_corrected"].loc[item_id]),
                    "alpha_if_deleted": float(per_item["alpha_if_deleted"].loc[item_id]),
                }
            )
    return scales, items_out


# --- factor structure --------------------------------------------------------------------


def correlation_eigenvalues(data: pd.DataFrame) -> pd.DataFrame:
    """Eigenvalues of the Pearson correlation matrix of the columns of ``data`` (complete
    rows only), largest first: ``component`` (1...), ``eigenvalue``, ``share`` of the total
    variance (eigenvalue / k, since the trace of a correlation matrix is k) and
    ``cumulative``.

    Eigenvalues above 1 are the Kaiser (1960) criterion's count of factors; the sequence is
    the scree (Cattell 1966). Kaiser, H. F. (1960). Educational and Psychological Measurement
    20, 141-151.

    >>> frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4]})   # r = 0.8
    >>> correlation_eigenvalues(frame)["eigenvalue"].round(6).tolist()
    [1.8, 0.2]
    """
    complete = data.dropna().to_numpy(dtype=float)
    if complete.shape[1] < 2 or complete.shape[0] < 3:
        raise InvalidInput("eigenvalues need at least 2 items and 3 complete rows")
    if (complete.std(axis=0) == 0).any():
        raise InvalidInput("an item does not vary; its correlations are undefined")
    eigen = np.linalg.eigvalsh(np.corrcoef(complete, rowvar=False))[::-1]
    k = complete.shape[1]
    return pd.DataFrame(
        {
            "component": np.arange(1, k + 1),
            "eigenvalue": eigen,
            "share": eigen / k,
            "cumulative": np.cumsum(eigen) / k,
        }
    )


@dataclass(frozen=True)
class FactorSolution:
    """Rotated loadings (index items, columns ``factor_1...``), uniquenesses, complete cases
    ``n`` and the estimation's warnings (non-convergence, Heywood cases)."""

    loadings: pd.DataFrame
    uniqueness: pd.Series
    n: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def communality(self) -> pd.Series:
        """Sum of squared loadings per item: the share of its variance the factors explain."""
        return (self.loadings**2).sum(axis=1).rename("communality")


def exploratory_factor_analysis(data: pd.DataFrame, n_factors: int) -> FactorSolution:
    """Maximum-likelihood factor analysis of the correlation matrix of ``data``'s columns
    (complete rows only), varimax-rotated when ``n_factors`` > 1.

    The model :math:`R = \\Lambda\\Lambda^T + \\Psi` is fitted by maximum likelihood
    (statsmodels ``Factor(method="ml")``, started from the principal-axis solution so the
    result is deterministic), then rotated by varimax (Kaiser 1958). Each factor's sign is
    turned so that its loadings sum to a positive number, and the factors are ordered by
    their sum of squared loadings, largest first.

    Needs at least 3 items, more complete rows than items, items that vary, and
    non-negative degrees of freedom :math:`((k-m)^2 - (k+m))/2 \\ge 0`; raises
    ``InvalidInput`` otherwise.

    References: Lawley, D. N. & Maxwell, A. E. (1971). Factor Analysis as a Statistical Method
    (2nd ed.). Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor
    analysis. Psychometrika 23(3), 187-200.
    """
    from statsmodels.multivariate.factor import Factor

    complete = data.dropna()
    n, k = complete.shape
    if n_factors < 1:
        raise InvalidInput(f"n_factors must be 1 or more, got {n_factors}")
    if k < 3 or n <= k:
        raise InvalidInput(
            f"a factor analysis needs 3 or more items and more rows than items; "
            f"got {k} items, {n} rows"
        )
    if ((k - n_factors) ** 2 - (k + n_factors)) < 0:
        raise InvalidInput(f"{n_factors} factors cannot be identified from {k} items")
    matrix = complete.to_numpy(dtype=float)
    if (matrix.std(axis=0) == 0).any():
        raise InvalidInput("an item does not vary; its correlations are undefined")
    corr = np.corrcoef(matrix, rowvar=False)
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        start = Factor(corr=corr, n_factor=n_factors, method="pa", nobs=n).fit()
        begin = (np.asarray(start.loadings), np.clip(np.asarray(start.uniqueness), 0.005, 0.995))
        result = Factor(corr=corr, n_factor=n_factors, method="ml", nobs=n).fit(start=begin)
        if n_factors > 1:
            result.rotate("varimax")
    caught = sorted({str(w.message) for w in recorded})
    loadings = np.asarray(result.loadings, dtype=float).reshape(k, n_factors)
    loadings = loadings * np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    order = np.argsort(-(loadings**2).sum(axis=0), kind="stable")
    loadings = loadings[:, order]
    uniqueness = np.asarray(result.uniqueness, dtype=float)
    if uniqueness.min() < 0.005:
        caught.append("a uniqueness is near 0 (Heywood case): read the loadings with care")
    columns = [f"factor_{i + 1}" for i in range(n_factors)]
    return FactorSolution(
        loadings=pd.DataFrame(
            loadings, index=pd.Index(complete.columns, name="item"), columns=columns
        ),
        uniqueness=pd.Series(
            uniqueness, index=pd.Index(complete.columns, name="item"), name="uniqueness"
        ),
        n=n,
        warnings=tuple(caught),
    )


def _factor_structure(
    responses: pd.DataFrame, questionnaire: Questionnaire, band: str, min_n: int
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    scales = mean_scale_items(questionnaire, band)
    items = [item_id for items in scales.values() for item_id in items]
    scale_of = {item_id: name for name, items in scales.items() for item_id in items}
    frame = turned_items(responses, questionnaire, items, band).dropna()
    notes: list[str] = []
    empty = pd.DataFrame()
    needed = max(min_n, CASES_PER_ITEM * len(items))
    if len(frame) < needed:
        # Never publish a count below min_n, not even in a note.
        count = f"fewer than {min_n}" if len(frame) < min_n else str(len(frame))
        notes.append(
            f"{band}: {count} pupils answered every item, fewer than the {needed} a factor "
            f"analysis needs ({CASES_PER_ITEM} per item, at least min_n); no factor analysis"
        )
        return empty, empty, notes
    constant = [str(c) for c in frame.columns if frame[c].nunique() < 2]
    if constant:
        notes.append(f"{band}: left out of the factor analysis, no variance: {', '.join(constant)}")
        frame = frame.drop(columns=constant)
    if frame.shape[1] < 3:
        notes.append(f"{band}: fewer than 3 items vary; no factor analysis")
        return empty, empty, notes
    eigen = correlation_eigenvalues(frame)
    eigen.insert(0, "band", band)
    eigen["n"] = len(frame)
    n_factors = max(1, len(scales))
    try:
        solution = exploratory_factor_analysis(frame, n_factors)
    except InvalidInput as exc:
        notes.append(f"{band}: no factor analysis: {exc}")
        return eigen, empty, notes
    notes.extend(f"{band}: {message}" for message in solution.warnings)
    loadings = solution.loadings.copy()
    loadings.insert(0, "scale", [scale_of[i] for i in loadings.index])
    loadings["communality"] = solution.communality
    loadings["uniqueness"] = solution.uniqueness
    loadings = loadings.reset_index()
    loadings.insert(0, "band", band)
    loadings["n"] = solution.n
    return eigen, loadings, notes


# --- norms -------------------------------------------------------------------------------


def school_norms(
    responses: pd.DataFrame,
    questionnaire: Questionnaire,
    band: str,
    *,
    min_n: int = 10,
    min_schools: int = MIN_SCHOOLS,
) -> pd.DataFrame:
    """Percentiles of school mean scores per ``mean`` scale of ``band``.

    A school (a ``school`` code within the band) counts when it has at least ``min_n``
    counted respondents (see :func:`pupil_scores`); its score is the mean scale score over
    those. The percentiles P10 ... P90 are numpy's default (linear interpolation between
    order statistics, Hyndman & Fan (1996) type 7, as R's ``quantile``) over those schools,
    published only when there are at least ``min_schools``. Columns ``band``, ``scale``,
    ``schools``, ``p10`` ... ``p90``, ``reason``.
    """
    scores = pupil_scores(responses, questionnaire, band)
    return _norms(responses, scores, band, min_n, min_schools)


def _norms(
    responses: pd.DataFrame, scores: pd.DataFrame, band: str, min_n: int, min_schools: int
) -> pd.DataFrame:
    """:func:`school_norms` from the :func:`pupil_scores` of ``responses``."""
    counted = scores[scores["counted"]].drop(columns="counted")
    counted = counted.assign(school=responses.loc[counted.index, "school"].astype(str))
    sizes = counted.groupby("school").size()
    large = sizes[sizes >= min_n].index
    means = counted[counted["school"].isin(large)].groupby("school").mean()
    schools = len(means)
    rows = []
    for scale in scores.columns.drop("counted"):
        row: dict[str, object] = {"band": band, "scale": scale, "schools": schools}
        if schools >= min_schools and schools > 0:
            cuts = np.percentile(means[scale].to_numpy(dtype=float), PERCENTILES)
            row |= {f"p{p}": float(c) for p, c in zip(PERCENTILES, cuts, strict=True)}
            row["reason"] = None
        else:
            row |= {f"p{p}": np.nan for p in PERCENTILES}
            row["reason"] = "few_schools"
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["band", "scale", "schools", *[f"p{p}" for p in PERCENTILES], "reason"]
    )


# --- the whole report --------------------------------------------------------------------


@dataclass(frozen=True)
class InstrumentReport:
    """The tables of the instrument evidence; see the module docstring for each section."""

    school_year: str
    questionnaire_id: str
    questionnaire_version: str
    min_n: int
    min_schools: int
    confidence: float
    bands: pd.DataFrame
    overview: pd.DataFrame
    items: pd.DataFrame
    item_summary: pd.DataFrame
    reliability: pd.DataFrame
    item_total: pd.DataFrame
    eigenvalues: pd.DataFrame
    loadings: pd.DataFrame
    norms: pd.DataFrame
    notes: tuple[str, ...]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, for writing one CSV each."""
        return {name: getattr(self, name) for name in ("bands", *_BAND_TABLES)}


#: The tables made band by band and joined (``bands`` is made once, for all bands).
_BAND_TABLES = (
    "overview",
    "items",
    "item_summary",
    "reliability",
    "item_total",
    "eigenvalues",
    "loadings",
    "norms",
)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    kept = [frame for frame in frames if not frame.empty]
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()


def instrument_report(
    dataset: Dataset,
    school_year: str,
    *,
    min_n: int = 10,
    min_schools: int = MIN_SCHOOLS,
    confidence: float = 0.95,
) -> InstrumentReport:
    """The instrument evidence of ``school_year`` from every respondent of that year."""
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise InvalidInput(f"min_n must be a whole number of 1 or more, got {min_n!r}")
    if isinstance(min_schools, bool) or not isinstance(min_schools, int) or min_schools < 1:
        raise InvalidInput(f"min_schools must be a whole number of 1 or more, got {min_schools!r}")
    questionnaire = dataset.questionnaire
    plan = release_plan(dataset, school_year, min_n=min_n)
    responses = dataset.year(school_year).responses
    exported = plan.exported()
    keys = zip(responses["school"].astype(str), responses["band"].astype(str), strict=True)
    responses = responses[np.fromiter((key in exported for key in keys), bool, len(responses))]
    band_rows = []
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in _BAND_TABLES}
    notes: list[str] = []
    band_column = responses["band"].astype(str)
    for band in questionnaire.bands:
        rows = responses[(band_column == band).to_numpy()]
        if rows.empty:
            continue
        # The counted respondents only, as in every other output: a band is then exactly the
        # sum of its schools' figures (docs/instrument.md, "Ground rules").
        rows = rows[pupil_scores(rows, questionnaire, band)["counted"].to_numpy(dtype=bool)]
        shown = len(rows) >= min_n
        band_rows.append(
            {
                "band": band,
                "respondents": len(rows) if shown else pd.NA,
                "reason": None if shown else BELOW_MIN,
            }
        )
        if not shown:
            continue
        scores = pupil_scores(rows, questionnaire, band)
        parts["overview"].append(_overview(band, rows, min_n, plan.band_shown(band, STATUS)))
        cells, summary = item_distributions(rows, questionnaire, band, min_n=min_n)
        cells, summary = _across_schools(cells, summary, plan, band)
        parts["items"].append(cells)
        parts["item_summary"].append(summary)
        scales, per_item = _reliability(rows, questionnaire, band, min_n, confidence)
        parts["reliability"].append(pd.DataFrame(scales).astype({"n": "Int64", "k": "Int64"}))
        parts["item_total"].append(pd.DataFrame(per_item))
        eigen, loadings, found = _factor_structure(rows, questionnaire, band, min_n)
        parts["eigenvalues"].append(eigen)
        parts["loadings"].append(loadings)
        notes.extend(found)
        parts["norms"].append(_norms(rows, scores, band, min_n, min_schools))
    bands = pd.DataFrame(band_rows, columns=["band", "respondents", "reason"])
    bands["respondents"] = bands["respondents"].astype("Int64")
    return InstrumentReport(
        school_year=school_year,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        min_n=min_n,
        min_schools=min_schools,
        confidence=confidence,
        bands=bands,
        notes=tuple(notes),
        **{name: _concat(frames) for name, frames in parts.items()},
    )


# --- Markdown ----------------------------------------------------------------------------


def _cell(value: object, digits: int) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return NOT_SHOWN
    if isinstance(value, bool | np.bool_):
        return "yes" if value else ""
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.{digits}f}"
    return str(value).replace("|", "\\|")


def _table(
    frame: pd.DataFrame, columns: Sequence[str], digits: dict[str, int] | None = None
) -> str:
    """A Markdown table of ``columns``; missing figures as an en dash."""
    places = digits or {}
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in frame[list(columns)].itertuples(index=False, name=None):
        cells = [_cell(v, places.get(c, 3)) for c, v in zip(columns, row, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass(frozen=True)
class _Section:
    title: str
    table: str
    columns: tuple[str, ...]
    intro: str = ""
    digits: tuple[tuple[str, int], ...] = ()


_SECTIONS = (
    _Section(
        "2. Complete and counted responses",
        "overview",
        ("kind", "part", "n", "share", "reason"),
        "Respondents are the counted pupils (a score on every mean scale, at least 2/3 of its "
        "items answered) of the released schools; partial: stopped after that.",
    ),
    _Section(
        "3. Items: distribution and missingness",
        "item_summary",
        ("item", "answered", "declined", "unanswered", "mean", "sd", "distribution", "reason"),
        'Declined: "I\'d rather not say". Unanswered: not shown (its condition did not hold), '
        "skipped or not reached. Distribution: share of the respondents per option code; "
        "the counts are in the `items` table.",
        (("mean", 2), ("sd", 2)),
    ),
    _Section(
        "4. Reliability",
        "reliability",
        ("scale", "k", "n", "alpha", "ci_low", "ci_high", "reason"),
        "Cronbach's alpha with the Feldt interval, over the pupils who answered every item of "
        "the scale (reverse-coded items turned).",
    ),
    _Section(
        "5. Corrected item-total correlations",
        "item_total",
        ("scale", "item", "reverse", "r_corrected", "alpha_if_deleted"),
        "The correlation of each item with the sum of the scale's other items, and alpha "
        "without the item.",
    ),
    _Section(
        "6. Factor structure: eigenvalues",
        "eigenvalues",
        ("component", "eigenvalue", "share", "cumulative", "n"),
        "Eigenvalues of the correlation matrix of the mean scales' items (complete cases); "
        "the Kaiser criterion counts those above 1.",
    ),
    _Section(
        "7. Factor structure: loadings",
        "loadings",
        ("item", "scale", "factor_*", "communality", "uniqueness"),
        "Maximum likelihood, varimax rotation, as many factors as the band has mean scales.",
    ),
    _Section(
        "8. Norms: percentiles of school means",
        "norms",
        ("scale", "schools", *(f"p{p}" for p in PERCENTILES), "reason"),
        "Over the schools with at least min_n counted respondents, when there are at least "
        "min_schools of them.",
    ),
)


def _distribution(items: pd.DataFrame, band: str, item: str) -> str:
    """``4: 17.5%, 3: 43.0%, ...`` over the option codes shown (hidden ones as a dash)."""
    if items.empty:
        return ""
    rows = items[(items["band"] == band) & (items["item"] == item)]
    parts = []
    for part, share in zip(rows["part"], rows["share"], strict=True):
        if str(part) in ("declined", "unanswered", ALL):
            continue
        parts.append(f"{part}: {NOT_SHOWN if pd.isna(share) else f'{100 * share:.1f}%'}")
    return ", ".join(parts)


def render_markdown(report: InstrumentReport) -> str:
    """The report as Markdown: one section per part, one sub-section per age band.

    An en dash is a figure not shown; its row's ``reason`` says why (``below_min``: fewer
    than min_n pupils; ``complementary``: hidden so that a small cell cannot be recomputed;
    ``one_school_hidden``, ``few_schools``, ``one_item``, ``no_variance``). See docs/instrument.md.
    """
    out = [
        f"# Instrument evidence {report.school_year}",
        "",
        f"Questionnaire `{report.questionnaire_id}`, version "
        f"`{report.questionnaire_version[:12]}`. Minimum group size (min_n) {report.min_n}; "
        f"norms need {report.min_schools} schools (min_schools); intervals "
        f"{round(report.confidence * 100)}%. Every band is analysed on its own: the bands "
        "answer different versions. A dash ("
        + NOT_SHOWN
        + ") is a figure that is not shown; the row's "
        "reason says why. How to read each section: docs/instrument.md.",
        "",
        "## 1. Respondents per age band",
        "",
    ]
    if report.bands.empty:
        return "\n".join([*out, "No respondents in this school year.", ""])
    out += [_table(report.bands, ["band", "respondents", "reason"]), ""]
    shown = [
        str(band)
        for band, reason in zip(report.bands["band"], report.bands["reason"], strict=True)
        if reason is None or reason is pd.NA
    ]
    tables = report.tables()
    summary = report.item_summary
    if not summary.empty:
        summary = summary.assign(
            distribution=[
                _distribution(report.items, band, item)
                for band, item in zip(summary["band"], summary["item"], strict=True)
            ]
        )
        tables["item_summary"] = summary
    for section in _SECTIONS:
        frame = tables[section.table]
        columns: list[str] = []
        for column in section.columns:
            if column.endswith("*"):
                columns += [str(c) for c in frame.columns if str(c).startswith(column[:-1])]
            else:
                columns.append(column)
        out += [f"## {section.title}", "", section.intro, ""]
        for band in shown:
            part = frame[frame["band"] == band] if not frame.empty else frame
            out += [f"### Band {band}", ""]
            if part.empty:
                out += ["No figures for this band (see the notes).", ""]
            else:
                out += [_table(part, columns, dict(section.digits)), ""]
    if report.notes:
        out += ["## Notes", "", *[f"- {note}" for note in report.notes], ""]
    return "\n".join(out)
