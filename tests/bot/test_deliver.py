"""``veilig deliver`` end to end on SQLite and PostgreSQL: schools set up with the real CLI,
pupils answering through the real engine (``veilig simulate``), the delivery read back."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from analytics.delivery import DATA_FILES, MANIFEST, SCHEMA_PATH, validate_document
from storage.database import Database
from storage.repositories import audit, deliveries
from storage.repositories.deliveries import DeliveryRecord
from tests.bot.helpers import YEAR, Cli, add_school
from veilig.errors import InvalidInput

ALL_FILES = (*DATA_FILES, MANIFEST)


def _deliveries(cli: Cli) -> list[DeliveryRecord]:
    return cli.session(lambda session: deliveries.of_year(session, YEAR))


def _school(
    cli: Cli,
    code: str,
    sector: str,
    grade: int,
    pupils: int,
    *,
    round_: str | None = "closed",
    consent: bool = True,
) -> None:
    """A school with one group, set up and answered the way an operator and pupils would."""
    if round_ is None:
        add_school(cli, code, sector=sector, open_round=False)
        return
    add_school(cli, code, [("g1", grade, 40)], sector=sector, pupils=pupils)
    if round_ == "closed":
        cli.ok("round", "close", code, "--school-year", YEAR)
    if consent:
        cli.ok("consent", code, "--by", "M. Jansen, directeur", "--school-year", YEAR)


def _year(cli: Cli) -> None:
    _school(cli, "12AB00", "po", 6, 22)  # delivered
    _school(cli, "34CD00", "vo", 2, 3, consent=False)  # closed, no consent
    _school(cli, "56EF00", "po", 7, 3, round_="open")  # consent, round still open
    _school(cli, "78GH00", "so", 4, 4)  # delivered, but fewer than 10 pupils: suppressed
    _school(cli, "90KL00", "vo", 1, 0, round_=None)  # registered, no round this year


def _read(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ALL_FILES}


def test_a_school_year_is_delivered(cli: Cli, tmp_path: Path) -> None:
    _year(cli)
    out = tmp_path / "inspectie" / YEAR
    result = cli("deliver", "--school-year", YEAR, "--out", str(out))
    assert result.code == 0, result.err
    assert f"Delivered {YEAR} to {out}: 2 schools in 2 rows (1 suppressed" in result.out
    assert "  34CD00  no consent" in result.out
    assert "  56EF00  round not closed" in result.out
    assert "  90KL00  no round this school year" in result.out
    files = _read(out)

    document = json.loads(files["delivery.json"])
    validate_document(document)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(document)) == []
    rows = {row["school"]: row for row in document["schools"]}
    assert set(rows) == {"12AB00", "78GH00"}  # no consent, open round, no round: not in it
    for absent in ("34CD00", "56EF00", "90KL00"):
        assert absent.encode() not in files["delivery.json"]
        assert absent.encode() not in files["schools.csv"]
        assert absent.encode() not in files["option_shares.csv"]
    shown = rows["12AB00"]
    assert (shown["band"], shown["sector"], shown["enrolled"]) == ("po", "po", 40)
    assert not shown["suppressed"] and 10 <= shown["respondents"] <= 22
    assert shown["veiligheidsbeleving_mean"] is not None
    small = rows["78GH00"]  # 4 pupils: identity, no figure at all
    assert small["suppressed"] and small["suppression_reason"] == "below_min"
    assert small["respondents"] is None and small["enrolled"] is None
    assert small["veiligheidsbeleving_mean"] is None and small["gepest_share"] is None
    assert {o["school"] for o in document["option_shares"]} == {"12AB00"}

    manifest = json.loads(files[MANIFEST])
    assert manifest["not_delivered"] == [
        {"school": "34CD00", "reasons": ["no_consent"]},
        {"school": "56EF00", "reasons": ["round_not_closed"]},
        {"school": "90KL00", "reasons": ["no_round"]},
    ]
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256(files[entry["name"]]).hexdigest()

    (record,) = _deliveries(cli)
    assert record.sha256 == hashlib.sha256(files[MANIFEST]).hexdigest()
    assert record.file_name == str((out / MANIFEST).resolve())
    assert record.row_count == 2
    assert "delivery.write" in cli.session(audit.actions)

    # Again, into another folder: the same bytes, and a second record.
    again = tmp_path / "again"
    assert cli("deliver", "--school-year", YEAR, "--out", str(again)).code == 0
    assert _read(again) == files
    assert [r.sha256 for r in _deliveries(cli)] == [record.sha256] * 2

    # Into the first folder: refused without --force, and nothing changes.
    (out / "note.txt").write_text("kept")
    (out / "schools.csv").write_text("tampered")
    refused = cli("deliver", "--school-year", YEAR, "--out", str(out))
    assert refused.code == 1 and "already holds a delivery" in refused.err
    assert refused.err.count("\n") == 1
    assert len(_deliveries(cli)) == 2
    assert (out / "schools.csv").read_text() == "tampered"
    forced = cli("deliver", "--school-year", YEAR, "--out", str(out), "--force")
    assert forced.code == 0, forced.err
    assert (out / "note.txt").read_text() == "kept"  # other files stay
    (out / "note.txt").unlink()
    assert _read(out) == files and len(_deliveries(cli)) == 3
    assert not list(out.glob(".*.partial"))
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    not_a_folder = cli("deliver", "--school-year", YEAR, "--out", str(a_file))
    assert not_a_folder.code == 1 and "is a file, not a folder" in not_a_folder.err


def test_nothing_to_deliver_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    _school(cli, "34CD00", "vo", 2, 0, consent=False)
    _school(cli, "56EF00", "po", 7, 0, round_="open")
    out = tmp_path / "out"
    result = cli("deliver", "--school-year", YEAR, "--out", str(out))
    assert result.code == 1
    assert "no school has both a closed round and consent for 2026-2027" in result.err
    assert "nothing was written" in result.err
    assert "34CD00  no consent" in result.out and "56EF00  round not closed" in result.out
    assert not out.exists() or not any(out.iterdir())
    assert _deliveries(cli) == []
    assert "delivery.write" not in cli.session(audit.actions)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school-year", "2026/27"], "school year '2026/27' is not valid"),
        (["--school-year", YEAR, "--min-n", "0"], "--min-n must be 1 to 100,000, got 0"),
    ],
)
def test_bad_options_are_one_line(cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    result = cli("deliver", *args, "--out", str(tmp_path / "out"))
    assert result.code == 1 and message in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "out").exists()


async def test_the_delivery_record_keeps_each_delivery(database: Database) -> None:
    now = datetime(2027, 6, 30, 12, tzinfo=UTC)
    digest = hashlib.sha256(b"manifest").hexdigest()
    async with database.transaction() as session:
        first = await deliveries.record(
            session, school_year=YEAR, file_name="/d/manifest.json", sha256=digest,
            row_count=12, now=now,
        )  # fmt: skip
        await deliveries.record(
            session, school_year="2025-2026", file_name="/e/manifest.json", sha256=digest,
            row_count=3, now=now,
        )  # fmt: skip
        second = await deliveries.record(
            session, school_year=YEAR, file_name="/d/manifest.json", sha256=digest,
            row_count=12, now=now.replace(hour=13),
        )  # fmt: skip
    async with database.transaction() as session:
        found = await deliveries.of_year(session, YEAR)
    assert found == [first, second]
    assert found[0].delivered_at == now and found[0].row_count == 12
    async with database.transaction() as session:
        with pytest.raises(InvalidInput, match="SHA-256"):
            await deliveries.record(
                session, school_year=YEAR, file_name="x", sha256="ABC", row_count=1, now=now
            )
        with pytest.raises(InvalidInput, match="file name"):
            await deliveries.record(
                session, school_year=YEAR, file_name="x" * 256, sha256=digest, row_count=1,
                now=now,
            )  # fmt: skip
        with pytest.raises(InvalidInput, match="school year"):
            await deliveries.of_year(session, "2026")
