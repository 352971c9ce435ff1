"""Every figure of one school (vestiging) in one school year: what the school report shows.

:func:`school_results` applies the shared definitions of the school figures (the same ones the
national table and the delivery use) to one unit: a school in one school year and one age band.
Everything is driven by the questionnaire's ``scales``, ``groups``, answer scales and marks;
no item id is named here.

Definitions, briefly (docs/school-report.md has them in full):

- *started* = response rows of the unit, *completed* = rows that reached the end.
- A pupil's score on a ``mean`` scale is the mean of the codes of the scale's items asked in
  the band, reverse-coded items turned as ``low + high - x`` (low/high: the item's option codes
  in the band), when at least two thirds of those items are answered
  (:func:`analytics.scales.scale_scores`). "Rather not say" counts as not answered.
- *Counted respondents* (``respondents``) are pupils with a score on every ``mean`` scale;
  every figure below is over them only.
- ``share_marked``: pupils whose answer is in the mark, of those who answered the item.
  ``share_any_marked``: pupils with any item of the group in the mark, of those who answered at
  least two thirds of the group's items or have any marked
  (:func:`analytics.prevalence.any_prevalence`). Wilson 95 % intervals.
- *enrolled*: the ``enrolled`` of the school's groups of that year whose grade gets the band;
  response rate = respondents / enrolled.
- What may be shown is the year's release plan (:func:`analytics.disclosure.release_plan`),
  the same for every output. A unit with fewer than ``min_n`` respondents gets no figures
  (``figures`` is None). Any share whose denominator is below ``min_n`` is blanked; an item's
  option shares (over the pupils who saw it) only when at least ``min_n`` answered it, so they
  never rebuild a hidden share; started and completed (``completion``) only when none of
  completed, partial, counted and not counted is below ``min_n`` (0 is fine); breakdowns by
  group, grade and context items (gender) go through :func:`analytics.suppression.suppress`,
  groups nested in their grade and each share also on its own denominator. So no figure here
  rests on fewer than ``min_n`` pupils and no hidden cell can be worked out from shown ones;
  the report may show anything this object holds. (Counts inside a shown figure, such as one
  option's count, may be small, as in the delivery's option shares.)
- Peers: the other schools of the same sector, band and school year with at least ``min_n``
  respondents. Percentile (:func:`analytics.comparison.percentile_rank`) and the reference value
  (pooled over the peers' pupils) only when the peers and the school make at least
  ``min_schools``.
- Change: against the same school's previous school year (when that year has at least ``min_n``
  respondents), Welch for means and Newcombe for shares (:mod:`analytics.comparison`).

Values are kept unrounded; outputs round with :func:`analytics.rounding.round_figure`.

Modules: ``model`` (the frozen results), ``pupils`` (the questionnaire per band and per-pupil
scores and flags), ``figures`` (a unit's figures), ``breakdowns`` (breakdowns, response,
representativeness), ``peers`` (percentile, reference, previous year).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analytics.dataset import Dataset
from analytics.disclosure import release_plan
from analytics.representativeness import Verdict
from analytics.school_results.figures import _band_of, _choose_band, _figures
from analytics.school_results.model import (
    DECLINED_OPTION,
    FEELS_SAFE,
    GRADE,
    GROUP,
    MIN_SHARE,
    UNKNOWN,
    Breakdown,
    BreakdownCell,
    Change,
    Completion,
    Frequency,
    ItemShares,
    MeanFigure,
    OptionShare,
    Peers,
    ResponseCell,
    SchoolFigures,
    SchoolRepresentativeness,
    SchoolResults,
    ShareFigure,
    WorstGroup,
)
from analytics.school_results.peers import previous_school_year
from analytics.school_results.pupils import _pupils, _spec, _unit_values
from veilig.errors import InvalidInput

__all__ = [
    "DECLINED_OPTION",
    "FEELS_SAFE",
    "GRADE",
    "GROUP",
    "MIN_SHARE",
    "UNKNOWN",
    "Breakdown",
    "BreakdownCell",
    "Change",
    "Completion",
    "Frequency",
    "ItemShares",
    "MeanFigure",
    "OptionShare",
    "Peers",
    "ResponseCell",
    "SchoolFigures",
    "SchoolRepresentativeness",
    "SchoolResults",
    "ShareFigure",
    "Verdict",
    "WorstGroup",
    "previous_school_year",
    "school_results",
]


def school_results(
    dataset: Dataset,
    school: str,
    school_year: str,
    *,
    min_n: int = 10,
    min_schools: int = 20,
    band: str | None = None,
    peers: pd.DataFrame | None = None,
) -> SchoolResults:
    """Every figure of ``school`` (``"12AB00"``) in ``school_year`` (see the module docstring).

    ``dataset`` should hold the school year, the previous one (for the change) and the other
    schools of the sector (for percentile and reference); what is absent is simply not
    compared. ``band`` chooses the age band when the school has pupils in several.
    ``peers`` (unit values of other schools, :func:`~analytics.school_results.units.peer_frame`
    of the stored figures) replaces the peers in ``dataset``: one school's report then needs
    only that school's answers.
    Raises ``InvalidInput`` for a school the dataset does not know.
    """
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise InvalidInput(f"min_n must be a whole number of 1 or more, got {min_n!r}")
    if isinstance(min_schools, bool) or not isinstance(min_schools, int) or min_schools < 1:
        raise InvalidInput(f"min_schools must be a whole number of 1 or more, got {min_schools!r}")
    previous_year = previous_school_year(school_year)
    questionnaire = dataset.questionnaire
    known = dataset.schools[dataset.schools["school"].astype(str) == school]
    if known.empty:
        raise InvalidInput(f"school {school} is not in the data; check the school code")
    info = known.iloc[0]
    sector = str(info["sector"])
    responses = dataset.responses
    school_col = responses["school"].astype(str)
    year_col = responses["school_year"].astype(str)
    groups = dataset.groups[
        (dataset.groups["school"].astype(str) == school)
        & (dataset.groups["school_year"].astype(str) == school_year)
    ]
    unit_all = responses[(school_col == school) & (year_col == school_year)]
    chosen = _choose_band(unit_all, groups, sector, band, school)
    rounds = dataset.rounds[
        (dataset.rounds["school"].astype(str) == school)
        & (dataset.rounds["school_year"].astype(str) == school_year)
    ]
    version = None if rounds.empty else str(rounds.iloc[0]["questionnaire_version"])
    in_band = [_band_of(sector, int(g)) == chosen for g in groups["grade"]]
    band_groups = groups.loc[pd.Series(in_band, index=groups.index, dtype=bool)]
    enrolled = int(band_groups["enrolled"].sum())
    results = SchoolResults(
        school=school,
        brin=str(info["brin"]),
        vestiging=str(info["vestiging"]),
        name=str(info["name"]),
        sector=sector,
        school_year=school_year,
        previous_school_year=previous_year,
        band=chosen,
        questionnaire_id=questionnaire.id,
        questionnaire_version=version,
        enrolled=enrolled,
        min_n=min_n,
        min_schools=min_schools,
        figures=None,
    )
    if chosen is None:
        return results
    unit = unit_all[unit_all["band"].astype(str) == chosen]
    plan = release_plan(dataset, school_year, min_n=min_n)
    if not plan.published(school, chosen):
        return results
    spec = _spec(questionnaire, chosen)
    pupils = _pupils(unit, spec)

    # Peers (same sector, band, year) and the previous year, as unit values.
    band_col = responses["band"].astype(str)
    sector_col = responses["sector"].astype(str)
    same = (year_col == school_year) & (band_col == chosen) & (sector_col == sector)
    before = (year_col == previous_year) & (band_col == chosen) & (school_col == school)
    if peers is not None:  # the peers are given: take none from the dataset
        same = pd.Series(False, index=responses.index)
    around = responses[(same & (school_col != school)) | before]
    around_values = _unit_values(
        _pupils(around, spec), school_col[around.index] + "|" + year_col[around.index], spec
    )
    if peers is not None:
        given = peers[
            peers.index.str.endswith(f"|{school_year}") & ~peers.index.str.startswith(f"{school}|")
        ]
        around_values = pd.concat([around_values, given])
    around_values = around_values[around_values["respondents"] >= min_n]
    key_previous = f"{school}|{previous_year}"
    previous = (
        around_values.loc[[key_previous]].iloc[0] if key_previous in around_values.index else None
    )
    peer_values = around_values[around_values.index.str.endswith(f"|{school_year}")]

    figures = _figures(
        questionnaire,
        spec,
        unit,
        pupils,
        band_groups,
        enrolled=enrolled,
        peers=peer_values,
        previous=previous,
        previous_year=previous_year,
        min_n=min_n,
        min_schools=min_schools,
        plan=plan,
        school=school,
    )
    return replace(results, figures=figures)
