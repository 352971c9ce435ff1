"""Stored school figures stand in for the peers' answers: the same results either way."""

from __future__ import annotations

import dataclasses
import math

from analytics.dataset import Dataset
from analytics.school_results import school_results
from analytics.school_results.units import peer_frame, unit_figures
from analytics.synthetic import synthetic_dataset
from flows import load_questionnaire

YEAR = "2026-2027"


def _only(dataset: Dataset, school: str) -> Dataset:
    """The dataset as one school's report reads it: that school's rows only."""

    def mine(frame):  # type: ignore[no-untyped-def]
        return frame[frame["school"].astype(str) == school].reset_index(drop=True)

    return Dataset(
        dataset.questionnaire,
        mine(dataset.responses),
        mine(dataset.groups),
        mine(dataset.schools),
        mine(dataset.rounds),
    )


def test_a_report_from_stored_peer_figures_equals_one_from_every_answer() -> None:
    data = synthetic_dataset(
        load_questionnaire(),
        schools=30,
        pupils=30 * 60,
        school_year=YEAR,
        seed=11,
        sectors={"po": 1.0},
        previous_years=1,
    )
    stored = [(school, YEAR, values) for (school, _), values in unit_figures(data, YEAR).items()]
    peers = peer_frame(stored)
    for school in list(data.schools["school"].astype(str))[:3]:
        whole = school_results(data, school, YEAR)
        alone = school_results(_only(data, school), school, YEAR, peers=peers)
        assert whole.figures is not None and alone.figures is not None
        assert whole.figures.scale("veiligheidsbeleving").peers is not None  # type: ignore[union-attr]
        # Every figure, the peers' percentile and reference and the change from last year
        # (sums over the peers may add up in another order: equal to the last bits).
        assert same(dataclasses.asdict(alone), dataclasses.asdict(whole))


def same(one: object, other: object) -> bool:
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(same(one[k], other[k]) for k in one)
    if isinstance(one, list | tuple) and isinstance(other, list | tuple):
        return len(one) == len(other) and all(same(a, b) for a, b in zip(one, other, strict=True))
    if isinstance(one, float) and isinstance(other, float):
        return (math.isnan(one) and math.isnan(other)) or math.isclose(one, other, rel_tol=1e-12)
    return one == other
