"""Hostile and careless input at the command line: one clear line, nothing changed.

Each case failed before with a traceback or a silent mistake (issue 12); on both backends.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.cli.app import main
from tests.bot.helpers import Cli, add_school

SCHOOL = ["school", "add", "--brin", "12AB", "--vestiging", "01", "--sector", "po"]


def _refused(cli: Cli, *args: str, message: str, code: int = 1) -> None:
    before = cli.snapshot()
    result = cli(*args)
    assert result.code == code, result.err
    assert message in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1, result.err  # one line, no traceback
    assert cli.snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "12AB00", "--pupils", "5", "--seed", "-1"], "seed -1 is out of range"),
        ([*SCHOOL, "--name", "=HYPERLINK(\"http://x\",\"y\")"], "read as a formula"),
        ([*SCHOOL, "--name", "De \x1b[31mLinde"], "control or direction characters"),
        ([*SCHOOL, "--name", "De \u202eedniL"], "U+202E"),
        ([*SCHOOL, "--name", "Nul\x00byte"], "U+0000"),
        ([*SCHOOL, "--name", "X", "--support-contact", "a" * 100_000], "longer than 200"),
        (["group", "add", "12AB00", "--name", "x" * 41, "--grade", "7", "--enrolled", "20"],
         "longer than 40"),
        (["group", "add", "12AB00", "--name", "-2+3", "--grade", "7", "--enrolled", "20"],
         "read as a formula"),
        (["group", "list", "12AB00", "--school-year", "0000-0001"], "out of range"),
        (["group", "list", "12AB00", "--school-year", "9998-9999"], "out of range"),
        (["deliver", "--out", "x", "--min-n", "99999999999999999999"], "--min-n must be 1 to"),
        (["codes", "12AB00", "--group", "7B", "--out", "c.csv", "--count", "600"],
         "pass the limit of 84"),
        (["db", "upgrade", "nonsense"], "revision 'nonsense' is not known"),
        (["db", "downgrade", "nonsense"], "revision 'nonsense' is not known"),
        (["db", "downgrade", ""], "revision '' is not known"),
    ],
)  # fmt: skip
def test_bad_values_are_one_clear_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    add_school(cli, "12AB00", [("7B", 7, 28)])
    monkeypatch.chdir(tmp_path)
    _refused(cli, *args, message=message)


def test_a_group_may_not_get_thousands_of_codes(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, "12AB00", [("7B", 7, 28)])
    cli.ok("codes", "12AB00", "--group", "7B", "--out", str(tmp_path / "a.csv"), "--count", "80")
    _refused(
        cli, "codes", "12AB00", "--group", "7B", "--out", str(tmp_path / "b.csv"),
        "--count", "5", message="28 pupils and 80 codes",
    )  # fmt: skip
    assert not (tmp_path / "b.csv").exists()


def test_a_huge_import_is_one_line_and_a_summary(cli: Cli, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text('brin,vestiging,name,sector\n12AB,00,"' + "x" * 200_000 + '",po\n')
    _refused(cli, "school", "import", str(big), message="field larger than field limit")
    newline = tmp_path / "newline.csv"
    newline.write_text('brin,vestiging,name,sector\n12AB,00,"De\nLinde",po\n')
    result = cli("school", "import", str(newline))
    assert result.code == 1 and "line 3: the school name holds control" in result.err
    # Re-importing thousands of registered schools: a summary, not thousands of lines.
    many = tmp_path / "many.csv"
    rows = [f"{n:02d}{a}{b},00,School {n}{a}{b},po" for n in range(10) for a in "ABCDEFGH"
            for b in "ABCDEFGHIJKLMNOPQRSTUVWXY"]  # fmt: skip
    many.write_text("brin,vestiging,name,sector\n" + "\n".join(rows) + "\n")
    cli.ok("school", "import", str(many))
    again = cli("school", "import", str(many))
    assert again.code == 1 and "... and 1,980 more" in again.err
    assert len(again.err.splitlines()) == 22


def test_the_data_dir_must_be_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VEILIG_DATABASE_URL", raising=False)
    monkeypatch.delenv("VEILIG_SECRET_KEY", raising=False)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    monkeypatch.setenv("VEILIG_DATA_DIR", str(a_file))
    assert main(["school", "list"]) == 2


def test_the_embedded_database_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VEILIG_DATABASE_URL", raising=False)
    monkeypatch.delenv("VEILIG_SECRET_KEY", raising=False)
    monkeypatch.setenv("VEILIG_DATA_DIR", str(tmp_path / "data"))
    os.umask(0o022)
    assert main(["school", "list"]) == 0
    for path in (tmp_path / "data").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
