"""A pupil's place, changed by one input: read, decided on, written back.

:func:`change` reads an open response with its round, school and stored answers, lets the
caller decide what the input changes (a pure function: the conversation engine), and writes
that, so that two inputs of one pupil are applied one after the other, never mixed:

- **PostgreSQL**: without a transaction (:meth:`~storage.database.Database.autocommit`), one
  statement reads and one statement writes, guarded by the version of the response row as it
  was read (``xmin``, which every update of the row moves). A guard that finds the response
  changed since (another input of the same pupil, on any worker) writes nothing, and the
  input is decided again on what is stored now. Two round trips per answer instead of five
  (begin, lock, read the answers, write, commit): on a busy server each round trip costs more
  than the rest of the answer.
- **SQLite** (one writer at a time), and PostgreSQL after :data:`TRIES` lost guards: one
  transaction that locks the response, reads its answers and writes.

Every write of answers also updates the response row (:func:`write`), so its version moves
whichever way the answers were written, and the guard sees them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from typing import Any, TypeVar
from typing import cast as typed

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    RowMapping,
    Select,
    SmallInteger,
    String,
    Table,
    Text,
    bindparam,
    column,
    delete,
    func,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.database import Database
from storage.models import Answer, Item, Respondent, Round, School
from storage.records import (
    AnswerChanges,
    RespondentRecord,
    ResponsePlace,
    RoundRecord,
    SchoolRecord,
)
from storage.repositories import answers
from storage.values import SchoolCode

T = TypeVar("T")
#: What the caller makes of a place and its stored answers: the changes to write (None:
#: nothing to write) and its own result. Called again when a guard was lost, so it must not
#: do I/O of its own.
Decide = Callable[[ResponsePlace, dict[str, int | None]], tuple[AnswerChanges | None, T]]
#: Guarded writes tried before a locked transaction takes over (a pupil pressing two
#: buttons at once loses one guard at most).
TRIES = 3

_RESPONDENT, _ROUND, _SCHOOL, _ANSWER, _ITEM = (
    typed(Table, model.__table__) for model in (Respondent, Round, School, Answer, Item)
)
_ROUND_FIELDS = tuple(f.name for f in fields(RoundRecord) if f.name != "school")
_SCHOOL_FIELDS = ("id", "brin", "vestiging", "name", "sector", "support_contact")
# The response's own columns, its round's and school's under a prefix: Core rows, not ORM
# entities, since this is read for every answer.
_PLACE = (
    select(
        *(_RESPONDENT.c[f.name] for f in fields(RespondentRecord)),
        *(_ROUND.c[name].label(f"round__{name}") for name in _ROUND_FIELDS),
        *(_SCHOOL.c[name].label(f"school__{name}") for name in _SCHOOL_FIELDS),
    )
    .join(_ROUND, _ROUND.c.id == _RESPONDENT.c.round_id)
    .join(_SCHOOL, _SCHOOL.c.id == _ROUND.c.school_id)
)
# PostgreSQL, unlocked: the same, with the row's version and the stored answers as one JSON
# object, all read with one snapshot.
_VERSION = literal_column("respondent.xmin").cast(Text).cast(BigInteger)
_STORED = (
    select(func.json_object_agg(_ITEM.c.name, _ANSWER.c.value, type_=JSON))
    .select_from(_ANSWER.join(_ITEM, _ITEM.c.id == _ANSWER.c.item_id))
    .where(_ANSWER.c.respondent_id == _RESPONDENT.c.id)
    .scalar_subquery()
)
_PLACE_AS_STORED = _PLACE.add_columns(_VERSION.label("version__"), _STORED.label("stored__"))


def _where(query: Select[Any], respondent_id: int | None, resume_key: str | None) -> Select[Any]:
    if respondent_id is not None:
        return query.where(_RESPONDENT.c.id == respondent_id)
    if resume_key is not None:
        return query.where(_RESPONDENT.c.resume_key == resume_key)
    raise ValueError("give a respondent_id or a resume_key")


def _place(row: RowMapping) -> ResponsePlace:
    school = SchoolRecord(
        id=row["school__id"],
        code=SchoolCode(row["school__brin"], row["school__vestiging"]),
        name=row["school__name"],
        sector=row["school__sector"],
        support_contact=row["school__support_contact"],
    )
    return ResponsePlace(
        RespondentRecord(**{f.name: row[f.name] for f in fields(RespondentRecord)}),
        RoundRecord(school=school.code, **{name: row[f"round__{name}"] for name in _ROUND_FIELDS}),
        school,
    )


async def locked(
    session: AsyncSession, *, respondent_id: int | None = None, resume_key: str | None = None
) -> ResponsePlace | None:
    """A response (by number, or by the pseudonym of the chat identity answering it) with its
    round and school, locked for this transaction; None when there is none.

    Its stored answers are read by a statement of their own (:func:`answers.of`), after this
    one: on PostgreSQL (READ COMMITTED) a statement reads with the snapshot it started with,
    so answers read in the locking statement could miss the input it waited for."""
    query = _where(_PLACE.with_for_update(of=_RESPONDENT), respondent_id, resume_key)
    found = (await session.execute(query)).mappings().one_or_none()
    return None if found is None else _place(found)


async def write(session: AsyncSession, respondent_id: int, changes: AnswerChanges) -> None:
    """Write ``changes`` in a transaction that has locked the response (:func:`locked`)."""
    if changes.delete:
        await answers.remove(session, respondent_id, changes.delete)
    await answers.upsert(session, respondent_id, changes.upsert)
    await session.execute(_touch(respondent_id, changes))


def _touch(respondent_id: int, changes: AnswerChanges) -> Any:
    """The response row's update that goes with every write of its answers: language and
    completion when they change, and always a new row version (see the module docstring)."""
    settings: dict[str, Any] = {"language": changes.language or _RESPONDENT.c.language}
    if changes.completed_on is not None:
        # Completed: nothing left to resume, so the pseudonyms go.
        settings |= {
            "completed_on": func.coalesce(_RESPONDENT.c.completed_on, changes.completed_on),
            "resume_key": None,
            "code_key": None,
        }
    return update(_RESPONDENT).where(_RESPONDENT.c.id == respondent_id).values(**settings)


async def change(
    database: Database,
    decide: Decide[T],
    *,
    respondent_id: int | None = None,
    resume_key: str | None = None,
) -> tuple[ResponsePlace, T] | None:
    """Apply ``decide`` to the response and write what it decides (see the module
    docstring); the place as decided on and the caller's result, or None when there is no
    such response."""
    if database.dialect == "postgresql":
        async with database.autocommit() as connection:
            for _ in range(TRIES):
                found = await _guarded(connection, decide, respondent_id, resume_key)
                if found is None or found[0]:
                    return None if found is None else found[1]
    async with database.transaction() as session:
        place = await locked(session, respondent_id=respondent_id, resume_key=resume_key)
        if place is None:
            return None
        changes, result = decide(place, await answers.of(session, place.respondent.id))
        if changes is not None:
            await write(session, place.respondent.id, changes)
        return place, result


async def _guarded(
    connection: AsyncConnection,
    decide: Decide[T],
    respondent_id: int | None,
    resume_key: str | None,
) -> tuple[bool, tuple[ResponsePlace, T]] | None:
    """One read and one guarded write: (written or nothing to write, (place, result)), or
    None when there is no such response. ``False`` when the guard was lost."""
    query = _where(_PLACE_AS_STORED, respondent_id, resume_key)
    row = (await connection.execute(query)).mappings().one_or_none()
    if row is None:
        return None
    place = _place(row)
    changes, result = decide(place, dict(row["stored__"] or {}))
    if changes is None:
        return True, (place, result)
    numbers = await _item_numbers(connection, changes.upsert)
    statement, parameters = _guarded_write(place.respondent.id, row["version__"], changes, numbers)
    written = (await connection.execute(statement, parameters)).scalar_one()
    return bool(written), (place, result)


_WRITES: dict[tuple[bool, bool, bool], Any] = {}


def _guarded_write(
    respondent_id: int, version: int, changes: AnswerChanges, numbers: Mapping[str, int]
) -> tuple[Any, dict[str, Any]]:
    """One statement and its parameters: the response row is updated only if its version is
    still ``version``, and the answers are written and forgotten only if it was. It selects
    1, or 0 when the guard was lost (nothing written). Built once per shape (forgets,
    writes, completes), so it is compiled once."""
    shape = (bool(changes.delete), bool(changes.upsert), changes.completed_on is not None)
    if shape not in _WRITES:
        _WRITES[shape] = _guarded_statement(*shape)
    given = list(changes.upsert.items())
    return _WRITES[shape], {
        "respondent": respondent_id,
        "version": version,
        "new_language": changes.language,
        "completed": changes.completed_on,
        "forget": list(changes.delete),
        "items": [numbers[item] for item, _ in given],
        "values": [value for _, value in given],
    }


def _guarded_statement(forgets: bool, writes: bool, completes: bool) -> Any:
    # No parameter is named after a column of the response: SQLAlchemy would take it as one
    # more value to set.
    settings: dict[str, Any] = {
        "language": func.coalesce(bindparam("new_language", type_=String), _RESPONDENT.c.language)
    }
    if completes:
        settings |= {
            "completed_on": func.coalesce(
                _RESPONDENT.c.completed_on, bindparam("completed", type_=Date)
            ),
            "resume_key": None,
            "code_key": None,
        }
    guard = (
        update(_RESPONDENT)
        .where(_RESPONDENT.c.id == bindparam("respondent"), bindparam("version") == _VERSION)
        .values(**settings)
        .returning(_RESPONDENT.c.id)
        .cte("guard")
    )
    statement = select(func.count()).select_from(guard)
    if forgets:
        named = select(_ITEM.c.id).where(_ITEM.c.name.in_(bindparam("forget", expanding=True)))
        forgotten = delete(_ANSWER).where(
            _ANSWER.c.respondent_id.in_(select(guard.c.id)), _ANSWER.c.item_id.in_(named)
        )
        statement = statement.add_cte(forgotten.cte("forgotten"))
    if writes:
        numbers = ARRAY(SmallInteger)
        given = (
            func.unnest(bindparam("items", type_=numbers), bindparam("values", type_=numbers))
            .table_valued(column("item_id", SmallInteger), column("value", SmallInteger))
            .render_derived(name="given")
        )
        written = postgresql.insert(_ANSWER).from_select(
            ["respondent_id", "item_id", "value"],
            select(guard.c.id, given.c.item_id, given.c.value).join_from(guard, given, true()),
        )
        written = written.on_conflict_do_update(
            index_elements=[_ANSWER.c.respondent_id, _ANSWER.c.item_id],
            set_={"value": written.excluded.value},
        )
        statement = statement.add_cte(written.cte("written"))
    return statement


async def _item_numbers(connection: AsyncConnection, names: Iterable[str]) -> dict[str, int]:
    """Item numbers outside a transaction: a number made here is committed at once, so it
    is kept like any other (see :func:`answers.item_numbers`)."""
    wanted = sorted(set(names))
    known: dict[str, int] = connection.info.setdefault(answers.ITEM_NUMBERS, {})
    missing = [name for name in wanted if name not in known]
    if missing:
        made = postgresql.insert(_ITEM).values([{"name": name} for name in missing])
        await connection.execute(made.on_conflict_do_nothing(index_elements=[_ITEM.c.name]))
        query = select(_ITEM.c.name, _ITEM.c.id).where(_ITEM.c.name.in_(missing))
        known.update({name: number for name, number in await connection.execute(query)})
    return {name: known[name] for name in wanted}
