"""``veilig questionnaire``: lint, show, try and the catalogue tools."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import main
from bot.cli.questionnaire import app
from flows import catalogues
from flows.i18n import DOMAIN, catalogue_text


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["questionnaire", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_lint_passes_and_warns_about_drafts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint")
    assert code == 0, out
    *warnings, summary = out.strip().splitlines()
    assert summary.startswith("OK: 1 questionnaire(s), 35 items, 5 languages enabled")
    assert "drafts needing a native reviewer: tr, ar, pl" in summary
    assert [line.split(" (")[0] for line in warnings] == [
        "warning: tr",
        "warning: ar",
        "warning: pl",
    ]
    assert all("is a draft translation" in line for line in warnings)


def test_lint_fails_when_an_enabled_language_misses_a_string(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = catalogue_text("pl")
    assert original is not None
    catalog = catalogues.read_po(original, "pl")
    catalog.delete("Dat zeg ik liever niet", "ui:prefer_not")
    shortened = catalogues.po_bytes(catalog)
    monkeypatch.setattr(
        catalogues, "catalogue_text", lambda code: shortened if code == "pl" else original
    )
    code, out, err = run(capsys, "lint")
    assert code == 1
    missing = [line for line in out.splitlines() if not line.startswith("warning:")]
    assert missing == [
        "flows/locales/pl/LC_MESSAGES/veilig.po: [ui:prefer_not] 'Dat zeg ik liever niet': "
        "not translated"
    ]
    assert "1 problem(s) found" in err


@pytest.mark.parametrize("band", ["po", "vo", "so"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_show_prints_every_band(capsys: pytest.CaptureFixture[str], band: str, lang: str) -> None:
    code, out, _ = run(capsys, "show", "--band", band, "--lang", lang)
    assert code == 0
    assert "<safe_school>" in out and "<gender>" in out
    assert "(shown only if any of [group bullying] is 'bullied')" in out
    assert "0800-0432" in out and "112" in out
    assert ("Dat zeg ik liever niet" if lang == "nl" else "I'd rather not say") in out


def test_show_marks_draft_and_right_to_left_languages(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "--band", "po", "--lang", "ar")
    assert code == 0
    header = out.splitlines()[0]
    assert header.endswith(
        "· ar (draft translation, not yet checked by a native speaker; right-to-left)"
    )
    assert "\u200f" in out  # right-to-left marks
    assert "'لغة nl' (Nederlands)" in out  # the intro tells pupils it is a draft
    code, out, _ = run(capsys, "show", "--band", "po", "--lang", "en")
    assert out.splitlines()[0].endswith("· band po · en")
    assert "translation is new" not in out


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


def test_try_in_a_draft_language_says_so_and_works() -> None:
    typed = "\n".join(["start", "1", "taal tr", "evet", "dil nl", "ja"])
    result = CliRunner().invoke(app, ["try", "--band", "so", "--lang", "pl"], input=typed + "\n")
    assert result.exit_code == 0, result.output
    assert "To tłumaczenie jest nowe." in result.output  # on the Polish intro
    assert "Türkçe devam ediyoruz. Bu çeviri yeni." in result.output  # on switching
    assert "We gaan verder in het Nederlands.\n" in result.output  # Dutch is no draft
    assert (
        'answers: {"_intro": 1, "safe_class": 3, "safe_school": 3, "safe_schoolyard": 3}'
        in result.output
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
