"""Outputs are written whole, new unless asked, never through a link; a full disk leaves
nothing behind (issue 12). On both backends, through the real commands."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from bot.cli import files
from tests.bot.helpers import YEAR, Cli, add_school


@pytest.fixture
def year(cli: Cli) -> Cli:
    add_school(cli, "12AB00", [("7A", 7, 26)], pupils=24)
    cli.ok("round", "close", "12AB00", "--school-year", YEAR)
    cli.ok("consent", "12AB00", "--by", "Directeur", "--school-year", YEAR)
    return cli


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", no_space)


def _left(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


COMMANDS = {
    "report": ["report", "12AB00", "--school-year", YEAR, "--out", "{dir}/r.pdf"],
    "instrument": ["instrument", "report", "--school-year", YEAR, "--out", "{dir}/i.md"],
    "export": ["export", "--school-year", YEAR, "--out", "{dir}/e.csv"],
    "deliver": ["deliver", "--school-year", YEAR, "--out", "{dir}/d"],
}
CODES = ["codes", "12AB00", "--group", "7A", "--out", "{dir}/c.csv", "--school-year", "2027-2028"]


@pytest.mark.parametrize("command", [*COMMANDS, "codes"])
def test_a_full_disk_leaves_nothing_behind(
    year: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    if command == "codes":  # codes need an open round: next year's
        year.ok("group", "add", "12AB00", "--name", "7A", "--grade", "7", "--enrolled", "26",
                "--school-year", "2027-2028")  # fmt: skip
        year.ok("round", "open", "12AB00", "--school-year", "2027-2028")
    folder = tmp_path / "out"
    folder.mkdir()
    template = CODES if command == "codes" else COMMANDS[command]
    args = [arg.replace("{dir}", str(folder)) for arg in template]
    before = year.snapshot()
    _full_disk(monkeypatch)
    if command == "codes":  # the codes file is written directly: fill its write instead
        monkeypatch.setattr(files.os, "fdopen", _failing_fdopen(os.fdopen))
    result = year(*args)
    assert result.code == 1, result.err
    assert "No space left on device" in result.err and len(result.err.splitlines()) == 1
    assert _left(folder) in ([], ["d"])
    assert _left(folder / "d") == []
    # Every table as before: no codes, no delivery record, no export event. (Making the
    # report is audited when it is made, before its files are written: that event stays.)
    after = year.snapshot()
    if command == "report":
        made = [row for row in after["audit_event"] if row not in before["audit_event"]]
        assert [row[3] for row in made] == ["report.make"]
        after["audit_event"] = before["audit_event"]
    assert after == before


def _failing_fdopen(real):  # type: ignore[no-untyped-def]
    class Full:
        def __init__(self, handle) -> None:  # type: ignore[no-untyped-def]
            self.handle = handle

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return lambda descriptor, *args, **kwargs: Full(real(descriptor, *args, **kwargs))


@pytest.mark.parametrize("command", ["report", "instrument"])
def test_outputs_are_new_unless_forced_and_never_through_a_link(
    year: Cli, tmp_path: Path, command: str
) -> None:
    args = [arg.replace("{dir}", str(tmp_path)) for arg in COMMANDS[command]]
    target = Path(args[-1])
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    target.symlink_to(precious)
    linked = year(*args)
    assert linked.code == 1 and "symbolic link" in linked.err
    assert precious.read_text() == "keep me"
    target.unlink()
    year.ok(*args)
    first = target.read_bytes()
    again = year(*args)
    assert again.code == 1 and "pass --force to replace it" in again.err
    year.ok(*args, "--force")
    assert target.read_bytes() == first  # the same data, written anew
    a_folder = target.with_name("folder" + target.suffix)
    a_folder.mkdir()
    refused = year(*[*args[:-1], str(a_folder)])
    assert refused.code == 1 and "is a folder" in refused.err


def test_a_planted_link_in_the_delivery_folder_is_not_written_through(
    year: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "d"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    for name in (".schools.csv.partial", ".delivery.json.partial"):
        (out / name).symlink_to(victim)
    year.ok("deliver", "--school-year", YEAR, "--out", str(out))
    assert victim.read_text() == "untouched"
    assert (out / "schools.csv").is_file() and not (out / "schools.csv").is_symlink()
