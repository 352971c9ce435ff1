"""A pupil's place changed by one input (:mod:`storage.repositories.places`): on PostgreSQL
a read and a guarded write with no transaction around them, decided again when another
input of the same pupil came in between; on SQLite a locked transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from storage.database import Database
from storage.records import AnswerChanges, ResponsePlace
from storage.repositories import answers, places, respondents
from tests.storage.test_repositories import (
    LINDE,
    TODAY,
    YEAR,
    _issue,
    _redeem,
    _school_with_round,
)

Stored = dict[str, int | None]
# The guarded write is PostgreSQL's; SQLite has one writer at a time and locks instead.
ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


async def _pupil(database: Database) -> int:
    await _school_with_round(database)
    (code,) = await _issue(database, 1)
    await _redeem(database, code)
    async with database.transaction() as session:
        me = await respondents.find(session, database.keyring, "telegram", "u1")
        assert me is not None
        return me.id


async def _stored(database: Database, respondent_id: int) -> Stored:
    async with database.transaction() as session:
        return await answers.of(session, respondent_id)


def _recording(seen: list[Stored], changes: AnswerChanges) -> places.Decide[int]:
    def decide(place: ResponsePlace, stored: Stored) -> tuple[AnswerChanges, int]:
        seen.append(dict(stored))
        return changes, len(seen)

    return decide


async def test_an_input_changes_answers_language_and_completion(database: Database) -> None:
    me = await _pupil(database)
    seen: list[Stored] = []
    key = database.keyring.resume_key("telegram", "u1")
    first = AnswerChanges({"a": 1, "b": None}, language="en")
    found = await places.change(database, _recording(seen, first), resume_key=key)
    assert found is not None and found[1] == 1
    assert await _stored(database, me) == {"a": 1, "b": None}
    last = AnswerChanges({"c": 2}, delete=("b",), completed_on=TODAY)
    assert await places.change(database, _recording(seen, last), respondent_id=me) is not None
    assert seen == [{}, {"a": 1, "b": None}]
    assert await _stored(database, me) == {"a": 1, "c": 2}
    async with database.transaction() as session:
        (done,) = await respondents.of_round(session, LINDE, YEAR)
    assert (done.language, done.completed_on) == ("en", TODAY)
    # Completed: the pseudonym that found it is erased, so the chat identity answers nothing.
    assert await places.change(database, _recording(seen, first), resume_key=key) is None


def _interfering(
    database: Database, respondent_id: int, times: int
) -> Callable[..., Awaitable[dict[str, int]]]:
    """Between the read and the guarded write, another input of the same pupil is stored
    (a second worker), ``times`` times."""
    numbers = places._item_numbers
    done = {"count": 0}

    async def item_numbers(connection: Any, names: Any) -> dict[str, int]:
        if done["count"] < times:
            done["count"] += 1
            async with database.transaction() as session:
                await places.locked(session, respondent_id=respondent_id)
                other = AnswerChanges({f"other{done['count']}": 3})
                await places.write(session, respondent_id, other)
        return await numbers(connection, names)

    return item_numbers


@ON_POSTGRES
async def test_an_input_that_another_overtook_is_decided_again(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = await _pupil(database)
    monkeypatch.setattr(places, "_item_numbers", _interfering(database, me, times=1))
    seen: list[Stored] = []
    found = await places.change(
        database, _recording(seen, AnswerChanges({"mine": 1})), respondent_id=me
    )
    # The first decision was on answers that had changed before it was written: nothing of
    # it was written, and the input was decided again on what is stored now.
    assert seen == [{}, {"other1": 3}]
    assert found is not None and found[1] == 2
    assert await _stored(database, me) == {"other1": 3, "mine": 1}


@ON_POSTGRES
async def test_a_pupil_overtaken_again_and_again_is_written_under_a_lock(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = await _pupil(database)
    monkeypatch.setattr(places, "_item_numbers", _interfering(database, me, times=99))
    seen: list[Stored] = []
    found = await places.change(
        database, _recording(seen, AnswerChanges({"mine": 1})), respondent_id=me
    )
    assert len(seen) == places.TRIES + 1  # every guard lost, then the locked transaction
    assert found is not None and found[1] == places.TRIES + 1
    stored = await _stored(database, me)
    assert stored["mine"] == 1 and len(stored) == places.TRIES + 1
