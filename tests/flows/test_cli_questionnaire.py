"""``veilig questionnaire``: lint, show, try and the catalogue tools."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import main
from bot.cli.questionnaire import app
from flows.i18n import DOMAIN


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["questionnaire", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_lint_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint")
    assert code == 0, out
    assert out.startswith("OK: 1 questionnaire(s), 35 items, 5 languages enabled")
    assert "drafts needing a native reviewer: tr, ar, pl" in out


@pytest.mark.parametrize("band", ["po", "vo", "so"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_show_prints_every_band(capsys: pytest.CaptureFixture[str], band: str, lang: str) -> None:
    code, out, _ = run(capsys, "show", "--band", band, "--lang", lang)
    assert code == 0
    assert "<safe_school>" in out and "<gender>" in out
    assert "(shown only if any of [group bullying] is 'bullied')" in out
    assert "0800-0432" in out and "112" in out
    assert ("Dat zeg ik liever niet" if lang == "nl" else "I'd rather not say") in out


def test_show_marks_draft_languages(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "--band", "po", "--lang", "ar")
    assert code == 0
    assert "draft translation" in out
    assert "\u200f" in out  # right-to-left marks


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--band", "mbo", "--lang", "nl"], "age band 'mbo' is not known; use one of po, vo, so"),
        (["--band", "po", "--lang", "fr"], "language 'fr' is not enabled; use one of nl, en"),
    ],
)
def test_bad_band_or_language_is_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, "show", *args)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_try_walks_the_questionnaire_in_the_terminal() -> None:
    typed = "\n".join(
        ["start", "1", "2", "terug", "1", "taal en", "yes", "stop", "verder", "huh", "3"]
    )
    result = CliRunner().invoke(app, ["try", "--band", "so", "--lang", "nl"], input=typed + "\n")
    assert result.exit_code == 0, result.output
    assert "Voel je je veilig op school?" in result.output
    assert "We'll carry on in English." in result.output
    assert "Do you feel safe in the playground?" in result.output
    assert "You have stopped." in result.output
    assert "I don't quite understand." in result.output
    assert (
        'answers: {"_intro": 1, "safe_class": 3, "safe_school": 3, "safe_schoolyard": 3, '
        '"safe_way": 1}' in result.output
    )


def test_try_ends_at_the_outro() -> None:
    typed = "start\n" + "4\n" * 40  # "rather not say" everywhere (SO: 3 options + 1)
    result = CliRunner().invoke(app, ["try", "--band", "so"], input=typed)
    assert result.exit_code == 0
    assert "Klaar!" in result.output
    assert '"gender": null' in result.output


def test_catalogue_add_and_update(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["catalogue", "add", "uk", "--locales", str(tmp_path)])
    assert result.exit_code == 0, result.output
    po = tmp_path / "uk" / "LC_MESSAGES" / f"{DOMAIN}.po"
    assert 'msgctxt "ui:prefer_not"' in po.read_text(encoding="utf-8")
    result = runner.invoke(app, ["catalogue", "update", "--locales", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{DOMAIN}.pot").is_file()
    again = runner.invoke(app, ["catalogue", "add", "uk", "--locales", str(tmp_path)])
    assert again.exit_code != 0
