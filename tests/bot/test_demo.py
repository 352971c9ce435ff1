"""``veilig demo``: every output of a school year in one folder, the same bytes twice."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader

from bot.cli.app import main


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_demo_writes_every_output_reproducibly(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    assert main(["demo", "--pupils", "30", "--seed", "5", "--out", str(first)]) == 0
    assert main(["demo", "--pupils", "30", "--seed", "5", "--out", str(second)]) == 0
    files = _files(first)
    assert files == _files(second)  # the same seed: the same bytes
    assert {
        "report/report.pdf",
        "report/report.txt",
        "delivery/delivery.json",
        "delivery/manifest.json",
        "research-export.csv",
        "research-export.codebook.csv",
        "instrument.md",
    } <= set(files)
    assert any(name.startswith("report/report-") and name.endswith(".png") for name in files)
    assert len(PdfReader(first / "report" / "report.pdf").pages) >= 2
    delivered = json.loads(files["delivery/delivery.json"])
    assert [row["school"] for row in delivered["schools"]] == ["99DM00"]
    rows = files["research-export.csv"].decode().splitlines()
    assert len(rows) == 31  # a header and one row per pupil
    assert main(["demo", "--out", str(first)]) == 1  # not over an earlier demo


def test_the_demo_refuses_a_size_it_cannot_show(tmp_path: Path) -> None:
    assert main(["demo", "--pupils", "5", "--out", str(tmp_path / "x")]) == 1
    assert not (tmp_path / "x").exists()
