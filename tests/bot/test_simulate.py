"""``veilig simulate`` on SQLite and PostgreSQL: synthetic pupils through the real engine."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.service import simulate
from flows import load_questionnaire
from flows.conditions import holds
from flows.engine import current_step, place
from flows.steps import PSEUDO_PREFIX, SUPPORT_CARD_SEEN, Outro
from storage.records import RespondentRecord
from storage.repositories import answers, groups, respondents, rounds, schools
from storage.repositories.schools import NewSchool
from storage.values import SchoolCode, Sector
from tests.bot.helpers import YEAR, Cli
from veilig.errors import StorageError

GROUPS = (("5A", 5, 20), ("6B", 6, 24), ("8A", 8, 18))
SUMMARY = re.compile(
    r"Simulated (\d+) pupils? in (\d+) groups? of school (\w+) \((\S+)\): "
    r"(\d+) completed, (\d+) stopped part way\.\n"
)
Q = load_questionnaire()

Stored = list[tuple[RespondentRecord, str, dict[str, int | None]]]


def _school(
    cli: Cli,
    brin: str,
    *,
    sector: str = "po",
    group_list: tuple[tuple[str, int, int], ...] = GROUPS,
    round_status: str | None = "open",
) -> None:
    """A school with groups and a round, made directly (the CLI for this is tested elsewhere)."""

    async def make(session: AsyncSession) -> None:
        code = SchoolCode.parse(f"{brin}00")
        day = date(2026, 9, 1)
        await schools.add(session, NewSchool(code, f"School {brin}", Sector(sector)), day)
        for name, grade, enrolled in group_list:
            await groups.add(session, code, YEAR, name, grade, enrolled)
        if round_status is not None:
            await rounds.open_round(session, code, YEAR, Q.id, Q.version, day)
        if round_status == "closed":
            await rounds.close_round(session, code, YEAR, day)

    cli.session(make)


def _stored(cli: Cli, school: str) -> Stored:
    """Every respondent of the school's round with their group name and stored answers."""

    async def load(session: AsyncSession) -> Stored:
        code = SchoolCode.parse(school)
        names = {g.id: g.name for g in await groups.list_for(session, code, YEAR)}
        found = await respondents.of_round(session, code, YEAR)
        return [(r, names[r.group_id], await answers.of(session, r.id)) for r in found]

    return cli.session(load)


def _check_valid(stored: Stored) -> None:
    """The stored answers of every respondent rebuild a valid place in the engine."""
    for record, _, given in stored:
        band = record.age_band
        where = place(Q, band, given)
        visible = [item.id for _, item in where.visible]
        real = [key for key in given if not key.startswith(PSEUDO_PREFIX)]
        assert set(real) <= set(visible)
        assert visible[: where.position] == [item for item in visible if item in given]
        for item_id in real:
            item = Q.item(item_id)
            options = Q.options(item, band) if item is not None else None
            assert options is not None
            code = given[item_id]
            assert code is None or options.by_code(code) is not None
        screen = current_step(Q, band, "nl", given)
        assert record.channel == "simulate"
        if record.completed_on is not None:
            assert isinstance(screen, Outro) and where.finished
            card_due = holds(Q, band, Q.support_card.condition, given, set(visible))
            assert (SUPPORT_CARD_SEEN in given) == card_due, given
        else:
            assert not isinstance(screen, Outro) and real


def test_simulate_drives_pupils_through_the_engine(cli: Cli) -> None:
    _school(cli, "12AB")
    result = cli("simulate", "12AB00", "--pupils", "40", "--seed", "3", "--school-year", YEAR)
    assert result.code == 0, result.err
    assert result.err == ""  # no progress bar when stderr is not a terminal
    match = SUMMARY.fullmatch(result.out)
    assert match is not None, result.out
    started, group_count, school, year, completed, partial = match.groups()
    assert (int(started), int(group_count), school, year) == (40, 3, "12AB00", YEAR)
    assert int(completed) + int(partial) == 40

    stored = _stored(cli, "12AB00")
    assert len(stored) == 40
    _check_valid(stored)
    assert sum(record.completed_on is not None for record, _, _ in stored) == int(completed)
    per_group = Counter(name for _, name, _ in stored)
    assert all(per_group[name] <= enrolled for name, _, enrolled in GROUPS)
    assert cli.scalar("SELECT count(*) FROM access_code") == 40
    assert cli.scalar("SELECT count(*) FROM access_code WHERE used") == 40
    assert cli.scalar("SELECT count(*) FROM audit_event WHERE action = 'simulate'") == 1


def test_the_same_seed_gives_the_same_answers(cli: Cli) -> None:
    for brin in ("12AB", "34CD", "56EF"):
        _school(cli, brin)
    for brin, seed in (("12AB", "9"), ("34CD", "9"), ("56EF", "10")):
        cli.ok("simulate", f"{brin}00", "--pupils", "25", "--seed", seed, "--school-year", YEAR)

    def answered(school: str) -> Counter[tuple[str, tuple[tuple[str, int | None], ...]]]:
        return Counter(
            (name, tuple(sorted(given.items(), key=lambda kv: kv[0])))
            for _, name, given in _stored(cli, school)
        )

    first = answered("12AB00")
    assert first == answered("34CD00")
    assert first != answered("56EF00")


def test_more_pupils_after_a_first_run_only_fill_free_places(cli: Cli) -> None:
    _school(cli, "12AB", group_list=(("7A", 7, 12), ("8A", 8, 14)))
    one = cli("simulate", "12AB00", "--pupils", "1", "--school-year", YEAR)
    assert one.code == 0 and one.out.startswith("Simulated 1 pupil in 1 group of school 12AB00")
    cli.ok("simulate", "12AB00", "--pupils", "19", "--school-year", YEAR)
    refused = cli("simulate", "12AB00", "--pupils", "7", "--school-year", YEAR)
    assert refused.code == 1 and "have 6 free places" in refused.err
    cli.ok("simulate", "12AB00", "--pupils", "6", "--seed", "2", "--school-year", YEAR)
    stored = _stored(cli, "12AB00")
    assert Counter(name for _, name, _ in stored) == {"7A": 12, "8A": 14}
    _check_valid(stored)


def test_an_interruption_leaves_whole_pupils_only(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _school(cli, "12AB")
    monkeypatch.setattr(simulate, "BATCH", 5)
    real_converse = simulate.converse
    calls = 0

    def failing_converse(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 8:
            raise StorageError("the database went away")
        return real_converse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(simulate, "converse", failing_converse)
    result = cli("simulate", "12AB00", "--pupils", "12", "--school-year", YEAR)
    assert result.code == 1 and "the database went away" in result.err
    stored = _stored(cli, "12AB00")
    assert len(stored) == 5  # the first batch, whole; the second rolled back
    _check_valid(stored)
    assert cli.scalar("SELECT count(*) FROM access_code") == 5
    assert cli.scalar("SELECT count(*) FROM audit_event WHERE action = 'simulate'") == 1


BAD_INPUT = [
    (["simulate", "99ZZ00", "--pupils", "5"], "school 99ZZ00 is not registered"),
    (["simulate", "12AB00", "--pupils", "0"], "--pupils 0 is too few"),
    (["simulate", "12AB00", "--pupils", "63"], "62 free places"),
    (["simulate", "34CD00", "--pupils", "5"], "school 34CD00 has no round for 2026-2027"),
    (["simulate", "56EF00", "--pupils", "5"], "round of school 56EF00 is closed, not open"),
    (["simulate", "78GH00", "--pupils", "5"], "school 78GH00 has no groups in 2026-2027"),
    (["simulate", "90KL00", "--pupils", "5"], "none of the groups of school 90KL00"),
    (["simulate", "12AB0", "--pupils", "5"], "'12AB0' is not a school code"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_is_one_line_and_changes_nothing(cli: Cli, args: list[str], message: str) -> None:
    _school(cli, "12AB")
    _school(cli, "34CD", round_status=None)
    _school(cli, "56EF", round_status="closed")
    _school(cli, "78GH", group_list=())
    _school(cli, "90KL", group_list=(("3A", 3, 25),))
    before = cli.snapshot()
    result = cli(*args, "--school-year", YEAR)
    assert result.code == 1
    assert message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert cli.snapshot() == before
