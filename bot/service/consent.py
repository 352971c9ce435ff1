"""A school's consent to deliver its results to the Inspectie: given and withdrawn, by whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.service.access import Action, allowed
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.context import Context
from storage.records import ConsentRecord, RoundRecord
from storage.repositories import consents, rounds
from storage.values import RoundStatus, SchoolCode, parse_school_year
from veilig.errors import NotFound


async def give_consent(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str, by: str
) -> ConsentRecord:
    """Record that ``by`` (name and role) consents for the school; again: a new who/when."""
    async with allowed(ctx, actor, school, Action.CONSENT) as session:
        given = await consents.give(session, school, school_year, by, ctx.now())
        await record(session, ctx, actor, "consent.give", school, school_year=school_year)
        return given


async def withdraw_consent(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str, by: str
) -> ConsentRecord:
    """Withdraw the school's consent: it is left out of every later delivery."""
    async with allowed(ctx, actor, school, Action.CONSENT) as session:
        withdrawn = await consents.withdraw(session, school, school_year, by, ctx.now())
        await record(session, ctx, actor, "consent.withdraw", school, school_year=school_year)
        return withdrawn


async def consent_of(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str
) -> ConsentRecord | None:
    async with allowed(ctx, actor, school, Action.DELIVERY_STATUS) as session:
        return await consents.of(session, school, school_year)


class Missing:
    """What keeps a school out of the delivery; adapters word each in their own language."""

    ROUND = "round"  # no round this school year
    CLOSE = "close"  # the round is still open
    CONSENT = "consent"  # no consent, or it was withdrawn


@dataclass(frozen=True, slots=True)
class DeliveryReadiness:
    """Whether the school is in the school year's delivery, and if not, what is missing.

    ``deadline`` is 1 July at the end of the school year; the delivery itself is the
    operator's (``veilig deliver``).
    """

    school: SchoolCode
    school_year: str
    round: RoundRecord | None
    consent: ConsentRecord | None
    missing: tuple[str, ...]
    deadline: date

    @property
    def ready(self) -> bool:
        return not self.missing


async def delivery_readiness(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str
) -> DeliveryReadiness:
    """Is ``school`` in the delivery of ``school_year``: a closed round and consent in force."""
    async with allowed(ctx, actor, school, Action.DELIVERY_STATUS) as session:
        try:
            round_: RoundRecord | None = await rounds.get(session, school, school_year)
        except NotFound:
            round_ = None
        consent = await consents.of(session, school, school_year)
        await record(session, ctx, actor, "delivery.status", school, school_year=school_year)
    missing: list[str] = []
    if round_ is None:
        missing.append(Missing.ROUND)
    elif round_.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
        missing.append(Missing.CLOSE)
    if consent is None or not consent.in_force:
        missing.append(Missing.CONSENT)
    end_year = int(parse_school_year(school_year)[-4:])
    return DeliveryReadiness(
        school, school_year, round_, consent, tuple(missing), date(end_year, 7, 1)
    )
