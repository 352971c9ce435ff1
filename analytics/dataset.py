"""The data every batch output starts from: responses, enrolment, schools and rounds.

A :class:`Dataset` is what :mod:`analytics.load` reads from the database (or a test builds by
hand). It holds no identifier that links to anything: a response is a row number, nothing more.

``responses``: one row per respondent, in no meaningful order.

- meta columns (:data:`META_COLUMNS`): ``school`` (the code "12AB00", categorical),
  ``school_year`` ("2026-2027", categorical), ``sector`` (po/so/vo/vso, categorical), ``band``
  (po/vo/so, categorical: the version the pupil answered), ``group`` (class name, categorical),
  ``grade`` (int8), ``completed`` (bool: the pupil reached the end);
- one ``int8`` column per measured item of the questionnaire (every item id not starting with
  ``_``), holding the stored option code, :data:`UNANSWERED` (0: not asked, skipped or the pupil
  stopped before it) or :data:`DECLINED` (-1: "I'd rather not say"). Option codes are >= 1.

``groups``: one row per class group and school year: ``school``, ``school_year``, ``group``,
``grade``, ``enrolled``.

``schools``: one row per school (vestiging): ``school``, ``brin``, ``vestiging``, ``name``,
``sector``.

``rounds``: one row per survey round: ``school``, ``school_year``, ``questionnaire_id``,
``questionnaire_version``, ``status`` ("open"/"closed"), ``consent`` (bool: the school gave
consent to deliver that school year's figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from flows.model import Questionnaire
from veilig.errors import InvalidInput

__all__ = [
    "DECLINED",
    "META_COLUMNS",
    "UNANSWERED",
    "Dataset",
    "item_ids",
    "values",
]

UNANSWERED = 0
DECLINED = -1
META_COLUMNS = ("school", "school_year", "sector", "band", "group", "grade", "completed")
GROUP_COLUMNS = ("school", "school_year", "group", "grade", "enrolled")
SCHOOL_COLUMNS = ("school", "brin", "vestiging", "name", "sector")
ROUND_COLUMNS = (
    "school",
    "school_year",
    "questionnaire_id",
    "questionnaire_version",
    "status",
    "consent",
)


def item_ids(questionnaire: Questionnaire) -> tuple[str, ...]:
    """The measured items (pseudo-items such as ``_intro`` excluded), in questionnaire order."""
    return tuple(item.id for _, item in questionnaire.items() if not item.id.startswith("_"))


def values(responses: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """The answer codes of ``items`` as floats; unanswered and declined are NaN."""
    codes = responses[list(items)].to_numpy(dtype=np.float64, copy=True)
    codes[codes <= UNANSWERED] = np.nan
    return pd.DataFrame(codes, index=responses.index, columns=list(items))


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InvalidInput(f"{name} lacks the columns {missing}")


@dataclass(frozen=True)
class Dataset:
    """Responses with what is needed to read them; see the module docstring for the columns."""

    questionnaire: Questionnaire
    responses: pd.DataFrame
    groups: pd.DataFrame
    schools: pd.DataFrame
    rounds: pd.DataFrame

    def __post_init__(self) -> None:
        items = item_ids(self.questionnaire)
        _require(self.responses, (*META_COLUMNS, *items), "responses")
        _require(self.groups, GROUP_COLUMNS, "groups")
        _require(self.schools, SCHOOL_COLUMNS, "schools")
        _require(self.rounds, ROUND_COLUMNS, "rounds")
        codes = self.responses[list(items)]
        if len(codes) and int(codes.min().min()) < DECLINED:
            raise InvalidInput("responses hold answer codes below -1")

    @property
    def items(self) -> tuple[str, ...]:
        return item_ids(self.questionnaire)

    def year(self, school_year: str) -> Dataset:
        """The part of the dataset that belongs to one school year."""
        return Dataset(
            questionnaire=self.questionnaire,
            responses=self.responses[self.responses["school_year"] == school_year],
            groups=self.groups[self.groups["school_year"] == school_year],
            schools=self.schools,
            rounds=self.rounds[self.rounds["school_year"] == school_year],
        )
