"""Reminders to coordinators (never to pupils), each sent once even with several workers.

:func:`due` lists what is due today for this school year's rounds:

- ``low_response``: a round open 14 days or more with fewer than 60% of enrolled pupils done
  (enrolled counts every group of the school, also those too young to answer);
- ``delivery_due``: from 1 June, a round not closed or consent not in force, with 1 July (the
  Inspectie's deadline) coming.

A reminder a week before a round's planned end needs a planned end date, which rounds do not
have yet. :func:`claim` records a reminder as sent in the database: the first worker to claim
it sends it, any other skips it. Both run as the system actor, which may only read status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.service.access import Action, allowed
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.consent import Missing
from bot.service.context import Context
from storage.repositories import consents, reminders, rounds
from storage.values import RoundStatus, SchoolCode

LOW_RESPONSE_AFTER = timedelta(days=14)
LOW_RESPONSE_SHARE = 0.6
SYSTEM = Actor.system("reminders")


class Kind(StrEnum):
    LOW_RESPONSE = "low_response"
    DELIVERY_DUE = "delivery_due"


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder for one round, with where its coordinators are reached on the channel."""

    kind: Kind
    round_id: int
    school: SchoolCode
    school_year: str
    completed: int
    enrolled: int
    days_open: int
    missing: tuple[str, ...]
    deadline: date
    addresses: tuple[str, ...]


async def due(ctx: Context, channel: str) -> list[Reminder]:
    """The reminders due today for this school year's rounds (sent or not)."""
    today = ctx.today()
    year = ctx.school_year()
    deadline = date(int(year[-4:]), 7, 1)
    found: list[Reminder] = []
    async with allowed(ctx, SYSTEM, None, Action.ROUND_STATUS) as session:
        for summary in await rounds.summaries(session):
            round_ = summary.round
            if round_.school_year != year:
                continue
            days = (today - round_.opens_on).days if round_.opens_on else 0
            kinds: list[tuple[Kind, tuple[str, ...]]] = []
            if (
                round_.status is RoundStatus.OPEN
                and days >= LOW_RESPONSE_AFTER.days
                and summary.completed < LOW_RESPONSE_SHARE * summary.enrolled
            ):
                kinds.append((Kind.LOW_RESPONSE, ()))
            if deadline - timedelta(days=30) <= today < deadline:
                missing = []
                if round_.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
                    missing.append(Missing.CLOSE)
                consent = await consents.of(session, round_.school, year)
                if consent is None or not consent.in_force:
                    missing.append(Missing.CONSENT)
                if missing:
                    kinds.append((Kind.DELIVERY_DUE, tuple(missing)))
            if not kinds:
                continue
            addresses = tuple(await reminders.addresses(session, round_.school, channel))
            found += [
                Reminder(
                    kind,
                    round_.id,
                    round_.school,
                    year,
                    summary.completed,
                    summary.enrolled,
                    days,
                    missing,
                    deadline,
                    addresses,
                )
                for kind, missing in kinds
            ]
    return found


async def claim(ctx: Context, reminder: Reminder) -> bool:
    """Record ``reminder`` as sent; False when another worker (or an earlier run) did."""
    async with allowed(ctx, SYSTEM, reminder.school, Action.ROUND_STATUS) as session:
        claimed = await reminders.claim(session, reminder.round_id, reminder.kind, ctx.now())
        if claimed:
            await record(
                session,
                ctx,
                SYSTEM,
                "reminder.send",
                reminder.school,
                kind=reminder.kind.value,
                recipients=len(reminder.addresses),
            )
        return claimed
