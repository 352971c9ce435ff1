from __future__ import annotations

import pytest

from flows.bands import AgeBand, age_band_for, parse_band
from veilig.errors import InvalidInput


@pytest.mark.parametrize(
    ("sector", "grade", "band"),
    [
        ("po", 5, AgeBand.PO),
        ("po", 8, AgeBand.PO),
        ("PO", 6, AgeBand.PO),
        ("vo", 1, AgeBand.VO),
        ("vo", 6, AgeBand.VO),
        ("so", 3, AgeBand.SO),
        ("vso", 4, AgeBand.SO),
    ],
)
def test_band_follows_sector_and_grade(sector: str, grade: int, band: AgeBand) -> None:
    assert age_band_for(sector, grade) is band


@pytest.mark.parametrize("grade", [1, 2, 3, 4])
def test_pupils_below_groep_5_do_not_self_report(grade: int) -> None:
    with pytest.raises(InvalidInput, match="from groep 5"):
        age_band_for("po", grade)


@pytest.mark.parametrize(("sector", "grade"), [("po", 9), ("vo", 7), ("mbo", 1)])
def test_impossible_places_are_refused(sector: str, grade: int) -> None:
    with pytest.raises(InvalidInput):
        age_band_for(sector, grade)


def test_parse_band_lists_valid_values() -> None:
    assert parse_band(" VO ") is AgeBand.VO
    with pytest.raises(InvalidInput, match="po, vo, so"):
        parse_band("mbo")
