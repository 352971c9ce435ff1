"""The staff commands the application layer added: round status, coordinators, withdrawal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.bot.helpers import YEAR, Cli, add_school


def test_round_status_per_group_with_the_verdict(cli: Cli) -> None:
    add_school(cli, "12AB00", [("3A", 3, 20), ("7B", 7, 28), ("8C", 8, 30)], pupils=40)
    result = cli.ok("round", "status", "12AB00", "--school-year", YEAR)
    head, table = result.out.split("\n", 1)
    completed = int(re.search(r"(\d+) of 58 pupils completed", head)[1])  # type: ignore[index]
    assert 30 <= completed <= 40 and "verdict: " in head
    assert "too young" in table.splitlines()[2]  # groep 3 does not answer
    counted = sum(int(line.split()[4]) for line in table.splitlines()[3:])
    assert counted == completed
    unknown = cli("round", "status", "99ZZ00", "--school-year", YEAR)
    assert unknown.code == 1 and "not registered" in unknown.err


def test_coordinators_are_invited_listed_and_revoked(cli: Cli) -> None:
    add_school(cli, "12AB00", [("7B", 7, 28)])
    made = cli.ok("coordinator", "invite", "12AB00", "--days", "3")
    token = made.out.splitlines()[1]
    assert len(token) >= 32 and f"/start {token}" in made.out
    assert cli.scalar("SELECT count(*) FROM coordinator_invite") == 1
    assert token not in str(cli.snapshot())  # only its digest is stored
    assert "No coordinators yet" in cli.ok("coordinator", "list").out
    refused = cli("coordinator", "invite", "12AB00", "--days", "0")
    assert refused.code == 1 and "--days 0" in refused.err
    gone = cli("coordinator", "revoke", "7")
    assert gone.code == 1 and "coordinator 7 does not exist" in gone.err
    assert cli.audit_details("coordinator.invite") == [{"role": "coordinator"}]


def test_invite_prints_the_deep_link_when_the_bot_is_known(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_school(cli, "12AB00")
    monkeypatch.setenv("VEILIG_TELEGRAM_BOT_USERNAME", "veilig_bot")
    made = cli.ok("coordinator", "invite", "12AB00")
    token = made.out.splitlines()[1]
    assert f"Open: https://t.me/veilig_bot?start={token}" in made.out


def test_consent_is_given_and_withdrawn(cli: Cli) -> None:
    add_school(cli, "12AB00", [("7B", 7, 28)])
    cli.ok("consent", "12AB00", "--by", "A. de Vries, directeur", "--school-year", YEAR)
    withdrawn = cli.ok(
        "consent", "12AB00", "--by", "A. de Vries", "--withdraw", "--school-year", YEAR
    )
    assert "Withdrew the consent of school 12AB00" in withdrawn.out
    again = cli("consent", "12AB00", "--by", "X", "--withdraw", "--school-year", YEAR)
    assert again.code == 1 and "no consent in force" in again.err
    assert cli.scalar("SELECT withdrawn_by FROM consent") == "A. de Vries"
    assert [e for e in ("consent.give", "consent.withdraw") if cli.audit_details(e)] == [
        "consent.give",
        "consent.withdraw",
    ]


def test_a_withdrawn_consent_leaves_the_school_out_of_the_delivery(
    cli: Cli, tmp_path: Path
) -> None:
    add_school(cli, "12AB00", [("7B", 7, 28)], pupils=20)
    cli.ok("round", "close", "12AB00", "--school-year", YEAR)
    cli.ok("consent", "12AB00", "--by", "Directeur", "--school-year", YEAR)
    cli.ok("consent", "12AB00", "--by", "Directeur", "--withdraw", "--school-year", YEAR)
    refused = cli("deliver", "--school-year", YEAR, "--out", str(tmp_path / "d"))
    assert refused.code == 1 and "no school has both a closed round and consent" in refused.err
    assert "12AB00  no consent" in refused.out
    cli.ok("consent", "12AB00", "--by", "Directeur", "--school-year", YEAR)  # given again
    assert "Delivered" in cli.ok("deliver", "--school-year", YEAR, "--out", str(tmp_path / "e")).out
