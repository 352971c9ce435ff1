"""Age bands: which version of the questionnaire a pupil gets, chosen from their group."""

from __future__ import annotations

from enum import StrEnum

from veilig.errors import InvalidInput


class AgeBand(StrEnum):
    """PO groep 5-8, VO all years, SO (and VSO) the short picture-scale version."""

    PO = "po"
    VO = "vo"
    SO = "so"


# Pupils self-report from groep 5; the law lets PO start in groep 6 (groep 7 at the latest).
FIRST_PO_GRADE = 5
LAST_PO_GRADE = 8
VO_GRADES = range(1, 7)


def age_band_for(sector: str, grade: int) -> AgeBand:
    """The band for a pupil in ``sector`` ("po", "so", "vo", "vso") and ``grade``.

    PO groep 5-8 get PO; VO years 1-6 get VO; SO and VSO get the short SO version at every
    level, because those pupils may not be able to self-report with longer scales.
    """
    kind = sector.strip().lower()
    if kind == "po":
        if FIRST_PO_GRADE <= grade <= LAST_PO_GRADE:
            return AgeBand.PO
        if 1 <= grade < FIRST_PO_GRADE:
            raise InvalidInput(
                f"groep {grade} does not take part: pupils answer the questionnaire "
                f"themselves from groep {FIRST_PO_GRADE}; "
                f"give groups of groep {FIRST_PO_GRADE}-{LAST_PO_GRADE}"
            )
        raise InvalidInput(f"groep {grade} does not exist in PO; use groep 1-8")
    if kind == "vo":
        if grade in VO_GRADES:
            return AgeBand.VO
        raise InvalidInput(f"leerjaar {grade} does not exist in VO; use leerjaar 1-6")
    if kind in ("so", "vso"):
        return AgeBand.SO
    raise InvalidInput(f"sector {sector!r} is not known; use one of po, so, vo, vso")


def parse_band(text: str) -> AgeBand:
    """The band named by ``text`` (po, vo or so), or InvalidInput listing the valid ones."""
    try:
        return AgeBand(text.strip().lower())
    except ValueError:
        valid = ", ".join(band.value for band in AgeBand)
        raise InvalidInput(f"age band {text!r} is not known; use one of {valid}") from None
