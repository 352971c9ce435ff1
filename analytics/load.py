"""From the database to a :class:`~analytics.dataset.Dataset`: the batch's one read.

Responses and answers are read as fixed-width integers (``storage.extract``: a binary COPY on
PostgreSQL) and scattered straight into one ``int8`` matrix, one row per respondent and one
column per item, so no Python object is made per answer. The small tables (schools, groups,
rounds, consent) are ordinary queries. Everything is read in one repeatable-read transaction,
so a pupil answering during the batch is either wholly in it or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from analytics.dataset import META_COLUMNS, Dataset, item_ids
from flows import DEFAULT_QUESTIONNAIRE_ID, load_questionnaire
from flows.bands import AgeBand
from storage.database import Database
from storage.extract import int_columns, stream_int_columns
from storage.models import Consent, Group, Item, Round, School
from veilig.errors import InvalidInput

__all__ = ["load_dataset"]

BANDS = ("po", "vo", "so")  # the order of the CASE in RESPONDENTS
assert set(BANDS) == {band.value for band in AgeBand}

# id, round, group, band (index into BANDS, -1 unknown), completed (0/1).
RESPONDENTS = """
SELECT respondent.id, respondent.round_id, respondent.group_id,
       CAST(CASE respondent.age_band WHEN 'po' THEN 0 WHEN 'vo' THEN 1 WHEN 'so' THEN 2
                 ELSE -1 END AS smallint),
       CAST(CASE WHEN respondent.completed_on IS NULL THEN 0 ELSE 1 END AS smallint)
FROM respondent JOIN survey_round ON survey_round.id = respondent.round_id
{where} ORDER BY respondent.id
"""
# One school's answers: through its respondents (an index lookup), not a range of numbers,
# since one school's pupils are spread over the whole year's numbering.
SCHOOL_ANSWERS = """
SELECT answer.respondent_id, answer.item_id, CAST(COALESCE(answer.value, -1) AS smallint)
FROM answer JOIN respondent ON respondent.id = answer.respondent_id
JOIN survey_round ON survey_round.id = respondent.round_id
WHERE survey_round.school_id = :school_id
"""
RESPONDENT_WIDTHS = (4, 4, 4, 2, 2)

# respondent, item number, code (-1 for "I'd rather not say"). No join: the respondents of a
# school year were read first, and their answers lie in one range of respondent numbers (pupils
# of a year answer in one season). Rows of other years inside the range are dropped on arrival,
# so the result is right whatever the numbering; the range only keeps the read small.
ANSWERS = """
SELECT respondent_id, item_id, CAST(COALESCE(value, -1) AS smallint) FROM answer
WHERE respondent_id BETWEEN :low AND :high
"""
ANSWER_WIDTHS = (4, 2, 2)


def _names(index: int) -> str:
    """``year_a``, ``year_b``, ...: placeholder names (letters only, as storage.extract wants)."""
    return "year_" + "".join(chr(ord("a") + int(digit)) for digit in str(index))


def respondents_query(
    years: Sequence[str] | None, school_id: int | None = None
) -> tuple[str, dict[str, Any]]:
    """The respondents query for ``years`` (every year when None) and optionally one school,
    and its values."""
    conditions: list[str] = []
    values: dict[str, Any] = {}
    if years is not None:
        values = {_names(index): year for index, year in enumerate(years)}
        placeholders = ", ".join(f":{name}" for name in values) or "NULL"
        conditions.append(f"survey_round.school_year IN ({placeholders})")
    if school_id is not None:
        conditions.append("survey_round.school_id = :school_id")
        values["school_id"] = school_id
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    return RESPONDENTS.format(where=where), values


def answers_query(respondent_ids: np.ndarray) -> tuple[str, dict[str, int]]:
    """The answer query for respondents numbered ``respondent_ids`` (sorted), and its values."""
    if not len(respondent_ids):
        return ANSWERS, {"low": 1, "high": 0}
    return ANSWERS, {"low": int(respondent_ids[0]), "high": int(respondent_ids[-1])}


class _Positions:
    """Row positions of respondent ids (sorted ascending) in the response matrix."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids
        self.low = int(ids[0]) if len(ids) else 0
        span = int(ids[-1]) - self.low + 1 if len(ids) else 0
        # A dense table is one gather per answer; ids of one year are nearly contiguous.
        self.table: np.ndarray | None = None
        if span <= 8 * len(ids) + 1024:
            self.table = np.full(span, -1, dtype=np.int64)
            self.table[ids - self.low] = np.arange(len(ids))

    def of(self, wanted: np.ndarray) -> np.ndarray:
        """Positions of ``wanted`` ids, -1 for ids not among the respondents."""
        if self.table is not None:
            offset = wanted - self.low
            inside = (offset >= 0) & (offset < len(self.table))
            found = np.full(len(wanted), -1, dtype=np.int64)
            found[inside] = self.table[offset[inside]]
            return found
        if not len(self.ids):
            return np.full(len(wanted), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.ids, wanted), len(self.ids) - 1)
        return np.where(self.ids[at] == wanted, at, -1)


async def _frame(connection: AsyncConnection, query: Any) -> pd.DataFrame:
    result = await connection.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


async def _small_tables(
    connection: AsyncConnection, years: Sequence[str] | None, school: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    school_query = select(School.id, School.brin, School.vestiging, School.name, School.sector)
    if school is not None:
        school_query = school_query.where(School.brin == school[:4], School.vestiging == school[4:])
    schools = await _frame(connection, school_query.order_by(School.brin, School.vestiging))
    schools["school"] = schools["brin"] + schools["vestiging"]
    schools["sector"] = schools["sector"].map(lambda sector: getattr(sector, "value", sector))
    group_query = select(
        Group.id, Group.school_id, Group.school_year, Group.name, Group.grade, Group.enrolled
    )
    round_query = select(
        Round.id,
        Round.school_id,
        Round.school_year,
        Round.questionnaire_id,
        Round.questionnaire_version,
        Round.status,
    )
    if years is not None:
        group_query = group_query.where(Group.school_year.in_(years))
        round_query = round_query.where(Round.school_year.in_(years))
    if school is not None:
        ids = [int(value) for value in schools["id"]]
        group_query = group_query.where(Group.school_id.in_(ids))
        round_query = round_query.where(Round.school_id.in_(ids))
    groups = await _frame(connection, group_query.order_by(Group.id))
    rounds = await _frame(connection, round_query.order_by(Round.id))
    consents = await _frame(
        connection,
        select(Consent.school_id, Consent.school_year).where(Consent.withdrawn_at.is_(None)),
    )
    rounds["status"] = rounds["status"].map(lambda status: getattr(status, "value", status))
    given = set(zip(consents["school_id"], consents["school_year"], strict=True))
    rounds["consent"] = [
        (school, year) in given
        for school, year in zip(rounds["school_id"], rounds["school_year"], strict=True)
    ]
    return schools, groups, rounds


def _questionnaire_id(rounds: pd.DataFrame) -> str:
    ids = sorted(set(rounds["questionnaire_id"]))
    if len(ids) > 1:
        raise InvalidInput(
            f"the rounds use different questionnaires ({', '.join(ids)}); "
            "analyse one school year whose rounds share a questionnaire"
        )
    return ids[0] if ids else DEFAULT_QUESTIONNAIRE_ID


async def _read(
    database: Database, years: Sequence[str] | None, school: str | None = None
) -> Dataset:
    async with database.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            schools, groups, rounds = await _small_tables(connection, years, school)
            school_id = None
            if school is not None:
                if schools.empty:
                    raise InvalidInput(f"school {school} is not registered; check the code")
                school_id = int(schools["id"].iloc[0])
            questionnaire = load_questionnaire(_questionnaire_id(rounds))
            items = item_ids(questionnaire)
            numbers = dict((await connection.execute(select(Item.name, Item.id))).all())
            query, values = respondents_query(years, school_id)
            people = await int_columns(connection, query, values, RESPONDENT_WIDTHS)
            positions = _Positions(people[:, 0])
            matrix = np.zeros((len(people), len(items)), dtype=np.int8)
            # Item number -> column; numbers of items this questionnaire lacks map to -1.
            column_of = np.full(max(numbers.values(), default=0) + 1, -1, dtype=np.int64)
            for column, item in enumerate(items):
                if item in numbers:
                    column_of[numbers[item]] = column

            def scatter(rows: np.ndarray) -> None:
                at = positions.of(rows[:, 0])
                columns = column_of[np.clip(rows[:, 1], 0, len(column_of) - 1)]
                keep = (at >= 0) & (columns >= 0) & (rows[:, 1] < len(column_of))
                matrix[at[keep], columns[keep]] = rows[keep, 2]

            query, bounds = answers_query(people[:, 0])
            if school_id is not None:
                query, bounds = SCHOOL_ANSWERS, {"school_id": school_id}
            await stream_int_columns(connection, query, bounds, ANSWER_WIDTHS, scatter)
    return _assemble(questionnaire, items, people, matrix, schools, groups, rounds)


def _assemble(
    questionnaire: Any,
    items: tuple[str, ...],
    people: np.ndarray,
    matrix: np.ndarray,
    schools: pd.DataFrame,
    groups: pd.DataFrame,
    rounds: pd.DataFrame,
) -> Dataset:
    school_code = dict(zip(schools["id"], schools["school"], strict=True))
    school_sector = dict(zip(schools["id"], schools["sector"], strict=True))
    round_school = dict(zip(rounds["id"], rounds["school_id"], strict=True))
    round_year = dict(zip(rounds["id"], rounds["school_year"], strict=True))
    group_name = dict(zip(groups["id"], groups["name"], strict=True))
    group_grade = dict(zip(groups["id"], groups["grade"], strict=True))

    def per(codes: np.ndarray, lookup: dict[Any, Any]) -> np.ndarray:
        # Map the few distinct ids, then spread: one dict lookup per distinct id, not per pupil.
        distinct, inverse = np.unique(codes, return_inverse=True)
        return np.asarray([lookup[key] for key in distinct.tolist()], dtype=object)[inverse]

    round_ids, group_ids = people[:, 1], people[:, 2]
    school_ids = per(round_ids, round_school).astype(np.int64)
    meta = pd.DataFrame(
        {
            "school": pd.Categorical(per(school_ids, school_code)),
            "school_year": pd.Categorical(per(round_ids, round_year)),
            "sector": pd.Categorical(per(school_ids, school_sector)),
            "band": pd.Categorical.from_codes(people[:, 3], categories=pd.Index(BANDS)),
            "group": pd.Categorical(per(group_ids, group_name)),
            "grade": per(group_ids, group_grade).astype(np.int8),
            "completed": people[:, 4].astype(bool),
        }
    )
    assert tuple(meta.columns) == META_COLUMNS
    responses = pd.concat([meta, pd.DataFrame(matrix, columns=list(items))], axis=1)
    return Dataset(
        questionnaire=questionnaire,
        responses=responses,
        groups=pd.DataFrame(
            {
                "school": groups["school_id"].map(school_code),
                "school_year": groups["school_year"],
                "group": groups["name"],
                "grade": groups["grade"].astype(int),
                "enrolled": groups["enrolled"].astype(int),
            }
        ),
        schools=schools[["school", "brin", "vestiging", "name", "sector"]].reset_index(drop=True),
        rounds=pd.DataFrame(
            {
                "school": rounds["school_id"].map(school_code),
                "school_year": rounds["school_year"],
                "questionnaire_id": rounds["questionnaire_id"],
                "questionnaire_version": rounds["questionnaire_version"],
                "status": rounds["status"],
                "consent": rounds["consent"].astype(bool),
            }
        ),
    )


async def load_dataset(
    database: Database,
    *,
    school_year: str | None = None,
    school_years: Sequence[str] | None = None,
    school: str | None = None,
) -> Dataset:
    """Every response of ``school_year`` (or of ``school_years``; all years when neither is
    given) with its context; with ``school`` (``"12AB00"``) that school's only."""
    if school_year is not None and school_years is not None:
        raise InvalidInput("give school_year or school_years, not both")
    years = (school_year,) if school_year is not None else school_years
    chosen = None if years is None else tuple(dict.fromkeys(years))
    return await _read(database, chosen, school)
