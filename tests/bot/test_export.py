"""``veilig export`` and ``veilig instrument report`` end to end on SQLite and PostgreSQL:
pupils answer through the real engine (``veilig simulate``), the commands read them back."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics.dataset import Dataset
from analytics.export import EXPORT_META, export_csv, read_export, research_export
from analytics.instrument import instrument_report, render_markdown
from analytics.load import load_dataset
from flows import load_questionnaire
from storage.database import Database
from storage.repositories import audit
from tests.bot.helpers import YEAR, Cli, add_school
from veilig.errors import StorageError


@pytest.fixture
def school_year(cli: Cli) -> Cli:
    """12AB00: groep 7 (14 pupils), groep 8 (12), groep 6 "6C juf Anna" (4); 34CD00: 5."""
    for code, groups in (
        ("12AB00", [("7A", 7, 14), ("8A", 8, 12), ("6C juf Anna", 6, 4)]),
        ("34CD00", [("7A", 7, 5)]),
    ):
        # Every place taken: each group gets exactly its enrolled number of respondents.
        pupils = sum(enrolled for _, _, enrolled in groups)
        add_school(cli, code, groups, name=code[:4], pupils=pupils)
        # A year's outputs hold closed rounds only (analytics.disclosure, issue 9).
        cli.ok("round", "close", code, "--school-year", YEAR)
    return cli


def _dataset(cli: Cli) -> Dataset:
    async def read(database: Database) -> Dataset:
        return await load_dataset(database, school_year=YEAR)

    return cli.read(read)


def test_export_writes_csv_codebook_and_sav(school_year: Cli, tmp_path: Path) -> None:
    run = school_year
    out = run.ok("export", "--school-year", YEAR, "--out", str(tmp_path / "research.sav")).out
    assert not list(tmp_path.glob(".veilig-export-*"))  # the temporary .sav is gone
    data, book, sav = (tmp_path / name for name in ("research.csv", "research.codebook.csv",
                                                     "research.sav"))  # fmt: skip
    for path in (data, book, sav):
        assert oct(path.stat().st_mode & 0o777) == "0o600", path
    assert "Wrote 30 respondents of 1 school (2026-2027)" in out
    assert "Left out 5 respondents of 1 school-band with fewer than 10 respondents." in out
    assert "grade in 16 rows, group in 16 rows" in out
    # The audit trail: what was written, where and how much, never the data.
    assert run.audit_details("export.write") == [
        {
            "school_year": YEAR,
            "rows": 30,
            "file_names": [str(path.resolve()) for path in (data, book, sav)],
        }
    ]

    q = load_questionnaire()
    back = read_export(data, q)
    assert len(back) == 30 and set(back["school"].astype(str)) == {"12AB00"}
    # Groep 6 (4 pupils) is blanked, and groep 8 (12, the smallest other grade) with it.
    assert back["grade"].value_counts(dropna=False).to_dict() == {7: 14, pd.NA: 16}
    assert set(back.loc[back["grade"] == 7, "group"].astype(str)) == {"1"}
    text = data.read_text(encoding="utf-8")
    assert "juf Anna" not in text and "7A" not in text
    assert text.splitlines()[0].startswith(",".join(EXPORT_META))
    # The file is the pure export of what the loader reads: nothing added on the way.
    assert text == export_csv(research_export(_dataset(run), YEAR))
    with book.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {"variable": "safe_school", "band": "po", "value": "4", "label": "Ja"}.items() <= (
        next(r for r in rows if r["variable"] == "safe_school" and r["value"] == "4").items()
    )
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    assert len(frame) == 30
    assert meta.variable_value_labels["safe_school"][-1] == "Dat zeg ik liever niet"


def test_export_refuses_overwriting_odd_names_and_sav_without_pyreadstat(
    school_year: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = school_year
    folder = tmp_path / "out"
    folder.mkdir()
    run.ok("export", "--school-year", YEAR, "--out", str(folder / "first.csv"))
    assert sorted(p.name for p in folder.iterdir()) == ["first.codebook.csv", "first.csv"]
    again = run("export", "--school-year", YEAR, "--out", str(folder / "first.csv"))
    assert again.code == 1 and "exists already" in again.err
    odd = run("export", "--school-year", YEAR, "--out", str(folder / "first.txt"))
    assert odd.code == 1 and "ending in .csv" in odd.err
    bad = run("export", "--school-year", YEAR, "--min-n", "0", "--out", str(folder / "b"))
    assert bad.code == 1 and "--min-n" in bad.err

    monkeypatch.setitem(sys.modules, "pyreadstat", None)  # the optional extra not installed
    result = run("export", "--school-year", YEAR, "--out", str(folder / "x.sav"))
    assert result.code == 2
    assert "pip install 'veilig[spss]'" in result.err
    assert sorted(p.name for p in folder.iterdir()) == ["first.codebook.csv", "first.csv"]
    # Only the export that was written is in the audit trail.
    (event,) = run.audit_details("export.write")
    assert event["file_names"] == [
        str((folder / name).resolve()) for name in ("first.csv", "first.codebook.csv")
    ]


def test_an_export_that_cannot_be_audited_leaves_no_file(
    school_year: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = school_year

    async def failing(*args: object, **kwargs: object) -> None:
        raise StorageError("the database went away")

    folder = tmp_path / "out"
    folder.mkdir()
    with monkeypatch.context() as patched:
        patched.setattr(audit, "record", failing)
        result = run("export", "--school-year", YEAR, "--out", str(folder / "research.sav"))
    assert result.code == 1 and "the database went away" in result.err
    assert list(folder.iterdir()) == []  # the three files written first are gone again
    assert run.audit_details("export.write") == []


def test_instrument_report_writes_markdown_and_tables(school_year: Cli, tmp_path: Path) -> None:
    run = school_year
    target = tmp_path / "instrument.md"
    out = run.ok("instrument", "report", "--school-year", YEAR, "--out", str(target),
                 "--min-schools", "1").out  # fmt: skip
    assert "Wrote the instrument report 2026-2027 (bands: po)" in out
    text = target.read_text(encoding="utf-8")
    expected = instrument_report(_dataset(run), YEAR, min_schools=1)
    assert text == render_markdown(expected)
    assert text.startswith("# Instrument evidence 2026-2027")
    for name, table in expected.tables().items():
        path = tmp_path / f"instrument.{name}.csv"
        assert path.exists(), name
        if not table.empty:
            assert len(pd.read_csv(path)) == len(table), name
    bands = pd.read_csv(tmp_path / "instrument.bands.csv")
    # The counted respondents of 12AB00 (30 started): 34CD00's 5 are below min_n, in no output.
    assert bands["band"].tolist() == ["po"] and bands["respondents"].tolist() == [29]
    # A second run replaces the report only when asked to.
    again = run("instrument", "report", "--school-year", YEAR, "--out", str(target))
    assert again.code == 1 and "pass --force to replace it" in again.err
    run.ok("instrument", "report", "--school-year", YEAR, "--out", str(target), "--force")
    wrong = run("instrument", "report", "--school-year", YEAR, "--out", str(tmp_path / "x.txt"))
    assert wrong.code == 1 and ".md" in wrong.err


def test_an_open_round_is_left_out_and_said_so(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, "12AB00", [("7A", 7, 14)], pupils=14)
    add_school(cli, "34CD00", [("7A", 7, 12)], pupils=12)
    cli.ok("round", "close", "12AB00", "--school-year", YEAR)
    out = cli.ok("export", "--school-year", YEAR, "--out", str(tmp_path / "r.csv")).out
    assert "Wrote 14 respondents of 1 school" in out
    assert "Left out 12 respondents of 1 school-band whose round is still open" in out
