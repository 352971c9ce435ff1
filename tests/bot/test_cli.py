"""The operator's command line, end to end on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.helpers import Cli, add_school
from tests.conftest import BACKENDS, TEST_SECRET

VEILIG = Path(sys.executable).parent / "veilig"


def _prepare(cli: Cli) -> None:
    add_school(cli, "12AB00", [("7B", 7, 28)], name="De Linde")


def test_a_school_year_end_to_end(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "school",
        "add",
        "--brin",
        "12ab",
        "--vestiging",
        "00",
        "--name",
        "De Linde",
        "--sector",
        "PO",
        "--support-contact",
        "juf Anna (vertrouwenspersoon)",
    )
    assert (result.code, result.out) == (0, "Added school 12AB00 De Linde (PO).\n")
    listing = cli("school", "list").out
    assert "12AB00" in listing and "De Linde" in listing and "juf Anna" in listing

    assert (
        cli(
            "group",
            "add",
            "12AB00",
            "--name",
            "7B",
            "--grade",
            "7",
            "--enrolled",
            "28",
            "--school-year",
            "2026-2027",
        ).code
        == 0
    )
    assert "7B" in cli("group", "list", "12AB00", "--school-year", "2026-2027").out

    opened = cli("round", "open", "12AB00", "--school-year", "2026-2027")
    assert opened.code == 0 and "Opened the 2026-2027 round of school 12AB00" in opened.out

    first = tmp_path / "codes.csv"
    made = cli(
        "codes", "12AB00", "--group", "7B", "--out", str(first), "--school-year", "2026-2027"
    )
    assert made.code == 0, made.err
    assert "Wrote 30 codes for group 7B" in made.out  # 28 enrolled plus 2 spares
    with first.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 30 and {row["group"] for row in rows} == {"7B"}
    assert oct(first.stat().st_mode & 0o777) == "0o600"
    digests = " ".join(str(v) for v in cli.snapshot()["access_code"])
    for row in rows:
        assert row["code"] not in digests and row["code"].replace("-", "") not in digests

    second = tmp_path / "more.csv"
    again = cli(
        "codes",
        "12AB00",
        "--group",
        "7B",
        "--count",
        "3",
        "--out",
        str(second),
        "--school-year",
        "2026-2027",
    )
    assert again.code == 0
    assert "new codes, added to the 30 made before: the group now has 33 codes" in again.out

    rounds_listing = cli("round", "list").out
    assert "2026-2027" in rounds_listing and "open" in rounds_listing and "33" in rounds_listing
    assert cli("round", "close", "12AB00", "--school-year", "2026-2027").code == 0
    assert "closed" in cli("round", "list", "12AB00").out
    # school, group, open, 2 x codes, status (reads are audited too: who looked at what), close
    assert cli.scalar("SELECT count(*) FROM audit_event") == 7


BAD_INPUT = [
    (
        ["school", "add", "--brin", "12A", "--vestiging", "00", "--name", "X", "--sector", "po"],
        "BRIN '12A' is not valid",
    ),
    (
        ["school", "add", "--brin", "12AB", "--vestiging", "7x", "--name", "X", "--sector", "po"],
        "vestiging '7x' is not valid",
    ),
    (
        ["school", "add", "--brin", "34CD", "--vestiging", "00", "--name", "X", "--sector", "xx"],
        "sector 'xx' is not known",
    ),
    (
        ["school", "add", "--brin", "12AB", "--vestiging", "00", "--name", "X", "--sector", "vo"],
        "school 12AB00 is already registered",
    ),
    (
        ["group", "add", "99ZZ00", "--name", "8A", "--grade", "8", "--enrolled", "20"],
        "school 99ZZ00 is not registered",
    ),
    (
        ["group", "add", "12AB00", "--name", "9A", "--grade", "9", "--enrolled", "20"],
        "grade 9 does not exist in PO",
    ),
    (
        ["round", "open", "12AB00", "--school-year", "2026-2027"],
        "already has a round for 2026-2027",
    ),
    (["round", "open", "12AB00", "--school-year", "2026/27"], "school year '2026/27' is not valid"),
    (
        ["codes", "12AB00", "--group", "9Z", "--out", "{tmp}/c.csv", "--school-year", "2026-2027"],
        "has no group '9Z' in 2026-2027",
    ),
    (
        ["codes", "12AB00", "--group", "7B", "--out", "{tmp}/c.csv", "--school-year", "2025-2026"],
        "has no round for 2025-2026",
    ),
    (
        [
            "codes",
            "12AB00",
            "--group",
            "7B",
            "--out",
            "{tmp}/c.csv",
            "--count",
            "0",
            "--school-year",
            "2026-2027",
        ],
        "count 0 is out of range",
    ),
    (
        [
            "codes",
            "12AB00",
            "--group",
            "7B",
            "--out",
            "{tmp}/no/c.csv",
            "--school-year",
            "2026-2027",
        ],
        "folder",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_is_one_line_and_changes_nothing(
    cli: Cli, tmp_path: Path, args: list[str], message: str
) -> None:
    _prepare(cli)
    before = cli.snapshot()
    result = cli(*(arg.replace("{tmp}", str(tmp_path)) for arg in args))
    assert result.code == 1
    assert message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert cli.snapshot() == before
    assert not (tmp_path / "c.csv").exists()


def test_no_codes_for_a_closed_round(cli: Cli, tmp_path: Path) -> None:
    _prepare(cli)
    assert cli("round", "close", "12AB00", "--school-year", "2026-2027").code == 0
    before = cli.snapshot()
    result = cli(
        "codes",
        "12AB00",
        "--group",
        "7B",
        "--out",
        str(tmp_path / "c.csv"),
        "--school-year",
        "2026-2027",
    )
    assert (result.code, result.err.count("\n")) == (1, 1)
    assert "round of school 12AB00 is closed, not open" in result.err
    assert cli.snapshot() == before and not (tmp_path / "c.csv").exists()


def test_codes_never_overwrite_a_file(cli: Cli, tmp_path: Path) -> None:
    _prepare(cli)
    existing = tmp_path / "c.csv"
    existing.write_text("earlier codes\n")
    result = cli(
        "codes", "12AB00", "--group", "7B", "--out", str(existing), "--school-year", "2026-2027"
    )
    assert result.code == 1 and "exists already" in result.err
    assert existing.read_text() == "earlier codes\n"


def test_school_import_takes_a_spreadsheet_file(cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "schools.csv"
    good.write_text(
        "\ufeffBRIN;vestiging;name;sector;support_contact\n"
        "12AB;00;De Linde;po;juf Anna\n"
        "34CD;01;Het Baken;VO;\n",
        encoding="utf-8",
    )
    result = cli("school", "import", str(good))
    assert (result.code, result.out) == (0, f"Imported 2 schools from {good}.\n")
    assert "Het Baken" in cli("school", "list").out


def test_school_import_reports_every_bad_row_and_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, "56EF00", sector="so", name="Oud", open_round=False)
    bad = tmp_path / "schools.csv"
    bad.write_text(
        "brin,vestiging,name,sector\n"
        "12AB,00,De Linde,po\n"
        "12A,00,Te Kort,po\n"
        "34CD,7x,Fout,vo\n"
        "12AB,00,Dubbel,po\n"
        "78GH,00,Sector,xx\n"
    )
    before = cli.snapshot()
    result = cli("school", "import", str(bad))
    assert result.code == 1
    assert "nothing was imported" in result.err
    for line, reason in [
        (3, "BRIN '12A'"),
        (4, "vestiging '7x'"),
        (5, "also on line 2"),
        (6, "sector 'xx'"),
    ]:
        assert f"line {line}: " in result.err and reason in result.err
    assert cli.snapshot() == before

    taken = tmp_path / "taken.csv"
    taken.write_text("brin,vestiging,name,sector\n90KL,00,Nieuw,vo\n56EF,00,Oud,so\n")
    result = cli("school", "import", str(taken))
    assert result.code == 1 and "line 3: school 56EF00 is already registered" in result.err
    assert cli.snapshot() == before


def test_school_import_checks_the_header(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "schools.csv"
    bad.write_text("brin,vestiging,naam,sector\n12AB,00,X,po\n")
    result = cli("school", "import", str(bad))
    assert result.code == 1
    assert "missing column(s) name; unknown column(s) naam" in result.err


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VEILIG_")}
    return subprocess.run(
        [str(VEILIG), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_embedded_default_needs_no_setup(tmp_path: Path) -> None:
    env = {"VEILIG_DATA_DIR": str(tmp_path / "data")}
    added = _run(
        env,
        "school",
        "add",
        "--brin",
        "12AB",
        "--vestiging",
        "00",
        "--name",
        "De Linde",
        "--sector",
        "po",
    )
    assert added.returncode == 0, added.stderr
    listed = _run(env, "school", "list")
    assert "12AB00" in listed.stdout and "De Linde" in listed.stdout
    assert (tmp_path / "data" / "veilig.db").exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VEILIG_DATABASE_URL": "mysql://h/db"}, "VEILIG_DATABASE_URL: unknown scheme"),
        (
            {"VEILIG_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"},
            "VEILIG_SECRET_KEY is not set",
        ),
        (
            {
                "VEILIG_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x",
                "VEILIG_SECRET_KEY": "k" * 40,
            },
            "VEILIG_DATABASE_URL: cannot use",
        ),
        (
            {"VEILIG_DATABASE_URL": "sqlite:////dev/null/sub/x.db"},
            "VEILIG_DATABASE_URL: cannot use",
        ),
    ],
)
def test_bad_configuration_exits_2_with_one_line(env: dict[str, str], message: str) -> None:
    result = _run(env, "school", "list")
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_a_server_database_must_be_upgraded_first(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VEILIG_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("VEILIG_SECRET_KEY", TEST_SECRET.decode())
    cli = Cli(capsys, empty_database_url)
    refused = cli("school", "list")
    assert refused.code == 2 and "run: veilig db upgrade" in refused.err
    upgraded = cli("db", "upgrade")
    assert upgraded.code == 0 and "is at revision" in upgraded.out
    assert "password" not in upgraded.out
    assert cli("school", "list").code == 0


def test_consent_is_recorded_and_can_be_renewed(cli: Cli) -> None:
    _prepare(cli)
    first = cli("consent", "12AB00", "--by", "A. de Vries, directeur", "--school-year", "2026-2027")
    assert first.code == 0 and "given by A. de Vries, directeur" in first.out
    assert cli("consent", "12AB00", "--by", "B. Jansen", "--school-year", "2026-2027").code == 0
    assert cli.scalar("SELECT given_by FROM consent") == "B. Jansen"
    unknown = cli("consent", "99ZZ00", "--by", "X")
    assert unknown.code == 1 and "99ZZ00 is not registered" in unknown.err
