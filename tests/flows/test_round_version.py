"""A round keeps the questionnaire version it was opened with.

``veilig round open`` stores the version hash; a channel then calls
:func:`flows.check_version` with the round's id and version before it asks a question, and gets
a :class:`~veilig.errors.QuestionnaireError` once the file has changed under the round.
"""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path

import pytest

import flows.loader
from bot.cli.app import main
from flows import DEFAULT_QUESTIONNAIRE_ID, check_version, load_questionnaire
from flows.loader import load_questionnaire_file
from flows.model import Questionnaire
from storage.database import Database
from storage.pseudonyms import Keyring
from storage.records import RoundRecord
from storage.repositories import rounds
from storage.values import SchoolCode
from tests.conftest import TEST_SECRET
from veilig.errors import QuestionnaireError

YEAR = "2026-2027"


def stored_round(url: str) -> RoundRecord:
    async def read() -> RoundRecord:
        database = Database(url, Keyring(TEST_SECRET))
        try:
            async with database.transaction() as session:
                return await rounds.get(session, SchoolCode.parse("12AB00"), YEAR)
        finally:
            await database.dispose()

    return asyncio.run(read())


def edited_questionnaire(tmp_path: Path) -> Questionnaire:
    """The packaged questionnaire with one Dutch item text changed, as an edit would."""
    source = (
        resources.files("flows.questionnaires")
        .joinpath(f"{DEFAULT_QUESTIONNAIRE_ID}.yaml")
        .read_text(encoding="utf-8")
    )
    old = 'po: "Ga jij graag naar school?"'
    assert source.count(old) == 1
    path = tmp_path / f"{DEFAULT_QUESTIONNAIRE_ID}.yaml"
    path.write_text(source.replace(old, 'po: "Ga jij graag naar je school?"'), encoding="utf-8")
    return load_questionnaire_file(path)


def test_round_open_records_the_version_and_a_changed_file_is_refused(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("VEILIG_DATABASE_URL", database_url)
    monkeypatch.setenv("VEILIG_SECRET_KEY", TEST_SECRET.decode())
    add = ["school", "add", "--brin", "12AB", "--vestiging", "00", "--name", "X", "--sector", "po"]
    assert main(add) == 0
    assert main(["round", "open", "12AB00", "--school-year", YEAR]) == 0
    current = load_questionnaire()
    assert f"(version {current.version[:12]})" in capsys.readouterr().out

    opened = stored_round(database_url)
    assert (opened.questionnaire_id, opened.questionnaire_version) == (
        current.id,
        current.version,
    )
    # What a channel does before each question: the unchanged file is accepted ...
    assert check_version(opened.questionnaire_id, opened.questionnaire_version) is current

    # ... and after an edit to an item text, the round is refused with a clear message.
    edited = edited_questionnaire(tmp_path)
    assert edited.version != current.version
    monkeypatch.setattr(flows.loader, "load_questionnaire", lambda _id=None: edited)
    with pytest.raises(QuestionnaireError) as refused:
        check_version(opened.questionnaire_id, opened.questionnaire_version)
    message = str(refused.value)
    assert message.startswith(
        f"questionnaire {current.id!r} has changed since this round was opened "
        f"(round: version {current.version[:12]}, file now: {edited.version[:12]})"
    )
    assert "\n" not in message
