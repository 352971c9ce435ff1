from __future__ import annotations

from datetime import date

import pytest

from storage.values import (
    SchoolCode,
    Sector,
    check_enrolled,
    check_grade,
    parse_brin,
    parse_school_year,
    parse_sector,
    parse_vestiging,
    school_year_of,
)
from veilig.errors import InvalidInput


@pytest.mark.parametrize("typed", ["12AB00", "12ab00", "12AB-00", " 12ab 00 "])
def test_school_code_parses_what_people_type(typed: str) -> None:
    assert SchoolCode.parse(typed) == SchoolCode("12AB", "00")
    assert str(SchoolCode.parse(typed)) == "12AB00"


@pytest.mark.parametrize(
    ("parse", "typed", "message"),
    [
        (parse_brin, "12A", "BRIN '12A' is not valid"),
        (parse_brin, "AB12", "BRIN 'AB12' is not valid"),
        (parse_vestiging, "7x", "vestiging '7x' is not valid"),
        (parse_vestiging, "123", "vestiging '123' is not valid"),
        (parse_sector, "xx", "sector 'xx' is not known; choose one of po, so, vo, vso"),
        (parse_school_year, "2026-2028", "school year '2026-2028' is not valid"),
        (parse_school_year, "26-27", "school year '26-27' is not valid"),
        (SchoolCode.parse, "12AB0", "is not a school code"),
    ],
)
def test_bad_values_say_what_is_wrong(parse: object, typed: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse(typed)  # type: ignore[operator]


def test_grades_per_sector() -> None:
    assert check_grade(Sector.PO, 8) == 8
    assert check_grade(Sector.VO, 6) == 6
    with pytest.raises(InvalidInput, match="leerjaar runs from 1 to 6"):
        check_grade(Sector.VO, 7)
    with pytest.raises(InvalidInput):
        check_enrolled(0)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 7, 31), "2025-2026"),
        (date(2026, 8, 1), "2026-2027"),
        (date(2026, 11, 30), "2026-2027"),
        (date(2027, 1, 1), "2026-2027"),
    ],
)
def test_school_year_starts_in_august(day: date, year: str) -> None:
    assert school_year_of(day) == year
