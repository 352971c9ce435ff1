"""``veilig codes --slips``: one cut-out slip per code with the chat's address, the code and a
QR code of the link (code in the fragment), written once beside the codes file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import segno
from pypdf import PdfReader

from bot.cli.slips import link, slips_pdf
from tests.bot.helpers import Cli, add_school


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_codes_with_slips(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEILIG_PUBLIC_URL", "https://chat.example.nl")
    add_school(cli, "12AB00", [("7B", 7, 11)])
    out, slips = tmp_path / "codes.csv", tmp_path / "slips.pdf"
    made = cli.ok(
        "codes", "12AB00", "--group", "7B", "--out", str(out), "--slips", str(slips),
        "--school-year", "2026-2027",
    )  # fmt: skip
    assert "slips for https://chat.example.nl/" in made.out
    with out.open() as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    reader = PdfReader(slips)
    assert len(reader.pages) == 2  # 13 slips, ten a page
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(code in text for code in codes)
    assert "https://chat.example.nl/" in text and "Jouw code voor de" in text
    assert oct(slips.stat().st_mode & 0o777) == "0o600"
    again = cli("codes", "12AB00", "--group", "7B", "--out", str(tmp_path / "b.csv"),
                "--slips", str(slips), "--school-year", "2026-2027")  # fmt: skip
    assert again.code != 0 and "exists already" in again.err
    assert not (tmp_path / "b.csv").exists()


def test_the_qr_code_holds_the_link_with_the_code_in_the_fragment() -> None:
    url = link("http://127.0.0.1:8080/", "K7Q-FM3-XAP")
    assert url == "http://127.0.0.1:8080/#code=K7Q-FM3-XAP"
    pdf = slips_pdf("http://127.0.0.1:8080/", ["K7Q-FM3-XAP"], "12AB00 · 7B")
    assert PdfReader(io.BytesIO(pdf)).pages[0].extract_text().count("K7Q-FM3-XAP") == 1
    # The same payload segno encodes is what the slip draws (vector squares).
    assert segno.make(url, error="m").designator
