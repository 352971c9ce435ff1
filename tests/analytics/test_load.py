"""The loader reads exactly what the repositories stored, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from analytics.dataset import DECLINED, UNANSWERED
from analytics.load import _Positions, load_dataset
from flows import load_questionnaire
from storage.database import Database
from storage.repositories import answers, codes, consents, groups, respondents, rounds, schools
from storage.repositories.schools import NewSchool
from storage.values import SchoolCode, Sector
from veilig.errors import InvalidInput

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
LINDE = SchoolCode("12AB", "00")
BRUG = SchoolCode("34CD", "01")
Q = load_questionnaire()


async def _school(
    database: Database, code: SchoolCode, sector: Sector, year: str, group: str, grade: int
) -> None:
    async with database.transaction() as session:
        if not await schools.registered(session, [code]):
            await schools.add(session, NewSchool(code, f"School {code}", sector), TODAY)
        await groups.add(session, code, year, group, grade, 25)
        await rounds.open_round(session, code, year, Q.id, Q.version, TODAY)


async def _pupil(
    database: Database,
    code: SchoolCode,
    year: str,
    group: str,
    given: dict[str, int | None],
    *,
    done: bool,
) -> None:
    async with database.transaction() as session:
        round_ = await rounds.get_open(session, code, year)
        seat = await groups.get(session, code, year, group)
        (typed,) = (await codes.issue(session, database.keyring, round_, seat, 1)).codes
        redeemed = await respondents.redeem(
            session,
            database.keyring,
            typed,
            channel="web",
            user_id=typed,
            language="nl",
            today=TODAY,
            band_of=lambda sector, grade: "po" if sector is Sector.PO else "vo",
        )
        assert redeemed.respondent is not None
        await answers.upsert(session, redeemed.respondent.id, given)
        if done:
            await respondents.complete(session, redeemed.respondent.id, TODAY)


async def test_loads_every_answer_with_its_context(database: Database) -> None:
    await _school(database, LINDE, Sector.PO, "2026-2027", "7a", 7)
    await _school(database, BRUG, Sector.VO, "2026-2027", "2b", 2)
    await _school(database, LINDE, Sector.PO, "2025-2026", "6a", 6)
    await _pupil(
        database,
        LINDE,
        "2026-2027",
        "7a",
        {"_intro": 1, "safe_school": 4, "bullied": None, "gender": 2},
        done=True,
    )
    # A pupil of another year numbered between this year's: inside the read range, left out.
    await _pupil(database, LINDE, "2025-2026", "6a", {"likes_school": 2}, done=True)
    await _pupil(database, LINDE, "2026-2027", "7a", {"safe_school": 1}, done=False)
    await _pupil(database, BRUG, "2026-2027", "2b", {"safe_class": 5, "retired_item": 3}, done=True)
    async with database.transaction() as session:
        await consents.give(session, LINDE, "2026-2027", "A. Directeur", NOW)

    data = await load_dataset(database, school_year="2026-2027")

    frame = data.responses.sort_values(["school", "completed"]).reset_index(drop=True)
    assert frame["school"].astype(str).tolist() == ["12AB00", "12AB00", "34CD01"]
    assert frame["completed"].tolist() == [False, True, True]
    assert frame["band"].astype(str).tolist() == ["po", "po", "vo"]
    assert frame["sector"].astype(str).tolist() == ["po", "po", "vo"]
    assert frame["group"].astype(str).tolist() == ["7a", "7a", "2b"]
    assert frame["grade"].tolist() == [7, 7, 2]
    assert frame["safe_school"].tolist() == [1, 4, UNANSWERED]
    assert frame["bullied"].tolist() == [UNANSWERED, DECLINED, UNANSWERED]
    assert frame["gender"].tolist() == [UNANSWERED, 2, UNANSWERED]
    assert frame["safe_class"].tolist() == [UNANSWERED, UNANSWERED, 5]
    assert "_intro" not in frame.columns and "retired_item" not in frame.columns
    items = list(data.items)
    assert int((frame[items] != UNANSWERED).to_numpy().sum()) == 5
    assert "likes_school" in items and (frame["likes_school"] == UNANSWERED).all()

    assert sorted(data.groups["group"]) == ["2b", "7a"]
    assert data.groups["enrolled"].tolist() == [25, 25]
    rounds_ = data.rounds.set_index("school")
    assert bool(rounds_.loc["12AB00", "consent"]) and not bool(rounds_.loc["34CD01", "consent"])
    assert set(rounds_["status"]) == {"open"}
    assert set(data.schools["school"]) == {"12AB00", "34CD01"}

    every_year = await load_dataset(database)
    assert len(every_year.responses) == 4
    two_years = await load_dataset(database, school_years=["2025-2026", "2026-2027"])
    assert len(two_years.responses) == 4 and len(two_years.rounds) == 3
    assert (await load_dataset(database, school_years=["2024-2025"])).responses.empty
    with pytest.raises(InvalidInput, match="not both"):
        await load_dataset(database, school_year="2026-2027", school_years=["2025-2026"])
    assert sorted(every_year.responses["school_year"].astype(str).unique()) == [
        "2025-2026",
        "2026-2027",
    ]


async def test_an_empty_database_loads_as_an_empty_dataset(database: Database) -> None:
    data = await load_dataset(database, school_year="2026-2027")
    assert data.responses.empty and data.rounds.empty
    assert list(data.items) == list(data.responses.columns[7:])


@pytest.mark.parametrize("ids", [[3, 4, 5, 9], [10, 2_000_000, 4_000_000]])
def test_positions_find_ids_dense_and_sparse(ids: list[int]) -> None:
    positions = _Positions(np.asarray(ids))
    wanted = np.asarray([*ids, 1, 6, 5_000_000])
    expected = [*range(len(ids)), -1, -1, -1]
    assert positions.of(wanted).tolist() == expected
    assert (positions.table is None) == (ids[-1] > 1000)
