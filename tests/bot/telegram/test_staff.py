"""Coordinators through Telegram: a whole round, and every command refused to everyone else."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from bot.service import coordinators, schools
from bot.service.context import Context
from bot.service.records import NewSchool, SchoolCode, Sector
from storage.models import AuditEvent
from tests.bot.service.conftest import LINDE, OPERATOR, School
from tests.bot.service.participant import Pupil as ServicePupil
from tests.bot.telegram.conftest import Chat, last
from tests.flows.participant import FINE_PO
from tests.telegram.emulator import SimulatedUser

OTHER = SchoolCode("99ZZ", "00")


async def coordinator_of(chat: Chat, school: SchoolCode, user_id: int) -> SimulatedUser:
    invitation = await coordinators.invite(chat.ctx, OPERATOR, school)
    staff = chat.user(user_id, name=f"Coordinator {user_id}")
    await chat.do(staff.start(invitation.token))
    assert (last(staff).text or "").startswith("Welkom, Coordinator")
    return staff


async def say(chat: Chat, user: SimulatedUser, text: str) -> str:
    await chat.do(user.send(text))
    return last(user).text or ""


async def audit(ctx: Context) -> list[tuple[str, str]]:
    async with ctx.database.transaction() as session:
        rows = await session.execute(
            select(AuditEvent.actor, AuditEvent.action).order_by(AuditEvent.id)
        )
        return [(actor, action) for actor, action in rows]


async def test_a_coordinator_runs_a_whole_round(chat: Chat, ctx: Context) -> None:
    await schools.add_school(ctx, OPERATOR, NewSchool(LINDE, "De Linde", Sector.PO, "juf Anna"))
    staff = await coordinator_of(chat, LINDE, 3000)
    assert [c["command"] for c in chat.emu.visible_commands(3000)][:2] == ["klassen", "ronde_start"]
    assert chat.emu.visible_commands(3999) == []  # anyone else sees no menu

    assert "nog geen groepen" in await say(chat, staff, "/klassen")
    assert "Groep 7A toegevoegd" in await say(chat, staff, "/klassen 7A 7 25")
    assert "Groep 8B toegevoegd" in await say(chat, staff, "/groups 8B 8 20")
    assert "Groep 8B gewijzigd: leerjaar 8, 22" in await say(chat, staff, "/klassen 8B 8 22")
    assert "• 8B: leerjaar 8, 22 leerlingen" in await say(chat, staff, "/klassen")

    assert "openen?" in await say(chat, staff, "/ronde_start")
    await chat.do(staff.press(last(staff), "Ja, openen"))
    assert "is open" in (last(staff).text or "")

    await say(chat, staff, "/codes")
    await chat.do(staff.press(last(staff), "7A"))
    [document] = staff.documents()
    assert document.data is not None and document.file_name == "codes-12AB00-7A.csv"
    rows = list(csv.DictReader(io.StringIO(document.data.decode())))
    assert len(rows) >= 25 and rows[0]["telegram"].startswith("https://t.me/veilig_test_bot?start=")

    for number, row in enumerate(rows[:10]):  # no figure about fewer than 10 pupils
        pupil = ServicePupil(ctx, user=f"pupil-{number}")
        await pupil.enter(row["code"])
        await pupil.run(FINE_PO)
    status = await say(chat, staff, "/status")
    assert "• 7A: 10 van 25 klaar (10 begonnen)" in status and "Oordeel:" in status

    assert "sluiten?" in await say(chat, staff, "/ronde_sluiten")
    await chat.do(staff.press(last(staff), "Ja, sluiten"))
    assert "is gesloten" in (last(staff).text or "")

    await say(chat, staff, "/rapport")
    assert staff.photos(), "the charts come as photos"
    pdf = staff.documents()[-1]
    assert pdf.data is not None and pdf.data.startswith(b"%PDF")

    assert "nog geen toestemming" in await say(chat, staff, "/toestemming")
    await chat.do(staff.press(last(staff), "Toestemming geven"))
    assert "toestemming gegeven door Coordinator 3000" in (last(staff).text or "")
    assert "zit in de aanlevering" in await say(chat, staff, "/aanlevering")

    mine = [action for actor, action in await audit(ctx) if actor.endswith("@telegram")]
    for action in (
        "group.add",
        "group.change",
        "round.open",
        "codes.issue",
        "round.status",
        "round.close",
        "report.make",
        "consent.give",
        "delivery.status",
    ):
        assert action in mine, action


COMMANDS = (
    "/klassen 12AB00",
    "/klassen 12AB00 9X 7 20",
    "/ronde_start 12AB00",
    "/codes 12AB00",
    "/status 12AB00",
    "/ronde_sluiten 12AB00",
    "/rapport 12AB00",
    "/toestemming 12AB00",
    "/aanlevering 12AB00",
)
BUTTONS = ("k:open:12AB00", "k:close:12AB00", "k:codes:12AB00:7A", "k:cgive:12AB00")


async def test_nobody_but_the_schools_coordinator_may(
    chat: Chat, ctx: Context, school: School
) -> None:
    await schools.add_school(ctx, OPERATOR, NewSchool(OTHER, "Elders", Sector.VO, None))
    other = await coordinator_of(chat, OTHER, 3100)
    revoked = await coordinator_of(chat, LINDE, 3101)
    [found] = [
        c
        for c in await coordinators.list_coordinators(ctx, OPERATOR)
        if c.id and c.schools == ((LINDE, "coordinator"),)
    ]
    await coordinators.revoke(ctx, OPERATOR, found.id)
    pupil = chat.user(3102)
    [code] = await school.codes("7A", 1)
    await chat.do(pupil.start(code))
    stranger = chat.user(3103)
    before = await audit(ctx)

    for person in (other, revoked, pupil, stranger):
        for command in COMMANDS:
            reply = await say(chat, person, command)
            assert (
                reply == "Dat mag u niet doen voor deze school. Een coördinator werkt alleen "
                "voor de eigen school."
            ), (person.id, command, reply)
        for data in BUTTONS:
            press = (
                await person.press(last(person), last(person).button_texts[0])
                if last(person).buttons
                else None
            )
            if press is None:
                continue
            press["callback_query"]["data"] = data
            await chat.feed(press)
            assert (last(person).text or "").startswith("Dat mag u niet"), (person.id, data)
    assert "alleen voor coördinatoren" in await say(chat, stranger, "/status")
    assert await audit(ctx) == before  # nothing was done, and nothing recorded
