"""Validated values of the school domain: school codes, sectors, grades and school years.

Each parser takes what a person typed and returns a clean value or raises ``InvalidInput``
with a message that says what is wrong and what would be right.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from veilig.errors import InvalidInput

_BRIN = re.compile(r"[0-9]{2}[A-Z0-9]{2}")
_VESTIGING = re.compile(r"[0-9]{2}")
_SCHOOL_YEAR = re.compile(r"([0-9]{4})-([0-9]{4})")
MAX_ENROLLED = 400
MAX_NAME_LENGTH = 200
#: A group's name, as the database keeps it on every backend.
MAX_GROUP_NAME_LENGTH = 40
#: Who pupils can talk to, as shown on the support card.
MAX_CONTACT_LENGTH = 200
#: School years veilig accepts: the law dates from 2015, and nothing is planned a century ahead.
FIRST_YEAR, LAST_YEAR = 2015, 2099
#: What a spreadsheet takes as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")


class Sector(StrEnum):
    """Primary, special primary, secondary and special secondary education."""

    PO = "po"
    SO = "so"
    VO = "vo"
    VSO = "vso"


class RoundStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    DELIVERED = "delivered"


# What a grade means per sector: PO "groep", VO "leerjaar", SO/VSO a level in the same range.
GRADE_RANGES: dict[Sector, range] = {
    Sector.PO: range(1, 9),
    Sector.SO: range(1, 9),
    Sector.VO: range(1, 7),
    Sector.VSO: range(1, 7),
}
GRADE_WORD = {Sector.PO: "groep", Sector.SO: "level", Sector.VO: "leerjaar", Sector.VSO: "level"}


@dataclass(frozen=True, order=True)
class SchoolCode:
    """A school location: BRIN (4 characters, e.g. ``12AB``) plus vestiging (``00``)."""

    brin: str
    vestiging: str

    def __str__(self) -> str:
        return f"{self.brin}{self.vestiging}"

    @classmethod
    def of(cls, brin: str, vestiging: str) -> SchoolCode:
        return cls(parse_brin(brin), parse_vestiging(vestiging))

    @classmethod
    def parse(cls, text: str) -> SchoolCode:
        """Parse ``12AB00`` (also ``12ab-00`` or ``12AB 00``)."""
        cleaned = re.sub(r"[\s-]", "", text).upper()
        if len(cleaned) != 6:
            raise InvalidInput(
                f"school {text!r} is not a school code; give BRIN and vestiging together, "
                "like 12AB00"
            )
        return cls.of(cleaned[:4], cleaned[4:])


def parse_brin(text: str) -> str:
    value = text.strip().upper()
    if not _BRIN.fullmatch(value):
        raise InvalidInput(
            f"BRIN {text!r} is not valid; a BRIN is 4 characters, two digits and two letters "
            "or digits, like 12AB"
        )
    return value


def parse_vestiging(text: str) -> str:
    value = text.strip()
    if not _VESTIGING.fullmatch(value):
        raise InvalidInput(f"vestiging {text!r} is not valid; it is 2 digits, like 00 or 01")
    return value


def parse_sector(text: str) -> Sector:
    try:
        return Sector(text.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Sector)
        raise InvalidInput(f"sector {text!r} is not known; choose one of {choices}") from None


def parse_name(text: str, what: str = "name", limit: int = MAX_NAME_LENGTH) -> str:
    """A name as a person types it: spaces tidied, at most ``limit`` characters, and no
    control characters, terminal escapes or direction overrides (names are echoed to
    terminals, files and chats)."""
    hidden = sorted({f"U+{ord(char):04X}" for char in text if _invisible(char)})
    value = " ".join(text.split())
    if not value:
        raise InvalidInput(f"the {what} is empty; give a {what}")
    if hidden:
        raise InvalidInput(
            f"the {what} holds control or direction characters ({', '.join(hidden)}); "
            "type it again as plain text"
        )
    if len(value) > limit:
        raise InvalidInput(f"the {what} is longer than {limit} characters; shorten it")
    if value[0] in FORMULA_STARTS:
        raise InvalidInput(
            f"the {what} {value!r} starts with {value[0]!r}, which spreadsheets read as a "
            "formula; start it with a letter or digit"
        )
    return value


def _invisible(char: str) -> bool:
    # Cc: control characters (NUL, ESC of terminal escapes, newlines, tabs); Cf: format
    # characters, among them the bidirectional overrides and isolates that reorder what a
    # reader sees. Only the plain space separates words in a name.
    return unicodedata.category(char) in ("Cc", "Cf")


def parse_contact(text: str | None) -> str | None:
    """Who pupils can talk to at school, or None when nothing is given."""
    if text is None or not text.strip():
        return None
    return parse_name(text, "support contact", MAX_CONTACT_LENGTH)


def check_grade(sector: Sector, grade: int) -> int:
    allowed = GRADE_RANGES[sector]
    if grade not in allowed:
        raise InvalidInput(
            f"grade {grade} does not exist in {sector.value.upper()}; "
            f"{GRADE_WORD[sector]} runs from {allowed.start} to {allowed.stop - 1}"
        )
    return grade


def check_enrolled(count: int) -> int:
    if not 1 <= count <= MAX_ENROLLED:
        raise InvalidInput(
            f"enrolled {count} is not a class size; give the number of pupils, 1 to {MAX_ENROLLED}"
        )
    return count


def parse_school_year(text: str) -> str:
    """Validate ``2026-2027``: two consecutive years."""
    match = _SCHOOL_YEAR.fullmatch(text.strip())
    if not match or int(match[2]) != int(match[1]) + 1:
        raise InvalidInput(
            f"school year {text!r} is not valid; write it as two consecutive years, like 2026-2027"
        )
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise InvalidInput(
            f"school year {text!r} is out of range; give one from {FIRST_YEAR}-{FIRST_YEAR + 1} "
            f"to {LAST_YEAR}-{LAST_YEAR + 1}"
        )
    return match[0]


def school_year_of(day: date) -> str:
    """The school year a date falls in; a new one starts on 1 August."""
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{first + 1}"
