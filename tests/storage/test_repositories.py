"""The repository contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from storage.database import Database
from storage.models import AccessCode, Respondent
from storage.records import RedemptionStatus
from storage.repositories import (
    answers,
    audit,
    codes,
    consents,
    coordinators,
    groups,
    respondents,
    rounds,
    schools,
    throttle,
)
from storage.repositories.schools import NewSchool
from storage.values import RoundStatus, SchoolCode, Sector
from veilig.errors import AlreadyExists, Conflict, InvalidInput, NotFound

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
YEAR = "2026-2027"
LINDE = SchoolCode("12AB", "00")


def band_of(sector: Sector, grade: int) -> str:
    return "po" if sector is Sector.PO else "vo"


async def _school_with_round(database: Database, enrolled: int = 3) -> tuple[int, int]:
    async with database.transaction() as session:
        await schools.add(session, NewSchool(LINDE, "De Linde", Sector.PO), TODAY)
        group = await groups.add(session, LINDE, YEAR, "7B", 7, enrolled)
        opened = await rounds.open_round(session, LINDE, YEAR, "q", "v" * 64, TODAY)
        return opened.id, group.id


async def _issue(database: Database, how_many: int) -> tuple[str, ...]:
    async with database.transaction() as session:
        round_ = await rounds.get_open(session, LINDE, YEAR)
        group = await groups.get(session, LINDE, YEAR, "7B")
        issued = await codes.issue(session, database.keyring, round_, group, how_many)
        return issued.codes


async def _redeem(database: Database, code: str, user: str = "u1") -> RedemptionStatus:
    async with database.transaction() as session:
        result = await respondents.redeem(
            session,
            database.keyring,
            code,
            channel="telegram",
            user_id=user,
            language="nl",
            today=TODAY,
            band_of=band_of,
        )
        return result.status


async def test_school_is_added_listed_and_unique(database: Database) -> None:
    async with database.transaction() as session:
        added = await schools.add(
            session, NewSchool(LINDE, "De Linde", Sector.PO, "juf Anna"), TODAY
        )
    async with database.transaction() as session:
        assert await schools.get(session, LINDE) == added
        assert [s.code for s in await schools.list_all(session)] == [LINDE]
    with pytest.raises(AlreadyExists, match="12AB00 is already registered"):
        async with database.transaction() as session:
            await schools.add(session, NewSchool(LINDE, "Other", Sector.VO), TODAY)
    async with database.transaction() as session:
        assert (await schools.get(session, LINDE)).name == "De Linde"


async def test_add_many_is_all_or_nothing(database: Database) -> None:
    other = SchoolCode("34CD", "01")
    async with database.transaction() as session:
        await schools.add(session, NewSchool(LINDE, "De Linde", Sector.PO), TODAY)
    with pytest.raises(AlreadyExists):
        async with database.transaction() as session:
            await schools.add_many(
                session,
                [NewSchool(other, "Nieuw", Sector.VO), NewSchool(LINDE, "Dubbel", Sector.PO)],
                TODAY,
            )
    async with database.transaction() as session:
        assert [s.code for s in await schools.list_all(session)] == [LINDE]


async def test_unknown_school_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound, match="12AB00 is not registered"):
        async with database.transaction() as session:
            await groups.add(session, LINDE, YEAR, "7B", 7, 28)


async def test_group_rules(database: Database) -> None:
    async with database.transaction() as session:
        await schools.add(session, NewSchool(LINDE, "De Linde", Sector.PO), TODAY)
        added = await groups.add(session, LINDE, YEAR, " 7B ", 7, 28)
    assert (added.name, added.grade, added.enrolled) == ("7B", 7, 28)
    with pytest.raises(InvalidInput, match="groep runs from 1 to 8"):
        async with database.transaction() as session:
            await groups.add(session, LINDE, YEAR, "9A", 9, 20)
    with pytest.raises(AlreadyExists):
        async with database.transaction() as session:
            await groups.add(session, LINDE, YEAR, "7B", 7, 20)
    async with database.transaction() as session:
        await groups.add(session, LINDE, "2027-2028", "7B", 7, 25)  # a new year, a new class
        assert [g.enrolled for g in await groups.list_for(session, LINDE, YEAR)] == [28]


async def test_one_round_per_school_year(database: Database) -> None:
    await _school_with_round(database)
    with pytest.raises(AlreadyExists, match="already has a round for 2026-2027"):
        async with database.transaction() as session:
            await rounds.open_round(session, LINDE, YEAR, "q", "w" * 64, TODAY)
    async with database.transaction() as session:
        found = await rounds.get(session, LINDE, YEAR)
    assert (found.status, found.questionnaire_version) == (RoundStatus.OPEN, "v" * 64)


async def test_codes_are_stored_only_as_digests(database: Database) -> None:
    await _school_with_round(database)
    issued = await _issue(database, 5)
    assert len(set(issued)) == 5
    async with database.transaction() as session:
        stored = list(await session.scalars(select(AccessCode.digest)))
        dump = " ".join(stored)
    assert len(stored) == 5
    for code in issued:
        assert code.replace("-", "") not in dump
        assert database.keyring.code_digest(code.replace("-", "")) in stored


async def test_issuing_again_adds_codes(database: Database) -> None:
    await _school_with_round(database)
    await _issue(database, 3)
    async with database.transaction() as session:
        round_ = await rounds.get_open(session, LINDE, YEAR)
        group = await groups.get(session, LINDE, YEAR, "7B")
        issued = await codes.issue(session, database.keyring, round_, group, 2)
    assert (len(issued.codes), issued.total.issued, issued.total.used) == (2, 5, 0)


async def test_no_codes_for_a_closed_round(database: Database) -> None:
    await _school_with_round(database)
    async with database.transaction() as session:
        await rounds.close_round(session, LINDE, YEAR, TODAY)
    with pytest.raises(Conflict, match="is closed, not open"):
        await _issue(database, 1)


async def test_redeeming_a_code(database: Database) -> None:
    await _school_with_round(database)
    first, second = await _issue(database, 2)
    assert await _redeem(database, first.lower().replace("-", " ")) is RedemptionStatus.STARTED
    # The same pupil again (or the platform delivering the message twice): the same response.
    assert await _redeem(database, first) is RedemptionStatus.RESUMED
    # The same code on another device continues the same open response.
    assert await _redeem(database, first, user="u2") is RedemptionStatus.RESUMED
    assert await _redeem(database, "AAA-AAA-AAA") is RedemptionStatus.UNKNOWN_CODE
    assert await _redeem(database, "not a code") is RedemptionStatus.UNKNOWN_CODE
    async with database.transaction() as session:
        started = await respondents.of_round(session, LINDE, YEAR)
        summary = (await rounds.summaries(session, LINDE))[0]
    assert len(started) == 1 and started[0].age_band == "po"
    assert (summary.codes_issued, summary.codes_used, summary.started) == (2, 1, 1)
    async with database.transaction() as session:
        # u2 answers now; u1's chat no longer finds the response.
        assert await respondents.find(session, database.keyring, "telegram", "u1") is None
        mine = await respondents.find(session, database.keyring, "telegram", "u2")
        assert mine is not None
        await respondents.complete(session, mine.id, TODAY)
    # A finished response's code is spent, for everyone.
    assert await _redeem(database, first, user="u2") is RedemptionStatus.USED_CODE
    assert await _redeem(database, first, user="u3") is RedemptionStatus.USED_CODE
    async with database.transaction() as session:
        await rounds.close_round(session, LINDE, YEAR, TODAY)
    assert await _redeem(database, second) is RedemptionStatus.ROUND_NOT_OPEN


async def test_closing_erases_resume_pseudonyms(database: Database) -> None:
    await _school_with_round(database)
    (code,) = await _issue(database, 1)
    await _redeem(database, code)
    async with database.transaction() as session:
        assert await respondents.find(session, database.keyring, "telegram", "u1")
        await rounds.close_round(session, LINDE, YEAR, TODAY)
    async with database.transaction() as session:
        keys = list(await session.execute(select(Respondent.resume_key, Respondent.code_key)))
    assert [tuple(row) for row in keys] == [(None, None)]
    with pytest.raises(Conflict):
        async with database.transaction() as session:
            await rounds.close_round(session, LINDE, YEAR, TODAY)


async def test_answers_upsert_and_prefer_not_to_say(database: Database) -> None:
    await _school_with_round(database)
    (code,) = await _issue(database, 1)
    await _redeem(database, code)
    async with database.transaction() as session:
        me = await respondents.find(session, database.keyring, "telegram", "u1")
        assert me is not None
        await answers.upsert(session, me.id, {"vb_school": 3, "vb_klas": None})
        await answers.upsert(session, me.id, {"vb_school": 4})  # a duplicate delivery, changed
    async with database.transaction() as session:
        assert await answers.of(session, me.id) == {"vb_school": 4, "vb_klas": None}
        await answers.remove(session, me.id, ["vb_klas"])
        await respondents.complete(session, me.id, TODAY)
    async with database.transaction() as session:
        assert await answers.of(session, me.id) == {"vb_school": 4}
        assert await respondents.find(session, database.keyring, "telegram", "u1") is None
        (done,) = await respondents.of_round(session, LINDE, YEAR)
    assert done.completed_on == TODAY


async def test_answers_hold_no_timestamps(database: Database) -> None:
    async with database.engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: [
                (c["name"], str(c["type"]))
                for table in ("answer", "respondent")
                for c in __import__("sqlalchemy").inspect(sync).get_columns(table)
            ]
        )
    assert not [name for name, kind in columns if "TIME" in kind.upper()]


async def test_invites_are_single_use_and_expire(database: Database) -> None:
    await _school_with_round(database)
    async with database.transaction() as session:
        token = await coordinators.invite(session, database.keyring, LINDE, NOW)
        stale = await coordinators.invite(session, database.keyring, LINDE, NOW - timedelta(days=8))

    def accept(token: str, user: str, name: str) -> Any:
        return coordinators.accept(
            session, database.keyring, token, channel="telegram", user_id=user,
            address=user, display_name=name, now=NOW,
        )  # fmt: skip

    async with database.transaction() as session:
        person = await accept(token, "42", "Meester Bas")
    assert person.schools == ((LINDE, "coordinator"),)
    assert (person.channel, person.address) == ("telegram", "42")
    with pytest.raises(Conflict, match="used already"):
        async with database.transaction() as session:
            await accept(token, "43", "Iemand")
    with pytest.raises(Conflict, match="expired"):
        async with database.transaction() as session:
            await accept(stale, "43", "Iemand")
    with pytest.raises(NotFound):
        async with database.transaction() as session:
            await accept("nonsense", "43", "Iemand")
    async with database.transaction() as session:
        found = await coordinators.by_identity(session, database.keyring, "telegram", "42")
        assert found == person
        assert await coordinators.by_identity(session, database.keyring, "web", "42") is None
        await coordinators.deactivate(session, person.id)
        assert await coordinators.by_identity(session, database.keyring, "telegram", "42") is None
        raw = await session.execute(text("SELECT digest FROM coordinator_invite"))
        assert token not in " ".join(row[0] for row in raw)
        identities = await session.execute(text("SELECT identity FROM coordinator"))
        # Only the keyed identity is kept to find them; the chat id is their address.
        expected = database.keyring.coordinator_identity("telegram", "42")
        assert [row[0] for row in identities] == [expected]


async def test_consent_and_audit(database: Database) -> None:
    async with database.transaction() as session:
        school = await schools.add(session, NewSchool(LINDE, "De Linde", Sector.PO), TODAY)
        assert await consents.of(session, LINDE, YEAR) is None
        await consents.give(session, LINDE, YEAR, "Directeur A", NOW)
        again = await consents.give(session, LINDE, YEAR, "Directeur B", NOW)
        await audit.record(session, "cli", "consent.give", NOW, school.id, school_year=YEAR)
    async with database.transaction() as session:
        assert await consents.of(session, LINDE, YEAR) == again
        assert again.given_by == "Directeur B"
        assert await audit.actions(session, school.id) == ["consent.give"]


async def test_item_numbers_made_in_a_rolled_back_transaction_are_not_kept(
    database: Database,
) -> None:
    await _school_with_round(database)
    (code,) = await _issue(database, 1)
    await _redeem(database, code)
    async with database.transaction() as session:
        me = await respondents.find(session, database.keyring, "telegram", "u1")
    assert me is not None

    async def fails_after_numbering() -> None:
        async with database.transaction() as session:
            await answers.upsert(session, me.id, {"brand_new_item": 1})
            await answers.upsert(session, me.id, {"brand_new_item": 1})  # now it is "found"
            raise RuntimeError("the request failed after numbering the item")

    with pytest.raises(RuntimeError):
        await fails_after_numbering()
    # The same connection again (the pool hands it back): the number must be made anew.
    async with database.transaction() as session:
        await answers.upsert(session, me.id, {"brand_new_item": 2})
    async with database.transaction() as session:
        await answers.upsert(session, me.id, {"brand_new_item": 2, "vb_school": 3})
    async with database.transaction() as session:
        assert await answers.of(session, me.id) == {"brand_new_item": 2, "vb_school": 3}


async def test_failed_attempts_are_counted_per_window(database: Database) -> None:
    start = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    window = timedelta(minutes=10)
    async with database.transaction() as session:
        assert await throttle.failures(session, "k", start, window) == 0
        later = (start + timedelta(minutes=m) for m in (0, 1, 9))
        counts = [await throttle.fail(session, "k", at, window) for at in later]
        assert counts == [1, 2, 3]
        assert await throttle.failures(session, "k", start + timedelta(minutes=9), window) == 3
        assert await throttle.failures(session, "other", start, window) == 0
    async with database.transaction() as session:
        # The window started at 9:00 has ended at 9:10: the count starts again.
        assert await throttle.failures(session, "k", start + window, window) == 0
        assert await throttle.fail(session, "k", start + window, window) == 1
        assert await throttle.fail(session, "k", start + window, window) == 2
        await throttle.forget(session, "k")
        assert await throttle.failures(session, "k", start + window, window) == 0


async def test_failed_attempts_counted_at_once_are_all_counted(database: Database) -> None:
    """Workers counting one key at the same moment: every failure counts (none is lost to a
    race between inserting the first count and adding to it)."""
    now = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)

    async def one() -> int:
        async with database.transaction() as session:
            return await throttle.fail(session, "shared", now, timedelta(minutes=10))

    counts = await asyncio.gather(*(one() for _ in range(12)))
    assert sorted(counts) == list(range(1, 13))
