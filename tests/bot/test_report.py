"""``veilig report`` end to end on SQLite: a school set up with the real CLI, pupils answering
through the real engine (``veilig simulate``), the report read back."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from analytics.load import load_dataset
from analytics.report.numbers import Numbers
from analytics.school_results import SchoolResults, school_results
from storage.database import Database
from tests.bot.helpers import YEAR, Cli, add_school

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _results(cli: Cli, school: str) -> SchoolResults:
    """The school's results recomputed from the database, independently of the command."""

    async def read(database: Database) -> SchoolResults:
        return school_results(await load_dataset(database), school, YEAR)

    return cli.read(read)


def _school(cli: Cli, code: str, pupils: int) -> None:
    groups = [("7A", 7, 30), ("8A", 8, 30)]
    add_school(cli, code, groups, name="De Linde", pupils=pupils, seed=5)


def _pages(path: Path) -> list[str]:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def test_report_of_a_school(cli: Cli, tmp_path: Path) -> None:
    _school(cli, "12AB00", 50)
    out = tmp_path / "report.pdf"
    result = cli.ok("report", "12AB00", "--out", str(out), "--school-year", YEAR)
    expected = _results(cli, "12AB00")
    figures = expected.figures
    assert figures is not None
    assert f"{figures.respondents} respondents of 60 enrolled" in result.out
    pages = _pages(out)
    assert len(pages) >= 5
    assert "Sociale veiligheid op school" in pages[0]
    text = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert len(text) <= 4096
    feels = figures.share("voelt_zich_veilig")
    assert feels is not None
    sentence = f"{Numbers('nl').share(feels.share)} van de leerlingen voelt zich veilig"
    assert sentence in text and sentence in pages[0]
    assert f"{figures.respondents} van de 60 leerlingen telden mee" in text
    charts = {path.name for path in tmp_path.glob("report-*.png")}
    # "where" needs 10 bullied pupils who answered the follow-ups; the others are always there.
    always = {f"report-{name}.png" for name in ("scores", "shares", "forms", "response")}
    assert always <= charts <= always | {"report-where.png"}
    for line in result.out.splitlines()[1:]:
        assert line.startswith("Wrote ")

    english = tmp_path / "report-en.pdf"
    cli.ok("report", "12AB00", "--out", str(english), "--school-year", YEAR, "--lang", "en")
    assert "Social safety at school" in _pages(english)[0]


def test_report_of_a_school_with_too_few_pupils(cli: Cli, tmp_path: Path) -> None:
    _school(cli, "12AB00", 6)
    out = tmp_path / "small.pdf"
    result = cli.ok("report", "12AB00", "--out", str(out), "--school-year", YEAR)
    assert "fewer than 10 respondents" in result.out
    pages = _pages(out)
    assert len(pages) == 1
    assert "Geen resultaten" in pages[0]
    assert "%" not in pages[0]
    assert list(tmp_path.glob("small-*.png")) == []


def test_report_refuses_bad_input(cli: Cli, tmp_path: Path) -> None:
    bad = cli("report", "12AB00", "--out", str(tmp_path / "report.docx"), "--school-year", YEAR)
    assert bad.code == 1 and ".pdf" in bad.err
    bad = cli("report", "12AB00", "--out", str(tmp_path / "r.pdf"), "--lang", "de")
    assert bad.code == 1 and "nl, en" in bad.err
    bad = cli("report", "12AB00", "--out", str(tmp_path / "no" / "r.pdf"))
    assert bad.code == 1 and "does not exist" in bad.err
    unknown = cli("report", "99ZZ00", "--out", str(tmp_path / "r.pdf"), "--school-year", YEAR)
    assert unknown.code == 1 and "99ZZ00" in unknown.err
    assert not (tmp_path / "r.pdf").exists()
