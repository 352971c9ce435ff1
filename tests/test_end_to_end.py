"""A school year from the command line, and the report checked against the research export.

Pupils answer through the real engine into the database (``veilig simulate``); the school report
and the research export are then made by the commands a coordinator and a researcher would use.
The report's figures are recomputed here from the export alone, with plain pandas and the rules
written out below (not with ``analytics``), so a wrong rule, a lost answer or a mixed-up column
anywhere on the way shows up as a difference.
"""

from __future__ import annotations

import asyncio
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.load import load_dataset
from analytics.school_results import SchoolResults, school_results
from bot.cli.app import main
from flows import load_questionnaire
from storage.database import Database
from storage.pseudonyms import Keyring
from tests.conftest import TEST_SECRET

YEAR = "2026-2027"
Q = load_questionnaire()


def _veilig(*args: str) -> None:
    assert main(list(args)) == 0, f"veilig {' '.join(args)} failed"


@pytest.fixture
def school_year(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[Path, str]:
    monkeypatch.setenv("VEILIG_DATABASE_URL", database_url)
    monkeypatch.setenv("VEILIG_SECRET_KEY", TEST_SECRET.decode())
    monkeypatch.setenv("VEILIG_DATA_DIR", str(tmp_path / "data"))
    _veilig("school", "add", "--brin", "12AB", "--vestiging", "00", "--name", "De Linde",
            "--sector", "po", "--support-contact", "juf Anna")  # fmt: skip
    for name, grade, enrolled in [("7A", "7", "40"), ("8A", "8", "36")]:
        _veilig("group", "add", "12AB00", "--name", name, "--grade", grade,
                "--enrolled", enrolled, "--school-year", YEAR)  # fmt: skip
    _veilig("round", "open", "12AB00", "--school-year", YEAR)
    _veilig("simulate", "12AB00", "--pupils", "70", "--seed", "5", "--school-year", YEAR)
    _veilig("round", "close", "12AB00", "--school-year", YEAR)
    out = tmp_path / "out"
    out.mkdir()
    _veilig("report", "12AB00", "--out", str(out / "report.pdf"), "--school-year", YEAR)
    _veilig("export", "--school-year", YEAR, "--out", str(out / "research.csv"))
    return out, database_url


def _recompute(export: pd.DataFrame) -> dict[str, float]:
    """The report's headline figures from the export, by the documented rules."""
    band = "po"
    pupils = export[export["band"] == band]
    asked = {item.id for _, item in Q.items_in_band(band)}

    def score(scale: str) -> pd.Series:
        items = [i for i in Q.refs(Q.scales[scale]) if i in asked]
        turned = []
        for item_id in items:
            item = Q.item(item_id)
            assert item is not None
            options = Q.options(item, band)
            assert options is not None
            codes = [option.code for option in options.options]
            values = pupils[item_id].where(pupils[item_id] > 0)  # -1 declined, NaN unanswered
            turned.append(min(codes) + max(codes) - values if item.reverse else values)
        frame = pd.concat(turned, axis=1)
        enough = frame.notna().sum(axis=1) >= math.ceil(2 / 3 * len(items) - 1e-9)
        return frame.mean(axis=1).where(enough)

    safety, wellbeing = score("veiligheidsbeleving"), score("welbevinden")
    counted = pupils[safety.notna() & wellbeing.notna()]
    safe_item = counted["safe_school"].where(counted["safe_school"] > 0).dropna()
    bullied = counted["bullied"].where(counted["bullied"] > 0).dropna()
    return {
        "respondents": len(counted),
        "safety_mean": float(safety[counted.index].mean()),
        "safety_sd": float(safety[counted.index].std(ddof=1)),
        "wellbeing_mean": float(wellbeing[counted.index].mean()),
        "feels_safe": float(np.isin(safe_item, [3, 4]).mean()),
        "bullied": float(np.isin(bullied, [3, 4, 5]).mean()),
    }


def test_report_figures_match_a_recomputation_from_the_research_export(
    school_year: tuple[Path, str],
) -> None:
    out, url = school_year
    export = pd.read_csv(out / "research.csv")
    assert len(export) == 70  # every simulated pupil, complete or not
    expected = _recompute(export)

    async def results() -> SchoolResults:
        database = Database(url, Keyring(TEST_SECRET))
        try:
            return school_results(await load_dataset(database), "12AB00", YEAR)
        finally:
            await database.dispose()

    shown = asyncio.run(results())
    figures = shown.figures
    assert figures is not None
    assert figures.respondents == expected["respondents"]
    means = {figure.scale: figure for figure in figures.scales}
    assert means["veiligheidsbeleving"].mean == pytest.approx(expected["safety_mean"], abs=1e-12)
    assert means["veiligheidsbeleving"].sd == pytest.approx(expected["safety_sd"], abs=1e-12)
    assert means["welbevinden"].mean == pytest.approx(expected["wellbeing_mean"], abs=1e-12)
    shares = {figure.name: figure for figure in figures.shares}
    assert shares["voelt_zich_veilig"].share == pytest.approx(expected["feels_safe"], abs=1e-12)
    assert shares["gepest"].share == pytest.approx(expected["bullied"], abs=1e-12)

    # And the words a coordinator reads in the chat say the same.
    text = (out / "report.txt").read_text(encoding="utf-8")
    percent = round(expected["feels_safe"] * 100)
    assert f"{percent}% van de leerlingen voelt zich veilig" in text
    assert f"{round(expected['bullied'] * 100)}% van de leerlingen is de afgelopen" in text
    dutch = f"{expected['safety_mean']:.1f}".replace(".", ",")
    assert re.search(rf"veiligheidsbeleving is {dutch} op een schaal", text)
    assert f"{expected['respondents']} van de 76 leerlingen telden mee" in text
